/**
 * Debian's Chromium driven by playwright-core, headless, with a throwaway profile. Refuses to start outside
 * the loopback-only namespace; resolves no host name but 127.0.0.1 and fetches no component update.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { assertNetworkIsolated, mkTemp, rmrf } from './common';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Browser console messages and page errors of `page`. */
  logs: string[];
  close(): Promise<void>;
}

const CHROMIUM_ARGS = [
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
