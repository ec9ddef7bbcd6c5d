/**
 * `vm-identity check` spawned as a user runs it (dist/cli.js) against the emulator over TLS: text and JSON,
 * exit 0 when allowed and 5 when not, 2 for a wildcard action, and never a token in the output.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { type Emulator } from '../emulator';
import { CLI, type CliRun, spawnCli } from '../support/spawnCli';
import { recordCase } from '../support/cases';
import { cliEnvFor, startCliEmulator } from '../support/cliRun';

describe('CLI check (spawned)', function () {
  this.timeout(30_000);
  let emu: Emulator;
  let env: NodeJS.ProcessEnv;
  const BLOB_READ = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read';
  const cli = (args: string[]): Promise<CliRun> => {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) => !/^(https?_proxy|no_proxy|AZURE_|IDENTITY_|MSI_|IMDS_|VM_IDENTITY_)/i.test(k),
      ),
    );
    return spawnCli(args, { ...clean, ...env });
  };
  const noToken = (run: CliRun) => {
    for (const t of emu.issuedTokens)
      assert.ok(!run.stdout.includes(t) && !run.stderr.includes(t), 'no token in the output');
  };

  before(async () => {
    if (!fs.existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
    emu = await startCliEmulator();
    env = cliEnvFor(emu);
  });
  after(() => emu.close());

  it('allowed: exit 0 and the granting role', async () => {
    const run = await cli(['check', emu.dataset.shared.storageAccount, BLOB_READ, '--plane', 'data']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Allowed: .*blobs\/read \(data plane\)/);
    assert.match(run.stdout, /granted by Storage Blob Data Reader \(via a group/);
    noToken(run);
    recordCase({
      area: 'access',
      name: 'CLI check allowed',
      expected: 'exit 0',
      observed: `exit ${run.code}`,
      pass: true,
    });
  });

  it('denied: exit 5 and --json carries the deny assignment', async () => {
    const run = await cli([
      'check',
      emu.dataset.shared.storageAccount,
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write',
      '--plane',
      'data',
      '--json',
    ]);
    assert.equal(run.code, 5, run.stderr);
    const verdict = JSON.parse(run.stdout) as { decision: string; deniedBy: Array<{ name: string }> };
    assert.equal(verdict.decision, 'denied');
    assert.match(verdict.deniedBy[0].name, /managed application/);
    noToken(run);
    recordCase({
      area: 'access',
      name: 'CLI check denied --json',
      expected: 'exit 5, decision denied',
      observed: `exit ${run.code}, ${verdict.decision}`,
      pass: true,
    });
  });

  it('not granted (plane looked up in provider operations): exit 5 with the az command', async () => {
    const run = await cli(['check', emu.dataset.scopes.keyVault, 'Microsoft.KeyVault/vaults/secrets/setSecret/action']);
    assert.equal(run.code, 5, run.stderr);
    assert.match(run.stdout, /^Not granted: .*\(data plane\)/);
    assert.match(
      run.stdout,
      /az role assignment create --assignee-object-id [0-9a-f-]{36} --assignee-principal-type ServicePrincipal --role "Key Vault Secrets Officer" --scope /,
    );
  });

  it('a wildcard action or a missing argument: exit 2 with usage', async () => {
    const wild = await cli(['check', emu.dataset.scopes.storageAccount, 'Microsoft.Storage/*']);
    assert.equal(wild.code, 2);
    assert.match(wild.stderr, /one operation at a time/);
    const missing = await cli(['check', emu.dataset.scopes.storageAccount]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /check needs <resource-id> <action>/);
  });
});
