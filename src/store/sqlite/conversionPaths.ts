import { CREDITED_MODELS } from "../../attribution/types.js";

/**
 * conversion_paths (migration 9) holds, per conversion and credited model, what the paths
 * report reads: the conversion's own columns (copied) and its path under the model. It is a
 * function of conversions, credits and touchpoints, so it is written by one statement built
 * here, wherever any of them changes: `path` is exactly what the report's old per-credit
 * query produced (json_group_array of the channels of the model's touch rows in touch_index
 * order; NULL for none), `first_touch_at` the earliest time of those rows' touchpoints.
 *
 * Why every column of the conversion is copied in: with only the path per (conversion, model)
 * the report still looked each conversion in range up by key, which measured no faster than
 * the per-credit join it replaced (106 ms against 92 ms, the query alone at 20k conversions);
 * one scan of the model's rows with no lookup measured 23 ms (a month: 12 ms), about the time
 * of the attribution report.
 */

/** The models with a row per conversion: those the paths report accepts (and derivation credits). */
export const PATH_MODELS_JSON = JSON.stringify(CREDITED_MODELS);

const COLUMNS = "model, conversion_id, conversion_at, conversion_name, person_id, revenue, currency, reporting_revenue, touches, path, first_touch_at";

/**
 * INSERT of the rows of the conversions `where` selects (over `conversions c`) under every
 * model of the JSON array `models` (an SQL expression). A conversion with no touch row under
 * a model (Unattributed, or not credited yet) still has its row: touches 0, path NULL.
 */
function insertRows(where: string, models: string): string {
  return `INSERT INTO conversion_paths (${COLUMNS})
    SELECT m.value, c.id, c.at, c.name, c.person_id, c.revenue, c.currency, c.reporting_revenue, count(cr.channel),
      CASE WHEN count(cr.channel) = 0 THEN NULL ELSE json_group_array(cr.channel ORDER BY cr.touch_index) END, min(t.at)
    FROM conversions c CROSS JOIN json_each(${models}) m
    LEFT JOIN credits cr INDEXED BY credits_conversion_model
      ON cr.conversion_id = c.id AND cr.model = m.value AND cr.touch_index IS NOT NULL
    LEFT JOIN touchpoints t ON t.id = cr.touchpoint_id
    WHERE ${where}
    GROUP BY c.id, m.value`;
}

const CHANGED = COLUMNS.split(", ")
  .slice(2)
  .map((c) => `conversion_paths.${c} IS NOT excluded.${c}`)
  .join(" OR ");

const UPSERT = `ON CONFLICT (model, conversion_id) DO UPDATE SET ${COLUMNS.split(", ")
  .slice(2)
  .map((c) => `${c} = excluded.${c}`)
  .join(", ")}
  WHERE ${CHANGED}`;

/**
 * Brings the rows of one conversion (@id) up to date; rows already right are not written (the
 * deriver re-credits every conversion of a person it derives, most of them unchanged). Run
 * after any change to the conversion or its credits; a conversion that is gone is removed with
 * DELETE_PATHS_OF.
 */
export const REFRESH_PATHS_OF = `${insertRows("c.id = @id", "@models")}
  ${UPSERT}`;

/**
 * The same for every conversion of a person (@personId): after its touchpoints were rebuilt,
 * whose times the first touch is read from, before the person is re-credited.
 */
export const REFRESH_PATHS_OF_PERSON = `${insertRows("c.person_id = @personId", "@models")}
  ${UPSERT}`;

export const DELETE_PATHS_OF = "DELETE FROM conversion_paths WHERE conversion_id = ?";

/** Every row again, from scratch (the bulk recompute, after its credits are all written). */
export const FILL_PATHS = (models: string) => insertRows("true", models);
