import type { Config } from "./config/index.js";
import { createPipeline, type Pipeline } from "./pipeline/index.js";
import { createClassifier, loadChannelRules } from "./sources/index.js";
import { createPostgresStore, createSqliteStore, type SqliteStoreOptions } from "./store/index.js";

/**
 * Builds the store, classifier and pipeline from config: shared by the server, the deriver thread and the CLI.
 * DATABASE_URL selects the PostgreSQL store (the SQLite options do not apply to it), else SQLite at DATABASE_PATH.
 */
export function openPipeline(config: Config, storeOptions: SqliteStoreOptions = { backgroundCheckpoints: true }): Pipeline {
  const store = config.databaseUrl ? createPostgresStore(config.databaseUrl) : createSqliteStore(config.databasePath, storeOptions);
  const classifier = createClassifier({
    siteDomains: config.siteDomains,
    ignoredReferrers: config.ignoredReferrers,
    customRules: config.channelRulesPath ? loadChannelRules(config.channelRulesPath) : [],
  });
  return createPipeline(store, classifier, config);
}
