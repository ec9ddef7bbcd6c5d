/**
 * The Azure emulator itself, over real HTTP(S) on 127.0.0.1: dataset determinism and scale, IMDS token
 * shapes and identity selection, ARM paging/permissions, Graph, fault scripts, TLS, the control API,
 * the request log's redaction, and the CLI entry point.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BUILT_IN_ROLE_IDS, type Emulator, type EmulatorState, type FaultStep, type LoggedRequest, expectedAssignmentsFor, generateDataset, roleDefinitionGuid, startEmulator } from '../emulator';
import { parseListen } from '../emulator/main';

const ARM = 'https://management.azure.com/';
const GRAPH = 'https://graph.microsoft.com/';
const HTTP_ONLY = [{ host: '127.0.0.1', port: 0 }];

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  agent?: https.Agent;
  timeoutMs?: number;
  servername?: string;
}

function send(url: string, o: RequestOptions = {}): Promise<Reply> {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolvePromise, reject) => {
    const req = lib.request(u, { method: o.method ?? 'GET', headers: o.headers, agent: o.agent, timeout: o.timeoutMs, servername: o.servername }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('response aborted')));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end(o.body);
  });
}

function parse<T>(reply: Reply): T {
  return JSON.parse(reply.text) as T;
}

const imds = (emu: Emulator, path: string, headers: Record<string, string> = { Metadata: 'true' }) => send(`${emu.httpUrl}${path}`, { headers });
const tokenPath = (query: Record<string, string>) => `/metadata/identity/oauth2/token?${new URLSearchParams({ 'api-version': '2018-02-01', ...query })}`;

interface TokenBody {
  access_token: string;
  refresh_token: string;
  expires_in: string;
  expires_on: string;
  not_before: string;
  resource: string;
  token_type: string;
  client_id: string;
}

async function token(emu: Emulator, resource = ARM, query: Record<string, string> = {}): Promise<string> {
  const reply = await imds(emu, tokenPath({ resource, ...query }));
  assert.equal(reply.status, 200, reply.text);
  return parse<TokenBody>(reply).access_token;
}

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

interface ArmList<T> {
  value: T[];
  nextLink?: string;
}
interface WireAssignment {
  id: string;
  name: string;
  type: string;
  properties: { scope: string; roleDefinitionId: string; principalId: string; principalType: string; condition: string | null; conditionVersion: string | null };
}
interface ArmErrorBody {
  error: { code: string; message: string };
}

/** Follow nextLinks to the end, returning every item and every page URL. */
async function listAll<T>(firstUrl: string, t: string): Promise<{ items: T[]; pages: string[] }> {
  const items: T[] = [];
  const pages: string[] = [];
  for (let url: string | undefined = firstUrl; url; ) {
    pages.push(url);
    const reply = await send(url, { headers: bearer(t) });
    assert.equal(reply.status, 200, reply.text);
    const page = parse<ArmList<T>>(reply);
    items.push(...page.value);
    url = page.nextLink;
  }
  return { items, pages };
}

const assignmentsUrl = (emu: Emulator, filter?: string) =>
  `${emu.httpUrl}/subscriptions/${emu.dataset.subscriptionId}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01${filter ? `&$filter=${encodeURIComponent(filter)}` : ''}`;

