// Throwaway fixture extension for the e2e harness (plain JS, no build step).
'use strict';
const vscode = require('vscode');

/** @param {vscode.ExtensionContext} context */
function activate(context) {
  const item = vscode.window.createStatusBarItem('fixture.status', vscode.StatusBarAlignment.Left, 1000);
  item.name = 'Fixture Status';
  item.text = 'fixture loaded';
  item.tooltip = 'vmid e2e fixture';
  item.show();
  context.subscriptions.push(
    item,
    vscode.commands.registerCommand('fixture.hello', () => {
      item.text = 'fixture ready';
      return 'fixture ready';
    }),
  );
}

function deactivate() {}

module.exports = { activate, deactivate };
