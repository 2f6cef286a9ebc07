// The dashboard: plain DOM, no framework, no build step. Every value from the API is set as
// text (never innerHTML): channels, campaigns and referrers come from visitors' URLs.
const TOKEN_KEY = "sa_token";
const SVG_NS = "http://www.w3.org/2000/svg";
const MODELS = ["first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based", "markov"];
const $ = (sel) => document.querySelector(sel);
const fmt = (n) => (typeof n === "number" ? n.toFixed(2) : "–");

/** Builds an element; string children become text nodes. */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  node.append(...children.map((c) => (typeof c === "string" || typeof c === "number" ? String(c) : c)));
  return node;
}

/** The SVG twin of `el`. */
function svgEl(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  node.append(...children);
  return node;
}

class Unauthorized extends Error {}

function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
  document.cookie = `${TOKEN_KEY}=; path=/; SameSite=Strict; max-age=0`;
}

/** GET an /api path with the session's token; a 401 drops the token and shows the login. */
async function api(path) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const res = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (res.status === 401) {
    forgetToken();
    showLogin("The token was not accepted, or the session ended. Enter it again.");
    throw new Unauthorized();
  }
  const body = await res.json().catch(() => null);
  if (!res.ok) throw Object.assign(new Error(body?.error?.message ?? `HTTP ${res.status}`), { status: res.status });
  return body;
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
  root.replaceChildren(el("h2", {}, "Sign in"), ...(message ? [el("p", { class: "error" }, message)] : []), form);
  root.hidden = false;
  $("#dashboard")?.setAttribute("hidden", "");
  $("#controls")?.setAttribute("hidden", "");
  document.body.dataset.state = "login";
  input.focus();
}

function query() {
  const params = new URLSearchParams();
  const from = $("#from").value;
  const to = $("#to").value;
  if (from) params.set("from", `${from}T00:00:00.000Z`);
  // The date picker's "to" is inclusive; the API's is exclusive: ask up to the next midnight.
  if (to) params.set("to", new Date(Date.parse(`${to}T00:00:00.000Z`) + 86_400_000).toISOString());
  return params;
}

function renderOverview(o) {
  for (const dd of document.querySelectorAll("[data-figure]")) {
    const v = o[dd.dataset.figure];
    dd.textContent = v === null ? "–" : dd.dataset.figure === "persons" || dd.dataset.figure === "conversions" ? String(v) : fmt(v);
  }
}

/** Horizontal SVG bars of credited revenue; each bar carries data-key / data-value for tests and tooling. */
function renderChart(rows, model, groupBy) {
  const svg = $("#revenue-chart");
  const rowH = 28, labelW = 220, barW = 460, width = labelW + barW + 110;
  const max = Math.max(0, ...rows.map((r) => r.revenue));
  svg.setAttribute("viewBox", `0 0 ${width} ${Math.max(rowH, rows.length * rowH)}`);
  svg.setAttribute("height", String(Math.max(rowH, rows.length * rowH)));
  const bars = rows.map((r, i) => {
    const w = max > 0 ? (Math.max(0, r.revenue) / max) * barW : 0;
    const y = i * rowH;
    return svgEl("g", {},
      svgEl("title", {}, `${r.key}: ${fmt(r.revenue)}`),
      svgEl("text", { x: labelW - 8, y: y + 18, "text-anchor": "end", class: "label" }, r.key),
      svgEl("rect", { x: labelW, y: y + 5, width: w, height: rowH - 10, class: "bar", "data-key": r.key, "data-value": r.revenue }),
      svgEl("text", { x: labelW + w + 6, y: y + 18, class: "value" }, fmt(r.revenue)));
  });
  if (rows.length === 0) bars.push(svgEl("text", { x: 8, y: 18, class: "label" }, "No conversions in this range"));
  svg.replaceChildren(...bars);
  svg.dataset.model = model;
  $("#chart-model").textContent = model;
  $("#chart-group").textContent = groupBy;
}

/** One row per key, one column per model: credited conversions / revenue (0 where a model credits nothing). */
function renderModelsTable(models, groupBy) {
  const keys = [];
  for (const m of MODELS) for (const r of models[m]?.rows ?? []) if (!keys.includes(r.key)) keys.push(r.key);
  const table = $("#models-table");
  table.tHead.replaceChildren(el("tr", {}, el("th", {}, groupBy), ...MODELS.map((m) => el("th", { "data-model": m }, m))));
  const cell = (m, key, r) =>
    el("td", { "data-model": m, "data-key": key, "data-conversions": r.conversions, "data-revenue": r.revenue },
      el("span", { class: "conversions" }, fmt(r.conversions)), " / ", el("span", { class: "revenue" }, fmt(r.revenue)));
  const rows = keys.map((key) =>
    el("tr", { "data-key": key }, el("th", { scope: "row" }, key),
      ...MODELS.map((m) => cell(m, key, models[m]?.rows.find((r) => r.key === key) ?? { conversions: 0, revenue: 0 }))));
  const totals = el("tr", { class: "totals" }, el("th", { scope: "row" }, "Total"), ...MODELS.map((m) => cell(m, "", models[m]?.totals ?? { conversions: 0, revenue: 0 })));
  table.tBodies[0].replaceChildren(...rows, totals);
}

