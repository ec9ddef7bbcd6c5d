/**
 * Timed actions in real VS Code (code-server + Chromium): sign-in from the palette to the first frame that
 * shows the result, expanding a scope group, opening the palette; and what the extension logged meanwhile.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scopeKind } from '../src/azure/roles';
import { pollUntil } from '../test/e2e/support/common';
import { openCommandPalette, runCommand } from '../test/e2e/support/workbench';
import { type Emulator, expectedAssignmentsFor } from '../test/emulator';
import { type Page } from 'playwright-core';
import { GROUP_LABELS, SIDEBAR, STATUS_ID } from './config';

// ------------------------------------------------------------------ 3 + 4: real VS Code

export interface SignInRun {
  /** palette Enter (keydown in the renderer) → first frame with status bar signed in and the tree populated */
  total: number;
  status: number;
  tree: number;
  /** From the extension's log: Enter → "sign in requested" (renderer → extension host). */
  dispatch?: number;
  /** The extension's own figure: IdentityService.snapshot() wall time ("signed in … in X ms"). */
  snapshotMs?: number;
  /** Enter → the "signed in" log line (everything but rendering). */
  toLogged?: number;
  pages?: number;
  stages?: number;
}

export interface UiSession {
  assignments: number;
  armLatency: number;
  runs: SignInRun[];
  limitMs: number;
  pages: number;
  requestsBeforeSignIn: number;
  groups: Array<{ label: string; count: number }>;
  verifiedRows?: number;
  expandBiggest?: { label: string; count: number; cold: number[]; warm: number[] };
  paletteOpenMs?: number[];
  /** Requests of the first (warm-up) and of the last sign-in, by endpoint. */
  firstCounts: Record<string, number>;
  counts: Record<string, number>;
}

export function logFiles(userDataDir: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'VM Identity.log') found.push(p);
    }
  };
  walk(path.join(userDataDir, 'logs'));
  return found.sort();
}

export interface LogLine {
  at: number;
  text: string;
}

/** Lines of every VM Identity log, with their local wall-clock timestamps (ms precision). */
export function readLog(userDataDir: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const f of logFiles(userDataDir)) {
    for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
      const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3}) \[\w+\] (.*)$/.exec(line);
      if (!m) continue;
      const [y, mo, d, h, mi, s, milli] = m.slice(1, 8).map(Number);
      lines.push({ at: new Date(y, mo - 1, d, h, mi, s, milli).getTime(), text: m[8] });
    }
  }
  return lines.sort((a, b) => a.at - b.at);
}

export function activationTimes(userDataDir: string): number[] {
  return readLog(userDataDir).flatMap((l) => {
    const m = /^activated in ([\d.]+) ms/.exec(l.text);
    return m ? [Number(m[1])] : [];
  });
}

export function groupsOf(emu: Emulator): Array<{ label: string; count: number }> {
  const d = emu.dataset;
  const counts = new Map<string, number>();
  for (const a of expectedAssignmentsFor(d, d.systemIdentity.principalId, 'assignedTo')) {
    const label = GROUP_LABELS[scopeKind(a.scope)];
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return Object.values(GROUP_LABELS)
    .filter((l) => counts.has(l))
    .map((label) => ({ label, count: counts.get(label)! }));
}

/**
 * tsx (esbuild with keepNames) wraps named functions in `__name(...)`; functions sent to the page by
 * page.evaluate carry that call, so the page needs a harmless `__name`.
 */
export async function nameShim(page: Page): Promise<void> {
  await page.evaluate('globalThis.__name = globalThis.__name || ((f) => f)');
}

export async function sidebarRows(page: Page): Promise<string[]> {
  return page
    .locator(`${SIDEBAR} .monaco-list-row[role="treeitem"]`)
    .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
}

export async function signOut(page: Page): Promise<void> {
  const status = page.locator(`[id="${STATUS_ID}" i]`);
  if (!/signed out/.test(await status.innerText())) await runCommand(page, 'VM Identity: Sign out');
  await pollUntil(async () => /signed out/.test(await status.innerText()) && (await sidebarRows(page)).length === 0, {
    timeout: 30_000,
    interval: 50,
    message: 'signed out with an empty tree',
  });
  // VS Code spaces a view's updates 200 ms apart; let the sign-out's update window pass so the sign-in is
  // timed on its own (a user does not sign in again within 200 ms of signing out).
  await new Promise((r) => setTimeout(r, 300));
}

/**
 * One sign-in from the command palette, timed inside the page: from the renderer's keydown of Enter on
 * "VM Identity: Sign in with VM identity" to the first animation frame in which (a) the status bar item shows
 * the signed-in identity and (b) the "Role assignments" node shows the expected count and its scope-group
 * rows are rendered with counts adding up to it. MutationObserver catches each DOM change as it happens.
 */
export async function timedSignIn(
  page: Page,
  spec: { statusText: string; count: number; groups: string[] },
): Promise<SignInRun & { enterEpoch: number }> {
  const title = 'VM Identity: Sign in with VM identity';
  const input = await openCommandPalette(page);
  await input.fill(`>${title}`);
  await page
    .locator('.quick-input-widget .monaco-list-row.focused .label-name', {
      hasText: new RegExp(`^\\s*${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`),
    })
    .first()
    .waitFor({ state: 'visible', timeout: 15_000 });
  await nameShim(page);
  await page.evaluate(
    ({ statusSel, statusText, count, groups, sidebar }) => {
      const w = window as unknown as { __bench: Record<string, number> };
      const b = (w.__bench = { start: 0, startEpoch: 0, status: 0, tree: 0, done: 0, frame: 0 });
      const rowsSel = `${sidebar} .monaco-list-row[role="treeitem"]`;
      const check = () => {
        if (!b.start || b.done) return;
        const now = performance.now();
        if (!b.status) {
          const el = document.querySelector(statusSel);
          if (el && (el.textContent ?? '').includes(statusText)) b.status = now;
        }
        if (!b.tree) {
          const labels = Array.from(document.querySelectorAll(rowsSel), (r) => r.getAttribute('aria-label') ?? '');
          const total = labels.find((l) => l.startsWith('Role assignments'));
          if (total && total.slice('Role assignments'.length).trim().split(/\s/)[0] === String(count)) {
            let sum = 0;
            for (const l of labels)
              for (const g of groups)
                if (l.startsWith(`${g} `))
                  sum +=
                    Number(
                      l
                        .slice(g.length + 1)
                        .trim()
                        .split(/\s/)[0],
                    ) || 0;
            if (sum === count) b.tree = now;
          }
        }
        if (b.status && b.tree) {
          b.done = now;
          observer.disconnect();
          requestAnimationFrame(() => (b.frame = performance.now()));
        }
      };
      const observer = new MutationObserver(check);
      document.addEventListener(
        'keydown',
        (e) => {
          if (e.key === 'Enter' && !b.start) {
            b.start = performance.now();
            b.startEpoch = performance.timeOrigin + b.start;
            observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
          }
        },
        { capture: true, once: true },
      );
    },
    {
      statusSel: `[id="${STATUS_ID}" i]`,
      statusText: spec.statusText,
      count: spec.count,
      groups: spec.groups,
      sidebar: SIDEBAR,
    },
  );
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => (window as unknown as { __bench: { frame: number } }).__bench.frame > 0, undefined, {
    timeout: 180_000,
    polling: 100,
  });
  const b = await page.evaluate(() => (window as unknown as { __bench: Record<string, number> }).__bench);
  return { total: b.frame - b.start, status: b.status - b.start, tree: b.tree - b.start, enterEpoch: b.startEpoch };
}

