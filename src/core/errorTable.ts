/**
 * What a failed request means, decided in one table: (source × status or transport failure × service error
 * code) → a typed error. The first matching row wins; every row says why it exists. Sources: `identity`
 * (a token endpoint: IMDS, App Service, Azure ML, Cloud Shell, Arc, Entra for workload identity, the legacy
 * extension), `metadata` (IMDS / himds instance metadata), `arm`, `graph`. Error bodies (MSAL
 * BaseManagedIdentitySource.getServerTokenResponse; docs/HOSTS.md): `{error, error_description}` (IMDS, Arc,
 * Entra), `{error:{code,message}}` (Cloud Shell, ARM, Graph), `{statusCode, message, correlationId}` (App Service).
 * Host-side problems found before or instead of a response (a key file, a token file, a selection the host
 * cannot make, an unknown cloud) are rows too, matched on `problem`.
 */
import {
  VmIdentityError,
  cancelled,
  endpointUnreachable,
  identityNotFound,
  malformedResponse,
  multipleIdentities,
  notAzure,
  proxyInterference,
  serviceError,
  throttled,
  timedOut,
} from './errors';
import type { HttpFailure } from './http';
import { HOST_ANSWER_RULES, HOST_PROBLEM_RULES } from './hostErrorRules';

export { type ErrorBody, errorBodyOf } from './errorBody';
import { firstSentence } from './errorBody';
import { AZURE_STATUS_RULES, AZURE_TRANSPORT_RULES } from './azureErrorRules';

/** Why Azure Arc's challenge could not be answered (MSAL AzureArc.ts has one error code for each). */
export type ArcKeyReason =
  'noChallenge' | 'platform' | 'extension' | 'directory' | 'tooLarge' | 'accessDenied' | 'unreadable';
export type TokenFileProblem = 'missing' | 'empty' | 'unreadable' | 'tooLarge';

/** A problem on this machine's side of an identity host, found before or instead of a usable response. */
export type HostProblem =
  | { kind: 'arcKey'; reason: ArcKeyReason; platform: string; file?: string; detail: string }
  | { kind: 'tokenFile'; reason: TokenFileProblem; file: string; detail: string }
  | { kind: 'selector'; host: string; reason: string }
  | { kind: 'unknownCloud'; name: string };

export type ErrorSource = 'identity' | 'metadata' | 'arm' | 'graph';

/** What an ARM read was for, so a 403 can say what the identity may not do and where to grant it. */
export interface Reading {
  what: 'roles' | 'vm';
  principalId: string;
  accessControlLink?: string;
  /** Where the list was asked for (role lists): the grant must be there, and the fix names it. */
  scope?: string;
}

/** Everything known about one failed request. Either `status` (a response came) or `failure` (none did). */
export interface FailureFacts {
  source: ErrorSource;
  /** "GET host/path": no query string, so no IDs or secrets. */
  where: string;
  status?: number;
  failure?: HttpFailure;
  /** The transport's own words (an errno code, a TLS reason). */
  detail?: string;
  /** The endpoint's origin, for "does not answer". */
  origin?: string;
  /** How long it took (identity: the whole operation; ARM/Graph: the attempt limit). */
  ms?: number;
  azureCode?: string;
  description?: string;
  /** The body or its content type is HTML: a proxy's page, not the service. */
  html?: boolean;
  emptyBody?: boolean;
  /** A 2xx whose body is not JSON. */
  notJson?: boolean;
  /** The identity asked for; `undefined` description = the system-assigned one. */
  selector?: { system: boolean; described?: string };
  /** Which identity host answered (a SourceKind: `imds`, `appService`, `workloadIdentity`, …). */
  host?: string;
  /** Entra's AADSTS code (`error_codes[0]`), the documented identifier of an Entra error. */
  aadsts?: number;
  /** App Service's `correlationId`, for a support case. */
  correlationId?: string;
  /** The `Server` header: Azure IMDS sends `IMDS/<version>` (docs/HOSTS.md §6). */
  server?: string;
  /** An HTTP(S) proxy is configured on this machine. */
  proxyConfigured?: boolean;
  problem?: HostProblem;
  reading?: Reading;
}

/** One status, a list, or an inclusive range. */
type StatusMatch = number | readonly number[] | { from: number; to: number };
type CodeMatch = 'none' | readonly string[] | { not: readonly string[] };

export interface ErrorRule {
  sources: readonly ErrorSource[];
  status?: StatusMatch;
  failure?: readonly HttpFailure[];
  code?: CodeMatch;
  /** Matches host-side problems of this kind (instead of a status or a transport failure). */
  problem?: HostProblem['kind'];
  when?: (f: FailureFacts) => boolean;
  why: string;
  error: (f: FailureFacts) => VmIdentityError;
}

const ANY_STATUS = { from: 0, to: 999 };
const ALL: readonly ErrorSource[] = ['identity', 'metadata', 'arm', 'graph'];
const IMDS_LIKE: readonly ErrorSource[] = ['identity', 'metadata'];
/** IMDS 400 codes that are not about which identity (a bad resource, a bad request). */
const NOT_IDENTITY_400 = ['invalid_resource', 'bad_request_102'];

/**
 * Another metadata server at the IMDS address (AWS, GCP): HTML or non-JSON, no `Server: IMDS/…`, and no proxy
 * that could have answered instead (docs/HOSTS.md §6). Also checked by the identity client to stop retrying.
 */
export function isNotAzureAnswer(
  f: Pick<FailureFacts, 'status' | 'html' | 'notJson' | 'server' | 'proxyConfigured'>,
): boolean {
  // 407 and gateway errors are a proxy's words (even a transparent one's); other clouds answer 401/403/404.
  if (f.status === 407 || f.status === 502 || f.status === 504) return false;
  return !!(f.html || f.notJson) && !/^IMDS\//i.test(f.server ?? '') && !f.proxyConfigured;
}

