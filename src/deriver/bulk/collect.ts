import { compareCalls, stepVisit, type SessionizeOptions } from "../../touchpoints/sessionize.js";
import type { DeviceCall, Touchpoint } from "../../touchpoints/types.js";
import type { ConversionRow, VisitState } from "../../store/types.js";
import { Float64Column, Int32Column, PackedStrings, StringTable, flat } from "./columns.js";
import { ANON, IdentityGraph, USER } from "./identityGraph.js";
import type { MessageParts } from "./messageParts.js";

/** Channel, source, medium, campaign, term, content, clickIdType, rule of a touchpoint. */
export interface TouchClass {
  channel: string;
  source: string;
  medium: string;
  campaign: string | null;
  term: string | null;
  content: string | null;
  clickIdType: string | null;
  rule: string;
}

type Visit = Pick<VisitState, "source" | "medium" | "campaign">;

/** One stored message as the scan hands it over: its columns and what derivation reads of it. */
export interface DeviceMessage {
  seq: number;
  messageId: string;
  anonymousId: string | null;
  userId: string | null;
  timestamp: number;
  parts: MessageParts;
}

/** An alias, applied once every other message is (src/pipeline/replayDevices.ts). */
interface AliasClaim {
  messageId: string;
  anonymousId: string | null;
  userId: string | null;
  previousId: string | null;
  at: number;
}

/**
 * Everything the message scan gives, gathered device by device in scan order, in columns: the
 * identity graph (every claim replayed in store order, then the aliases in time order, as
 * src/pipeline/replayDevices.ts does), each device's visit state and key identity, the
 * touchpoints, and the conversions of track calls with the identity that names their person.
 */
export class Collected {
  readonly graph = new IdentityGraph();
  messages = 0;
  readonly deviceId: string[] = [];
  readonly deviceKey = new Int32Column();
  readonly deviceLastAt = new Float64Column();
  /** The seq of each device's latest call: its visit state's lastMessageId, read back when written (ids take room). */
  readonly deviceLastSeq = new Float64Column();
  readonly deviceVisit = new Int32Column();
  readonly visits: Visit[] = [];
  private readonly visitIndex = new Map<string, number>();
  readonly touchAt = new Float64Column();
  readonly touchDevice = new Int32Column();
  /** Each touchpoint's messageId, packed (a million separate id strings would take ~30 MB). */
  readonly touchMessageId = new PackedStrings();
  readonly touchClass = new Int32Column();
  readonly touchReferrer = new Int32Column();
  readonly touchLanding = new Int32Column();
  /** Referrers and landing pages (few distinct ones: a site's pages, the search engines). */
  readonly urls = new StringTable();
  readonly classes: TouchClass[] = [];
  private classIndex = new Map<string, number>();
  readonly conversions: Array<{ row: Omit<ConversionRow, "personId">; identity: number }> = [];
  private readonly aliases: AliasClaim[] = [];
  /** Identity claims the live step would fail on (skipped, as the deriver skips such a row). */
  skipped = 0;
  private readonly kinds: number[] = [];
  private readonly values: string[] = [];

  get touchCount(): number {
    return this.touchAt.length;
  }

  /**
   * One device, as src/pipeline/replayDevices.ts replays it: every message's identity claim and
   * conversion in store order (aliases aside, for the end), and the device's calls folded with
   * the live sessionizer. Calls are folded in compareCalls order, as live derivation re-derives
   * a device (store order differs from it only for non-ASCII ids on one timestamp).
   */
  addDevice(deviceId: string, rows: readonly DeviceMessage[], opts: SessionizeOptions): void {
    let keyKind = -1;
    const calls: DeviceCall[] = [];
    const seqOf = new Map<DeviceCall, number>();
    // A run of claims of the same ids without an email (a device's every call): after the
    // first, both ids are known and in one person, so linkIdentities only touches them.
    let lastAnon: string | null | undefined;
    let lastUser: string | null | undefined;
    let anonId = -1;
    let userId = -1;
    for (const m of rows) {
      const { parts } = m;
      this.messages++;
      if (parts.type === "alias") {
        this.aliases.push({ messageId: m.messageId, anonymousId: m.anonymousId, userId: m.userId, previousId: parts.previousId, at: m.timestamp });
        continue;
      }
      // The device's person is that of its first message's device id (replayDevices.ts).
      if (keyKind < 0) keyKind = m.anonymousId !== null ? ANON : USER;
      if (m.anonymousId === lastAnon && m.userId === lastUser && parts.email === null) {
        if (anonId >= 0) this.graph.touch(anonId, m.timestamp);
        if (userId >= 0) this.graph.touch(userId, m.timestamp);
      } else {
        this.claim(m.anonymousId, m.userId, parts.email, m.timestamp);
        lastAnon = m.anonymousId;
        lastUser = m.userId;
        anonId = m.anonymousId !== null ? this.graph.lookup(ANON, m.anonymousId) : -1;
        userId = m.userId !== null ? this.graph.lookup(USER, m.userId) : -1;
      }
      if (parts.conversion) {
        const { personId: _none, ...row } = parts.conversion;
        this.conversions.push({ row, identity: anonId >= 0 ? anonId : userId });
      }
      if (parts.call) {
        calls.push(parts.call);
        seqOf.set(parts.call, m.seq);
      }
    }
    if (calls.length === 0) return;
    let sorted = true;
    for (let i = 1; i < calls.length && sorted; i++) sorted = compareCalls(calls[i - 1]!, calls[i]!) <= 0;
    if (!sorted) calls.sort(compareCalls);
    const device = this.deviceId.length;
    let state: VisitState | null = null;
    for (const call of calls) {
      const step = stepVisit(state, call, deviceId, opts);
      state = step.state;
      if (step.touchpoint) this.addTouch(step.touchpoint, device);
    }
    this.deviceId.push(deviceId);
    this.deviceKey.push(this.graph.lookup(keyKind, deviceId));
    this.deviceLastAt.push(state!.lastAt);
    // The latest call in compareCalls order is the last one folded (stepVisit keeps it).
    this.deviceLastSeq.push(seqOf.get(calls[calls.length - 1]!)!);
    this.deviceVisit.push(this.visitOf(state!.source, state!.medium, state!.campaign));
  }

