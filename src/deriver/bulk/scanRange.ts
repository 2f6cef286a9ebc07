import type { ConversionEvents } from "../../pipeline/conversionEvents.js";
import type { BulkMessage, DeviceKey, RawReader } from "../../store/index.js";
import type { Classifier } from "../../sources/index.js";
import type { Collected, DeviceMessage } from "./collect.js";
import { messageParts, type DetailEvents, type MessageParts } from "./messageParts.js";

export interface ScanContext {
  classifier: Classifier;
  sessionTimeoutMs: number;
  conversionEvents: ConversionEvents;
  detail: DetailEvents;
}

export interface ScanOptions {
  /** Messages per keyset page: small enough that a page's rows die young (never promoted to V8's old generation). */
  pageSize: number;
}

export const DEFAULT_SCAN: ScanOptions = { pageSize: 1000 };

/**
 * Scans every message in store order, device by device (keyset pages over the messages_device
 * index), into `into`. Only one device's messages are held at a time; of each message only the
 * parts derivation reads (BulkMessage) are parsed.
 */
export async function scanMessages(reader: RawReader, ctx: ScanContext, into: Collected, opts: ScanOptions = DEFAULT_SCAN): Promise<void> {
  const sessionize = { classifier: ctx.classifier, sessionTimeoutMs: ctx.sessionTimeoutMs };
  let deviceId: string | null = null;
  let device: DeviceMessage[] = [];
  let after: DeviceKey | null = null;
  for (;;) {
    const page = await reader.messagesByDevice(after, opts.pageSize, ctx.detail.names);
    const parts = await partsOf(reader, page, ctx);
    for (const [i, m] of page.entries()) {
      const p = parts[i];
      if (!p) continue; // an unknown type: fromStored skips it
      if (m.deviceId !== deviceId) {
        if (deviceId !== null) into.addDevice(deviceId, device, sessionize);
        deviceId = m.deviceId;
        device = [];
      }
      device.push({ seq: m.seq, messageId: m.messageId, anonymousId: m.anonymousId, userId: m.userId, timestamp: m.timestamp, parts: p });
    }
    if (page.length < opts.pageSize) break;
    const last = page[page.length - 1]!;
    after = { deviceId: last.deviceId, timestamp: last.timestamp, messageId: last.messageId };
  }
  if (deviceId !== null) into.addDevice(deviceId, device, sessionize);
}

/** Each row's parts (null: unknown type), asking the store for more of the few rows whose parts are not enough. */
async function partsOf(reader: RawReader, page: readonly BulkMessage[], ctx: ScanContext): Promise<Array<MessageParts | null>> {
  const out = page.map((m) => messageParts(m, null, ctx.conversionEvents, ctx.detail));
  const missing = page.filter((_, i) => out[i] === "more").map((m) => m.messageId);
  if (missing.length === 0) return out as Array<MessageParts | null>;
  const more = await reader.moreParts(missing);
  return out.map((p, i) => {
    if (p !== "more") return p;
    const m = page[i]!;
    const parts = messageParts(m, JSON.parse(more.get(m.messageId) ?? "[]") as unknown[], ctx.conversionEvents, ctx.detail);
    return parts === "more" ? null : parts;
  });
}
