/**
 * Checks shared by the UI suites: the identity tree against the emulator's dataset, and the scan for
 * issued tokens in what VS Code wrote.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { type Dataset, expectedAssignmentsFor } from '../../emulator';
import { SIDEBAR, setExpanded, treeRow, waitForTreeRow } from './views';

const GROUPS = ['Management groups', 'Subscription', 'Resource groups', 'Resources'] as const;

function groupOf(scope: string): (typeof GROUPS)[number] {
  if (scope.startsWith('/providers/')) return 'Management groups';
  if (/^\/subscriptions\/[^/]+$/i.test(scope)) return 'Subscription';
  if (/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+$/i.test(scope)) return 'Resource groups';
  return 'Resources';
}

/**
 * Unfolds the role groups one at a time (the list is virtualised) and checks that each shows exactly the
 * assignments ARM lists for the system identity, as "Role — scope name". Returns how many were checked.
 */
export async function assertRoleRowsShown(page: Page, dataset: Dataset, onGroupOpen?: (group: string) => Promise<void>): Promise<number> {
  const roleName = new Map(dataset.roleDefinitions.map((r) => [r.name.toLowerCase(), r.properties.roleName]));
  const expected = expectedAssignmentsFor(dataset, dataset.systemIdentity.principalId, 'assignedTo');
  await setExpanded(page, 'Identity', false);
  await setExpanded(page, 'Virtual machine', false);
  for (const group of GROUPS) {
    const mine = expected.filter((a) => groupOf(a.scope) === group);
    if (mine.length === 0) continue;
    // The group's description is its count: no more and no fewer rows than expected.
    assert.equal((await treeRow(page, group).innerText()).replace(/\s+/g, ''), `${group.replace(/\s+/g, '')}${mine.length}`, `${group} holds ${mine.length}`);
    await setExpanded(page, group, true);
    for (const a of mine) {
      const label = `${roleName.get(a.roleDefinitionId.split('/').pop()!.toLowerCase())} — ${a.scope.split('/').pop()}`;
      await waitForTreeRow(page, label, { scope: SIDEBAR, timeout: 10_000 });
    }
    await onGroupOpen?.(group);
    await setExpanded(page, group, false);
  }
  await setExpanded(page, 'Identity', true);
  await setExpanded(page, 'Virtual machine', true);
  return expected.length;
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
  const needles = tokens.flatMap((t) => [t, ...t.split('.').slice(1).filter((p) => p.length >= 16)]);
  return needles.filter((n) => haystack.includes(n)).map((n) => `${n.slice(0, 12)}…`);
}
