/**
 * Random provider faults for the fault suite (`npm run test:faults`): a fake server asks `next()`
 * before answering an API call, and a seeded draw makes `rate` of the calls fail, spread evenly
 * over the ways real providers fail: 429 with Retry-After, a 5xx, or no answer at all (the
 * client's timeout has to notice). Seeded, so a failing run can be replayed.
 */
import { seededRandom } from "../../../src/pipeline/random.ts";
import type { ChaosSettings, FaultCounts } from "../../fake-protocol.ts";

export type { ChaosSettings };

export type Fault = "rate_limited" | "server_error" | "no_answer";
const FAULTS: readonly Fault[] = ["rate_limited", "server_error", "no_answer"];

/** A server's fault source; off until `set`. */
export function chaos() {
  let settings: ChaosSettings | null = null;
  let draw = seededRandom(0);
  const counts: FaultCounts = { calls: 0, rate_limited: 0, server_error: 0, no_answer: 0 };
  return {
    set(next: ChaosSettings | null) {
      settings = next && next.rate > 0 ? next : null;
      draw = seededRandom(next?.seed ?? 0);
      Object.assign(counts, { calls: 0, rate_limited: 0, server_error: 0, no_answer: 0 });
    },
    /** The fault for this call, if it gets one. */
    next(): Fault | null {
      if (!settings) return null;
      counts.calls++;
      if (draw() >= settings.rate) return null;
      const fault = FAULTS[Math.floor(draw() * FAULTS.length)]!;
      counts[fault]++;
      return fault;
    },
    counts,
  };
}
