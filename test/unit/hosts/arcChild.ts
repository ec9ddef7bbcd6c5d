/**
 * Run as another user (setpriv) by arc.test.ts: one token request through Azure Arc's challenge with the real
 * client, printing the outcome as JSON on stdout. Input from the environment: ARC_ENV (JSON) and ARC_KEY_DIR.
 */
import { isVmIdentityError } from '../../../src/core/errors';
import { ManagedIdentityClient } from '../../../src/identity';

async function main(): Promise<void> {
  const env = JSON.parse(process.env.ARC_ENV ?? '{}') as Record<string, string>;
  const client = new ManagedIdentityClient({
    env,
    platform: 'linux',
    arcKeyDir: process.env.ARC_KEY_DIR,
    timeouts: { deadlineMs: 20_000 },
  });
  try {
    const t = await client.getToken('https://management.azure.com/');
    process.stdout.write(JSON.stringify({ ok: true, principalId: t.claims.principalId, uid: process.getuid?.() }));
  } catch (e) {
    const out = isVmIdentityError(e)
      ? { ok: false, kind: e.kind, message: e.message, fix: e.fix }
      : { ok: false, kind: 'unexpected', message: String(e) };
    process.stdout.write(JSON.stringify({ ...out, uid: process.getuid?.() }));
  }
}

void main();
