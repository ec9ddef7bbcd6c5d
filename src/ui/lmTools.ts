/**
 * The language-model tools (`contributes.languageModelTools`): the definitions, answers and scrubber of src/agents,
 * answered from the extension's own session, so a model sees the identity the user signed in with and nothing
 * once the user signed out. Tools that read Azure Resource Manager ask the user to confirm first. No tool returns
 * a token.
 */
import * as vscode from 'vscode';
import { type ToolBackend, answerTool } from '../agents/answers';
import { TOOLS, type ToolDefinition } from '../agents/tools';
import { checkAccessForTool } from '../azure';
import type { Logger } from '../core/log';
import type { Session } from '../session/session';
import { runDiagnoseHere } from './commands/diagnose';

function sessionBackend(session: Session, log: Logger): ToolBackend {
  return {
    async snapshot() {
      const state = session.state.status === 'signingIn' ? await session.signIn() : session.state;
      switch (state.status) {
        case 'signedIn':
          return { status: 'ok', snapshot: state.snapshot };
        case 'signedOut':
        case 'signingIn':
          return {
            status: 'unavailable',
            reason: vscode.l10n.t(
              'The VM identity is signed out in VS Code. Ask the user to run "VM Identity: Sign in with VM identity".',
            ),
          };
        case 'error':
        case 'unavailable':
          return {
            status: 'unavailable',
            reason: vscode.l10n.t('No VM identity: {0}\nFix: {1}', state.error.message, state.error.fix),
          };
      }
    },
    // The same run as "VM Identity: Diagnose" (its own client; the session's token is not disturbed).
    diagnose: () => runDiagnoseHere({ session, log }),
    // As the signed-in identity only (accessContext refuses otherwise); the ARM token stays in the reader.
    checkAccess: async (question, signal) => {
      if (session.state.status === 'signingIn') await session.signIn();
      return checkAccessForTool(await session.accessContext(signal), question, signal);
    },
  };
}

function toolFor(definition: ToolDefinition, backend: ToolBackend): vscode.LanguageModelTool<unknown> {
  return {
    prepareInvocation: () => ({
      invocationMessage: vscode.l10n.t('Asking {0}', definition.displayName),
      confirmationMessages: definition.confirmation
        ? {
            title: vscode.l10n.t(definition.confirmation.title),
            message: vscode.l10n.t(definition.confirmation.message),
          }
        : undefined,
    }),
    async invoke(options, token) {
      const abort = new AbortController();
      const cancel = token.onCancellationRequested(() => abort.abort());
      try {
        const answer = await answerTool(definition.name, options.input, backend, abort.signal);
        return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(answer.text)]);
      } finally {
        cancel.dispose();
      }
    },
  };
}

export function registerLanguageModelTools(session: Session, log: Logger): vscode.Disposable[] {
  // Older hosts without the lm tools API (the manifest's engine allows them): nothing to register.
  if (typeof vscode.lm?.registerTool !== 'function') return [];
  const backend = sessionBackend(session, log);
  return TOOLS.map((t) => vscode.lm.registerTool(t.name, toolFor(t, backend)));
}
