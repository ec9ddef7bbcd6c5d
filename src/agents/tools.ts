/**
 * The read-only tools a model or an agent may call, defined once: the language-model tools
 * (src/ui/lmTools.ts, `contributes.languageModelTools` in package.json must match, a unit test checks) and the
 * MCP server (src/cli/mcp.ts) both take these names, descriptions and input schemas. No tool returns a token,
 * and there is no tool that would.
 */

export type ToolName = 'vm-identity_whoami' | 'vm-identity_roles' | 'vm-identity_diagnose' | 'vm-identity_checkAccess';

export interface JsonSchemaObject {
  type: 'object';
  properties: Record<string, { type: 'string'; description: string; enum?: string[] }>;
  required?: string[];
  additionalProperties: false;
}

export interface ToolDefinition {
  name: ToolName;
  /** `#name` in a chat prompt. */
  toolReferenceName: string;
  displayName: string;
  /** For people (the tools picker). */
  userDescription: string;
  /** For the model: when to call it and what comes back. */
  modelDescription: string;
  inputSchema: JsonSchemaObject;
  /** Reads Azure Resource Manager as the VM identity: asks the user to confirm first (VS Code). */
  readsArm: boolean;
  /** The confirmation VS Code shows before the call, when it reads ARM. */
  confirmation?: { title: string; message: string };
}

const NO_INPUT: JsonSchemaObject = { type: 'object', properties: {}, additionalProperties: false };

export const TOOLS: readonly ToolDefinition[] = [
  {
    name: 'vm-identity_whoami',
    toolReferenceName: 'vmIdentityWhoami',
    displayName: 'VM identity: who am I',
    userDescription: 'Who the Azure managed identity of this VM is, and which VM and cloud it runs in.',
    modelDescription:
      'Returns the Azure managed identity this machine (an Azure VM or another Azure host) signs in as: principal ' +
      '(object) ID, client ID, tenant ID, system- or user-assigned, display name, the VM (name, resource group, ' +
      'subscription, location, resource ID) and the cloud with its ARM endpoint. Call it before running Azure ' +
      'commands or SDK code on this machine, to know which identity DefaultAzureCredential / ManagedIdentityCredential ' +
      'will use. Returns no token. Takes no input.',
    inputSchema: NO_INPUT,
    readsArm: false,
  },
  {
    name: 'vm-identity_roles',
    toolReferenceName: 'vmIdentityRoles',
    displayName: 'VM identity: role assignments',
    userDescription: "The VM identity's Azure role assignments (RBAC), optionally filtered by scope or role.",
    modelDescription:
      "Lists the Azure RBAC role assignments of this machine's managed identity in the VM's subscription: role " +
      "name, scope, and whether it is direct, via a group or inherited. Use it to answer 'may this machine do X " +
      "on resource Y?' before trying. Optional input: scopePrefix (an ARM resource ID or a prefix of one; returns " +
      'assignments at or below it, whole path segments, and those above it that apply to it), roleName (case-insensitive part of a ' +
      'role name, e.g. "Storage Blob"). Reads Azure Resource Manager as the identity. Returns no token.',
    inputSchema: {
      type: 'object',
      properties: {
        scopePrefix: {
          type: 'string',
          description: 'ARM scope, e.g. /subscriptions/<id>/resourceGroups/<name>; assignments at, below or above it',
        },
        roleName: { type: 'string', description: 'Part of a role name, case-insensitive, e.g. "Key Vault"' },
      },
      additionalProperties: false,
    },
    readsArm: true,
    confirmation: {
      title: 'Read the VM identity\u2019s role assignments?',
      message: 'Reads Azure Resource Manager as the VM\u2019s managed identity (read-only; no token is shared).',
    },
  },
  {
    name: 'vm-identity_diagnose',
    toolReferenceName: 'vmIdentityDiagnose',
    displayName: 'VM identity: diagnose',
    userDescription: 'Checks why signing in with the VM identity or reaching Azure fails here, with fixes.',
    modelDescription:
      'Runs the VM Identity Diagnose checks on this machine: which Azure host it is, whether the identity ' +
      'endpoint answers (and not through a proxy), whether an identity is enabled, clock skew, ARM and Microsoft ' +
      'Graph reachability, proxy settings, and which identity az, azd, Azure PowerShell and DefaultAzureCredential ' +
      'would use. Each check is PASS, WARN, FAIL or SKIP with evidence and a fix. Use it when an Azure ' +
      'sign-in or call from this machine fails. Takes no input. Returns no token.',
    inputSchema: NO_INPUT,
    readsArm: true,
    confirmation: {
      title: 'Run the VM Identity checks?',
      message:
        'Asks the identity endpoint, Azure Resource Manager and Microsoft Graph as the VM\u2019s managed identity ' +
        '(read-only; no token is shared).',
    },
  },
  {
    name: 'vm-identity_checkAccess',
    toolReferenceName: 'vmIdentityCheckAccess',
    displayName: 'VM identity: check access',
    userDescription:
      'Whether the VM identity may perform an Azure action on a resource, and why (RBAC, deny, Key Vault).',
    modelDescription:
      "Answers 'may this machine's managed identity do <action> on <resource>?' from Azure's own evaluation: the " +
      'role assignments and deny assignments that apply (direct, via a group, inherited), data-plane actions, ' +
      'conditions and the Key Vault permission model. Returns the decision (Allowed, Denied, Not granted, ' +
      'Conditional), what grants or denies it, and for a missing grant the least-privileged built-in role with the ' +
      'az command that assigns it. Input: resourceId (full ARM resource ID), action (an Azure RBAC operation, e.g. ' +
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read; no wildcards), optional plane ' +
      '("control" or "data"; looked up in the provider\'s operations when omitted). ' +
      'Reads Azure Resource Manager as the identity. Returns no token.',
    inputSchema: {
      type: 'object',
      properties: {
        resourceId: {
          type: 'string',
          description: 'Full ARM resource ID, e.g. /subscriptions/<id>/resourceGroups/<rg>/providers/<type>/<name>',
        },
        action: {
          type: 'string',
          description: 'Azure RBAC operation, e.g. Microsoft.KeyVault/vaults/secrets/getSecret/action',
        },
        plane: {
          type: 'string',
          description: 'control or data; looked up from the action when omitted',
          enum: ['control', 'data'],
        },
      },
      required: ['resourceId', 'action'],
      additionalProperties: false,
    },
    readsArm: true,
    confirmation: {
      title: 'Check the VM identity\u2019s access?',
      message:
        'Reads the role and deny assignments that apply to the resource from Azure Resource Manager as the VM\u2019s ' +
        'managed identity (read-only; no token is shared).',
    },
  },
];

