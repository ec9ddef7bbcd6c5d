/**
 * The "not Azure" metadata servers (AWS-like 404 / GCP-like 403 HTML without `Server: IMDS/…`), the real IMDS
 * emulator's Server header, IMDS token caching (same token, shrinking expires_in) and unknown clouds in instance
 * metadata — over real HTTP.
 */
import * as assert from 'node:assert/strict';
import { startEmulator, type Emulator } from '../../emulator';
import { ARM, HTTP_ONLY, body, send } from './httpHelpers';

const TOKEN_PATH = `/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${encodeURIComponent(ARM)}`;

describe('emulator: not-Azure metadata servers, IMDS caching, unknown clouds', () => {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ listen: HTTP_ONLY });
  });
  afterEach(() => emu.configure({ imdsTokenCache: true, instanceAzEnvironment: null, tokenLifetimeSec: 86399 }));
  after(() => emu.close());

  const imdsToken = async () =>
    body<{ access_token: string; expires_in: string }>(
      await send(`${emu.httpUrl}${TOKEN_PATH}`, { headers: { Metadata: 'true' } }),
    );

  it('Azure IMDS answers with a Server: IMDS/… header; AWS-like answers 404 HTML without it', async () => {
    assert.match(
      String((await send(`${emu.httpUrl}${TOKEN_PATH}`, { headers: { Metadata: 'true' } })).headers.server),
      /^IMDS\//,
    );
    const aws = await emu.startHost({ kind: 'not-azure', name: 'aws' });
    const reply = await send(`${aws.url}${TOKEN_PATH}`, { headers: { Metadata: 'true' } });
    assert.equal(reply.status, 404);
    assert.match(String(reply.headers['content-type']), /^text\/html/);
    assert.doesNotMatch(String(reply.headers.server), /^IMDS\//);
    assert.match(reply.text, /<title>404 - Not Found<\/title>/);
  });

  it('GCP-like refuses without Metadata-Flavor: Google (403 HTML); IMDSv2-only AWS answers 401', async () => {
    const gcp = await emu.startHost({ kind: 'not-azure', name: 'gcp', options: { flavor: 'gcp' } });
    const reply = await send(`${gcp.url}/metadata/instance?api-version=2021-02-01`, { headers: { Metadata: 'true' } });
    assert.equal(reply.status, 403);
    assert.match(String(reply.headers['content-type']), /^text\/html/);
    const v2 = await emu.startHost({ kind: 'not-azure', name: 'aws-v2', options: { imdsV2Only: true } });
    assert.equal((await send(`${v2.url}${TOKEN_PATH}`, { headers: { Metadata: 'true' } })).status, 401);
  });

  it('IMDS serves its cached token: the same access token, expires_in not growing', async () => {
    const first = await imdsToken();
    await new Promise((r) => setTimeout(r, 1100));
    const second = await imdsToken();
    assert.equal(second.access_token, first.access_token);
    assert.ok(Number(second.expires_in) < Number(first.expires_in), `${second.expires_in} < ${first.expires_in}`);
    const graph = body<{ access_token: string }>(
      await send(
        `${emu.httpUrl}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://graph.microsoft.com/`,
        { headers: { Metadata: 'true' } },
      ),
    );
    assert.notEqual(graph.access_token, first.access_token, 'cached per resource');
  });

  it('swaps in a new token near expiry, and hands out fresh tokens when the cache knob is off', async () => {
    emu.configure({ tokenLifetimeSec: 2 });
    const first = await imdsToken();
    await new Promise((r) => setTimeout(r, 1500));
    assert.notEqual((await imdsToken()).access_token, first.access_token);
    emu.configure({ imdsTokenCache: false, tokenLifetimeSec: 86399 });
    assert.notEqual((await imdsToken()).access_token, (await imdsToken()).access_token);
  });

  it('instance metadata can report a cloud nobody knows (control API), tokens and ARM unchanged', async () => {
    const set = await send(`${emu.httpUrl}/_emulator/config`, {
      method: 'POST',
      body: JSON.stringify({ instanceAzEnvironment: 'AzureAirGappedCloudX' }),
    });
    assert.equal(set.status, 200, set.text);
    const compute = body(
      await send(`${emu.httpUrl}/metadata/instance/compute?api-version=2021-02-01`, { headers: { Metadata: 'true' } }),
    );
    assert.equal(compute.azEnvironment, 'AzureAirGappedCloudX');
    assert.ok((await imdsToken()).access_token);
    assert.equal(
      (
        await send(`${emu.httpUrl}/_emulator/config`, {
          method: 'POST',
          body: JSON.stringify({ instanceAzEnvironment: 42 }),
        })
      ).status,
      400,
    );
  });
});
