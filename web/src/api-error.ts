/**
 * The API's one error shape, `{ error: { code, message, details? } }`, as a thrown value the
 * UI can show: a message for people, a code for branching, and messages per form field.
 */

/** A failed API call (or a network failure, with status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** Field name -> messages, from `details.fields` on 400 validation errors. */
  readonly fields: Record<string, string[]>;
  /** Seconds to wait, from Retry-After on 429. */
  readonly retryAfter: number | null;

  constructor(
    status: number,
    code: string,
    message: string,
    extra: { fields?: Record<string, string[]>; retryAfter?: number | null } = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.fields = extra.fields ?? {};
    this.retryAfter = extra.retryAfter ?? null;
  }

  /** The first message for a field, if the server named one. */
  field(name: string): string | undefined {
    return this.fields[name]?.[0];
  }
}

/**
 * The messages of the fields under `path`, keyed by the rest of their name: under "settings",
 * `settings.seed` is `seed`. A message for `path` itself is `_` (the form shows it on its own).
 */
export function fieldsUnder(
  messages: Record<string, string | undefined>,
  path: string,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(messages)) {
    if (k === path) out._ = v;
    else if (k.startsWith(`${path}.`)) out[k.slice(path.length + 1)] = v;
  }
  return out;
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; details?: { fields?: unknown } };
}

/** Builds an ApiError from a non-2xx response; never throws itself (bodies may be HTML or empty). */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  let body: ErrorBody = {};
  try {
    body = (await res.json()) as ErrorBody;
  } catch {
    // Not JSON (a proxy's error page, an empty 502): fall back to the status text below.
  }
  const e = body.error ?? {};
  const retry = Number(res.headers.get("retry-after"));
  const fields = e.details?.fields;
  return new ApiError(
    res.status,
    typeof e.code === "string" ? e.code : `http_${res.status}`,
    typeof e.message === "string" ? e.message : fallbackMessage(res.status),
    {
      fields: fields && typeof fields === "object" ? (fields as Record<string, string[]>) : {},
      retryAfter: Number.isFinite(retry) && retry > 0 ? retry : null,
    },
  );
}

function fallbackMessage(status: number): string {
  if (status === 401) return "Your session has expired. Please sign in again.";
  if (status === 404) return "We could not find that.";
  if (status === 429) return "Too many requests. Please wait a moment and try again.";
  if (status >= 500) return "Something went wrong on our side. Please try again.";
  return `The request failed (HTTP ${status}).`;
}

/** A network failure (offline, server down) as an ApiError with status 0. */
export function networkError(err: unknown): ApiError {
  console.error("promptreel: network error", err);
  return new ApiError(0, "network", "Cannot reach promptreel. Check your connection and try again.");
}

/** A human message for any thrown value. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 429 && err.retryAfter)
      return `${err.message} Try again in ${waitText(err.retryAfter)}.`;
    return err.message;
  }
  return err instanceof Error ? err.message : "Something went wrong.";
}

function waitText(seconds: number): string {
  if (seconds < 90) return `${Math.ceil(seconds)} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}
