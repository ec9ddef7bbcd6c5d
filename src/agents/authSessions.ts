/**
 * The vscode-free half of the `vm-identity` authentication provider: what a scope means, which session id a
 * (identity, resource) pair has, the account a session shows, and which sessions a state change adds, removes
 * or changes. src/ui/authProvider.ts turns these into `vscode.AuthenticationSession`s and events.
 */
import type { Snapshot } from '../azure';

/** The provider's id and label, as other extensions name it in `vscode.authentication.getSession`. */
export const AUTH_PROVIDER_ID = 'vm-identity';
export const AUTH_PROVIDER_LABEL = 'VM Identity';

const DEFAULT_SUFFIX = '/.default';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A scope the provider cannot turn into one resource; `message` says what to pass instead. */
export class ScopeError extends Error {
  override readonly name = 'ScopeError';
}

/**
 * The resource a managed-identity token is asked for, from the scopes an extension passed. Exactly one scope:
 * `<resource>/.default` or the bare resource (URI or application ID GUID). The `/.default` mapping and the
 * one-scope rule are azure-sdk-for-js's (sdk/identity/identity/src/credentials/managedIdentityCredential/utils.ts,
 * `mapScopesToResource`: strips "/.default"; ManagedIdentityCredential rejects more than one scope): a managed
 * identity gets app-only tokens for a whole resource, never delegated permissions such as `User.Read`.
 */
export function resourceOfScopes(scopes: readonly string[] | undefined): string {
  if (!scopes || scopes.length === 0) {
    throw new ScopeError('Pass one scope: the resource, e.g. "https://vault.azure.net/.default".');
  }
  if (scopes.length > 1) {
    throw new ScopeError(
      `A VM identity session is for one resource; got ${scopes.length} scopes (${scopes.join(', ')}). ` +
        'Ask for one session per resource, e.g. ["https://vault.azure.net/.default"].',
    );
  }
  const scope = scopes[0].trim();
  const resource = scope.endsWith(DEFAULT_SUFFIX) ? scope.slice(0, -DEFAULT_SUFFIX.length) : scope;
  if (GUID.test(resource)) return resource;
  let url: URL | undefined;
  try {
    url = new URL(resource);
  } catch {
    url = undefined;
  }
  // `User.Read`, `openid`, `offline_access`…: delegated permissions, which an app-only token never carries.
  if (!url || !/^[a-z][a-z0-9+.-]*:$/i.test(url.protocol) || (!url.host && url.protocol !== 'api:')) {
    throw new ScopeError(
      `"${scope}" is not a resource. A managed identity gets app-only tokens: pass "<resource>/.default" ` +
        '(e.g. "https://vault.azure.net/.default") or the resource URI or application ID.',
    );
  }
  if (url.search || url.hash) throw new ScopeError(`"${scope}" has a query or fragment; pass the resource URI only.`);
  return resource;
}

/** The session id: stable for one identity and one resource, different for any other pair. */
export function sessionIdFor(principalId: string, resource: string): string {
  return `${principalId.toLowerCase()}|${resource.toLowerCase()}`;
}

export interface SessionAccount {
  id: string;
  label: string;
}

/** account.id is the principal ID; the label is the display name, else which identity this is. */
export function accountFor(snapshot: Snapshot): SessionAccount {
  const { identity } = snapshot;
  const name = snapshot.displayName.status === 'ok' ? snapshot.displayName.value : undefined;
  if (name) return { id: identity.principalId, label: name };
  if (identity.identityType === 'SystemAssigned')
    return { id: identity.principalId, label: 'VM identity (system-assigned)' };
  // A user-assigned identity's resource ID ends with its name (…/userAssignedIdentities/<name>).
  const fromId = identity.identityResourceId?.split('/').filter(Boolean).pop();
  return {
    id: identity.principalId,
    label: fromId ?? `VM identity (user-assigned, ${identity.clientId ?? identity.principalId})`,
  };
}

/** A session as the provider last announced it: enough to tell what changed. */
export interface AnnouncedSession {
  id: string;
  resource: string;
  scopes: readonly string[];
  account: SessionAccount;
  /** When its token was issued or renewed (ms), to announce a silent refresh as a change. */
  renewedAt: number;
}

export interface SessionChanges<T> {
  added: T[];
  removed: T[];
  changed: T[];
}

/**
 * What happened between two announcements: new ids are added, missing ids removed, same id with a newer token
 * changed. An identity change gives every session a new id, so it is "all removed, all added".
 */
export function sessionChanges<T extends AnnouncedSession>(
  before: readonly T[],
  after: readonly T[],
): SessionChanges<T> {
  const old = new Map(before.map((s) => [s.id, s]));
  const now = new Map(after.map((s) => [s.id, s]));
  return {
    added: after.filter((s) => !old.has(s.id)),
    removed: before.filter((s) => !now.has(s.id)),
    changed: after.filter((s) => {
      const was = old.get(s.id);
      return was !== undefined && was.renewedAt !== s.renewedAt;
    }),
  };
}

export function isEmpty<T>(changes: SessionChanges<T>): boolean {
  return changes.added.length + changes.removed.length + changes.changed.length === 0;
}
