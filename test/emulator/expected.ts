/**
 * Answers computed from the dataset alone, for tests to compare a client against: what each identity can
 * see per subscription (issue 9: full view, or a partial view read at the resource group or the VM, or
 * nothing), which identity plays which part, and the engine's verdict for an action at a scope.
 */
import type { Dataset, DenyAssignment, RoleAssignment } from './model';
import { canPerform, evaluate, effectiveEntries, type Plane } from './permissions';
import { hasAnyAssignment, listDenyAssignments, listRoleAssignments } from './rbac';
import { accessPolicyVerdict } from './resources';
import { BUILT_IN_ROLE_IDS } from './roles';

/** Whether the principal may perform an action at a scope (tests may force it via armReadable). */
export type AccessCheck = (principalId: string, action: string, scope: string) => boolean;

export const datasetAccess =
  (dataset: Dataset): AccessCheck =>
  (p, a, s) =>
    canPerform(dataset, p, a, s);

const LIST_ACTION = 'Microsoft.Authorization/roleAssignments/read';
const DENY_ACTION = 'Microsoft.Authorization/denyAssignments/read';

export interface SubscriptionView {
  subscriptionId: string;
  displayName: string;
  isVmSubscription: boolean;
  /** Where `assignedTo` could be listed (the subscription, else its VM's resource group, else the VM), or null. */
  readFrom: string | null;
  /** True when read at the subscription: everything at, above and below it. */
  complete: boolean;
  /** Scopes tried first that answered 403, in order. */
  refused: string[];
  assignments: RoleAssignment[];
  /** Deny assignments listed with assignedTo at `readFrom`, when the identity may read them there. */
  denyAssignments: DenyAssignment[];
}

export interface ExpectedView {
  principalId: string;
  /** As `GET /subscriptions` lists them for this principal, the VM's first. */
  subscriptions: SubscriptionView[];
  /** Every assignment seen from any subscription, once (management-group ones appear from several). */
  assignmentIds: string[];
  nothingReadable: boolean;
  /** The grant that would show the VM's subscription completely, when it is not (issue 9 Build 2). */
  remedy: { scope: string; role: 'Reader'; roleDefinitionId: string; orAction: string } | null;
}

function viewOf(
  dataset: Dataset,
  principalId: string,
  sub: Dataset['subscriptions'][number],
  may: AccessCheck,
): SubscriptionView {
  const isVm = sub.id === dataset.scopes.subscription;
  const chain = isVm ? [sub.id, dataset.scopes.resourceGroup, dataset.scopes.vm] : [sub.id];
  const refused: string[] = [];
  for (const scope of chain) {
    if (!may(principalId, LIST_ACTION, scope)) {
      refused.push(scope);
      continue;
    }
    const assignments = [
      ...listRoleAssignments(dataset, scope, { principalId, filter: 'assignedTo', atScopeOnly: false }),
    ];
    const denyAssignments = may(principalId, DENY_ACTION, scope)
      ? listDenyAssignments(dataset, scope, { principalId, filter: 'assignedTo', atScopeOnly: false })
      : [];
    return {
      subscriptionId: sub.subscriptionId,
      displayName: sub.displayName,
      isVmSubscription: isVm,
      readFrom: scope,
      complete: scope === sub.id,
      refused,
      assignments,
      denyAssignments,
    };
  }
  return {
    subscriptionId: sub.subscriptionId,
    displayName: sub.displayName,
    isVmSubscription: isVm,
    readFrom: null,
    complete: false,
    refused,
    assignments: [],
    denyAssignments: [],
  };
}

export function expectedView(
  dataset: Dataset,
  principalId: string,
  may: AccessCheck = datasetAccess(dataset),
): ExpectedView {
  const listed = dataset.subscriptions.filter((s) => hasAnyAssignment(dataset, principalId, s.id));
  const vmFirst = [
    ...listed.filter((s) => s.id === dataset.scopes.subscription),
    ...listed.filter((s) => s.id !== dataset.scopes.subscription),
  ];
  const subscriptions = vmFirst.map((s) => viewOf(dataset, principalId, s, may));
  const assignmentIds = [...new Set(subscriptions.flatMap((v) => v.assignments.map((a) => a.id)))];
  const vmView = subscriptions.find((v) => v.isVmSubscription);
  return {
    principalId,
    subscriptions,
    assignmentIds,
    nothingReadable: subscriptions.every((v) => v.readFrom === null),
    remedy: vmView?.complete
      ? null
      : {
          scope: dataset.scopes.subscription,
          role: 'Reader',
          roleDefinitionId: BUILT_IN_ROLE_IDS.reader,
          orAction: LIST_ACTION,
        },
  };
}

export interface Persona {
  principalId: string;
  /** Client id to ask IMDS for (the system identity's too, though IMDS needs none for it). */
  clientId: string;
  kind: 'systemAssigned' | 'userAssigned';
  what: string;
}

/** Which identity plays which part in the default dataset (absent when the dataset has no such identity). */
export function personas(dataset: Dataset): Record<string, Persona | undefined> {
  const uami = (access: string) => dataset.userAssignedIdentities.find((u) => u.access === access);
  const asPersona = (u: ReturnType<typeof uami>, what: string): Persona | undefined =>
    u ? { principalId: u.principalId, clientId: u.clientId, kind: 'userAssigned', what } : undefined;
  const system: Persona = {
    ...dataset.systemIdentity,
    kind: 'systemAssigned',
    what: 'roles in two subscriptions, via a group and a group inside a group, under deny assignments',
  };
  return {
    full: system,
    nestedGroup: {
      ...system,
      what: 'Storage Blob Data Reader in the shared-services subscription through a group inside a group',
    },
    leastPrivilege: asPersona(
      uami('resourceGroupOnly'),
      "Reader on the VM's resource group only: the subscription list answers 403",
    ),
    noAccess: asPersona(uami('none'), 'no role anywhere: nothing is readable'),
    subscriptionReader: asPersona(uami('subscriptionReader'), "Reader on the VM's subscription plus data roles"),
  };
}

/** The engine's answer for `action` at `scope`, with the entries the permissions API would list there. */
export function expectedAccess(
  dataset: Dataset,
  principalId: string,
  scope: string,
  action: string | undefined,
  plane: Plane,
): unknown {
  const entries = effectiveEntries(dataset, principalId, scope).map((e) => ({
    assignmentId: e.assignment.id,
    roleName: e.role.properties.roleName,
    ...e.permission,
    condition: e.assignment.condition,
  }));
  if (!action) return { principalId, scope, permissions: entries };
  const e = evaluate(dataset, principalId, action, scope, plane);
  const policy = plane === 'data' ? accessPolicyVerdict(dataset, scope, action, principalId) : undefined;
  if (policy)
    return {
      principalId,
      scope,
      action,
      plane,
      verdict: policy.verdict,
      keyVaultModel: policy.model,
      grantedBy: [],
      deniedBy: [],
      permissions: entries,
    };
  return {
    principalId,
    scope,
    action,
    plane,
    verdict: e.verdict,
    grantedBy: e.grantedBy.map((a) => a.id),
    deniedBy: e.deniedBy.map((d) => d.id),
    permissions: entries,
  };
}
