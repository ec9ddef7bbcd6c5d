/**
 * Mocha inside the real extension host: code-server opened with the payload extensionDevelopmentPath /
 * extensionTestsPath (VS Code's test contract); the exit code arrives through window.codeAutomationExit.
 */
import * as path from 'node:path';
import { format } from 'node:util';
import { type Browser, launchBrowser } from './browser';
import { startCodeServer, workbenchUrl } from './codeServer';
import { tail } from './common';

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
      server.proc.once('exit', (c) =>
        reject(new Error(`code-server exited (${c}) during tests:\n${tail(server.logs)}`)),
      ),
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
