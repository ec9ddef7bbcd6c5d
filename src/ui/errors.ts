/**
 * The one error boundary every command runs in (after vscode-azuretools' callWithTelemetryAndErrorHandling):
 * cancellation is silent, the user gets a short message with a button per action of the error, the log gets
 * the detail (redacted: see ./errorReport, the pure half).
 */
import * as vscode from 'vscode';
import type { ActionArg, ErrorAction, VmIdentityError } from '../core/errors';
import { type Logger, redact } from '../core/log';
import { SHOW_LOG, buttonsFor, logShownError, reportCommandError, signInButtonsFor } from './errorReport';

export interface ErrorContext {
  /** The redacting logger (never the raw output channel). */
  log: Logger;
}

/** Runs an error's action: a VS Code command, with URIs turned into `vscode.Uri`. */
export async function runAction(action: ErrorAction): Promise<void> {
  const args = (action.args ?? []).map((a: ActionArg) => (typeof a === 'string' ? a : vscode.Uri.parse(a.uri)));
  if (action.command === 'vscode.open') {
    // Links leave VS Code for the browser, as the portal and the docs expect.
    await vscode.env.openExternal(args[0] as vscode.Uri);
    return;
  }
  await vscode.commands.executeCommand(action.command, ...args);
}

/** Shows a typed error with its buttons; a failed sign-in leads with Diagnose. */
export async function showError(error: VmIdentityError, ctx: ErrorContext, signIn = false): Promise<void> {
  logShownError(error, ctx.log);
  const items = (signIn ? signInButtonsFor(error) : buttonsFor(error)).map((action) => ({
    title: action.label,
    action,
  }));
  const choice = await vscode.window.showErrorMessage(redact(error.describe()), ...items);
  if (choice) await runAction(choice.action);
}

/** Wraps a command handler: no error escapes as a raw dump. */
export function guarded<A extends unknown[]>(
  id: string,
  ctx: ErrorContext,
  handler: (...args: A) => unknown,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await handler(...args);
    } catch (e) {
      const outcome = reportCommandError(id, e, ctx.log, (x) => x instanceof vscode.CancellationError);
      switch (outcome.show) {
        case 'nothing':
          return;
        case 'error': {
          const items = buttonsFor(outcome.error).map((action) => ({ title: action.label, action }));
          void vscode.window
            .showErrorMessage(redact(outcome.error.describe()), ...items)
            .then((c) => c && runAction(c.action));
          return;
        }
        case 'unexpected':
          void vscode.window
            .showErrorMessage(vscode.l10n.t('VM Identity: {0}', outcome.message), {
              title: SHOW_LOG.label,
              action: SHOW_LOG,
            })
            .then((c) => c && runAction(c.action));
          return;
      }
    }
  };
}
