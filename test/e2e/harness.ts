/**
 * Real-VS-Code test harness.
 *
 * Drives code-server 4.100.3 (= VS Code 1.100.3, installed by
 * scripts/install-code-server.sh into .vscode-test/) with Debian's Chromium via
 * playwright-core, for
 *   (a) UI end-to-end tests (status bar, command palette, views, notifications),
 *   (b) mocha integration tests inside the real extension host
 *       (runExtensionTests: payload extensionDevelopmentPath/extensionTestsPath,
 *       exit code via window.codeAutomationExit).
 *
 * Network safety: everything here refuses to start unless the process runs in
 * a private network namespace whose only interface is `lo`
 * (scripts/netns-run.sh). Chromium and code-server therefore cannot reach any
 * non-loopback address (no cloud metadata endpoint, no internet).
 *
 * All waits poll for a condition with a deadline; there are no fixed sleeps.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

// ---------------------------------------------------------------- constants

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const CODE_SERVER_VERSION = '4.100.3';
export const CODE_SERVER_DIR = path.join(PROJECT_ROOT, '.vscode-test', `code-server-${CODE_SERVER_VERSION}`);
export const CODE_SERVER_ENTRY = path.join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const RESULTS_DIR = path.join(PROJECT_ROOT, 'test-results');

/** Settings written to the user settings.json unless overridden by `settings`. */
export const DEFAULT_SETTINGS: Record<string, unknown> = {
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

// ------------------------------------------------------------------ helpers

export interface PollOptions {
  timeout?: number;
  interval?: number;
  message?: string;
}

/** Polls `fn` until it returns a truthy value (which is returned) or the deadline passes. */
export async function pollUntil<T>(fn: () => T | Promise<T>, opts: PollOptions = {}): Promise<NonNullable<T>> {
  const timeout = opts.timeout ?? 30_000;
  const interval = opts.interval ?? 100;
  const deadline = Date.now() + timeout;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`${opts.message ?? 'condition not met'} within ${timeout} ms${why}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

function mkTemp(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function rmrf(p: string): void {
  if (process.env.E2E_KEEP_TMP) return;
  try {
    fs.rmSync(p, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    /* best effort */
  }
}

function tail(lines: string[], n = 80): string {
  return lines.slice(-n).join('\n');
}

/**
 * Throws unless this process is in a private network namespace whose only
 * interface is `lo` (see scripts/netns-run.sh). Called before starting
 * code-server or Chromium.
 */
export function assertNetworkIsolated(): void {
  if (process.env.VMID_NETNS !== '1') {
    throw new Error('e2e harness must run inside scripts/netns-run.sh (VMID_NETNS=1 not set)');
  }
  const names = Object.keys(os.networkInterfaces());
  let links: string[] = names;
  try {
    links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(': ')[1]?.split('@')[0] ?? l);
  } catch {
    /* `ip` missing: fall back to os.networkInterfaces() */
  }
  const foreign = [...new Set([...names, ...links])].filter((n) => n !== 'lo');
  if (foreign.length > 0) {
    throw new Error(`refusing to run: network interfaces other than lo present: ${foreign.join(', ')}`);
  }
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

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

// -------------------------------------------------------------- code-server

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

function collectLines(stream: NodeJS.ReadableStream | null, sink: string[], onLine?: (l: string) => void): void {
  if (!stream) return;
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).replace(/\r$/, '');
      buf = buf.slice(i + 1);
      sink.push(line);
      if (process.env.E2E_VERBOSE) process.stderr.write(`[code-server] ${line}\n`);
      onLine?.(line);
    }
  });
  stream.on('end', () => {
    if (buf) {
      sink.push(buf);
      onLine?.(buf);
    }
  });
}

async function killGroup(proc: ChildProcess, graceMs = 5000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) return;
  const pid = proc.pid;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig); // the group we created with detached: true
    } catch {
      try {
        proc.kill(sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  // Children of the group (extension host, pty host, watcher) may outlive the
  // leader for a moment; make sure none is left behind.
  signal('SIGKILL');
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
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
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
    [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', path.resolve(outFile)],
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

// ------------------------------------------------------------------ browser

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Browser console messages and page errors of `page`. */
  logs: string[];
  close(): Promise<void>;
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  // Resolve no host name at all (no DNS query, no IPv6 reachability probe):
  // tests only use the IP literal 127.0.0.1.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
  // On-demand component installs ignore --disable-component-update; point the
  // updater at a closed loopback port instead of update.googleapis.com.
  '--component-updater=url-source=http://127.0.0.1:9/',
  // NB: no --disable-features here: Chromium honours only the last one, and
  // playwright-core already passes one (incl. NetworkTimeServiceQuerying,
  // OptimizationHints, MediaRouter) that must not be overridden.
];

export async function launchBrowser(opts: { viewport?: { width: number; height: number } } = {}): Promise<Browser> {
  assertNetworkIsolated();
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: run \`npm run setup:vscode\``);
  }
  const profile = mkTemp('vmid-chromium-');
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      // E2E_CHROMIUM_ARGS: extra flags for debugging, e.g. --log-net-log=/tmp/net.json
      args: [...CHROMIUM_ARGS, ...(process.env.E2E_CHROMIUM_ARGS?.split(/\s+/).filter(Boolean) ?? [])],
      viewport: opts.viewport ?? { width: 1400, height: 900 },
      // Keep Chromium's config/cache/crashpad files out of $HOME.
      env: {
        ...process.env,
        XDG_CONFIG_HOME: path.join(profile, '.xdg-config'),
        XDG_CACHE_HOME: path.join(profile, '.xdg-cache'),
      } as Record<string, string>,
      timeout: 60_000,
    });
  } catch (err) {
    rmrf(profile);
    throw err;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const logs: string[] = [];
  page.on('console', (m) => logs.push(`[console.${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
  page.on('crash', () => logs.push('[page crashed]'));
  let closed = false;
  return {
    context,
    page,
    logs,
    async close() {
      if (closed) return;
      closed = true;
      await context.close().catch(() => undefined);
      rmrf(profile);
    },
  };
}

// --------------------------------------------------------------- UI helpers

const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_BOX = '.quick-input-widget .quick-input-box input';

/** Opens the workbench at `url` and waits until it is interactive (status bar rendered). */
export async function openWorkbench(page: Page, url: string, timeout = 60_000): Promise<void> {
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout });
  await page.locator('.part.statusbar').waitFor({ state: 'visible', timeout });
  await page.locator('.part.activitybar').waitFor({ state: 'attached', timeout });
}

/**
 * Waits for the status bar item with DOM id `<publisher>.<name>.<itemId>` (all
 * lower-case, as VS Code builds it) and returns its text. With `text`, waits
 * until the item's text contains it (string) or matches it (RegExp).
 */
export async function waitForStatusItem(
  page: Page,
  id: string,
  opts: { text?: string | RegExp; timeout?: number } = {},
): Promise<string> {
  const timeout = opts.timeout ?? 30_000;
  const item = statusItem(page, id);
  try {
    await item.waitFor({ state: 'visible', timeout });
  } catch {
    const ids = await page
      .locator('.part.statusbar .statusbar-item[id]')
      .evaluateAll((els) => els.map((e) => e.id))
      .catch(() => [] as string[]);
    throw new Error(`status item [id="${id}"] not visible within ${timeout} ms; present: ${JSON.stringify(ids)}`);
  }
  if (opts.text === undefined) return (await item.innerText()).trim();
  const want = opts.text;
  let last = '';
  try {
    return await pollUntil(
      async () => {
        last = (await item.innerText()).trim();
        return (typeof want === 'string' ? last.includes(want) : want.test(last)) ? last : '';
      },
      { timeout },
    );
  } catch {
    throw new Error(`status item ${id}: text ${String(want)} not shown within ${timeout} ms (last: "${last}")`);
  }
}

/** Locator of a status bar item by its full id. */
export function statusItem(page: Page, id: string): Locator {
  // VS Code lower-cases the extension id part but keeps the item id as given.
  return page.locator(`[id="${id}" i]`);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Opens the command palette (F1, falling back to Ctrl+Shift+P) and returns its input. */
export async function openCommandPalette(page: Page, timeout = 15_000): Promise<Locator> {
  const input = page.locator(QUICK_INPUT_BOX);
  const deadline = Date.now() + timeout;
  const keys = ['F1', 'Control+Shift+P'];
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    // Focus the workbench (not a webview/iframe) before pressing the key.
    await page.locator('.monaco-workbench').focus().catch(() => undefined);
    await page.keyboard.press(keys[attempt % keys.length]!);
    try {
      await input.waitFor({ state: 'visible', timeout: Math.min(3_000, Math.max(1, deadline - Date.now())) });
      const value = await input.inputValue();
      if (value.startsWith('>')) return input;
      await input.fill('>');
      return input;
    } catch {
      /* try the other key binding */
    }
  }
  throw new Error(`command palette did not open within ${timeout} ms`);
}

/** Runs a command by its palette title (e.g. "Fixture: Hello"). */
export async function runCommand(page: Page, title: string, timeout = 30_000): Promise<void> {
  const input = await openCommandPalette(page, timeout);
  await input.fill(`>${title}`);
  const row = page
    .locator(`${QUICK_INPUT} .monaco-list-row`)
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`) }) })
    .first();
  try {
    await row.waitFor({ state: 'visible', timeout });
  } catch {
    const rows = await page.locator(`${QUICK_INPUT} .monaco-list-row`).allInnerTexts();
    await page.keyboard.press('Escape');
    throw new Error(`command "${title}" not found in the palette; rows: ${JSON.stringify(rows)}`);
  }
  await row.click();
  await page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout });
}

