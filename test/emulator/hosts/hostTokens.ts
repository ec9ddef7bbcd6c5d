/**
 * Access tokens the non-IMDS hosts hand out, registered with the emulator's TokenRegistry so ARM and Graph
 * accept them exactly like IMDS tokens. Claims follow entra-docs identity-platform/access-token-claims-reference.md
 * (v1 tokens: `appid`, `appidacr`, `idtyp`, `upn`, `unique_name`, `name`, `scp`). Like tokens.ts, the signature
 * is random bytes: only the emulator recognises these tokens.
 */
import { randomBytes } from 'node:crypto';
import { cloudFor } from '../clouds';
import type { AccessTokenClaims } from '../tokens';
import type { ServiceContext } from '../types';

const JWT_HEADER = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid: 'emulator' })).toString('base64url');
/** Entra back-dates iat/nbf by five minutes to absorb clock skew (as tokens.ts). */
const SKEW_SEC = 300;

function randomText(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

export interface AppSubject {
  principalId: string;
  clientId: string;
  /** Managed identities only (observed claim, see docs/AZURE-FACTS.md "Token claims"). */
  mirid?: string;
  /** User-assigned identities used from a host: the host's resource id (observed). */
  hostResourceId?: string;
  /** '2' managed identity / certificate / federated assertion (default). */
  appidacr?: '1' | '2';
}

export interface UserSubject {
  oid: string;
  upn: string;
  name: string;
  /** The first-party client the user's token was issued to. */
  appId: string;
  scp: string;
}

export interface IssuedToken {
  accessToken: string;
  claims: AccessTokenClaims;
}

function baseClaims(ctx: ServiceContext, resource: string, nowSec: number, lifetimeSec: number, tenantId: string) {
  const issuer = `${cloudFor(ctx.config.azEnvironment).stsHost}/${tenantId}/`;
  return {
    aud: resource,
    iss: issuer,
    iat: nowSec - SKEW_SEC,
    nbf: nowSec - SKEW_SEC,
    exp: nowSec + lifetimeSec,
    aio: randomText(45),
    idp: issuer,
    rh: `0.${randomText(42)}.`,
    tid: tenantId,
    uti: randomText(16),
    ver: '1.0' as const,
  };
}

function register(ctx: ServiceContext, claims: AccessTokenClaims): IssuedToken {
  const accessToken = `${JWT_HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${randomText(256)}`;
  ctx.tokens.register(accessToken, claims);
  return { accessToken, claims };
}

/** An application token (managed identity or workload identity app): `idtyp: app`, no user claims. */
export function mintAppToken(
  ctx: ServiceContext,
  subject: AppSubject,
  resource: string,
  nowMs: number,
  lifetimeSec: number,
  tenantId = ctx.dataset.tenantId,
): IssuedToken {
  const claims: AccessTokenClaims = {
    ...baseClaims(ctx, resource, Math.floor(nowMs / 1000), lifetimeSec, tenantId),
    appid: subject.clientId,
    appidacr: subject.appidacr ?? '2',
    idtyp: 'app',
    oid: subject.principalId,
    sub: subject.principalId,
    ...(subject.hostResourceId ? { xms_az_rid: subject.hostResourceId } : {}),
    ...(subject.mirid ? { xms_mirid: subject.mirid } : {}),
  };
  return register(ctx, claims);
}

/** A signed-in user's delegated token (Cloud Shell): `idtyp: user`, `upn`, `name`, `scp`, no `xms_mirid`. */
export function mintUserToken(
  ctx: ServiceContext,
  user: UserSubject,
  resource: string,
  nowMs: number,
  lifetimeSec: number,
): IssuedToken {
  const claims: AccessTokenClaims = {
    ...baseClaims(ctx, resource, Math.floor(nowMs / 1000), lifetimeSec, ctx.dataset.tenantId),
    amr: ['pwd', 'mfa'],
    appid: user.appId,
    appidacr: '0',
    idtyp: 'user',
    name: user.name,
    oid: user.oid,
    scp: user.scp,
    sub: randomText(32),
    unique_name: user.upn,
    upn: user.upn,
  };
  return register(ctx, claims);
}

/** ARM writes resource ids in xms_mirid with lower-case `resourcegroups` (observed, as imds.ts). */
export function lowerResourceGroups(id: string): string {
  return id.replace(/\/resourceGroups\//i, '/resourcegroups/');
}
