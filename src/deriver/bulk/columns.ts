/**
 * Growable typed arrays: the bulk state holds a few numbers per message, identity and
 * touchpoint, and a typed array holds them in 1–8 bytes each where a JS array of numbers takes
 * 8 bytes and spare capacity, and every object 50 and more.
 */
type Typed = Int32Array | Float64Array | Uint8Array;

abstract class Column<T extends Typed> {
  length = 0;
  protected data: T;

  constructor(capacity = 1024) {
    this.data = this.make(capacity);
  }

  protected abstract make(capacity: number): T;

  push(v: number): void {
    if (this.length === this.data.length) {
      // 1.5×: less spare room than doubling, still amortised O(1).
      const grown = this.make(Math.ceil(this.data.length * 1.5) + 16);
      grown.set(this.data as never);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }

  get(i: number): number {
    return this.data[i]!;
  }

  set(i: number, v: number): void {
    this.data[i] = v;
  }

  /** The values as one array (a view: valid until the next push). */
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

export class Int32Column extends Column<Int32Array> {
  protected make(capacity: number): Int32Array {
    return new Int32Array(capacity);
  }
}

export class Float64Column extends Column<Float64Array> {
  protected make(capacity: number): Float64Array {
    return new Float64Array(capacity);
  }
}

export class Uint8Column extends Column<Uint8Array> {
  protected make(capacity: number): Uint8Array {
    return new Uint8Array(capacity);
  }
}

/**
 * Strings kept once each, by number (-1: null). The first copy seen is kept flat: a string cut
 * out of a longer one would keep the longer one alive.
 */
export class StringTable {
  private index = new Map<string, number>();
  readonly values: string[] = [];

  /** Drops the lookup (id() must not be called again). */
  freeIndex(): void {
    this.index = new Map();
  }

  id(v: string | null): number {
    if (v === null) return -1;
    let i = this.index.get(v);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(flat(v));
      this.index.set(this.values[i]!, i);
    }
    return i;
  }

  get(i: number): string | null {
    return i < 0 ? null : this.values[i]!;
  }
}

/** A copy of the string that does not share memory with another one (V8 slices share). */
export function flat(s: string): string {
  return s.length < 13 ? s : (JSON.parse(JSON.stringify(s)) as string);
}

/**
 * Many short strings (message ids) kept in a few long ones: a string of its own costs a header
 * and a pointer besides its characters, and each one is an object the collector must trace.
 * Items are appended; item i is its block's text from start[i] to the next item's start.
 */
export class PackedStrings {
  private readonly blocks: string[] = [];
  /** Index of the first item of each block. */
  private readonly firstOf: number[] = [];
  private pending: string[] = [];
  private pendingChars = 0;
  private readonly start = new Int32Column();

  get length(): number {
    return this.start.length;
  }

  push(s: string): void {
    if (this.pending.length === 0) this.firstOf.push(this.start.length);
    this.start.push(this.pendingChars);
    this.pendingChars += s.length;
    this.pending.push(s);
    if (this.pendingChars >= 1 << 16) this.seal();
  }

  get(i: number): string {
    if (this.pending.length > 0) this.seal();
    // The block holding item i: the last one whose first item is at or before i.
    let lo = 0;
    let hi = this.firstOf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.firstOf[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    const text = this.blocks[lo]!;
    const next = i + 1;
    const end = next < this.start.length && (lo + 1 >= this.firstOf.length || next < this.firstOf[lo + 1]!) ? this.start.get(next) : text.length;
    return text.slice(this.start.get(i), end);
  }

  private seal(): void {
    this.blocks.push(this.pending.join(""));
    this.pending = [];
    this.pendingChars = 0;
  }
}