/**
 * Opens a view container from the activity bar by its label (e.g. "Explorer",
 * or an extension's view container title). Does not toggle it closed when it
 * is already open.
 */
export async function openActivity(page: Page, label: string, timeout = 30_000): Promise<void> {
  const item = page
    .locator(`a.action-label[aria-label="${label}"], a.action-label[aria-label^="${label} ("]`)
    .first();
  await item.waitFor({ state: 'visible', timeout });
  const li = item.locator('xpath=ancestor::li[1]');
  const checked = /\bchecked\b/.test((await li.getAttribute('class').catch(() => '')) ?? '');
  const sidebarVisible = await page.locator('.part.sidebar').isVisible();
  if (!(checked && sidebarVisible)) await item.click();
  await pollUntil(
    async () => /\bchecked\b/.test((await li.getAttribute('class')) ?? '') && page.locator('.part.sidebar').isVisible(),
    { timeout, message: `activity "${label}" did not open` },
  );
}

/** Texts of the rows of visible tree views (optionally within `scope`, e.g. '.part.sidebar'). */
export async function treeRows(page: Page, scope?: string): Promise<string[]> {
  const sel = `${scope ? `${scope} ` : ''}.monaco-list-row[role="treeitem"]`;
  const texts = await page.locator(sel).allInnerTexts();
  return texts.map((t) => t.replace(/\s+/g, ' ').trim());
}

