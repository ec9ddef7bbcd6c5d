/**
 * The CLI end to end: the bundled dist/cli.js spawned as a user would run it, against the emulator
 * (IMDS over http, ARM/Graph over TLS trusted through NODE_EXTRA_CA_CERTS), asserting output and exit codes.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Emulator, expectedView, personas } from '../emulator';
import { recordCase } from '../support/cases';
import { closedPort, startRecordingProxy } from '../support/recordingProxy';
import { CLI, type CliRun } from '../support/spawnCli';
import { cli, cliEnvFor, expectedAssignments, startCliEmulator } from '../support/cliRun';

type Run = CliRun;

describe('CLI (spawned)', function () {
  let emu: Emulator;
  let env: NodeJS.ProcessEnv;

  before(async function () {
    if (!fs.existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
    emu = await startCliEmulator({ assignments: 12 });
    env = cliEnvFor(emu);
  });
  after(() => emu.close());
  beforeEach(() => {
    emu.clearFaults();
    emu.resetLog();
    emu.configure({ systemAssigned: true, armReadable: { [emu.dataset.systemIdentity.principalId]: true } });
  });

  const noSecrets = (run: Run) => {
    for (const t of emu.issuedTokens) {
      assert.ok(!run.stdout.includes(t) && !run.stderr.includes(t), 'no token in the output');
    }
    assert.ok(!/\n\s+at .+:\d+:\d+/.test(run.stderr), `no stack trace: ${run.stderr}`);
  };

  it('whoami --json: the principal, client, tenant and VM, never the token', async () => {
    const run = await cli(['whoami', '--json'], env);
    assert.equal(run.code, 0, run.stderr);
    noSecrets(run);
    const j = JSON.parse(run.stdout);
    const d = emu.dataset;
    assert.deepEqual(
      Object.keys(j).sort(),
      [
        'clientId',
        'displayName',
        'identityResourceId',
        'identityType',
        'principalId',
        'source',
        'tenantId',
        'token',
        'vm',
      ].sort(),
    );
    assert.equal(j.principalId, d.systemIdentity.principalId);
    assert.equal(j.clientId, d.systemIdentity.clientId);
    assert.equal(j.tenantId, d.tenantId);
    assert.equal(j.identityType, 'SystemAssigned');
    assert.equal(j.displayName, d.vm.name);
    assert.equal(j.source, 'imds');
    assert.deepEqual(j.vm, {
      name: d.vm.name,
      resourceGroup: d.resourceGroupName,
      subscriptionId: d.subscriptionId,
      location: d.vm.location,
      resourceId: d.vm.resourceId,
      cloud: 'AzurePublicCloud',
    });
    assert.equal(j.token.resource, 'https://management.azure.com/');
    assert.ok(Date.parse(j.token.expiresOn) > Date.now());
    assert.ok(
      emu.requests.some((r) => r.service === 'graph' && r.listener === emu.httpsUrl),
      'Graph over TLS',
    );
  });

  it('roles --json: exactly the expected assignments, sorted by scope then role name', async () => {
    const run = await cli(['roles', '--json'], env);
    assert.equal(run.code, 0, run.stderr);
    noSecrets(run);
    const items = JSON.parse(run.stdout) as Array<Record<string, unknown>>;
    const got = items.filter((i) => !i.deny).map(({ subscriptionId: _s, ...rest }) => rest);
    const me = emu.dataset.systemIdentity.principalId;
    const defs = new Map(emu.dataset.roleDefinitions.map((d) => [d.name.toLowerCase(), d.properties]));
    const expected = expectedAssignments(emu, me).map((a) => {
      const def = defs.get(a.roleDefinitionId.split('/').pop()!.toLowerCase())!;
      return {
        id: a.id,
        roleName: def.roleName,
        roleType: def.type,
        roleDefinitionId: a.roleDefinitionId,
        scope: a.scope,
        principalId: a.principalId,
        principalType: a.principalType,
        via: a.principalId !== me ? 'group' : a.scope.startsWith('/providers/') ? 'inherited' : 'direct',
        condition: a.condition,
      };
    });
    assert.deepEqual(
      [...got].sort((x, y) => String(x.id).localeCompare(String(y.id))),
      expected.sort((x, y) => x.id.localeCompare(y.id)),
    );
    const order = got.map((r) => `${String(r.scope).toLowerCase()}\u0000${r.roleName}`);
    assert.deepEqual(
      order,
      [...order].sort(
        (a, b) =>
          a.split('\u0000')[0].localeCompare(b.split('\u0000')[0]) ||
          a.split('\u0000')[1].localeCompare(b.split('\u0000')[1]),
      ),
    );
    assert.ok(
      emu.requests.filter((r) => r.service === 'arm').every((r) => r.listener === emu.httpsUrl),
      'ARM over TLS only',
    );
  });

  it('roles: a compact aligned table', async () => {
    const run = await cli(['roles'], env);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^ROLE\s+VIA\s+SCOPE\s+SUBSCRIPTION/);
    const view = expectedView(emu.dataset, emu.dataset.systemIdentity.principalId);
    const denies = new Set(view.subscriptions.flatMap((x) => x.denyAssignments.map((d) => d.id))).size;
    assert.equal(lines.length, 1 + expectedAssignments(emu, emu.dataset.systemIdentity.principalId).length + denies);
    const viaCol = lines[0].indexOf('VIA');
    assert.ok(
      lines.slice(1).every((l) => /^(direct|via group|inherited|deny)/.test(l.slice(viaCol))),
      'columns aligned',
    );
    assert.equal(lines.filter((l) => l.startsWith('DENY ')).length, denies, 'deny assignments marked');
    for (const sub of view.subscriptions) assert.ok(run.stdout.includes(sub.displayName), `names ${sub.displayName}`);
  });

  it('--client-id selects a user-assigned identity', async () => {
    const u = emu.dataset.userAssignedIdentities[0];
    const run = await cli(['whoami', '--json', '--client-id', u.clientId], env);
    assert.equal(run.code, 0, run.stderr);
    const j = JSON.parse(run.stdout);
    assert.equal(j.principalId, u.principalId);
    assert.equal(j.identityType, 'UserAssigned');
    assert.equal(j.identityResourceId.toLowerCase(), u.resourceId.toLowerCase());
  });

  it('exit 3 when no identity endpoint answers, with the fix and no stack trace', async () => {
    const port = await closedPort();
    const run = await cli(['whoami'], { ...env, AZURE_POD_IDENTITY_AUTHORITY_HOST: `http://127.0.0.1:${port}` });
    assert.equal(run.code, 3);
    assert.match(run.stderr, /does not answer/);
    assert.match(run.stderr, /Fix: .*System assigned to On/);
    assert.equal(run.stdout, '');
    noSecrets(run);
  });

  it('exit 3 and a hint to pick one when several user-assigned identities exist', async () => {
    emu.configure({ systemAssigned: false });
    const run = await cli(['whoami'], env);
    assert.equal(run.code, 3);
    assert.match(run.stderr, /--client-id, --object-id or --resource-id/);
  });

  it('exit 4 only when nothing is readable, naming the refused subscription and the grant there', async () => {
    const me = personas(emu.dataset).noAccess!;
    const run = await cli(['roles', '--client-id', me.clientId], env);
    assert.equal(run.code, 4, run.stderr);
    const sub = `/subscriptions/${emu.dataset.subscriptionId}`;
    assert.ok(run.stderr.includes(`may not read role assignments at ${sub} `), run.stderr);
    assert.ok(
      run.stderr.includes(`Reader, or Microsoft.Authorization/roleAssignments/read, at the subscription ${sub}`),
      run.stderr,
    );
    assert.doesNotMatch(run.stderr, /VM scope or higher/);
    assert.ok(run.stderr.includes(`See: https://portal.azure.com/#@${emu.dataset.tenantId}/resource${sub}/users`));
    assert.equal(run.stdout, '');
    noSecrets(run);
    recordCase({
      area: 'cli',
      name: 'roles: nothing readable',
      expected: 'exit 4, fix names the subscription',
      observed: `exit ${run.code}: ${run.stderr.trim().split('\n')[0]}`,
      pass: true,
    });
  });

  it('least privilege: exit 0 with the partial list, the note on stderr', async () => {
    const me = personas(emu.dataset).leastPrivilege!;
    const vmView = expectedView(emu.dataset, me.principalId).subscriptions.find((x) => x.isVmSubscription)!;
    const run = await cli(['roles', '--json', '--client-id', me.clientId], env);
    assert.equal(run.code, 0, run.stderr);
    const got = (JSON.parse(run.stdout) as Array<{ id: string; deny?: boolean }>).filter((i) => !i.deny);
    assert.deepEqual(got.map((i) => i.id).sort(), vmView.assignments.map((a) => a.id).sort());
    assert.ok(run.stderr.includes(`Partial view: read at the resource group ${vmView.readFrom}`), run.stderr);
    assert.ok(
      run.stderr.includes(
        `Reader, or Microsoft.Authorization/roleAssignments/read, at the subscription /subscriptions/${emu.dataset.subscriptionId}`,
      ),
    );
    assert.match(run.stderr, /See: https:\/\/portal\.azure\.com\/.*\/resource\/subscriptions\/[^/]+\/users/);
    recordCase({
      area: 'cli',
      name: 'roles: Reader on the resource group only',
      expected: 'exit 0, partial list, note on stderr',
      observed: `exit ${run.code}, ${got.length} assignments; ${run.stderr.trim().split('\n')[0]}`,
      pass: true,
    });
  });

  it('deny assignments are items marked deny, with what they deny', async () => {
    const run = await cli(['roles', '--json'], env);
    const items = JSON.parse(run.stdout) as Array<{
      id: string;
      deny?: boolean;
      denied?: { actions: string[]; dataActions: string[] };
      subscriptionId?: string;
    }>;
    const wanted = new Set(
      expectedView(emu.dataset, emu.dataset.systemIdentity.principalId).subscriptions.flatMap((x) =>
        x.denyAssignments.map((d) => d.id),
      ),
    );
    const denies = items.filter((i) => i.deny === true);
    assert.deepEqual(denies.map((d) => d.id).sort(), [...wanted].sort());
    assert.ok(denies.every((d) => d.denied!.actions.length + d.denied!.dataActions.length > 0 && d.subscriptionId));
  });

  it('--subscription narrows by id; the same item shape', async () => {
    const second = expectedView(emu.dataset, emu.dataset.systemIdentity.principalId).subscriptions[1];
    const run = await cli(['roles', '--json', '--subscription', second.subscriptionId], env);
    assert.equal(run.code, 0, run.stderr);
    const items = (JSON.parse(run.stdout) as Array<{ id: string; subscriptionId: string; deny?: boolean }>).filter(
      (i) => !i.deny,
    );
    assert.deepEqual(items.map((i) => i.id).sort(), second.assignments.map((a) => a.id).sort());
    assert.ok(items.every((i) => i.subscriptionId === second.subscriptionId));
    const bad = await cli(['roles', '--subscription', 'nope'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /No subscription "nope"/);
  });

  it('role names come from the cache: a second run reads no built-in role definition', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmid-cli-warm-'));
    try {
      const first = await cli(['roles', '--json'], { ...env, XDG_CACHE_HOME: dir });
      assert.equal(first.code, 0, first.stderr);
      const cold = emu.requests.filter((r) => r.endpoint === 'arm-role-definition').length;
      assert.ok(cold > 0);
      assert.ok(fs.existsSync(path.join(dir, 'vm-identity', 'role-names.json')));
      emu.resetLog();
      const second = await cli(['roles', '--json'], { ...env, XDG_CACHE_HOME: dir });
      assert.equal(second.code, 0, second.stderr);
      const items = JSON.parse(second.stdout) as Array<{ roleType: string; roleDefinitionId: string }>;
      const custom = new Set(
        items.filter((i) => i.roleType === 'CustomRole').map((i) => i.roleDefinitionId.split('/').pop()),
      );
      const warm = emu.requests.filter((r) => r.endpoint === 'arm-role-definition').length;
      assert.equal(warm, custom.size, 'only custom roles are read again');
      assert.equal(emu.requests.filter((r) => r.endpoint === 'arm-role-definitions').length, 0);
      assert.equal(second.stdout, first.stdout, 'the same names');
      recordCase({
        area: 'cli',
        name: 'roles: role names from the cache (two runs)',
        expected: 'no built-in role definition read on the second run',
        observed: `cold ${cold} reads, warm ${warm} (custom roles ${custom.size})`,
        pass: true,
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  const usage: Array<[string, string[], RegExp]> = [
    ['no command', [], /No command given/],
    ['an unknown command', ['whois'], /Unknown command "whois"/],
    [
      'two identity options',
      [
        'whoami',
        '--client-id',
        '00000000-0000-0000-0000-000000000000',
        '--object-id',
        '00000000-0000-0000-0000-000000000000',
      ],
      /only one of/,
    ],
    ['a client id that is not a GUID', ['whoami', '--client-id', 'abc'], /not a GUID/],
    ['token without --resource', ['token'], /--resource/],
    ['an unknown option', ['whoami', '--frobnicate'], /frobnicate/],
    ['a bad timeout', ['whoami', '--timeout', '-1'], /--timeout/],
  ];
  for (const [name, args, message] of usage) {
    it(`exit 2 for ${name}`, async () => {
      const run = await cli(args, env);
      assert.equal(run.code, 2);
      assert.match(run.stderr, message);
      assert.match(run.stderr, /Usage: vm-identity/);
      assert.equal(emu.requests.length, 0, 'nothing sent');
    });
  }

  it('token --resource prints a token only when explicitly asked', async () => {
    const run = await cli(['token', '--resource', 'https://vault.azure.net'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(emu.issuedTokens.includes(run.stdout.trim()));
    assert.deepEqual(
      emu.requests.map((r) => r.query.resource),
      ['https://vault.azure.net'],
    );
  });

  it('--verbose logs one line per request with no token or Authorization value', async () => {
    const run = await cli(['roles', '--verbose'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /GET 127\.0\.0\.1:\d+\/subscriptions\/.*roleAssignments 200 \d+ ms/);
    assert.match(run.stderr, /GET 127\.0\.0\.1:\d+\/metadata\/identity\/oauth2\/token 200 \d+ ms/);
    assert.match(run.stderr, /GET 127\.0\.0\.1:\d+\/metadata\/instance 200 \d+ ms/);
    noSecrets(run);
    assert.ok(!/Bearer\s+ey/.test(run.stderr));
  });

  it('proxies: the identity endpoint is reached directly, ARM and Graph go through HTTPS_PROXY', async () => {
    const proxy = await startRecordingProxy();
    try {
      const run = await cli(['whoami', '--json'], {
        ...env,
        HTTPS_PROXY: proxy.url,
        HTTP_PROXY: proxy.url,
        https_proxy: proxy.url,
        http_proxy: proxy.url,
      });
      assert.equal(run.code, 0, run.stderr);
      const imdsHost = new URL(emu.httpUrl).host;
      const armHost = new URL(emu.httpsUrl).host;
      assert.ok(
        !proxy.records.some((r) => r.target.includes(imdsHost)),
        `identity requests through the proxy: ${JSON.stringify(proxy.records)}`,
      );
      assert.ok(
        proxy.records.some((r) => r.method === 'CONNECT' && r.target === armHost),
        'ARM/Graph through the proxy',
      );
      assert.ok(
        emu.requests.some((r) => r.endpoint === 'imds-token'),
        'IMDS still answered',
      );
      // NO_PROXY turns the proxy off for ARM.
      proxy.records.length = 0;
      const direct = await cli(['whoami', '--json'], { ...env, HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1' });
      assert.equal(direct.code, 0, direct.stderr);
      assert.deepEqual(proxy.records, []);
    } finally {
      await proxy.close();
    }
  });
});
