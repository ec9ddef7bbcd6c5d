/** The identity layer's public surface: named exports only (core types come from src/core directly). */
export { type IdentityType, type TokenClaims, decodeClaims, identityTypeOf } from './claims';
export { type GetTokenOptions, type IdentityClientOptions, type IssuedToken, ManagedIdentityClient } from './client';
export { mapFailure } from './responseFacts';
export {
  type IdentitySelector,
  SYSTEM_ASSIGNED,
  SelectorError,
  formatSelector,
  parseSelector,
  selectorFrom,
} from './selector';
export { type AccessToken, EXPIRY_MARGIN_MS, parseExpiresOn, parseTokenResponse } from './tokenResponse';
export type { SourceKind } from './sources/source';
export { imdsHost } from './sources/imds';
