/**
 * The Replicate SDK client both Replicate providers (video clips, keyframe images) use: our own
 * Retry-After-honouring fetch underneath (every request with its own timeout), plain URL outputs,
 * and polling a prediction until it finishes, the signal aborts, or its deadline passes (then it is
 * cancelled at Replicate and reported as such, so the caller falls back as for any failure).
 */
import Replicate, { type Prediction } from "replicate";
import { fetchWithRetryAfter, sleep } from "./retry-after-fetch.ts";

export interface ReplicateClientOptions {
  token: string;
  /** Another server speaking Replicate's HTTP API (tests use a local one). */
  baseUrl?: string | undefined;
  fetch?: typeof fetch;
  pollIntervalMs?: number;
  /** Time one HTTP request may take until its answer's headers arrive (ms); default 30 s. */
  requestTimeoutMs?: number;
  /** Time a prediction may take from the first poll until it finishes (ms); default 15 min. */
  predictionDeadlineMs?: number;
}

/** Default {@link ReplicateClientOptions.predictionDeadlineMs}: well past a slow video model's queue and run. */
export const DEFAULT_PREDICTION_DEADLINE_MS = 15 * 60_000;

/** Whether a prediction has finished, one way or another. */
export const finished = (p: Prediction) => ["succeeded", "failed", "canceled"].includes(p.status);

/** The SDK client, and a poll of one prediction until it finishes. */
export function replicateClient(options: ReplicateClientOptions) {
  const pollMs = options.pollIntervalMs ?? 2000;
  const deadlineMs = options.predictionDeadlineMs ?? DEFAULT_PREDICTION_DEADLINE_MS;
  const replicate = new Replicate({
    auth: options.token,
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    fetch: fetchWithRetryAfter(options.fetch ?? fetch, {
      ...(options.requestTimeoutMs ? { timeoutMs: options.requestTimeoutMs } : {}),
    }),
    useFileOutput: false,
  });
  async function waitFor(id: string, signal: AbortSignal): Promise<Prediction> {
    const giveUpAt = Date.now() + deadlineMs;
    for (;;) {
      const p = await replicate.predictions.get(id, { signal });
      if (finished(p)) return p;
      if (Date.now() >= giveUpAt) {
        // Stop paying for it; whatever Replicate answers, it is over for us.
        const cancelled = await replicate.predictions.cancel(id).catch(() => p);
        const error = `did not finish within ${deadlineMs / 1000} s`;
        return { ...cancelled, status: "canceled", error };
      }
      await sleep(Math.min(pollMs, Math.max(0, giveUpAt - Date.now())), signal);
    }
  }
  return { replicate, waitFor };
}

const IMAGE_FIELDS = new Set(["start_image", "first_frame_image"]);
/** Compares model inputs, ignoring signed image URLs (they differ on every signing). */
export function sameInput(a: object, b: Record<string, unknown>): boolean {
  const strip = (o: object) =>
    JSON.stringify(
      Object.fromEntries(
        Object.entries(o)
          .filter(([k]) => !IMAGE_FIELDS.has(k))
          .sort(([x], [y]) => x.localeCompare(y)),
      ),
    );
  return strip(a) === strip(b);
}

/**
 * A prediction of `model` with `input` created since a minute before `intentAt`: the one a create
 * made before a crash (or a failure on the way) kept us from noting its id. Replicate keeps no
 * idempotency key, so recent predictions are listed and matched instead.
 */
export async function findLostPrediction(
  replicate: Replicate,
  model: string,
  input: Record<string, unknown>,
  intentAt: number,
): Promise<Prediction | undefined> {
  const page = await replicate.predictions.list();
  const since = intentAt - 60_000;
  return page.results.find(
    (p) => p.model === model && Date.parse(p.created_at) >= since && sameInput(p.input, input),
  );
}
