/**
 * A fetch that honours 429 Retry-After (seconds or HTTP date) with capped exponential backoff,
 * and retries 5xx a few times. The Replicate SDK retries 429s without waiting, so it is
 * given this fetch and sees a 429 only when our budget is exhausted. Every attempt has a
 * deadline: a request that has not answered within `timeoutMs` is abandoned (a read is tried
 * again; otherwise the caller gets a 504 answer), so a hung provider never holds a stage forever.
 */
export interface RetryOptions {
  retries?: number;
  /** Time one attempt may take until its response headers arrive (ms); default 30 s. */
  timeoutMs?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Sleeps `ms`, rejecting early when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Milliseconds a Retry-After header asks for, or null. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

/** Set on the 504 answer that stands for a request abandoned at its deadline (its value: the ms). */
export const TIMEOUT_HEADER = "x-promptreel-timeout-ms";

/** A request that did not answer within its deadline. */
export class RequestTimeoutError extends Error {
  override readonly name = "RequestTimeoutError";
}

/** Wraps `inner` with the retry policy. Only idempotent-safe statuses are retried. */
export function fetchWithRetryAfter(inner: typeof fetch = fetch, options: RetryOptions = {}): typeof fetch {
  const retries = options.retries ?? 5;
  const base = options.baseDelayMs ?? 500;
  const max = options.maxDelayMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const wait = options.sleep ?? sleep;
  return async (input, init) => {
    const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    const caller = init?.signal ?? undefined;
    for (let attempt = 0; ; attempt++) {
      // Bodies of retried requests must be replayable: the SDK sends strings.
      const response = await attemptWithin(inner, input, init, timeoutMs, caller).catch((err: unknown) => {
        if (!(err instanceof RequestTimeoutError)) throw err;
        // Only a read that timed out is tried again: a write may have been acted on.
        if (method === "GET" && attempt < retries) return null;
        // Answered as the gateway timeout it is, not thrown: the Replicate SDK repeats any
        // request whose fetch throws, a create included, which would pay for it twice.
        return Response.json(
          { title: "Gateway Timeout", detail: err.message, status: 504 },
          { status: 504, headers: { [TIMEOUT_HEADER]: String(timeoutMs) } },
        );
      });
      if (!response) continue;
      // A 429 was not acted on, so any request may repeat it. A 5xx on a POST may have been
      // (a prediction might exist), so only reads are repeated on 5xx.
      const retryable =
        response.status === 429 || (method === "GET" && [500, 502, 503, 504].includes(response.status));
      if (!retryable || attempt >= retries) return response;
      const hinted = retryAfterMs(response.headers.get("retry-after"));
      const backoff = Math.min(max, base * 2 ** attempt);
      await response.body?.cancel();
      await wait(Math.min(max, hinted ?? backoff), caller);
    }
  };
}

/**
 * One attempt, abandoned after `timeoutMs` without response headers (a RequestTimeoutError); the
 * caller's own abort passes through as it is. The deadline stops once the headers are in; the
 * body stays tied to the caller's signal.
 */
async function attemptWithin(
  inner: typeof fetch,
  input: Parameters<typeof fetch>[0],
  init: RequestInit | undefined,
  timeoutMs: number,
  caller: AbortSignal | undefined,
): Promise<Response> {
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new RequestTimeoutError(`no answer within ${timeoutMs} ms`)),
    timeoutMs,
  );
  try {
    const signal = caller ? AbortSignal.any([caller, deadline.signal]) : deadline.signal;
    return await inner(input, { ...init, signal });
  } catch (err) {
    if (caller?.aborted) throw caller.reason;
    if (deadline.signal.aborted) throw deadline.signal.reason;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
