/**
 * IMDS serves tokens from a cache: "the back-end services for managed identities maintain a cache per resource URI
 * for around 24 hours … it is not possible to force a managed identity's token to be refreshed before its expiry"
 * (entra-docs managed-identities-azure-resources/managed-identities-faq.md "Are managed identities tokens cached?").
 * So repeated requests get the same access token with a shrinking `expires_in` until it nears expiry. When IMDS
 * swaps in a new one is not documented: here once less than 5 minutes (or half a short lifetime) remain — the margin
 * MSAL uses to treat a token as expired (inferred, see docs/HOSTS.md risks). Knob: config.imdsTokenCache (default on).
 */
import type { MintedToken, TokenRegistry } from '../tokens';

const REFRESH_MARGIN_SEC = 300;

interface Entry {
  token: MintedToken;
  lifetimeSec: number;
}

/** One cache per emulator (keyed by its token registry), per identity + resource + configured lifetime. */
const caches = new WeakMap<TokenRegistry, Map<string, Entry>>();

export function cachedImdsToken(
  registry: TokenRegistry,
  key: { principalId: string; resource: string; lifetimeSec: number },
  nowSec: number,
  mint: () => MintedToken,
): MintedToken {
  let cache = caches.get(registry);
  if (!cache) caches.set(registry, (cache = new Map()));
  const id = `${key.principalId.toLowerCase()}|${key.resource}|${key.lifetimeSec}`;
  const hit = cache.get(id);
  const margin = Math.min(REFRESH_MARGIN_SEC, Math.floor(key.lifetimeSec / 2));
  if (hit && hit.token.claims.exp - nowSec > margin) return hit.token;
  const token = mint();
  cache.set(id, { token, lifetimeSec: key.lifetimeSec });
  return token;
}
