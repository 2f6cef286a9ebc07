import { CREDITED_MODELS } from "../../attribution/types.js";

/**
 * The PostgreSQL twin of ../sqlite/conversionPaths.ts: conversion_paths (migration 9) per
 * conversion and credited model, written by these statements wherever conversions, credits or
 * touchpoints change. `path` is the JSON array SQLite's json_group_array writes (no spaces).
 */

/** The models with a row per conversion: those the paths report accepts (and derivation credits). */
export const PATH_MODELS: readonly string[] = CREDITED_MODELS;

const COLUMNS = "model, conversion_id, conversion_at, conversion_name, person_id, revenue, currency, reporting_revenue, touches, path, first_touch_at";
const COPIED = COLUMNS.split(", ").slice(2);

/** Rows of the conversions `where` selects (over `conversions c`) under every model of the text[] `models`. */
function insertRows(where: string, models: string): string {
  return `INSERT INTO conversion_paths (${COLUMNS})
    SELECT m.model, c.id, c.at, c.name, c.person_id, c.revenue, c.currency, c.reporting_revenue, count(cr.channel)::int,
      '[' || string_agg(to_json(cr.channel)::text, ',' ORDER BY cr.touch_index) || ']', min(t.at)
    FROM conversions c CROSS JOIN unnest(${models}) AS m(model)
    LEFT JOIN credits cr ON cr.conversion_id = c.id AND cr.model = m.model AND cr.touch_index IS NOT NULL
    LEFT JOIN touchpoints t ON t.id = cr.touchpoint_id
    WHERE ${where}
    GROUP BY c.id, m.model`;
}

const UPSERT = `ON CONFLICT (model, conversion_id) DO UPDATE SET ${COPIED.map((c) => `${c} = excluded.${c}`).join(", ")}
  WHERE (${COPIED.map((c) => `conversion_paths.${c}`).join(", ")}) IS DISTINCT FROM (${COPIED.map((c) => `excluded.${c}`).join(", ")})`;

/**
 * $1 the conversion id, $2 PATH_MODELS: brings its rows up to date, leaving rows already right
 * unwritten (the deriver re-credits every conversion of a person it derives).
 */
export const REFRESH_PATHS_OF = `${insertRows("c.id = $1", "$2::text[]")}
  ${UPSERT}`;

/** $1 a person id, $2 PATH_MODELS: the same for each of the person's conversions (its touchpoints were rebuilt). */
export const REFRESH_PATHS_OF_PERSON = `${insertRows("c.person_id = $1", "$2::text[]")}
  ${UPSERT}`;
