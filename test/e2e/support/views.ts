/**
 * Page objects of the views: the activity bar, the sidebar's tree rows (virtualised: only what is scrolled
 * into view is in the DOM), the welcome view and the sidebar's width.
 */
import type { Locator, Page } from 'playwright-core';
import { pollUntil } from './common';

export const SIDEBAR = '.part.sidebar';

/** Opens a view container from the activity bar by its label; leaves it open when it already is. */
export async function openActivity(page: Page, label: string, timeout = 30_000): Promise<void> {
  const item = page.locator(`a.action-label[aria-label="${label}"], a.action-label[aria-label^="${label} ("]`).first();
  await item.waitFor({ state: 'visible', timeout });
  const li = item.locator('xpath=ancestor::li[1]');
  const checked = /\bchecked\b/.test((await li.getAttribute('class').catch(() => '')) ?? '');
  const sidebarVisible = await page.locator(SIDEBAR).isVisible();
  if (!(checked && sidebarVisible)) await item.click();
  await pollUntil(
    async () => /\bchecked\b/.test((await li.getAttribute('class')) ?? '') && page.locator(SIDEBAR).isVisible(),
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

/** A row of the sidebar tree by its label (VS Code sets aria-label to "<label> <description>"). */
export function treeRow(page: Page, label: string): Locator {
  return page.locator(`${SIDEBAR} .monaco-list-row[role="treeitem"][aria-label^="${label}"]`).first();
}

/** Expands (or folds) a row and waits until the tree says so. */
export async function setExpanded(page: Page, label: string, expanded: boolean): Promise<void> {
  const r = treeRow(page, label);
  await r.waitFor({ state: 'visible', timeout: 10_000 });
  if ((await r.getAttribute('aria-expanded')) !== String(expanded)) await r.locator('.monaco-tl-twistie').click();
  const done = async () => (await r.getAttribute('aria-expanded')) === String(expanded);
  await pollUntil(done, { timeout: 10_000, message: `row "${label}" not ${expanded ? 'expanded' : 'folded'}` });
}

/** The welcome view's content of the sidebar, once shown (whitespace collapsed). */
export async function welcomeViewText(page: Page): Promise<string> {
  const welcome = page.locator(`${SIDEBAR} .welcome-view-content`);
  await welcome.waitFor({ state: 'visible', timeout: 10_000 });
  return (await welcome.innerText()).replace(/\s+/g, ' ');
}

/** A button of the sidebar's welcome view by its text. */
export function welcomeButton(page: Page, text: string): Locator {
  return page.locator(`${SIDEBAR} .welcome-view-content a.monaco-button`, { hasText: text });
}

/** Drags the sidebar's sash so long IDs are readable in screenshots. */
export async function widenSidebar(page: Page, width: number): Promise<void> {
  const box = await page.locator(SIDEBAR).boundingBox();
  if (!box || box.width >= width) return;
  const x = box.x + box.width;
  const y = box.y + box.height / 2;
  await page.mouse.move(x - 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 8 });
  await page.mouse.up();
  await page.mouse.move(box.x + width + 300, y); // off the sash, so it is not highlighted
}
