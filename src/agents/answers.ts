/**
 * What each tool answers, as concise text a model can use, from a {@link ToolBackend}: the extension's signed-in
 * session (src/ui/lmTools.ts) or a fresh read per call (the MCP server, src/cli/mcp.ts). Every answer passes the
 * token scrubber on its way out, and no answer is built from a token.
 */
import { type RoleAssignmentDetail, type Snapshot, valueOf } from '../azure';
import { isVmIdentityError } from '../core/errors';
import { AccessCheckInputError } from '../access';
import { type Report, renderText } from '../diagnose';
import { scrubTokens } from './scrub';
import {
  type CheckAccessInput,
  type RolesInput,
  type ToolName,
  ToolInputError,
  parseCheckAccessInput,
  parseRolesInput,
} from './tools';

/** The identity as the backend has it, or why there is none (signed out, no identity here…). */
export type SnapshotAnswer = { status: 'ok'; snapshot: Snapshot } | { status: 'unavailable'; reason: string };

export interface ToolBackend {
  /** The identity's snapshot; with role assignments when `roles` is asked. */
  snapshot(needs: { roles: boolean }, signal?: AbortSignal): Promise<SnapshotAnswer>;
  /** The Diagnose checks against this machine, with the real network probe. */
  diagnose(signal?: AbortSignal): Promise<Report>;
  /** The access verdict as text (src/azure/accessCheck.ts), as the signed-in identity; never a token. */
  checkAccess(question: CheckAccessInput, signal?: AbortSignal): Promise<string>;
}

/** The most role assignments one answer lists; the rest are counted, and a filter narrows them. */
const MAX_ROLE_LINES = 100;

export interface ToolAnswer {
  text: string;
  /** The tool could not do its job (bad input, no identity, an error): the text says why and what to do. */
  isError: boolean;
}

/** The answer of `name` for `input`: text, scrubbed. Failures are answers too (the model reads them). */
export async function answerTool(
  name: ToolName,
  input: unknown,
  backend: ToolBackend,
  signal?: AbortSignal,
): Promise<ToolAnswer> {
  try {
    return { text: scrubTokens(await answer(name, input, backend, signal)), isError: false };
  } catch (e) {
    return { text: scrubTokens(failureText(e)), isError: true };
  }
}

async function answer(name: ToolName, input: unknown, backend: ToolBackend, signal?: AbortSignal): Promise<string> {
  switch (name) {
    case 'vm-identity_whoami': {
      const got = await backend.snapshot({ roles: false }, signal);
      if (got.status !== 'ok') throw new IdentityUnavailable(got.reason);
      return whoamiAnswer(got.snapshot);
    }
    case 'vm-identity_roles': {
      const filter = parseRolesInput(input);
      const got = await backend.snapshot({ roles: true }, signal);
      if (got.status !== 'ok') throw new IdentityUnavailable(got.reason);
      return rolesAnswer(got.snapshot, filter);
    }
    case 'vm-identity_diagnose':
      return diagnoseAnswer(await backend.diagnose(signal));
    case 'vm-identity_checkAccess':
      return backend.checkAccess(parseCheckAccessInput(input), signal);
  }
}

/** No identity to answer from; the reason is the whole answer. */
class IdentityUnavailable extends Error {}

function failureText(e: unknown): string {
  if (e instanceof ToolInputError) return `Invalid input: ${e.message}`;
  if (e instanceof AccessCheckInputError) return `Invalid input (${e.field}): ${e.message}`;
  if (e instanceof IdentityUnavailable) return e.message;
  if (isVmIdentityError(e)) return `Failed: ${e.message}\nFix: ${e.fix}${e.link ? `\nSee: ${e.link}` : ''}`;
  return `Failed: ${e instanceof Error ? e.message : String(e)}`;
}

function identityKind(s: Snapshot): string {
  return s.identity.identityType === 'SystemAssigned' ? 'system-assigned' : 'user-assigned';
}

