'use strict';
const assert = require('assert');
const vscode = require('vscode');

describe('fixture extension (inside the real extension host)', () => {
  it('registers the Fixture: Hello command', async () => {
    const ext = vscode.extensions.getExtension('vmid-fixture.fixture');
    assert.ok(ext, 'fixture extension is loaded');
    await ext.activate();
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('fixture.hello'), 'fixture.hello is registered');
    assert.strictEqual(await vscode.commands.executeCommand('fixture.hello'), 'fixture ready');
  });
});
