// The dashboard: plain DOM, no framework, no build step. Every value from the API is set as
// text (never innerHTML): channels, campaigns and referrers come from visitors' URLs.
// Views (the URL's hash): #compare, #drill, #markov, #paths, #journey[/<id>], #rejected. Every report is
// read from the API; the model list comes from `model=all`, so models added on the server show
// up here with no change (named by MODEL_INFO, or by their id).
const TOKEN_KEY = "sa_token";
const SVG_NS = "http://www.w3.org/2000/svg";
const DAY_MS = 86_400_000;
const $ = (sel, root = document) => root.querySelector(sel);

/** Plain-language name and one-line explanation of each model id. */
const MODEL_INFO = {
  first_touch: ["First touch", "all credit to the first visit"],
  last_touch: ["Last touch", "all credit to the last visit before the conversion"],
  last_non_direct: ["Last non-direct", "all credit to the last visit that was not Direct"],
  linear: ["Linear", "equal credit to every visit"],
  time_decay: ["Time decay", "more credit to visits closer to the conversion"],
  position_based: ["Position based", "40 % to the first and to the last visit, 20 % shared by those between"],
  j_shaped: ["J-shaped", "most credit to the last visit, some to the first, a little to those between"],
  inverse_j: ["Inverse J", "most credit to the first visit, some to the last, a little to those between"],
  custom: ["Custom", "first, middle and last visits weighted as configured"],
  participation: ["Participation", "full credit to every channel that took part (adds up to more than the conversions)"],
  markov: ["Markov (data-driven)", "credit by how many conversions would be lost without the channel"],
  markov_global: ["Markov, global", "each channel's share of all removal effects, the same split for every conversion"],
  shapley: ["Shapley (data-driven)", "credit by each channel's average contribution over every combination of channels"],
};
const modelName = (m) => MODEL_INFO[m]?.[0] ?? m;
const modelLabel = (m) => (MODEL_INFO[m] ? `${MODEL_INFO[m][0]} — ${MODEL_INFO[m][1]}` : m);
// Colours of the grouped bars, one per model in the API's order (presentation attributes: no inline style).
const PALETTE = ["#3559e0", "#e07b35", "#2f9e6e", "#b8398a", "#7a5af8", "#d4a106", "#0e9fb5", "#c0392b", "#5b6b82", "#8bbf3f", "#e05d9a", "#1d7a4f", "#a86b2d"];
const GROUPINGS = { channel: "Channel", source: "Source", source_medium: "Source / medium", campaign: "Campaign" };

/** Builds an element; string children become text nodes. */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null && v !== false) node.setAttribute(k, String(v));
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false).map((c) => (typeof c === "number" ? String(c) : c)));
  return node;
}

/** The SVG twin of `el`. */
function svgEl(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) node.setAttribute(k, String(v));
  node.append(...children.flat());
  return node;
}

// ---- numbers and money -----------------------------------------------------------------

