import type { IdentityKind } from "../../store/types.js";
import { Float64Column, Int32Column, Uint8Column, flat } from "./columns.js";
import { compareBinary } from "./binaryOrder.js";

/** Identity kinds by code, in the order SQLite sorts their names. */
export const KINDS: readonly IdentityKind[] = ["anonymousId", "email", "userId"];
export const ANON = 0;
export const EMAIL = 1;
export const USER = 2;

/** `last_seen` precision of src/identity/linkIdentities.ts: a touch within the hour is skipped. */
const LAST_SEEN_PRECISION_MS = 3_600_000;

/**
 * The identity graph of src/identity/linkIdentities.ts in memory, for a bulk rebuild: the same
 * decisions in the same order give the same persons, inferred flags, last_seen values and even
 * person ids. Identities are numbered; each person chains its identities (first, last, next),
 * so that a merge relabels the smaller side (union by size, ties to the smaller person id) as
 * the store's mergePersonInto does. Person ids are handed out as SQLite does for
 * `INSERT INTO persons`: one more than the largest live id, so an id freed at the top by a merge
 * is used again.
 */
export class IdentityGraph {
  private byValue: [Map<string, number>, Map<string, number>, Map<string, number>] = [new Map(), new Map(), new Map()];
  /**
   * anonymousIds in ascending (BINARY) order, each inserted after all smaller ones: found by
   * binary search instead of the map. Messages are scanned device by device in that order and
   * an anonymousId is only claimed by its own device's messages (or later by an alias or a
   * deal), so nearly every one lands here; the others go to the map.
   */
  private readonly sortedAnons = new Int32Column();
  readonly value: string[] = [];
  readonly kind = new Uint8Column();
  readonly person = new Int32Column();
  readonly lastSeen = new Float64Column();
  readonly inferred = new Uint8Column();
  /** 1: an anonymousId named only as an alias's previousId so far (IdentityRow.aliasOnly). */
  readonly aliasOnly = new Uint8Column();
  /** The next identity of the same person (-1: the last). */
  private readonly next = new Int32Column();
  // By person id (index 0 unused); a person with count 0 does not exist.
  private first = new Int32Column();
  private last = new Int32Column();
  private count = new Int32Column();
  private createdAt = new Float64Column();
  private maxLive = 0;

  constructor() {
    this.newPersonSlot();
  }

  lookup(kind: number, value: string): number {
    if (kind === ANON) {
      const sorted = this.sortedAnons;
      const n = sorted.length;
      if (n > 0) {
        // The last one first: a device's messages claim its anonymousId one after another.
        const last = compareBinary(value, this.value[sorted.get(n - 1)]!);
        if (last === 0) return sorted.get(n - 1);
        if (last < 0) {
          let lo = 0;
          let hi = n - 2;
          while (lo <= hi) {
            const mid = (lo + hi) >> 1;
            const cmp = compareBinary(value, this.value[sorted.get(mid)]!);
            if (cmp === 0) return sorted.get(mid);
            if (cmp < 0) hi = mid - 1;
            else lo = mid + 1;
          }
        }
      }
    }
    return this.byValue[kind as 0 | 1 | 2].get(value) ?? -1;
  }

  get size(): number {
    return this.value.length;
  }

  /** Drops the lookup maps once every claim is applied (lookup fails from then on). */
  freeLookups(): void {
    this.byValue = [new Map(), new Map(), new Map()];
    this.sortedAnons.length = 0;
  }

  /**
   * Applies one claim as linkIdentities does; returns the person, or null when the live step
   * would fail on it (one new identity claimed twice, e.g. an alias whose previousId is its own
   * anonymousId: the second INSERT breaks the primary key). The deriver then records the message
   * as a failure and derives nothing from it, and so does this (nothing is changed).
   */
  link(kinds: readonly number[], values: readonly string[], email: string | null, at: number, aliasIndex = -1): number | null {
    const found: number[] = [];
    const missing: number[] = [];
    for (let i = 0; i < kinds.length; i++) {
      const id = this.lookup(kinds[i]!, values[i]!);
      if (id >= 0) found.push(id);
      else {
        for (const j of missing) if (kinds[j] === kinds[i] && values[j] === values[i]) return null;
        missing.push(i);
      }
    }
    const persons: number[] = [];
    for (const id of found) {
      const p = this.person.get(id);
      if (!persons.includes(p)) persons.push(p);
      this.touch(id, at);
    }
    // linkIdentities: a found alias-only id named as a message's own is a device now.
    for (let i = 0; i < kinds.length; i++) {
      if (i === aliasIndex) continue;
      const id = this.lookup(kinds[i]!, values[i]!);
      if (id >= 0 && this.aliasOnly.get(id) === 1) this.aliasOnly.set(id, 0);
    }
    let personId = persons.length === 0 ? this.createPerson(at) : this.absorb(persons, false);
    for (const i of missing) {
      this.insert(kinds[i]!, values[i]!, personId, at);
      if (i === aliasIndex && kinds[i] === ANON) this.aliasOnly.set(this.value.length - 1, 1);
    }
    if (email !== null) {
      const id = this.lookup(EMAIL, email);
      // An email may be cut out of its message's JSON, which it would keep alive.
      if (id < 0) this.insert(EMAIL, flat(email), personId, at);
      else {
        this.touch(id, at);
        const other = this.person.get(id);
        if (other !== personId) personId = this.absorb([personId, other], true);
      }
    }
    return personId;
  }

