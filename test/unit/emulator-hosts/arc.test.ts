/**
 * Azure Arc (himds) host over real HTTP: the 401 challenge naming a real key file (mode, owner, group as configured),
 * the Basic-key retry, one-time keys, no user-assigned identities, and the agent's instance metadata.
 * EACCES for a non-root user reading the key is the client work's test (needs its own namespaces); the emulator
 * side is here: directory, mode and group are what the test asked for.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startEmulator, type Emulator, type RunningHost } from '../../emulator';
import { ARM, HTTP_ONLY, body, claimsOf, send } from './httpHelpers';

describe('emulator host: Azure Arc (himds challenge)', () => {
  let emu: Emulator;
  let host: RunningHost;
  let keyDir: string;
  const gid = 4242;
  before(async () => {
    emu = await startEmulator({ listen: HTTP_ONLY });
    keyDir = mkdtempSync(join(tmpdir(), 'arc-tokens-test-'));
    host = await emu.startHost({ kind: 'arc', options: { keyDir, keyFileGid: gid, machineName: 'onprem-01' } });
  });
  after(async () => {
    await emu.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  const tokenUrl = (query: Record<string, string> = {}) =>
    `${host.env.IDENTITY_ENDPOINT}?${new URLSearchParams({ 'api-version': '2019-11-01', resource: ARM, ...query })}`;
  const realm = (header: string | string[] | undefined) => /^Basic realm=(.+)$/.exec(String(header))?.[1] ?? '';

  it('challenges with 401 and WWW-Authenticate: Basic realm=<key file>, a .key file with mode 0640 and the chosen group', async () => {
    const reply = await send(tokenUrl(), { headers: { Metadata: 'true' } });
    assert.equal(reply.status, 401, reply.text);
    const path = realm(reply.headers['www-authenticate']);
    assert.equal(dirname(path), keyDir);
    assert.match(path, /\.key$/);
    const st = statSync(path);
    assert.equal(st.mode & 0o777, 0o640);
    assert.equal(st.gid, gid);
    assert.equal(st.uid, process.getuid?.() === 0 ? 0 : process.getuid?.());
  });

  it('answers the retry with Authorization: Basic <key> with a token for the machine, then removes the one-time key', async () => {
    const path = realm((await send(tokenUrl(), { headers: { Metadata: 'true' } })).headers['www-authenticate']);
    const key = readFileSync(path, 'utf8');
    const reply = await send(tokenUrl(), { headers: { Metadata: 'true', Authorization: `Basic ${key}` } });
    assert.equal(reply.status, 200, reply.text);
    const b = body(reply);
    assert.equal(typeof b.expires_in, 'string');
    const c = claimsOf(String(b.access_token));
    assert.equal(c.oid, emu.dataset.systemIdentity.principalId);
    assert.match(String(c.xms_mirid), /Microsoft\.HybridCompute\/machines\/onprem-01$/);
    assert.equal(existsSync(path), false, 'the key file is removed once used');
    const again = await send(tokenUrl(), { headers: { Metadata: 'true', Authorization: `Basic ${key}` } });
    assert.equal(again.status, 401, 'a used key is refused with a new challenge');
    assert.notEqual(realm(again.headers['www-authenticate']), path);
  });

  it('refuses user-assigned selection and a request without Metadata: true', async () => {
    assert.equal(
      (
        await send(tokenUrl({ client_id: emu.dataset.userAssignedIdentities[0].clientId }), {
          headers: { Metadata: 'true' },
        })
      ).status,
      400,
    );
    assert.equal((await send(tokenUrl())).status, 400);
  });

  it('can write keys larger than the 4096-byte client limit', async () => {
    const big = await emu.startHost({ kind: 'arc', name: 'arc-big', options: { keyBytes: 5000 } });
    const reply = await send(
      `${big.env.IDENTITY_ENDPOINT}?api-version=2019-11-01&resource=${encodeURIComponent(ARM)}`,
      { headers: { Metadata: 'true' } },
    );
    assert.equal(statSync(realm(reply.headers['www-authenticate'])).size, 5000);
    await big.close();
  });

  it('serves instance metadata with azEnvironment and the HybridCompute resource id, or none when told so', async () => {
    const reply = await send(`${host.env.IMDS_ENDPOINT}/metadata/instance?api-version=2020-06-01`, {
      headers: { Metadata: 'true' },
    });
    assert.equal(reply.status, 200, reply.text);
    const compute = body<{ compute: Record<string, unknown> }>(reply).compute;
    assert.equal(compute.azEnvironment, 'AzurePublicCloud');
    assert.match(String(compute.resourceId), /\/providers\/Microsoft\.HybridCompute\/machines\/onprem-01$/);
    assert.equal(compute.vmSize, '');
    const gov = await emu.startHost({
      kind: 'arc',
      name: 'arc-gov',
      options: { azEnvironment: 'AzureUSGovernmentCloud' },
    });
    const govCompute = body(
      await send(`${gov.env.IMDS_ENDPOINT}/metadata/instance/compute?api-version=2020-06-01`, {
        headers: { Metadata: 'true' },
      }),
    );
    assert.equal(govCompute.azEnvironment, 'AzureUSGovernmentCloud');
    const none = await emu.startHost({ kind: 'arc', name: 'arc-old', options: { instanceMetadata: false } });
    assert.equal(
      (
        await send(`${none.env.IMDS_ENDPOINT}/metadata/instance?api-version=2020-06-01`, {
          headers: { Metadata: 'true' },
        })
      ).status,
      404,
    );
  });
});
