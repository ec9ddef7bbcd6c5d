import type { Clock } from '../../src/core/clock';

/** A clock whose sleeps return at once but move time forward, so retry schedules run in milliseconds. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  private offset = 0;

  now(): number {
    return Date.now() + this.offset;
  }

  advance(ms: number): void {
    this.offset += ms;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(ms);
    this.offset += ms;
    await new Promise((r) => setImmediate(r));
  }
}
