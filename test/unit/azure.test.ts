/**
 * The ARM/Graph side against the emulator: the assignments listed, the requests it took, paging and its
 * guards, 403 guidance, Graph optionality, sovereign clouds, and where the token may go.
 */
import * as assert from 'node:assert/strict';
import { type Emulator, expectedView, startEmulator } from '../emulator';
import { IdentityService } from '../../src/azure';
import { ManagedIdentityClient } from '../../src/identity';
import { isVmIdentityError } from '../../src/core/errors';
import { FakeClock } from '../support/fakeClock';
import { startRecordingServer } from '../support/recordingProxy';
import { recordCase } from '../support/cases';

import { failure, value } from '../support/parts';

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
