import { createHmac } from "node:crypto";
import { generatePersons } from "../test/support/generateDataset.js";

export interface SignedBody {
  body: Buffer;
  signature: string;
}

export interface SignedBodies {
  bodies: SignedBody[];
  /** Mean number of distinct persons in one body. */
  personsPerBody: number;
  /** Time covered by the mean body (its first to last message), in seconds. */
  secondsPerBody: number;
}

interface Timed {
  at: number;
  person: number;
  json: Buffer;
}

const OPEN = Buffer.from("[");
const COMMA = Buffer.from(",");
const CLOSE = Buffer.from("]");

/**
 * The first `total` messages of a generated site's traffic in time order, as Segment forwards
 * them: the generator yields person after person (each person's history, oldest first), so
 * consecutive messages there are one person's visits over days; merged by timestamp they are
 * many persons' calls interleaved, as a webhook batch holds them. Each message is serialised
 * to a Buffer as it is generated: half a million live strings on the JS heap made GC take
 * twice the time of everything else.
 */
function timeOrdered(total: number, seed: number): Timed[] {
  const all: Timed[] = [];
  for (const person of generatePersons({ persons: Number.MAX_SAFE_INTEGER, seed })) {
    for (const m of person.messages) all.push({ at: Date.parse(m.timestamp as string), person: person.index, json: Buffer.from(JSON.stringify(m)) });
    // The persons generated last would only add late messages to a cut the first persons fill.
    if (all.length >= total) break;
  }
  // Stable: messages at the same millisecond keep their person's order.
  all.sort((a, b) => a.at - b.at);
  all.length = Math.min(all.length, total);
  return all;
}

/** `count` distinct signed request bodies of time-ordered traffic: `batch` messages each (an array), or one bare message when batch is 1. */
export function signedBodies(count: number, batch: number, seed: number, secret: string): SignedBodies {
  const messages = timeOrdered(count * batch, seed);
  const bodies: SignedBody[] = [];
  let persons = 0;
  let seconds = 0;
  for (let i = 0; i < messages.length; i += batch) {
    const chunk = messages.slice(i, i + batch);
    const body = batch === 1 ? chunk[0]!.json : Buffer.concat([OPEN, ...chunk.flatMap((m, k) => (k === 0 ? [m.json] : [COMMA, m.json])), CLOSE]);
    bodies.push({ body, signature: createHmac("sha1", secret).update(body).digest("hex") });
    persons += new Set(chunk.map((m) => m.person)).size;
    seconds += (chunk[chunk.length - 1]!.at - chunk[0]!.at) / 1000;
  }
  return { bodies, personsPerBody: persons / bodies.length, secondsPerBody: seconds / bodies.length };
}
