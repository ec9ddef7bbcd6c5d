/**
 * Token cache with a single request in flight per key: any number of concurrent asks for the same
 * (identity, resource) share one HTTP request. A token is served until its refresh time, then fetched
 * again; if that fetch fails while the old token is still valid, the old one is served. Failures are
 * never cached.
 *
 * A shared fetch runs on its own AbortController, not under any caller's signal: a caller that cancels
 * only stops waiting, and the fetch is aborted when its last waiter has left (nobody wants the answer).
 */
import { cancelled } from '../core/errors';

export interface Expiring {
  readonly expiresOn: number;
  readonly refreshAfter: number;
}

interface Flight<T> {
  readonly promise: Promise<T>;
  readonly controller: AbortController;
  waiters: number;
  settled: boolean;
}

export interface CacheGetOptions {
  signal?: AbortSignal;
  forceRefresh?: boolean;
}

export class SingleFlightCache<T extends Expiring> {
  private readonly entries = new Map<string, T>();
  private readonly inFlight = new Map<string, Flight<T>>();

  constructor(private readonly now: () => number) {}

  async get(key: string, fetch: (signal: AbortSignal) => Promise<T>, options: CacheGetOptions = {}): Promise<T> {
    const { forceRefresh = false, signal } = options;
    if (signal?.aborted) throw cancelled();
    const cached = this.entries.get(key);
    if (cached && !forceRefresh && this.now() < cached.refreshAfter) return cached;
    const flight = this.inFlight.get(key) ?? this.start(key, fetch, forceRefresh);
    return this.wait(key, flight, signal);
  }

  /** Forgets every token and abandons every fetch under way (sign out). */
  clear(): void {
    this.entries.clear();
    for (const flight of this.inFlight.values()) flight.controller.abort();
    this.inFlight.clear();
  }

  /** Forgets one key's token and abandons its fetch (a consumer signed out of one resource). */
  forget(key: string): void {
    this.entries.delete(key);
    this.inFlight.get(key)?.controller.abort();
    this.inFlight.delete(key);
  }

  /** Fetches in flight (for tests and the log). */
  get pending(): number {
    return this.inFlight.size;
  }

  private start(key: string, fetch: (signal: AbortSignal) => Promise<T>, forceRefresh: boolean): Flight<T> {
    const controller = new AbortController();
    const promise = fetch(controller.signal)
      .then((value) => {
        if (!controller.signal.aborted) this.entries.set(key, value);
        return value;
      })
      .catch((error: unknown) => {
        const stillValid = this.entries.get(key);
        if (stillValid && !forceRefresh && !controller.signal.aborted && this.now() < stillValid.expiresOn)
          return stillValid;
        throw error;
      })
      .finally(() => {
        flight.settled = true;
        if (this.inFlight.get(key) === flight) this.inFlight.delete(key);
      });
    promise.catch(() => undefined); // an abandoned fetch's rejection has no waiter left to handle it
    const flight: Flight<T> = { promise, controller, waiters: 0, settled: false };
    this.inFlight.set(key, flight);
    return flight;
  }

  private wait(key: string, flight: Flight<T>, signal: AbortSignal | undefined): Promise<T> {
    flight.waiters++;
    if (!signal) return flight.promise;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        this.leave(key, flight);
        reject(cancelled());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }

  private leave(key: string, flight: Flight<T>): void {
    if (--flight.waiters > 0 || flight.settled) return;
    flight.controller.abort();
    if (this.inFlight.get(key) === flight) this.inFlight.delete(key);
  }
}
