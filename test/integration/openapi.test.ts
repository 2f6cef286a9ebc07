import { Validator } from "@seriousme/openapi-schema-validator";
import type { Express } from "express";
import request from "supertest";
import { describe, expect, test } from "vitest";
import { useTestApps } from "../support/testApp.js";

const makeApp = useTestApps();

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every "METHOD /path" the Express app routes, in OpenAPI's path syntax (`:id` → `{id}`). */
function appRoutes(app: Express): string[] {
  const walk = (stack: Layer[]): string[] =>
    stack.flatMap((layer) => {
      if (layer.route) {
        const path = layer.route.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
        return Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${path}`);
      }
      return layer.handle?.stack ? walk(layer.handle.stack) : [];
    });
  return walk((app as unknown as { router: { stack: Layer[] } }).router.stack).sort();
}

function documentedRoutes(doc: { paths: Record<string, Record<string, unknown>> }): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
}

describe("GET /api/openapi.json", () => {
  test("is a valid OpenAPI 3.1 document", async () => {
    const { app } = makeApp();
    const doc = (await request(app).get("/api/openapi.json").expect(200)).body;
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe("3.1.0");
  });

  test("documents every route of the app, and nothing the app does not route", async () => {
    const { app } = makeApp();
    const doc = (await request(app).get("/api/openapi.json").expect(200)).body;
    const routes = appRoutes(app);
    expect(routes).toContain("POST /webhooks/segment");
    expect(routes).toContain("GET /api/people/{id}");
    expect(documentedRoutes(doc)).toEqual(routes);
  });

  test("the CRM hit body is the zod schema the webhook validates with", async () => {
    const { app } = makeApp();
    const doc = (await request(app).get("/api/openapi.json").expect(200)).body;
    const hit = doc.components.schemas.CrmHit;
    expect(hit.required).toEqual(["dealId", "status"]);
    expect(hit.properties.currency.pattern).toBe("^[A-Z]{3}$");
  });

  test("behind API_TOKEN like the rest of /api", async () => {
    const { app } = makeApp({ API_TOKEN: "t" });
    expect((await request(app).get("/api/openapi.json")).status).toBe(401);
    expect((await request(app).get("/api/openapi.json").set("authorization", "Bearer t")).status).toBe(200);
  });
});
