/** Human output of the CLI: compact aligned tables. */
import {
  type DenyAssignmentDetail,
  type RoleAssignmentView,
  type RolesView,
  type Snapshot,
  type VmInfo,
  toView,
  valueOf,
} from '../azure';

function table(rows: string[][], header?: string[]): string {
  const all = header ? [header, ...rows] : rows;
  const widths = all.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  return all
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function whoamiJson(s: Snapshot) {
  const vm = vmOf(s);
  return {
    principalId: s.identity.principalId,
    clientId: s.identity.clientId ?? null,
    tenantId: s.identity.tenantId,
    identityType: s.identity.identityType,
    identityResourceId: s.identity.identityResourceId ?? null,
    displayName: valueOf(s.displayName) ?? null,
    source: s.identity.source,
    vm: vm
      ? {
          name: vm.name,
          resourceGroup: vm.resourceGroup,
          subscriptionId: vm.subscriptionId,
          location: vm.location,
          resourceId: vm.resourceId,
          cloud: vm.cloud,
        }
      : null,
    token: {
      resource: s.identity.token.resource,
      issuedAt: s.identity.token.issuedAt === undefined ? null : new Date(s.identity.token.issuedAt).toISOString(),
      expiresOn: new Date(s.identity.token.expiresOn).toISOString(),
    },
  };
}

/** What the identity is, in words (a Cloud Shell user is not a managed identity, and says so). */
function identityTypeText(type: Snapshot['identity']['identityType']): string {
  switch (type) {
    case 'SystemAssigned':
      return 'system-assigned';
    case 'UserAssigned':
      return 'user-assigned';
    case 'User':
      return 'Cloud Shell user — not a managed identity';
    case 'WorkloadIdentity':
      return 'workload identity (federated, Entra app)';
  }
}

/** The VM, when instance metadata was read (failed or not applicable: none). */
function vmOf(s: Snapshot): VmInfo | undefined {
  switch (s.vm.status) {
    case 'ok':
      return s.vm.value;
    case 'failed':
    case 'skipped':
      return undefined;
  }
}

export function whoamiText(s: Snapshot): string {
  const j = whoamiJson(s);
  const rows: string[][] = [
    ['Principal ID', j.principalId],
    ['Client ID', j.clientId ?? '—'],
    ['Tenant ID', j.tenantId],
    ['Type', identityTypeText(s.identity.identityType)],
  ];
  if (j.identityType === 'UserAssigned' && j.identityResourceId) rows.push(['Identity', j.identityResourceId]);
  rows.push(['Display name', j.displayName ?? '(not readable)']);
  if (j.vm) {
    rows.push(
      ['VM', j.vm.name],
      ['Resource group', j.vm.resourceGroup],
      ['Subscription', j.vm.subscriptionId],
      ['Location', j.vm.location],
      ['Cloud', j.vm.cloud],
    );
  }
  rows.push(['Source', j.source], ['Token', `${j.token.resource} until ${j.token.expiresOn}`]);
  if (j.token.issuedAt)
    rows.push(['Token issued', `${j.token.issuedAt} (IMDS may serve a cached token for up to 24 h)`]);
  return table(rows);
}

const VIA_LABEL = { direct: 'direct', group: 'via group', inherited: 'inherited', everyone: 'everyone' } as const;

/** A `roles --json` item: a role assignment as before (plus its subscription), or a deny assignment marked `deny`. */
export type RoleItem = RoleAssignmentView | DenyItem;

export interface DenyItem extends Omit<RoleAssignmentView, 'via' | 'roleDefinitionId'> {
  deny: true;
  via: DenyAssignmentDetail['appliesVia'];
  roleDefinitionId: null;
  denied: { actions: string[]; notActions: string[]; dataActions: string[]; notDataActions: string[] };
}

function denyItem(d: DenyAssignmentDetail, principalId: string): DenyItem {
  const named = d.principals.find((p) => p.id.toLowerCase() === principalId.toLowerCase()) ?? d.principals[0];
  return {
    id: d.id,
    roleName: d.name,
    roleType: 'DenyAssignment',
    roleDefinitionId: null,
    scope: d.scope,
    principalId: named?.id ?? principalId,
    principalType: named?.type ?? 'Unknown',
    via: d.appliesVia,
    condition: null,
    subscriptionId: d.subscriptionId,
    deny: true,
    denied: {
      actions: d.actions,
      notActions: d.notActions,
      dataActions: d.dataActions,
      notDataActions: d.notDataActions,
    },
  };
}

/** Role assignments (sorted by scope, then role name) followed by the deny assignments that apply. */
export function roleItems(view: RolesView, principalId: string): RoleItem[] {
  return [...view.assignments.map(toView), ...view.denyAssignments.map((d) => denyItem(d, principalId))];
}

export function rolesText(items: RoleItem[], view: RolesView): string {
  if (items.length === 0) return 'No role assignments.';
  const names = new Map(view.subscriptions.map((s) => [s.subscriptionId.toLowerCase(), s.displayName]));
  return table(
    items.map((r) => [
      'deny' in r ? `DENY ${r.roleName}` : r.roleName,
      'deny' in r ? `deny (${VIA_LABEL[r.via]})` : VIA_LABEL[r.via],
      r.scope,
      names.get(r.subscriptionId?.toLowerCase() ?? '') ?? '',
      r.condition ? 'condition' : '',
    ]),
    ['ROLE', 'VIA', 'SCOPE', 'SUBSCRIPTION', ''],
  );
}

/** What stderr says beside the list: a partial view and where to grant, subscriptions that could not be read. */
export function rolesNotes(view: RolesView): string[] {
  const notes: string[] = [];
  if (view.partial) notes.push(`vm-identity: ${view.partial.note}\n  See: ${view.partial.link}\n`);
  for (const s of view.subscriptions) {
    if (s.error)
      notes.push(
        `vm-identity: subscription ${s.displayName} (${s.subscriptionId}) not read: ${s.error.message}\n  Fix: ${s.error.fix}\n`,
      );
    if (s.denyError) notes.push(`vm-identity: deny assignments of ${s.displayName} not read: ${s.denyError.message}\n`);
  }
  if (view.subscriptionsError)
    notes.push(
      `vm-identity: the list of subscriptions could not be read (${view.subscriptionsError.message}); only the VM's was read.\n`,
    );
  return notes;
}

/**
 * Writes exactly `JSON.stringify(items.map(map), null, 2)` and a newline, a slice of items at a time and
 * waiting for `write` when it returns a promise, so a list of tens of thousands of role assignments never
 * becomes one huge string (nor a queue of buffers for a slow reader) in memory.
 */
export async function writeJsonArray<T>(
  write: (s: string) => void | Promise<void>,
  items: readonly T[],
  map: (item: T) => unknown,
  slice = 500,
): Promise<void> {
  if (items.length === 0) return write('[]\n');
  for (let i = 0; i < items.length; i += slice) {
    // A slice stringified as an array is "[\n" + its items, indented and joined as in the whole + "\n]".
    const part = JSON.stringify(items.slice(i, i + slice).map(map), null, 2).slice(2, -2);
    await write(`${i === 0 ? '[\n' : ',\n'}${part}${i + slice >= items.length ? '\n]\n' : ''}`);
  }
}
