/**
 * Issue 9's acceptance in the real extension host: the role view read through the registered tree provider,
 * compared with what the emulator computes on its own (GET /_emulator/expected-view) for each persona
 * (GET /_emulator/personas), and the role-definition requests in its request log. Runs first of the suites,
 * so the first sign-in finds no role name remembered.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { VmIdentityApi } from '../../src/extension';
import type { Dataset, LoggedRequest, Persona } from '../emulator';
import { type CaseSpec, runCase } from '../support/cases';
import { lastSeq, since } from '../support/requests';
import { expectedVia, scopeGroupOf, shownPerSubscription } from '../support/roleView';
import { EmulatorControl, type Row, activateExtension, readTree, settled, until } from './support';

const AREA = 'Role assignments in the extension host (issue 9: every subscription, least privilege, names remembered)';
const spec = (name: string, expected: string): CaseSpec => ({ area: AREA, name, expected });

/** The rows below the row with `id` (depth first: the contiguous run of deeper rows after it). */
function under(rows: Row[], id: string): Row[] {
  const i = rows.findIndex((r) => r.item.id === id);
  assert.ok(i >= 0, `a row ${id}; rows: ${rows.map((r) => r.item.id).join(', ')}`);
  const end = rows.findIndex((r, j) => j > i && r.depth <= rows[i].depth);
  return rows.slice(i + 1, end < 0 ? undefined : end);
}

/** The nearest row above `row` one level up. */
function parentOf(rows: Row[], row: Row): Row | undefined {
  for (let i = rows.indexOf(row) - 1; i >= 0; i--) if (rows[i].depth === row.depth - 1) return rows[i];
  return undefined;
}

const isAssignment = (r: Row) => r.item.contextValue?.includes('roleAssignment') ?? false;
const tooltipOf = (r: Row) => (typeof r.item.tooltip === 'string' ? r.item.tooltip : (r.item.tooltip?.value ?? ''));
const uriOf = (r: Row) => String((r.item.command?.arguments?.[0] as vscode.Uri | undefined)?.toString(true) ?? '');
const guidOf = (r: LoggedRequest) => r.path.split('/').pop()!.toLowerCase();

