import type { IdentitySelector } from '../selector';

export type SourceKind =
  'imds' | 'legacyVmExtension' | 'workloadIdentity' | 'appService' | 'machineLearning' | 'cloudShell' | 'azureArc';

/** One HTTP request to an identity host, before transport. */
export interface TokenRequest {
  url: URL;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

/** Where a host's instance metadata is (IMDS and Azure Arc's himds serve one; other hosts none). */
export interface MetadataEndpoint {
  host: string;
  apiVersion: string;
}

/** One identity host. Each module builds its request; the client sends it, retries and parses. */
export interface IdentitySource {
  readonly kind: SourceKind;
  /** Base address, for messages and logs. */
  readonly endpoint: string;
  /**
   * `direct` (default): a raw socket to a link-local or loopback host, never proxied. `proxied`: a public
   * endpoint (Entra, for workload identity) reached like ARM, through the configured proxy, over https.
   */
  readonly transport?: 'direct' | 'proxied';
  readonly metadata?: MetadataEndpoint;
  /** May read files (workload identity re-reads its federated token on every request). */
  tokenRequest(resource: string, identity: IdentitySelector): TokenRequest | Promise<TokenRequest>;
  /**
   * Hosts with a challenge (Azure Arc's 401 + WWW-Authenticate) return the follow-up request;
   * others leave this out.
   */
  answerChallenge?(
    request: TokenRequest,
    headers: Record<string, string | string[] | undefined>,
  ): Promise<TokenRequest | undefined>;
}

/** A user-assigned identity asked of a host that cannot select one; `reason` is the host's documented rule. */
export class UnsupportedSelectorError extends Error {
  constructor(
    readonly host: string,
    readonly reason: string,
  ) {
    super(`${host} cannot select a user-assigned identity: ${reason}`);
  }
}

export function systemOnly(host: string, reason: string, identity: IdentitySelector): void {
  if (identity.kind !== 'system') throw new UnsupportedSelectorError(host, reason);
}
