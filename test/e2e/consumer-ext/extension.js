// A second extension for the integration and UI tests: it asks for sessions through vscode.authentication, so
// VS Code attributes each request (and its consent prompt) to this extension, not to VM Identity.
// What it got is written to files in the workspace for the UI suite to read: claims, account, and a hash and
// length of the token, never the token itself (the suite's token scan covers the workspace).
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');

const PROVIDER = 'vm-identity';
const VAULT = ['https://vault.azure.net/.default'];
const RESULT_FILE = 'consumer-session.json';
const EVENTS_FILE = 'consumer-events.jsonl';

function workspaceFile(name) {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? path.join(folder.uri.fsPath, name) : undefined;
}

/** The claims a consumer would look at, read from the JWT's payload (no signature check: display only). */
function claimsOf(token) {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    return { aud: payload.aud, oid: payload.oid, iss: payload.iss, tid: payload.tid };
  } catch {
    return {};
  }
}

/** A session as the tests may see it: everything but the token, which is reduced to a hash and a length. */
function describeSession(session) {
  if (!session) return { session: false };
  return {
    session: true,
    id: session.id,
    account: { id: session.account.id, label: session.account.label },
    scopes: session.scopes,
    claims: claimsOf(session.accessToken),
    tokenSha256: crypto.createHash('sha256').update(session.accessToken).digest('hex'),
    tokenLength: session.accessToken.length,
  };
}

async function record(name, value) {
  const file = workspaceFile(name);
  if (!file) return;
  const line = JSON.stringify({ ...value, at: Date.now() });
  if (name.endsWith('.jsonl')) await fs.promises.appendFile(file, `${line}\n`);
  else await fs.promises.writeFile(file, line);
}

/** @param {vscode.ExtensionContext} context */
function activate(context) {
  /** Every onDidChangeSessions for vm-identity this extension saw, in order. */
  const events = [];
  context.subscriptions.push(
    vscode.authentication.onDidChangeSessions(async (e) => {
      if (e.provider.id !== PROVIDER) return;
      events.push(Date.now());
      // What a consumer does on a change: ask again, silently (no prompt), and see whether it still has a session.
      const now = await vscode.authentication.getSession(PROVIDER, VAULT, { silent: true }).then(
        (s) => describeSession(s),
        (err) => ({ session: false, error: String(err?.message ?? err) }),
      );
      const accounts = await vscode.authentication.getAccounts(PROVIDER).then(
        (a) => a.map((x) => x.id),
        () => [],
      );
      await record(EVENTS_FILE, { event: 'onDidChangeSessions', session: now.session, accounts });
    }),
    vscode.commands.registerCommand('vmidConsumer.getSession', (scopes, options) =>
      vscode.authentication.getSession(PROVIDER, scopes, options ?? {}),
    ),
    vscode.commands.registerCommand('vmidConsumer.signInToKeyVault', async () => {
      try {
        const session = await vscode.authentication.getSession(PROVIDER, VAULT, { createIfNone: true });
        await record(RESULT_FILE, describeSession(session));
        void vscode.window.showInformationMessage(`Consumer signed in as ${session.account.label}`);
      } catch (err) {
        await record(RESULT_FILE, { session: false, error: String(err?.message ?? err) });
      }
    }),
  );
  return { events };
}

function deactivate() {}

module.exports = { activate, deactivate };
