/**
 * IMDS caches tokens for up to 24 h (entra-docs managed-identities-faq.md): a Refresh that gets the same token back
 * (same iat) is marked, so the UI can say new role grants may not apply yet. Emulator knob imdsTokenCache.
 */
import * as assert from 'node:assert/strict';
import { Session } from '../../../src/session/session';
import { startEmulator, type Emulator } from '../../emulator';
import { serviceFor } from './support';

describe('a Refresh that gets the cached token back', () => {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ listen: [{ host: '127.0.0.1', port: 0 }] });
  });
  after(() => emu.close());

  for (const cache of [true, false]) {
    it(`IMDS cache ${cache ? 'on: marked, with the iat shown' : 'off: a new token, not marked'}`, async () => {
      emu.configure({ imdsTokenCache: cache });
      const session = new Session({
        service: serviceFor(emu, { AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl }),
        include: {},
      });
      const first = await session.signIn();
      assert.equal(first.status, 'signedIn');
      await new Promise((r) => setTimeout(r, 1100)); // iat has one-second resolution
      const again = await session.refresh();
      assert.equal(again.status, 'signedIn');
      if (first.status !== 'signedIn' || again.status !== 'signedIn') return;
      assert.ok(first.snapshot.identity.token.issuedAt! > 0);
      assert.equal(again.snapshot.sameTokenAfterRefresh === true, cache);
      assert.equal(again.snapshot.identity.token.issuedAt === first.snapshot.identity.token.issuedAt, cache);
      session.dispose();
    });
  }
});
