/** The untyped `referer-parser` package (the classification baseline). */
declare module "referer-parser" {
  class Referer {
    constructor(refererUrl: string, currentUrl?: string, referers?: unknown);
    known: boolean;
    referer: string | null;
    medium: string;
    search_parameter: string | null;
    search_term: string | null;
  }
  export = Referer;
}
