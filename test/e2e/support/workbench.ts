/**
 * Page objects of the VS Code workbench in Chromium: the workbench itself, status bar, command palette and
 * quick picks, activity bar and tree views, the welcome view, notifications, settings and screenshots.
 * Every wait polls for a condition with a deadline.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { RESULTS_DIR, pollUntil } from './common';

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
    await page
      .locator('.monaco-workbench')
      .focus()
      .catch(() => undefined);
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

/** Runs a command that opens its own quick pick (so the palette does not close): type it, press Enter. */
export async function startPickerCommand(page: Page, title: string): Promise<void> {
  const row = page.locator(`${QUICK_INPUT} .monaco-list-row`, { hasText: title }).first();
  // Something taking focus (a terminal whose shell just started) closes the palette: open it again, twice at most.
  let input: Locator | undefined;
  for (let attempt = 1; !input; attempt++) {
    try {
      const opened = await openCommandPalette(page);
      await opened.fill(`>${title}`, { timeout: 5_000 });
      await row.waitFor({ state: 'visible', timeout: 15_000 });
      input = opened;
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
  await page.keyboard.press('Enter');
  const opened = async () => !(await input.inputValue()).startsWith('>');
  await pollUntil(opened, { timeout: 15_000, message: `${title} did not open its picker` });
}

/** Clicks the first row of the open quick pick that shows `text`. */
export async function pickRow(page: Page, text: string): Promise<void> {
  const row = page.locator(`${QUICK_INPUT} .monaco-list-row`, { hasText: text }).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await row.click();
}

/** A button of a notification toast by its text. */
export function notificationButton(page: Page, text: string): Locator {
  return page.locator('.notifications-toasts .notification-toast a.monaco-button', { hasText: text }).first();
}

export async function clearNotifications(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await runCommand(page, 'Notifications: Clear All Notifications');
}

/**
 * Runs `trigger` (which opens an https://portal.azure.* link), answers VS Code's "open the external
 * website?" dialog with Open, and returns the URL the new tab got. Nothing leaves the box: the portal is
 * answered by a stub inside the browser itself.
 */
export async function openedExternalUrl(
  context: BrowserContext,
  page: Page,
  trigger: () => Promise<void>,
): Promise<string> {
  const portal = /^https:\/\/portal\.azure\./;
  await context.route(portal, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<title>stub</title>' }),
  );
  try {
    const popupP = context.waitForEvent('page', { timeout: 20_000 });
    await trigger();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 10_000 });
    if (!/open the external website/i.test(await dialog.innerText()))
      throw new Error('not the external-website dialog');
    await dialog.getByRole('button', { name: 'Open', exact: true }).click();
    const popup = await popupP;
    await popup.waitForLoadState('domcontentloaded');
    const url = popup.url();
    await popup.close();
    return url;
  } finally {
    await context.unroute(portal);
  }
}
