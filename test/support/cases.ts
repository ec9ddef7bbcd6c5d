/**
 * Records the outcome of fault and attack cases as the tests run, one JSON line each, in
 * test-results/cases.jsonl. scripts/testing-doc.js turns the file into the table of docs/TESTING.md.
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

const FILE = path.resolve(__dirname, '../../test-results/cases.jsonl');

export function recordCase(record: CaseRecord): void {
  fs.mkdirSync(path.dirname(FILE), { recursive: true });
  fs.appendFileSync(FILE, `${JSON.stringify({ ...record, at: new Date().toISOString() })}\n`);
}
