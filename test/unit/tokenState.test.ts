/**
 * What the token inspector is given, from real tokens and real refusals of the emulator's IMDS: claims only (no
 * part of the token), and an Entra refusal explained from its AADSTS code.
 */
import * as assert from 'node:assert/strict';
import { type Emulator, startEmulator } from '../emulator';
import { ManagedIdentityClient } from '../../src/identity';
import { refusalStateFor, tokenStateFor } from '../../src/ui/commands/tokenState';

describe('token inspector state', () => {
  let emu: Emulator;
  let client: ManagedIdentityClient;

  before(async () => {
    emu = await startEmulator({ listen: [{ host: '127.0.0.1', port: 0 }] });
    client = new ManagedIdentityClient({
      env: { AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl },
      timeouts: { deadlineMs: 5000 },
    });
  });
  after(() => emu.close());
  beforeEach(() => {
    emu.clearFaults();
    client.clear();
  });

  it('a Key Vault token: aud, oid, tid, alg/kid, size; no part of the token in the state', async () => {
    const issued = await client.getToken('https://vault.azure.net');
    const token = issued.accessToken.token;
    const state = tokenStateFor('https://vault.azure.net', token, Date.now());
    assert.equal(state.kind, 'token');
    if (state.kind !== 'token') return;
    assert.equal(state.view.audience, 'https://vault.azure.net');
    assert.equal(state.view.objectId, emu.dataset.systemIdentity.principalId);
    assert.equal(state.view.tenantId, emu.dataset.tenantId);
    assert.equal(state.view.header.kid, 'emulator');
    assert.equal(state.view.tokenBytes, Buffer.byteLength(token));
    const serialized = JSON.stringify(state);
    for (const part of token.split('.')) assert.ok(!serialized.includes(part), 'no encoded part of the token');
  });

  it('IMDS passing on Entra AADSTS500011 (audience not in the tenant): code → cause → fix', async () => {
    // IMDS relays Entra's refusal as {error: invalid_resource, error_description: "AADSTS500011: …"} (observed;
    // rootinc/laravel-azure-middleware#51, see test/emulator/hosts/aadsts.ts).
    const description =
      'AADSTS500011: The resource principal named https://nothing.example was not found in the tenant named contoso. ' +
      'This can happen if the application has not been installed by the administrator of the tenant.';
    emu.fault('imds-token', [
      { status: 400, body: { error: 'invalid_resource', error_description: description }, count: 5 },
    ]);
    const refusal = await client.getToken('https://nothing.example').then(
      () => assert.fail('IMDS refused'),
      (e: unknown) => e,
    );
    const state = refusalStateFor('https://nothing.example', refusal);
    assert.equal(state.kind, 'error');
    if (state.kind !== 'error') return;
    assert.equal(state.code, 'AADSTS500011');
    assert.match(state.message, /not registered in this tenant/);
    assert.match(state.fix ?? '', /resource URI for the cloud/);
    assert.match(state.link ?? '', /reference-error-codes/);
  });

  it("a refusal without an AADSTS code keeps the typed error's cause and fix", async () => {
    emu.fault('imds-token', [
      { status: 400, body: { error: 'invalid_request', error_description: 'Identity not found' }, count: 5 },
    ]);
    const refusal = await client.getToken('https://vault.azure.net').catch((e: unknown) => e);
    const state = refusalStateFor('https://vault.azure.net', refusal);
    assert.equal(state.kind, 'error');
    if (state.kind !== 'error') return;
    assert.equal(state.code, 'invalid_request');
    assert.match(state.fix ?? '', /System assigned/);
  });
});
