import type { CreditTouch } from "../types.js";

/**
 * Click ids that Segment sources add to organic links too (DESIGN "Classification": fbclid and
 * igshid alone make facebook / instagram social, not paid): they are no campaign.
 */
const ORGANIC_CLICK_IDS: ReadonlySet<string> = new Set(["fbclid", "igshid"]);

/**
 * Whether a touchpoint "has campaign parameters" for CAMPAIGN_PRIORITY: UTM tags (rule `utm`:
 * any utm_* in the landing URL or context.campaign), a campaign name (utm_campaign, or the
 * campaign of an email/push spec event), or an ad click id (gclid, msclkid, ...: the ad
 * platform knows the campaign even when the URL does not name it). fbclid and igshid alone do
 * not count: Meta adds them to organic links as well.
 */
export function hasCampaign(touch: { rule: string; campaign: string | null; clickIdType: string | null }): boolean {
  if (touch.rule === "utm") return true;
  if (touch.campaign !== null && touch.campaign !== "") return true;
  return touch.clickIdType !== null && !ORGANIC_CLICK_IDS.has(touch.clickIdType);
}

/**
 * Indices (ascending) of the touches that may win a last-touch-style model under campaign
 * priority: the campaign touches when there is one (so none is displaced by a later
 * campaign-less touch), otherwise every touch.
 */
export function priorityCandidates(touches: readonly CreditTouch[]): number[] {
  const campaign: number[] = [];
  touches.forEach((touch, i) => {
    if (touch.hasCampaign === true) campaign.push(i);
  });
  return campaign.length > 0 ? campaign : touches.map((_, i) => i);
}
