/**
 * What the identity may do, across every subscription it can see (issue 9):
 * - `GET /subscriptions` runs while the known subscription (the VM's, when instance metadata or the identity's
 *   resource id names one) is already being listed; then `assignedTo('{oid}')` in every other one, in parallel,
 *   every page. `assignedTo` is transitive through groups and returns what is at, above and below the scope
 *   (azure-docs role-based-access-control/role-assignments-list-rest.md), so management-group and root
 *   assignments come back from each subscription: they are kept once.
 * - Least privilege: a 403 at the VM's subscription is not the end; the list is asked again at the VM's
 *   resource group, then at the VM, and what is found there is shown as a partial view with the grant that
 *   would show everything. Only when nothing is readable anywhere is it an error.
 * - Deny assignments (`denyAssignments?$filter=assignedTo('{oid}')`) at the same scopes.
 * Nothing here depends on instance metadata: without it (Cloud Shell, AKS, App Service, Azure ML) the
 * subscriptions come from `GET /subscriptions` alone.
 */
import { VmIdentityError, isVmIdentityError, toVmIdentityError } from '../core/errors';
import { grantText, notAmong, nothingReadable, seesNoSubscription } from './roleErrors';
import {
  type ArmCall,
  type ArmClient,
  type DenyAssignment,
  type RoleAssignment,
  type SubscriptionInfo,
  parseDenyAssignment,
  parseRoleAssignment,
} from './arm';
import { type Cloud, portalLink } from './clouds';
import { type RoleAssignmentDetail, type RoleDefinitionResolver, scopeKind } from './roles';

export interface SubscriptionRoles {
  subscriptionId: string;
  displayName: string;
  isVmSubscription: boolean;
  /** Where the role list was read (the subscription, else the VM's resource group, else the VM); absent when nowhere. */
  readFrom?: string;
  /** Read at the subscription: everything at, above and below it. */
  complete: boolean;
  /** Scopes that answered 403, in the order asked. */
  refused: string[];
  /** Why nothing (or not everything) could be read here. */
  error?: VmIdentityError;
  /** Why the deny assignments could not be read here (the role list still could). */
  denyError?: VmIdentityError;
  /** Access control (IAM) of the subscription in the portal. */
  accessControlLink: string;
}

/** The VM's subscription read at a narrower scope: what was read, and what would show everything. */
export interface PartialView {
  subscriptionId: string;
  displayName: string;
  readFrom: string;
  refused: string[];
  /** One line: from which scope it was read and which grant, where, shows everything. */
  note: string;
  link: string;
}

export interface DenyAssignmentDetail extends DenyAssignment {
  subscriptionId?: string;
  /** How it names the identity: itself, one of its groups (ARM's assignedTo is transitive), or Everyone. */
  appliesVia: 'direct' | 'group' | 'everyone';
}

/** "Everyone" in a deny assignment (azure-docs role-based-access-control/deny-assignments.md, "Everyone principal"). */
const EVERYONE_PRINCIPAL_ID = '00000000-0000-0000-0000-000000000000';

function appliesVia(d: DenyAssignment, principalId: string): DenyAssignmentDetail['appliesVia'] {
  if (d.principals.some((p) => lower(p.id) === lower(principalId))) return 'direct';
  return d.principals.some((p) => p.id === EVERYONE_PRINCIPAL_ID) ? 'everyone' : 'group';
}

export interface RolesView {
  /** The VM's (or otherwise known) subscription first, then as `GET /subscriptions` lists them. */
  subscriptions: SubscriptionRoles[];
  /** Each once, whichever subscriptions showed it. */
  assignments: RoleAssignmentDetail[];
  denyAssignments: DenyAssignmentDetail[];
  partial?: PartialView;
  /** `GET /subscriptions` failed: only the known subscription was read. */
  subscriptionsError?: VmIdentityError;
}

export interface RoleScanInput {
  arm: ArmClient;
  resolver: RoleDefinitionResolver;
  principalId: string;
  call: ArmCall;
  cloud: Cloud;
  tenantId: string;
  /** The subscription to read first (the VM's, or the identity resource's). */
  knownSubscriptionId?: string;
  /** The VM, when instance metadata named it: where to fall back to under least privilege. */
  vm?: { subscriptionId: string; resourceGroup: string; resourceId: string };
  stats: { rolePages: number; roleDefinitionLookups: number; subscriptions: number };
  /** Read only this subscription (its id or display name, case-insensitive). */
  only?: string;
}

interface SubscriptionRead extends Omit<SubscriptionRoles, 'displayName'> {
  assignments: RoleAssignment[];
  denies: DenyAssignment[];
}

const lower = (s: string) => s.toLowerCase();

