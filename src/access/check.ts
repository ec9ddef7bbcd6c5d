/**
 * "Can this identity do X on Y?" — gathers what ARM knows (effective permissions, assignments, deny
 * assignments, the vault's permission model), decides, and for "not granted" suggests the fix.
 * Reads run in parallel; any read that fails is recorded in `unread` and the verdict says what it rests on.
 */
import { isWildcard, providerNamespaceOf } from './actionMatch';
import { decide, roleDefinitionKey } from './decide';
import { policyPermissionFor } from './keyVaultPolicy';
import { propagationNote } from './propagation';
import { isAtOrAbove, keyVaultIdOf } from './scopes';
import { suggestAccessPolicy, suggestRole } from './suggest';
import type { AccessReader, Plane, RoleDefinitionInfo } from './types';
import type { Verdict } from './verdict';

export interface CheckRequest {
  /** ARM resource ID (or any scope) to check at. */
  scope: string;
  /** A concrete operation, e.g. `Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read`. */
  action: string;
  /** Control or data plane; looked up in the provider's operations when omitted. */
  plane?: Plane;
  /** The identity's object (principal) ID: the token's `oid`. */
  principalId: string;
  tenantId?: string;
  /** The token's `iat` (seconds since the epoch), for the propagation note. */
  tokenIssuedAt?: number;
  /** Portal base URL of the identity's cloud, e.g. https://portal.azure.com. */
  portalUrl: string;
}

export class AccessCheckInputError extends Error {
  constructor(
    message: string,
    readonly field: 'scope' | 'action' | 'principalId',
  ) {
    super(message);
    this.name = 'AccessCheckInputError';
  }
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function validate(req: CheckRequest): void {
  if (!req.scope.trim().startsWith('/'))
    throw new AccessCheckInputError('The scope must be an ARM ID starting with "/".', 'scope');
  if (!/^[^\s/]+\/\S+$/.test(req.action.trim())) {
    throw new AccessCheckInputError('The action must look like Microsoft.Provider/resourceType/operation.', 'action');
  }
  if (isWildcard(req.action)) {
    throw new AccessCheckInputError(
      'Check one operation at a time: pick it from the provider operations list.',
      'action',
    );
  }
  if (!/^[0-9a-f-]{36}$/i.test(req.principalId.trim()))
    throw new AccessCheckInputError('The principal ID must be a GUID.', 'principalId');
}

async function resolvePlane(
  reader: AccessReader,
  req: CheckRequest,
  unread: Verdict['unread'],
  signal?: AbortSignal,
): Promise<Plane> {
  if (req.plane) return req.plane;
  const ns = providerNamespaceOf(req.action);
  if (ns) {
    try {
      const ops = await reader.providerOperations(ns, signal);
      const op = ops.find((o) => o.name.toLowerCase() === req.action.trim().toLowerCase());
      if (op) return op.isDataAction ? 'data' : 'control';
      unread.push({ what: 'provider operation', reason: `${req.action} is not in ${ns}'s operations list` });
    } catch (e) {
      unread.push({ what: 'provider operations', reason: reason(e) });
    }
  }
  return 'control';
}

export async function checkAccess(reader: AccessReader, req: CheckRequest, signal?: AbortSignal): Promise<Verdict> {
  validate(req);
  const unread: Verdict['unread'] = [];
  const plane = await resolvePlane(reader, req, unread, signal);
  const vaultId = plane === 'data' ? keyVaultIdOf(req.scope) : undefined;
  const settle = async <T>(what: string, p: Promise<T>): Promise<T | undefined> => {
    try {
      return await p;
    } catch (e) {
      unread.push({ what, reason: reason(e) });
      return undefined;
    }
  };
  const [effective, assignments, denies, vault] = await Promise.all([
    settle('effective permissions', reader.permissionsAt(req.scope, signal)),
    settle('role assignments', reader.roleAssignmentsAt(req.scope, req.principalId, signal)),
    settle('deny assignments', reader.denyAssignmentsAt(req.scope, req.principalId, signal)),
    vaultId ? settle('Key Vault properties', reader.keyVaultProperties(vaultId, signal)) : Promise.resolve(undefined),
  ]);
  const relevant = (assignments ?? []).filter((a) => isAtOrAbove(a.scope, req.scope));
  const definitions = new Map<string, RoleDefinitionInfo>();
  const ids = [...new Map(relevant.map((a) => [roleDefinitionKey(a.roleDefinitionId), a.roleDefinitionId])).values()];
  await Promise.all(
    ids.map(async (id) => {
      const def = await settle(`role definition ${roleDefinitionKey(id)}`, reader.roleDefinition(id, signal));
      if (def) definitions.set(roleDefinitionKey(id), def);
    }),
  );
  const outcome = decide({
    scope: req.scope,
    action: req.action.trim(),
    plane,
    principalId: req.principalId,
    tenantId: req.tenantId,
    effective,
    assignments: relevant,
    definitions,
    denyAssignments: denies ?? [],
    keyVault: vaultId && vault ? { vaultId, properties: vault } : undefined,
  });
  if (vaultId && !vault)
    outcome.notes.push("The vault's permission model (RBAC or access policies) could not be read.");
  const verdict: Verdict = {
    ...outcome,
    scope: req.scope,
    action: req.action.trim(),
    plane,
    principalId: req.principalId,
    unread,
  };
  const suggestInput = {
    action: verdict.action,
    plane,
    scope: req.scope,
    principalId: req.principalId,
    tenantId: req.tenantId,
    portalUrl: req.portalUrl,
  };
  if (verdict.decision === 'notGranted') {
    if (verdict.keyVault?.model === 'accessPolicy') {
      const required = policyPermissionFor(verdict.action);
      if (required) verdict.suggestion = suggestAccessPolicy(verdict.keyVault.vaultId, required, suggestInput);
    } else {
      const roles = await settle('built-in role definitions', reader.builtInRoleDefinitions(req.scope, signal));
      if (roles) {
        verdict.suggestion = suggestRole(roles, suggestInput);
        if (!verdict.suggestion) verdict.notes.push('No built-in role grants this action: a custom role is needed.');
      }
    }
  }
  if (verdict.decision === 'allowed' || verdict.decision === 'conditional' || verdict.grantedBy.length > 0) {
    verdict.propagation = propagationNote(req.tokenIssuedAt, verdict.grantedBy);
  }
  if (verdict.propagation === undefined) delete verdict.propagation;
  return verdict;
}
