/**
 * The ARM access reader and the data-plane probe over real HTTP against the emulator: every page read,
 * no more than four requests in flight, resources listed per the caller's read permission, typed errors,
 * and the probe's answer from the emulated Key Vault and Blob services.
 */
import * as assert from 'node:assert/strict';
import { type Emulator, startEmulator } from '../../emulator';
import { IdentityService, PROBE_API_VERSIONS, probeTargetOf, runProbe } from '../../../src/azure';
import { limitParallel } from '../../../src/azure/accessReader';
import { isVmIdentityError } from '../../../src/core/errors';
import { ManagedIdentityClient, SYSTEM_ASSIGNED, selectorFrom } from '../../../src/identity';
import { recordCase } from '../../support/cases';

describe('ARM access reader and probes (emulator)', function () {
  this.timeout(20_000);
  let emu: Emulator;
  let service: IdentityService;
  const env = () => ({
    AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl,
    VM_IDENTITY_ARM_ENDPOINT: emu.httpUrl,
    VM_IDENTITY_GRAPH_ENDPOINT: emu.httpUrl,
    VM_IDENTITY_DATA_PLANE_ENDPOINT: emu.httpUrl,
  });
  const personas = async () =>
    (await (await fetch(`${emu.httpUrl}/_emulator/personas`)).json()) as Record<
      string,
      { clientId: string; principalId: string }
    >;
  const contextFor = async (clientId?: string) => {
    const selector = clientId ? selectorFrom('clientId', clientId) : SYSTEM_ASSIGNED;
    const snapshot = await service.snapshot(selector, {});
    return { selector, context: await service.accessContext(snapshot) };
  };

  before(async () => {
    emu = await startEmulator({ listen: [{ host: '127.0.0.1', port: 0 }], pageSize: 50 });
    service = new IdentityService({ identityClient: new ManagedIdentityClient({ env: env() }), env: env() });
  });
  after(() => emu.close());

  it('reads every page of the built-in roles (550 roles, 50 a page)', async () => {
    const { context } = await contextFor();
    emu.resetLog();
    const roles = await context.reader.builtInRoleDefinitions(emu.dataset.scopes.subscription);
    const builtIns = emu.dataset.roleDefinitions.filter((r) => r.properties.type === 'BuiltInRole').length;
    assert.equal(roles.length, builtIns);
    assert.equal(emu.requests.filter((r) => r.endpoint === 'arm-role-definitions').length, Math.ceil(builtIns / 50));
  });

  it('lists the resources each identity may read, per subscription', async () => {
    const { context } = await contextFor();
    const mine = await context.reader.listResources(emu.dataset.subscriptionId);
    assert.ok(mine.some((r) => r.id.toLowerCase() === emu.dataset.scopes.storageAccount.toLowerCase()));
    const shared = await context.reader.listResources(emu.dataset.shared.subscription.split('/').pop()!);
    assert.ok(
      shared.some((r) => r.type === 'Microsoft.Storage/storageAccounts'),
      'Reader on the shared account shows it',
    );
    const { context: none } = await contextFor((await personas()).noAccess.clientId);
    assert.deepEqual(
      await none.reader.listResources(emu.dataset.subscriptionId),
      [],
      'no role: nothing listed (not an error)',
    );
    recordCase({
      area: 'access',
      name: 'resource picker lists per read permission',
      expected: 'full identity sees its resources; no-role identity sees none',
      observed: `${mine.length} / 0`,
      pass: true,
    });
  });

  it('a failed read is a typed error; the verdict lists it as unread instead of guessing', async () => {
    const { context } = await contextFor((await personas()).noAccess.clientId);
    await assert.rejects(context.reader.roleAssignmentsAt(emu.dataset.scopes.vm, context.principalId), (e) =>
      isVmIdentityError(e, 'authorizationFailed'),
    );
  });

  it('never runs more than the limit at once', async () => {
    const run = limitParallel(4);
    let now = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        run(async () => {
          peak = Math.max(peak, ++now);
          await new Promise((r) => setTimeout(r, 5));
          now--;
        }),
      ),
    );
    assert.equal(peak, 4);
  });

  it('probes Key Vault on access policies (listed) and Blob for an identity without a role (403 with the reason)', async () => {
    const { context, selector } = await contextFor();
    const vault = emu.dataset.shared.keyVault;
    const target = probeTargetOf(vault, await context.reader.getResource(vault, PROBE_API_VERSIONS.keyVaultSecrets));
    assert.equal(target?.kind, 'keyVaultSecrets');
    const answer = await runProbe(service.probeDeps(), selector, target!.kind, target!.endpoint);
    assert.equal(answer, 'Key Vault answered 200: listed 2 secrets (names not shown).');

    // List Containers needs blobServices/containers/read (a control action Reader's */read covers), so the
    // identity with no role at all is the one Blob storage refuses.
    const account = emu.dataset.scopes.storageAccount;
    const blob = probeTargetOf(account, await context.reader.getResource(account, PROBE_API_VERSIONS.blobContainers));
    assert.equal(blob?.kind, 'blobContainers');
    const none = selectorFrom('clientId', (await personas()).noAccess.clientId);
    const refused = await runProbe(service.probeDeps(), none, blob!.kind, blob!.endpoint);
    assert.match(refused, /^Blob storage answered 403 AuthorizationPermissionMismatch/);
    const sent = emu.requests.filter((r) => r.service === 'dataplane');
    assert.ok(
      sent.every((r) => r.method === 'GET'),
      'read-only',
    );
    recordCase({
      area: 'access',
      name: 'data-plane probe',
      expected: 'Key Vault 200 (access policy), Blob 403 without a role',
      observed: `${answer} / ${refused}`,
      pass: true,
    });
  });
});
