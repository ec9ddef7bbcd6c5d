/**
 * Integration tests inside the real extension host (code-server = VS Code 1.100.3), against the emulator
 * named by the environment the launcher (test/e2e/extensionHost.e2e.ts) gives code-server. Real `vscode`
 * API, real extension; the tree is read through the provider the extension registered.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { VmIdentityApi } from '../../src/extension';
import type { Dataset } from '../emulator';
import { EXTENSION_ID, EmulatorControl, activateExtension, readTree, untilStatus } from './support';

describe('VM Identity in the extension host', () => {
  let api: VmIdentityApi;
  let dataset: Dataset;
  let emulator: EmulatorControl;

  before(async () => {
    const control = process.env.VMID_EMULATOR_CONTROL;
    assert.ok(control, 'VMID_EMULATOR_CONTROL is set by the launcher');
    emulator = new EmulatorControl(control);
    api = await activateExtension();
    dataset = await emulator.dataset();
    await emulator.clearFaults();
  });

  it('registers every command of its manifest, all in the "VM Identity" category', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const declared = ext.packageJSON.contributes.commands as Array<{ command: string; category: string }>;
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const c of declared) {
      assert.ok(registered.has(c.command), `${c.command} is registered`);
      assert.equal(c.category, 'VM Identity');
    }
    assert.ok(declared.length >= 10);
  });

  it('declares every setting machine-scoped, and a workspace cannot redirect the identity', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const props = ext.packageJSON.contributes.configuration.properties as Record<string, { scope: string }>;
    for (const [key, p] of Object.entries(props)) assert.equal(p.scope, 'machine', key);
    // The test workspace's .vscode/settings.json sets vmIdentity.identity; machine scope must ignore it.
    const value = vscode.workspace.getConfiguration('vmIdentity').get('identity');
    assert.equal(value, 'system');
  });

  it('is in the workspace extension host (where IMDS answers under Remote-SSH)', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    assert.deepEqual(ext.packageJSON.extensionKind, ['workspace']);
    assert.equal(ext.extensionKind, vscode.ExtensionKind.Workspace);
  });

  it("signs in from the command; the registered tree shows the emulator's identity, VM and every role", async () => {
    await vscode.commands.executeCommand('vmIdentity.signIn');
    const state = await untilStatus(api, 'signedIn');
    assert.ok(state.status === 'signedIn');
    const s = state.snapshot;
    assert.equal(s.identity.principalId, dataset.systemIdentity.principalId);
    assert.equal(s.identity.clientId, dataset.systemIdentity.clientId);
    assert.equal(s.identity.tenantId, dataset.tenantId);
    assert.equal(s.vm.status === 'ok' ? s.vm.value.name : undefined, dataset.vm.name);

    const view = await emulator.expectedView(dataset.systemIdentity.principalId);
    const rows = await readTree(api.tree);
    const all = rows.map((r) => r.text).join('\n');
    const d = dataset;
    const shown = [d.systemIdentity.principalId, d.systemIdentity.clientId, d.tenantId, d.vm.name, d.resourceGroupName];
    for (const v of [...shown, d.subscriptionId, d.vm.location, d.vm.vmSize])
      assert.ok(all.includes(v), `the tree shows ${v}`);
    // One group per subscription the identity sees, the VM's first (roles.itest.ts checks what each holds).
    const groups = rows.filter((r) => /^roles\.[0-9a-f-]{36}$/.test(r.item.id ?? '')).map((r) => r.item.id);
    assert.deepEqual(
      groups,
      view.subscriptions.map((x) => `roles.${x.subscriptionId.toLowerCase()}`),
    );
    const assignments = rows.filter((r) => r.item.contextValue?.includes('roleAssignment'));
    assert.equal(assignments.length, s.roles.status === 'ok' ? s.roles.value.assignments.length : -1);
    assert.deepEqual(assignments.map((r) => r.item.id).sort(), [...view.assignmentIds].sort());
    for (const a of assignments) assert.match(String(a.item.description), /^(direct|via group|inherited)/);
    const ids = rows.map((r) => r.item.id);
    assert.equal(new Set(ids).size, ids.length, 'tree item ids are unique');
  });

  it('sign out forgets the identity and empties the tree (so the welcome view shows; the UI suite clicks it)', async () => {
    await vscode.commands.executeCommand('vmIdentity.signOut');
    assert.equal(api.state.status, 'signedOut');
    assert.deepEqual(await readTree(api.tree), [], 'an empty tree lets the welcome view show');
  });
});
