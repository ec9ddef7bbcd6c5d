/**
 * Propagation honesty. The managed identity's token is cached by the platform: "the back-end services for
 * managed identities maintain a cache per resource URI for around 24 hours" and "it's not possible to force
 * a managed identity's token to be refreshed before its expiry" (Managed identities FAQ, "Are managed
 * identities tokens cached?"; best-practice recommendations, "Limitation of using managed identities for
 * authorization"). Group membership travels in the token, so a grant through a group made after the token
 * was issued may not count until a new token is issued. A direct Azure RBAC assignment is looked up by ARM
 * at request time, but ARM caches too: "it can take up to 10 minutes for changes to take effect"
 * (Troubleshoot Azure RBAC, "Role assignment changes are not being detected").
 */
import type { GrantingAssignment, PropagationNote } from './verdict';

const TOKEN_CACHE_DOC =
  'https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/managed-identity-best-practice-recommendations#limitation-of-using-managed-identities-for-authorization';
const TOKEN_CACHE_FAQ =
  'https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/managed-identities-faq#are-managed-identities-tokens-cached';
const RBAC_PROPAGATION_DOC =
  'https://learn.microsoft.com/azure/role-based-access-control/troubleshooting#role-assignment-changes-are-not-being-detected';

/**
 * A note when a granting assignment changed after the token was issued (`iat`, seconds since the epoch).
 * Undefined when nothing is newer than the token, or the dates are missing.
 */
export function propagationNote(
  tokenIssuedAt: number | undefined,
  grants: GrantingAssignment[],
): PropagationNote | undefined {
  if (tokenIssuedAt === undefined || !Number.isFinite(tokenIssuedAt)) return undefined;
  const issuedMs = tokenIssuedAt * 1000;
  const newer = grants
    .filter((g) => g.changedOn !== undefined && Date.parse(g.changedOn) > issuedMs)
    .sort((a, b) => Date.parse(b.changedOn!) - Date.parse(a.changedOn!));
  const latest = newer.find((g) => g.via === 'group') ?? newer[0];
  if (!latest) return undefined;
  const issued = new Date(issuedMs).toISOString();
  const message =
    latest.via === 'group'
      ? `The token was issued at ${issued}, before ${latest.roleName} was granted through a group (${latest.changedOn}). ` +
        'The identity platform keeps serving a cached token for up to about 24 hours and a new one cannot be forced, ' +
        'so calls may be refused until a token issued after the change arrives. Assigning the role to the identity directly avoids the wait.'
      : `The token was issued at ${issued}, before ${latest.roleName} was assigned (${latest.changedOn}). ` +
        'Azure looks direct assignments up when the call is made, but can take up to 10 minutes to see a change. ' +
        'The token itself is cached for up to about 24 hours; that matters only when the grant depends on something the token carries (group membership).';
  return {
    tokenIssuedAt: issued,
    grantChangedAt: latest.changedOn!,
    via: latest.via,
    message,
    links: [TOKEN_CACHE_DOC, TOKEN_CACHE_FAQ, RBAC_PROPAGATION_DOC],
  };
}
