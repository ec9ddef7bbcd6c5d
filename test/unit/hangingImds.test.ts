/**
 * A hanging IMDS (connections accepted, no answer to the token nor the instance metadata) must end the
 * sign-in within the configured bound (vmIdentity.timeoutSeconds → ManagedIdentityClient deadline), also
 * when the bound was changed after start-up. Found by test/e2e/network.e2e.ts: the instance metadata kept
 * its own 100 s deadline, so the time-out message came ~47 s late.
 */
import * as assert from 'node:assert/strict';
import { type Emulator, startEmulator } from '../emulator';
import { IdentityService } from '../../src/azure';
import { ManagedIdentityClient } from '../../src/identity';
import { isVmIdentityError } from '../../src/core/errors';

describe('hanging IMDS', function () {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ dataset: { assignments: 3 }, listen: [{ host: '127.0.0.1', port: 0 }] });
  });
  after(() => emu.close());
  afterEach(() => emu.clearFaults());

  it('sign-in fails with a time-out within the deadline set at runtime, instance metadata included', async () => {
    emu.fault('imds-token', [{ kind: 'hang', forMs: 60_000 }]);
    emu.fault('imds-instance', [{ kind: 'hang', forMs: 60_000 }]);
    const env = {
      AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl,
      VM_IDENTITY_ARM_ENDPOINT: emu.httpUrl,
      VM_IDENTITY_GRAPH_ENDPOINT: emu.httpUrl,
    };
    const client = new ManagedIdentityClient({ env });
    client.setTimeouts({ deadlineMs: 1500 }); // as the extension does when vmIdentity.timeoutSeconds changes
    const service = new IdentityService({ identityClient: client, env });
    const t0 = Date.now();
    await assert.rejects(service.snapshot(undefined, { roles: true }), (e: unknown) => isVmIdentityError(e, 'timeout'));
    const took = Date.now() - t0;
    assert.ok(took < 1500 + 1000, `gave up after ${took} ms (bound 1.5 s)`);
  });
});
