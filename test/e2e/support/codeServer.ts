/**
 * code-server 4.100.3 (= VS Code 1.100.3, installed by scripts/install-code-server.sh into .vscode-test/):
 * starting and stopping it with its own user data and extensions dirs, installing a .vsix with its CLI,
 * packaging one with vsce, and the workbench URL (with the payload extension tests use).
 * Refuses to start outside the loopback-only namespace of scripts/netns-run.sh.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT, assertNetworkIsolated, freePort, mkTemp, rmrf, tail } from './common';
import { collectLines, killGroup } from './processes';

export const CODE_SERVER_VERSION = '4.100.3';
export const CODE_SERVER_DIR = path.join(PROJECT_ROOT, '.vscode-test', `code-server-${CODE_SERVER_VERSION}`);
const CODE_SERVER_ENTRY = path.join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

/** Settings written to the user settings.json unless overridden by `settings`. */
const DEFAULT_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'npm.autoDetect': 'off',
  'typescript.disableAutomaticTypeAcquisition': true,
  'chat.commandCenter.enabled': false,
  'window.dialogStyle': 'custom',
};

/** Environment for code-server: the caller's, minus anything that could make it
 * talk to another VS Code instance or a proxy (and minus names matching `unset`),
 * plus isolated XDG dirs. Proxy variables given in `extra` are kept: that is how
 * a test names a proxy (HTTPS_PROXY/HTTP_PROXY) for code-server on purpose. */
function codeServerEnv(tmp: string, extra: Record<string, string> | undefined, unset?: RegExp): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) {
    if (/^(VSCODE_|ELECTRON_|CODE_SERVER_|npm_)/i.test(k)) delete env[k];
    if (/^(http_proxy|https_proxy|all_proxy|no_proxy)$/i.test(k)) delete env[k];
    if (unset?.test(k)) delete env[k];
  }
  delete env.PASSWORD;
  delete env.HASHED_PASSWORD;
  for (const d of ['config', 'data', 'cache']) fs.mkdirSync(path.join(tmp, 'xdg', d), { recursive: true });
  Object.assign(env, {
    XDG_CONFIG_HOME: path.join(tmp, 'xdg', 'config'),
    XDG_DATA_HOME: path.join(tmp, 'xdg', 'data'),
    XDG_CACHE_HOME: path.join(tmp, 'xdg', 'cache'),
    EXTENSIONS_GALLERY: '{}',
  });
  return { ...env, ...(extra ?? {}) };
}

function assertCodeServerInstalled(): void {
  if (!fs.existsSync(CODE_SERVER_ENTRY)) {
    throw new Error(`code-server not installed at ${CODE_SERVER_ENTRY}: run \`npm run setup:vscode\``);
  }
}

export interface StartCodeServerOptions {
  /** Folder (workspace) opened by default. */
  folder: string;
  /** Defaults to a fresh temp dir. */
  extensionsDir?: string;
  /** Defaults to a fresh temp dir. */
  userDataDir?: string;
  /** Extra environment for code-server (inherited by the extension host). Applied after the
   * inherited proxy variables are cleared, so HTTPS_PROXY/HTTP_PROXY/NO_PROXY given here are used. */
  env?: Record<string, string>;
  /** Inherited variables to drop as well (e.g. /^(AZURE_|VM_IDENTITY_)/ for shipped defaults). */
  unsetEnv?: RegExp;
  /** Merged over DEFAULT_SETTINGS into <userDataDir>/User/settings.json. */
  settings?: Record<string, unknown>;
  /** Defaults to a free port. */
  port?: number;
  /** Ms to wait for "HTTP server listening on" (default 30 s). */
  startTimeout?: number;
  /** Leave workspace trust on (default: --disable-workspace-trust). */
  workspaceTrust?: boolean;
}

export interface CodeServer {
  /** e.g. http://127.0.0.1:34567/ */
  url: string;
  port: number;
  proc: ChildProcess;
  /** stdout + stderr lines of code-server (and what it forwards). */
  logs: string[];
  folder: string;
  userDataDir: string;
  extensionsDir: string;
  tmpDir: string;
  /** Kills code-server's whole process group and removes the temp dir. */
  stop(): Promise<void>;
}

