/**
 * Whom `az`, `azd` and Az PowerShell are signed in as, from their own state files. Only name/type fields are read
 * out of the parsed JSON; nothing else leaves this module. Token caches (msal_token_cache.*, TokenCache.dat) are
 * never opened.
 *
 * - az: `$AZURE_CONFIG_DIR/azureProfile.json` (default ~/.azure), UTF-8 with BOM; `subscriptions[]` with
 *   `isDefault`, `user.name`, `user.type` (user | servicePrincipal), `user.assignedIdentityInfo` (MSI,
 *   MSIClient-<id>, MSIObject-<id>, MSIResource-<id>) and `environmentName` (Azure/azure-cli
 *   src/azure-cli-core/azure/cli/core/_profile.py).
 * - azd: `$AZD_CONFIG_DIR/config.json` (default ~/.azd): `auth.useAzCliAuth` ("true" = delegate to az) and
 *   `auth.account.currentUser` = {homeAccountId} for a user or {clientId, tenantId} for a service principal
 *   (Azure/azure-dev cli/azd/pkg/auth/manager.go `userProperties`).
 * - Az PowerShell: `~/.Azure/AzureRmContext.json`: `DefaultContextKey`, `Contexts[key].Account.{Id, Type}` (User,
 *   ServicePrincipal, ManagedService, AccessToken, ClientAssertion) and `.Environment.Name` (Azure/azure-powershell
 *   src/Accounts/Authentication/…/AzureRmProfile). Its ExtendedProperties may hold a secret: never read.
 */
import * as path from 'node:path';
import type { Env, FileReader } from './inputs';

export type LoginKind = 'user' | 'servicePrincipal' | 'managedIdentity' | 'unknown';

export interface ToolLogin {
  tool: 'az' | 'azd' | 'Az PowerShell';
  state: 'signedIn' | 'signedOut' | 'unreadable' | 'delegatesToAz';
  kind?: LoginKind;
  /** User principal name, service principal / identity client ID, or identity kind; never a credential. */
  name?: string;
  cloud?: string;
  source: string;
}

function parseJson(text: string): unknown {
  return JSON.parse(text.replace(/^\uFEFF/, ''));
}

function obj(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length < 300 ? value : undefined;
}

export async function readAzLogin(env: Env, home: string, files: FileReader): Promise<ToolLogin> {
  const dir = env.AZURE_CONFIG_DIR?.trim() || path.join(home, '.azure');
  const source = path.join(dir, 'azureProfile.json');
  const text = await files.readText(source);
  if (text === undefined) return { tool: 'az', state: 'signedOut', source };
  try {
    const subs = obj(parseJson(text))?.subscriptions;
    if (!Array.isArray(subs) || subs.length === 0) return { tool: 'az', state: 'signedOut', source };
    const current = obj(subs.find((s) => obj(s)?.isDefault === true) ?? subs[0]);
    const user = obj(current?.user);
    const info = str(user?.assignedIdentityInfo);
    const type = str(user?.type);
    const kind: LoginKind = info?.startsWith('MSI')
      ? 'managedIdentity'
      : type === 'user'
        ? 'user'
        : type === 'servicePrincipal'
          ? 'servicePrincipal'
          : 'unknown';
    const name =
      kind === 'managedIdentity'
        ? info === 'MSI'
          ? 'system-assigned identity'
          : `user-assigned identity (${info!.replace(/^MSI/, '')})`
        : str(user?.name);
    return { tool: 'az', state: 'signedIn', kind, name, cloud: str(current?.environmentName), source };
  } catch {
    return { tool: 'az', state: 'unreadable', source };
  }
}

export async function readAzdLogin(env: Env, home: string, files: FileReader): Promise<ToolLogin> {
  const dir = env.AZD_CONFIG_DIR?.trim() || path.join(home, '.azd');
  const source = path.join(dir, 'config.json');
  const text = await files.readText(source);
  if (text === undefined) return { tool: 'azd', state: 'signedOut', source };
  try {
    const auth = obj(obj(parseJson(text))?.auth);
    if (String(auth?.useAzCliAuth).toLowerCase() === 'true') return { tool: 'azd', state: 'delegatesToAz', source };
    const user = obj(obj(auth?.account)?.currentUser);
    if (!user) return { tool: 'azd', state: 'signedOut', source };
    if (str(user.clientId)) {
      return { tool: 'azd', state: 'signedIn', kind: 'servicePrincipal', name: str(user.clientId), source };
    }
    // homeAccountId is "<object id>.<tenant id>": say it is a user, without the IDs.
    if (str(user.homeAccountId))
      return { tool: 'azd', state: 'signedIn', kind: 'user', name: 'a user account', source };
    return { tool: 'azd', state: 'signedIn', kind: 'unknown', source };
  } catch {
    return { tool: 'azd', state: 'unreadable', source };
  }
}

const PWSH_KINDS: Record<string, LoginKind> = {
  User: 'user',
  ServicePrincipal: 'servicePrincipal',
  ClientAssertion: 'servicePrincipal',
  ManagedService: 'managedIdentity',
};

export async function readAzPowerShellLogin(home: string, files: FileReader): Promise<ToolLogin> {
  const source = path.join(home, '.Azure', 'AzureRmContext.json');
  const text = await files.readText(source);
  if (text === undefined) return { tool: 'Az PowerShell', state: 'signedOut', source };
  try {
    const root = obj(parseJson(text));
    const key = str(root?.DefaultContextKey);
    const contexts = obj(root?.Contexts);
    const context = key ? obj(contexts?.[key]) : undefined;
    const account = obj(context?.Account);
    if (!account) return { tool: 'Az PowerShell', state: 'signedOut', source };
    const type = str(account.Type) ?? '';
    const kind = PWSH_KINDS[type] ?? 'unknown';
    return {
      tool: 'Az PowerShell',
      state: 'signedIn',
      kind,
      // An AccessToken account's Id is a user name; its token sits in ExtendedProperties, which is not read.
      name: str(account.Id),
      cloud: str(obj(context?.Environment)?.Name),
      source,
    };
  } catch {
    return { tool: 'Az PowerShell', state: 'unreadable', source };
  }
}

export function describeLogin(login: ToolLogin): string {
  switch (login.state) {
    case 'signedOut':
      return `${login.tool}: not signed in`;
    case 'unreadable':
      return `${login.tool}: ${login.source} could not be read`;
    case 'delegatesToAz':
      return `${login.tool}: uses az's login (auth.useAzCliAuth)`;
    default: {
      const kind =
        login.kind === 'user'
          ? 'user'
          : login.kind === 'managedIdentity'
            ? 'managed identity'
            : login.kind === 'servicePrincipal'
              ? 'service principal'
              : 'account';
      return `${login.tool}: ${kind} ${login.name ?? ''}`.trimEnd() + (login.cloud ? ` (${login.cloud})` : '');
    }
  }
}