const IMDS_HOSTS = ['imds', 'legacyVmExtension', undefined];

const ERROR_TABLE: readonly ErrorRule[] = [
  { sources: ALL, failure: ['aborted'], why: 'the caller cancelled', error: () => cancelled() },
  ...HOST_PROBLEM_RULES,
  {
    sources: IMDS_LIKE,
    failure: ['unreachable', 'connectTimeout'],
    why: 'nothing listens: not an Azure VM, or no identity host here',
    error: (f) => endpointUnreachable(f.origin ?? f.where),
  },
  {
    sources: IMDS_LIKE,
    failure: ['responseTimeout'],
    why: 'connected, no answer in time',
    error: (f) => timedOut(f.where, f.ms ?? 0),
  },
  {
    sources: IMDS_LIKE,
    failure: ['tooLarge'],
    why: 'a token response is a few KB',
    error: (f) => malformedResponse(f.where, 'the body is larger than 1 MB'),
  },
  {
    sources: IMDS_LIKE,
    failure: ['reset', 'untrusted'],
    why: 'the connection broke mid-response',
    error: (f) => malformedResponse(f.where, 'the connection closed before the response was complete'),
  },
  ...AZURE_TRANSPORT_RULES,
  {
    sources: IMDS_LIKE,
    status: ANY_STATUS,
    when: (f) => IMDS_HOSTS.includes(f.host) && isNotAzureAnswer(f),
    why: "HTML or non-JSON without Server: IMDS/… and no proxy: another cloud's metadata server (AWS, GCP), not Azure",
    error: (f) => notAzure(f.where, f.status!, f.server),
  },
  {
    sources: ['metadata'],
    status: ANY_STATUS,
    why: 'instance metadata is optional; say what came back',
    error: (f) => serviceError(f.where, f.status!),
  },
  {
    sources: ['identity'],
    status: [502, 504],
    code: 'none',
    why: 'a proxy status without an IMDS error body: the request went to a proxy',
    error: (f) => proxyInterference(f.where, f.status!),
  },
  {
    sources: ['identity'],
    status: 407,
    why: 'Proxy Authentication Required: only a proxy says that',
    error: (f) => proxyInterference(f.where, 407),
  },
  {
    sources: ['identity'],
    status: ANY_STATUS,
    when: (f) => !!f.html,
    why: 'an HTML page is a proxy, never IMDS',
    error: (f) => proxyInterference(f.where, f.status!),
  },
  {
    sources: ['identity', 'arm', 'graph'],
    status: 429,
    why: 'throttled after the retries',
    error: (f) => throttled(f.where, f.status!),
  },
  ...HOST_ANSWER_RULES,
  {
    sources: ['identity'],
    status: 400,
    code: { not: NOT_IDENTITY_400 },
    // The only signal IMDS gives between these two cases is the description (docs/AZURE-FACTS.md, observed).
    when: (f) => !!f.selector?.system && /multiple user assigned identities/i.test(f.description ?? ''),
    why: 'several user-assigned identities, none named',
    error: (f) => multipleIdentities(f.status!, f.azureCode),
  },
  {
    sources: ['identity'],
    status: 400,
    code: { not: NOT_IDENTITY_400 },
    why: 'no such identity; when IMDS does not say "multiple", the safe reading is "not found" (its fix offers selection)',
    error: (f) => identityNotFound(f.selector?.described, f.status!, f.azureCode),
  },
  {
    sources: ['identity'],
    status: 404,
    code: 'none',
    when: (f) => !!f.emptyBody,
    why: 'an empty 404 after the retries: the identity is not (yet) there',
    error: (f) => identityNotFound(f.selector?.described, f.status!),
  },
  {
    sources: ['identity'],
    status: { from: 200, to: 299 },
    why: 'only 200 carries a token',
    error: (f) => malformedResponse(f.where, `unexpected status ${f.status}`, f.status),
  },
  {
    sources: ['identity'],
    status: ANY_STATUS,
    why: 'anything else: say what the endpoint said',
    error: (f) =>
      serviceError(f.where, f.status!, f.azureCode, f.description ? firstSentence(f.description) : undefined),
  },
  ...AZURE_STATUS_RULES,
];

/** The typed error for a failed request: the first row of {@link ERROR_TABLE} that matches. */
export function errorFor(facts: FailureFacts): VmIdentityError {
  const rule = ERROR_TABLE.find((r) => matches(r, facts));
  return rule ? rule.error(facts) : serviceError(facts.where, facts.status ?? 0, facts.azureCode, facts.detail);
}

function matches(rule: ErrorRule, f: FailureFacts): boolean {
  if (!rule.sources.includes(f.source)) return false;
  if (rule.problem !== undefined || f.problem !== undefined) {
    if (rule.problem !== f.problem?.kind) return false;
  } else if (f.failure !== undefined) {
    if (!rule.failure?.includes(f.failure)) return false;
  } else if (rule.status === undefined || f.status === undefined || !statusMatches(rule.status, f.status)) return false;
  if (rule.code !== undefined && !codeMatches(rule.code, f.azureCode)) return false;
  return rule.when ? rule.when(f) : true;
}

function statusMatches(match: StatusMatch, status: number): boolean {
  if (typeof match === 'number') return status === match;
  if ('from' in match) return status >= match.from && status <= match.to;
  return match.includes(status);
}

function codeMatches(match: CodeMatch, code: string | undefined): boolean {
  if (match === 'none') return code === undefined;
  if ('not' in match) return code === undefined || !match.not.includes(code);
  return code !== undefined && (match as readonly string[]).includes(code);
}
