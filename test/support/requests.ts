/**
 * Reading the emulator's request log (what reached IMDS, ARM and Graph, and when): shared by the UI suites
 * (which hold the emulator in-process) and the extension-host suite (which reads it over /_emulator/requests).
 * Pure functions of LoggedRequest[], so the extension-host bundle can include them.
 */
import type { LoggedRequest } from '../emulator';

export function since(requests: readonly LoggedRequest[], seq: number): LoggedRequest[] {
  return requests.filter((r) => r.seq > seq);
}

export function lastSeq(requests: readonly LoggedRequest[]): number {
  return requests.at(-1)?.seq ?? 0;
}

export const startMs = (r: LoggedRequest): number => Date.parse(r.time);
export const endMs = (r: LoggedRequest): number => Date.parse(r.time) + r.ms;

/** Ms from the end of each request to the start of the next one (the client's wait before retrying). */
export function gapsBetween(requests: readonly LoggedRequest[]): number[] {
  return requests.slice(1).map((r, i) => startMs(r) - endMs(requests[i]));
}

/** Most identity requests (token + info, what IMDS limits to 5) in flight at once. */
export function maxConcurrency(requests: readonly LoggedRequest[]): number {
  const events: Array<[number, number]> = [];
  for (const r of requests) {
    if (r.endpoint !== 'imds-token' && r.endpoint !== 'imds-info') continue;
    events.push([startMs(r), 1], [endMs(r), -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, d] of events) max = Math.max(max, (now += d));
  return max;
}

export function tokenRequests(requests: readonly LoggedRequest[], resource?: string): LoggedRequest[] {
  return requests.filter(
    (r) => r.endpoint === 'imds-token' && (resource === undefined || r.query.resource === resource),
  );
}

export function statusList(requests: readonly LoggedRequest[]): string {
  return requests.map((r) => r.status).join(',');
}
