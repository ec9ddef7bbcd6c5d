import type { IdentitySelector } from '../selector';

export type SourceKind = 'imds' | 'legacyVmExtension' | 'appService' | 'cloudShell' | 'azureArc';

/** One HTTP request to an identity host, before transport. */
export interface TokenRequest {
  url: URL;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

/** One identity host. Each module builds its request; the client sends it, retries and parses. */
export interface IdentitySource {
  readonly kind: SourceKind;
  /** Base address, for messages and logs. */
  readonly endpoint: string;
  tokenRequest(resource: string, identity: IdentitySelector): TokenRequest;
  /**
   * Hosts with a challenge (Azure Arc's 401 + WWW-Authenticate) return the follow-up request;
   * others leave this out.
   */
  answerChallenge?(request: TokenRequest, headers: Record<string, string | string[] | undefined>): Promise<TokenRequest | undefined>;
}

export class UnsupportedSelectorError extends Error {}

export function systemOnly(kind: SourceKind, identity: IdentitySelector): void {
  if (identity.kind !== 'system') {
    throw new UnsupportedSelectorError(`${kind} supports only the system-assigned identity`);
  }
}
