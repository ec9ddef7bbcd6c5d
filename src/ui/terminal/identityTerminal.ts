/**
 * "VM Identity: New terminal as VM identity" and the contributed "VM Identity" terminal profile. One private
 * directory per window holds az's config and the rc file; it is removed when the extension is disposed (the
 * window closes) and swept on the next start if the window crashed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as vscode from 'vscode';
import { createPrivateDir, findOnPath, removePrivateDir, sweepStaleDirs } from './privateDir';
import {
  type TerminalIdentity,
  type TerminalPlan,
  type TokenCredentialsChoice,
  planIdentityTerminal,
} from './terminalEnv';

const NEW_TERMINAL_COMMAND = 'vmIdentity.newTerminal';
const TERMINAL_PROFILE_ID = 'vmIdentity.terminal';

export interface IdentityTerminalDeps {
  /** The identity to act as, or undefined when VM Identity is not signed in. */
  currentIdentity: () => TerminalIdentity | undefined;
  /** Parent of the private directories; default os.tmpdir(). `context.globalStorageUri.fsPath` also works. */
  baseDir?: string;
  tokenCredentials?: TokenCredentialsChoice;
  log?: { info(message: string): void; warn(message: string): void };
}

class NotSignedInForTerminalError extends Error {
  constructor() {
    super(
      vscode.l10n.t('VM Identity is not signed in, so there is no identity for the terminal to act as. Sign in first.'),
    );
    this.name = 'NotSignedInForTerminalError';
  }
}

/** Registers the command and the profile provider; dispose removes the private directory. */
export function registerIdentityTerminal(deps: IdentityTerminalDeps): vscode.Disposable {
  const base = deps.baseDir ?? os.tmpdir();
  let privateDir: string | undefined;
  // On first use, not at activation: reading the temp directory is no work for a window that never opens one.
  const ownDir = (): string => {
    if (privateDir) return privateDir;
    for (const dir of sweepStaleDirs(base))
      deps.log?.info(`removed a terminal directory left by a closed window: ${dir}`);
    return (privateDir = createPrivateDir(base));
  };

  const plan = (): TerminalPlan => {
    const identity = deps.currentIdentity();
    if (!identity) throw new NotSignedInForTerminalError();
    const result = planIdentityTerminal({
      identity,
      privateDir: ownDir(),
      azAvailable: findOnPath('az') !== undefined,
      bashPath: process.platform === 'win32' ? undefined : findOnPath('bash'),
      tokenCredentials: deps.tokenCredentials,
    });
    if (result.rcFile) fs.writeFileSync(result.rcFile.path, result.rcFile.content, { mode: 0o600 });
    deps.log?.info(`terminal as the VM identity: az ${result.azLoginArgs ? 'signs in at start' : 'not on PATH'}`);
    return result;
  };

  const disposables = [
    vscode.commands.registerCommand(NEW_TERMINAL_COMMAND, () => {
      try {
        vscode.window.createTerminal(terminalOptions(plan())).show();
      } catch (e) {
        if (!(e instanceof NotSignedInForTerminalError)) throw e;
        void vscode.window.showErrorMessage(e.message, vscode.l10n.t('Sign in')).then((pick) => {
          if (pick) void vscode.commands.executeCommand('vmIdentity.signIn');
        });
      }
    }),
    vscode.window.registerTerminalProfileProvider(TERMINAL_PROFILE_ID, {
      provideTerminalProfile: () => new vscode.TerminalProfile(terminalOptions(plan())),
    }),
  ];

  return new vscode.Disposable(() => {
    for (const d of disposables) d.dispose();
    if (privateDir) {
      try {
        removePrivateDir(privateDir);
      } catch (e) {
        deps.log?.warn(
          `could not remove the terminal directory ${privateDir}: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
  });
}

function terminalOptions(plan: TerminalPlan): vscode.TerminalOptions {
  return {
    name: plan.name,
    shellPath: plan.shellPath,
    shellArgs: plan.shellArgs,
    env: plan.env,
    message: plan.message,
    iconPath: new vscode.ThemeIcon('vm'),
    // Its private directory is gone after a reload, so a restored session would be half set up.
    isTransient: true,
  };
}