  /** linkIdentities' touch of an identity a claim names again. */
  touch(id: number, at: number): void {
    if (at > this.lastSeen.get(id) + LAST_SEEN_PRECISION_MS) this.lastSeen.set(id, at);
  }

  /** Live person ids in ascending order. */
  *persons(): Generator<number> {
    for (let p = 1; p <= this.maxLive; p++) if (this.count.get(p) > 0) yield p;
  }

  get maxPersonId(): number {
    return this.maxLive;
  }

  createdAtOf(personId: number): number {
    return this.createdAt.get(personId);
  }

  /** The person's identities (in the order they joined it). */
  identitiesOf(personId: number): number[] {
    const out: number[] = [];
    for (let id = this.count.get(personId) > 0 ? this.first.get(personId) : -1; id >= 0; id = this.next.get(id)) out.push(id);
    return out;
  }

  /**
   * Gives the live persons new ids 1..n in the order given (every live id once), once the graph
   * is complete: ids mean nothing, and persons written in the order of another key (their
   * feedback target) make that key's table an append too.
   */
  renumber(order: readonly number[]): void {
    const first = new Int32Column(order.length + 1);
    const last = new Int32Column(order.length + 1);
    const count = new Int32Column(order.length + 1);
    const createdAt = new Float64Column(order.length + 1);
    first.push(-1), last.push(-1), count.push(0), createdAt.push(0);
    for (const [i, old] of order.entries()) {
      for (const id of this.identitiesOf(old)) this.person.set(id, i + 1);
      first.push(this.first.get(old));
      last.push(this.last.get(old));
      count.push(this.count.get(old));
      createdAt.push(this.createdAt.get(old));
    }
    this.first = first;
    this.last = last;
    this.count = count;
    this.createdAt = createdAt;
    this.maxLive = order.length;
  }

  private insert(kind: number, value: string, personId: number, at: number): void {
    const id = this.value.length;
    this.value.push(value);
    const sorted = this.sortedAnons;
    if (kind === ANON && (sorted.length === 0 || compareBinary(value, this.value[sorted.get(sorted.length - 1)]!) > 0)) sorted.push(id);
    else this.byValue[kind as 0 | 1 | 2].set(value, id);
    this.kind.push(kind);
    this.person.push(personId);
    this.lastSeen.push(at);
    this.inferred.push(0);
    this.aliasOnly.push(0);
    this.next.push(-1);
    if (this.count.get(personId) === 0) this.first.set(personId, id);
    else this.next.set(this.last.get(personId), id);
    this.last.set(personId, id);
    this.count.set(personId, this.count.get(personId) + 1);
  }

  private newPersonSlot(): void {
    this.first.push(-1);
    this.last.push(-1);
    this.count.push(0);
    this.createdAt.push(0);
  }

  private createPerson(at: number): number {
    const p = this.maxLive + 1;
    while (this.count.length <= p) this.newPersonSlot();
    this.createdAt.set(p, at);
    this.maxLive = p;
    // Its count stays 0 until the caller inserts the claim's identities, which it does at once.
    return p;
  }

  /** linkIdentities' absorb: the person with the most identities wins (ties: the smaller id). */
  private absorb(persons: number[], inferred: boolean): number {
    if (persons.length === 1) return persons[0]!;
    const sized = persons.map((p) => ({ p, n: this.count.get(p) }));
    sized.sort((a, b) => b.n - a.n || a.p - b.p);
    const winner = sized[0]!.p;
    for (const { p } of sized.slice(1)) {
      for (let id = this.first.get(p); id >= 0; id = this.next.get(id)) {
        // markInferred: the absorbed side's ids, not its emails.
        if (inferred && this.kind.get(id) !== EMAIL) this.inferred.set(id, 1);
        this.person.set(id, winner);
      }
      this.next.set(this.last.get(winner), this.first.get(p));
      this.last.set(winner, this.last.get(p));
      this.count.set(winner, this.count.get(winner) + this.count.get(p));
      this.count.set(p, 0);
      if (p === this.maxLive) while (this.maxLive > 0 && this.count.get(this.maxLive) === 0) this.maxLive--;
    }
    return winner;
  }
}