/** Waits until some tree row contains `text` (string) or matches it (RegExp); returns all rows. */
export async function waitForTreeRow(
  page: Page,
  text: string | RegExp,
  opts: { scope?: string; timeout?: number } = {},
): Promise<string[]> {
  let rows: string[] = [];
  try {
    return await pollUntil(
      async () => {
        rows = await treeRows(page, opts.scope);
        return rows.some((r) => (typeof text === 'string' ? r.includes(text) : text.test(r))) ? rows : undefined;
      },
      { timeout: opts.timeout ?? 30_000 },
    );
  } catch {
    throw new Error(`no tree row ${String(text)}; rows: ${JSON.stringify(rows)}`);
  }
}

/** Texts of the notification toasts currently shown. */
export async function notifications(page: Page): Promise<string[]> {
  const texts = await page
    .locator('.notifications-toasts .notification-toast .notification-list-item-message')
    .allInnerTexts();
  return texts.map((t) => t.trim());
}

/** Waits for a notification toast containing/matching `text`; returns its text. */
export async function waitForNotification(page: Page, text: string | RegExp, timeout = 30_000): Promise<string> {
  let seen: string[] = [];
  try {
    return await pollUntil(
      async () => {
        seen = await notifications(page);
        return seen.find((t) => (typeof text === 'string' ? t.includes(text) : text.test(t)));
      },
      { timeout },
    );
  } catch {
    throw new Error(`no notification ${String(text)}; shown: ${JSON.stringify(seen)}`);
  }
}

