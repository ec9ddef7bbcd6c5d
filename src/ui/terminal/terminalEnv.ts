/**
 * What a "terminal as the VM identity" runs with: environment, banner, and a bash rc file that signs `az` in.
 * Pure (no vscode, no I/O) so it is tested in plain Node. No token ever goes into the environment or the file:
 * the tools fetch their own from the identity endpoint.
 *
 * Sources:
 * - `AZURE_CONFIG_DIR`: where az keeps its profile and caches (learn.microsoft.com/cli/azure/azure-cli-configuration
 *   "CLI configuration file"), so this terminal's `az login` never touches the user's ~/.azure.
 * - `AZURE_TOKEN_CREDENTIALS=ManagedIdentityCredential`: DefaultAzureCredential then uses only
 *   ManagedIdentityCredential (azure-sdk-for-js identity/src/credentials/defaultAzureCredential.ts, case
 *   "managedidentitycredential", which also skips the IMDS probe). Individual credential names are accepted by
 *   @azure/identity >= 4.11.0, Azure.Identity (.NET) >= 1.15.0, azure-identity (Python) >= 1.24.0, (Java) >= 1.17.0
 *   (learn.microsoft.com/azure/developer/{javascript,dotnet,python,java}/sdk/authentication/credential-chains,
 *   "Use a specific credential"). @azure/identity 4.10.x knows only dev/prod and throws on a name: see `prod`.
 * - `AZURE_CLIENT_ID`: DefaultAzureCredential's managed identity client ID (defaultAzureCredentialFunctions.ts:
 *   `options.managedIdentityClientId ?? process.env.AZURE_CLIENT_ID`). Removed for a system-assigned identity so an
 *   inherited value cannot select a user-assigned one instead.
 * - `az login --identity --client-id|--object-id|--resource-id`: azure-cli PR #30525 (added; 2.69.0); `--username`
 *   for managed identities was dropped in 2.73.0 (PR #31015, #31453), so it is only the fallback for older az.
 *   `--allow-no-subscriptions` keeps az usable for an identity with data-plane roles only.
 *
 * Text the user reads goes through @vscode/l10n (the extension's bundle, configured in activate()).
 */

import { createHash } from 'node:crypto';
import * as l10n from '@vscode/l10n';

export type TerminalIdentitySelector =
  { kind: 'system' } | { kind: 'clientId' | 'objectId' | 'resourceId'; value: string };

export interface TerminalIdentity {
  selector: TerminalIdentitySelector;
  /** The identity's client (application) ID when known, e.g. the `appid` of its token. */
  clientId?: string;
  displayName?: string;
  principalId?: string;
}

export type TokenCredentialsChoice = 'ManagedIdentityCredential' | 'prod';

export interface TerminalPlanInput {
  identity: TerminalIdentity;
  /** A directory only this user can read (0700), removed when the window closes. */
  privateDir: string;
  /** Whether `az` is on PATH; without it no sign-in is attempted. */
  azAvailable: boolean;
  /** bash to start with the generated rc file; without it the user's default shell starts with the env only. */
  bashPath?: string;
  /** `prod` for SDKs older than the versions above, which reject a credential name. */
  tokenCredentials?: TokenCredentialsChoice;
}

