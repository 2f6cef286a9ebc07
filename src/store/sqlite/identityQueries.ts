import type { Db } from "./db.js";
import type { IdentityKind, IdentityRow } from "../types.js";
import { toIdentity, type IdentityDbRow } from "../dbRows.js";

/** The identity graph: identities, the persons they belong to, and moving a person into another. */
export function identityQueries(db: Db) {
  const get = db.prepare("SELECT * FROM identities WHERE kind = ? AND value = ?");
  const insert = db.prepare("INSERT INTO identities (kind, value, person_id, inferred, last_seen, alias_only) VALUES (?, ?, ?, ?, ?, ?)");
  const clearAliasOnly = db.prepare("UPDATE identities SET alias_only = 0 WHERE kind = ? AND value = ?");
  const touch = db.prepare("UPDATE identities SET last_seen = max(last_seen, ?) WHERE kind = ? AND value = ?");
  const ofPerson = db.prepare("SELECT * FROM identities WHERE person_id = ? ORDER BY kind, value");
  const countOfPerson = db.prepare("SELECT count(*) AS n FROM identities WHERE person_id = ?");
  const newPerson = db.prepare("INSERT INTO persons (created_at) VALUES (?)");
  const setInferred = db.prepare("UPDATE identities SET inferred = 1 WHERE person_id = ? AND kind != 'email'");
  const moves = [
    db.prepare("UPDATE identities SET person_id = @to WHERE person_id = @from"),
    db.prepare("UPDATE touchpoints SET person_id = @to WHERE person_id = @from"),
    // The paths report's copy of each conversion's person (its example person) moves with it.
    db.prepare("UPDATE conversion_paths SET person_id = @to WHERE conversion_id IN (SELECT id FROM conversions WHERE person_id = @from)"),
    db.prepare("UPDATE conversions SET person_id = @to WHERE person_id = @from"),
    db.prepare("UPDATE deals SET person_id = @to WHERE person_id = @from"),
    db.prepare("DELETE FROM person_traits WHERE person_id = @from"),
    db.prepare("DELETE FROM dirty_persons WHERE person_id = @from"),
    // Person-level derivation still pending for `from` is owed to `to` now.
    db.prepare(
      `INSERT INTO pending_persons (person_id, rows, since) SELECT @to, rows, since FROM pending_persons WHERE person_id = @from
       ON CONFLICT (person_id) DO UPDATE SET rows = rows + excluded.rows, since = min(since, excluded.since)`,
    ),
    db.prepare("DELETE FROM pending_persons WHERE person_id = @from"),
    db.prepare("UPDATE pending_touches SET person_id = @to WHERE person_id = @from"),
    db.prepare("DELETE FROM persons WHERE person_id = @from"),
  ];

  return {
    identity(kind: IdentityKind, value: string): IdentityRow | undefined {
      const r = get.get(kind, value) as IdentityDbRow | undefined;
      return r && toIdentity(r);
    },
    insertIdentity(kind: IdentityKind, value: string, personId: number, inferred: boolean, seenAt: number, aliasOnly = false): void {
      insert.run(kind, value, personId, inferred ? 1 : 0, seenAt, aliasOnly ? 1 : 0);
    },
    clearAliasOnly(kind: IdentityKind, value: string): void {
      clearAliasOnly.run(kind, value);
    },
    touchIdentity(kind: IdentityKind, value: string, seenAt: number): void {
      touch.run(seenAt, kind, value);
    },
    identitiesOf(personId: number): IdentityRow[] {
      return (ofPerson.all(personId) as IdentityDbRow[]).map(toIdentity);
    },
    identityCount(personId: number): number {
      return (countOfPerson.get(personId) as { n: number }).n;
    },
    createPerson(now: number): number {
      return Number(newPerson.run(now).lastInsertRowid);
    },
    /** Flags a person's ids as joined by an inferred (trait-matching) link. */
    markInferred(personId: number): void {
      setInferred.run(personId);
    },
    /** Moves everything of person `from` into person `to`; `from` ceases to exist. */
    mergePersonInto(from: number, to: number): void {
      for (const s of moves) s.run({ from, to });
    },
  };
}
