/**
 * The pure part of the check: given what ARM returned, which assignments grant the action, which deny
 * assignments block it, and the resulting decision. No I/O, so every verdict is table-testable.
 */
import { anyGrants, grantingPattern } from './actionMatch';
import { decideByPolicy, usesRbac } from './keyVaultPolicy';
import { isAtOrAbove, isStrictlyAbove, sameScope } from './scopes';
import type {
  DenyAssignmentInfo,
  KeyVaultProperties,
  PermissionSet,
  Plane,
  RoleAssignmentInfo,
  RoleDefinitionInfo,
} from './types';
import type { Decision, DenyingAssignment, GrantingAssignment, KeyVaultMode } from './verdict';

export interface DecideInput {
  scope: string;
  action: string;
  plane: Plane;
  principalId: string;
  tenantId?: string;
  /** The permissions API answer; undefined when it could not be read. */
  effective?: PermissionSet[];
  assignments: RoleAssignmentInfo[];
  definitions: Map<string, RoleDefinitionInfo>;
  denyAssignments: DenyAssignmentInfo[];
  keyVault?: { vaultId: string; properties: KeyVaultProperties };
}

export interface DecideOutput {
  decision: Decision;
  source: 'permissionsApi' | 'roleAssignments' | 'accessPolicy';
  grantedBy: GrantingAssignment[];
  deniedBy: DenyingAssignment[];
  keyVault?: KeyVaultMode;
  notes: string[];
}

export function roleDefinitionKey(id: string): string {
  return (id.split('/').pop() ?? id).toLowerCase();
}

/** Assignments at or above the scope whose role grants the action (each role's Not* only subtracts from itself). */
function grantingAssignments(input: DecideInput): GrantingAssignment[] {
  const out: GrantingAssignment[] = [];
  for (const a of input.assignments) {
    if (!isAtOrAbove(a.scope, input.scope)) continue;
    const def = input.definitions.get(roleDefinitionKey(a.roleDefinitionId));
    if (!def) continue;
    const matchedBy = def.permissions
      .map((p) => grantingPattern(p, input.action, input.plane))
      .find((m) => m !== undefined);
    if (matchedBy === undefined) continue;
    const changed = [a.createdOn, a.updatedOn].filter((d): d is string => !!d && !Number.isNaN(Date.parse(d)));
    changed.sort((x, y) => Date.parse(y) - Date.parse(x));
    out.push({
      assignmentId: a.id,
      roleName: def.roleName,
      roleDefinitionId: a.roleDefinitionId,
      scope: a.scope,
      via: a.principalId.toLowerCase() === input.principalId.toLowerCase() ? 'direct' : 'group',
      inherited: isStrictlyAbove(a.scope, input.scope),
      condition: a.condition ? a.condition : null,
      matchedBy,
      changedOn: changed[0],
    });
  }
  return out;
}

/**
 * Deny assignments that block the action here, per "Understand Azure deny assignments": they apply at their
 * scope and below unless `DoNotApplyToChildScopes`; `Principals` names who is denied (the zero GUID of type
 * SystemDefined = everyone; a group = its members, which the assignedTo() filter already resolved);
 * `ExcludePrincipals` exempts; `Permissions.NotActions`/`NotDataActions` carve actions out of the deny.
 */
function denyingAssignments(input: DecideInput): DenyingAssignment[] {
  const oid = input.principalId.toLowerCase();
  const out: DenyingAssignment[] = [];
  for (const d of input.denyAssignments) {
    if (!isAtOrAbove(d.scope, input.scope)) continue;
    if (d.doNotApplyToChildScopes && !sameScope(d.scope, input.scope)) continue;
    if (d.excludePrincipals.some((p) => p.id.toLowerCase() === oid)) continue;
    const matchedBy = d.permissions
      .map((p) => grantingPattern(p, input.action, input.plane))
      .find((m) => m !== undefined);
    if (matchedBy === undefined) continue;
    out.push({
      denyAssignmentId: d.id,
      name: d.denyAssignmentName,
      scope: d.scope,
      matchedBy,
      isSystemProtected: d.isSystemProtected === true,
    });
  }
  return out;
}

export function decide(input: DecideInput): DecideOutput {
  const notes: string[] = [];
  const grantedBy = grantingAssignments(input);
  const deniedBy = denyingAssignments(input);
  const unconditional = grantedBy.filter((g) => g.condition === null);

  if (input.keyVault && input.plane === 'data' && !usesRbac(input.keyVault.properties)) {
    const policy = decideByPolicy(input.keyVault.properties, input.principalId, input.tenantId, input.action);
    const keyVault: KeyVaultMode = { vaultId: input.keyVault.vaultId, model: 'accessPolicy' };
    if (policy) keyVault.policy = { ...policy.required, granted: policy.granted, entries: policy.entries.length };
    if (grantedBy.length > 0) {
      notes.push(
        'The vault uses access policies, so the role assignments that name this data action do not apply to it.',
      );
    }
    if (!policy)
      notes.push('No access-policy permission is known for this action; the vault decides by its access policies.');
    return {
      decision: policy?.granted ? 'allowed' : 'notGranted',
      source: 'accessPolicy',
      grantedBy: [],
      deniedBy,
      keyVault,
      notes,
    };
  }
  const keyVault: KeyVaultMode | undefined = input.keyVault
    ? { vaultId: input.keyVault.vaultId, model: 'rbac' }
    : undefined;

  if (deniedBy.length > 0) {
    return {
      decision: 'denied',
      source: input.effective ? 'permissionsApi' : 'roleAssignments',
      grantedBy,
      deniedBy,
      keyVault,
      notes,
    };
  }
  if (!input.effective) {
    notes.push("ARM's effective permissions could not be read; this verdict comes from the role assignments alone.");
    const decision: Decision =
      unconditional.length > 0 ? 'allowed' : grantedBy.length > 0 ? 'conditional' : 'notGranted';
    return { decision, source: 'roleAssignments', grantedBy, deniedBy, keyVault, notes };
  }
  const armGrants = anyGrants(input.effective, input.action, input.plane);
  if (armGrants) {
    if (unconditional.length === 0 && grantedBy.length > 0) {
      return { decision: 'conditional', source: 'permissionsApi', grantedBy, deniedBy, keyVault, notes };
    }
    if (grantedBy.length === 0) {
      notes.push(
        'ARM grants the action, but no readable role assignment explains it (assignment or role definition not readable).',
      );
    }
    return {
      decision: 'allowed',
      source: 'permissionsApi',
      grantedBy: unconditional.length ? unconditional : grantedBy,
      deniedBy,
      keyVault,
      notes,
    };
  }
  if (grantedBy.length > 0) {
    // ARM's answer wins; the permissions API carries no condition, so say what we saw.
    notes.push(
      grantedBy.every((g) => g.condition !== null)
        ? 'Only assignments with a condition name this action, and ARM does not count them here: the condition decides at request time.'
        : 'A role assignment names this action but ARM does not grant it yet: role assignment changes can take up to 10 minutes to apply.',
    );
    if (grantedBy.every((g) => g.condition !== null)) {
      return { decision: 'conditional', source: 'permissionsApi', grantedBy, deniedBy, keyVault, notes };
    }
  }
  return { decision: 'notGranted', source: 'permissionsApi', grantedBy, deniedBy, keyVault, notes };
}
