/** Public face of src/http: the Express app and its routers. */
export { createApp, type AppDeps } from "./app.js";
export { crmWebhook } from "./crmWebhook.js";
export { reportRoutes } from "./reportRoutes.js";
export { dealRoutes } from "./dealRoutes.js";
export { journeyRoutes } from "./journeyRoutes.js";
export { dashboardRoutes } from "./dashboardRoutes.js";
export { createMetrics, type Metrics } from "./metrics.js";
