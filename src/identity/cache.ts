/**
 * Token cache with a single request in flight per key: any number of concurrent asks for the same
 * (identity, resource) share one HTTP request. A token is served until its refresh time, then fetched
 * again; if that fetch fails while the old token is still valid, the old one is served. Failures are
 * never cached.
 */
export interface Expiring {
  readonly expiresOn: number;
  readonly refreshAfter: number;
}

export class SingleFlightCache<T extends Expiring> {
  private readonly entries = new Map<string, T>();
  private readonly inFlight = new Map<string, Promise<T>>();

  constructor(private readonly now: () => number) {}

  async get(key: string, fetch: () => Promise<T>, forceRefresh = false): Promise<T> {
    const cached = this.entries.get(key);
    const now = this.now();
    if (cached && !forceRefresh && now < cached.refreshAfter) return cached;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const request = fetch()
      .then((value) => {
        this.entries.set(key, value);
        return value;
      })
      .catch((error: unknown) => {
        const stillValid = this.entries.get(key);
        if (stillValid && !forceRefresh && this.now() < stillValid.expiresOn) return stillValid;
        throw error;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, request);
    return request;
  }

  /** The cached value, whether or not it is due for refresh, if not expired. */
  peek(key: string): T | undefined {
    const cached = this.entries.get(key);
    return cached && this.now() < cached.expiresOn ? cached : undefined;
  }

  clear(): void {
    this.entries.clear();
  }
}
