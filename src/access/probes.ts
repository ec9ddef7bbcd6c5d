/**
 * Optional data-plane probes: one read-only request per service that shows the service's own answer next
 * to the verdict. Pure: `planProbe` says what to send (the caller adds the token for `audience`),
 * `interpretProbe` turns the answer into one line. Nothing is listed by name: counts only.
 * - Key Vault "Get Secrets": GET {vaultUri}/secrets?api-version=7.4 (learn.microsoft.com/rest/api/keyvault/secrets/get-secrets);
 *   token audience = the vault host's DNS suffix, https://vault.azure.net in the public cloud.
 * - Blob "List Containers": GET https://{account}.blob.core.windows.net/?comp=list, `x-ms-version` required
 *   (learn.microsoft.com/rest/api/storageservices/list-containers2); audience https://storage.azure.com.
 * - Cosmos DB "Get Database Account": GET {documentEndpoint}/ with `x-ms-date`, `x-ms-version`; with Entra ID
 *   the Authorization header is `type=aad&ver=1.0&sig={token}` URL-encoded, not Bearer
 *   (learn.microsoft.com/rest/api/cosmos-db/access-control-on-cosmosdb-resources); audience = the account endpoint.
 */
import { parse403 } from './errorText';

export type ProbeKind = 'keyVaultSecrets' | 'blobContainers' | 'cosmosAccount';

export interface ProbePlan {
  kind: ProbeKind;
  method: 'GET';
  url: string;
  /** Every header except Authorization. */
  headers: Record<string, string>;
  audience: string;
  /** How the token goes into Authorization. */
  authorization: 'bearer' | 'cosmosAad';
}

class ProbeTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProbeTargetError';
  }
}

function httpsOrigin(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ProbeTargetError(`Not a URL: ${endpoint}`);
  }
  if (
    url.protocol !== 'https:' &&
    !(url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
  ) {
    throw new ProbeTargetError('Probes go to https endpoints only.');
  }
  return url;
}

/** Blob service version sent as `x-ms-version`; any version since 2017-11-09 accepts Entra tokens. */
const STORAGE_VERSION = '2023-11-03';

export function planProbe(kind: ProbeKind, endpoint: string, now: Date = new Date()): ProbePlan {
  const url = httpsOrigin(endpoint);
  const origin = url.origin;
  switch (kind) {
    case 'keyVaultSecrets': {
      const suffix = url.hostname.split('.').slice(1).join('.');
      return {
        kind,
        method: 'GET',
        url: `${origin}/secrets?api-version=7.4&maxresults=25`,
        headers: { Accept: 'application/json' },
        audience: suffix.startsWith('vault.') ? `https://${suffix}` : 'https://vault.azure.net',
        authorization: 'bearer',
      };
    }
    case 'blobContainers':
      return {
        kind,
        method: 'GET',
        url: `${origin}/?comp=list&maxresults=25`,
        headers: { 'x-ms-version': STORAGE_VERSION, Accept: 'application/xml' },
        audience: 'https://storage.azure.com',
        authorization: 'bearer',
      };
    case 'cosmosAccount':
      return {
        kind,
        method: 'GET',
        url: `${origin}/`,
        headers: { 'x-ms-version': '2018-12-31', 'x-ms-date': now.toUTCString(), Accept: 'application/json' },
        audience: origin,
        authorization: 'cosmosAad',
      };
  }
}

/** The Authorization header value for a plan (the token never leaves this value). */
export function authorizationHeader(plan: ProbePlan, token: string): string {
  return plan.authorization === 'cosmosAad' ? encodeURIComponent(`type=aad&ver=1.0&sig=${token}`) : `Bearer ${token}`;
}

function countItems(kind: ProbeKind, body: string): number | undefined {
  if (kind === 'blobContainers') return (body.match(/<Container>/g) ?? []).length;
  try {
    const json = JSON.parse(body) as { value?: unknown[] };
    return Array.isArray(json.value) ? json.value.length : undefined;
  } catch {
    return undefined;
  }
}

export function interpretProbe(kind: ProbeKind, status: number, body: string): string {
  const what = { keyVaultSecrets: 'Key Vault', blobContainers: 'Blob storage', cosmosAccount: 'Cosmos DB' }[kind];
  if (status >= 200 && status < 300) {
    if (kind === 'cosmosAccount') return `${what} answered ${status}: the identity may read the account's metadata.`;
    const n = countItems(kind, body);
    const noun = kind === 'keyVaultSecrets' ? 'secret' : 'container';
    return n === undefined
      ? `${what} answered ${status}.`
      : `${what} answered ${status}: listed ${n}${n >= 25 ? '+' : ''} ${noun}${n === 1 ? '' : 's'} (names not shown).`;
  }
  if (status === 401) return `${what} answered 401: it did not accept the token (wrong audience or tenant).`;
  if (status === 403) {
    const parsed = parse403(body);
    return `${what} answered 403${parsed?.code ? ` ${parsed.code}` : ''}: ${parsed?.hint ?? 'the identity may not do this.'}`;
  }
  if (status === 404) return `${what} answered 404: the endpoint or resource does not exist.`;
  if (status === 429) return `${what} answered 429: throttled; try again later.`;
  return `${what} answered ${status}.`;
}
