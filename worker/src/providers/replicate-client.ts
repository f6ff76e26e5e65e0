/**
 * The Replicate SDK client both Replicate providers (video clips, keyframe images) use: our own
 * Retry-After-honouring fetch underneath, plain URL outputs, and polling a prediction until it
 * finishes (or the signal aborts).
 */
import Replicate, { type Prediction } from "replicate";
import { fetchWithRetryAfter, sleep } from "./retry-after-fetch.ts";

export interface ReplicateClientOptions {
  token: string;
  /** Another server speaking Replicate's HTTP API (tests use a local one). */
  baseUrl?: string | undefined;
  fetch?: typeof fetch;
  pollIntervalMs?: number;
}

/** Whether a prediction has finished, one way or another. */
export const finished = (p: Prediction) => ["succeeded", "failed", "canceled"].includes(p.status);

/** The SDK client, and a poll of one prediction until it finishes. */
export function replicateClient(options: ReplicateClientOptions) {
  const pollMs = options.pollIntervalMs ?? 2000;
  const replicate = new Replicate({
    auth: options.token,
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    fetch: fetchWithRetryAfter(options.fetch ?? fetch),
    useFileOutput: false,
  });
  async function waitFor(id: string, signal: AbortSignal): Promise<Prediction> {
    for (;;) {
      const p = await replicate.predictions.get(id, { signal });
      if (finished(p)) return p;
      await sleep(pollMs, signal);
    }
  }
  return { replicate, waitFor };
}
