/**
 * Role assignments as the user sees them: role names resolved with as few calls as possible, each marked
 * direct, via a group, or inherited from above the subscription, sorted by scope then role name.
 */
import type { Logger } from '../core/log';
import { type ArmCall, type ArmClient, type RoleAssignment, type RoleDefinition, roleDefinitionGuid } from './arm';
import { type RoleNameStore, type StoredRoleNames, memoryRoleNameStore } from './roleNameStore';

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
  /** The subscription it was listed from (management-group and root ones: the first that showed them). */
  subscriptionId?: string;
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
 * Role names by definition id: only the distinct ids the assignments name, each read by id (in parallel, at
 * most `concurrency` at once), never the catalog (real ARM's list at a subscription holds every built-in
 * role: ~550 of them, 1–2 MB). Built-in names come from, and go to, the {@link RoleNameStore}, so a warm run
 * asks ARM for none of them; custom roles are re-read on every snapshot (they change).
 */
export class RoleDefinitionResolver {
  private builtIn?: Promise<Map<string, RoleDefinition>>;
  private custom = new Map<string, RoleDefinition>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private learnt = false;
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly logger: Logger,
    private readonly store: RoleNameStore = memoryRoleNameStore(),
    private readonly concurrency = 8,
  ) {}

  /** Starts a snapshot: custom roles are read again; built-in names stay. */
  beginSnapshot(): void {
    this.custom = new Map();
    this.inFlight.clear();
  }

  /** Forgets what was learnt about the signed-in identity's roles (sign out); built-in names stay. */
  forget(): void {
    this.beginSnapshot();
  }

  private known(): Promise<Map<string, RoleDefinition>> {
    this.builtIn ??= this.store.load().then(
      (stored) => new Map(Object.entries(stored).map(([guid, e]) => [guid, { id: guid, name: guid, ...e }])),
      (e) => {
        this.logger.warn(`stored role names could not be read; they will be read again: ${(e as Error).message}`);
        return new Map();
      },
    );
    return this.builtIn;
  }

  /**
   * Reads, one GET each and in parallel, the definitions not known yet; returns how many it asked ARM for.
   * A failure leaves that GUID unnamed (logged).
   */
  async resolve(arm: ArmClient, roleDefinitionIds: string[], call: ArmCall): Promise<number> {
    const builtIn = await this.known();
    const asked: Promise<void>[] = [];
    const waits: Promise<void>[] = [];
    for (const id of roleDefinitionIds) {
      const guid = roleDefinitionGuid(id);
      if (builtIn.has(guid) || this.custom.has(guid)) continue;
      const pending = this.inFlight.get(guid);
      if (pending) {
        waits.push(pending);
        continue;
      }
      const read = this.limited(() => this.read(arm, id, guid, builtIn, call));
      this.inFlight.set(guid, read);
      asked.push(read);
    }
    await Promise.all([...asked, ...waits]);
    return asked.length;
  }

  private async read(
    arm: ArmClient,
    id: string,
    guid: string,
    builtIn: Map<string, RoleDefinition>,
    call: ArmCall,
  ): Promise<void> {
    try {
      const def = await arm.getRoleDefinition(id, call);
      if (!def) return;
      if (def.roleType === 'BuiltInRole') {
        builtIn.set(guid, def);
        this.learnt = true;
      } else this.custom.set(guid, def);
    } catch (e) {
      this.logger.warn(`role definition ${guid} could not be read: ${(e as Error).message}`);
    }
  }

  private async limited<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) await new Promise<void>((resume) => this.waiting.push(resume));
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  /** Writes the built-in names learnt since the last save (a failure is logged: the next run reads them again). */
  async persist(): Promise<void> {
    if (!this.learnt) return;
    this.learnt = false;
    const names: StoredRoleNames = {};
    for (const [guid, d] of await this.known())
      names[guid] = { roleName: d.roleName, roleType: d.roleType, description: d.description };
    try {
      await this.store.save(names);
    } catch (e) {
      this.logger.warn(`role names could not be stored: ${(e as Error).message}`);
    }
  }

  /** The assignments with their role names, sorted by scope, role name, id. */
  async describe(
    assignments: RoleAssignment[],
    principalId: string,
    subscriptionOf: (a: RoleAssignment) => string | undefined,
  ): Promise<RoleAssignmentDetail[]> {
    const builtIn = await this.known();
    const keyed = assignments.map((a) => {
      const guid = roleDefinitionGuid(a.roleDefinitionId);
      const def = this.custom.get(guid) ?? builtIn.get(guid);
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
        subscriptionId: subscriptionOf(a),
      };
      return { detail, scope: a.scope.toLowerCase() };
    });
    // By scope, role name, id; each scope lower-cased once instead of at every comparison.
    const { compare } = collator();
    keyed.sort(
      (x, y) =>
        compare(x.scope, y.scope) || compare(x.detail.roleName, y.detail.roleName) || compare(x.detail.id, y.detail.id),
    );
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
    subscriptionId: d.subscriptionId,
  };
}
