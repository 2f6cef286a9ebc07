export { linkIdentities } from "./linkIdentities.js";
export type { IdentityGraph, IdentityClaim, IdentityKey, LinkResult } from "./linkIdentities.js";
export { identityClaim } from "./identityClaim.js";
