/** The emulator over TLS, its control API and request log, and its CLI entry point. */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Emulator, type EmulatorState, type LoggedRequest, generateDataset, startEmulator } from '../../emulator';
import { parseListen } from '../../emulator/main';
import { ARM, GRAPH, HTTP_ONLY, send, parse, imds, tokenPath, token, bearer, assignmentsUrl } from './helpers';

describe('emulator: TLS', function () {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ tls: { hosts: ['emulator.test'] } });
  });
  after(() => emu.close());

  it('serves every path over TLS with a cert the test CA vouches for, for the cloud host names too', async () => {
    const ca = readFileSync(emu.caCertPath!);
    const agent = new https.Agent({ ca });
    const reply = await send(`${emu.httpsUrl}${tokenPath({ resource: ARM })}`, {
      headers: { Metadata: 'true' },
      agent,
    });
    assert.equal(reply.status, 200);
    for (const servername of ['management.azure.com', 'graph.microsoft.us', 'emulator.test']) {
      const r = await send(`${emu.httpsUrl}/subscriptions?api-version=2022-12-01`, {
        agent: new https.Agent({ ca }),
        servername,
        headers: { Host: servername },
      });
      assert.equal(r.status, 401, servername);
    }
    await assert.rejects(
      send(`${emu.httpsUrl}/metadata/identity/info?api-version=2018-10-01`, { agent: new https.Agent() }),
      /self[- ]signed|unable to verify|certificate/i,
    );
    assert.deepEqual(emu.urls, [emu.httpUrl, emu.httpsUrl]);
  });
});