const intFmt = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
/** Credited conversions are fractional: one decimal below 100, whole above. */
const fmtCount = (n) => (typeof n !== "number" ? "–" : Math.abs(n) >= 100 || Number.isInteger(n) ? intFmt.format(n) : n.toFixed(1));
const fmtPct = (n) => (typeof n !== "number" || !Number.isFinite(n) ? "–" : `${(n * 100).toFixed(Math.abs(n) < 0.1 ? 1 : 0)} %`);
const fmtDays = (d) => (typeof d !== "number" ? "–" : d < 1 ? `${Math.round(d * 24)} h` : `${d.toFixed(d < 10 ? 1 : 0)} d`);
let currency = null; // the reports' `currency`, when the server reports one
/** Money rounded for display: whole units from 100 up, cents below; with the currency when known. */
function fmtMoney(v, cur = currency) {
  if (typeof v !== "number") return "–";
  const digits = Math.abs(v) >= 100 ? 0 : 2;
  if (cur) {
    try {
      return new Intl.NumberFormat("en-US", { style: "currency", currency: cur, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v);
    } catch {
      /* not an ISO 4217 code: fall through */
    }
  }
  const n = new Intl.NumberFormat("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v);
  return cur ? `${n} ${cur}` : n;
}
/** `{"EUR": 4800}` → "+ €4,800 unconverted" (revenue in a currency with no exchange rate). */
function unconvertedNote(u) {
  const parts = Object.entries(u ?? {}).filter(([, v]) => v).map(([c, v]) => fmtMoney(v, c));
  return parts.length ? el("span", { class: "unconverted", title: "revenue in a currency with no exchange rate: not in the total" }, `+ ${parts.join(", ")} unconverted`) : null;
}
/** "+12 %" / "−3 %" change from the previous period, classed up/down. */
function deltaEl(now, before, neutral = false) {
  if (typeof now !== "number" || typeof before !== "number") return null;
  if (before === 0) return el("span", { class: "delta" }, now === 0 ? "±0" : "new");
  const d = (now - before) / Math.abs(before);
  return el("span", { class: `delta ${neutral ? "" : d > 0.0005 ? "up" : d < -0.0005 ? "down" : ""}`, "data-change": d.toFixed(4) }, `${d > 0 ? "+" : d < 0 ? "−" : "±"}${Math.abs(d * 100).toFixed(0)} %`);
}

// ---- API -------------------------------------------------------------------------------

class Unauthorized extends Error {}

function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
  document.cookie = `${TOKEN_KEY}=; path=/; SameSite=Strict; max-age=0`;
}
const authHeaders = () => {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { Authorization: `Bearer ${token}` } : {};
};

/** GET an /api path with the session's token; a 401 drops the token and shows the login. */
async function api(path) {
  let res;
  try {
    res = await fetch(path, { headers: authHeaders() });
  } catch {
    throw new Error("the service did not answer (is it running?)");
  }
  if (res.status === 401) {
    forgetToken();
    showLogin("The token was not accepted, or the session ended. Enter it again.");
    throw new Unauthorized();
  }
  const body = await res.json().catch(() => null);
  if (!res.ok) throw Object.assign(new Error(body?.error?.message ?? `HTTP ${res.status}`), { status: res.status });
  return body;
}

/** A "Download CSV" button: the API's `format=csv` fetched with the token, saved as a file. */
function csvButton(path, name) {
  const b = el("button", { type: "button", class: "csv", "data-csv": path }, "Download CSV");
  b.addEventListener("click", async () => {
    const sep = path.includes("?") ? "&" : "?";
    const res = await fetch(`${path}${sep}format=csv`, { headers: authHeaders() });
    if (!res.ok) return void (b.textContent = `CSV failed (HTTP ${res.status})`);
    const url = URL.createObjectURL(await res.blob());
    const a = el("a", { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });
  return b;
}

/** The login form: the token is kept in sessionStorage (for API calls) and a session cookie (for GET /). */
function showLogin(message) {
  const root = $("#login-root");
  const input = el("input", { id: "token", type: "password", autocomplete: "current-password", required: "" });
  const form = el("form", { id: "login-form" }, el("label", {}, "API token ", input), el("button", { type: "submit" }, "Sign in"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const token = input.value.trim();
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    const secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = `${TOKEN_KEY}=${encodeURIComponent(token)}; path=/; SameSite=Strict${secure}`;
    location.reload();
  });
  root.replaceChildren(
    el("h2", {}, "Sign in"),
    ...(message ? [el("p", { class: "error" }, message)] : []),
    el("p", { class: "muted" }, "The token is the service's API_TOKEN setting."),
    form,
  );
  root.hidden = false;
  $("#dashboard")?.setAttribute("hidden", "");
  $("#views")?.setAttribute("hidden", "");
  document.body.dataset.state = "login";
  input.focus();
}

// ---- filters -----------------------------------------------------------------------------

const state = {
  view: "compare",
  person: "",
  groupBy: "channel",
  metric: "conversions",
  model: "linear",
  hidden: new Set(), // models left out of the comparison chart
  drill: { channel: null, sourceMedium: null },
  models: [], // every model id the server reports, in its order
  rejectedOffset: 0,
};

const utcDay = (ms) => Math.floor(ms / DAY_MS) * DAY_MS;
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);

/** The chosen range as [from, to) in epoch ms (null: unbounded), in UTC days as the API counts them. */
function chosenRange() {
  const preset = $("#preset").value;
  const tomorrow = utcDay(Date.now()) + DAY_MS;
  if (preset === "all") return { from: null, to: null };
  if (preset === "month") {
    const d = new Date();
    return { from: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), to: tomorrow };
  }
  if (preset === "custom") {
    const from = $("#from").value ? Date.parse(`${$("#from").value}T00:00:00.000Z`) : null;
    // The date picker's "to" is inclusive; the API's is exclusive: up to the next midnight.
    const to = $("#to").value ? Date.parse(`${$("#to").value}T00:00:00.000Z`) + DAY_MS : null;
    return { from, to };
  }
  return { from: tomorrow - Number(preset) * DAY_MS, to: tomorrow };
}

/** The period just before, as long as the chosen one; null when the range is open. */
function previousRange(r) {
  if (r.from === null || r.to === null) return null;
  return { from: r.from - (r.to - r.from), to: r.from };
}

function rangeText(r) {
  if (r.from === null && r.to === null) return "all time";
  const a = r.from === null ? "the start" : isoDay(r.from);
  const b = r.to === null ? "now" : isoDay(r.to - DAY_MS);
  return `${a} to ${b} (UTC)`;
}

/** Query string for a report: range, conversion filter, extras. */
function qs(r, extra = {}) {
  const p = new URLSearchParams();
  if (r.from !== null) p.set("from", new Date(r.from).toISOString());
  if (r.to !== null) p.set("to", new Date(r.to).toISOString());
  const conversion = $("#conversion").value;
  if (conversion) p.set("conversion", conversion);
  for (const [k, v] of Object.entries(extra)) if (v !== null && v !== undefined && v !== "") p.set(k, v);
  return p.toString();
}

// ---- charts ------------------------------------------------------------------------------

/** Width available to a chart: its container's, so bars and labels fit at 390 px and at 1366 px. */
const chartWidth = (container) => Math.max(280, Math.min(container.clientWidth || 800, 980));

/**
 * Horizontal bars (one per item) as SVG: label, bar, value. Items may carry low/high (drawn as
 * an error bar). Each bar carries data-key / data-value for tests and tooling.
 */
function barChart(container, items, { name, format = fmtCount, color = PALETTE[0] } = {}) {
  const width = chartWidth(container);
  const labelW = Math.min(200, Math.round(width * 0.34));
  const valueW = 78;
  const barW = width - labelW - valueW - 12;
  const rowH = 26;
  const max = Math.max(0, ...items.map((i) => Math.max(i.value, i.high ?? 0)));
  const scale = (v) => (max > 0 ? (Math.max(0, v) / max) * barW : 0);
  const height = Math.max(rowH, items.length * rowH) + 4;
  const svg = svgEl("svg", { class: "chart", "data-chart": name, width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": name });
  items.forEach((it, i) => {
    const y = i * rowH;
    const w = scale(it.value);
    const g = svgEl("g", {},
      svgEl("title", {}, `${it.label}: ${format(it.value)}${it.low !== undefined ? ` (${format(it.low)}–${format(it.high)})` : ""}`),
      svgEl("text", { x: labelW - 8, y: y + 17, "text-anchor": "end", class: "label" }, truncate(it.label, Math.floor(labelW / 7))),
      svgEl("rect", { x: labelW, y: y + 5, width: w, height: rowH - 10, rx: 2, fill: it.color ?? color, "data-key": it.label, "data-value": it.value }));
    if (it.low !== undefined && it.high !== undefined) {
      const [a, b] = [labelW + scale(it.low), labelW + scale(it.high)];
      g.append(svgEl("path", { class: "errorbar", d: `M${a} ${y + 13}H${b}M${a} ${y + 8}V${y + 18}M${b} ${y + 8}V${y + 18}`, "data-low": it.low, "data-high": it.high }));
    }
    g.append(svgEl("text", { x: labelW + Math.max(w, it.high !== undefined ? scale(it.high) : 0) + 6, y: y + 17, class: "value" }, format(it.value)));
    svg.append(g);
  });
  container.replaceChildren(svg);
}

/** Grouped horizontal bars: for each key, one bar per model (colour = model, legend above). */
function groupedChart(container, keys, models, value, { name, format }) {
  const width = chartWidth(container);
  const labelW = Math.min(180, Math.round(width * 0.3));
  const valueW = 60;
  const barW = width - labelW - valueW - 10;
  const barH = models.length > 6 ? 8 : 11;
  const groupH = models.length * (barH + 2) + 14;
  const all = keys.flatMap((k) => models.map((m) => value(k, m)));
  const max = Math.max(0, ...all);
  const height = keys.length * groupH + 4;
  const svg = svgEl("svg", { class: "chart", "data-chart": name, width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": name });
  keys.forEach((k, i) => {
    const y0 = i * groupH;
    svg.append(svgEl("text", { x: labelW - 8, y: y0 + groupH / 2 + 4, "text-anchor": "end", class: "label" }, truncate(k, Math.floor(labelW / 7))));
    svg.append(svgEl("line", { x1: labelW, x2: width - valueW, y1: y0 + groupH - 2, y2: y0 + groupH - 2, class: "gridline" }));
    models.forEach((m, j) => {
      const v = value(k, m);
      const w = max > 0 ? (Math.max(0, v) / max) * barW : 0;
      const y = y0 + 6 + j * (barH + 2);
      svg.append(svgEl("g", {},
        svgEl("title", {}, `${k} — ${modelName(m)}: ${format(v)}`),
        svgEl("rect", { x: labelW, y, width: w, height: barH, fill: modelColor(m), "data-key": k, "data-model": m, "data-value": v }),
        svgEl("text", { x: labelW + w + 4, y: y + barH - 1, class: "value small" }, format(v))));
    });
  });
  container.replaceChildren(svg);
}

const modelColor = (m) => PALETTE[Math.max(0, state.models.indexOf(m)) % PALETTE.length];
const truncate = (s, n) => (s.length > n ? `${s.slice(0, Math.max(1, n - 1))}…` : s);

/** A table with a header row; `cells(row)` gives the td contents; numeric columns right-aligned. */
function table(id, headers, rows, cells, { numeric = [], rowAttrs = () => ({}) } = {}) {
  return el("div", { class: "scroll" },
    el("table", { id },
      el("thead", {}, el("tr", {}, headers.map((h, i) => el("th", { class: numeric.includes(i) ? "num" : null, scope: "col" }, h)))),
      el("tbody", {}, rows.map((r) => el("tr", rowAttrs(r), cells(r).map((c, i) => el(i === 0 ? "th" : "td", { class: numeric.includes(i) ? "num" : null, scope: i === 0 ? "row" : null }, c)))))));
}

/** A card of the view: heading, optional tools (CSV, toggles), body. */
function card(title, tools, ...body) {
  return el("section", { class: "card" }, el("div", { class: "card-head" }, el("h2", {}, title), el("div", { class: "tools" }, tools)), ...body);
}

function notice(kind, title, ...body) {
  return el("div", { class: `notice ${kind}`, role: kind === "error" ? "alert" : null }, el("strong", {}, title), ...body.map((b) => (typeof b === "string" ? el("p", {}, b) : b)));
}

/** Why conversions end up Unattributed, shown when they are a large share. */
function unattributedHint(share) {
  return notice("hint", `${fmtPct(share)} of these conversions are Unattributed.`,
    "A conversion is Unattributed when none of its person's visits comes before it within the lookback window (LOOKBACK_DAYS).",
    "Common causes: a CRM deal whose date is older than the first tracked visit of its person (the deal was created before the website visits were tracked, or the CRM sends the deal's creation date); a deal or order whose userId or email never appeared in an identify call, so it cannot be linked to the visits; conversions imported before page views were.");
}

function emptyRange(r) {
  const b = el("button", { type: "button", id: "show-all-time" }, "Show all time");
  b.addEventListener("click", () => {
    $("#preset").value = "all";
    void refresh();
  });
  return notice("empty", `No conversions from ${rangeText(r)}${$("#conversion").value ? ` for “${$("#conversion").value}”` : ""}.`,
    el("p", {}, "Try a longer range or all conversions. ", b));
}

// ---- overview ----------------------------------------------------------------------------

function renderOverview(o, prev) {
  const figures = { ...o, median_days: o.median_time_to_conversion_hours === null ? null : o.median_time_to_conversion_hours / 24 };
  const before = prev && { ...prev, median_days: prev.median_time_to_conversion_hours === null ? null : prev.median_time_to_conversion_hours / 24 };
  for (const dd of document.querySelectorAll("[data-figure]")) {
    const k = dd.dataset.figure;
    const v = figures[k];
    dd.textContent = v === null || v === undefined ? "–" : k === "revenue" ? fmtMoney(v) : k === "median_days" ? fmtDays(v) : k === "touches_per_conversion" ? v.toFixed(1) : intFmt.format(v);
  }
  for (const dd of document.querySelectorAll("[data-delta]")) {
    const k = dd.dataset.delta;
    // More or fewer days and touches to convert is neither good nor bad in itself: not coloured.
    const neutral = k === "median_days" || k === "touches_per_conversion";
    dd.replaceChildren(...(before ? [deltaEl(figures[k], before[k], neutral) ?? "", el("span", { class: "muted" }, " vs previous")] : []));
  }
}

// ---- views ---------------------------------------------------------------------------------

/** Model comparison: every model side by side per key (chart + table), difference from last touch. */
async function viewCompare(r) {
  const report = await api(`/api/reports/attribution?${qs(r, { model: "all", groupBy: state.groupBy })}`);
  currency = report.currency ?? null;
  state.models = Object.keys(report.models);
  const models = state.models;
  // A data-driven model with no fit yet holds no credit of its own: left out, and said so.
  const unfitted = (m) => report.models[m].fit === null;
  const shown = models.filter((m) => !state.hidden.has(m) && !unfitted(m));
  const metric = state.metric;
  const keys = [];
  for (const m of models) for (const row of report.models[m].rows) if (!keys.includes(row.key)) keys.push(row.key);
  const cell = (k, m) => report.models[m].rows.find((x) => x.key === k)?.[metric] ?? 0;
  const fmt = metric === "revenue" ? (v) => fmtMoney(v) : fmtCount;
  const base = models.includes("last_touch") ? "last_touch" : models[0];
  // Keys by the baseline model's figure, largest first; Unattributed last.
  keys.sort((a, b) => (a === "Unattributed") - (b === "Unattributed") || cell(b, base) - cell(a, base) || (a < b ? -1 : 1));
  const total = report.models[base]?.totals.conversions ?? 0;

  const groupSel = el("select", { id: "group-by", "aria-label": "Group by" }, Object.entries(GROUPINGS).map(([v, t]) => el("option", { value: v, selected: v === state.groupBy ? "" : null }, t)));
  groupSel.addEventListener("change", () => { state.groupBy = groupSel.value; void refresh(); });
  const metricSel = el("select", { id: "metric", "aria-label": "Measure" },
    el("option", { value: "conversions", selected: metric === "conversions" ? "" : null }, "Conversions"),
    el("option", { value: "revenue", selected: metric === "revenue" ? "" : null }, "Revenue"));
  metricSel.addEventListener("change", () => { state.metric = metricSel.value; void refresh(); });

  const legend = el("ul", { class: "legend", id: "model-legend" }, models.map((m) => {
    const box = el("input", { type: "checkbox", value: m, checked: state.hidden.has(m) || unfitted(m) ? null : "", disabled: unfitted(m) ? "" : null });
    box.addEventListener("change", () => { box.checked ? state.hidden.delete(m) : state.hidden.add(m); void refresh(); });
    return el("li", { "data-model": m },
      el("label", {}, box, el("span", { class: `swatch c${models.indexOf(m) % PALETTE.length}` }), el("strong", {}, modelName(m))),
      el("span", { class: "muted" }, ` — ${MODEL_INFO[m]?.[1] ?? "a model of this server"}`),
      unfitted(m) ? el("em", { class: "warn not-fitted" }, " — not fitted yet: shown once the model is fitted (hourly, and at start when there is data)") : null);
  }));

  const chart = el("div", { class: "chart-box", id: "compare-chart" });
  const body = [];
  if (total === 0 && keys.length === 0) body.push(emptyRange(r));
  else {
    const unattributed = report.models[base].rows.find((x) => x.key === "Unattributed")?.conversions ?? 0;
    if (total > 0 && unattributed / total > 0.5) body.push(unattributedHint(unattributed / total));
    body.push(chart);
  }
  const rows = [...keys.map((k) => ({ key: k })), { key: null }];
  const valueOf = (row, m) => (row.key === null ? report.models[m].totals[metric] : cell(row.key, m));
  const tbl = table("models-table", [GROUPINGS[state.groupBy], ...shown.map(modelName)], rows, (row) => [
    row.key ?? "Total",
    ...shown.map((m) => {
      const v = valueOf(row, m);
      const b = valueOf(row, base);
      const low = row.key !== null ? report.models[m].rows.find((x) => x.key === row.key)?.credit_low : undefined;
      const high = row.key !== null ? report.models[m].rows.find((x) => x.key === row.key)?.credit_high : undefined;
      const un = row.key === null ? report.models[m].totals.unconverted : report.models[m].rows.find((x) => x.key === row.key)?.unconverted;
      return el("span", { class: "cell", "data-model": m, "data-key": row.key ?? "", "data-value": v },
        el("span", { class: "v" }, fmt(v)),
        low !== undefined && high !== undefined ? el("span", { class: "range muted" }, ` ${fmtCount(low)}–${fmtCount(high)}`) : null,
        m !== base && row.key !== null ? el("span", { class: "vs" }, " ", deltaEl(v, b) ?? "") : null,
        metric === "revenue" ? unconvertedNote(un) : null);
    }),
  ], { numeric: shown.map((_, i) => i + 1), rowAttrs: (row) => ({ "data-key": row.key ?? "", class: row.key === null ? "totals" : null }) });

  const root = $("#view-root");
  root.replaceChildren(
    card(`Model comparison by ${GROUPINGS[state.groupBy].toLowerCase()}`, [groupSel, metricSel],
      el("p", { class: "muted" }, `Credited ${metric} under each model. The table shows each model's difference from ${modelName(base).toLowerCase()}, the usual default of ad platforms.`),
      legend, ...body),
    card("Side by side", [csvButton(`/api/reports/attribution?${qs(r, { model: "all", groupBy: state.groupBy })}`, `models-${state.groupBy}.csv`)], tbl),
  );
  if (body.includes(chart)) {
    const draw = () => groupedChart(chart, keys, shown, cell, { name: "compare", format: fmt });
    draw();
    redraw = draw;
  }
}

/** Drill-down: channel → source / medium → campaign under one model, with share and change. */
async function viewDrill(r) {
  const { channel, sourceMedium } = state.drill;
  const groupBy = sourceMedium ? "campaign" : channel ? "source_medium" : "channel";
  const extra = { model: state.model, groupBy, channel, sourceMedium };
  const prevRange = $("#compare").checked ? previousRange(r) : null;
  const [report, prev, models] = await Promise.all([
    api(`/api/reports/attribution?${qs(r, extra)}`),
    prevRange ? api(`/api/reports/attribution?${qs(prevRange, extra)}`) : null,
    state.models.length ? null : api(`/api/reports/attribution?${qs(r, { model: "all", groupBy: "channel" })}`),
  ]);
  if (models) state.models = Object.keys(models.models);
  currency = report.currency ?? null;
  const total = report.totals.conversions;
  const revenue = report.totals.revenue;

  const modelSel = el("select", { id: "model", "aria-label": "Model" }, state.models.map((m) => el("option", { value: m, selected: m === state.model ? "" : null }, modelName(m))));
  modelSel.addEventListener("change", () => { state.model = modelSel.value; void refresh(); });

  const crumbs = el("nav", { class: "crumbs", "aria-label": "Drill-down", id: "crumbs" });
  const crumb = (label, target) => {
    const a = el("button", { type: "button", class: "link" }, label);
    a.addEventListener("click", () => { state.drill = target; void refresh(); });
    return a;
  };
  crumbs.append(crumb("All channels", { channel: null, sourceMedium: null }));
  if (channel) crumbs.append(" › ", sourceMedium ? crumb(channel, { channel, sourceMedium: null }) : el("strong", {}, channel));
  if (sourceMedium) crumbs.append(" › ", el("strong", {}, sourceMedium));

  const prevRow = (k) => prev?.rows.find((x) => x.key === k);
  const next = (k) => (groupBy === "channel" ? (k === "Unattributed" ? null : { channel: k, sourceMedium: null }) : groupBy === "source_medium" ? { channel, sourceMedium: k } : null);
  const tbl = table("drill-table", [GROUPINGS[groupBy], "Conversions", "Revenue", "Share", ...(prev ? ["vs previous"] : [])], report.rows, (row) => {
    const target = next(row.key);
    let label = row.key;
    if (target) {
      label = el("button", { type: "button", class: "link drill", "data-key": row.key }, row.key);
      label.addEventListener("click", () => { state.drill = target; void refresh(); });
    }
    return [
      label,
      el("span", { "data-conversions": row.conversions }, fmtCount(row.conversions)),
      el("span", { "data-revenue": row.revenue }, fmtMoney(row.revenue), unconvertedNote(row.unconverted)),
      el("span", { "data-share": total ? row.conversions / total : 0 }, fmtPct(total ? row.conversions / total : 0)),
      ...(prev ? [deltaEl(row.conversions, prevRow(row.key)?.conversions ?? 0) ?? "–"] : []),
    ];
  }, { numeric: [1, 2, 3, 4], rowAttrs: (row) => ({ "data-key": row.key }) });
  tbl.querySelector("tbody").append(el("tr", { class: "totals" }, el("th", { scope: "row" }, "Total"), el("td", { class: "num" }, fmtCount(total)),
    el("td", { class: "num" }, fmtMoney(revenue), unconvertedNote(report.totals.unconverted)), el("td", { class: "num" }, total ? "100 %" : "–"),
    ...(prev ? [el("td", { class: "num" }, deltaEl(total, prev.totals.conversions) ?? "–")] : [])));

  const chart = el("div", { class: "chart-box", id: "drill-chart" });
  const body = [];
  if (report.rows.length === 0) body.push(emptyRange(r));
  else {
    const un = report.rows.find((x) => x.key === "Unattributed")?.conversions ?? 0;
    if (!channel && total > 0 && un / total > 0.5) body.push(unattributedHint(un / total));
    body.push(chart);
  }
  if (state.model === "markov" && report.fit === null) body.unshift(markovNotFitted());
  $("#view-root").replaceChildren(
    card(`Conversions by ${GROUPINGS[groupBy].toLowerCase()}`, [modelSel],
      el("p", { class: "muted", id: "model-explained" }, modelLabel(state.model)), crumbs,
      report.rows.length ? el("h3", {}, "Credited revenue") : null, ...body),
    card("Table", [csvButton(`/api/reports/attribution?${qs(r, extra)}`, `${state.model}-${groupBy}.csv`)], tbl,
      groupBy !== "campaign" ? el("p", { class: "muted" }, `Select a ${groupBy === "channel" ? "channel" : "source / medium"} to see what is inside it.`) : null),
  );
  if (body.includes(chart)) {
    const draw = () => barChart(chart, report.rows.map((x) => ({ label: x.key, value: x.revenue, low: x.credit_low === undefined ? undefined : x.credit_low * (x.revenue / (x.conversions || 1)), high: x.credit_high === undefined ? undefined : x.credit_high * (x.revenue / (x.conversions || 1)) })), { name: "drill", format: (v) => fmtMoney(v) });
    draw();
    redraw = draw;
  }
}

function markovNotFitted() {
  return notice("hint", "Markov: not fitted yet.",
    "The Markov model is fitted on every person's channel path: hourly (RECOMPUTE_CRON), at start once there are conversions, and by the recompute command. Until the first fit there is no Markov credit to show.");
}

/** Markov: removal effects, with the number of paths it was fitted on and when. */
async function viewMarkov(r) {
  const report = await api(`/api/reports/attribution?${qs(r, { model: "markov", groupBy: "channel" })}`);
  currency = report.currency ?? null;
  const root = $("#view-root");
  if (report.fit === null) {
    root.replaceChildren(card("Markov removal effects", [], markovNotFitted()));
    return;
  }
  const effects = Object.entries(report.removal_effects ?? {}).sort((a, b) => b[1] - a[1]);
  const fittedAt = new Date(report.fit.fitted_at);
  const chart = el("div", { class: "chart-box", id: "markov-chart" });
  root.replaceChildren(
    card("Markov removal effects", [],
      el("p", { id: "markov-fit" }, `Fitted on ${intFmt.format(report.fit.paths)} paths, ${fittedAt.toISOString().slice(0, 16).replace("T", " ")} UTC.`),
      el("p", { class: "muted" }, "A channel's removal effect is the share of conversions that would be lost if the channel were taken out of every path. Markov credit splits each conversion over its channels in proportion to these effects; the effects are fitted on all persons, the credit below is for the chosen dates."),
      effects.length ? chart : notice("empty", "No channel paths yet.", "Removal effects appear once persons with touchpoints have converted.")),
    card("Markov credit", [csvButton(`/api/reports/attribution?${qs(r, { model: "markov", groupBy: "channel" })}`, "markov-channel.csv")],
      report.rows.length === 0 ? emptyRange(r) : table("markov-table", ["Channel", "Removal effect", "Conversions", "Revenue"], report.rows, (row) => [
        row.key,
        report.removal_effects?.[row.key] === undefined ? "–" : fmtPct(report.removal_effects[row.key]),
        el("span", {}, fmtCount(row.conversions), row.credit_low !== undefined ? el("span", { class: "range muted" }, ` ${fmtCount(row.credit_low)}–${fmtCount(row.credit_high)}`) : null),
        fmtMoney(row.revenue),
      ], { numeric: [1, 2, 3], rowAttrs: (row) => ({ "data-key": row.key }) })),
  );
  if (effects.length) {
    const draw = () => barChart(chart, effects.map(([k, v]) => ({ label: k, value: v })), { name: "removal-effects", format: fmtPct });
    draw();
    redraw = draw;
  }
}

const LENGTH_BUCKETS = [[0, 0, "No touch"], [1, 1, "1 touch"], [2, 2, "2 touches"], [3, 3, "3 touches"], [4, 4, "4 touches"], [5, 5, "5 touches"], [6, Infinity, "6+ touches"]];
const LAG_BUCKETS = [[0, 0, "Same day"], [1, 1, "1 day"], [2, 2, "2 days"], [3, 3, "3 days"], [4, 4, "4 days"], [5, 7, "5–7 days"], [8, 14, "8–14 days"], [15, 30, "15–30 days"], [31, Infinity, "31+ days"]];
/** Groups the API's per-touch-count (per-day) rows into display buckets, empty ones at the ends left out. */
function bucketed(rows, field, buckets) {
  const all = buckets.map(([lo, hi, label]) => {
    const inside = rows.filter((x) => x[field] >= lo && x[field] <= hi);
    return { label, conversions: inside.reduce((n, x) => n + x.conversions, 0), revenue: inside.reduce((n, x) => n + x.revenue, 0) };
  });
  const first = all.findIndex((b) => b.conversions > 0);
  const last = all.length - 1 - [...all].reverse().findIndex((b) => b.conversions > 0);
  return first < 0 ? [] : all.slice(first, last + 1);
}

/** Conversion paths: top paths with counts, revenue, days and touches; length and time-lag distributions. */
async function viewPaths(r) {
  if (!state.models.length) state.models = Object.keys((await api(`/api/reports/attribution?${qs(r, { model: "all" })}`)).models);
  const pathModels = state.models.filter((m) => !["participation", "markov_global"].includes(m));
  const model = pathModels.includes(state.pathModel) ? state.pathModel : "linear";
  const report = await api(`/api/reports/paths?${qs(r, { model, limit: 20 })}`);
  const modelSel = el("select", { id: "path-model", "aria-label": "Touches of" }, pathModels.map((m) => el("option", { value: m, selected: m === model ? "" : null }, m === "linear" ? "Every touch" : `Touches ${modelName(m)} credits`)));
  modelSel.addEventListener("change", () => { state.pathModel = modelSel.value; void refresh(); });
  const total = report.total_conversions;
  const root = $("#view-root");
  if (total === 0) {
    root.replaceChildren(card("Conversion paths", [modelSel], emptyRange(r)));
    return;
  }
  const pathEl = (p) => el("span", { class: "path" }, p.path.flatMap((c, i) => [i ? el("span", { class: "arrow", "aria-hidden": "true" }, "›") : null, el("span", { class: `chip${c === "Unattributed" ? " none" : ""}` }, c)]));
  const tbl = table("paths-table", ["Path", "Conversions", "Share", "Revenue", "Avg. days", "Avg. touches", ""], report.paths, (p) => {
    const link = p.example_person ? el("a", { href: `#journey/${encodeURIComponent(p.example_person)}`, class: "journey-link" }, "a journey") : "";
    return [pathEl(p), fmtCount(p.conversions), fmtPct(p.conversions / total), fmtMoney(p.revenue), p.avg_days === null ? "–" : fmtDays(p.avg_days), p.avg_touches.toFixed(1), link];
  }, { numeric: [1, 2, 3, 4, 5], rowAttrs: (p) => ({ "data-path": p.path.join(" > "), "data-conversions": p.conversions }) });
  const lengths = bucketed(report.path_lengths, "touches", LENGTH_BUCKETS);
  const lags = bucketed(report.time_lag, "days", LAG_BUCKETS);
  const lengthChart = el("div", { class: "chart-box", id: "length-chart" });
  const lagChart = el("div", { class: "chart-box", id: "lag-chart" });
  const distTable = (id, rows, head) => table(id, [head, "Conversions", "Share", "Revenue"], rows, (b) => [b.label, fmtCount(b.conversions), fmtPct(b.conversions / total), fmtMoney(b.revenue)], { numeric: [1, 2, 3], rowAttrs: (b) => ({ "data-bucket": b.label }) });
  root.replaceChildren(
    card("Top conversion paths", [modelSel, csvButton(`/api/reports/paths?${qs(r, { model, limit: 100 })}`, "paths.csv")],
      el("p", { class: "muted", id: "paths-summary" }, `${intFmt.format(total)} conversions; the ${report.paths.length} most common channel paths. Days and touches are counted from the first touch of the path.`),
      tbl),
    el("div", { class: "two" },
      card("Path length", [csvButton(`/api/reports/paths?${qs(r, { model, table: "path_lengths" })}`, "path-lengths.csv")],
        el("p", { class: "muted" }, "Touches before each conversion."), lengthChart, distTable("lengths-table", lengths, "Touches")),
      card("Time lag", [csvButton(`/api/reports/paths?${qs(r, { model, table: "time_lag" })}`, "time-lag.csv")],
        el("p", { class: "muted" }, "Days from the first touch to the conversion (conversions with a touch)."), lagChart, distTable("lag-table", lags, "Days"))),
  );
  const draw = () => {
    barChart(lengthChart, lengths.map((b) => ({ label: b.label, value: b.conversions })), { name: "path-lengths", color: PALETTE[2] });
    barChart(lagChart, lags.map((b) => ({ label: b.label, value: b.conversions })), { name: "time-lag", color: PALETTE[1] });
  };
  draw();
  redraw = draw;
}

/** Person journey: lookup, then the timeline of touchpoints and conversions with each model's credit. */
async function viewJourney() {
  const input = el("input", { id: "person-id", name: "id", placeholder: "userId, anonymousId or email", required: "", value: state.person });
  const form = el("form", { id: "person-form", class: "inline" }, input, el("button", { type: "submit" }, "Look up"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const id = input.value.trim();
    if (id) location.hash = `#journey/${encodeURIComponent(id)}`;
  });
  const result = el("div", { id: "person-result" });
  $("#view-root").replaceChildren(card("Person journey", [], el("p", { class: "muted" }, "Look a person up by any of their ids, or open one from a conversion path."), form), result);
  if (!state.person) return;
  try {
    // Whether Markov is fitted (an empty range: only `fit` is wanted); unfitted, its credits are linear's.
    const epoch = "1970-01-01T00:00:00.000Z";
    const [person, markov] = await Promise.all([
      api(`/api/people/${encodeURIComponent(state.person)}`),
      api(`/api/reports/attribution?model=markov&from=${epoch}&to=${epoch}`).catch(() => null),
    ]);
    renderPerson(result, person, markov?.fit === null ? new Set(["markov"]) : new Set());
  } catch (err) {
    if (err instanceof Unauthorized) return;
    result.replaceChildren(err.status === 404
      ? notice("empty", `No person “${state.person}”.`, "Persons are known by the userId and anonymousId of their Segment calls and the email of their identify traits. Check the id, or that Segment sends this source to the service.")
      : notice("error", "Could not load the person.", err.message));
  }
}

function renderPerson(root, p, unfitted) {
  const touches = p.touchpoints;
  const models = Object.keys(p.conversions[0]?.credits ?? {}).filter((m) => !unfitted.has(m));
  const items = [
    ...touches.map((t, i) => ({ at: t.at, kind: "touch", t, i })),
    ...p.conversions.map((c) => ({ at: c.at, kind: "conversion", c })),
  ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.kind === "touch" ? -1 : 1));
  const when = (iso) => iso.slice(0, 16).replace("T", " ");
  const timeline = el("ol", { class: "timeline", id: "timeline" }, items.map((it) => {
    if (it.kind === "touch") {
      const t = it.t;
      return el("li", { class: "touch", "data-touch": it.i },
        el("span", { class: "when" }, when(t.at)),
        el("span", { class: "chip" }, t.channel),
        el("span", { class: "what" }, `${t.source} / ${t.medium}${t.campaign ? ` · ${t.campaign}` : ""}`),
        el("span", { class: "muted small" }, `#${it.i} · ${t.landing_page ?? ""}${t.referrer ? ` · from ${t.referrer}` : ""} · rule ${t.rule}`));
    }
    const c = it.c;
    const indexes = [];
    for (const m of models) for (const cr of c.credits[m] ?? []) if (!indexes.some((x) => x.touch === cr.touch && x.channel === cr.channel)) indexes.push({ touch: cr.touch, channel: cr.channel });
    indexes.sort((a, b) => (a.touch ?? -1) - (b.touch ?? -1));
    const unattributed = indexes.length > 0 && indexes.every((x) => x.touch === null);
    const credits = table(`credits-${c.id}`, ["Touch", ...models.map(modelName)], indexes, (x) => [
      x.touch === null ? "Unattributed" : `#${x.touch} ${x.channel}`,
      ...models.map((m) => {
        const sum = (c.credits[m] ?? []).filter((cr) => cr.touch === x.touch && cr.channel === x.channel).reduce((n, cr) => n + cr.credit, 0);
        return el("span", { "data-model": m, "data-credit": sum }, sum ? fmtPct(sum) : "–");
      }),
    ], { numeric: models.map((_, i) => i + 1), rowAttrs: (x) => ({ "data-touch": x.touch ?? "none" }) });
    return el("li", { class: "conversion", "data-conversion": c.id },
      el("span", { class: "when" }, when(c.at)),
      el("span", { class: "chip conv" }, c.name),
      el("span", { class: "what" }, `${fmtMoney(c.revenue, c.currency ?? currency)} · ${c.origin === "crm" ? "CRM deal" : "track event"}`),
      credits,
      unfitted.size ? el("p", { class: "muted small" }, `${[...unfitted].map(modelName).join(", ")}: not fitted yet.`) : null,
      unattributed ? el("p", { class: "muted small" }, c.origin === "crm"
        ? "Unattributed: no visit of this person comes before the deal's date within the lookback window — typically a deal older than the visits tracked for its person."
        : "Unattributed: no visit of this person comes before this conversion within the lookback window.") : null);
  }));
  root.replaceChildren(card(`Person ${p.person_id}`, [],
    el("p", {}, "Devices: ", el("strong", { id: "person-devices" }, String(p.device_count)), ` · ${touches.length} touchpoints · ${p.conversions.length} conversions`),
    el("ul", { class: "ids", id: "person-identities" }, p.identities.map((i) => el("li", {}, el("span", { class: "muted" }, `${i.type} `), i.value, i.inferred ? el("em", { class: "muted" }, " (inferred)") : null))),
    items.length ? timeline : notice("empty", "No touchpoints or conversions for this person yet.")));
}

const REJECTED_PAGE = 25;
/** "track · Order Completed" / "page" / the start of a payload that is not a message. */
function payloadSummary(payload) {
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) return truncate(typeof payload === "string" ? payload : JSON.stringify(payload) ?? "", 60);
  const type = typeof payload.type === "string" ? payload.type : "(no type)";
  return typeof payload.event === "string" ? `${type} · ${truncate(payload.event, 40)}` : type;
}

/** Rejected input: why messages were refused (over every stored row), then the newest of them, paged. */
async function viewRejected() {
  const offset = state.rejectedOffset;
  const report = await api(`/api/rejected?limit=${REJECTED_PAGE}&offset=${offset}`);
  const root = $("#view-root");
  const replay = el("p", { class: "muted" }, "A rejected message changes nothing else and never fails the rest of its batch. Once the sender (or the service's configuration) is fixed, ",
    el("code", {}, "npm run cli -- rejected replay"), " re-validates every row: what is valid now is stored and derived as if it had just arrived, the rest stays here.");
  if (report.total === 0) {
    root.replaceChildren(card("Rejected input", [], notice("empty", "Nothing was rejected.", "Every message received so far met Segment's spec and the service's limits."), replay));
    return;
  }
  const reasons = table("reasons-table", ["Reason", "Payloads", "Arrivals", "Last seen"], report.reasons,
    (x) => [x.reason, intFmt.format(x.payloads), intFmt.format(x.arrivals), x.last_received_at.slice(0, 16).replace("T", " ")],
    { numeric: [1, 2, 3], rowAttrs: (x) => ({ "data-reason": x.reason, "data-payloads": x.payloads }) });
  const rows = table("rejected-table", ["Received", "Reason", "Message", "Message id", "Arrivals"], report.rows, (x) => [
    x.received_at.slice(0, 19).replace("T", " "),
    x.reason,
    el("details", {}, el("summary", {}, payloadSummary(x.payload)), el("pre", { class: "payload" }, typeof x.payload === "string" ? x.payload : JSON.stringify(x.payload, null, 2))),
    x.message_id ?? el("span", { class: "muted" }, "none"),
    intFmt.format(x.arrivals),
  ], { numeric: [4], rowAttrs: (x) => ({ "data-message-id": x.message_id ?? "" }) });
  const pager = el("div", { class: "pager", id: "rejected-pager" });
  const page = (label, to, enabled) => {
    const b = el("button", { type: "button", class: "csv", disabled: enabled ? null : "" }, label);
    b.addEventListener("click", () => { state.rejectedOffset = to; void refresh(); });
    return b;
  };
  const last = Math.min(report.total, offset + report.rows.length);
  pager.append(page("Newer", Math.max(0, offset - REJECTED_PAGE), offset > 0),
    el("span", { class: "muted" }, `${intFmt.format(offset + 1)}–${intFmt.format(last)} of ${intFmt.format(report.total)}`),
    page("Older", offset + REJECTED_PAGE, last < report.total));
  root.replaceChildren(
    card("Why input was rejected", [], el("p", { class: "muted", id: "rejected-summary" },
      `${intFmt.format(report.total)} distinct rejected ${report.total === 1 ? "payload" : "payloads"}, by reason (the commonest first). A payload sent again counts once, with its arrivals.`), reasons, replay),
    card("Rejected messages", [pager], el("p", { class: "muted" }, "Newest first. Open a message to see it as it arrived."), rows),
  );
}

// ---- loading -------------------------------------------------------------------------------

const VIEWS = { compare: viewCompare, drill: viewDrill, markov: viewMarkov, paths: viewPaths, journey: viewJourney, rejected: viewRejected };
let redraw = null;
let generation = 0;
let stats = null;

/** Onboarding when the service has received nothing yet: how to point Segment at it. */
function renderOnboarding() {
  const box = $("#onboarding");
  const empty = stats && stats.messages === 0 && stats.conversions === 0;
  box.hidden = !empty;
  if (!empty) return;
  const origin = location.origin;
  box.replaceChildren(
    el("h2", {}, "No data yet: point Segment at this service"),
    el("ol", {},
      el("li", {}, "In Segment, open your website's source and add a ", el("strong", {}, "Webhooks"), " (or Webhooks (Actions)) destination."),
      el("li", {}, "Webhook URL: ", el("code", { id: "webhook-url" }, `${origin}/webhooks/segment`), ". Shared secret: the value of SEGMENT_SHARED_SECRET on the service."),
      el("li", {}, "Send page views, identify calls and your conversion events (for example “Order Completed”) through it. They appear here within seconds."),
      el("li", {}, "Won CRM deals: POST them to ", el("code", {}, `${origin}/webhooks/crm`), " with the deal's userId or email, so they can be linked to the visits.")),
    el("p", { class: "muted" }, "Already have a Segment archive export? ", el("code", {}, "npm run cli -- import FILE"), " loads it. The README (“Pointing Segment at it”) has the details."));
  // Nothing to report yet: the onboarding is the page.
  $("#overview").hidden = true;
  $("#view-root").hidden = true;
}

/** The number of rejected payloads beside the view's link, when there are any. */
function renderRejectedCount() {
  const badge = $("#rejected-count");
  badge.textContent = stats?.rejected ? intFmt.format(stats.rejected) : "";
  badge.hidden = !stats?.rejected;
}

async function refresh() {
  const mine = ++generation;
  redraw = null;
  const r = chosenRange();
  const compare = $("#compare").checked && previousRange(r) !== null;
  $("#compare").disabled = previousRange(r) === null;
  $("#range-label").textContent = `${rangeText(r)}${compare ? `, compared with ${rangeText(previousRange(r))}` : ""}`;
  $("#custom-range").hidden = $("#preset").value !== "custom";
  for (const a of document.querySelectorAll("[data-view-link]")) a.classList.toggle("active", a.dataset.viewLink === state.view);
  document.body.dataset.state = "loading";
  document.body.dataset.currentView = state.view;
  // A person's journey is all of their history, rejected input is not conversions: the date
  // and conversion filters do not apply.
  const unfiltered = state.view === "journey" || state.view === "rejected";
  $("#controls").hidden = unfiltered;
  if (!$("#onboarding").hidden) $("#overview").hidden = true;
  else $("#overview").hidden = unfiltered;
  try {
    const [overview, prev] = await Promise.all([
      api(`/api/reports/overview?${qs(r)}`),
      compare ? api(`/api/reports/overview?${qs(previousRange(r))}`) : null,
      stats ? null : api("/api/stats").then((s) => { stats = s; renderOnboarding(); renderRejectedCount(); }),
    ]);
    if (mine !== generation) return;
    await VIEWS[state.view](r);
    if (mine !== generation) return;
    renderOverview(overview, prev);
    $("#status").replaceChildren();
    document.body.dataset.state = "ready";
  } catch (err) {
    if (err instanceof Unauthorized || mine !== generation) return;
    const retry = el("button", { type: "button", id: "retry" }, "Try again");
    retry.addEventListener("click", () => void refresh());
    $("#status").replaceChildren(notice("error", "Could not load the reports.", el("p", {}, `${err.message}. `, retry)));
    document.body.dataset.state = "error";
  }
}

async function loadConversionNames() {
  try {
    const { names } = await api("/api/conversions/names");
    const sel = $("#conversion");
    const seen = new Set();
    for (const n of names) {
      if (seen.has(n.name)) continue;
      seen.add(n.name);
      sel.append(el("option", { value: n.name }, `${n.origin === "crm" ? `${n.name} (won CRM deals)` : n.name} · ${intFmt.format(n.conversions)}`));
    }
  } catch (err) {
    if (!(err instanceof Unauthorized)) $("#conversion").title = `conversion names could not be loaded: ${err.message}`;
  }
}

function readHash() {
  const [view, ...rest] = location.hash.replace(/^#/, "").split("/");
  state.view = Object.hasOwn(VIEWS, view) ? view : "compare";
  if (state.view === "journey") state.person = rest.length ? decodeURIComponent(rest.join("/")) : state.person;
}

function start() {
  if (document.body.dataset.view === "login") {
    // A token kept from before means the server has just refused it (its cookie came with the request).
    const refused = sessionStorage.getItem(TOKEN_KEY) !== null;
    if (refused) forgetToken();
    return showLogin(refused ? "That token was not accepted." : "");
  }
  readHash();
  $("#controls").addEventListener("change", () => void refresh());
  $("#controls").addEventListener("submit", (e) => e.preventDefault());
  window.addEventListener("hashchange", () => {
    readHash();
    void refresh();
  });
  let resizeTimer = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => redraw?.(), 150);
  });
  void loadConversionNames();
  void refresh();
}

start();
