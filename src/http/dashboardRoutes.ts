import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Router, type Request, type Response } from "express";
import type { Pipeline } from "../pipeline/context.js";
import { bearerMatches } from "./bearer.js";
import { sendError } from "./errors.js";

const PUBLIC_DIR = fileURLToPath(new URL("../../public/", import.meta.url));
export const TOKEN_COOKIE = "sa_token";

// Only these files are public: they hold no data. index.html is served by GET / behind the token.
const ASSETS: Readonly<Record<string, string>> = { "dashboard.js": "text/javascript", "dashboard.css": "text/css" };

// Scripts and styles only from this origin: API values rendered as text cannot become code.
const SECURITY_HEADERS = {
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
};

// The 401 page holds no secret: dashboard.js renders the form, keeps the token in
// sessionStorage and the sa_token cookie, and reloads.
const LOGIN_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Sign in — segment-attribution</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/assets/dashboard.css">
  <script type="module" src="/assets/dashboard.js"></script>
</head>
<body data-view="login">
  <header><h1>segment-attribution</h1></header>
  <div id="login-root"></div>
  <noscript>The dashboard needs JavaScript.</noscript>
</body>
</html>
`;

/** The sa_token cookie's value, if the request carries one. */
export function tokenCookie(header: string | undefined): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== TOKEN_COOKIE) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** A valid `Authorization: Bearer` header or sa_token cookie; both compared in constant time. */
function authorized(req: Request, token: string): boolean {
  const cookie = tokenCookie(req.headers.cookie);
  return bearerMatches(req.headers.authorization, token) || (cookie !== undefined && bearerMatches(`Bearer ${cookie}`, token));
}

/** GET / (the dashboard, behind API_TOKEN when set) and its two static assets (open). */
export function dashboardRoutes(p: Pipeline): Router {
  const router = Router();
  const token = p.config.apiToken;
  const indexHtml = readFileSync(`${PUBLIC_DIR}index.html`, "utf8");

  const page = (res: Response, status: number, html: string) => {
    // The answer depends on the credentials: never cache it, never share it between users.
    res.status(status).set(SECURITY_HEADERS).set("Cache-Control", "no-store").vary("Authorization").vary("Cookie");
    res.type("html").send(html);
  };

  router.get("/", (req, res) => {
    if (token === undefined || authorized(req, token)) return page(res, 200, indexHtml);
    if (req.accepts(["json", "html"]) === "html") return page(res, 401, LOGIN_PAGE);
    sendError(res, 401, "unauthorized", "the dashboard needs Authorization: Bearer <token> or the sa_token cookie");
  });

  router.get("/assets/:file", (req, res, next) => {
    const file = req.params.file;
    const type = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (type === undefined) return next();
    res.set(SECURITY_HEADERS).type(type).sendFile(file, { root: PUBLIC_DIR });
  });

  return router;
}
