/**
 * Campaign parameters of one call: UTMs (landing-page query first, else
 * Segment's `context.campaign`) and the highest-ranked click id.
 *
 * Choices (DESIGN.md leaves them open):
 * - The URL's UTMs and `context.campaign` are not mixed field by field: if the
 *   URL carries any utm_source/utm_medium/utm_campaign, its set is used alone,
 *   otherwise `context.campaign`'s. Mixing could glue two campaigns together.
 * - UTM values are trimmed and lower-cased (all five fields), empty ones are absent,
 *   and cut to MAX_CAMPAIGN_FIELD_LENGTH characters (inputLimits.ts).
 * - Only utm_source, utm_medium or utm_campaign make "campaign parameters":
 *   a lone utm_term/utm_content is ignored (sites often tag internal links
 *   with utm_content alone, and that must not end the visit's attribution).
 */
import type { SegmentCampaign } from "./types.js";
import { CLICK_IDS, CLICK_ID_RANK, type ClickIdSource } from "./clickIds.js";
import { decodeQueryComponent, forEachQueryParam } from "./urlParts.js";
import { MAX_CAMPAIGN_FIELD_LENGTH } from "./inputLimits.js";

export interface Utm {
  source: string | null;
  medium: string | null;
  campaign: string | null;
  term: string | null;
  content: string | null;
}

export interface CampaignParams {
  /** Null unless at least one of source, medium, campaign is set. */
  utm: Utm | null;
  clickId: ClickIdSource | null;
}

const NO_PARAMS: CampaignParams = { utm: null, clickId: null };

const UTM_QUERY_FIELD: ReadonlyMap<string, keyof Utm> = new Map([
  ["utm_source", "source"],
  ["utm_medium", "medium"],
  ["utm_campaign", "campaign"],
  ["utm_term", "term"],
  ["utm_content", "content"],
]);

// Segment's context.campaign uses `name` for the campaign; some sources send the utm_ names.
const CONTEXT_FIELD: ReadonlyMap<string, keyof Utm> = new Map([
  ["source", "source"],
  ["medium", "medium"],
  ["name", "campaign"],
  ["campaign", "campaign"],
  ["term", "term"],
  ["content", "content"],
  ...UTM_QUERY_FIELD,
]);

function emptyUtm(): Utm {
  return { source: null, medium: null, campaign: null, term: null, content: null };
}

/** Trimmed, lower-cased, at most MAX_CAMPAIGN_FIELD_LENGTH characters; null when empty. */
function normalise(value: string): string | null {
  const cut = value.length > MAX_CAMPAIGN_FIELD_LENGTH * 4 ? value.slice(0, MAX_CAMPAIGN_FIELD_LENGTH * 4) : value;
  const v = cut.trim().toLowerCase();
  if (v === "") return null;
  return v.length > MAX_CAMPAIGN_FIELD_LENGTH ? v.slice(0, MAX_CAMPAIGN_FIELD_LENGTH).trimEnd() : v;
}

function hasCampaignFields(utm: Utm): boolean {
  return utm.source !== null || utm.medium !== null || utm.campaign !== null;
}

/** UTMs and click id of a landing page's raw query string. */
export function campaignFromQuery(query: string): CampaignParams {
  if (query === "") return NO_PARAMS;
  const utm = emptyUtm();
  let clickRank = CLICK_IDS.length;
  forEachQueryParam(query, (key, raw) => {
    const field = UTM_QUERY_FIELD.get(key);
    if (field !== undefined) {
      // The first occurrence of a parameter wins, like GA.
      if (utm[field] === null) utm[field] = normalise(decodeQueryComponent(raw));
      return;
    }
    const rank = CLICK_ID_RANK.get(key);
    if (rank !== undefined && rank < clickRank && raw.trim() !== "") clickRank = rank;
  });
  return { utm: hasCampaignFields(utm) ? utm : null, clickId: CLICK_IDS[clickRank] ?? null };
}

/** UTMs from Segment's `context.campaign` (strings or numbers only). */
export function utmFromContext(campaign: SegmentCampaign | null): Utm | null {
  if (campaign === null || typeof campaign !== "object") return null;
  const utm = emptyUtm();
  for (const [key, value] of Object.entries(campaign)) {
    const field = CONTEXT_FIELD.get(key.toLowerCase());
    if (field === undefined || utm[field] !== null) continue;
    if (typeof value === "string") utm[field] = normalise(value);
    else if (typeof value === "number" && Number.isFinite(value)) utm[field] = String(value);
  }
  return hasCampaignFields(utm) ? utm : null;
}