export async function scanRoles(input: RoleScanInput): Promise<RolesView> {
  const { arm, call } = input;
  const reads = new Map<string, Promise<SubscriptionRead>>();
  const start = (subscriptionId: string) => {
    if (!reads.has(lower(subscriptionId))) reads.set(lower(subscriptionId), readSubscription(input, subscriptionId));
  };
  const wanted = (s: SubscriptionInfo) =>
    !input.only || [s.subscriptionId, s.displayName].some((x) => lower(x) === lower(input.only!));
  const known = input.knownSubscriptionId;
  if (known && wanted({ subscriptionId: known, displayName: known })) start(known);
  let listed: SubscriptionInfo[] = [];
  let subscriptionsError: VmIdentityError | undefined;
  try {
    listed = await arm.listSubscriptions({ token: call.token, signal: call.signal });
  } catch (e) {
    subscriptionsError = toVmIdentityError(e);
    if (subscriptionsError.kind === 'cancelled' || reads.size === 0) throw subscriptionsError;
  }
  for (const s of listed) if (wanted(s)) start(s.subscriptionId);
  if (reads.size === 0 && input.only) throw notAmong(input.only, listed);
  if (reads.size === 0) throw seesNoSubscription(input.principalId);
  const names = new Map(listed.map((s) => [lower(s.subscriptionId), s.displayName]));
  const results = await Promise.all(reads.values());
  input.stats.subscriptions = results.length;
  const subscriptions = results.map(({ assignments: _a, denies: _d, ...r }) => ({
    ...r,
    displayName: names.get(lower(r.subscriptionId)) ?? r.subscriptionId,
  }));
  if (results.every((r) => r.readFrom === undefined))
    throw (subscriptions.find((s) => s.isVmSubscription) ?? subscriptions[0]).error!;

  const firstSeen = new Map<string, { assignment: RoleAssignment; subscriptionId: string }>();
  const denies = new Map<string, DenyAssignmentDetail>();
  for (const r of results) {
    for (const a of r.assignments)
      if (!firstSeen.has(lower(a.id))) firstSeen.set(lower(a.id), { assignment: a, subscriptionId: r.subscriptionId });
    for (const d of r.denies)
      if (!denies.has(lower(d.id)))
        denies.set(lower(d.id), {
          ...d,
          subscriptionId: r.subscriptionId,
          appliesVia: appliesVia(d, input.principalId),
        });
  }
  const seen = [...firstSeen.values()];
  const bySubscription = new Map(seen.map((s) => [s.assignment, s.subscriptionId]));
  const assignments = await input.resolver.describe(
    seen.map((s) => s.assignment),
    input.principalId,
    (a) => bySubscription.get(a),
  );
  const vmView = subscriptions.find((s) => s.isVmSubscription && !s.complete && s.readFrom);
  return {
    subscriptions,
    assignments,
    denyAssignments: [...denies.values()],
    partial: vmView ? partialView(vmView) : undefined,
    subscriptionsError,
  };
}

/** The list at the subscription; for the VM's, on a 403, at its resource group and then at the VM. */
async function readSubscription(input: RoleScanInput, subscriptionId: string): Promise<SubscriptionRead> {
  const { arm, principalId, call, vm } = input;
  const subscription = `/subscriptions/${subscriptionId}`;
  const isVmSubscription = lower(subscriptionId) === lower(input.knownSubscriptionId ?? '');
  const fallback = isVmSubscription && vm && lower(vm.subscriptionId) === lower(subscriptionId);
  const chain = fallback
    ? [subscription, `${subscription}/resourceGroups/${vm.resourceGroup}`, vm.resourceId]
    : [subscription];
  const accessControlLink = portalLink(input.cloud, input.tenantId, subscription, 'users');
  const reading = { what: 'roles' as const, principalId, accessControlLink };
  const refused: string[] = [];
  let firstRefusal: VmIdentityError | undefined;
  for (const scope of chain) {
    // The deny list goes out with the role list at the same scope; it costs no extra stage.
    const denyP = arm
      .listAll(
        arm.denyAssignmentsUrl(scope, principalId),
        { token: call.token, signal: call.signal },
        { parse: parseDenyAssignment },
      )
      .then(
        (value) => ({ value, error: undefined }),
        (e: unknown) => ({ value: [] as DenyAssignment[], error: toVmIdentityError(e) }),
      );
    let assignments: RoleAssignment[];
    try {
      assignments = await arm.listAll(
        arm.roleAssignmentsUrl(scope, principalId, 'assignedTo'),
        { ...call, reading: { ...reading, scope } },
        {
          onPage: () => void input.stats.rolePages++,
          parse: parseRoleAssignment,
        },
      );
    } catch (e) {
      const error = toVmIdentityError(e);
      if (error.kind === 'cancelled') throw error;
      void denyP;
      if (isVmIdentityError(error, 'authorizationFailed') && error.status === 403) {
        refused.push(scope);
        firstRefusal ??= error;
        continue;
      }
      return {
        subscriptionId,
        isVmSubscription,
        complete: false,
        refused,
        error,
        accessControlLink,
        assignments: [],
        denies: [],
      };
    }
    // Role names resolve while the deny list finishes; this subscription does not wait for the others.
    const [deny, asked] = await Promise.all([
      denyP,
      input.resolver.resolve(
        arm,
        assignments.map((a) => a.roleDefinitionId),
        { token: call.token, signal: call.signal },
      ),
    ]);
    input.stats.roleDefinitionLookups += asked;
    return {
      subscriptionId,
      isVmSubscription,
      readFrom: scope,
      complete: scope === subscription,
      refused,
      denyError: deny.error,
      accessControlLink,
      assignments,
      denies: deny.value,
    };
  }
  const error = nothingReadable(principalId, subscription, refused, firstRefusal!, accessControlLink);
  return {
    subscriptionId,
    isVmSubscription,
    complete: false,
    refused,
    error,
    accessControlLink,
    assignments: [],
    denies: [],
  };
}

function partialView(s: SubscriptionRoles): PartialView {
  const subscription = `/subscriptions/${s.subscriptionId}`;
  const what = scopeKind(s.readFrom!) === 'resourceGroup' ? 'the resource group' : 'the VM';
  return {
    subscriptionId: s.subscriptionId,
    displayName: s.displayName,
    readFrom: s.readFrom!,
    refused: s.refused,
    note: `Partial view: read at ${what} ${s.readFrom} (the subscription refused the list). ${grantText(subscription)} (${s.displayName}) shows everything.`,
    link: s.accessControlLink,
  };
}