describe('Role assignments, in the extension host', function () {
  this.timeout(120_000);
  let api: VmIdentityApi;
  let emulator: EmulatorControl;
  let dataset: Dataset;
  let personas: Record<string, Persona | undefined>;
  const config = () => vscode.workspace.getConfiguration('vmIdentity');

  before(async () => {
    emulator = new EmulatorControl(process.env.VMID_EMULATOR_CONTROL!);
    api = await activateExtension();
    dataset = await emulator.dataset();
    personas = await emulator.personas();
    await emulator.clearFaults();
    await vscode.commands.executeCommand('vmIdentity.signOut');
  });

  after(async () => {
    await vscode.commands.executeCommand('vmIdentity.signOut');
    await config().update('identity', undefined, vscode.ConfigurationTarget.Global);
  });

  /** Selects the identity (the Global setting, as a user would), signs in, and returns what it asked and shows. */
  async function signInAs(identity: string, principalId: string) {
    await vscode.commands.executeCommand('vmIdentity.signOut');
    await config().update('identity', identity === 'system' ? undefined : identity, vscode.ConfigurationTarget.Global);
    await until(() => config().get('identity') === identity, `vmIdentity.identity is not ${identity}`, 5_000);
    const mark = lastSeq(await emulator.requests());
    void vscode.commands.executeCommand('vmIdentity.signIn');
    await until(() => api.state.status !== 'signedOut', 'sign-in did not start', 5_000);
    const state = await settled(api);
    assert.equal(state.status, 'signedIn', `signed in as ${identity}: ${JSON.stringify(state).slice(0, 300)}`);
    assert.equal(state.snapshot.identity.principalId, principalId, `the identity selected by ${identity}`);
    return { state, rows: await readTree(api.tree), requests: since(await emulator.requests(), mark) };
  }

  const persona = (name: string): Persona => {
    const p = personas[name];
    assert.ok(p, `the emulator has a ${name} persona`);
    return p;
  };
  let coldRoleDefinitionRequests: LoggedRequest[] = [];

  it('default identity: every subscription, each assignment once, Denied group, group-in-group "via group"', async () => {
    const c = spec(
      'Default identity (roles in two subscriptions, deny assignments, a group inside a group)',
      'both subscriptions by display name, the VM\'s first; every expected assignment exactly once, under its subscription and scope; a Denied group per subscription with its deny assignments; the nested group\'s role "via group"',
    );
    await runCase(c, async () => {
      const full = persona('full');
      const { rows, requests } = await signInAs('system', full.principalId);
      coldRoleDefinitionRequests = requests.filter((r) => r.endpoint === 'arm-role-definition');
      const view = await emulator.expectedView(full.principalId);
      const shown = shownPerSubscription(view);
      assert.ok(shown.length >= 2, `the emulator gives the identity roles in ${shown.length} subscriptions`);
      assert.ok(shown[0].isVmSubscription, "expected-view lists the VM's subscription first");

      const subscriptionRows = rows.filter((r) => /^roles\.[0-9a-f-]{36}$/.test(r.item.id ?? ''));
      assert.deepEqual(
        subscriptionRows.map((r) => r.item.id),
        shown.map((s) => s.nodeId),
        'one group per subscription, in order',
      );
      let denied = 0;
      for (const s of shown) {
        const row = subscriptionRows.find((r) => r.item.id === s.nodeId)!;
        assert.match(row.text, new RegExp(`^${s.displayName} ${s.assignments.length}$`), 'display name and count');
        assert.ok(tooltipOf(row).includes(s.subscriptionId), 'the id is in the tooltip');
        const inside = under(rows, s.nodeId);
        const got = inside.filter(isAssignment);
        assert.deepEqual(
          got.map((r) => r.item.id).sort(),
          s.assignments.map((a) => a.id).sort(),
          `${s.displayName}: its assignments`,
        );
        for (const a of s.assignments) {
          const r = got.find((x) => x.item.id === a.id)!;
          assert.equal(
            parentOf(rows, r)?.item.id,
            `${s.nodeId}.${scopeGroupOf(a.scope)}`,
            `${a.id} under its scope's group`,
          );
          assert.ok(
            String(r.item.description).startsWith(expectedVia(a, full.principalId)),
            `${r.text}: ${expectedVia(a, full.principalId)}`,
          );
        }
        const deny = inside.filter((r) => parentOf(rows, r)?.item.id === `${s.nodeId}.denied`);
        assert.deepEqual(
          deny.map((r) => r.item.id).sort(),
          s.denyAssignments.map((d) => d.id).sort(),
          `${s.displayName}: Denied group`,
        );
        for (const d of s.denyAssignments) {
          assert.ok(
            deny.find((r) => r.item.id === d.id)!.text.startsWith(d.denyAssignmentName),
            `deny row names ${d.denyAssignmentName}`,
          );
        }
        denied += deny.length;
      }
      assert.ok(denied >= 1, 'the dataset has a deny assignment for this identity');
      const all = rows.filter(isAssignment).map((r) => r.item.id!);
      assert.deepEqual(
        [...all].sort(),
        [...view.assignmentIds].sort(),
        'each expected assignment exactly once in the tree',
      );

      // groups[0] holds the identity, groups[2] holds groups[0]: its roles reach the identity through two groups.
      const nestedGroup = dataset.groups[2].id;
      const nested = view.subscriptions.flatMap((s) => s.assignments).filter((a) => a.principalId === nestedGroup);
      assert.ok(nested.length >= 1, 'the dataset assigns a role to the group inside a group');
      for (const a of nested) {
        const r = rows.find((x) => x.item.id === a.id)!;
        assert.match(String(r.item.description), /^via group/, `${r.text}`);
      }
      const nestedRow = rows.find((x) => x.item.id === nested[0].id)!;
      return `${shown.map((s) => `${s.displayName}: ${s.assignments.length} assignments, ${s.denyAssignments.length} denied`).join('; ')}; ${all.length} rows = expected-view's ${view.assignmentIds.length} ids; nested group's "${nestedRow.text}"`;
    });
  });

  it('role names are remembered: a second sign-in and a Refresh read no built-in role definition', async () => {
    const c = spec(
      'Role names remembered (sign out, sign in, Refresh)',
      'first sign-in: one GET per distinct role definition, never the catalog; afterwards only the custom roles are read again, no built-in one',
    );
    await runCase(c, async () => {
      const full = persona('full');
      const view = await emulator.expectedView(full.principalId);
      const kinds = new Map(dataset.roleDefinitions.map((r) => [r.name.toLowerCase(), r.properties.type]));
      const named = [
        ...new Set(
          view.subscriptions.flatMap((s) =>
            s.assignments.map((a) => a.roleDefinitionId.split('/').pop()!.toLowerCase()),
          ),
        ),
      ];
      const custom = named.filter((g) => kinds.get(g) === 'CustomRole').sort();
      const builtIn = named.filter((g) => kinds.get(g) === 'BuiltInRole');
      assert.ok(
        custom.length >= 1 && builtIn.length >= 3,
        `the assignments name built-in and custom roles (${builtIn.length}, ${custom.length})`,
      );
      // The first sign-in of this extension host (this suite runs first): nothing remembered yet.
      assert.deepEqual(
        coldRoleDefinitionRequests.map(guidOf).sort(),
        [...named].sort(),
        'cold: each named role read once, by id',
      );

      const again = await signInAs('system', full.principalId);
      const warm = again.requests.filter((r) => r.endpoint === 'arm-role-definition');
      assert.deepEqual(warm.map(guidOf).sort(), custom, 'after sign-out and sign-in: only the custom roles');
      const mark = lastSeq(await emulator.requests());
      void vscode.commands.executeCommand('vmIdentity.refresh');
      await until(() => api.state.status === 'signedIn' && api.state.refreshing, 'refresh did not start', 5_000).catch(
        () => undefined,
      );
      await settled(api);
      const refreshed = since(await emulator.requests(), mark);
      assert.ok(
        refreshed.some((r) => r.endpoint === 'arm-role-assignments'),
        'the refresh listed the roles again',
      );
      const afterRefresh = refreshed.filter((r) => r.endpoint === 'arm-role-definition');
      assert.deepEqual(afterRefresh.map(guidOf).sort(), custom, 'after Refresh: only the custom roles');
      const catalog = [...coldRoleDefinitionRequests, ...again.requests, ...refreshed].filter(
        (r) => r.endpoint === 'arm-role-definitions',
      );
      assert.equal(catalog.length, 0, 'the role definition list (the ~550-role catalog) is never read');
      const rows = await readTree(api.tree);
      for (const g of builtIn) {
        const name = dataset.roleDefinitions.find((r) => r.name.toLowerCase() === g)!.properties.roleName;
        assert.ok(
          rows.some((r) => isAssignment(r) && r.text.startsWith(`${name} — `)),
          `${name} still named`,
        );
      }
      return `cold: ${coldRoleDefinitionRequests.length} GETs by id (${builtIn.length} built-in + ${custom.length} custom); sign-in again: ${warm.length}, Refresh: ${afterRefresh.length} (custom ${custom.join(', ')} only); 0 built-in, 0 catalog lists; names still shown`;
    });
  });

  it('least-privilege identity: partial view read at its resource group, with the grant at the subscription', async () => {
    const c = spec(
      'Reader on the resource group only (leastPrivilege persona, vmIdentity.identity = client_id=…)',
      'partial view: a line naming the scope it was read from and the remedy (Reader or roleAssignments/read at the subscription, the subscription\'s IAM link); the assignments seen there; never "VM scope or higher"',
    );
    await runCase(c, async () => {
      const lp = persona('leastPrivilege');
      const { rows } = await signInAs(`client_id=${lp.clientId}`, lp.principalId);
      const view = await emulator.expectedView(lp.principalId);
      const vmSub = view.subscriptions.find((s) => s.isVmSubscription);
      assert.ok(
        vmSub && !vmSub.complete && vmSub.readFrom && view.remedy,
        'expected-view: a partial view with a remedy',
      );
      const partial = rows.find((r) => r.item.id === 'roles.partial');
      assert.ok(partial, `a partial view row; rows: ${rows.map((r) => r.text).join(' | ')}`);
      const readFromName = vmSub.readFrom.split('/').pop()!;
      const where = scopeGroupOf(vmSub.readFrom) === 'resourceGroup' ? `resource group ${readFromName}` : 'the VM';
      assert.ok(partial.text.includes(`read at ${where}`), `the line names where it was read: ${partial.text}`);
      assert.ok(
        partial.text.includes(`${view.remedy.role} at subscription ${vmSub.displayName}`),
        `the remedy: ${partial.text}`,
      );
      const note = tooltipOf(partial);
      for (const s of [vmSub.readFrom, view.remedy.orAction, view.remedy.scope])
        assert.ok(note.includes(s), `the note names ${s}: ${note}`);
      assert.match(
        uriOf(partial),
        new RegExp(`/resource${view.remedy.scope}/users$`, 'i'),
        'opens the subscription IAM',
      );
      const subRow = rows.find((r) => r.item.id === `roles.${vmSub.subscriptionId.toLowerCase()}`);
      assert.equal(subRow?.text, `${vmSub.displayName} ${vmSub.assignments.length} · partial`);
      const shown = rows.filter(isAssignment).map((r) => r.item.id!);
      assert.deepEqual(shown.sort(), [...view.assignmentIds].sort(), 'the assignments readable at that scope');
      const everything = rows.map((r) => `${r.text}\n${tooltipOf(r)}`).join('\n');
      assert.doesNotMatch(everything, /VM scope or higher/i);
      return `"${partial.text}" → ${uriOf(partial)}; note "${note}"; ${shown.length} assignment(s) shown = expected-view's`;
    });
  });

  it('an identity with no role: the error names the refused scope', async () => {
    const c = spec(
      'No role anywhere (noAccess persona): nothing readable',
      'an error row whose text names the refused subscription scope and the grant there, with its IAM link; no role rows',
    );
    await runCase(c, async () => {
      const none = persona('noAccess');
      const { rows, state } = await signInAs(`client_id=${none.clientId}`, none.principalId);
      const view = await emulator.expectedView(none.principalId);
      assert.ok(view.nothingReadable && view.remedy, 'expected-view: nothing readable, a remedy');
      assert.ok(state.status === 'signedIn' && state.snapshot.roles.status === 'failed', 'the role section failed');
      const error = rows.find((r) => r.item.id === 'roles.error');
      assert.ok(error, `an error row; rows: ${rows.map((r) => r.text).join(' | ')}`);
      const tip = tooltipOf(error);
      assert.ok(tip.includes(`at ${view.remedy.scope} `), `names the refused scope ${view.remedy.scope}: ${tip}`);
      assert.ok(tip.includes(view.remedy.orAction), `names the grant: ${tip}`);
      assert.doesNotMatch(tip, /VM scope or higher/i);
      const link = rows.find((r) => r.item.id?.startsWith('roles.action.') && /access control/i.test(r.text));
      assert.ok(link, 'a row opening access control');
      assert.match(uriOf(link), new RegExp(`/resource${view.remedy.scope}/users$`, 'i'));
      assert.equal(rows.filter(isAssignment).length, 0);
      return `"${error.text}" — tooltip "${tip.split('\n')[0]}"; "${link.text}" → ${uriOf(link)}`;
    });
  });
});
