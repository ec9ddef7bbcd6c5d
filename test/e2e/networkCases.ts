/**
 * The observed outcome of each case of the realistic-network suite, as machine-readable rows in
 * test-results/network-cases.json ({ generatedAt, cases: [{ area, case, expected, observed, pass, ms }] }).
 * scripts/testing-doc.js turns them into the table of docs/TESTING.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RESULTS_DIR } from './harness';

export interface NetworkCase {
  area: string;
  case: string;
  expected: string;
  observed: string;
  pass: boolean;
  ms: number;
}

export const NETWORK_CASES_FILE = path.join(RESULTS_DIR, 'network-cases.json');

export class CaseLog {
  readonly cases: NetworkCase[] = [];

  /**
   * Runs `body`, which returns what it observed (after asserting it), and records the outcome. A failed
   * assertion is recorded with pass=false and its message as the observation, then rethrown.
   */
  async run(area: string, name: string, expected: string, body: () => Promise<string>): Promise<void> {
    const t0 = Date.now();
    try {
      const observed = await body();
      this.add({ area, case: name, expected, observed, pass: true, ms: Date.now() - t0 });
      console.log(`      [case] ${name}: ${observed} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
      this.add({ area, case: name, expected, observed: `FAILED: ${message}`, pass: false, ms: Date.now() - t0 });
      throw e;
    }
  }

  private add(c: NetworkCase): void {
    const i = this.cases.findIndex((x) => x.area === c.area && x.case === c.case);
    if (i >= 0) this.cases[i] = c;
    else this.cases.push(c);
    this.write();
  }

  write(): void {
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    fs.writeFileSync(NETWORK_CASES_FILE, `${JSON.stringify({ generatedAt: new Date().toISOString(), cases: this.cases }, null, 2)}\n`);
  }
}