export async function startCodeServer(opts: StartCodeServerOptions): Promise<CodeServer> {
  assertNetworkIsolated();
  assertCodeServerInstalled();
  const tmpDir = mkTemp('vmid-cs-');
  const userDataDir = opts.userDataDir ?? path.join(tmpDir, 'user-data');
  const extensionsDir = opts.extensionsDir ?? path.join(tmpDir, 'extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.mkdirSync(opts.folder, { recursive: true });
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, ...(opts.settings ?? {}) }, null, 2),
  );
  const port = opts.port ?? (await freePort());
  const args = [
    CODE_SERVER_ENTRY,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    opts.folder,
  ];
  const logs: string[] = [];
  const proc = spawn(process.execPath, args, {
    cwd: tmpDir,
    env: codeServerEnv(tmpDir, opts.env, opts.unsetEnv),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group, so stop() reaches every child
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await killGroup(proc);
    rmrf(tmpDir);
  };

  const ready = new Promise<string>((resolve, reject) => {
    const timeout = opts.startTimeout ?? 30_000;
    const timer = setTimeout(
      () => reject(new Error(`code-server did not start within ${timeout} ms:\n${tail(logs)}`)),
      timeout,
    );
    const onLine = (line: string) => {
      const m = /HTTP server listening on (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    collectLines(proc.stdout, logs, onLine);
    collectLines(proc.stderr, logs, onLine);
    proc.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    proc.once('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited early (code ${code}, signal ${sig}):\n${tail(logs)}`));
    });
  });
  try {
    const listening = await ready;
    const url = listening.endsWith('/') ? listening : `${listening}/`;
    return { url, port, proc, logs, folder: opts.folder, userDataDir, extensionsDir, tmpDir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Runs code-server's CLI once (no server) and returns its output. */
async function codeServerCli(args: string[], timeoutMs = 60_000): Promise<{ code: number | null; output: string[] }> {
  assertCodeServerInstalled();
  const tmp = mkTemp('vmid-cs-cli-');
  const output: string[] = [];
  try {
    const proc = spawn(process.execPath, [CODE_SERVER_ENTRY, ...args], {
      cwd: tmp,
      env: codeServerEnv(tmp, undefined),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    collectLines(proc.stdout, output);
    collectLines(proc.stderr, output);
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        void killGroup(proc, 1000);
        reject(new Error(`code-server ${args.join(' ')} timed out after ${timeoutMs} ms:\n${tail(output)}`));
      }, timeoutMs);
      proc.once('error', reject);
      proc.once('close', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    return { code, output };
  } finally {
    rmrf(tmp);
  }
}

/** Installs a .vsix into `extensionsDir` with `code-server --install-extension` (works offline). */
export async function installVsix(vsixPath: string, extensionsDir: string, userDataDir?: string): Promise<string[]> {
  assertNetworkIsolated();
  fs.mkdirSync(extensionsDir, { recursive: true });
  const args = ['--extensions-dir', extensionsDir, '--install-extension', path.resolve(vsixPath), '--force'];
  if (userDataDir) args.unshift('--user-data-dir', userDataDir);
  const { code, output } = await codeServerCli(args);
  const text = output.join('\n');
  if (code !== 0 || !/successfully installed/i.test(text)) {
    throw new Error(`installing ${vsixPath} failed (exit ${code}):\n${text}`);
  }
  return output;
}

/** Packages an extension folder to a .vsix with the project's @vscode/vsce (offline). */
export function packageVsix(extensionDir: string, outFile: string): string {
  const vsce = path.join(PROJECT_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  execFileSync(
    process.execPath,
    [
      vsce,
      'package',
      '--no-dependencies',
      '--allow-missing-repository',
      '--skip-license',
      '--out',
      path.resolve(outFile),
    ],
    { cwd: extensionDir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 60_000 },
  );
  if (!fs.existsSync(outFile)) throw new Error(`vsce did not produce ${outFile}`);
  return path.resolve(outFile);
}

export interface WorkbenchUrlOptions {
  folder?: string;
  /** VS Code web "payload" pairs, e.g. [['extensionDevelopmentPath', '/abs/dir']]. */
  payload?: Array<[string, string]>;
}

/**
 * URL of the workbench. Paths in payload entries for extensionDevelopmentPath /
 * extensionTestsPath may be plain absolute paths: they are turned into
 * vscode-remote://127.0.0.1:<port><path> URIs (the extension host runs in
 * code-server, i.e. "remote").
 */
export function workbenchUrl(server: Pick<CodeServer, 'url' | 'port'>, opts: WorkbenchUrlOptions = {}): string {
  const u = new URL(server.url);
  if (opts.folder) u.searchParams.set('folder', opts.folder);
  if (opts.payload && opts.payload.length > 0) {
    const payload = opts.payload.map(([k, v]) => [k, remoteUri(server, v)] as [string, string]);
    u.searchParams.set('payload', JSON.stringify(payload));
  }
  return u.toString();
}

function remoteUri(server: Pick<CodeServer, 'port'>, value: string): string {
  if (!path.isAbsolute(value)) return value;
  const p = path.resolve(value).split(path.sep).map(encodeURIComponent).join('/');
  return `vscode-remote://127.0.0.1:${server.port}${p}`;
}
