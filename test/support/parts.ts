/** Reading a snapshot's parts in tests, and what the emulator says the roles must be. */
import * as assert from 'node:assert/strict';
import type { Part, RoleAssignmentDetail, RolesView } from '../../src/azure';
import { type Emulator, expectedView } from '../emulator';

export function expectedFor(emu: Emulator, principalId: string) {
  const roleName = new Map(emu.dataset.roleDefinitions.map((d) => [d.name.toLowerCase(), d.properties.roleName]));
  return expectedView(emu.dataset, principalId)
    .subscriptions.flatMap((s) => s.assignments)
    .filter((a, i, all) => all.findIndex((b) => b.id === a.id) === i)
    .map((a) => ({
      id: a.id,
      roleName: roleName.get(a.roleDefinitionId.split('/').pop()!.toLowerCase()),
      scope: a.scope,
      via:
        a.principalId !== principalId
          ? 'group'
          : a.scope.startsWith('/providers/Microsoft.Management/')
            ? 'inherited'
            : 'direct',
    }))
    .sort((x, y) => x.id.localeCompare(y.id));
}
/** The value of a part that must be ok; the error of one that must have failed. */
export function value<T>(part: Part<T>): T {
  assert.equal(
    part.status,
    'ok',
    part.status === 'failed' ? part.error.message : part.status === 'skipped' ? part.reason : '',
  );
  return (part as { value: T }).value;
}
/** The roles' error: the whole part's, else the first subscription's (one faulted list leaves the others readable). */
export function failure(part: Part<RolesView> | Part<unknown>) {
  if (part.status === 'failed') return part.error;
  const v = part.status === 'ok' ? (part.value as Partial<RolesView>) : undefined;
  return v?.subscriptions?.find((s) => s.error)?.error;
}

export const essentials = (roles: RoleAssignmentDetail[]) =>
  roles
    .map((r) => ({ id: r.id, roleName: r.roleName, scope: r.scope, via: r.via }))
    .sort((x, y) => x.id.localeCompare(y.id));