export interface TerminalPlan {
  name: string;
  /** For TerminalOptions.env: `null` removes an inherited variable. */
  env: Record<string, string | null>;
  /** Written to the terminal before the shell starts (CRLF line ends, as the terminal expects). */
  message: string;
  shellPath?: string;
  shellArgs?: string[];
  /** The caller writes this file (mode 0600) before starting the terminal. */
  rcFile?: { path: string; content: string };
  azLoginArgs?: string[];
  /** Things the user should know, shown in the banner too. */
  warnings: string[];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function planIdentityTerminal(input: TerminalPlanInput): TerminalPlan {
  const { identity, privateDir } = input;
  // One az config per identity: terminals for different identities in one window never share a sign-in.
  const key = identityKey(identity.selector);
  const configDir = joinPath(privateDir, `azure-${key}`);
  const clientId = clientIdFor(identity);
  const warnings: string[] = [];
  if (identity.selector.kind !== 'system' && !clientId) {
    warnings.push(
      l10n.t(
        'The client ID of this identity is not known, so SDK code here cannot be pointed at it (AZURE_CLIENT_ID is unset).',
      ),
    );
  }
  if (!input.azAvailable) warnings.push(l10n.t('az is not on PATH: only SDK code is set up in this terminal.'));
  const env: Record<string, string | null> = {
    AZURE_CONFIG_DIR: configDir,
    AZURE_TOKEN_CREDENTIALS: input.tokenCredentials ?? 'ManagedIdentityCredential',
    AZURE_CLIENT_ID: clientId ?? null,
  };
  const azLoginArgs = input.azAvailable ? azLoginArgsFor(identity.selector) : undefined;
  const who = describeIdentity(identity);
  const plan: TerminalPlan = {
    name: l10n.t(
      'VM Identity: {0}',
      identity.displayName ??
        (identity.selector.kind === 'system' ? l10n.t('system-assigned') : l10n.t('user-assigned')),
    ),
    env,
    message: banner(who, warnings),
    azLoginArgs,
    warnings,
  };
  if (input.bashPath) {
    const rcPath = joinPath(privateDir, `bashrc-${key}`);
    plan.shellPath = input.bashPath;
    plan.shellArgs = ['--rcfile', rcPath, '-i'];
    plan.rcFile = { path: rcPath, content: bashRc(env, azLoginArgs, identity.selector) };
  } else if (azLoginArgs) {
    warnings.push(l10n.t('Sign az in with: {0}', `az ${azLoginArgs.map(shellQuote).join(' ')}`));
    plan.message = banner(who, warnings);
  }
  return plan;
}

/** `az login --identity` for the selected identity; see the header for the flags' history. */
export function azLoginArgsFor(selector: TerminalIdentitySelector): string[] {
  const base = ['login', '--identity', '--allow-no-subscriptions', '--output', 'none'];
  switch (selector.kind) {
    case 'system':
      return base;
    case 'clientId':
      return [...base, '--client-id', selector.value];
    case 'objectId':
      return [...base, '--object-id', selector.value];
    case 'resourceId':
      return [...base, '--resource-id', selector.value];
  }
}

/** POSIX single-quoting: safe for any value, including ones with quotes or `$`. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A file-name-safe key for the selector, stable across calls. */
export function identityKey(selector: TerminalIdentitySelector): string {
  if (selector.kind === 'system') return 'system';
  return `${selector.kind}-${createHash('sha256').update(selector.value.toLowerCase()).digest('hex').slice(0, 16)}`;
}

function clientIdFor(identity: TerminalIdentity): string | undefined {
  if (identity.selector.kind === 'system') return undefined;
  if (identity.selector.kind === 'clientId') return identity.selector.value;
  return identity.clientId && GUID.test(identity.clientId) ? identity.clientId : undefined;
}

function describeIdentity(identity: TerminalIdentity): string {
  const kind =
    identity.selector.kind === 'system'
      ? l10n.t("the VM's system-assigned identity")
      : l10n.t('a user-assigned identity');
  const name = identity.displayName ? l10n.t('{0} ({1})', identity.displayName, kind) : kind;
  const clientId = clientIdFor(identity);
  const ids = [
    identity.principalId && l10n.t('object ID {0}', identity.principalId),
    clientId && l10n.t('client ID {0}', clientId),
  ];
  const idText = ids.filter(Boolean).join(', ');
  return idText ? `${name}, ${idText}` : name;
}

function banner(who: string, warnings: string[]): string {
  const lines = [
    l10n.t('{0}VM Identity terminal{1}: az and DefaultAzureCredential act as {2}.', '\x1b[1m', '\x1b[0m', who),
    l10n.t(
      'az keeps its sign-in in a private directory, removed when this window closes; your own az login is untouched.',
    ),
    ...warnings.map((w) => `\x1b[33m${w}\x1b[0m`),
  ];
  return lines.join('\r\n') + '\r\n';
}

function bashRc(
  env: Record<string, string | null>,
  azLoginArgs: string[] | undefined,
  selector: TerminalIdentitySelector,
): string {
  const lines = [
    '# Generated by VM Identity for its terminal; removed when the VS Code window closes. No secrets in here.',
    '[ -f "$HOME/.bashrc" ] && . "$HOME/.bashrc"',
    '# Again after ~/.bashrc, which must not switch this terminal to another identity.',
    ...Object.entries(env).map(([k, v]) => (v === null ? `unset ${k}` : `export ${k}=${shellQuote(v)}`)),
  ];
  if (azLoginArgs) {
    const login = `az ${azLoginArgs.map(shellQuote).join(' ')}`;
    const err = '"$AZURE_CONFIG_DIR/az-login.err"';
    const marker = '"$AZURE_CONFIG_DIR/.vm-identity-signed-in"';
    // az before 2.69 knows only --username for a user-assigned identity.
    const legacy =
      selector.kind === 'system'
        ? undefined
        : `az ${[...azLoginArgs.slice(0, -2), '--username', selector.value].map(shellQuote).join(' ')}`;
    lines.push(
      `if command -v az >/dev/null 2>&1 && [ ! -f ${marker} ]; then`,
      '  mkdir -p "$AZURE_CONFIG_DIR"',
      `  echo ${shellQuote(l10n.t('Signing az in as this identity…'))}`,
      `  if ${login} 2>${err}; then`,
      `    : > ${marker}`,
      ...(legacy ? [`  elif grep -q 'unrecognized arguments' ${err} && ${legacy}; then`, `    : > ${marker}`] : []),
      '  else',
      `    cat ${err} >&2`,
      `    echo ${shellQuote(l10n.t('az is not signed in here (see above); SDK code still uses the managed identity.'))} >&2`,
      '  fi',
      'fi',
    );
  }
  return lines.join('\n') + '\n';
}

function joinPath(dir: string, name: string): string {
  const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  return dir.endsWith(sep) ? dir + name : dir + sep + name;
}
