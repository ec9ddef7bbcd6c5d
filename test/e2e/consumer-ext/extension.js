// A second extension for the integration tests: it asks for sessions through vscode.authentication, so VS Code
// attributes each request (and its consent prompt) to this extension, not to VM Identity.
'use strict';
const vscode = require('vscode');

/** @param {vscode.ExtensionContext} context */
function activate(context) {
  /** Every onDidChangeSessions for vm-identity this extension saw, in order. */
  const events = [];
  context.subscriptions.push(
    vscode.authentication.onDidChangeSessions((e) => {
      if (e.provider.id === 'vm-identity') events.push(Date.now());
    }),
    vscode.commands.registerCommand('vmidConsumer.getSession', (scopes, options) =>
      vscode.authentication.getSession('vm-identity', scopes, options ?? {}),
    ),
  );
  return { events };
}

function deactivate() {}

module.exports = { activate, deactivate };
