import { createHash } from 'node:crypto';

/**
 * Seeded PRNG (sfc32, seeded from SHA-256 of the seed) so a dataset is a pure function of its seed.
 * Never Math.random: two runs with the same seed must produce byte-identical datasets.
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number | string) {
    const digest = createHash('sha256')
      .update(`vm-identity-emulator:${String(seed)}`)
      .digest();
    this.a = digest.readUInt32LE(0);
    this.b = digest.readUInt32LE(4);
    this.c = digest.readUInt32LE(8);
    this.d = digest.readUInt32LE(12);
    // Warm up so nearby seeds diverge quickly.
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** Fisher–Yates in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  hex(chars: number): string {
    let out = '';
    while (out.length < chars) out += hex8(this.nextUint32());
    return out.slice(0, chars);
  }

  /** A version-4-shaped GUID, lower case, as Azure prints object ids. */
  guid(): string {
    const a = hex8(this.nextUint32());
    const b = hex8(this.nextUint32());
    const c = hex8(this.nextUint32());
    const d = hex8(this.nextUint32());
    const variant = '89ab'[this.nextUint32() & 3];
    return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }

  /** ISO timestamp with ARM's 7-digit fraction, between `from` and `from + spanDays`. */
  isoDate(from: Date, spanDays: number): string {
    const ms = from.getTime() + this.int(spanDays * 86_400_000);
    const fraction = String(this.int(10_000_000)).padStart(7, '0');
    return `${new Date(ms).toISOString().slice(0, 19)}.${fraction}Z`;
  }
}

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** 8 hex digits of a uint32 (a table: Number#toString(16) is slow above 2^31, and 20,000 assignments need ~70,000). */
function hex8(n: number): string {
  return HEX_BYTE[n >>> 24] + HEX_BYTE[(n >>> 16) & 255] + HEX_BYTE[(n >>> 8) & 255] + HEX_BYTE[n & 255];
}
