/**
 * Structured JSON logs. Every line carries the request id (and, from the pipeline, the
 * generation id and stage) so one request or job can be followed through the logs.
 */
import type { Context } from "hono";
import type { AppEnv } from "../env.ts";

type Level = "debug" | "info" | "warn" | "error";
const RANK: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };
let minimum: Level = "info";

/** Sets the lowest level written (from LOG_LEVEL); unknown values keep the current one. */
export function setLogLevel(level: string | undefined): void {
  if (level && level in RANK) minimum = level as Level;
}
export type LogFields = Record<string, unknown>;

/** A logger bound to fixed fields. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/** Creates a logger that writes one JSON object per line with `base` merged in. */
export function createLogger(base: LogFields = {}): Logger {
  const write = (level: Level, msg: string, fields?: LogFields) => {
    if (RANK[level] < RANK[minimum]) return;
    const line = JSON.stringify({ ts: new Date().toISOString(), level, msg, ...base, ...fields });
    if (level === "error") console.error(line);
    else if (level === "warn") console.warn(line);
    else console.log(line);
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
    child: (fields) => createLogger({ ...base, ...fields }),
  };
}

/** The logger of the current request (request id included). */
export function logger(c: Context<AppEnv>): Logger {
  return createLogger({ request_id: c.get("requestId") });
}
