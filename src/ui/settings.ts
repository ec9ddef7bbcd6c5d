/** Settings, read at the edge and handed to the core as values. All are machine-scoped (package.json). */
import * as vscode from 'vscode';
import { type Cloud, parseCloudSetting } from '../azure';
import { isVmIdentityError } from '../core/errors';
import { type IdentitySelector, SYSTEM_ASSIGNED, SelectorError, formatSelector, parseSelector } from '../identity';

export const SECTION = 'vmIdentity';

export interface Settings {
  identity: IdentitySelector;
  /** Set when the identity setting could not be read; the system identity is used meanwhile. */
  identityProblem?: string;
  signInAutomatically: boolean;
  showDisplayName: boolean;
  timeoutMs: number;
  /** vmIdentity.cloud; undefined when unset or unusable. */
  cloud?: Cloud;
  /** Set when vmIdentity.cloud cannot be used (it is then ignored). */
  cloudProblem?: string;
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration(SECTION);
  let identity: IdentitySelector = SYSTEM_ASSIGNED;
  let identityProblem: string | undefined;
  const raw = c.get<unknown>('identity');
  try {
    identity = parseSelector(typeof raw === 'string' ? raw : undefined);
    if (raw !== undefined && typeof raw !== 'string') {
      identityProblem = vscode.l10n.t('vmIdentity.identity must be a string; using the system-assigned identity.');
    }
  } catch (e) {
    identityProblem = vscode.l10n.t(
      'vmIdentity.identity: {0} Using the system-assigned identity.',
      e instanceof SelectorError ? e.message : String(e),
    );
  }
  const timeout = c.get<unknown>('timeoutSeconds');
  const seconds = typeof timeout === 'number' && Number.isFinite(timeout) ? Math.min(600, Math.max(5, timeout)) : 100;
  let cloud: Cloud | undefined;
  let cloudProblem: string | undefined;
  try {
    cloud = parseCloudSetting(c.get<unknown>('cloud'), 'vmIdentity.cloud');
  } catch (e) {
    cloudProblem = isVmIdentityError(e) ? `${e.message} ${e.fix}` : String(e);
  }
  return {
    identity,
    identityProblem,
    cloud,
    cloudProblem,
    signInAutomatically: c.get<unknown>('signInAutomatically') !== false,
    showDisplayName: c.get<unknown>('showDisplayName') !== false,
    timeoutMs: seconds * 1000,
  };
}

export async function saveIdentity(selector: IdentitySelector): Promise<void> {
  await vscode.workspace
    .getConfiguration(SECTION)
    .update('identity', formatSelector(selector), vscode.ConfigurationTarget.Global);
}
