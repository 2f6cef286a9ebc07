import type { Config } from "./config/index.js";
import { createPipeline, type Pipeline } from "./pipeline/index.js";
import { createClassifier, loadChannelRules } from "./sources/index.js";
import { createSqliteStore, type SqliteStoreOptions } from "./store/index.js";

/** Builds the store, classifier and pipeline from config: shared by the server, the deriver thread and the CLI. */
export function openPipeline(config: Config, storeOptions: SqliteStoreOptions = { backgroundCheckpoints: true }): Pipeline {
  if (config.databaseUrl) {
    throw new Error("DATABASE_URL: the PostgreSQL store is not available in this version; unset it to use SQLite (DATABASE_PATH)");
  }
  const store = createSqliteStore(config.databasePath, storeOptions);
  const classifier = createClassifier({
    siteDomains: config.siteDomains,
    ignoredReferrers: config.ignoredReferrers,
    customRules: config.channelRulesPath ? loadChannelRules(config.channelRulesPath) : [],
  });
  return createPipeline(store, classifier, config);
}
