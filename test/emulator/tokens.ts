/**
 * JWT-shaped managed-identity access tokens. Claims follow Entra v1 app tokens (entra-docs
 * identity-platform/access-token-claims-reference.md; xms_mirid/xms_az_rid as observed, see docs/AZURE-FACTS.md).
 * The signature is random bytes: nobody may verify these tokens, only the emulator recognises them.
 */
import { randomBytes } from 'node:crypto';

export interface AccessTokenClaims {
  aud: string;
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  aio: string;
  appid: string;
  /** '2' certificate/managed identity, '1' client secret or assertion, '0' public client (a user's CLI). */
  appidacr: '0' | '1' | '2';
  idp: string;
  /** 'user' for a signed-in user's token (Cloud Shell), with upn/name/scp below. */
  idtyp: 'app' | 'user';
  oid: string;
  rh: string;
  sub: string;
  tid: string;
  uti: string;
  ver: '1.0';
  /** User-assigned tokens: the VM the identity is used from. */
  xms_az_rid?: string;
  /** System-assigned: the VM id with lower-case `resourcegroups`; user-assigned: the identity's id. Absent for users and apps. */
  xms_mirid?: string;
  upn?: string;
  unique_name?: string;
  name?: string;
  scp?: string;
  amr?: string[];
}

/** Who a token is for. */
export interface TokenSubject {
  principalId: string;
  clientId: string;
  mirid: string;
  hostResourceId?: string;
}

export interface MintRequest {
  subject: TokenSubject;
  resource: string;
  tenantId: string;
  /** e.g. https://sts.windows.net */
  stsHost: string;
  lifetimeSec: number;
  nowSec: number;
}

export interface MintedToken {
  accessToken: string;
  claims: AccessTokenClaims;
}

export type BearerFailure = 'missing' | 'invalid' | 'expired' | 'audience';
export type BearerCheck =
  { ok: true; claims: AccessTokenClaims } | { ok: false; reason: BearerFailure; claims?: AccessTokenClaims };

const JWT_HEADER = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid: 'emulator' })).toString('base64url');
/** AAD back-dates iat/nbf by five minutes to absorb clock skew. */
const SKEW_SEC = 300;

function randomText(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/** Every token the emulator issued, so services accept only those and tests can scan for leaks. */
export class TokenRegistry {
  /** Access token strings in issue order. */
  readonly issued: string[] = [];
  private readonly claimsByToken = new Map<string, AccessTokenClaims>();

  mint(r: MintRequest): MintedToken {
    const issuer = `${r.stsHost}/${r.tenantId}/`;
    const claims: AccessTokenClaims = {
      aud: r.resource,
      iss: issuer,
      iat: r.nowSec - SKEW_SEC,
      nbf: r.nowSec - SKEW_SEC,
      exp: r.nowSec + r.lifetimeSec,
      aio: randomText(45),
      appid: r.subject.clientId,
      appidacr: '2',
      idp: issuer,
      idtyp: 'app',
      oid: r.subject.principalId,
      rh: `0.${randomText(42)}.`,
      sub: r.subject.principalId,
      tid: r.tenantId,
      uti: randomText(16),
      ver: '1.0',
      ...(r.subject.hostResourceId ? { xms_az_rid: r.subject.hostResourceId } : {}),
      xms_mirid: r.subject.mirid,
    };
    const accessToken = `${JWT_HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${randomText(256)}`;
    this.issued.push(accessToken);
    this.claimsByToken.set(accessToken, claims);
    return { accessToken, claims };
  }

  /** Record a token minted elsewhere (test/emulator/hosts), so ARM and Graph accept it like IMDS tokens. */
  register(accessToken: string, claims: AccessTokenClaims): void {
    this.issued.push(accessToken);
    this.claimsByToken.set(accessToken, claims);
  }

  lookup(token: string): AccessTokenClaims | undefined {
    return this.claimsByToken.get(token);
  }
}

function bearerToken(authorization: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return m ? m[1] : undefined;
}

/** Accept only tokens this emulator issued, unexpired, for one of `audiences` (exact string match). */
export function checkBearer(
  authorization: string | undefined,
  registry: TokenRegistry,
  audiences: readonly string[],
  nowSec: number,
): BearerCheck {
  if (!authorization) return { ok: false, reason: 'missing' };
  const token = bearerToken(authorization);
  const claims = token ? registry.lookup(token) : undefined;
  if (!claims) return { ok: false, reason: 'invalid' };
  if (claims.exp <= nowSec) return { ok: false, reason: 'expired', claims };
  if (!audiences.includes(claims.aud)) return { ok: false, reason: 'audience', claims };
  return { ok: true, claims };
}

/** `{oid, aud}` of any JWT-shaped bearer token, unverified, for the request log. */
export function bearerSummary(authorization: string | undefined): { oid: string; aud: string } | undefined {
  const token = bearerToken(authorization);
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof claims !== 'object' || claims === null) return undefined;
    const { oid, aud } = claims as Record<string, unknown>;
    return { oid: typeof oid === 'string' ? oid : '', aud: typeof aud === 'string' ? aud : '' };
  } catch {
    return undefined;
  }
}
