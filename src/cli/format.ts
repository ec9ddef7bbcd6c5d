/** Human output of the CLI: compact aligned tables. */
import { type RoleAssignmentDetail, type Snapshot, type VmInfo, valueOf } from '../azure';

export function table(rows: string[][], header?: string[]): string {
  const all = header ? [header, ...rows] : rows;
  const widths = all.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  return all.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
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
    vm: vm ? { name: vm.name, resourceGroup: vm.resourceGroup, subscriptionId: vm.subscriptionId, location: vm.location, resourceId: vm.resourceId, cloud: vm.cloud } : null,
    token: {
      resource: s.identity.token.resource,
      issuedAt: s.identity.token.issuedAt === undefined ? null : new Date(s.identity.token.issuedAt).toISOString(),
      expiresOn: new Date(s.identity.token.expiresOn).toISOString(),
    },
  };
}

/** What the identity is, in words (a Cloud Shell user is not a managed identity, and says so). */
export function identityTypeText(type: Snapshot['identity']['identityType']): string {
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
    rows.push(['VM', j.vm.name], ['Resource group', j.vm.resourceGroup], ['Subscription', j.vm.subscriptionId], ['Location', j.vm.location], ['Cloud', j.vm.cloud]);
  }
  rows.push(['Source', j.source], ['Token', `${j.token.resource} until ${j.token.expiresOn}`]);
  if (j.token.issuedAt) rows.push(['Token issued', `${j.token.issuedAt} (IMDS may serve a cached token for up to 24 h)`]);
  return table(rows);
}

const VIA_LABEL = { direct: 'direct', group: 'via group', inherited: 'inherited' } as const;

export function rolesText(roles: RoleAssignmentDetail[]): string {
  if (roles.length === 0) return 'No role assignments.';
  return table(
    roles.map((r) => [r.roleName, VIA_LABEL[r.via], r.scope, r.condition ? 'condition' : '']),
    ['ROLE', 'VIA', 'SCOPE', ''],
  );
}

/**
 * Writes exactly `JSON.stringify(items.map(map), null, 2)` and a newline, a slice of items at a time and
 * waiting for `write` when it returns a promise, so a list of tens of thousands of role assignments never
 * becomes one huge string (nor a queue of buffers for a slow reader) in memory.
 */
export async function writeJsonArray<T>(write: (s: string) => void | Promise<void>, items: readonly T[], map: (item: T) => unknown, slice = 500): Promise<void> {
  if (items.length === 0) return write('[]\n');
  for (let i = 0; i < items.length; i += slice) {
    // A slice stringified as an array is "[\n" + its items, indented and joined as in the whole + "\n]".
    const part = JSON.stringify(items.slice(i, i + slice).map(map), null, 2).slice(2, -2);
    await write(`${i === 0 ? '[\n' : ',\n'}${part}${i + slice >= items.length ? '\n]\n' : ''}`);
  }
}
