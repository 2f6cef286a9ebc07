/** The channel groups a touchpoint can fall into (GA4 default channel group plus our AI Assistants). */
export type Channel = string;

/** Segment's `context.campaign` object (utm_* without the prefix: name, source, medium, term, content). */
export type SegmentCampaign = Record<string, unknown>;

/**
 * What the classifier says about one page/screen call.
 * `kind` tells sessionization how the call may start a visit:
 * - `campaign`: UTMs or a click id were present;
 * - `referrer`: an external referrer;
 * - `none`: no campaign and no external referrer (direct, internal, ignored or unparseable referrer).
 */
export interface Classification {
  kind: "campaign" | "referrer" | "none";
  source: string;
  medium: string;
  campaign: string | null;
  term: string | null;
  content: string | null;
  channel: Channel;
  clickIdType: string | null;
  /** Which rule classified it, e.g. `utm`, `click_id:gclid`, `referrer:search`, `ai_assistant`, `direct`. */
  rule: string;
}

export interface ClassifyInput {
  /** Landing page URL (context.page.url or properties.url). */
  url: string | null;
  /** context.page.referrer or properties.referrer. */
  referrer: string | null;
  campaign: SegmentCampaign | null;
}
