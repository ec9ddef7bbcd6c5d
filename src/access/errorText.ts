/**
 * Pulls scope, action and caller out of a pasted 403, so "Check access…" can be filled from the error the
 * user actually got. Formats (real texts in the tests, with their sources):
 * - ARM `AuthorizationFailed`: "The client '…' with object id '…' does not have authorization to perform
 *   action '…' over scope '…' or the scope is invalid." (Azure/ARO-RP#66);
 *   `LinkedAuthorizationFailed`: "… has permission to perform action 'A' on scope 'S'; however, it does not
 *   have permission to perform action(s) 'B' on the linked scope(s) 'T' …";
 * - Key Vault RBAC `Forbidden`/`ForbiddenByRbac`: "Caller is not authorized to perform action on resource. …
 *   Caller: appid=…;oid=…;iss=… Action: '…' Resource: '…' Assignment: … DenyAssignmentId: …"
 *   (piyushsachdeva/Terraform_AKS#2, dotnet/source-build#4525);
 * - Key Vault access policy: "The user, group or application 'appid=…;oid=…;iss=…' does not have secrets get
 *   permission on key vault 'name;location=…'" (azure-docs AKS Istio troubleshooting; SparebankenVest/azure-key-vault-to-kubernetes#203);
 * - Storage `AuthorizationPermissionMismatch` / `AuthorizationFailure`, XML `<Error><Code>` or JSON
 *   `{"error":{"code"}}` (CDCgov/prime-reportstream#12209, Azure/kusto-copy#79) — no action or scope in it;
 * - Cosmos DB: "Request is blocked because principal [oid] does not have required RBAC permissions to
 *   perform action [A] on resource [R]" (Azure/azure-cosmos-dotnet-v3#2891) — Cosmos DB's own RBAC;
 * - Graph `Authorization_RequestDenied` "Insufficient privileges to complete the operation." — app roles.
 * Pasted text is untrusted: it is matched with bounded, linear patterns and never evaluated.
 */
import { dataActionForPolicy } from './keyVaultPolicy';
import type { Plane } from './types';

export type ErrorSource = 'arm' | 'keyVaultRbac' | 'keyVaultAccessPolicy' | 'storage' | 'cosmosDb' | 'graph';

export interface Parsed403 {
  source: ErrorSource;
  code?: string;
  action?: string;
  plane?: Plane;
  /** ARM scope when the text names one (ARM, Key Vault). Cosmos DB's resource is relative to the account. */
  scope?: string;
  cosmosResource?: string;
  callerObjectId?: string;
  callerAppId?: string;
  vaultName?: string;
  storageAccount?: string;
  /** Key Vault's DecisionReason / deny assignment ID, when it named one. */
  denyAssignmentId?: string;
  /** What the text means in one sentence. */
  hint: string;
}

const MAX_INPUT = 64 * 1024;
const GUID = '[0-9a-fA-F-]{36}';