describe('emulator: dataset', function () {
  it('is a pure function of the seed', () => {
    assert.deepEqual(generateDataset({ seed: 7 }), generateDataset({ seed: 7 }));
    assert.equal(JSON.stringify(generateDataset({ seed: 'x', assignments: 40 })), JSON.stringify(generateDataset({ seed: 'x', assignments: 40 })));
    assert.notEqual(generateDataset({ seed: 7 }).tenantId, generateDataset({ seed: 8 }).tenantId);
  });

  it('has exactly N assignments for the system identity, spread over every kind of scope', () => {
    const d = generateDataset({ assignments: 12 });
    const mine = expectedAssignmentsFor(d, d.systemIdentity.principalId, 'assignedTo');
    assert.equal(mine.length, 12);
    const scopes = new Set(mine.map((a) => a.scope));
    for (const scope of Object.values(d.scopes)) assert.ok(scopes.has(scope), `an assignment at ${scope}`);
    assert.ok(mine.some((a) => a.principalType === 'Group' && a.principalId === d.groups[0].id), 'one via the group');
    assert.ok(mine.some((a) => a.condition && a.conditionVersion === '2.0'), 'one with an ABAC condition');
    assert.ok(mine.some((a) => a.scope === d.scopes.subscription && a.principalId === d.systemIdentity.principalId && roleDefinitionGuid(a.roleDefinitionId) === BUILT_IN_ROLE_IDS.reader), 'Reader at the subscription, directly');
    for (const a of mine) {
      assert.equal(a.id, `${a.scope}/providers/Microsoft.Authorization/roleAssignments/${a.name}`);
      assert.match(a.name, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const form = a.scope.startsWith('/providers/Microsoft.Management/') ? /^\/providers\/Microsoft\.Authorization\/roleDefinitions\/[0-9a-f-]{36}$/ : new RegExp(`^/subscriptions/${d.subscriptionId}/providers/Microsoft\\.Authorization/roleDefinitions/[0-9a-f-]{36}$`);
      assert.match(a.roleDefinitionId, form);
    }
    assert.equal(expectedAssignmentsFor(d, d.systemIdentity.principalId, 'principalId').length, mine.filter((a) => a.principalId === d.systemIdentity.principalId).length);
  });

  it('uses the real built-in role GUIDs and has custom roles', () => {
    const d = generateDataset();
    const byName = new Map(d.roleDefinitions.map((r) => [r.properties.roleName, r]));
    const real: Array<[string, string]> = [
      ['Owner', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635'],
      ['Contributor', 'b24988ac-6180-42a0-ab88-20f7382dd24c'],
      ['Reader', 'acdd72a7-3385-48ef-bd42-f606fba81ae7'],
      ['Storage Blob Data Reader', '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'],
      ['Storage Blob Data Contributor', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'],
      ['Key Vault Secrets User', '4633458b-17de-408a-b874-0445c86b69e6'],
      ['Virtual Machine Contributor', '9980e02c-c2be-4d73-94e8-173b1dc7cf3c'],
      ['Monitoring Reader', '43d0d8ad-25c7-4714-9337-8ba259a9fe05'],
    ];
    for (const [name, guid] of real) {
      assert.equal(byName.get(name)?.name, guid, name);
      assert.equal(byName.get(name)?.properties.type, 'BuiltInRole');
      assert.ok(byName.get(name)?.properties.description);
    }
    const custom = d.roleDefinitions.filter((r) => r.properties.type === 'CustomRole');
    assert.ok(custom.length >= 2 && custom.length <= 3);
    assert.ok(custom.every((r) => r.properties.permissions[0].actions.length > 0));
  });

  it('gives the first user-assigned identity roles, the second none, and never returns noise as ours', () => {
    const d = generateDataset({ userAssignedIdentities: 3 });
    const [first, roleless] = d.userAssignedIdentities;
    assert.ok(expectedAssignmentsFor(d, first.principalId, 'assignedTo').length >= 2);
    assert.equal(roleless.access, 'none');
    assert.equal(d.roleAssignments.filter((a) => a.principalId === roleless.principalId).length, 0);
    const ours = new Set([d.systemIdentity.principalId, d.groups[0].id]);
    const noise = d.roleAssignments.filter((a) => !ours.has(a.principalId) && !d.userAssignedIdentities.some((u) => u.principalId === a.principalId));
    assert.ok(noise.length >= 8, 'there is noise');
    assert.ok(noise.some((a) => !a.scope.includes(d.subscriptionId) && a.scope.startsWith('/subscriptions/')), 'some in another subscription');
    assert.ok(expectedAssignmentsFor(d, d.systemIdentity.principalId, 'assignedTo').every((a) => ours.has(a.principalId)));
  });

  it('scales to 20,000 assignments in well under a second, all distinct', () => {
    const started = Date.now();
    const d = generateDataset({ assignments: 20_000 });
    const mine = expectedAssignmentsFor(d, d.systemIdentity.principalId, 'assignedTo');
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 1000, `${elapsed} ms`);
    assert.equal(mine.length, 20_000);
    assert.equal(new Set(d.roleAssignments.map((a) => a.id)).size, d.roleAssignments.length);
    assert.equal(new Set(mine.map((a) => `${a.scope}|${a.roleDefinitionId}`)).size, 20_000, 'no duplicate (scope, role) for the identity');
  });
});

describe('emulator: IMDS and the legacy endpoint', function () {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ dataset: { userAssignedIdentities: 3 }, listen: HTTP_ONLY });
  });
  after(() => emu.close());
  beforeEach(() => {
    emu.configure({ systemAssigned: true, latencyMs: { imds: 0 } });
    emu.clearFaults();
  });

  it('answers a token with every field a string and a JWT-shaped access token', async () => {
    const reply = await imds(emu, tokenPath({ resource: ARM }));
    assert.equal(reply.status, 200);
    assert.match(String(reply.headers['content-type']), /^application\/json/);
    const body = parse<Record<string, unknown>>(reply);
    for (const key of ['access_token', 'refresh_token', 'expires_in', 'expires_on', 'not_before', 'resource', 'token_type', 'client_id']) assert.equal(typeof body[key], 'string', key);
    const t = parse<TokenBody>(reply);
    assert.equal(t.refresh_token, '');
    assert.equal(t.token_type, 'Bearer');
    assert.equal(t.expires_in, '86399');
    assert.ok(Math.abs(Number(t.expires_on) - (Date.now() / 1000 + 86399)) < 5);
    const [header] = t.access_token.split('.');
    assert.deepEqual(JSON.parse(Buffer.from(header, 'base64url').toString()), { typ: 'JWT', alg: 'RS256', kid: 'emulator' });
    const c = claimsOf(t.access_token);
    const d = emu.dataset;
    assert.deepEqual(
      { aud: c.aud, iss: c.iss, oid: c.oid, sub: c.sub, tid: c.tid, appid: c.appid, appidacr: c.appidacr, idtyp: c.idtyp },
      { aud: ARM, iss: `https://sts.windows.net/${d.tenantId}/`, oid: d.systemIdentity.principalId, sub: d.systemIdentity.principalId, tid: d.tenantId, appid: d.systemIdentity.clientId, appidacr: '2', idtyp: 'app' },
    );
    assert.equal(c.xms_mirid, d.vm.resourceId.replace('/resourceGroups/', '/resourcegroups/'));
    assert.notEqual(await token(emu), await token(emu), 'every token differs');
  });

  const badRequests: Array<[string, string, Record<string, string>, number, { error: string; error_description?: string }]> = [
    ['no Metadata header', tokenPath({ resource: ARM }), {}, 400, { error: 'invalid_request', error_description: 'Required metadata header not specified' }],
    ['Metadata: false', tokenPath({ resource: ARM }), { Metadata: 'false' }, 400, { error: 'invalid_request', error_description: 'Required metadata header not specified' }],
    ['no api-version', `/metadata/identity/oauth2/token?resource=${ARM}`, { Metadata: 'true' }, 400, { error: 'invalid_request' }],
    ['no resource', tokenPath({}), { Metadata: 'true' }, 400, { error: 'invalid_resource' }],
    ['X-Forwarded-For', tokenPath({ resource: ARM }), { Metadata: 'true', 'X-Forwarded-For': '10.0.0.1' }, 400, { error: 'invalid_request' }],
  ];
  for (const [name, path, headers, status, body] of badRequests) {
    it(`400 for ${name}`, async () => {
      const reply = await imds(emu, path, headers);
      assert.equal(reply.status, status);
      const got = parse<{ error: string; error_description: string }>(reply);
      assert.equal(got.error, body.error);
      if (body.error_description) assert.equal(got.error_description, body.error_description);
    });
  }

  it('selects identities as IMDS does', async () => {
    const d = emu.dataset;
    const [u0, u1, u2] = d.userAssignedIdentities;
    const cases: Array<{ system: boolean; query: Record<string, string>; oid?: string; error?: RegExp }> = [
      { system: true, query: {}, oid: d.systemIdentity.principalId },
      { system: true, query: { client_id: u0.clientId }, oid: u0.principalId },
      { system: true, query: { object_id: u1.principalId }, oid: u1.principalId },
      { system: true, query: { msi_res_id: u2.resourceId }, oid: u2.principalId },
      { system: true, query: { client_id: '00000000-0000-0000-0000-000000000001' }, error: /^Identity not found$/ },
      { system: true, query: { client_id: u0.clientId, object_id: u0.principalId }, error: /one of/ },
      { system: false, query: {}, error: /^Multiple user assigned identities exist, please specify the clientId \/ resourceId of the identity in the token request$/ },
      { system: false, query: { client_id: d.systemIdentity.clientId }, error: /^Identity not found$/ },
      { system: false, query: { client_id: u0.clientId }, oid: u0.principalId },
    ];
    for (const c of cases) {
      emu.configure({ systemAssigned: c.system });
      const reply = await imds(emu, tokenPath({ resource: ARM, ...c.query }));
      const label = JSON.stringify(c);
      if (c.oid) {
        assert.equal(reply.status, 200, label);
        assert.equal(claimsOf(parse<TokenBody>(reply).access_token).oid, c.oid, label);
      } else {
        assert.equal(reply.status, 400, label);
        const body = parse<{ error: string; error_description: string }>(reply);
        assert.equal(body.error, 'invalid_request', label);
        assert.match(body.error_description, c.error!, label);
      }
    }
  });

  it('a user-assigned token names the identity in xms_mirid and the VM in xms_az_rid', async () => {
    const u = emu.dataset.userAssignedIdentities[0];
    const c = claimsOf(await token(emu, ARM, { client_id: u.clientId }));
    assert.equal(c.xms_mirid, u.resourceId);
    assert.equal(c.xms_az_rid, emu.dataset.vm.resourceId);
    assert.equal(c.appid, u.clientId);
  });

  for (const [uamis, expected] of [
    [1, 'the only user-assigned identity'],
    [0, 'Identity not found'],
  ] as const) {
    it(`system identity off with ${uamis} user-assigned → ${expected}`, async () => {
      const other = await startEmulator({ dataset: { userAssignedIdentities: uamis, systemAssigned: false }, listen: HTTP_ONLY });
      try {
        const reply = await imds(other, tokenPath({ resource: ARM }));
        if (uamis === 1) assert.equal(claimsOf(parse<TokenBody>(reply).access_token).oid, other.dataset.userAssignedIdentities[0].principalId);
        else assert.deepEqual(parse(reply), { error: 'invalid_request', error_description: 'Identity not found' });
      } finally {
        await other.close();
      }
    });
  }

  it('more than 5 concurrent identity requests → 429', async () => {
    emu.configure({ latencyMs: { imds: 300 } });
    const replies = await Promise.all(Array.from({ length: 8 }, () => imds(emu, tokenPath({ resource: ARM }))));
    const statuses = replies.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 200).length, 5, String(statuses));
    assert.equal(statuses.filter((s) => s === 429).length, 3, String(statuses));
  });

  it('instance metadata: strings only, azEnvironment and the VM; leaves as text; api-version required', async () => {
    const reply = await imds(emu, '/metadata/instance?api-version=2021-02-01');
    const { compute, network } = parse<{ compute: Record<string, unknown>; network: { interface: Array<{ macAddress: string }> } }>(reply);
    const d = emu.dataset;
    for (const key of ['azEnvironment', 'name', 'resourceGroupName', 'subscriptionId', 'resourceId', 'location', 'vmSize', 'osType', 'vmId']) assert.equal(typeof compute[key], 'string', key);
    assert.deepEqual(
      { name: compute.name, rg: compute.resourceGroupName, sub: compute.subscriptionId, id: compute.resourceId, env: compute.azEnvironment, tags: compute.tagsList, os: compute.osProfile },
      { name: d.vm.name, rg: d.resourceGroupName, sub: d.subscriptionId, id: d.vm.resourceId, env: 'AzurePublicCloud', tags: [], os: { adminUsername: 'azureuser', computerName: d.vm.computerName, disablePasswordAuthentication: d.vm.osType === 'Linux' ? 'true' : 'false' } },
    );
    assert.equal(compute.identity, undefined, 'no identity section');
    assert.equal(network.interface[0].macAddress, d.vm.macAddress);
    assert.equal((await imds(emu, '/metadata/instance/compute/vmId?api-version=2021-02-01&format=text')).text, d.vm.vmId);
    const missing = await imds(emu, '/metadata/instance');
    assert.equal(missing.status, 400);
    assert.ok(Array.isArray(parse<Record<string, unknown>>(missing)['newest-versions']));
    assert.equal((await imds(emu, '/metadata/instance?api-version=2021-02-01', {})).status, 400, 'Metadata header required');
  });

  it('identity/info gives the tenant, and fails when the system identity is off', async () => {
    assert.deepEqual(parse(await imds(emu, '/metadata/identity/info?api-version=2018-10-01')), { tenantId: emu.dataset.tenantId });
    emu.configure({ systemAssigned: false });
    assert.equal((await imds(emu, '/metadata/identity/info?api-version=2018-10-01')).status, 400);
  });

  it('legacy /oauth2/token: no api-version, Metadata required, same all-string shape, client_id honoured', async () => {
    const reply = await imds(emu, `/oauth2/token?resource=${encodeURIComponent(ARM)}`);
    assert.equal(reply.status, 200, reply.text);
    const t = parse<TokenBody>(reply);
    assert.equal(typeof t.expires_on, 'string');
    assert.equal(t.resource, ARM);
    assert.equal((await imds(emu, `/oauth2/token?resource=${encodeURIComponent(ARM)}`, {})).status, 400);
    const u = emu.dataset.userAssignedIdentities[1];
    assert.equal(claimsOf(parse<TokenBody>(await imds(emu, `/oauth2/token?resource=${encodeURIComponent(ARM)}&client_id=${u.clientId}`)).access_token).oid, u.principalId);
  });
});

