/**
 * Integration tests inside the real extension host (code-server = VS Code 1.100.3), against the emulator
 * named by the environment the harness gives code-server. Real `vscode` API, real extension.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { VmIdentityApi } from '../../src/extension';
import type { SessionState } from '../../src/session/session';
import { type Node, rootsFor, toTreeItem } from '../../src/ui/tree';

const EXTENSION_ID = 'vm-identity.vm-identity';
const control = process.env.VMID_EMULATOR_CONTROL!;

interface DatasetLite {
  tenantId: string;
  subscriptionId: string;
  resourceGroupName: string;
  vm: { name: string; location: string; vmSize: string };
  systemIdentity: { principalId: string; clientId: string };
  userAssignedIdentities: Array<{ principalId: string; clientId: string; resourceId: string }>;
}

async function emulator(path: string, init?: { method: string; body?: unknown }): Promise<unknown> {
  const res = await fetch(`${control}/_emulator/${path}`, {
    method: init?.method ?? 'GET',
    headers: { 'content-type': 'application/json' },
    body: init?.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

async function until(api: VmIdentityApi, wanted: SessionState['status'], ms = 30_000): Promise<SessionState> {
  const start = Date.now();
  while (api.state.status !== wanted) {
    if (Date.now() - start > ms) throw new Error(`state is ${api.state.status}, waited for ${wanted}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return api.state;
}

/** Every tree item of the view, as VS Code would render it, depth first. */
function render(nodes: Node[], depth = 0): Array<{ depth: number; item: vscode.TreeItem }> {
  return nodes.flatMap((n) => {
    const item = toTreeItem(n);
    const children = n.kind === 'section' || n.kind === 'group' ? render(n.children(), depth + 1) : [];
    return [{ depth, item }, ...children];
  });
}
const text = (i: vscode.TreeItem) => `${typeof i.label === 'string' ? i.label : i.label?.label ?? ''} ${i.description ?? ''}`;

describe('VM Identity in the extension host', () => {
  let api: VmIdentityApi;
  let dataset: DatasetLite;

  before(async () => {
    assert.ok(control, 'VMID_EMULATOR_CONTROL is set by the harness');
    const ext = vscode.extensions.getExtension<VmIdentityApi>(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is installed`);
    api = await ext.activate();
    dataset = (await emulator('dataset')) as DatasetLite;
    await emulator('faults', { method: 'DELETE' });
  });

  it('registers every command of its manifest, all in the "VM Identity" category', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const declared = (ext.packageJSON.contributes.commands as Array<{ command: string; category: string }>);
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

  it('signs in from the command and shows the emulator\'s identity, VM and every role in the tree', async () => {
    await vscode.commands.executeCommand('vmIdentity.signIn');
    const state = await until(api, 'signedIn');
    assert.ok(state.status === 'signedIn');
    const s = state.snapshot;
    assert.equal(s.identity.principalId, dataset.systemIdentity.principalId);
    assert.equal(s.identity.clientId, dataset.systemIdentity.clientId);
    assert.equal(s.identity.tenantId, dataset.tenantId);
    assert.equal(s.vm.status === 'ok' ? s.vm.value.name : undefined, dataset.vm.name);

    const expected = (await emulator(`expected-assignments?principalId=${dataset.systemIdentity.principalId}`)) as Array<{ id: string }>;
    const items = render(rootsFor(state));
    const all = items.map((x) => text(x.item)).join('\n');
    for (const v of [dataset.systemIdentity.principalId, dataset.systemIdentity.clientId, dataset.tenantId, dataset.vm.name, dataset.resourceGroupName, dataset.subscriptionId, dataset.vm.location, dataset.vm.vmSize]) {
      assert.ok(all.includes(v), `the tree shows ${v}`);
    }
    const assignmentItems = items.filter((x) => x.item.contextValue?.includes('roleAssignment'));
    assert.equal(assignmentItems.length, s.roles.status === 'ok' ? s.roles.value.assignments.length : -1);
    assert.deepEqual(assignmentItems.map((x) => x.item.id).sort(), expected.map((e) => e.id).sort());
    for (const a of assignmentItems) assert.match(String(a.item.description), /^(direct|via group|inherited)/);
    const ids = items.map((x) => x.item.id);
    assert.equal(new Set(ids).size, ids.length, 'tree item ids are unique');
  });

  it('sign out forgets the identity and empties the tree (the welcome view shows; the UI suite clicks its button)', async () => {
    await vscode.commands.executeCommand('vmIdentity.signOut');
    assert.equal(api.state.status, 'signedOut');
    assert.deepEqual(rootsFor(api.state), [], 'an empty tree lets the welcome view show');
  });

  it('403 on role assignments → a Reader guidance node with the IAM link, the rest still shown', async () => {
    await emulator('config', { method: 'POST', body: { armReadable: { [dataset.systemIdentity.principalId]: false } } });
    try {
      await vscode.commands.executeCommand('vmIdentity.signIn');
      const state = await until(api, 'signedIn');
      const items = render(rootsFor(state));
      const guidance = items.find((x) => text(x.item).includes('give this identity Reader'));
      assert.ok(guidance, 'guidance node');
      assert.equal(guidance.item.command?.command, 'vscode.open');
      assert.match((guidance.item.command?.arguments?.[0] as vscode.Uri).toString(true), /^https:\/\/portal\.azure\.com\/#@[0-9a-f-]+\/resource\/subscriptions\/.*\/users$/);
      assert.ok(items.some((x) => text(x.item).includes(dataset.systemIdentity.principalId)));
    } finally {
      await emulator('config', { method: 'POST', body: { armReadable: { [dataset.systemIdentity.principalId]: true } } });
      await vscode.commands.executeCommand('vmIdentity.signOut');
    }
  });

  it('a failing identity endpoint → error state; Refresh recovers without reloading', async () => {
    await emulator('faults', { method: 'POST', body: { endpoint: 'imds-token', steps: [{ status: 400, body: { error: 'invalid_request', error_description: 'Identity not found' }, count: 50 }] } });
    try {
      void vscode.commands.executeCommand('vmIdentity.signIn');
      const state = await until(api, 'error');
      assert.ok(state.status === 'error');
      assert.equal(state.error.kind, 'identityNotFound');
      assert.match(state.error.fix, /System assigned/);
    } finally {
      await emulator('faults', { method: 'DELETE' });
    }
    await vscode.commands.executeCommand('vmIdentity.refresh');
    await until(api, 'signedIn');
  });
});
