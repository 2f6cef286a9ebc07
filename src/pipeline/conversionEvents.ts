/**
 * CONVERSION_EVENTS matched case- and space-insensitively: "Signed up", "signed  up",
 * "SignedUp" and " Signed Up " are all the configured "Signed Up". Letters are compared
 * lower-cased (Unicode case folding of toLowerCase) and every whitespace character is ignored;
 * other characters (`_`, `-`, `.`) count. The conversion is named as configured, so reports
 * group one event however each source spells it. Pure: no I/O.
 */
export const eventKey = (event: string): string => event.toLowerCase().replace(/\s+/gu, "");

export class ConversionEvents implements Iterable<string> {
  private readonly byKey = new Map<string, string>();

  constructor(names: Iterable<string>) {
    for (const name of names) {
      const key = eventKey(name);
      if (key !== "" && !this.byKey.has(key)) this.byKey.set(key, name);
    }
  }

  /** Whether a track event of this name is a conversion. */
  has(event: string): boolean {
    return this.byKey.has(eventKey(event));
  }

  /** The configured name the event matches, or null. */
  nameOf(event: string): string | null {
    return this.byKey.get(eventKey(event)) ?? null;
  }

  get size(): number {
    return this.byKey.size;
  }

  /** The configured names (first spelling of each). */
  [Symbol.iterator](): Iterator<string> {
    return this.byKey.values();
  }
}
