import { pino, type Logger } from "pino";

/** Structured logs, one JSON event per line; secrets are redacted wherever they might appear. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: "segment-attribution" },
      redact: {
        paths: [
          "req.headers.authorization",
          'req.headers["x-signature"]',
          'req.headers["x-segment-signature"]',
          "config.segmentSharedSecret",
          "config.segmentWriteKey",
          "config.crmWebhookToken",
          "config.segmentWebhookToken",
          "config.apiToken",
        ],
        censor: "[redacted]",
      },
    },
    destination as pino.DestinationStream | undefined,
  );
}