export function toolNamed(name: string): ToolDefinition | undefined {
  return TOOLS.find((t) => t.name === name);
}

export interface RolesInput {
  scopePrefix?: string;
  roleName?: string;
}

/** A tool's input as the schema allows it; anything else is an error the model can read and correct. */
export class ToolInputError extends Error {
  override readonly name = 'ToolInputError';
}

export function parseRolesInput(input: unknown): RolesInput {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) throw new ToolInputError('The input must be an object.');
  const out: RolesInput = {};
  for (const [key, value] of Object.entries(input)) {
    if (key !== 'scopePrefix' && key !== 'roleName') {
      throw new ToolInputError(`Unknown input "${key}": use scopePrefix and/or roleName.`);
    }
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') throw new ToolInputError(`${key} must be a string.`);
    out[key] = value.trim();
  }
  return out;
}

export interface CheckAccessInput {
  resourceId: string;
  action: string;
  plane?: 'control' | 'data';
}

export function parseCheckAccessInput(input: unknown): CheckAccessInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ToolInputError('The input must be an object with resourceId and action.');
  }
  const fields = input as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!['resourceId', 'action', 'plane'].includes(key)) {
      throw new ToolInputError(`Unknown input "${key}": use resourceId, action and optionally plane.`);
    }
  }
  const text = (key: 'resourceId' | 'action'): string => {
    const value = fields[key];
    if (typeof value !== 'string' || !value.trim()) throw new ToolInputError(`${key} is required (a string).`);
    return value.trim();
  };
  const out: CheckAccessInput = { resourceId: text('resourceId'), action: text('action') };
  const plane = fields.plane;
  if (plane === undefined || plane === null || plane === '') return out;
  if (plane !== 'control' && plane !== 'data') throw new ToolInputError('plane must be "control" or "data".');
  return { ...out, plane };
}
