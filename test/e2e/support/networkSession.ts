/**
 * One realistic-network run (network.e2e.ts): the network box, two recording proxies, the installed .vsix
 * and a shared Chromium, plus what the suite does with them: start VS Code with the shipped defaults, run
 * the CLI, refresh and wait, and scan every code-server for issued tokens before it stops.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { LoggedRequest } from '../../emulator';
import { recordCase } from '../../support/cases';
import { type RecordingProxy, startRecordingProxy } from '../../support/recordingProxy';
import { lastSeq, since } from '../../support/requests';
import { type CliRun, spawnCli } from '../../support/spawnCli';
import { type Browser, launchBrowser } from './browser';
import { readFilesUnder, tokenPartsIn } from './checks';
import { type CodeServer, installVsix, startCodeServer, workbenchUrl } from './codeServer';
import { mkTemp, pollUntil, rmrf } from './common';
import { type NetworkBox, OVERRIDE_ENV, startNetworkBox } from './networkBox';
import { SIDEBAR, openActivity, treeRows, waitForTreeRow } from './views';
import { openWorkbench, runCommand, waitForStatusItem } from './workbench';

export const STATUS = 'vm-identity.vm-identity.vmIdentity.status';

export class NetworkSession {
  /** Token parts searched so far; every code-server of the suite is scanned before it stops. */
  private readonly scanned = { servers: 0, files: 0, leaks: [] as string[] };

  private constructor(
    readonly box: NetworkBox,
    readonly settingsProxy: RecordingProxy,
    readonly envProxy: RecordingProxy,
    readonly browser: Browser,
    private readonly tmp: string,
    private readonly extensionsDir: string,
  ) {}

  static async start(vsix: string): Promise<NetworkSession> {
    const box = await startNetworkBox({ dataset: { assignments: 12, userAssignedIdentities: 2 } });
    const tmp = mkTemp('vmid-net-');
    const extensionsDir = path.join(tmp, 'extensions');
    await installVsix(vsix, extensionsDir);
    const [settingsProxy, envProxy, browser] = await Promise.all([
      startRecordingProxy(),
      startRecordingProxy(),
      launchBrowser({ viewport: { width: 1400, height: 1000 } }),
    ]);
    return new NetworkSession(box, settingsProxy, envProxy, browser, tmp, extensionsDir);
  }

  get requests(): readonly LoggedRequest[] {
    return this.box.emu.requests;
  }

  mark(): number {
    return lastSeq(this.box.emu.requests);
  }

  since(mark: number): LoggedRequest[] {
    return since(this.box.emu.requests, mark);
  }

  /** Runs dist/cli.js as a user would, with the shipped defaults' environment. */
  cli(args: string[], extraEnv: Record<string, string> = {}): Promise<CliRun> {
    return spawnCli(args, this.box.productEnv({ NODE_EXTRA_CA_CERTS: this.box.caCertPath, ...extraEnv }));
  }

  /** Starts code-server with the shipped defaults (no overrides), opens the workbench in the shared browser. */
  async openVsCode(opts: { env?: Record<string, string>; settings?: Record<string, unknown> } = {}) {
    const folder = path.join(this.tmp, `ws-${Date.now()}`);
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'README.md'), '# a project on the VM\n');
    const server = await startCodeServer({
      folder,
      extensionsDir: this.extensionsDir,
      unsetEnv: OVERRIDE_ENV,
      env: { NODE_EXTRA_CA_CERTS: this.box.caCertPath, ...(opts.env ?? {}) },
      settings: opts.settings,
    });
    const page = this.browser.page;
    await openWorkbench(page, workbenchUrl(server, { folder }));
    return { server, page };
  }

  async assertIdentityShown(page: Page): Promise<void> {
    const d = this.box.emu.dataset;
    await openActivity(page, 'VM Identity');
    await waitForTreeRow(page, d.systemIdentity.principalId, { scope: SIDEBAR });
    const all = (await treeRows(page, SIDEBAR)).join('\n');
    for (const v of [
      d.systemIdentity.principalId,
      d.systemIdentity.clientId,
      d.tenantId,
      d.vm.name,
      d.resourceGroupName,
      d.subscriptionId,
      d.vm.location,
    ]) {
      assert.ok(all.includes(v), `the tree shows ${v}`);
    }
  }

  /** Runs Refresh and waits until the emulator answered the role list and the status shows the identity again. */
  async refreshAndWait(page: Page, timeout = 60_000): Promise<LoggedRequest[]> {
    const mark = this.mark();
    await runCommand(page, 'VM Identity: Refresh');
    const listed = () => this.since(mark).some((r) => r.endpoint === 'arm-role-assignments' && r.status > 0);
    await pollUntil(listed, { timeout, message: 'Refresh listed no role assignments' });
    const d = this.box.emu.dataset;
    await waitForStatusItem(page, STATUS, { text: d.vm.name, timeout: 15_000 });
    await waitForTreeRow(page, d.systemIdentity.principalId, { scope: SIDEBAR, timeout: 15_000 });
    return this.since(mark);
  }

  /** Fails if an issued token (or its payload or signature alone) is in the server's logs or user data. */
  async scanForTokensAndStop(server: CodeServer | undefined): Promise<void> {
    if (!server) return;
    const files = readFilesUnder(server.userDataDir); // read before stop(), which removes the user data
    await server.stop();
    const leaks = tokenPartsIn([...server.logs, ...files.values()].join('\n'), this.box.emu.issuedTokens);
    this.scanned.servers++;
    this.scanned.files += files.size;
    this.scanned.leaks.push(...leaks);
    const channelLog = [...files.keys()].some((f) => f.endsWith('VM Identity.log'));
    assert.ok(channelLog, "the output channel's log is among the scanned files");
    assert.deepEqual(leaks, [], 'an issued token (or part of one) was found');
  }

  async close(): Promise<void> {
    const { servers, files, leaks } = this.scanned;
    if (servers > 0) {
      recordCase({
        area: 'security (real VS Code)',
        name: "realistic-network suite: every code-server's logs and user data (incl. globalStorage, settings, output channel logs) scanned for issued tokens",
        expected: 'no token or token part anywhere',
        observed: `${this.box.emu.issuedTokens.length} tokens × 3 parts searched in ${servers} code-servers (${files} files + logs): ${leaks.length ? `found ${leaks.join(', ')}` : 'none found'}`,
        pass: leaks.length === 0,
      });
    }
    await this.browser.close();
    await this.settingsProxy.close();
    await this.envProxy.close();
    await this.box.close();
    rmrf(this.tmp);
  }
}

/** The extension's output channel as VS Code writes it to disk ("VM Identity.log" of the first extension host). */
export function extensionLog(server: CodeServer): string {
  const logs = path.join(server.userDataDir, 'logs');
  if (!fs.existsSync(logs)) return '';
  for (const session of fs.readdirSync(logs).sort().reverse()) {
    const file = path.join(logs, session, 'exthost1', 'vm-identity.vm-identity', 'VM Identity.log');
    if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
  }
  return '';
}
