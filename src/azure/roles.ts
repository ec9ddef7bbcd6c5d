/**
 * Role assignments as the user sees them: role names resolved with as few calls as possible, each marked
 * direct, via a group, or inherited from above the subscription, sorted by scope then role name.
 */
import type { Logger } from '../core/log';
import { type ArmCall, type ArmClient, type RoleAssignment, type RoleDefinition, roleDefinitionGuid } from './arm';

export type Via = 'direct' | 'group' | 'inherited';
export type ScopeKind = 'root' | 'managementGroup' | 'subscription' | 'resourceGroup' | 'resource';

/** The CLI's `roles --json` item (and the tree's view-model). */
export interface RoleAssignmentView {
  id: string;
  roleName: string;
  roleType: string;
  roleDefinitionId: string;
  scope: string;
  principalId: string;
  principalType: string;
  via: Via;
  condition: string | null;
}

export interface RoleAssignmentDetail extends RoleAssignmentView {
  scopeKind: ScopeKind;
  roleDescription: string;
  description?: string;
}

export function scopeKind(scope: string): ScopeKind {
  const s = scope.replace(/\/+$/, '');
  if (s === '') return 'root';
  if (/^\/providers\/Microsoft\.Management\/managementGroups\/[^/]+$/i.test(s)) return 'managementGroup';
  if (/^\/subscriptions\/[^/]+$/i.test(s)) return 'subscription';
  if (/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+$/i.test(s)) return 'resourceGroup';
  return 'resource';
}

/**
 * `group` when the assignment names another principal (ARM's assignedTo() returns those reached through
 * group membership); otherwise `inherited` when its scope is above the subscription, else `direct`.
 */
export function viaOf(assignment: RoleAssignment, principalId: string): Via {
  if (assignment.principalId.toLowerCase() !== principalId.toLowerCase()) return 'group';
  const kind = scopeKind(assignment.scope);
  return kind === 'managementGroup' || kind === 'root' ? 'inherited' : 'direct';
}

/**
 * Resolves role definitions by GUID. Built-in role ids never change and say nothing about the identity, so
 * they are kept for the life of the process; custom ones (and which scopes were listed) until {@link forget}.
 */
export class RoleDefinitionResolver {
  private readonly builtIn = new Map<string, RoleDefinition>();
  private readonly custom = new Map<string, RoleDefinition>();
  private readonly listedScopes = new Set<string>();

  constructor(
    private readonly logger: Logger,
    private readonly concurrency = 8,
  ) {}

  remember(definitions: RoleDefinition[]): void {
    for (const d of definitions) this.set(d.id, d);
  }

  /** Lists the definitions of `scope` once (until forgotten); a failure is logged, the GUIDs stay unnamed. */
  async listScope(arm: ArmClient, scope: string, call: ArmCall): Promise<void> {
    if (this.listedScopes.has(scope)) return;
    try {
      this.remember(await arm.listRoleDefinitions(scope, call));
      this.listedScopes.add(scope);
    } catch (e) {
      this.logger.warn(`role definitions of ${scope} could not be listed: ${(e as Error).message}`);
    }
  }

  /** Forgets everything learnt about the signed-in identity's subscriptions (sign out); built-ins stay. */
  forget(): void {
    this.custom.clear();
    this.listedScopes.clear();
  }

  private get(guid: string): RoleDefinition | undefined {
    return this.builtIn.get(guid) ?? this.custom.get(guid);
  }

  private set(id: string, d: RoleDefinition): void {
    (d.roleType === 'BuiltInRole' ? this.builtIn : this.custom).set(roleDefinitionGuid(id), d);
  }

  /** Looks up, one call each and in parallel, the definitions not already known. Failures leave the GUID unnamed. */
  async fillMissing(arm: ArmClient, roleDefinitionIds: string[], call: ArmCall): Promise<number> {
    const missing = new Map<string, string>();
    for (const id of roleDefinitionIds) {
      const guid = roleDefinitionGuid(id);
      if (!this.get(guid) && !missing.has(guid)) missing.set(guid, id);
    }
    const queue = [...missing.values()];
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        try {
          const def = await arm.getRoleDefinition(id, call);
          if (def) this.set(id, def);
        } catch (e) {
          this.logger.warn(`role definition ${roleDefinitionGuid(id)} could not be read: ${(e as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, queue.length) }, worker));
    return missing.size;
  }

  describe(assignments: RoleAssignment[], principalId: string): RoleAssignmentDetail[] {
    const keyed = assignments.map((a) => {
      const guid = roleDefinitionGuid(a.roleDefinitionId);
      const def = this.get(guid);
      const detail: RoleAssignmentDetail = {
        id: a.id,
        roleName: def?.roleName ?? guid,
        roleType: def?.roleType ?? 'Unknown',
        roleDefinitionId: a.roleDefinitionId,
        scope: a.scope,
        principalId: a.principalId,
        principalType: a.principalType,
        via: viaOf(a, principalId),
        condition: a.condition ?? null,
        scopeKind: scopeKind(a.scope),
        roleDescription: def?.description ?? '',
        description: a.description,
      };
      return { detail, scope: a.scope.toLowerCase() };
    });
    // By scope, role name, id; each scope lower-cased once instead of at every comparison.
    const { compare } = collator();
    keyed.sort((x, y) => compare(x.scope, y.scope) || compare(x.detail.roleName, y.detail.roleName) || compare(x.detail.id, y.detail.id));
    return keyed.map((k) => k.detail);
  }
}

let defaultCollator: Intl.Collator | undefined;

/** The comparison String.prototype.localeCompare makes (default locale and options), built once. */
function collator(): Intl.Collator {
  return (defaultCollator ??= new Intl.Collator());
}

/** The JSON shape of `roles --json` (no UI-only fields). */
export function toView(d: RoleAssignmentDetail): RoleAssignmentView {
  return {
    id: d.id,
    roleName: d.roleName,
    roleType: d.roleType,
    roleDefinitionId: d.roleDefinitionId,
    scope: d.scope,
    principalId: d.principalId,
    principalType: d.principalType,
    via: d.via,
    condition: d.condition,
  };
}
