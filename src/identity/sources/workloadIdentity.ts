/**
 * AKS workload identity (azure-identity tokenExchangeMsi.ts / workloadIdentityCredential.ts; entra-docs
 * identity-platform/v2-oauth2-client-creds-grant-flow.md): the pod's projected service-account token, in
 * $AZURE_FEDERATED_TOKEN_FILE, is exchanged at Entra:
 *   POST {AZURE_AUTHORITY_HOST}{AZURE_TENANT_ID}/oauth2/v2.0/token
 *   grant_type=client_credentials, client_id, scope=<resource>/.default,
 *   client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer, client_assertion=<file>.
 * kubelet rotates the file (azure-workload-identity docs: default lifetime 1 h), so it is read on every request.
 * Entra is a public endpoint: this goes through the proxy like ARM, over https (plain http to loopback only, as
 * for the ARM overrides), never in the clear across a network.
 */
import * as fs from 'node:fs';
import type { IdentitySelector } from '../selector';
import { type IdentitySource, type TokenRequest, UnsupportedSelectorError } from './source';

const PUBLIC_AUTHORITY_HOST = 'https://login.microsoftonline.com/';
const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const MAX_ASSERTION_BYTES = 64 * 1024;

export type TokenFileProblem = 'missing' | 'empty' | 'unreadable' | 'tooLarge';

export class FederatedTokenFileError extends Error {
  constructor(
    readonly problem: TokenFileProblem,
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

/** The authority host is not https (or http to loopback): the assertion would cross a network in the clear. */
export class UnsafeAuthorityError extends Error {}

export interface WorkloadIdentityOptions {
  tokenFile: string;
  tenantId: string;
  clientId: string;
  authorityHost?: string;
}

export function createWorkloadIdentitySource(o: WorkloadIdentityOptions): IdentitySource {
  const authority = authorityOf(o.authorityHost);
  return {
    kind: 'workloadIdentity',
    endpoint: authority.origin,
    transport: 'proxied',
    async tokenRequest(resource: string, identity: IdentitySelector): Promise<TokenRequest> {
      if (identity.kind === 'objectId' || identity.kind === 'resourceId') {
        throw new UnsupportedSelectorError('Workload identity', 'the client ID (AZURE_CLIENT_ID) is the identity');
      }
      const clientId = identity.kind === 'clientId' ? identity.value : o.clientId;
      const assertion = await readAssertion(o.tokenFile);
      const url = new URL(`${encodeURIComponent(o.tenantId)}/oauth2/v2.0/token`, authority);
      return {
        url,
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: clientId,
          scope: `${resource.replace(/\/+$/, '')}/.default`,
          client_assertion_type: CLIENT_ASSERTION_TYPE,
          client_assertion: assertion,
        }).toString(),
      };
    },
  };
}

function authorityOf(host: string | undefined): URL {
  const text = host?.trim() || PUBLIC_AUTHORITY_HOST;
  let url: URL;
  try {
    url = new URL(text.endsWith('/') ? text : `${text}/`);
  } catch {
    throw new UnsafeAuthorityError(`AZURE_AUTHORITY_HOST "${text}" is not a URL`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) || /^127\./.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new UnsafeAuthorityError(`AZURE_AUTHORITY_HOST ${url.origin} would send the federated token in the clear`);
  }
  return url;
}

async function readAssertion(file: string): Promise<string> {
  let text: string;
  try {
    const stat = await fs.promises.stat(file);
    if (stat.size > MAX_ASSERTION_BYTES)
      throw new FederatedTokenFileError('tooLarge', file, `${stat.size} bytes is not a token`);
    text = await fs.promises.readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof FederatedTokenFileError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new FederatedTokenFileError(code === 'ENOENT' ? 'missing' : 'unreadable', file, code ?? String(e));
  }
  const assertion = text.trim();
  if (!assertion) throw new FederatedTokenFileError('empty', file, 'the file is empty'); // azure-identity: "No content on the file"
  return assertion;
}
