/**
 * Turns an access token into what the token inspector shows. Display only, never a verification: the token
 * came straight from the identity endpoint and nothing here decides access. The signature is never read
 * (split stops after the payload), and the result holds no part of the token itself.
 *
 * Claim names per Microsoft Entra "Access token claims reference"
 * (learn.microsoft.com/entra/identity-platform/access-token-claims-reference): `aud`, `iss`, `tid`, `oid`,
 * `appid` (v1) / `azp` (v2), `iat`/`nbf`/`exp` (seconds since the epoch), `roles`, `scp` (space-separated),
 * `ver`, `idtyp`; header `alg`/`kid` per RFC 7515 §4.1. `xms_mirid` (the managed identity's ARM resource)
 * as observed on managed-identity tokens (see docs/AZURE-FACTS.md "Token claims").
 */

export type JwtInspectFailure = 'tooLong' | 'notJwt' | 'encrypted' | 'badHeader' | 'badPayload';

export class JwtInspectError extends Error {
  constructor(
    readonly reason: JwtInspectFailure,
    message: string,
  ) {
    super(message);
    this.name = 'JwtInspectError';
  }
}

export interface TimeClaim {
  epochSeconds: number;
  /** UTC, ISO 8601. */
  iso: string;
  /** "in 59 minutes", "3 minutes ago". */
  relative: string;
}

export interface TokenView {
  header: { alg?: string; kid?: string; typ?: string };
  audience?: string;
  issuer?: string;
  tenantId?: string;
  objectId?: string;
  appId?: string;
  identityResourceId?: string;
  identityType?: 'SystemAssigned' | 'UserAssigned';
  tokenVersion?: string;
  issuedAt?: TimeClaim;
  notBefore?: TimeClaim;
  expiresAt?: TimeClaim;
  expired: boolean;
  roles: string[];
  scopes: string[];
  /** UTF-8 bytes of the whole token as sent in an Authorization header. */
  tokenBytes: number;
  /** Every payload claim, for "Copy claims as JSON". */
  claims: Record<string, unknown>;
}

/** Tokens are a few KB; anything far larger is not something we should parse. */
const MAX_TOKEN_CHARS = 64 * 1024;

/** Decodes header and payload of a JWS compact serialization (RFC 7515 §7.1) without verifying it. */
export function inspectJwt(token: string, nowMs: number): TokenView {
  if (typeof token !== 'string') throw new JwtInspectError('notJwt', 'The token is not a string.');
  if (token.length > MAX_TOKEN_CHARS)
    throw new JwtInspectError('tooLong', `The token is longer than ${MAX_TOKEN_CHARS} characters.`);
  const tokenBytes = Buffer.byteLength(token, 'utf8');
  const dots = countDots(token);
  // A JWE (RFC 7516) has five parts and an encrypted payload: nothing to show.
  if (dots === 4)
    throw new JwtInspectError('encrypted', 'The token is encrypted (JWE); its claims cannot be read here.');
  if (dots !== 2) throw new JwtInspectError('notJwt', 'The token is not a JWT (expected three dot-separated parts).');
  // Only the first two parts are ever materialised: the signature stays in the caller's string.
  const [headerPart, payloadPart] = token.split('.', 2);
  const header = decodeJsonPart(headerPart, 'badHeader', 'header');
  const claims = decodeJsonPart(payloadPart, 'badPayload', 'payload');

  const mirid = str(claims.xms_mirid);
  const expiresAt = timeClaim(claims.exp, nowMs);
  return {
    header: { alg: str(header.alg), kid: str(header.kid), typ: str(header.typ) },
    audience: audienceOf(claims.aud),
    issuer: str(claims.iss),
    tenantId: str(claims.tid),
    objectId: str(claims.oid),
    appId: str(claims.appid) ?? str(claims.azp),
    identityResourceId: mirid,
    identityType: mirid
      ? /\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\//i.test(mirid)
        ? 'UserAssigned'
        : 'SystemAssigned'
      : undefined,
    tokenVersion: str(claims.ver),
    issuedAt: timeClaim(claims.iat, nowMs),
    notBefore: timeClaim(claims.nbf, nowMs),
    expiresAt,
    expired: expiresAt ? expiresAt.epochSeconds * 1000 <= nowMs : false,
    roles: stringList(claims.roles),
    scopes: typeof claims.scp === 'string' ? claims.scp.split(' ').filter(Boolean) : [],
    tokenBytes,
    claims,
  };
}

/** "in 5 minutes" / "2 hours ago" / "now", rounded down to the largest whole unit. */
export function relativeTime(targetMs: number, nowMs: number): string {
  const diffSec = Math.round((targetMs - nowMs) / 1000);
  const abs = Math.abs(diffSec);
  if (abs < 5) return 'now';
  const units: [number, string][] = [
    [86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  const [size, name] = units.find(([s]) => abs >= s) ?? units[units.length - 1];
  const n = Math.floor(abs / size);
  const phrase = `${n} ${name}${n === 1 ? '' : 's'}`;
  return diffSec > 0 ? `in ${phrase}` : `${phrase} ago`;
}

function countDots(s: string): number {
  let n = 0;
  for (let i = s.indexOf('.'); i !== -1 && n < 5; i = s.indexOf('.', i + 1)) n++;
  return n;
}

function decodeJsonPart(part: string, reason: JwtInspectFailure, what: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) throw new JwtInspectError(reason, `The token's ${what} is not base64url.`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new JwtInspectError(reason, `The token's ${what} is not JSON.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new JwtInspectError(reason, `The token's ${what} is not a JSON object.`);
  }
  return value as Record<string, unknown>;
}

function timeClaim(v: unknown, nowMs: number): TimeClaim | undefined {
  // NumericDate (RFC 7519 §2): seconds; reject values Date cannot represent.
  if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > 8.64e12) return undefined;
  const ms = v * 1000;
  return { epochSeconds: v, iso: new Date(ms).toISOString(), relative: relativeTime(ms, nowMs) };
}

function audienceOf(aud: unknown): string | undefined {
  if (typeof aud === 'string') return aud;
  const list = stringList(aud);
  return list.length ? list.join(', ') : undefined;
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
