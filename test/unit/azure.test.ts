/**
 * The ARM/Graph side against the emulator: the assignments listed, the requests it took, paging and its
 * guards, 403 guidance, Graph optionality, sovereign clouds, and where the token may go.
 */
import * as assert from 'node:assert/strict';
import { type Emulator, expectedView, startEmulator } from '../emulator';
import { IdentityService, type Part, type RoleAssignmentDetail, type RolesView } from '../../src/azure';
import { ManagedIdentityClient } from '../../src/identity';
import { isVmIdentityError } from '../../src/core/errors';
import { FakeClock } from '../support/fakeClock';
import { startRecordingServer } from '../support/recordingProxy';
import { recordCase } from '../support/cases';

function expectedFor(emu: Emulator, principalId: string) {
  const roleName = new Map(emu.dataset.roleDefinitions.map((d) => [d.name.toLowerCase(), d.properties.roleName]));
  return expectedView(emu.dataset, principalId)
    .subscriptions.flatMap((s) => s.assignments)
    .filter((a, i, all) => all.findIndex((b) => b.id === a.id) === i)
    .map((a) => ({
      id: a.id,
      roleName: roleName.get(a.roleDefinitionId.split('/').pop()!.toLowerCase()),
      scope: a.scope,
      via:
        a.principalId !== principalId
          ? 'group'
          : a.scope.startsWith('/providers/Microsoft.Management/')
            ? 'inherited'
            : 'direct',
    }))
    .sort((x, y) => x.id.localeCompare(y.id));
}
/** The value of a part that must be ok; the error of one that must have failed. */
function value<T>(part: Part<T>): T {
  assert.equal(
    part.status,
    'ok',
    part.status === 'failed' ? part.error.message : part.status === 'skipped' ? part.reason : '',
  );
  return (part as { value: T }).value;
}
/** The roles' error: the whole part's, else the first subscription's (one faulted list leaves the others readable). */
function failure(part: Part<RolesView> | Part<unknown>) {
  if (part.status === 'failed') return part.error;
  const v = part.status === 'ok' ? (part.value as Partial<RolesView>) : undefined;
  return v?.subscriptions?.find((s) => s.error)?.error;
}

const essentials = (roles: RoleAssignmentDetail[]) =>
  roles
    .map((r) => ({ id: r.id, roleName: r.roleName, scope: r.scope, via: r.via }))
    .sort((x, y) => x.id.localeCompare(y.id));

for (const size of [12, 2000]) {
  describe(`role assignments with ${size} assignments`, function () {
    let emu: Emulator;
    before(async () => {
      emu = await startEmulator({
        dataset: { assignments: size },
        listen: [{ host: '127.0.0.1', port: 0 }],
        pageSize: 100,
      });
    });
    after(() => emu.close());

    const service = () =>
      new IdentityService({
        identityClient: new ManagedIdentityClient({
          env: { AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl },
          clock: new FakeClock(),
        }),
        env: {
          AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl,
          VM_IDENTITY_ARM_ENDPOINT: emu.httpUrl,
          VM_IDENTITY_GRAPH_ENDPOINT: emu.httpUrl,
        },
        clock: new FakeClock(),
      });

    it('lists exactly the expected assignments with role names, scopes and via', async () => {
      emu.resetLog();
      const s = await service().snapshot(undefined, { roles: true });
      const expected = expectedFor(emu, emu.dataset.systemIdentity.principalId);
      assert.equal(expected.length >= size, true, 'the dataset has the assignments asked for');
      const roles = value(s.roles).assignments;
      assert.deepEqual(essentials(roles), expected);
      assert.ok(
        roles.every((r) => r.roleName && !/^[0-9a-f-]{36}$/.test(r.roleName)),
        'every role has a name',
      );
      assert.ok(new Set(roles.map((r) => r.via)).size === 3, 'direct, group and inherited all present');
    });

    it('takes one request per page in each subscription and reads each distinct role definition once, never the catalog', async () => {
      emu.resetLog();
      const s = await service().snapshot(undefined, { roles: true });
      const count = (e: string) => emu.requests.filter((r) => r.endpoint === e).length;
      const subs = expectedView(emu.dataset, emu.dataset.systemIdentity.principalId).subscriptions;
      const pages = subs.reduce((n, sub) => n + Math.max(1, Math.ceil(sub.assignments.length / 100)), 0);
      assert.equal(count('arm-role-assignments'), pages);
      assert.equal(s.stats.rolePages, pages);
      assert.equal(count('arm-subscriptions'), 1);
      assert.equal(count('arm-role-definitions'), 0, 'never the role catalog (1–2 MB on real ARM)');
      const distinctRoles = new Set(
        value(s.roles).assignments.map((r) => r.roleDefinitionId.split('/').pop()!.toLowerCase()),
      ).size;
      assert.equal(count('arm-role-definition'), distinctRoles, 'one GET per distinct role definition');
      assert.equal(count('imds-token'), 1);
      assert.equal(count('imds-instance'), 1);
      for (const r of emu.requests.filter((x) => x.service === 'arm')) {
        assert.equal(r.bearer?.aud, 'https://management.azure.com/');
        assert.equal(r.headers.authorization, 'Bearer <redacted>');
      }
    });
  });
}

