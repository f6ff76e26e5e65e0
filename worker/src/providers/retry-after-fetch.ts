/**
 * A fetch that honours 429 Retry-After (seconds or HTTP date) with capped exponential backoff,
 * and retries 5xx a few times. The Replicate SDK retries 429s without waiting, so it is
 * given this fetch and sees a 429 only when our budget is exhausted.
 */
export interface RetryOptions {
  retries?: number;
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

/** Wraps `inner` with the retry policy. Only idempotent-safe statuses are retried. */
export function fetchWithRetryAfter(inner: typeof fetch = fetch, options: RetryOptions = {}): typeof fetch {
  const retries = options.retries ?? 5;
  const base = options.baseDelayMs ?? 500;
  const max = options.maxDelayMs ?? 30_000;
  const wait = options.sleep ?? sleep;
  return async (input, init) => {
    for (let attempt = 0; ; attempt++) {
      // Bodies of retried requests must be replayable: the SDK sends strings.
      const response = await inner(input, init);
      // A 429 was not acted on, so any request may repeat it. A 5xx on a POST may have been
      // (a prediction might exist), so only reads are repeated on 5xx.
      const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
      const retryable =
        response.status === 429 || (method === "GET" && [500, 502, 503, 504].includes(response.status));
      if (!retryable || attempt >= retries) return response;
      const hinted = retryAfterMs(response.headers.get("retry-after"));
      const backoff = Math.min(max, base * 2 ** attempt);
      await response.body?.cancel();
      await wait(Math.min(max, hinted ?? backoff), init?.signal ?? undefined);
    }
  };
}
