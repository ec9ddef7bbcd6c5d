/**
 * What every part of the real-VS-Code support shares: project paths, the network-isolation guard, polling
 * with a deadline (there are no fixed sleeps), free ports and temp dirs.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');
export const RESULTS_DIR = path.join(PROJECT_ROOT, 'test-results');
export const VSIX = path.join(PROJECT_ROOT, 'dist', 'vm-identity.vsix');

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

export function mkTemp(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Removes a temp dir (kept when E2E_KEEP_TMP is set, for debugging). */
export function rmrf(p: string): void {
  if (process.env.E2E_KEEP_TMP) return;
  try {
    fs.rmSync(p, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    /* best effort */
  }
}

export function tail(lines: string[], n = 80): string {
  return lines.slice(-n).join('\n');
}

/** Prints how long a step took, in the spec reporter's indentation. */
export function timed(label: string, since: number): void {
  console.log(`      [timing] ${label}: ${((Date.now() - since) / 1000).toFixed(1)} s`);
}

/**
 * Throws unless this process is in a private network namespace whose only interface is `lo` (see
 * scripts/netns-run.sh). Called before starting code-server or Chromium.
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
