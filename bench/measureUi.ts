/** One VS Code session of the bench: a code-server on an emulator, timed sign-ins, expands and reloads. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scopeKind } from '../src/azure/roles';
import { type Browser } from '../test/e2e/support/browser';
import { type CodeServer, startCodeServer, workbenchUrl } from '../test/e2e/support/codeServer';
import { pollUntil } from '../test/e2e/support/common';
import { openActivity } from '../test/e2e/support/views';
import { openWorkbench } from '../test/e2e/support/workbench';
import { type Emulator, expectedAssignmentsFor } from '../test/emulator';
import { GROUP_LABELS, median, ms, progress, SIDEBAR, STATUS_ID } from './config';
import { networkStages, requestCounts } from './processes';
import {
  activationTimes,
  collapse,
  groupsOf,
  LogLine,
  readLog,
  sidebarRows,
  SignInRun,
  signOut,
  timedExpand,
  timedPaletteOpen,
  timedSignIn,
  UiSession,
} from './uiActions';

export async function uiSession(
  browser: Browser,
  extensionsDir: string,
  workRoot: string,
  emu: Emulator,
  opts: { armLatency: number; runs: number; verifyEveryRow?: boolean; responsiveness?: boolean; reloads?: number },
  activations: number[],
): Promise<UiSession> {
  const d = emu.dataset;
  emu.configure({ latencyMs: { imds: 0, arm: 0, graph: 0 } });
  const folder = path.join(workRoot, `workspace-${d.roleAssignments.length}`);
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'README.md'), '# bench\n');
  // The extension talks plain http to the loopback emulator (allowed for loopback only), as the e2e tests do.
  const server: CodeServer = await startCodeServer({
    folder,
    extensionsDir,
    env: {
      AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl,
      VM_IDENTITY_ARM_ENDPOINT: emu.httpUrl,
      VM_IDENTITY_GRAPH_ENDPOINT: emu.httpUrl,
    },
    settings: { 'vmIdentity.signInAutomatically': false, 'workbench.sideBar.location': 'left' },
  });
  const page = browser.page;
  const expected = expectedAssignmentsFor(d, d.systemIdentity.principalId, 'assignedTo');
  const groups = groupsOf(emu);
  try {
    emu.resetLog();
    const loads = 1 + (opts.reloads ?? 0);
    for (let i = 0; i < loads; i++) {
      const before = activationTimes(server.userDataDir).length;
      if (i === 0) await openWorkbench(page, workbenchUrl(server, { folder }));
      else {
        await page.reload({ waitUntil: 'domcontentloaded' });
        await page.locator('.part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
      }
      await pollUntil(() => activationTimes(server.userDataDir).length > before, {
        timeout: 60_000,
        message: 'the extension logged its activation',
      });
    }
    activations.push(...activationTimes(server.userDataDir));
    await page
      .locator(`[id="${STATUS_ID}" i]`)
      .filter({ hasText: 'signed out' })
      .waitFor({ state: 'visible', timeout: 60_000 });
    await openActivity(page, 'VM Identity');
    await new Promise((r) => setTimeout(r, 500));
    const requestsBeforeSignIn = emu.requests.filter((r) => r.service !== 'control').length;

    // The biggest scope group and its first row (the tree sorts by scope, then role name).
    let big: { label: string; count: number; first: string } | undefined;
    if (opts.responsiveness) {
      const biggest = [...groups].sort((a, b) => b.count - a.count)[0];
      const roleName = new Map(d.roleDefinitions.map((r) => [r.name.toLowerCase(), r.properties.roleName]));
      const named = expected
        .filter((x) => GROUP_LABELS[scopeKind(x.scope)] === biggest.label)
        .map((a) => ({
          scope: a.scope.toLowerCase(),
          name: roleName.get(a.roleDefinitionId.split('/').pop()!.toLowerCase()) ?? '',
          last: a.scope.split('/').pop()!,
        }))
        .sort((a, b) => a.scope.localeCompare(b.scope) || a.name.localeCompare(b.name));
      big = { ...biggest, first: `${named[0].name} — ${named[0].last}` };
    }
    const coldExpands: number[] = [];

    emu.configure({ latencyMs: { imds: 0, arm: opts.armLatency, graph: opts.armLatency } });
    const runs: SignInRun[] = [];
    let pages = 0;
    let firstCounts: Record<string, number> = {};
    let counts: Record<string, number> = {};
    for (let i = 0; i <= opts.runs; i++) {
      await signOut(page);
      emu.resetLog();
      const logBefore = readLog(server.userDataDir).length;
      const r = await timedSignIn(page, {
        statusText: d.vm.name,
        count: expected.length,
        groups: groups.map((g) => g.label),
      });
      pages = emu.requests.filter((q) => q.endpoint === 'arm-role-assignments').length;
      counts = requestCounts(emu.requests.filter((q) => q.service !== 'control'));
      if (i === 0) firstCounts = counts;
      const run: SignInRun = {
        total: r.total,
        status: r.status,
        tree: r.tree,
        pages,
        stages: opts.armLatency > 0 ? networkStages(emu.requests, 'arm') : undefined,
      };
      const fresh = await pollUntil(
        () => {
          const lines = readLog(server.userDataDir).slice(logBefore);
          return lines.some((l) => l.text.startsWith('signed in')) ? lines : undefined;
        },
        { timeout: 10_000, interval: 50 },
      ).catch(() => [] as LogLine[]);
      const requested = fresh.find((l) => l.text === 'sign in requested');
      const done = fresh.find((l) => l.text.startsWith('signed in'));
      if (requested) run.dispatch = requested.at - r.enterEpoch;
      if (done) {
        run.toLogged = done.at - r.enterEpoch;
        const m = / in (\d+) ms$/.exec(done.text);
        if (m) run.snapshotMs = Number(m[1]);
      }
      if (i > 0) runs.push(run); // the first sign-in warms up the extension host's code paths
      if (big && i > 0) {
        // First unfolding of the biggest group after this sign-in: its children are built now.
        coldExpands.push(await timedExpand(page, big.label, big.first));
        await collapse(page, big.label);
      }
      progress(
        `  UI ${expected.length} assignments, ARM ${opts.armLatency} ms, run ${i}${i === 0 ? ' (warm-up)' : ''}: ${ms(r.total)} ms (status ${ms(r.status)}, tree ${ms(r.tree)})`,
      );
    }
    const session: UiSession = {
      assignments: expected.length,
      armLatency: opts.armLatency,
      runs,
      pages,
      limitMs: 0 + pages * opts.armLatency,
      requestsBeforeSignIn,
      groups,
      firstCounts,
      counts,
    };
    emu.configure({ latencyMs: { imds: 0, arm: 0, graph: 0 } });

    if (opts.verifyEveryRow) {
      // Every role, as the e2e test checks it: unfold each group, find each "<role> — <scope name>" row.
      const roleName = new Map(d.roleDefinitions.map((r) => [r.name.toLowerCase(), r.properties.roleName]));
      const seen = new Set<string>();
      for (const g of groups) {
        const row = page.locator(`${SIDEBAR} .monaco-list-row[role="treeitem"][aria-label^="${g.label} "]`).first();
        if ((await row.getAttribute('aria-expanded')) !== 'true') await row.locator('.monaco-tl-twistie').click();
        for (const a of expected.filter((x) => GROUP_LABELS[scopeKind(x.scope)] === g.label)) {
          const label = `${roleName.get(a.roleDefinitionId.split('/').pop()!.toLowerCase())} — ${a.scope.split('/').pop()}`;
          await pollUntil(async () => (await sidebarRows(page)).some((l) => l.startsWith(label)), {
            timeout: 10_000,
            message: `row ${label}`,
          });
          seen.add(a.id);
        }
        await row.locator('.monaco-tl-twistie').click();
      }
      session.verifiedRows = seen.size;
    }

    if (big) {
      // With the group loaded, re-expanding it and opening the palette (over a tree holding all its rows).
      const warm: number[] = [];
      for (let i = 0; i < 3; i++) warm.push(await timedExpand(page, big.label, big.first));
      const palette: number[] = [];
      for (let i = 0; i < 5; i++) palette.push(await timedPaletteOpen(page));
      session.expandBiggest = { label: big.label, count: big.count, cold: coldExpands, warm };
      session.paletteOpenMs = palette;
      progress(
        `  expand "${big.label}" (${big.count}): first ${ms(median(coldExpands))} ms, again ${ms(median(warm))} ms; palette opens in ${ms(median(palette))} ms`,
      );
    }
    return session;
  } finally {
    await server.stop();
  }
}
