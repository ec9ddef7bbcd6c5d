/**
 * The authentication provider's logic without VS Code: scope → resource, session ids, accounts, change events,
 * over the real session, core and emulator (tokens the emulator issued, for the audience asked).
 */
import * as assert from 'node:assert/strict';
import { jwtDecode } from 'jwt-decode';
import { AuthSessionRegistry } from '../../../src/agents/authRegistry';
import { ScopeError, resourceOfScopes, sessionChanges, sessionIdFor } from '../../../src/agents/authSessions';
import { IdentityService } from '../../../src/azure';
import { ManagedIdentityClient, selectorFrom } from '../../../src/identity';
import { Session } from '../../../src/session/session';
import { type Emulator, startEmulator } from '../../emulator';
import { recordCase } from '../../support/cases';

describe('authentication sessions (vscode-free half of the vm-identity provider)', function () {
  describe('scopes', () => {
    it('one resource per session: "<resource>/.default", a bare URI or an application ID GUID', () => {
      assert.equal(resourceOfScopes(['https://vault.azure.net/.default']), 'https://vault.azure.net');
      assert.equal(resourceOfScopes(['https://management.azure.com//.default']), 'https://management.azure.com/');
      assert.equal(resourceOfScopes(['https://storage.azure.com/']), 'https://storage.azure.com/');
      assert.equal(
        resourceOfScopes(['api://9f3c2b1a-0000-4000-8000-000000000001/.default']),
        'api://9f3c2b1a-0000-4000-8000-000000000001',
      );
      assert.equal(resourceOfScopes(['9F3C2B1A-0000-4000-8000-000000000001']), '9F3C2B1A-0000-4000-8000-000000000001');
    });

    it('rejects what a managed identity cannot get, saying what to pass instead', () => {
      const cases: Array<[string[] | undefined, RegExp]> = [
        [undefined, /Pass one scope/],
        [[], /Pass one scope/],
        [['https://vault.azure.net/.default', 'https://storage.azure.com/.default'], /one resource; got 2 scopes/],
        [['User.Read'], /not a resource.*app-only/],
        [['openid'], /not a resource/],
        [['https://vault.azure.net/.default?x=1'], /query or fragment/],
        [['not a url/.default'], /not a resource/],
      ];
      for (const [scopes, message] of cases) {
        assert.throws(
          () => resourceOfScopes(scopes),
          (e: unknown) => e instanceof ScopeError && message.test(e.message),
          String(scopes),
        );
      }
    });

    it('session ids are stable per (identity, resource), case-insensitive, and differ otherwise', () => {
      const a = sessionIdFor('P1', 'https://vault.azure.net');
      assert.equal(a, sessionIdFor('p1', 'HTTPS://VAULT.AZURE.NET'));
      assert.notEqual(a, sessionIdFor('p2', 'https://vault.azure.net'));
      assert.notEqual(a, sessionIdFor('p1', 'https://storage.azure.com'));
    });

    it('changes: new ids added, missing ids removed, a newer token changed', () => {
      const s = (id: string, renewedAt = 1) => ({
        id,
        resource: id,
        scopes: [id],
        account: { id: 'p', label: 'l' },
        renewedAt,
      });
      const c = sessionChanges([s('a'), s('b'), s('c')], [s('b'), s('c', 2), s('d')]);
      assert.deepEqual(
        [c.added.map((x) => x.id), c.removed.map((x) => x.id), c.changed.map((x) => x.id)],
        [['d'], ['a'], ['c']],
      );
    });
  });

  describe('over the real session and the emulator', () => {
    let emu: Emulator;
    before(async () => {
      emu = await startEmulator({
        dataset: { assignments: 4, userAssignedIdentities: 2 },
        listen: [{ host: '127.0.0.1', port: 0 }],
      });
    });
    after(() => emu.close());
    beforeEach(() => {
      emu.clearFaults();
      emu.resetLog();
      emu.configure({ systemAssigned: true });
    });

    function setup() {
      const env = {
        AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl,
        VM_IDENTITY_ARM_ENDPOINT: emu.httpUrl,
        VM_IDENTITY_GRAPH_ENDPOINT: emu.httpUrl,
      };
      const service = new IdentityService({ identityClient: new ManagedIdentityClient({ env }), env });
      const session = new Session({ service });
      const registry = new AuthSessionRegistry(session);
      const events: Array<{ added: string[]; removed: string[]; changed: string[] }> = [];
      registry.onDidChangeSessions((c) =>
        events.push({
          added: c.added.map((s) => s.id),
          removed: c.removed.map((s) => s.id),
          changed: c.changed.map((s) => s.id),
        }),
      );
      return { session, registry, events };
    }
    const vaultTokenRequests = () =>
      emu.requests.filter((r) => r.endpoint === 'imds-token' && r.query.resource === 'https://vault.azure.net').length;

    it('signed out: no sessions; createSession signs in and returns the emulator-issued token for the resource', async () => {
      const { session, registry, events } = setup();
      assert.deepEqual(await registry.getSessions(undefined), []);
      assert.deepEqual(await registry.getSessions(['https://vault.azure.net/.default']), []);
      const created = await registry.createSession(['https://vault.azure.net/.default']);
      assert.equal(session.state.status, 'signedIn');
      const me = emu.dataset.systemIdentity.principalId;
      assert.ok(emu.issuedTokens.includes(created.accessToken), 'a token the emulator issued');
      const claims = jwtDecode<{ aud: string; oid: string }>(created.accessToken);
      assert.equal(claims.aud, 'https://vault.azure.net');
      assert.equal(claims.oid, me);
      assert.deepEqual(created.account, {
        id: me,
        label: emu.dataset.vm.name, // Graph's display name of a system-assigned identity is the VM's name
      });
      assert.deepEqual(created.scopes, ['https://vault.azure.net/.default']);
      assert.equal(created.id, sessionIdFor(me, 'https://vault.azure.net'));
      assert.deepEqual(events, [{ added: [created.id], removed: [], changed: [] }]);
      // Reads share the cached token: no second request for the vault.
      const [again] = await registry.getSessions(['https://vault.azure.net/.default']);
      assert.equal(again.id, created.id);
      assert.equal(vaultTokenRequests(), 1);
      recordCase({
        area: 'agents',
        name: 'auth provider createSession',
        expected: 'emulator-issued token for the vault audience, account.id = principal ID',
        observed: `aud ${claims.aud}, oid matches, 1 IMDS request`,
        pass: true,
      });
    });

    it('removeSession forgets the resource and its token; sign out removes every session', async () => {
      const { session, registry, events } = setup();
      const vault = await registry.createSession(['https://vault.azure.net/.default']);
      const storage = await registry.createSession(['https://storage.azure.com/.default']);
      assert.equal((await registry.getSessions(undefined)).length, 2);
      await registry.removeSession(vault.id);
      assert.deepEqual(await registry.getSessions(['https://vault.azure.net/.default']), []);
      assert.deepEqual(events.at(-1), { added: [], removed: [vault.id], changed: [] });
      await registry.createSession(['https://vault.azure.net/.default']);
      assert.equal(vaultTokenRequests(), 2, 'the removed session\u2019s token was forgotten');
      session.signOut();
      assert.deepEqual(await registry.getSessions(undefined), []);
      assert.deepEqual(events.at(-1)?.removed.sort(), [vault.id, storage.id].sort());
      await session.signIn();
      assert.deepEqual(await registry.getSessions(undefined), [], 'sign out forgot the resources too');
    });

    it('an identity change removes the old identity\u2019s sessions and adds the new one\u2019s', async () => {
      const { session, registry, events } = setup();
      const old = await registry.createSession(['https://vault.azure.net/.default']);
      const uami = emu.dataset.userAssignedIdentities[0];
      await session.configure({ identity: selectorFrom('clientId', uami.clientId) });
      const [now] = await registry.getSessions(['https://vault.azure.net/.default']);
      assert.equal(now.account.id, uami.principalId);
      assert.equal(now.account.label, uami.resourceId.split('/').pop());
      assert.equal(jwtDecode<{ aud: string; oid: string }>(now.accessToken).oid, uami.principalId);
      assert.ok(events.some((e) => e.removed.includes(old.id) && e.added.includes(now.id)));
    });

    it('createSession when no identity answers: a clear error, no session', async () => {
      const { registry } = setup();
      emu.configure({ systemAssigned: false });
      await assert.rejects(
        registry.createSession(['https://vault.azure.net/.default']),
        /Cannot sign in with the VM identity/,
      );
      assert.deepEqual(await registry.getSessions(undefined), []);
    });
  });
});