  /** Applies the aliases, last and in time order (replayDevices.ts); call once, after every device. */
  finishIdentities(): void {
    this.aliases.sort((a, b) => compareCalls({ at: a.at, messageId: a.messageId }, { at: b.at, messageId: b.messageId }));
    for (const a of this.aliases) {
      const kinds: number[] = [];
      const values: string[] = [];
      if (a.anonymousId !== null) kinds.push(ANON), values.push(a.anonymousId);
      if (a.userId !== null) kinds.push(USER), values.push(a.userId);
      // identityClaim: previousId is an existing userId, else taken as an anonymousId.
      let aliasIndex = -1;
      if (a.previousId !== null && a.previousId !== a.userId) {
        aliasIndex = kinds.length;
        kinds.push(this.graph.lookup(USER, a.previousId) >= 0 ? USER : ANON);
        values.push(a.previousId);
      }
      if (this.graph.link(kinds, values, null, a.at, aliasIndex) === null) this.skipped++;
    }
    this.aliases.length = 0;
  }

  /** Drops the lookups only the scan needs, once it is over. */
  finishScan(): void {
    this.classIndex.clear();
    this.visitIndex.clear();
    this.urls.freeIndex();
  }

  /** The device's visit state, given the messageId of its latest call (deviceLastSeq). */
  visitState(device: number, lastMessageId: string): VisitState {
    return { lastAt: this.deviceLastAt.get(device), lastMessageId, ...this.visits[this.deviceVisit.get(device)]! };
  }

  /** Never skipped: an anonymousId and a userId are two kinds, so no such claim names a new id twice. */
  private claim(anonymousId: string | null, userId: string | null, email: string | null, at: number): void {
    const { kinds, values } = this;
    kinds.length = 0;
    values.length = 0;
    if (anonymousId !== null) kinds.push(ANON), values.push(anonymousId);
    if (userId !== null) kinds.push(USER), values.push(userId);
    this.graph.link(kinds, values, email, at);
  }

  private addTouch(t: Touchpoint, device: number): void {
    this.touchAt.push(t.at);
    this.touchDevice.push(device);
    this.touchMessageId.push(t.messageId);
    this.touchClass.push(this.classOf(t));
    this.touchReferrer.push(this.urls.id(t.referrer));
    this.touchLanding.push(this.urls.id(t.landingPage));
  }

  private visitOf(source: string | null, medium: string | null, campaign: string | null): number {
    const key = keyOf(source, medium, campaign);
    let i = this.visitIndex.get(key);
    if (i === undefined) {
      i = this.visits.length;
      this.visits.push({ source: source && flat(source), medium: medium && flat(medium), campaign: campaign && flat(campaign) });
      this.visitIndex.set(key, i);
    }
    return i;
  }

  private classOf(t: Touchpoint): number {
    const key = keyOf(t.channel, t.source, t.medium, t.campaign, t.term, t.content, t.clickIdType, t.rule);
    let i = this.classIndex.get(key);
    if (i === undefined) {
      i = this.classes.length;
      const f = (v: string | null) => v && flat(v);
      this.classes.push({
        channel: f(t.channel)!,
        source: f(t.source)!,
        medium: f(t.medium)!,
        campaign: f(t.campaign),
        term: f(t.term),
        content: f(t.content),
        clickIdType: f(t.clickIdType),
        rule: f(t.rule)!,
      });
      this.classIndex.set(key, i);
    }
    return i;
  }
}

/**
 * An unambiguous key of some strings (each length-prefixed, whatever characters they hold),
 * as one flat string: a key built with += is a chain of string pieces, kept as such by a Map.
 */
export function keyOf(...parts: Array<string | null>): string {
  const pieces: string[] = [];
  for (const p of parts) pieces.push(p === null ? "-" : `${p.length}:${p}`);
  return pieces.join("");
}