/** Clicks a group's twistie and times (in the page) until its first child row is rendered. */
export async function timedExpand(page: Page, label: string, firstChild: string): Promise<number> {
  const row = page.locator(`${SIDEBAR} .monaco-list-row[role="treeitem"][aria-label^="${label} "]`).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  if ((await row.getAttribute('aria-expanded')) === 'true') {
    await row.locator('.monaco-tl-twistie').click();
    await pollUntil(async () => (await row.getAttribute('aria-expanded')) === 'false', { timeout: 10_000 });
  }
  await nameShim(page);
  await page.evaluate(
    ({ sidebar, firstChild }) => {
      const w = window as unknown as { __bench: Record<string, number> };
      const b = (w.__bench = { start: 0, done: 0, frame: 0 });
      const rowsSel = `${sidebar} .monaco-list-row[role="treeitem"]`;
      const observer = new MutationObserver(() => {
        if (b.done) return;
        if (
          Array.from(document.querySelectorAll(rowsSel)).some((r) =>
            (r.getAttribute('aria-label') ?? '').startsWith(firstChild),
          )
        ) {
          b.done = performance.now();
          observer.disconnect();
          requestAnimationFrame(() => (b.frame = performance.now()));
        }
      });
      document.addEventListener(
        'mousedown',
        () => {
          if (b.start) return;
          b.start = performance.now();
          observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
        },
        { capture: true, once: true },
      );
    },
    { sidebar: SIDEBAR, firstChild },
  );
  await row.locator('.monaco-tl-twistie').click();
  await page.waitForFunction(() => (window as unknown as { __bench: { frame: number } }).__bench.frame > 0, undefined, {
    timeout: 60_000,
    polling: 100,
  });
  const b = await page.evaluate(() => (window as unknown as { __bench: Record<string, number> }).__bench);
  return b.frame - b.start;
}

export async function collapse(page: Page, label: string): Promise<void> {
  const row = page.locator(`${SIDEBAR} .monaco-list-row[role="treeitem"][aria-label^="${label} "]`).first();
  if ((await row.getAttribute('aria-expanded')) === 'true') await row.locator('.monaco-tl-twistie').click();
  await pollUntil(async () => (await row.getAttribute('aria-expanded')) === 'false', {
    timeout: 10_000,
    message: `row "${label}" folded`,
  });
}

/** F1 → the command palette's input is rendered (timed in the page). */
export async function timedPaletteOpen(page: Page): Promise<number> {
  await page
    .locator('.monaco-workbench')
    .focus()
    .catch(() => undefined);
  await nameShim(page);
  await page.evaluate(() => {
    const w = window as unknown as { __bench: Record<string, number> };
    const b = (w.__bench = { start: 0, done: 0, frame: 0 });
    const visible = () => {
      const el = document.querySelector('.quick-input-widget') as HTMLElement | null;
      return (
        !!el &&
        el.style.display !== 'none' &&
        el.offsetParent !== null &&
        !!document.querySelector('.quick-input-widget .quick-input-box input')
      );
    };
    const observer = new MutationObserver(() => {
      if (!b.start || b.done || !visible()) return;
      b.done = performance.now();
      observer.disconnect();
      requestAnimationFrame(() => (b.frame = performance.now()));
    });
    document.addEventListener(
      'keydown',
      (e) => {
        if (e.key === 'F1' && !b.start) {
          b.start = performance.now();
          observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
        }
      },
      { capture: true, once: true },
    );
  });
  await page.keyboard.press('F1');
  await page.waitForFunction(() => (window as unknown as { __bench: { frame: number } }).__bench.frame > 0, undefined, {
    timeout: 30_000,
    polling: 50,
  });
  const b = await page.evaluate(() => (window as unknown as { __bench: Record<string, number> }).__bench);
  await page.keyboard.press('Escape');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
  return b.frame - b.start;
}
