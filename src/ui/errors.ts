/**
 * The one error boundary every command runs in (after vscode-azuretools' callWithTelemetryAndErrorHandling):
 * cancellation is silent, the user gets a short message with buttons for the fix, the log gets the detail.
 */
import * as vscode from 'vscode';
import { type Remedy, VmIdentityError, isVmIdentityError } from '../identity';
import type { Snapshot } from '../azure';

export interface ErrorContext {
  log: vscode.LogOutputChannel;
  /** Links of the VM, when known, for the buttons. */
  links?: () => Snapshot['links'] | undefined;
}

const BUTTONS: Record<Remedy, string[]> = {
  enableIdentity: ['Open Identity page', 'Show log'],
  grantReader: ['Open access control (IAM)', 'Show log'],
  selectIdentity: ['Select identity', 'Show log'],
  checkProxy: ['Open proxy settings', 'Show log'],
  retryLater: ['Show log'],
  none: ['Show log'],
};

export async function showError(error: VmIdentityError, ctx: ErrorContext): Promise<void> {
  ctx.log.error(`${error.kind}: ${error.message} ${error.fix}${error.where ? ` [${error.where}]` : ''}${error.status ? ` (HTTP ${error.status})` : ''}`);
  const buttons = BUTTONS[error.remedy].filter((b) => b !== 'Open Identity page' || error.link);
  const choice = await vscode.window.showErrorMessage(error.describe(), ...buttons);
  switch (choice) {
    case 'Open Identity page':
    case 'Open access control (IAM)': {
      const link = error.link ?? (choice === 'Open access control (IAM)' ? ctx.links?.()?.accessControl : ctx.links?.()?.identityPage);
      if (link) await vscode.env.openExternal(vscode.Uri.parse(link));
      break;
    }
    case 'Select identity':
      await vscode.commands.executeCommand('vmIdentity.selectIdentity');
      break;
    case 'Open proxy settings':
      await vscode.commands.executeCommand('workbench.action.openSettings', 'http.noProxy');
      break;
    case 'Show log':
      ctx.log.show(true);
      break;
  }
}

/** Wraps a command handler: no error escapes as a raw dump. */
export function guarded<A extends unknown[]>(id: string, ctx: ErrorContext, handler: (...args: A) => unknown): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await handler(...args);
    } catch (e) {
      if (e instanceof vscode.CancellationError || (isVmIdentityError(e) && e.kind === 'cancelled')) return;
      if (isVmIdentityError(e)) {
        void showError(e, ctx);
        return;
      }
      const message = e instanceof Error ? e.message : String(e);
      ctx.log.error(`${id} failed: ${e instanceof Error && e.stack ? e.stack : message}`);
      void vscode.window.showErrorMessage(`VM Identity: ${message}`, 'Show log').then((c) => c && ctx.log.show(true));
    }
  };
}