describe('emulator: ARM', function () {
  let emu: Emulator;
  let systemToken: string;
  before(async () => {
    emu = await startEmulator({ dataset: { assignments: 257, userAssignedIdentities: 3 }, listen: HTTP_ONLY, pageSize: 20 });
    systemToken = await token(emu);
  });
  after(() => emu.close());
  beforeEach(() => emu.configure({ armReadable: {}, azEnvironment: 'AzurePublicCloud', pageSize: 20 }));

  it('pages assignedTo() completely, with nextLinks on the same listener', async () => {
    const d = emu.dataset;
    const { items, pages } = await listAll<WireAssignment>(assignmentsUrl(emu, `assignedTo('${d.systemIdentity.principalId}')`), systemToken);
    const expected = expectedAssignmentsFor(d, d.systemIdentity.principalId, 'assignedTo');
    assert.equal(expected.length, 257);
    assert.deepEqual(items.map((a) => a.id), expected.map((a) => a.id));
    assert.equal(pages.length, Math.ceil(257 / 20));
    assert.ok(pages.every((p) => p.startsWith(`${emu.httpUrl}/subscriptions/${d.subscriptionId}/providers/Microsoft.Authorization/roleAssignments?`)));
    assert.ok(pages.slice(1).every((p) => new URL(p).searchParams.has('$skiptoken') && new URL(p).searchParams.get('$filter') === `assignedTo('${d.systemIdentity.principalId}')`));
    const first = items[0];
    assert.equal(first.type, 'Microsoft.Authorization/roleAssignments');
    assert.ok('condition' in first.properties && 'conditionVersion' in first.properties);
  });

  it("principalId eq returns direct assignments only; no filter includes others' but never another subscription's", async () => {
    const d = emu.dataset;
    const direct = await listAll<WireAssignment>(assignmentsUrl(emu, `principalId eq '${d.systemIdentity.principalId}'`), systemToken);
    assert.deepEqual(direct.items.map((a) => a.id), expectedAssignmentsFor(d, d.systemIdentity.principalId, 'principalId').map((a) => a.id));
    assert.ok(direct.items.every((a) => a.properties.principalId === d.systemIdentity.principalId));
    const all = await listAll<WireAssignment>(assignmentsUrl(emu), systemToken);
    assert.ok(all.items.length > 257);
    assert.ok(all.items.every((a) => a.properties.scope.startsWith('/providers/') || a.properties.scope.startsWith(`/subscriptions/${d.subscriptionId}`)));
  });

  it('403 AuthorizationFailed for identities that may not read role assignments, unless overridden', async () => {
    const [, roleless, rgOnly] = emu.dataset.userAssignedIdentities;
    for (const u of [roleless, rgOnly]) {
      const t = await token(emu, ARM, { client_id: u.clientId });
      const reply = await send(assignmentsUrl(emu, `assignedTo('${u.principalId}')`), { headers: bearer(t) });
      assert.equal(reply.status, 403);
      assert.deepEqual(parse(reply), {
        error: {
          code: 'AuthorizationFailed',
          message: `The client '${u.principalId}' with object id '${u.principalId}' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/read' over scope '/subscriptions/${emu.dataset.subscriptionId}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
        },
      });
    }
    const t = await token(emu, ARM, { client_id: roleless.clientId });
    emu.configure({ armReadable: { [roleless.principalId]: true, [emu.dataset.systemIdentity.principalId]: false } });
    assert.equal((await send(assignmentsUrl(emu, `assignedTo('${roleless.principalId}')`), { headers: bearer(t) })).status, 200);
    assert.equal((await send(assignmentsUrl(emu), { headers: bearer(systemToken) })).status, 403);
  });

  it('401 with a WWW-Authenticate challenge for a missing, unknown, wrong-audience or expired token', async () => {
    const graphToken = await token(emu, GRAPH);
    const forged = `${systemToken.split('.').slice(0, 2).join('.')}.AAAA`;
    const cases: Array<[Record<string, string>, string]> = [
      [{}, 'AuthenticationFailed'],
      [bearer(forged), 'InvalidAuthenticationToken'],
      [bearer(graphToken), 'InvalidAuthenticationTokenAudience'],
    ];
    for (const [headers, code] of cases) {
      const reply = await send(assignmentsUrl(emu), { headers });
      assert.equal(reply.status, 401, code);
      assert.equal(parse<ArmErrorBody>(reply).error.code, code);
      assert.match(String(reply.headers['www-authenticate']), /^Bearer authorization_uri="https:\/\/login\.windows\.net\//);
    }
    emu.configure({ tokenLifetimeSec: 1 });
    const shortLived = await token(emu);
    emu.configure({ tokenLifetimeSec: 86399 });
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal(parse<ArmErrorBody>(await send(assignmentsUrl(emu), { headers: bearer(shortLived) })).error.code, 'ExpiredAuthenticationToken');
    assert.equal((await send(assignmentsUrl(emu), { headers: bearer(systemToken) })).status, 200, 'aud with trailing slash accepted');
    assert.equal((await send(assignmentsUrl(emu), { headers: bearer(await token(emu, 'https://management.azure.com')) })).status, 200, 'and without');
  });

  it('role definitions: by id (subscription or tenant form), 404 when unknown, listed with a type filter', async () => {
    const d = emu.dataset;
    const readerId = `/subscriptions/${d.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLE_IDS.reader}`;
    for (const id of [readerId, `/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLE_IDS.reader}`]) {
      const reply = await send(`${emu.httpUrl}${id}?api-version=2022-04-01`, { headers: bearer(systemToken) });
      const def = parse<{ id: string; name: string; type: string; properties: { roleName: string; type: string; permissions: Array<{ actions: string[] }> } }>(reply);
      assert.deepEqual({ id: def.id, name: def.name, type: def.type, roleName: def.properties.roleName, roleType: def.properties.type, actions: def.properties.permissions[0].actions }, { id, name: BUILT_IN_ROLE_IDS.reader, type: 'Microsoft.Authorization/roleDefinitions', roleName: 'Reader', roleType: 'BuiltInRole', actions: ['*/read'] });
    }
    const missing = await send(`${emu.httpUrl}/subscriptions/${d.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/00000000-0000-4000-8000-000000000000?api-version=2022-04-01`, { headers: bearer(systemToken) });
    assert.equal(missing.status, 404);
    assert.equal(parse<ArmErrorBody>(missing).error.code, 'RoleDefinitionDoesNotExist');
    const base = `${emu.httpUrl}/subscriptions/${d.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions?api-version=2022-04-01`;
    const custom = await listAll<{ properties: { type: string } }>(`${base}&$filter=${encodeURIComponent("type eq 'CustomRole'")}`, systemToken);
    assert.equal(custom.items.length, d.roleDefinitions.filter((r) => r.properties.type === 'CustomRole').length);
    assert.ok(custom.items.every((r) => r.properties.type === 'CustomRole'));
    emu.configure({ pageSize: 5 });
    const all = await listAll<{ name: string }>(base, systemToken);
    assert.equal(all.items.length, d.roleDefinitions.length);
    assert.equal(all.pages.length, Math.ceil(d.roleDefinitions.length / 5));
  });

  it('the VM with its identity block; 403 for an identity that cannot read it', async () => {
    const d = emu.dataset;
    const vmUrl = `${emu.httpUrl}${d.vm.resourceId}?api-version=2024-07-01`;
    const vm = parse<{ id: string; identity: { type: string; principalId: string; tenantId: string; userAssignedIdentities: Record<string, { principalId: string; clientId: string }> } }>(await send(vmUrl, { headers: bearer(systemToken) }));
    assert.equal(vm.id, d.vm.resourceId);
    assert.equal(vm.identity.type, 'SystemAssigned, UserAssigned');
    assert.equal(vm.identity.principalId, d.systemIdentity.principalId);
    assert.equal(vm.identity.tenantId, d.tenantId);
    assert.deepEqual(vm.identity.userAssignedIdentities, Object.fromEntries(d.userAssignedIdentities.map((u) => [u.resourceId, { principalId: u.principalId, clientId: u.clientId }])));
    const roleless = await token(emu, ARM, { client_id: d.userAssignedIdentities[1].clientId });
    assert.equal(parse<ArmErrorBody>(await send(vmUrl, { headers: bearer(roleless) })).error.code, 'AuthorizationFailed');
  });

  it('subscriptions: visible to an identity with a role in it, not to one without', async () => {
    const d = emu.dataset;
    const list = parse<{ value: Array<{ subscriptionId: string; state: string; tenantId: string; displayName: string; id: string }> }>(await send(`${emu.httpUrl}/subscriptions?api-version=2022-12-01`, { headers: bearer(systemToken) }));
    assert.deepEqual(list.value.map((s) => ({ id: s.id, subscriptionId: s.subscriptionId, state: s.state, tenantId: s.tenantId })), [{ id: `/subscriptions/${d.subscriptionId}`, subscriptionId: d.subscriptionId, state: 'Enabled', tenantId: d.tenantId }]);
    const roleless = await token(emu, ARM, { client_id: d.userAssignedIdentities[1].clientId });
    assert.deepEqual(parse<{ value: unknown[] }>(await send(`${emu.httpUrl}/subscriptions?api-version=2022-12-01`, { headers: bearer(roleless) })).value, []);
  });

  it('carries x-ms-request-id and echoes x-ms-correlation-request-id', async () => {
    const reply = await send(assignmentsUrl(emu), { headers: { ...bearer(systemToken), 'x-ms-correlation-request-id': 'corr-1' } });
    assert.match(String(reply.headers['x-ms-request-id']), /^[0-9a-f-]{36}$/);
    assert.equal(reply.headers['x-ms-correlation-request-id'], 'corr-1');
  });

  it('a sovereign cloud accepts only its own ARM audience and reports it in instance metadata', async () => {
    emu.configure({ azEnvironment: 'AzureUSGovernmentCloud' });
    assert.equal(parse<ArmErrorBody>(await send(assignmentsUrl(emu), { headers: bearer(systemToken) })).error.code, 'InvalidAuthenticationTokenAudience');
    const gov = await token(emu, 'https://management.usgovcloudapi.net/');
    assert.equal(claimsOf(gov).aud, 'https://management.usgovcloudapi.net/');
    assert.equal((await send(assignmentsUrl(emu), { headers: bearer(gov) })).status, 200);
    const compute = parse<{ compute: { azEnvironment: string } }>(await imds(emu, '/metadata/instance?api-version=2021-02-01')).compute;
    assert.equal(compute.azEnvironment, 'AzureUSGovernmentCloud');
  });
});

describe('emulator: Graph', function () {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ listen: HTTP_ONLY });
  });
  after(() => emu.close());

  it('the service principal of the system identity, honouring $select', async () => {
    const d = emu.dataset;
    const t = await token(emu, GRAPH);
    const url = `${emu.httpUrl}/v1.0/servicePrincipals/${d.systemIdentity.principalId}?$select=id,appId,displayName,servicePrincipalType,alternativeNames`;
    assert.deepEqual(parse(await send(url, { headers: bearer(t) })), {
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#servicePrincipals(id,appId,displayName,servicePrincipalType,alternativeNames)/$entity',
      id: d.systemIdentity.principalId,
      appId: d.systemIdentity.clientId,
      displayName: d.vm.name,
      servicePrincipalType: 'ManagedIdentity',
      alternativeNames: ['isExplicit=False', d.vm.resourceId],
    });
    const full = parse<Record<string, unknown>>(await send(`${emu.httpUrl}/v1.0/servicePrincipals/${d.userAssignedIdentities[0].principalId}`, { headers: bearer(t) }));
    assert.equal(full['@odata.context'], 'https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity');
    assert.equal(full.displayName, d.userAssignedIdentities[0].name);
  });

  it('403 Authorization_RequestDenied when not readable, 401 for an ARM token, 404 for an unknown id', async () => {
    const d = emu.dataset;
    const url = `${emu.httpUrl}/v1.0/servicePrincipals/${d.systemIdentity.principalId}`;
    const t = await token(emu, GRAPH);
    emu.configure({ graphReadable: false });
    const denied = await send(url, { headers: bearer(t) });
    emu.configure({ graphReadable: true });
    assert.equal(denied.status, 403);
    const body = parse<{ error: { code: string; message: string; innerError: { date: string; 'request-id': string } } }>(denied);
    assert.equal(body.error.code, 'Authorization_RequestDenied');
    assert.equal(body.error.message, 'Insufficient privileges to complete the operation.');
    assert.equal(body.error.innerError['request-id'], denied.headers['request-id']);
    assert.equal((await send(url, { headers: bearer(await token(emu, ARM)) })).status, 401);
    assert.equal((await send(`${emu.httpUrl}/v1.0/servicePrincipals/00000000-0000-4000-8000-000000000000`, { headers: bearer(t) })).status, 404);
  });
});

describe('emulator: fault scripts', function () {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ listen: HTTP_ONLY });
  });
  after(() => emu.close());
  beforeEach(() => {
    emu.clearFaults();
    emu.resetLog();
  });

  const statuses = async (n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await imds(emu, tokenPath({ resource: ARM }))).status);
    return out;
  };

  it('410, 410, then normal', async () => {
    emu.fault('imds-token', [{ status: 410 }, { status: 410 }]);
    assert.deepEqual(await statuses(3), [410, 410, 200]);
  });

  it('count repeats a step; pass answers normally mid-script', async () => {
    emu.fault('imds-token', [{ status: 500, count: 2 }, { kind: 'pass' }, { status: 404 }]);
    assert.deepEqual(await statuses(5), [500, 500, 200, 404, 200]);
  });

  it('forMs keeps a step for a while from its first use', async () => {
    emu.fault('imds-token', [{ status: 410, forMs: 250 }, { status: 503 }]);
    const early = await statuses(3);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual([...early, ...(await statuses(2))], [410, 410, 410, 503, 200]);
  });

  it('a status step with Retry-After and the service\'s own error body', async () => {
    emu.fault('arm-subscriptions', [{ status: 429, retryAfter: 7 }]);
    const reply = await send(`${emu.httpUrl}/subscriptions?api-version=2022-12-01`, { headers: bearer(await token(emu)) });
    assert.equal(reply.status, 429);
    assert.equal(reply.headers['retry-after'], '7');
    assert.equal(parse<ArmErrorBody>(reply).error.code, 'TooManyRequests');
    assert.ok(reply.headers['x-ms-request-id']);
  });

  it('hang: accepted, never answered, until the client gives up', async () => {
    emu.fault('imds-token', [{ kind: 'hang' }]);
    const started = Date.now();
    await assert.rejects(send(`${emu.httpUrl}${tokenPath({ resource: ARM })}`, { headers: { Metadata: 'true' }, timeoutMs: 300 }), /client timeout/);
    assert.ok(Date.now() - started >= 280);
    await new Promise((r) => setTimeout(r, 50));
    const logged = emu.requests.find((r) => r.endpoint === 'imds-token')!;
    assert.equal(logged.status, 0);
    assert.equal((await imds(emu, tokenPath({ resource: ARM }))).status, 200, 'the next request is normal');
  });

  it('reset and truncated fail the client; malformed, huge and html502 answer badly', async () => {
    const steps: FaultStep[] = [{ kind: 'reset' }, { kind: 'truncated' }, { kind: 'malformed' }, { kind: 'huge' }, { kind: 'html502' }];
    emu.fault('imds-token', steps);
    const url = `${emu.httpUrl}${tokenPath({ resource: ARM })}`;
    await assert.rejects(send(url, { headers: { Metadata: 'true' } }), /socket hang up|ECONNRESET/);
    await assert.rejects(send(url, { headers: { Metadata: 'true' } }), /aborted|ECONNRESET|terminated/);
    const malformed = await send(url, { headers: { Metadata: 'true' } });
    assert.equal(malformed.status, 200);
    assert.throws(() => JSON.parse(malformed.text));
    const huge = await send(url, { headers: { Metadata: 'true' } });
    assert.ok(huge.text.length >= 2 * 1024 * 1024 - 1);
    assert.doesNotThrow(() => JSON.parse(huge.text));
    const proxy = await send(url, { headers: { Metadata: 'true' } });
    assert.equal(proxy.status, 502);
    assert.match(String(proxy.headers['content-type']), /^text\/html/);
    assert.match(proxy.text, /<html>/);
  });

  it('rejects unknown endpoints and malformed steps', () => {
    assert.throws(() => emu.fault('nope' as never, []), /unknown fault endpoint/);
    assert.throws(() => emu.fault('imds-token', [{ kind: 'explode' } as never]), /unknown fault kind/);
  });
});

describe('emulator: TLS', function () {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ tls: { hosts: ['emulator.test'] } });
  });
  after(() => emu.close());

  it('serves every path over TLS with a cert the test CA vouches for, for the cloud host names too', async () => {
    const ca = readFileSync(emu.caCertPath!);
    const agent = new https.Agent({ ca });
    const reply = await send(`${emu.httpsUrl}${tokenPath({ resource: ARM })}`, { headers: { Metadata: 'true' }, agent });
    assert.equal(reply.status, 200);
    for (const servername of ['management.azure.com', 'graph.microsoft.us', 'emulator.test']) {
      const r = await send(`${emu.httpsUrl}/subscriptions?api-version=2022-12-01`, { agent: new https.Agent({ ca }), servername, headers: { Host: servername } });
      assert.equal(r.status, 401, servername);
    }
    await assert.rejects(send(`${emu.httpsUrl}/metadata/identity/info?api-version=2018-10-01`, { agent: new https.Agent() }), /self[- ]signed|unable to verify|certificate/i);
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
    send(`${emu.httpUrl}/_emulator/${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

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
    assert.equal(parse<{ roleAssignments: unknown[] }>(await control('GET', 'dataset')).roleAssignments.length, emu.dataset.roleAssignments.length);
  });

  it('logs every request with the bearer decoded but never a token', async () => {
    emu.resetLog();
    const arm = await token(emu);
    const graph = await token(emu, GRAPH);
    await send(assignmentsUrl(emu), { headers: bearer(arm) });
    await send(`${emu.httpUrl}/v1.0/servicePrincipals/${emu.dataset.systemIdentity.principalId}`, { headers: bearer(graph) });
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
    const main = resolve(__dirname, '../emulator/main.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', main, '--listen', '127.0.0.1:0', '--listen', '127.0.0.1:0:tls', '--assignments', '5', '--seed', 'cli', '--state-file', stateFile], { stdio: ['ignore', 'pipe', 'pipe'] });
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