/** Screenshot of the page (creates the folder). */
export async function screenshot(page: Page, file: string): Promise<string> {
  const out = path.isAbsolute(file) ? file : path.join(RESULTS_DIR, file);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  return out;
}

// ------------------------------------------------------- integration tests

export interface RunExtensionTestsOptions {
  /** Folder of the extension under test (its package.json). */
  extensionDevelopmentPath: string;
  /** Module exporting `run(): Promise<void>` (mocha runner), absolute path. */
  extensionTestsPath: string;
  /** Workspace folder to open. */
  folder: string;
  /** Environment for code-server and so for the extension host. */
  env?: Record<string, string>;
  settings?: Record<string, unknown>;
  extensionsDir?: string;
  /** Overall deadline (default 120 s). */
  timeout?: number;
}

export interface ExtensionTestsResult {
  exitCode: number;
  /** Automation log (window log incl. extension-host console, via codeAutomationLog) and page errors. */
  log: string[];
  /** code-server's own output. */
  serverLogs: string[];
}

/**
 * Runs an extension's mocha tests inside the real extension host: starts
 * code-server, opens the workbench with payload extensionDevelopmentPath /
 * extensionTestsPath, and resolves with the exit code the workbench reports
 * through window.codeAutomationExit (0 = run() resolved, non-zero otherwise).
 */
export async function runExtensionTests(opts: RunExtensionTestsOptions): Promise<ExtensionTestsResult> {
  const timeout = opts.timeout ?? 120_000;
  const log: string[] = [];
  const server = await startCodeServer({
    folder: opts.folder,
    env: opts.env,
    settings: opts.settings,
    extensionsDir: opts.extensionsDir,
  });
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const { page } = browser;
    let onExit!: (code: number) => void;
    const exited = new Promise<number>((r) => (onExit = r));
    await page.exposeFunction('codeAutomationLog', (type: unknown, args: unknown) => {
      // args are console.* arguments, format string first (mocha uses %s/%d).
      const parts = Array.isArray(args) ? args : [args];
      const line = `[${String(type)}] ${format(...parts)}`;
      log.push(line);
      if (process.env.E2E_VERBOSE) process.stderr.write(`[ext-tests] ${line}\n`);
    });
    await page.exposeFunction('codeAutomationExit', (code: unknown) => {
      onExit(typeof code === 'number' ? code : Number(code) || 1);
    });
    page.on('pageerror', (e) => log.push(`[pageerror] ${e.message}`));
    page.on('crash', () => log.push('[page crashed]'));

    const url = workbenchUrl(server, {
      folder: opts.folder,
      payload: [
        ['extensionDevelopmentPath', path.resolve(opts.extensionDevelopmentPath)],
        ['extensionTestsPath', path.resolve(opts.extensionTestsPath)],
      ],
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `extension tests did not report an exit code within ${timeout} ms\n` +
                `--- automation log ---\n${tail(log)}\n--- code-server ---\n${tail(server.logs)}`,
            ),
          ),
        timeout,
      );
    });
    const serverDied = new Promise<never>((_, reject) =>
      server.proc.once('exit', (c) => reject(new Error(`code-server exited (${c}) during tests:\n${tail(server.logs)}`))),
    );
    serverDied.catch(() => undefined); // stop() below also ends the process
    try {
      await Promise.race([page.goto(url, { waitUntil: 'domcontentloaded', timeout }), timedOut, serverDied]);
      const exitCode = await Promise.race([exited, timedOut, serverDied]);
      return { exitCode, log, serverLogs: server.logs };
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await browser?.close();
    await server.stop();
  }
}
