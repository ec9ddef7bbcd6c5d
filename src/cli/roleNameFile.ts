/**
 * The CLI's built-in role names: `$XDG_CACHE_HOME/vm-identity/role-names.json` (default
 * `~/.cache/vm-identity/`, per the XDG Base Directory Specification: "If $XDG_CACHE_HOME is either not set or
 * empty, a default equal to $HOME/.cache should be used"). It holds role id → name, type, description only.
 * Written atomically (a temp file in the same directory, then rename), so a reader never sees half a file;
 * an unreadable or corrupt file reads as empty and is rewritten on the next save.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { type RoleNameStore, type StoredRoleNames, parseStoredRoleNames } from '../azure';

const FILE = 'role-names.json';
const FORMAT = 1;
/** Far above ~550 built-in roles' names and descriptions; a bigger file is not ours. */
const MAX_BYTES = 4 * 1024 * 1024;

export function cacheDirFor(env: NodeJS.ProcessEnv): string | undefined {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'vm-identity');
  const home = env.HOME || os.homedir();
  return home ? path.join(home, '.cache', 'vm-identity') : undefined;
}

export function roleNameFile(dir: string): RoleNameStore {
  const file = path.join(dir, FILE);
  return {
    async load(): Promise<StoredRoleNames> {
      let text: string;
      try {
        const stat = await fs.stat(file);
        if (!stat.isFile() || stat.size > MAX_BYTES) return {};
        text = await fs.readFile(file, 'utf8');
      } catch {
        return {}; // not there yet, or not readable: read the names from ARM again
      }
      try {
        const json = JSON.parse(text) as { format?: unknown; roles?: unknown };
        return json?.format === FORMAT ? parseStoredRoleNames(json.roles) : {};
      } catch {
        return {};
      }
    },
    async save(names: StoredRoleNames): Promise<void> {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      const temp = path.join(dir, `.${FILE}.${process.pid}.${Date.now()}.tmp`);
      try {
        await fs.writeFile(temp, `${JSON.stringify({ format: FORMAT, roles: names })}\n`, { mode: 0o600 });
        await fs.rename(temp, file);
      } catch (e) {
        await fs.rm(temp, { force: true });
        throw e;
      }
    },
  };
}
