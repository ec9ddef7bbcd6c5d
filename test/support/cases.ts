/**
 * Records the outcome of fault and attack cases as the tests run, one JSON line each, in
 * test-results/cases.jsonl (VMID_CASES_FILE overrides: the extension-host suite gets it from its launcher).
 * scripts/testing-doc.js turns the file into the tables of docs/TESTING.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface CaseRecord {
  area: string;
  name: string;
  expected: string;
  observed: string;
  pass: boolean;
}

/** A case of a table-driven suite: what it is, what it should do, and a body that returns what it saw. */
export interface CaseSpec {
  area: string;
  name: string;
  expected: string;
}

function casesFile(): string {
  return process.env.VMID_CASES_FILE || path.resolve(__dirname, '../../test-results/cases.jsonl');
}

export function recordCase(record: CaseRecord): void {
  const file = casesFile();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, `${JSON.stringify({ ...record, at: new Date().toISOString() })}\n`);
}

/**
 * Runs `body`, which asserts and returns what it observed, and records the outcome. A failed assertion is
 * recorded with pass=false and its first line as the observation, then rethrown.
 */
export async function runCase(spec: CaseSpec, body: () => Promise<string>): Promise<void> {
  const t0 = Date.now();
  const took = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  try {
    const observed = await body();
    recordCase({ ...spec, observed, pass: true });
    console.log(`      [case] ${spec.name}: ${observed} (${took()})`);
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    recordCase({ ...spec, observed: `FAILED: ${message}`, pass: false });
    throw e;
  }
}
