/**
 * Names of built-in role definitions, kept across restarts. Built-in roles are global and their ids never
 * change (azure-docs role-based-access-control/built-in-roles.md lists each with its fixed ID), so a name
 * once read stays right; they say nothing about the identity, so sign-out may keep them. Only id → name,
 * type and description are stored: never a token, never an assignment. Custom roles are never stored.
 */

export interface StoredRoleName {
  roleName: string;
  roleType: string;
  description: string;
}

/** GUID (lower case) → what the role is called. */
export type StoredRoleNames = Record<string, StoredRoleName>;

/** Where the names live: VS Code's globalState in the extension, a JSON file in the CLI. */
export interface RoleNameStore {
  /** The stored names; an unreadable or corrupt store reads as empty (it is rebuilt). */
  load(): Promise<StoredRoleNames>;
  save(names: StoredRoleNames): Promise<void>;
}

/** A store for one process only (tests, and callers that keep nothing). */
export function memoryRoleNameStore(): RoleNameStore {
  let names: StoredRoleNames = {};
  return {
    load: async () => ({ ...names }),
    save: async (next) => {
      names = { ...next };
    },
  };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_ENTRIES = 5000;
const MAX_TEXT = 2000;

/** The valid entries of a stored value (anything else is dropped, so a damaged store costs a re-read, not a crash). */
export function parseStoredRoleNames(value: unknown): StoredRoleNames {
  const out: StoredRoleNames = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  const text = (v: unknown) => (typeof v === 'string' && v.length <= MAX_TEXT ? v : undefined);
  let count = 0;
  for (const [guid, entry] of Object.entries(value as Record<string, unknown>)) {
    if (count >= MAX_ENTRIES) break;
    if (!GUID.test(guid) || typeof entry !== 'object' || entry === null) continue;
    const e = entry as Record<string, unknown>;
    const roleName = text(e.roleName);
    if (!roleName || e.roleType !== 'BuiltInRole') continue;
    out[guid] = { roleName, roleType: 'BuiltInRole', description: text(e.description) ?? '' };
    count++;
  }
  return out;
}
