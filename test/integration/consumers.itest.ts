/**
 * Issue 12 in the real extension host: a SECOND extension (test/e2e/consumer-ext, installed beside VM Identity)
 * asks the `vm-identity` authentication provider for a session, the way any extension would: VS Code's consent
 * prompt comes first (in extension-test mode VS Code refuses every dialog and names it, so this suite sees the
 * prompt's text and that the provider was not called; clicking Allow needs the UI suite). Then the language-model
 * tool, invoked through vscode.lm.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { looksLikeToken } from '../../src/agents/scrub';
import type { VmIdentityApi } from '../../src/extension';
import type { Dataset } from '../emulator';
import { runCase } from '../support/cases';
import { EmulatorControl, activateExtension, untilStatus } from './support';

const VAULT = ['https://vault.azure.net/.default'];
const CONSUMER_ID = 'vmid-fixture.consumer';

describe('other extensions and models (issue 12)', () => {
  const emu = new EmulatorControl(process.env.VMID_EMULATOR_CONTROL!);
  let api: VmIdentityApi;
  let dataset: Dataset;

  before(async () => {
    api = await activateExtension();
    dataset = await emu.dataset();
    await emu.clearFaults();
    const ext = vscode.extensions.getExtension<{ events: number[] }>(CONSUMER_ID);
    assert.ok(ext, `${CONSUMER_ID} is installed`);
    await ext.activate();
  });

  it('a second extension: getSession(createIfNone) goes through VS Code\u2019s consent prompt, named for it', async () => {
    await runCase(
      {
        area: 'agents',
        name: 'auth provider consent for a second extension',
        expected:
          'VS Code asks "The extension \'VM Identity consumer (test)\' wants to sign in using VM Identity" before any sign-in',
      },
      async () => {
        await vscode.commands.executeCommand('vmIdentity.signOut');
        // In extension-test mode VS Code refuses to show dialogs and says which one it refused: that is the
        // consent prompt, for the consumer. The provider was never asked (still signed out, no token request).
        const asked = vscode.commands.executeCommand('vmidConsumer.getSession', VAULT, { createIfNone: true });
        await assert.rejects(
          Promise.resolve(asked),
          /The extension 'VM Identity consumer \(test\)' wants to sign in using VM Identity/,
        );
        assert.equal(api.state.status, 'signedOut', 'no sign-in before consent');
        const vault = (await emu.requests()).filter(
          (r) => r.endpoint === 'imds-token' && r.query.resource === 'https://vault.azure.net',
        );
        assert.equal(vault.length, 0, 'no vault token was asked for');
        const silent = await vscode.commands.executeCommand('vmidConsumer.getSession', VAULT, { silent: true });
        assert.equal(silent, undefined, 'no session without consent');
        return 'consent prompt named the consumer; provider not called; silent → undefined';
      },
    );
  });

  it('vscode.lm.invokeTool(vm-identity_whoami): the principal ID and the VM name, nothing token-shaped', async () => {
    await runCase(
      { area: 'agents', name: 'LM tool whoami', expected: 'principal ID and VM name; no token-shaped text' },
      async () => {
        await vscode.commands.executeCommand('vmIdentity.signIn');
        await untilStatus(api, 'signedIn');
        const tools = vscode.lm.tools.map((t) => t.name);
        for (const name of ['vm-identity_whoami', 'vm-identity_roles', 'vm-identity_diagnose'])
          assert.ok(tools.includes(name), `${name} registered`);
        const result = await vscode.lm.invokeTool('vm-identity_whoami', { input: {}, toolInvocationToken: undefined });
        const text = result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('\n');
        assert.ok(text.includes(dataset.systemIdentity.principalId), text);
        assert.ok(text.includes(dataset.vm.name), text);
        assert.ok(!looksLikeToken(text), 'nothing token-shaped');
        const issued = (await emu.requests()).filter((r) => r.endpoint === 'imds-token').length;
        assert.ok(issued > 0, 'signed in through the emulator');
        return `${text.split('\n').length} lines, principal and VM named`;
      },
    );
  });
});
