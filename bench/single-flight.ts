/**
 * 100 concurrent token asks in one process, against the emulator's IMDS (AZURE_POD_IDENTITY_AUTHORITY_HOST).
 *   ours: ManagedIdentityClient from src/identity (the extension's and the CLI's client)
 *   sdk:  @azure/identity ManagedIdentityCredential, for comparison
 * Prints one JSON line {asks, fulfilled, rejected, distinctTokens, ms}; the parent counts the IMDS requests
 * in the emulator's log.
 */
import { ManagedIdentityClient } from '../src/identity';

const ASKS = Number(process.env.BENCH_ASKS ?? 100);

async function main(): Promise<void> {
  const mode = process.argv[2];
  let asks: Array<() => Promise<string>>;
  if (mode === 'ours') {
    const client = new ManagedIdentityClient({ env: process.env });
    asks = Array.from(
      { length: ASKS },
      () => () => client.getToken('https://management.azure.com/').then((t) => t.accessToken.token),
    );
  } else if (mode === 'sdk') {
    const { ManagedIdentityCredential } = await import('@azure/identity');
    const credential = new ManagedIdentityCredential();
    asks = Array.from(
      { length: ASKS },
      () => () => credential.getToken('https://management.azure.com/.default').then((t) => t.token),
    );
  } else {
    throw new Error('usage: single-flight.ts ours|sdk');
  }
  const t0 = performance.now();
  const results = await Promise.allSettled(asks.map((ask) => ask()));
  const ms = performance.now() - t0;
  const tokens = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const firstError = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  process.stdout.write(
    `${JSON.stringify({
      asks: ASKS,
      fulfilled: tokens.length,
      rejected: results.length - tokens.length,
      distinctTokens: new Set(tokens).size,
      ms,
      error: firstError ? String(firstError.reason?.message ?? firstError.reason).slice(0, 200) : undefined,
    })}\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`single-flight: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
