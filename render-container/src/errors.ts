import type { ErrorCode } from "./contract.ts";

/** The one error type of the container: a stable `code` for callers and a message a person can read. */
export class JobError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "JobError";
    this.code = code;
  }
}

/** Normalises anything thrown into a {@link JobError}, keeping the original as `cause`. */
export function toJobError(err: unknown): JobError {
  if (err instanceof JobError) return err;
  if (err instanceof Error && err.name === "AbortError")
    return new JobError("cancelled", "Cancelled", { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new JobError("internal", message, { cause: err });
}
