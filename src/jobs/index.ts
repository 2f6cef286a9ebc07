/** Public face of src/jobs: scheduled work (node-cron) and the retention purge. */
export { scheduleJob, type Job } from "./scheduleJob.js";
export { purgeExpiredMessages } from "./retention.js";
export { cronLogger, routeCronLogs } from "./cronLogger.js";
