/**
 * Reads the claims of an access token for display. Not a verification: the token came straight from the
 * identity endpoint, and nothing here decides access. Claims per docs/AZURE-FACTS.md "Token claims":
 * `oid` principal, `tid` tenant, `appid` (v1) / `azp` (v2) client ID, `xms_mirid` the identity's
 * resource (a VM → system-assigned; `Microsoft.ManagedIdentity/userAssignedIdentities/…` → user-assigned).
 */
import { jwtDecode } from 'jwt-decode';
import { VmIdentityError } from '../core/errors';
import { isRecord } from '../core/json';

/** `User`: a person's token (Cloud Shell), not a managed identity. `WorkloadIdentity`: an app by federation. */
export type IdentityType = 'SystemAssigned' | 'UserAssigned' | 'User' | 'WorkloadIdentity';

export interface TokenClaims {
  principalId: string;
  tenantId: string;
  clientId?: string;
  audience?: string;
  expiresOn?: number;
  /** `iat`, epoch ms. */
  issuedAt?: number;
  identityType?: IdentityType;
  /** A user's `name` or `upn` (user tokens only). */
  userName?: string;
  /** ARM id of the VM (system-assigned) or of the user-assigned identity. */
  identityResourceId?: string;
  idtyp?: string;
}

const MAX_TOKEN_CHARS = 64 * 1024;

export function decodeClaims(token: string): TokenClaims {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS) throw badToken('it is too long');
  let payload: unknown;
  try {
    payload = jwtDecode(token);
  } catch {
    throw badToken('it is not a JWT');
  }
  if (!isRecord(payload)) throw badToken('its payload is not an object');
  const principalId = str(payload.oid);
  const tenantId = str(payload.tid);
  if (!principalId || !tenantId) throw badToken('it has no oid or tid claim');
  const mirid = str(payload.xms_mirid);
  // entra-docs access-token-claims-reference.md: idtyp "user" (optional claim), or a user's upn/scp; never xms_mirid.
  const isUser = !mirid && (str(payload.idtyp) === 'user' || !!str(payload.upn) || !!str(payload.scp));
  return {
    principalId,
    tenantId,
    clientId: str(payload.appid) ?? str(payload.azp),
    audience: typeof payload.aud === 'string' ? payload.aud : undefined,
    expiresOn: typeof payload.exp === 'number' && Number.isFinite(payload.exp) ? payload.exp * 1000 : undefined,
    issuedAt: typeof payload.iat === 'number' && Number.isFinite(payload.iat) ? payload.iat * 1000 : undefined,
    identityType: mirid ? identityTypeOf(mirid) : isUser ? 'User' : undefined,
    userName: isUser ? (str(payload.name) ?? str(payload.upn)) : undefined,
    identityResourceId: mirid,
    idtyp: str(payload.idtyp),
  };
}

export function identityTypeOf(resourceId: string): IdentityType {
  return /\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\//i.test(resourceId)
    ? 'UserAssigned'
    : 'SystemAssigned';
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length < 4096 ? v : undefined;
}

function badToken(what: string): VmIdentityError {
  return new VmIdentityError(
    'malformedResponse',
    `The identity endpoint issued a token that cannot be read: ${what}.`,
    {
      fix: 'Try again; if it persists, a proxy or an agent on the VM may be rewriting responses.',
      remedy: 'checkProxy',
    },
  );
}
