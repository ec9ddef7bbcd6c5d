/**
 * An ARM/Graph certificate this machine does not trust (a TLS-inspecting proxy whose CA is missing, or — as
 * test/e2e/network.e2e.ts shows — a CA given only in NODE_EXTRA_CA_CERTS inside VS Code) fails at once with
 * guidance about the trust store; retrying the same certificate cannot help.
 */
import * as assert from 'node:assert/strict';
import { type Emulator, startEmulator } from '../emulator';
import { AzureHttp } from '../../src/azure';
import { isVmIdentityError } from '../../src/core/errors';
import { silentLogger } from '../../src/core/log';
import { createProxiedHttp } from '../../src/core/proxiedHttp';
import { FakeClock } from '../support/fakeClock';

describe('untrusted TLS certificate on ARM', function () {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ dataset: { assignments: 1 }, listen: [{ host: '127.0.0.1', port: 0, tls: true }] });
  });
  after(() => emu.close());

  it('is reported with trust-store guidance and not retried', async () => {
    const clock = new FakeClock();
    const http = new AzureHttp({
      allowedOrigins: [emu.httpsUrl],
      http: createProxiedHttp(),
      logger: silentLogger,
      clock,
    });
    // This process does not trust the emulator's test CA (it is given to child processes only).
    await assert.rejects(
      http.getJson(new URL(`${emu.httpsUrl}/subscriptions?api-version=2022-12-01`), 'not-a-real-token'),
      (e: unknown) => {
        assert.ok(isVmIdentityError(e, 'serviceError'), String(e));
        assert.match(
          e.message,
          /TLS certificate this machine does not trust \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/,
        );
        assert.match(e.fix, /trust store/);
        assert.equal(e.remedy, 'checkProxy');
        return true;
      },
    );
    assert.deepEqual(clock.sleeps, [], 'no retry');
    assert.equal(emu.requests.length, 0, 'no request (and so no token) got past the handshake');
  });
});