function renderPaths(report) {
  const rows = report.paths.map((p) =>
    el("tr", {}, el("td", { class: "path" }, p.path.join(" → ")), el("td", {}, String(p.conversions)), el("td", {}, fmt(p.revenue))));
  if (rows.length === 0) rows.push(el("tr", {}, el("td", { colspan: 3 }, "No conversions in this range")));
  $("#paths-table").tBodies[0].replaceChildren(...rows);
}

let generation = 0;
/** Reloads every report for the current controls; answers of an older request are dropped. */
async function refresh() {
  const mine = ++generation;
  const model = $("#model").value;
  const groupBy = $("#group-by").value;
  const range = query();
  const all = new URLSearchParams(range);
  all.set("model", "all");
  all.set("groupBy", groupBy);
  document.body.dataset.state = "loading";
  try {
    const [overview, report, paths] = await Promise.all([
      api(`/api/reports/overview?${range}`),
      api(`/api/reports/attribution?${all}`),
      api(`/api/reports/paths?${range}`),
    ]);
    if (mine !== generation) return;
    renderOverview(overview);
    renderChart(report.models[model]?.rows ?? [], model, groupBy);
    renderModelsTable(report.models, groupBy);
    renderPaths(paths);
    $("#status").textContent = "";
    document.body.dataset.state = "ready";
  } catch (err) {
    if (err instanceof Unauthorized || mine !== generation) return;
    $("#status").textContent = `Could not load the reports: ${err.message}`;
    document.body.dataset.state = "error";
  }
}

function renderPerson(p) {
  const identities = el("ul", { id: "person-identities" },
    ...p.identities.map((i) => el("li", {}, `${i.type}: ${i.value}${i.inferred ? " (inferred)" : ""}`)));
  const touches = el("table", { id: "person-touchpoints" },
    el("thead", {}, el("tr", {}, ...["#", "At", "Channel", "Source", "Medium", "Campaign", "Rule"].map((h) => el("th", {}, h)))),
    el("tbody", {}, ...p.touchpoints.map((t, i) =>
      el("tr", {}, ...[String(i), t.at, t.channel, t.source, t.medium, t.campaign ?? "", t.rule].map((v) => el("td", {}, v))))));
  const conversions = p.conversions.map((c) =>
    el("div", { class: "conversion" },
      el("h4", {}, `${c.name} — ${c.at} — revenue ${fmt(c.revenue)}${c.currency ? ` ${c.currency}` : ""} (${c.origin})`),
      el("table", { class: "credits" }, el("tbody", {}, ...Object.entries(c.credits).map(([m, credits]) =>
        el("tr", { "data-model": m }, el("th", { scope: "row" }, m),
          el("td", {}, credits.map((cr) => `${cr.channel}${cr.touch === null ? "" : ` (#${cr.touch})`} ${fmt(cr.credit)}`).join(", ") || "–")))))));
  $("#person-result").replaceChildren(
    el("p", {}, `Person ${p.person_id} — devices: `, el("strong", { id: "person-devices" }, String(p.device_count))),
    el("h3", {}, "Identities"), identities,
    el("h3", {}, "Touchpoints"), touches,
    el("h3", {}, "Conversions"), ...(conversions.length ? conversions : [el("p", {}, "No conversions")]),
  );
}

async function lookUpPerson(e) {
  e.preventDefault();
  const id = $("#person-id").value.trim();
  if (!id) return;
  try {
    renderPerson(await api(`/api/people/${encodeURIComponent(id)}`));
  } catch (err) {
    if (err instanceof Unauthorized) return;
    $("#person-result").replaceChildren(el("p", { class: "error" }, err.status === 404 ? `No person "${id}"` : err.message));
  }
}

function start() {
  if (document.body.dataset.view === "login") {
    // A token kept from before means the server has just refused it (its cookie came with the request).
    const refused = sessionStorage.getItem(TOKEN_KEY) !== null;
    if (refused) forgetToken();
    return showLogin(refused ? "That token was not accepted." : "");
  }
  $("#controls").addEventListener("change", () => void refresh());
  $("#controls").addEventListener("submit", (e) => e.preventDefault());
  $("#person-form").addEventListener("submit", (e) => void lookUpPerson(e));
  void refresh();
}

start();