describe('emulator: control API and request log', function () {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ listen: HTTP_ONLY });
  });
  after(() => emu.close());

  const control = (method: string, path: string, body?: unknown) =>
    send(`${emu.httpUrl}/_emulator/${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('state, config, faults, requests and dataset over HTTP', async () => {
    const state = parse<EmulatorState>(await control('GET', 'state'));
    assert.deepEqual(state.urls, emu.urls);
    assert.equal(state.tenantId, emu.dataset.tenantId);
    assert.equal(state.identities.systemAssigned.principalId, emu.dataset.systemIdentity.principalId);
    assert.equal((await control('POST', 'config', { systemAssigned: false, latencyMs: { arm: 5 } })).status, 200);
    assert.equal(emu.config.systemAssigned, false);
    assert.equal(emu.config.latencyMs.arm, 5);
    assert.equal((await control('POST', 'config', { pageSize: 0 })).status, 400);
    assert.equal((await control('POST', 'config', { azEnvironment: 'Mars' })).status, 400);
    await control('POST', 'config', { systemAssigned: true, latencyMs: { arm: 0 } });
    assert.equal((await control('POST', 'faults', { endpoint: 'imds-token', steps: [{ status: 503 }] })).status, 200);
    assert.equal((await imds(emu, tokenPath({ resource: ARM }))).status, 503);
    await control('POST', 'faults', { endpoint: 'imds-token', steps: [{ status: 503 }] });
    assert.equal((await control('DELETE', 'faults')).status, 204);
    assert.equal((await imds(emu, tokenPath({ resource: ARM }))).status, 200);
    assert.equal((await control('POST', 'faults', { endpoint: 'bogus', steps: [] })).status, 400);
    const logged = parse<LoggedRequest[]>(await control('GET', 'requests'));
    assert.ok(logged.some((r) => r.endpoint === 'imds-token' && r.status === 503));
    assert.equal((await control('DELETE', 'requests')).status, 204);
    assert.deepEqual(emu.requests, [], 'the log is empty (the DELETE cleared its own entry too)');
    assert.equal(
      parse<{ roleAssignments: unknown[] }>(await control('GET', 'dataset')).roleAssignments.length,
      emu.dataset.roleAssignments.length,
    );
  });

  it('logs every request with the bearer decoded but never a token', async () => {
    emu.resetLog();
    const arm = await token(emu);
    const graph = await token(emu, GRAPH);
    await send(assignmentsUrl(emu), { headers: bearer(arm) });
    await send(`${emu.httpUrl}/v1.0/servicePrincipals/${emu.dataset.systemIdentity.principalId}`, {
      headers: bearer(graph),
    });
    const armEntry = emu.requests.find((r) => r.service === 'arm')!;
    assert.deepEqual(armEntry.bearer, { oid: emu.dataset.systemIdentity.principalId, aud: ARM });
    assert.equal(armEntry.headers.authorization, 'Bearer <redacted>');
    assert.equal(armEntry.status, 200);
    assert.equal(armEntry.listener, emu.httpUrl);
    assert.equal(emu.requests.find((r) => r.service === 'graph')!.bearer?.aud, GRAPH);
    const logText = JSON.stringify(emu.requests) + (await control('GET', 'requests')).text;
    assert.ok(emu.issuedTokens.length >= 2);
    for (const t of emu.issuedTokens) {
      assert.ok(!logText.includes(t), 'no token in the log');
      assert.ok(!logText.includes(t.split('.')[2]), 'not even a signature');
    }
  });

  it('logs the response body bytes of every request: answers, scripted faults, and bodies cut short', async () => {
    emu.resetLog();
    const ok = await imds(emu, tokenPath({ resource: ARM }));
    emu.fault('imds-token', [{ status: 503 }, { kind: 'truncated' }]);
    const failed = await imds(emu, tokenPath({ resource: ARM }));
    await assert.rejects(imds(emu, tokenPath({ resource: ARM })));
    emu.clearFaults();
    await new Promise((r) => setTimeout(r, 20)); // the truncated answer's entry settles when its socket closes
    const [a, b, c] = emu.requests;
    assert.equal(a.bytes, Buffer.byteLength(ok.text));
    assert.ok(a.bytes > 1000, 'a token answer is well over 1 KB');
    assert.equal(b.bytes, Buffer.byteLength(failed.text));
    assert.ok(c.bytes > 0 && c.bytes < a.bytes, `what was written before the cut (${c.bytes} bytes)`);
  });
});

describe('emulator: CLI entry', function () {
  it('parses --listen', () => {
    assert.deepEqual(parseListen('127.0.0.1:0'), { host: '127.0.0.1', port: 0, tls: false });
    assert.deepEqual(parseListen('[::1]:8443:tls'), { host: '::1', port: 8443, tls: true });
    assert.throws(() => parseListen('localhost'), /host:port/);
  });

  it('prints its URLs when ready, writes the state file, and exits cleanly on SIGTERM', async function () {
    this.timeout(30_000);
    const dir = mkdtempSync(join(tmpdir(), 'emulator-cli-'));
    const stateFile = join(dir, 'state.json');
    const main = resolve(__dirname, '../../emulator/main.ts');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        main,
        '--listen',
        '127.0.0.1:0',
        '--listen',
        '127.0.0.1:0:tls',
        '--assignments',
        '5',
        '--seed',
        'cli',
        '--state-file',
        stateFile,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const line = await new Promise<string>((resolveLine, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolveLine(out.split('\n')[0]);
        });
        child.on('exit', (code) => reject(new Error(`exited early with ${code}`)));
      });
      const ready = JSON.parse(line) as { urls: string[]; httpUrl: string; httpsUrl: string; caCertPath: string };
      assert.equal(ready.urls.length, 2);
      assert.match(ready.httpUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(ready.httpsUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
      const state = JSON.parse(readFileSync(stateFile, 'utf8')) as EmulatorState;
      assert.deepEqual(state.urls, ready.urls);
      assert.equal(state.caCertPath, ready.caCertPath);
      assert.equal(state.tenantId, generateDataset({ seed: 'cli' }).tenantId);
      const reply = await send(`${ready.httpUrl}/_emulator/dataset`);
      assert.equal(parse<{ seed: string }>(reply).seed, 'cli');
      const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      child.kill('SIGTERM');
      assert.equal(await exit, 0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