/** JSON-escaped pastes carry `\r\n` and `\"` literally; undo that before matching. */
function unescapeJsonish(text: string): string {
  return text
    .replace(/\\\\r\\\\n|\\r\\n|\\n|\\r/g, '\n')
    .replace(/\\\\"|\\"/g, '"')
    .replace(/\\'/g, "'");
}

function first(re: RegExp, text: string): string | undefined {
  return re.exec(text)?.[1]?.trim();
}

function caller(text: string): { callerObjectId?: string; callerAppId?: string } {
  return {
    callerObjectId: first(new RegExp(`oid=(${GUID})`), text),
    callerAppId: first(new RegExp(`appid=(${GUID})`), text),
  };
}

function arm(text: string): Parsed403 | undefined {
  const linked =
    /does not have permission to perform action\(s\) '([^']{1,400})' on the linked scope\(s\) '([^']{1,2000})'/.exec(
      text,
    );
  if (linked) {
    return {
      source: 'arm',
      code: 'LinkedAuthorizationFailed',
      action: linked[1].split(',')[0].trim(),
      plane: 'control',
      scope: linked[2].split(',')[0].trim(),
      callerObjectId: first(new RegExp(`object id '(${GUID})'`), text),
      hint: 'ARM refused an action on a linked resource (for example the subnet or disk a VM uses).',
    };
  }
  const m = /does not have authorization to perform action '([^']{1,400})' over scope '([^']{1,2000})'/.exec(text);
  if (!m) return undefined;
  return {
    source: 'arm',
    code: 'AuthorizationFailed',
    action: m[1],
    plane: 'control',
    scope: m[2],
    callerObjectId: first(new RegExp(`object id '(${GUID})'`), text),
    callerAppId: first(new RegExp(`The client '(${GUID})'`), text),
    hint: 'Azure Resource Manager found no role assignment granting this action at this scope.',
  };
}

function keyVault(text: string): Parsed403 | undefined {
  if (/Caller is not authorized to perform action on resource/.test(text)) {
    const deny = first(/DenyAssignmentId: ([^\s\n]{1,300})/, text);
    return {
      source: 'keyVaultRbac',
      code: /ForbiddenByRbac/.test(text) ? 'ForbiddenByRbac' : 'Forbidden',
      action: first(/Action: '([^']{1,400})'/, text),
      plane: 'data',
      scope: first(/Resource: '([^']{1,2000})'/, text),
      ...caller(text),
      vaultName: first(/Vault: ([^;\s]{1,100});/, text),
      denyAssignmentId: deny && deny !== 'null' ? deny : undefined,
      hint: 'Key Vault (on Azure RBAC) found no role assignment granting this data action.',
    };
  }
  const p =
    /does not have (secrets|keys|certificates|storage) ([A-Za-z]{1,40}) permission on key vault '([^';]{1,100})/.exec(
      text,
    );
  if (!p) return undefined;
  return {
    source: 'keyVaultAccessPolicy',
    code: 'Forbidden',
    action: dataActionForPolicy(p[1], p[2]),
    plane: 'data',
    ...caller(text),
    vaultName: p[3],
    hint: `The vault uses access policies: the identity's entry lacks ${p[1]} ${p[2]}.`,
  };
}

function storage(text: string): Parsed403 | undefined {
  const code =
    first(/<Code>(AuthorizationPermissionMismatch|AuthorizationFailure)<\/Code>/, text) ??
    first(/"code"\s*:\s*"(AuthorizationPermissionMismatch|AuthorizationFailure)"/, text) ??
    first(/ErrorCode:\s*(AuthorizationPermissionMismatch|AuthorizationFailure)/, text);
  if (!code) return undefined;
  return {
    source: 'storage',
    code,
    plane: 'data',
    storageAccount: first(/https?:\/\/([a-z0-9]{3,24})\.(?:blob|dfs|queue|table|file)\./, text),
    hint:
      code === 'AuthorizationPermissionMismatch'
        ? 'Storage accepted the token but no role grants this data action (Reader or Contributor give no blob data access; a Storage … Data role does).'
        : 'Storage refused the request before checking roles: often its firewall or "allow shared key / Entra" settings.',
  };
}

function cosmos(text: string): Parsed403 | undefined {
  const m = new RegExp(
    `principal \\[(${GUID})\\] does not have required RBAC permissions to perform action \\[([^\\]]{1,400})\\] on resource \\[([^\\]]{0,1000})\\]`,
  ).exec(text);
  if (!m) return undefined;
  return {
    source: 'cosmosDb',
    code: 'Forbidden',
    action: m[2],
    plane: 'data',
    callerObjectId: m[1],
    cosmosResource: m[3],
    hint: "Cosmos DB's own data-plane RBAC (sqlRoleAssignments on the account), not an Azure role assignment, decides this.",
  };
}

function graph(text: string): Parsed403 | undefined {
  if (!/Authorization_RequestDenied/.test(text)) return undefined;
  return {
    source: 'graph',
    code: 'Authorization_RequestDenied',
    hint: 'Microsoft Graph needs an application permission (app role) granted to the identity; Azure roles do not apply.',
  };
}

/** Undefined when the text is none of the known 403 formats. */
export function parse403(pasted: string): Parsed403 | undefined {
  const text = unescapeJsonish(pasted.slice(0, MAX_INPUT));
  for (const parse of [keyVault, arm, cosmos, storage, graph]) {
    const found = parse(text);
    if (found) return found;
  }
  return undefined;
}
