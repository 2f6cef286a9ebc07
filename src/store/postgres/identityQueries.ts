import type { Store } from "../index.js";
import { toIdentity, type IdentityDbRow } from "../dbRows.js";
import type { Sql } from "./sql.js";

/**
 * Everything of person $1 (`from`) moves into person $2 (`to`), in one statement (its parts see
 * one snapshot and touch different rows). Run after both person rows are locked.
 */
const MERGE = `
  WITH identities_moved AS (UPDATE identities SET person_id = $2 WHERE person_id = $1),
  touchpoints_moved AS (UPDATE touchpoints SET person_id = $2 WHERE person_id = $1),
  conversions_moved AS (UPDATE conversions SET person_id = $2 WHERE person_id = $1),
  -- The paths report's copy of each conversion's person moves with it (the snapshot still has them under $1).
  paths_moved AS (UPDATE conversion_paths SET person_id = $2 WHERE conversion_id IN (SELECT id FROM conversions WHERE person_id = $1)),
  deals_moved AS (UPDATE deals SET person_id = $2 WHERE person_id = $1),
  traits_dropped AS (DELETE FROM person_traits WHERE person_id = $1),
  dirty_dropped AS (DELETE FROM dirty_persons WHERE person_id = $1),
  -- Person-level derivation still pending for 'from' is owed to 'to' now.
  pending_owed AS (
    INSERT INTO pending_persons (person_id, rows, since) SELECT $2, rows, since FROM pending_persons WHERE person_id = $1
    ON CONFLICT (person_id) DO UPDATE SET rows = pending_persons.rows + excluded.rows,
      since = least(pending_persons.since, excluded.since)),
  pending_dropped AS (DELETE FROM pending_persons WHERE person_id = $1),
  touches_moved AS (UPDATE pending_touches SET person_id = $2 WHERE person_id = $1)
  DELETE FROM persons WHERE person_id = $1`;

/** The identity graph: identities, the persons they belong to, and moving a person into another. */
export function identityQueries(sql: Sql): Store["identities"] {
  return {
    async identity(kind, value) {
      const r = await sql.one<IdentityDbRow>("SELECT * FROM identities WHERE kind = $1 AND value = $2", [kind, value]);
      return r && toIdentity(r);
    },
    async insertIdentity(kind, value, personId, inferred, seenAt, aliasOnly = false) {
      await sql.run("INSERT INTO identities (kind, value, person_id, inferred, last_seen, alias_only) VALUES ($1, $2, $3, $4, $5, $6)", [
        kind,
        value,
        personId,
        inferred ? 1 : 0,
        seenAt,
        aliasOnly ? 1 : 0,
      ]);
    },
    async clearAliasOnly(kind, value) {
      await sql.run("UPDATE identities SET alias_only = 0 WHERE kind = $1 AND value = $2", [kind, value]);
    },
    async touchIdentity(kind, value, seenAt) {
      await sql.run("UPDATE identities SET last_seen = greatest(last_seen, $1) WHERE kind = $2 AND value = $3", [seenAt, kind, value]);
    },
    async identitiesOf(personId) {
      return (await sql.rows<IdentityDbRow>("SELECT * FROM identities WHERE person_id = $1 ORDER BY kind, value", [personId])).map(toIdentity);
    },
    async identityCount(personId) {
      return (await sql.one<{ n: number }>("SELECT count(*) AS n FROM identities WHERE person_id = $1", [personId]))!.n;
    },
    async createPerson(now) {
      return (await sql.one<{ person_id: number }>("INSERT INTO persons (created_at) VALUES ($1) RETURNING person_id", [now]))!.person_id;
    },
    async markInferred(personId) {
      await sql.run("UPDATE identities SET inferred = 1 WHERE person_id = $1 AND kind <> 'email'", [personId]);
    },
    /**
     * Both persons' rows are locked first, in id order: the merge waits for a derivation of
     * either in flight (it holds them, see cursorQueries.pendingPersons), and no derivation
     * starts on them until the merge commits.
     */
    async mergePersonInto(from, to) {
      const merge = async () => {
        await sql.rows("SELECT person_id FROM persons WHERE person_id IN ($1, $2) ORDER BY person_id FOR UPDATE", [from, to]);
        await sql.run(MERGE, [from, to]);
      };
      await sql.atomic(merge);
    },
  };
}
