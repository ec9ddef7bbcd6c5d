/**
 * `POST /_emulator/role-assignments {principalId, roleDefinitionGuid, scope, principalType?}`: a role
 * assignment made now (RoleAssignments_Create, azure-rest-api-specs authorization 2022-04-01
 * RoleAssignmentCreateParameters; ARM stamps createdOn/updatedOn with the time of the call). Lets a test
 * grant a role after the identity's token was issued, as a user does in the portal while the VM keeps its
 * cached token (managed identities FAQ "Are managed identities tokens cached?").
 */
import { randomUUID } from 'node:crypto';
import type { Dataset, PrincipalType, RoleAssignment } from './model';
import { findRoleDefinition, forgetIndex } from './rbac';
import { roleDefinitionIdAt } from './roles';

export function grantNow(dataset: Dataset, input: unknown, nowMs: number): RoleAssignment {
  const body = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const { principalId, roleDefinitionGuid, scope } = body;
  if (
    typeof principalId !== 'string' ||
    typeof roleDefinitionGuid !== 'string' ||
    typeof scope !== 'string' ||
    !scope.startsWith('/')
  ) {
    throw new Error('principalId, roleDefinitionGuid and scope (an ARM id) are required');
  }
  if (!findRoleDefinition(dataset, roleDefinitionGuid)) throw new Error(`no role definition ${roleDefinitionGuid}`);
  const type = body.principalType;
  const principalType: PrincipalType = type === 'Group' || type === 'User' ? type : 'ServicePrincipal';
  const name = randomUUID();
  const now = new Date(nowMs).toISOString();
  const assignment: RoleAssignment = {
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    name,
    scope,
    roleDefinitionId: roleDefinitionIdAt(/^\/subscriptions\/[^/]+/i.exec(scope)?.[0] ?? '', roleDefinitionGuid),
    principalId,
    principalType,
    condition: null,
    conditionVersion: null,
    description: null,
    createdOn: now,
    updatedOn: now,
    createdBy: dataset.groups[1]?.memberIds[0] ?? principalId,
    updatedBy: dataset.groups[1]?.memberIds[0] ?? principalId,
  };
  dataset.roleAssignments.push(assignment);
  forgetIndex(dataset);
  return assignment;
}
