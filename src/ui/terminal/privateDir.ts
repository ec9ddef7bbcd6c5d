/**
 * The per-window private directory behind a VM Identity terminal (its AZURE_CONFIG_DIR and rc file), and
 * finding programs on PATH. Node only, no vscode. Directory names carry the owning process ID so a later
 * window can remove what a crashed one left behind.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const PREFIX = 'vm-identity-terminal-';

/** Creates `<base>/vm-identity-terminal-<pid>-XXXXXX` readable by this user only (0700). */
export function createPrivateDir(base: string, pid = process.pid): string {
  fs.mkdirSync(base, { recursive: true });
  const dir = fs.mkdtempSync(path.join(base, `${PREFIX}${pid}-`));
  fs.chmodSync(dir, 0o700); // mkdtemp already uses 0700; the umask cannot widen it, but say so explicitly
  return dir;
}

export function removePrivateDir(dir: string): void {
  if (!path.basename(dir).startsWith(PREFIX))
    throw new Error(`Refusing to remove ${dir}: not a VM Identity terminal directory.`);
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Removes directories left by windows whose process is gone. Returns what it removed. */
export function sweepStaleDirs(base: string, isAlive: (pid: number) => boolean = processIsAlive): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(base);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (!m || isAlive(Number(m[1]))) continue;
    const dir = path.join(base, name);
    try {
      if (fs.lstatSync(dir).isDirectory() && fs.lstatSync(dir).uid === process.getuid?.()) {
        removePrivateDir(dir);
        removed.push(dir);
      }
    } catch {
      // Another window may be sweeping the same directory; whatever is left goes next time.
    }
  }
  return removed;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The first executable `name` on PATH (with PATHEXT on Windows), or undefined. */
export function findOnPath(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const dirs = (env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : ':').filter(Boolean);
  const exts = platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      try {
        fs.accessSync(candidate, platform === 'win32' ? fs.constants.F_OK : fs.constants.X_OK);
        if (fs.statSync(candidate).isFile()) return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}
