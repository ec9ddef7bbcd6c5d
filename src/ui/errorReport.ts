/**
 * The pure half of the command error boundary (no vscode, so it is unit-tested): decides what the user is
 * shown and writes the log line — through the redactor, whatever logger it is handed, so a token in an
 * error's message or stack never reaches the output channel or a notification.
 */
import * as l10n from '@vscode/l10n';
import { type ErrorAction, type VmIdentityError, isVmIdentityError } from '../core/errors';
import { type Logger, describeForLog, redact, redacting } from '../core/log';

export type ErrorOutcome =
  { show: 'nothing' } | { show: 'error'; error: VmIdentityError } | { show: 'unexpected'; message: string };

/** The log line of a typed error: kind, cause, fix, where and status (never headers or bodies). */
function errorLogLine(error: VmIdentityError): string {
  return `${error.kind}: ${error.message} ${error.fix}${error.where ? ` [${error.where}]` : ''}${error.status ? ` (HTTP ${error.status})` : ''}`;
}

/** Logs a typed error that is about to be shown. */
export function logShownError(error: VmIdentityError, logger: Logger): void {
  redacting(logger).error(errorLogLine(error));
}

/**
 * Classifies what a command threw and logs it: cancellation is silent; a typed error is shown with its
 * actions; anything else is logged with its stack and shown as a one-line message.
 */
export function reportCommandError(
  commandId: string,
  e: unknown,
  logger: Logger,
  isCancellation: (e: unknown) => boolean,
): ErrorOutcome {
  if (isCancellation(e) || isVmIdentityError(e, 'cancelled')) return { show: 'nothing' };
  if (isVmIdentityError(e)) {
    logShownError(e, logger);
    return { show: 'error', error: e };
  }
  redacting(logger).error(`${commandId} failed: ${describeForLog(e)}`);
  return { show: 'unexpected', message: redact(e instanceof Error ? e.message : String(e)) };
}

/** The buttons of an error notification: its actions, then the log. */
export function buttonsFor(error: VmIdentityError): ErrorAction[] {
  return [...error.actions, SHOW_LOG];
}

/**
 * The buttons of a failed sign-in: Diagnose first (it finds the cause when the error alone does not), then the
 * error's own actions, then the log.
 */
export function signInButtonsFor(error: VmIdentityError): ErrorAction[] {
  return [DIAGNOSE, ...buttonsFor(error)];
}

// Labels are getters: @vscode/l10n gets its bundle in activate(), after this module has loaded.
const DIAGNOSE: ErrorAction = {
  get label() {
    return l10n.t('Diagnose');
  },
  command: 'vmIdentity.diagnose',
};

export const SHOW_LOG: ErrorAction = {
  get label() {
    return l10n.t('Show log');
  },
  command: 'vmIdentity.showLog',
};