function whoamiAnswer(s: Snapshot): string {
  const id = s.identity;
  const name = valueOf(s.displayName);
  const lines = [
    `Managed identity: ${identityKind(s)}${name ? ` "${name}"` : ''}`,
    `Principal (object) ID: ${id.principalId}`,
    `Client (application) ID: ${id.clientId ?? 'not known'}`,
    `Tenant ID: ${id.tenantId}`,
  ];
  if (id.identityResourceId && id.identityType !== 'SystemAssigned')
    lines.push(`Identity resource ID: ${id.identityResourceId}`);
  switch (s.vm.status) {
    case 'ok': {
      const vm = s.vm.value;
      lines.push(
        `VM: ${vm.name} (resource group ${vm.resourceGroup}, subscription ${vm.subscriptionId}, ${vm.location}, ${vm.vmSize}, ${vm.osType})`,
        `VM resource ID: ${vm.resourceId}`,
      );
      break;
    }
    case 'failed':
      lines.push(`VM: not known (${s.vm.error.message})`);
      break;
    case 'skipped':
      lines.push(`VM: none (${s.vm.reason})`);
      break;
  }
  lines.push(`Cloud: ${s.cloud.name}; Resource Manager ${s.endpoints.arm}; Microsoft Graph ${s.endpoints.graph}`);
  lines.push(`Identity host: ${id.source}`);
  return lines.join('\n');
}

const VIA = { direct: 'direct', group: 'via a group', inherited: 'inherited' } as const;

/** Assignments at, below or above `prefix`, whole path segments only (an assignment above a scope applies to it). */
function matchesScope(scope: string, prefix: string): boolean {
  const a = scope.toLowerCase().replace(/\/+$/, '');
  const p = prefix.toLowerCase().replace(/\/+$/, '');
  return a === p || a.startsWith(`${p}/`) || p.startsWith(`${a}/`) || a === '';
}

export function filterRoles(roles: readonly RoleAssignmentDetail[], filter: RolesInput): RoleAssignmentDetail[] {
  const role = filter.roleName?.toLowerCase();
  return roles.filter(
    (r) =>
      (!filter.scopePrefix || matchesScope(r.scope, filter.scopePrefix)) &&
      (!role || r.roleName.toLowerCase().includes(role)),
  );
}

function rolesAnswer(s: Snapshot, filter: RolesInput): string {
  const who = `principal ${s.identity.principalId}`;
  switch (s.roles.status) {
    case 'failed':
      return `The role assignments of ${who} could not be read: ${s.roles.error.message}\nFix: ${s.roles.error.fix}`;
    case 'skipped':
      return `The role assignments of ${who} were not read: ${s.roles.reason}`;
    case 'ok':
      break;
  }
  const view = s.roles.value;
  const all = view.assignments;
  const picked = filterRoles(all, filter);
  const how = [
    filter.scopePrefix && `scope ${filter.scopePrefix}`,
    filter.roleName && `role name containing "${filter.roleName}"`,
  ]
    .filter(Boolean)
    .join(', ');
  const head = `${picked.length} role assignment(s) of ${who}${how ? ` matching ${how} (of ${all.length})` : ''}:`;
  const notes = [
    view.partial && `Partial: ${view.partial.note}`,
    view.denyAssignments.length > 0 &&
      `${view.denyAssignments.length} deny assignment(s) also apply: they override the roles.`,
  ].filter((n): n is string => typeof n === 'string');
  if (picked.length === 0) {
    const none = `${head.replace(/:$/, '.')} Without a role assignment this identity gets 403 AuthorizationFailed from Azure Resource Manager.`;
    return [none, ...notes].join('\n');
  }
  const lines = picked
    .slice(0, MAX_ROLE_LINES)
    .map((r) => `- ${r.roleName} at ${r.scope || '/'} (${VIA[r.via]}${r.condition ? ', with a condition' : ''})`);
  if (picked.length > MAX_ROLE_LINES)
    lines.push(`… and ${picked.length - MAX_ROLE_LINES} more: narrow with scopePrefix or roleName.`);
  return [head, ...lines, ...notes].join('\n');
}

function diagnoseAnswer(report: Report): string {
  const failing = report.checks.filter((c) => c.status === 'fail').length;
  const warning = report.checks.filter((c) => c.status === 'warn').length;
  const summary = report.ok
    ? `No check failed (${warning} warning(s)).`
    : `${failing} check(s) failed, ${warning} warning(s).`;
  return `${summary}\n${renderText(report)}`;
}
