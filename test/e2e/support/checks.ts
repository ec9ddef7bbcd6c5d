/**
 * Checks shared by the UI suites: the identity tree against the emulator's dataset, and the scan for
 * issued tokens in what VS Code wrote.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { Dataset, ExpectedView } from '../../emulator';
import {
  SCOPE_GROUP_LABEL,
  type ShownSubscription,
  assignmentLabel,
  scopeGroupOf,
  shownPerSubscription,
} from '../../support/roleView';
import { SIDEBAR, setExpanded, treeRow, waitForTreeRow } from './views';

const GROUP_ORDER = ['root', 'managementGroup', 'subscription', 'resourceGroup', 'resource'] as const;
const squeeze = (s: string) => s.replace(/\s+/g, '');

/** The row's text is "<label><count>": no more and no fewer children than expected. */
async function assertCount(page: Page, label: string, count: number): Promise<void> {
  assert.equal(squeeze(await treeRow(page, label).innerText()), squeeze(`${label}${count}`), `${label} holds ${count}`);
}

/**
 * Checks the role section against the emulator's expected-view: one group per subscription (display name
 * and count, the VM's first), then in each, unfolded alone (the list is virtualised), its Denied group and
 * each scope group holding exactly the assignments ARM lists there, as "Role — scope name". Returns how
 * many assignments were checked.
 */
export async function assertRoleRowsShown(
  page: Page,
  dataset: Dataset,
  view: ExpectedView,
  onGroupOpen?: (group: string, subscription: ShownSubscription) => Promise<void>,
): Promise<number> {
  const shown = shownPerSubscription(view);
  await setExpanded(page, 'Identity', false);
  await setExpanded(page, 'Virtual machine', false);
  let checked = 0;
  for (const sub of shown) {
    // Only this subscription is unfolded (each is folded again below; only the VM's starts unfolded), so its
    // group rows are the only ones of their name in the DOM.
    await assertCount(page, sub.displayName, sub.assignments.length);
    await setExpanded(page, sub.displayName, true);
    if (sub.denyAssignments.length > 0) {
      await assertCount(page, 'Denied', sub.denyAssignments.length);
      await setExpanded(page, 'Denied', true);
      for (const d of sub.denyAssignments) {
        await waitForTreeRow(page, `${d.denyAssignmentName} — ${d.scope.split('/').pop()}`, {
          scope: SIDEBAR,
          timeout: 10_000,
        });
      }
      await setExpanded(page, 'Denied', false);
    }
    for (const kind of GROUP_ORDER) {
      const mine = sub.assignments.filter((a) => scopeGroupOf(a.scope) === kind);
      if (mine.length === 0) continue;
      const group = SCOPE_GROUP_LABEL[kind];
      await assertCount(page, group, mine.length);
      await setExpanded(page, group, true);
      for (const a of mine)
        await waitForTreeRow(page, assignmentLabel(dataset, a), { scope: SIDEBAR, timeout: 10_000 });
      checked += mine.length;
      await onGroupOpen?.(group, sub);
      await setExpanded(page, group, false);
    }
    await setExpanded(page, sub.displayName, false);
  }
  await setExpanded(page, shown[0].displayName, true);
  await setExpanded(page, 'Identity', true);
  await setExpanded(page, 'Virtual machine', true);
  return checked;
}

/** Every regular file below `dirs` (under 50 MB), read now: code-server's stop() removes its user data. */
export function readFilesUnder(...dirs: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && fs.statSync(p).size < 50_000_000) out.set(p, fs.readFileSync(p, 'latin1'));
    }
  };
  for (const d of dirs) walk(d);
  return out;
}

/** The issued tokens, or their payload or signature alone (a truncated copy still leaks), found in `haystack`. */
export function tokenPartsIn(haystack: string, tokens: readonly string[]): string[] {
  const needles = tokens.flatMap((t) => [
    t,
    ...t
      .split('.')
      .slice(1)
      .filter((p) => p.length >= 16),
  ]);
  return needles.filter((n) => haystack.includes(n)).map((n) => `${n.slice(0, 12)}…`);
}
