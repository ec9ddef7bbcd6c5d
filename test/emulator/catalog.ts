/**
 * The rest of the built-in role catalog: real ARM lists about 550 built-in roles at every subscription
 * (azure-docs role-based-access-control/built-in-roles.md lists them all; its table has ~550 rows), 1–2 MB
 * of JSON. The roles the dataset assigns have their real ids and permissions (roles.ts); the others are
 * generated here, deterministically and independent of the seed (built-in roles are global and their ids
 * never change, same doc: "Built-in roles have the same role ID across clouds"), with names, descriptions
 * and permission lists shaped like the real ones (common actions + per-resource-type wildcards).
 */
import { createHash } from 'node:crypto';
import { SERVICES_FIRST_HALF } from './catalogServicesFirst';
import { SERVICES_SECOND_HALF } from './catalogServicesSecond';
import type { RoleDefinitionProperties, RolePermission } from './roles';

export interface ServiceSpec {
  /** Display name as it appears in role names, e.g. 'API Management'. */
  title: string;
  namespace: string;
  types: string[];
  /** Data-plane resource types (with dataActions), if the service has a data plane. */
  data?: string[];
}

const SERVICES: readonly ServiceSpec[] = [...SERVICES_FIRST_HALF, ...SERVICES_SECOND_HALF];

/** Role kinds and what they are granted on each control-plane resource type. */
const KINDS = [
  {
    suffix: 'Contributor',
    verbs: ['*'],
    blurb: (s: string) => `Lets you manage ${s} resources, but not access to them.`,
  },
  { suffix: 'Reader', verbs: ['read'], blurb: (s: string) => `Lets you view ${s} resources, but not change them.` },
  {
    suffix: 'Operator',
    verbs: ['read', 'action'],
    blurb: (s: string) => `Lets you operate ${s} resources: read them and run their actions.`,
  },
  {
    suffix: 'Administrator',
    verbs: ['*'],
    blurb: (s: string) => `Full access to ${s} resources, including their configuration and access keys.`,
  },
  { suffix: 'Data Reader', verbs: ['read'], data: ['read'], blurb: (s: string) => `Allows read access to ${s} data.` },
  {
    suffix: 'Data Contributor',
    verbs: ['read'],
    data: ['read', 'write', 'delete', 'action'],
    blurb: (s: string) => `Allows read, write and delete access to ${s} data.`,
  },
  {
    suffix: 'Data Owner',
    verbs: ['*'],
    data: ['*'],
    blurb: (s: string) => `Allows full access to ${s} data, including assigning access.`,
  },
  {
    suffix: 'Service Operator',
    verbs: ['read', 'write'],
    blurb: (s: string) => `Can manage ${s} service settings but not delete the service.`,
  },
] as const;

/** What most built-in management roles carry (e.g. Storage Account Contributor, Key Vault Reader in built-in-roles.md). */
const COMMON_ACTIONS = [
  'Microsoft.Authorization/*/read',
  'Microsoft.Insights/alertRules/*',
  'Microsoft.Insights/metrics/read',
  'Microsoft.Insights/diagnosticSettings/*',
  'Microsoft.ResourceHealth/availabilityStatuses/read',
  'Microsoft.Resources/deployments/*',
  'Microsoft.Resources/subscriptions/resourceGroups/read',
  'Microsoft.Support/*',
];

/** A stable GUID from a role name (SHA-1 based, version nibble 4) so the catalog never changes between runs. */
function stableRoleGuid(roleName: string): string {
  const h = createHash('sha1').update(`built-in-role:${roleName}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function stableDate(roleName: string, fromYear: number, years: number): string {
  const n = createHash('sha1').update(`date:${roleName}`).digest().readUInt32LE(0);
  const ms = Date.UTC(fromYear, 0, 1) + (n % (years * 365)) * 86_400_000 + (n % 86_400) * 1000 + (n % 1000);
  return new Date(ms).toISOString().replace('Z', `${String(n % 10_000).padStart(4, '0')}Z`);
}

function permissionsFor(service: ServiceSpec, kind: (typeof KINDS)[number]): RolePermission {
  const actions = [...COMMON_ACTIONS];
  for (const type of service.types) {
    for (const verb of kind.verbs) actions.push(`${service.namespace}/${type}/${verb}`);
    actions.push(
      `${service.namespace}/${type}/providers/Microsoft.Insights/logDefinitions/read`,
      `${service.namespace}/${type}/providers/Microsoft.Insights/metricDefinitions/read`,
      `${service.namespace}/${type}/providers/Microsoft.Insights/diagnosticSettings/read`,
    );
  }
  actions.push(
    `${service.namespace}/locations/operationResults/read`,
    `${service.namespace}/operations/read`,
    `${service.namespace}/register/action`,
  );
  const dataActions: string[] = [];
  if ('data' in kind) {
    for (const type of service.data ?? [])
      for (const verb of kind.data) dataActions.push(`${service.namespace}/${type}/${verb}`);
  }
  // Operators may act but not delete, the way e.g. Virtual Machine Operator-style roles subtract deletes.
  const notActions = kind.suffix === 'Operator' ? [`${service.namespace}/*/delete`] : [];
  return { actions, notActions, dataActions, notDataActions: [] };
}

/**
 * `count` generated built-in roles (properties only; ids come from `stableRoleGuid(roleName)`), in the
 * alphabetical order built-in-roles.md uses. Names never collide with the real ones in roles.ts.
 */
export function generatedBuiltInRoles(
  count: number,
  reservedNames: ReadonlySet<string>,
): Array<{ guid: string; properties: RoleDefinitionProperties }> {
  const out: Array<{ guid: string; properties: RoleDefinitionProperties }> = [];
  for (let k = 0; out.length < count && k < KINDS.length * 4; k++) {
    const kind = KINDS[k % KINDS.length];
    const edition = Math.floor(k / KINDS.length);
    for (const service of SERVICES) {
      if (out.length >= count) break;
      if ('data' in kind && !service.data) continue;
      const roleName = `${service.title}${edition ? ` ${['', 'Workspace', 'Preview', 'Regional'][edition]}` : ''} ${kind.suffix}`;
      if (reservedNames.has(roleName.toLowerCase())) continue;
      const createdOn = stableDate(roleName, 2016, 7);
      out.push({
        guid: stableRoleGuid(roleName),
        properties: {
          roleName,
          type: 'BuiltInRole',
          description: kind.blurb(service.title),
          assignableScopes: ['/'],
          permissions: [permissionsFor(service, kind)],
          createdOn,
          updatedOn: stableDate(`${roleName}:updated`, 2023, 2),
          createdBy: null,
          updatedBy: null,
        },
      });
    }
  }
  return out.sort((a, b) => a.properties.roleName.localeCompare(b.properties.roleName));
}
