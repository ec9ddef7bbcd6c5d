/**
 * Azure Arc, client side, over real HTTP against the emulated himds (test/emulator/hosts/arc.ts): the challenge
 * answered with a real key file, MSAL's key-file rules, the cloud from himds instance metadata, and EACCES for a
 * non-root user outside the himds group — the real client run as another user with setpriv, reading a real file
 * in a key directory this test creates (mode 0750, group = a test gid) under the system temp dir and removes.
 * The expected directory is overridden only through the client's constructor (arcKeyDir); the production default
 * (/var/opt/azcmagent/tokens) is shown to refuse the same key.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startEmulator, type Emulator, type RunningHost } from '../../emulator';
import { parseCloudSetting } from '../../../src/azure';
import { recordCase } from '../../support/cases';
import { ARM, clientFor, failureOf, serviceFor } from './support';

const HIMDS_GID = 4242; // stands for the himds group; no group is created on the host
const OTHER_UID = 65534; // nobody

describe('Azure Arc, client side', function () {
  let emu: Emulator;
  let keyDir: string;
  let host: RunningHost;
  before(async () => {
    emu = await startEmulator({ listen: [{ host: '127.0.0.1', port: 0 }] });
    keyDir = mkdtempSync(join(tmpdir(), 'vmid-arc-tokens-'));
    chmodSync(keyDir, 0o750);
    if (process.getuid?.() === 0) chownSync(keyDir, 0, HIMDS_GID);
    host = await emu.startHost({ kind: 'arc', options: { keyDir, keyFileGid: HIMDS_GID, machineName: 'onprem-01' } });
  });
  after(async () => {
    await emu.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  it("answers the challenge with the key file and gets the machine's token; the cloud and machine come from himds", async () => {
    const s = await serviceFor(emu, host.env, { arcKeyDir: keyDir, platform: 'linux' }).snapshot(undefined, {});
    assert.equal(s.identity.source, 'azureArc');
    assert.equal(s.cloud.name, 'AzurePublicCloud');
    assert.equal(s.vm.status, 'ok');
    assert.match(s.vm.status === 'ok' ? s.vm.value.resourceId : '', /Microsoft\.HybridCompute\/machines\/onprem-01$/);
    const tokenCalls = host.requests.filter((r) => /oauth2\/token/.test(r.path));
    assert.deepEqual(
      tokenCalls.slice(-2).map((r) => r.status),
      [401, 200],
    );
    assert.ok(host.requests.some((r) => r.path === '/metadata/instance' && r.query['api-version'] === '2020-06-01'));
  });

  it('the production key directory refuses a key anywhere else (the override is not needed to be safe)', async () => {
    const e = await failureOf(clientFor(host.env, { platform: 'linux' }).getToken(ARM));
    assert.equal(e.kind, 'unsafeEndpoint');
    assert.match(e.message, /not in the agent's directory \/var\/opt\/azcmagent\/tokens/);
  });

  it('a key over 4096 bytes is refused', async () => {
    const big = await emu.startHost({ kind: 'arc', name: 'arc-big', options: { keyDir, keyBytes: 5000 } });
    const e = await failureOf(clientFor(big.env, { arcKeyDir: keyDir, platform: 'linux' }).getToken(ARM));
    assert.match(e.message, /5000 bytes, over 4096/);
    await big.close();
  });

  it('refuses a user-assigned selection before asking', async () => {
    const e = await failureOf(
      clientFor(host.env, { arcKeyDir: keyDir }).getToken(ARM, {
        identity: { kind: 'clientId', value: emu.dataset.userAssignedIdentities[0].clientId },
      }),
    );
    assert.equal(e.kind, 'notSupported');
    assert.match(e.message, /only the system-assigned identity/);
  });

  it('an agent whose metadata names an unknown cloud: an error naming it; with vmIdentity.cloud set, that cloud', async () => {
    const odd = await emu.startHost({
      kind: 'arc',
      name: 'arc-odd',
      options: { keyDir, azEnvironment: 'AzureStackCloudX' },
    });
    const e = await failureOf(serviceFor(emu, odd.env, { arcKeyDir: keyDir }).snapshot(undefined, {}));
    assert.equal(e.kind, 'unknownCloud');
    assert.match(e.message, /"AzureStackCloudX"/);
    const custom = parseCloudSetting(
      { arm: emu.httpUrl, graph: emu.httpUrl, portal: 'https://portal.stack.example', audience: ARM },
      'vmIdentity.cloud',
    );
    const s = await serviceFor(emu, odd.env, { arcKeyDir: keyDir }, { cloud: custom }).snapshot(undefined, {});
    assert.equal(s.cloud.name, 'Custom');
    assert.match(s.links.vm ?? '', /^https:\/\/portal\.stack\.example\//);
    await odd.close();
  });

  describe('as a user outside the himds group (setpriv)', () => {
    // Asynchronous: the emulator answering the child runs in this process.
    const child = async (groups: number[]) => {
      const script = resolve(__dirname, 'arcChild.ts');
      const args = [
        `--reuid=${OTHER_UID}`,
        `--regid=${OTHER_UID}`,
        groups.length ? `--groups=${groups.join(',')}` : '--clear-groups',
        '--',
        process.execPath,
        '-r',
        'tsx/cjs',
        script,
      ];
      const p = spawn('setpriv', args, {
        cwd: resolve(__dirname, '../../..'),
        env: { PATH: process.env.PATH, HOME: tmpdir(), ARC_ENV: JSON.stringify(host.env), ARC_KEY_DIR: keyDir },
      });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const code = await new Promise<number | null>((done) => p.on('close', done));
      assert.equal(code, 0, stderr);
      return JSON.parse(stdout) as { ok: boolean; kind?: string; message?: string; fix?: string; uid: number };
    };

    before(function () {
      if (process.getuid?.() !== 0 || !existsSync('/usr/bin/setpriv')) this.skip(); // needs root to switch users
      execFileSync('setpriv', [`--reuid=${OTHER_UID}`, '--clear-groups', 'true']); // setpriv works here
    });

    it('EACCES on the real key file → "add your user to the himds group", not "try again"', async () => {
      const out = await child([]);
      assert.equal(out.uid, OTHER_UID);
      assert.equal(out.ok, false, JSON.stringify(out));
      assert.equal(out.kind, 'authorizationFailed');
      assert.match(out.message!, /permission denied\): only root and the himds group may/);
      assert.match(out.fix!, /sudo usermod -aG himds \$USER.*reconnect/);
      recordCase({
        area: 'hosts',
        name: 'Arc key file, user outside himds (EACCES)',
        expected: 'add your user to the himds group',
        observed: out.fix!,
        pass: true,
      });
    });

    it('the same user in the group reads the key and gets the token', async () => {
      const out = await child([HIMDS_GID]);
      assert.equal(out.ok, true, JSON.stringify(out));
      assert.equal(out.uid, OTHER_UID);
    });
  });
});
