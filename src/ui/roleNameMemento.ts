/**
 * Built-in role names in the extension's `globalState` (kept across restarts, per machine): id → name,
 * type and description only, never a token. What is stored is validated on the way in, so a damaged
 * value costs one re-read, not a crash.
 */
import type * as vscode from 'vscode';
import { type RoleNameStore, type StoredRoleNames, parseStoredRoleNames } from '../azure';

const KEY = 'vmIdentity.roleNames.v1';

export function roleNameMemento(memento: vscode.Memento): RoleNameStore {
  return {
    load: async () => parseStoredRoleNames(memento.get<unknown>(KEY)),
    save: async (names: StoredRoleNames) => {
      await memento.update(KEY, names);
    },
  };
}
