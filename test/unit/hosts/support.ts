/** Shared pieces of the per-host client tests: a client + service for a host's environment, and outcomes. */
import * as assert from 'node:assert/strict';
import { IdentityService, type Snapshot } from '../../../src/azure';
import { type VmIdentityError, isVmIdentityError } from '../../../src/core/errors';
import { ManagedIdentityClient } from '../../../src/identity';
import type { Emulator } from '../../emulator';
import { FakeClock } from '../../support/fakeClock';

export const ARM = 'https://management.azure.com/';

export function clientFor(
  env: Record<string, string>,
  extra: Partial<ConstructorParameters<typeof ManagedIdentityClient>[0]> = {},
) {
  return new ManagedIdentityClient({
    env,
    clock: new FakeClock(),
    timeouts: { connectMs: 1000, attemptMs: 2000, deadlineMs: 60_000 },
    ...extra,
  });
}

/** The service against the emulator's ARM and Graph (loopback overrides), for the host's environment. */
export function serviceFor(
  emu: Emulator,
  env: Record<string, string>,
  extra: Partial<ConstructorParameters<typeof ManagedIdentityClient>[0]> = {},
  serviceExtra: Partial<ConstructorParameters<typeof IdentityService>[0]> = {},
) {
  const full = { ...env, VM_IDENTITY_ARM_ENDPOINT: emu.httpUrl, VM_IDENTITY_GRAPH_ENDPOINT: emu.httpUrl };
  return new IdentityService({
    identityClient: clientFor(env, extra),
    env: full,
    clock: new FakeClock(),
    ...serviceExtra,
  });
}

export async function failureOf(p: Promise<unknown>): Promise<VmIdentityError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  assert.ok(isVmIdentityError(e), `expected a typed error, got ${String(e)}`);
  return e;
}

export function valueOf<T>(part: Snapshot['roles'] | Snapshot['displayName'] | { status: string }): T {
  assert.equal(part.status, 'ok', JSON.stringify(part));
  return (part as unknown as { value: T }).value;
}