describe('the ARM client: guards, errors and clouds', function () {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ dataset: { assignments: 12 }, listen: [{ host: '127.0.0.1', port: 0 }] });
  });
  after(() => emu.close());
  beforeEach(() => {
    emu.clearFaults();
    emu.resetLog();
    emu.configure({
      systemAssigned: true,
      azEnvironment: 'AzurePublicCloud',
      graphReadable: true,
      armReadable: { [emu.dataset.systemIdentity.principalId]: true },
    });
  });

  const service = (env: NodeJS.ProcessEnv = {}) => {
    const full = {
      AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl,
      VM_IDENTITY_ARM_ENDPOINT: emu.httpUrl,
      VM_IDENTITY_GRAPH_ENDPOINT: emu.httpUrl,
      ...env,
    };
    return new IdentityService({
      identityClient: new ManagedIdentityClient({ env: full, clock: new FakeClock() }),
      env: full,
      clock: new FakeClock(),
    });
  };

  it('refuses a nextLink to another host, without sending it the token', async () => {
    const evil = await startRecordingServer();
    try {
      emu.fault('arm-role-assignments', [
        { status: 200, body: { value: [], nextLink: `${evil.url}/steal?x=1` } },
      ] as never);
      const s = await service().snapshot(undefined, { roles: true });
      assert.ok(isVmIdentityError(failure(s.roles)!, 'unsafeEndpoint'), String(failure(s.roles)!));
      assert.deepEqual(evil.requests, []);
      recordCase({
        area: 'attack',
        name: 'nextLink to another host',
        expected: 'refused, no token sent',
        observed: `${failure(s.roles)!.message}; other host received ${evil.requests.length} requests`,
        pass: true,
      });
    } finally {
      await evil.close();
    }
  });

  it('never follows a redirect with the token', async () => {
    const evil = await startRecordingServer();
    try {
      emu.fault('arm-role-assignments', [
        { status: 302, headers: { location: `${evil.url}/steal` }, body: '' },
      ] as never);
      const s = await service().snapshot(undefined, { roles: true });
      assert.ok(isVmIdentityError(failure(s.roles)!, 'serviceError'), String(failure(s.roles)!));
      assert.match(failure(s.roles)!.message, /302/);
      assert.deepEqual(evil.requests, []);
      recordCase({
        area: 'attack',
        name: 'ARM answers 302 to another host',
        expected: 'not followed, token stays',
        observed: `${failure(s.roles)!.message}; other host received ${evil.requests.length} requests`,
        pass: true,
      });
    } finally {
      await evil.close();
    }
  });

  it('a role definition id or VM resource id naming another host gets no token', async () => {
    const evil = await startRecordingServer();
    try {
      const d = emu.dataset;
      const evilId = `//${new URL(evil.url).host}/providers/Microsoft.Authorization/roleDefinitions/00000000-0000-0000-0000-00000000beef`;
      emu.fault('arm-role-assignments', [
        {
          status: 200,
          body: {
            value: [
              {
                id: `/subscriptions/${d.subscriptionId}/providers/Microsoft.Authorization/roleAssignments/a1`,
                name: 'a1',
                properties: {
                  scope: `/subscriptions/${d.subscriptionId}`,
                  roleDefinitionId: evilId,
                  principalId: d.systemIdentity.principalId,
                  principalType: 'ServicePrincipal',
                },
              },
            ],
          },
        },
      ] as never);
      emu.fault('imds-instance', [
        {
          status: 200,
          body: {
            compute: {
              name: d.vm.name,
              resourceGroupName: d.resourceGroupName,
              subscriptionId: d.subscriptionId,
              location: 'x',
              azEnvironment: 'AzurePublicCloud',
              resourceId: `//${new URL(evil.url).host}/steal`,
            },
          },
        },
      ] as never);
      const s = await service().snapshot(undefined, { roles: true, vmIdentityBlock: true });
      const a1 = value(s.roles).assignments.find((a) => a.id.endsWith('/a1'));
      assert.equal(a1?.roleName, '00000000-0000-0000-0000-00000000beef', 'unnamed, not fetched from the other host');
      assert.ok(isVmIdentityError(failure(s.vmIdentityBlock)!, 'unsafeEndpoint'), String(failure(s.vmIdentityBlock)!));
      assert.deepEqual(evil.requests, []);
      recordCase({
        area: 'attack',
        name: 'role definition id / VM resource id pointing at another host',
        expected: 'refused before sending',
        observed: `${failure(s.vmIdentityBlock)!.message}; other host received ${evil.requests.length} requests`,
        pass: true,
      });
    } finally {
      await evil.close();
    }
  });

  it('an unknown or hostile azEnvironment is an error naming it, pointing to vmIdentity.cloud; nothing sent to it', async () => {
    emu.configure({ azEnvironment: 'AzurePublicCloud' });
    emu.fault('imds-instance', [
      {
        status: 200,
        body: {
          compute: {
            name: 'vm',
            subscriptionId: emu.dataset.subscriptionId,
            resourceGroupName: 'rg',
            azEnvironment: 'https://evil.example/',
          },
        },
      },
    ] as never);
    emu.resetLog();
    const e = await service({ VM_IDENTITY_ARM_ENDPOINT: '', VM_IDENTITY_GRAPH_ENDPOINT: '' })
      .snapshot(undefined, { roles: true })
      .then(
        () => undefined,
        (x: unknown) => x,
      );
    assert.ok(isVmIdentityError(e, 'unknownCloud'), String(e));
    assert.match(e.message, /"https:\/\/evil\.example\/", which VM Identity does not know/);
    assert.match(e.fix, /vmIdentity\.cloud/);
    assert.deepEqual(
      emu.requests.filter((r) => r.service === 'arm'),
      [],
    );
    recordCase({
      area: 'attack',
      name: 'instance metadata names an unknown cloud',
      expected: 'an error naming it, nothing sent to ARM',
      observed: e.message,
      pass: true,
    });
  });

  it('stops a nextLink loop', async () => {
    const self = `${emu.httpUrl}/subscriptions/${emu.dataset.subscriptionId}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$skiptoken=loop`;
    emu.fault('arm-role-assignments', [{ status: 200, body: { value: [], nextLink: self }, count: 5 }] as never);
    const s = await service().snapshot(undefined, { roles: true });
    assert.ok(isVmIdentityError(failure(s.roles)!, 'malformedResponse'));
    // Each subscription's list stops when a nextLink comes back a second time.
    const subs = expectedView(emu.dataset, emu.dataset.systemIdentity.principalId).subscriptions.length;
    assert.ok(emu.requests.filter((r) => r.endpoint === 'arm-role-assignments').length <= 2 * subs);
  });

  it('every list refused → the error names the subscription and the grant there, with its IAM link', async () => {
    emu.configure({ armReadable: { [emu.dataset.systemIdentity.principalId]: false } });
    const s = await service().snapshot(undefined, { roles: true });
    const e = failure(s.roles)!;
    assert.ok(isVmIdentityError(e, 'authorizationFailed'));
    assert.equal(e.azureCode, 'AuthorizationFailed');
    assert.match(
      e.fix,
      new RegExp(
        `Reader, or Microsoft\\.Authorization/roleAssignments/read, at the subscription /subscriptions/${emu.dataset.subscriptionId}`,
      ),
    );
    assert.doesNotMatch(e.fix, /VM scope or higher/);
    assert.equal(
      e.link,
      `https://portal.azure.com/#@${emu.dataset.tenantId}/resource/subscriptions/${emu.dataset.subscriptionId}/users`,
    );
    assert.equal(e.remedy, 'grantReader');
    assert.equal(s.identity.principalId, emu.dataset.systemIdentity.principalId, 'who the identity is still shows');
  });

  it('a Graph 403 hides the display name and nothing else', async () => {
    emu.configure({ graphReadable: false });
    const s = await service().snapshot(undefined, { roles: true, displayName: true });
    assert.equal(s.displayName.status, 'failed');
    assert.ok(value(s.roles).assignments.length > 0);
    emu.configure({ graphReadable: true });
    const t = await service().snapshot(undefined, { displayName: true });
    assert.equal(value(t.displayName), emu.dataset.vm.name);
    const graph = emu.requests.filter((r) => r.service === 'graph').at(-1)!;
    assert.equal(graph.bearer?.aud, 'https://graph.microsoft.com/');
  });

  it('ARM 429 with Retry-After is retried; 5xx is retried then reported', async () => {
    emu.fault('arm-role-assignments', [{ status: 429, retryAfter: 1 }] as never);
    const ok = await service().snapshot(undefined, { roles: true });
    assert.ok(value(ok.roles).subscriptions.every((x) => !x.error));
    const subs = value(ok.roles).subscriptions.length;
    assert.equal(emu.requests.filter((r) => r.endpoint === 'arm-role-assignments').length, subs + 1);
    emu.resetLog();
    emu.fault('arm-role-assignments', [{ status: 503, count: 4 * subs }] as never);
    const bad = await service().snapshot(undefined, { roles: true });
    assert.equal(bad.roles.status, 'failed', 'no subscription readable');
    assert.ok(isVmIdentityError(failure(bad.roles)!, 'serviceError'));
    assert.equal(emu.requests.filter((r) => r.endpoint === 'arm-role-assignments').length, 4 * subs);
  });

  it('a sovereign cloud: token for its ARM audience, portal links to its portal', async () => {
    emu.configure({ azEnvironment: 'AzureUSGovernmentCloud' });
    const s = await service().snapshot(undefined, { roles: true });
    assert.equal(s.cloud.name, 'AzureUSGovernmentCloud');
    assert.equal(s.identity.token.resource, 'https://management.usgovcloudapi.net/');
    assert.ok(
      emu.requests
        .filter((r) => r.service === 'arm')
        .every((r) => r.bearer?.aud === 'https://management.usgovcloudapi.net/'),
    );
    assert.match(s.links.accessControl!, /^https:\/\/portal\.azure\.us\//);
    assert.equal(s.endpoints.arm, emu.httpUrl, 'the override still applies');
  });

  it('a sovereign cloud where the guessed (public) audience is refused still signs in', async () => {
    emu.configure({ azEnvironment: 'AzureUSGovernmentCloud' });
    emu.fault('imds-token', [
      {
        status: 400,
        body: { error: 'invalid_resource', error_description: 'AADSTS500011: resource principal not found' },
      },
    ] as never);
    const s = await service().snapshot(undefined, { roles: true });
    assert.equal(s.identity.token.resource, 'https://management.usgovcloudapi.net/');
    assert.ok(value(s.roles).assignments.length > 0);
    assert.deepEqual(
      emu.requests.filter((r) => r.endpoint === 'imds-token').map((r) => [r.query.resource, r.status]),
      [
        ['https://management.azure.com/', 400],
        ['https://management.usgovcloudapi.net/', 200],
      ],
    );
  });

  it("without an override, ARM is the cloud's own https host", async () => {
    const s = await service({ VM_IDENTITY_ARM_ENDPOINT: '', VM_IDENTITY_GRAPH_ENDPOINT: '' }).snapshot(undefined, {});
    assert.equal(s.endpoints.arm, 'https://management.azure.com');
    assert.equal(s.endpoints.graph, 'https://graph.microsoft.com');
  });

  it('refuses a plain-http override to a non-loopback host before sending anything', async () => {
    await assert.rejects(
      service({ VM_IDENTITY_ARM_ENDPOINT: 'http://192.0.2.1' }).snapshot(undefined, { roles: true }),
      (e: unknown) => isVmIdentityError(e, 'usage') && /in the clear/.test(e.message),
    );
  });

  it('reads the VM identity block (user-assigned identities) when allowed', async () => {
    const s = await service().snapshot(undefined, { vmIdentityBlock: true });
    const ids = value(s.vmIdentityBlock)
      .userAssignedIdentities.map((u) => u.clientId)
      .sort();
    assert.deepEqual(ids, emu.dataset.userAssignedIdentities.map((u) => u.clientId).sort());
  });

  it("identity off: the error links to this VM's Identity page", async () => {
    const full = { AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl };
    emu.configure({ systemAssigned: false });
    emu.fault('imds-token', [
      { status: 400, body: { error: 'invalid_request', error_description: 'Identity not found' } },
    ] as never);
    const svc = new IdentityService({
      identityClient: new ManagedIdentityClient({ env: full, clock: new FakeClock() }),
      env: full,
    });
    await assert.rejects(
      svc.snapshot(),
      (e: unknown) =>
        isVmIdentityError(e, 'identityNotFound') &&
        e.link === `https://portal.azure.com/#/resource${emu.dataset.vm.resourceId}/identity`,
    );
  });

  it("the critical path: token ‖ metadata, then the VM subscription's assignments ‖ GET /subscriptions", async () => {
    emu.configure({ latencyMs: { imds: 150, arm: 150, graph: 0 } });
    try {
      await service().snapshot(undefined, { roles: true });
    } finally {
      emu.configure({ latencyMs: { imds: 0, arm: 0, graph: 0 } });
    }
    const find = (e: string) => emu.requests.find((r) => r.endpoint === e)!;
    const overlap = (a: string, b: string) => {
      const [x, y] = [find(a), find(b)];
      const [xs, ys] = [Date.parse(x.time), Date.parse(y.time)];
      return xs < ys + y.ms && ys < xs + x.ms;
    };
    assert.ok(overlap('imds-token', 'imds-instance'), 'token and metadata are asked for together');
    assert.ok(
      overlap('arm-role-assignments', 'arm-subscriptions'),
      'the known subscription is listed while the subscriptions are',
    );
    assert.ok(
      Date.parse(find('arm-role-assignments').time) >= Date.parse(find('imds-token').time) + find('imds-token').ms - 5,
      'ARM waits for the token',
    );
  });
});
