/**
 * `vm-identity doctor` and `token --claims` end to end: the bundled dist/cli.js spawned against the emulator (IMDS
 * over http on loopback, ARM/Graph over TLS trusted through NODE_EXTRA_CA_CERTS), asserting the JSON report, the
 * exit code, and that no issued token appears in the output.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { type Emulator } from '../emulator';
import { recordCase } from '../support/cases';
import { closedPort, startRecordingProxy } from '../support/recordingProxy';
import { CLI, type CliRun, spawnCli } from '../support/spawnCli';
import { cliEnvFor, startCliEmulator } from '../support/cliRun';

interface DoctorJson {
  ok: boolean;
  host: string;
  checks: Array<{ id: string; title: string; status: string; evidence: string; fix?: string; link?: string }>;
}

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(https?_proxy|all_proxy|no_proxy|AZURE_|IDENTITY_|MSI_|IMDS_|VM_IDENTITY_)/i.test(k),
    ),
  );
  // A private HOME: the tool-login check reads ~/.azure, ~/.azd and ~/.Azure, and this machine's must not matter.
  return spawnCli(args, { ...clean, HOME: home, ...env });
}

let home = '';

describe('CLI doctor and token --claims (spawned)', function () {
  this.timeout(60_000);
  let emu: Emulator;
  let env: NodeJS.ProcessEnv;

  before(async function () {
    if (!fs.existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
    home = fs.mkdtempSync(`${os.tmpdir()}/doctor-home-`);
    emu = await startCliEmulator({ assignments: 6 });
    env = cliEnvFor(emu);
  });
  after(async () => {
    await emu.close();
    fs.rmSync(home, { recursive: true, force: true });
  });
  beforeEach(() => {
    emu.clearFaults();
    emu.resetLog();
    emu.configure({
      systemAssigned: true,
      userAssignedAttached: true,
      clockOffsetSec: 0,
      imdsTokenCache: false,
      armReadable: { [emu.dataset.systemIdentity.principalId]: true },
    });
  });

  const noTokens = (run: CliRun) => {
    for (const t of emu.issuedTokens) {
      // Any 40-character run of a token (header, payload or signature) would be a leak.
      for (const part of t.split('.'))
        assert.ok(
          !run.stdout.includes(part.slice(-40)) && !run.stderr.includes(part.slice(-40)),
          'no token in the output',
        );
    }
  };
  const doctorJson = async (extra: NodeJS.ProcessEnv = {}) => {
    const run = await cli(['doctor', '--json'], { ...env, ...extra });
    noTokens(run);
    return { run, report: JSON.parse(run.stdout) as DoctorJson };
  };
  const check = (report: DoctorJson, id: string) => {
    const c = report.checks.find((x) => x.id === id);
    assert.ok(c, `check ${id} in ${report.checks.map((x) => x.id).join(', ')}`);
    return c;
  };

  it('healthy: ok, exit 0, the JSON shape, the identity and ARM pass', async () => {
    const { run, report } = await doctorJson();
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.deepEqual(Object.keys(report).sort(), ['checks', 'host', 'ok']);
    assert.equal(report.ok, true);
    assert.equal(report.host, 'vm');
    for (const c of report.checks) {
      assert.ok(['pass', 'warn', 'fail', 'skip'].includes(c.status), `${c.id}: ${c.status}`);
      assert.ok(c.id && c.title && typeof c.evidence === 'string');
    }
    assert.equal(check(report, 'identity.endpoint').status, 'pass');
    assert.equal(check(report, 'identity.enabled').status, 'pass');
    assert.equal(check(report, 'arm.reachable').status, 'pass');
    assert.equal(check(report, 'arm.roleAssignments').status, 'pass');
    assert.match(check(report, 'arm.roleAssignments').evidence, new RegExp(emu.dataset.subscriptionId));
    assert.equal(check(report, 'graph.displayName').status, 'pass');
    assert.match(check(report, 'graph.displayName').evidence, new RegExp(emu.dataset.vm.name));
    assert.equal(check(report, 'clock.skew').status, 'pass');
    recordCase({
      area: 'doctor',
      name: 'healthy VM',
      expected: 'ok, exit 0',
      observed: `ok=${report.ok}, exit ${run.code}`,
      pass: true,
    });
  });

  it('identity off: identity.enabled fails with the "System assigned" fix, exit 3', async () => {
    emu.configure({ systemAssigned: false, userAssignedAttached: false });
    const { run, report } = await doctorJson();
    assert.equal(run.code, 3, run.stdout + run.stderr);
    assert.equal(report.ok, false);
    const c = check(report, 'identity.enabled');
    assert.equal(c.status, 'fail');
    assert.match(c.fix ?? '', /System assigned/);
    recordCase({
      area: 'doctor',
      name: 'identity off',
      expected: 'identity.enabled fail, exit 3',
      observed: `${c.status}, exit ${run.code}`,
      pass: true,
    });
  });

  it('identity endpoint unreachable: identity.endpoint fails, exit 3', async () => {
    const port = await closedPort();
    const { run, report } = await doctorJson({ AZURE_POD_IDENTITY_AUTHORITY_HOST: `http://127.0.0.1:${port}` });
    assert.equal(run.code, 3, run.stdout + run.stderr);
    const c = check(report, 'identity.endpoint');
    assert.equal(c.status, 'fail');
    assert.match(c.evidence, /ECONNREFUSED/);
    recordCase({
      area: 'doctor',
      name: 'endpoint unreachable',
      expected: 'identity.endpoint fail, exit 3',
      observed: `${c.status}, exit ${run.code}`,
      pass: true,
    });
  });

  it('proxy variables without 169.254.169.254 in NO_PROXY: warn with the line to add; the identity still goes direct', async () => {
    const proxy = await startRecordingProxy();
    try {
      const { run, report } = await doctorJson({
        HTTPS_PROXY: proxy.url,
        HTTP_PROXY: proxy.url,
        NO_PROXY: '127.0.0.1,localhost',
      });
      const c = check(report, 'proxy.environment');
      assert.equal(c.status, 'warn');
      assert.match(c.fix ?? '', /export NO_PROXY=127\.0\.0\.1,localhost,169\.254\.169\.254/);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.equal(proxy.records.length, 0, 'nothing went through the proxy');
      recordCase({
        area: 'doctor',
        name: 'HTTPS_PROXY without NO_PROXY for IMDS',
        expected: 'proxy.environment warn',
        observed: c.status,
        pass: true,
      });
    } finally {
      await proxy.close();
    }
  });

  it('clock skew of 10 minutes: clock.skew warns', async () => {
    emu.configure({ clockOffsetSec: -600 });
    const { run, report } = await doctorJson();
    const c = check(report, 'clock.skew');
    assert.equal(c.status, 'warn', c.evidence);
    assert.match(c.evidence, /ahead of the server/);
    assert.equal(run.code, 0);
    recordCase({
      area: 'doctor',
      name: 'clock 10 min ahead of IMDS',
      expected: 'clock.skew warn',
      observed: `${c.status}: ${c.evidence}`,
      pass: true,
    });
  });

  it('token --claims prints the decoded claims (aud, oid), never the token', async () => {
    const run = await cli(['token', '--resource', 'https://vault.azure.net', '--claims'], env);
    assert.equal(run.code, 0, run.stderr);
    noTokens(run);
    const claims = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.equal(claims.aud, 'https://vault.azure.net');
    assert.equal(claims.oid, emu.dataset.systemIdentity.principalId);
  });

  it('token --resource that is neither an https URI nor a GUID: usage error, exit 2', async () => {
    const run = await cli(['token', '--resource', 'http://vault.azure.net'], env);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--resource: Resource URIs start with https:\/\//);
  });
});
