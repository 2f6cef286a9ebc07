/** Public face of src/reports: read models over the store (attribution, paths, overview, a person's journey). */
export { attributionReport, parseReportQuery, GROUPINGS, type ReportQuery, type ParsedQuery } from "./attributionReport.js";
export { reportCsv, toCsv, csvField, neutraliseFormula } from "./csv.js";
export { findPerson, personView } from "./personView.js";
