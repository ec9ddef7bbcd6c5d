/**
 * The role view a client should show, derived from the emulator's expected-view (test/emulator/expected.ts):
 * per subscription, in its order, the assignments and deny assignments seen there first (management-group
 * ones come back from every subscription and are shown once), each under the group of its scope. Shared by
 * the extension-host suite (tree read through the provider) and the UI suite (rows in the DOM).
 */
import type { Dataset, DenyAssignment, ExpectedView, RoleAssignment } from '../emulator';

export type ScopeGroup = 'root' | 'managementGroup' | 'subscription' | 'resourceGroup' | 'resource';

/** The group label the tree uses for each kind of scope (src/ui/roleNodes.ts). */
export const SCOPE_GROUP_LABEL: Record<ScopeGroup, string> = {
  root: 'Root (/)',
  managementGroup: 'Management groups',
  subscription: 'Subscription',
  resourceGroup: 'Resource groups',
  resource: 'Resources',
};

/** The kind of an ARM scope, from its shape (azure-docs role-based-access-control/scope-overview.md). */
export function scopeGroupOf(scope: string): ScopeGroup {
  if (scope === '/' || scope === '') return 'root';
  if (/^\/providers\/Microsoft\.Management\/managementGroups\//i.test(scope)) return 'managementGroup';
  if (/^\/subscriptions\/[^/]+\/?$/i.test(scope)) return 'subscription';
  if (/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/?$/i.test(scope)) return 'resourceGroup';
  return 'resource';
}

export interface ShownSubscription {
  subscriptionId: string;
  displayName: string;
  isVmSubscription: boolean;
  /** The tree id of its group: `roles.<subscription id, lower case>`. */
  nodeId: string;
  assignments: RoleAssignment[];
  denyAssignments: DenyAssignment[];
}

/** Per subscription of the expected view, what its group must hold (each assignment under the first that saw it). */
export function shownPerSubscription(view: ExpectedView): ShownSubscription[] {
  const seen = new Set<string>();
  const seenDeny = new Set<string>();
  return view.subscriptions.map((s) => {
    const assignments = s.assignments.filter((a) => !seen.has(a.id.toLowerCase()));
    const denyAssignments = s.denyAssignments.filter((d) => !seenDeny.has(d.id.toLowerCase()));
    for (const a of assignments) seen.add(a.id.toLowerCase());
    for (const d of denyAssignments) seenDeny.add(d.id.toLowerCase());
    return {
      subscriptionId: s.subscriptionId,
      displayName: s.displayName,
      isVmSubscription: s.isVmSubscription,
      nodeId: `roles.${s.subscriptionId.toLowerCase()}`,
      assignments,
      denyAssignments,
    };
  });
}

/** How the row describes it: through a group when ARM returned it for another principal (assignedTo is transitive). */
export function expectedVia(a: RoleAssignment, principalId: string): 'direct' | 'via group' | 'inherited' {
  if (a.principalId.toLowerCase() !== principalId.toLowerCase()) return 'via group';
  const kind = scopeGroupOf(a.scope);
  return kind === 'managementGroup' || kind === 'root' ? 'inherited' : 'direct';
}

/** The role's name in the dataset, by the GUID at the end of its definition id. */
function roleNameOf(dataset: Dataset, roleDefinitionId: string): string {
  const guid = roleDefinitionId.split('/').pop()!.toLowerCase();
  const def = dataset.roleDefinitions.find((r) => r.name.toLowerCase() === guid);
  if (!def) throw new Error(`no role definition ${guid} in the dataset`);
  return def.properties.roleName;
}

/** "Role — scope name", as an assignment row reads. */
export function assignmentLabel(dataset: Dataset, a: RoleAssignment): string {
  return `${roleNameOf(dataset, a.roleDefinitionId)} — ${a.scope === '/' ? '/' : a.scope.split('/').pop()}`;
}
