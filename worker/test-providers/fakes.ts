/** Test-side control of the local OpenAI and Replicate servers (over loopback). */
import { inject } from "vitest";
import type { Behaviour, ChaosSettings, FaultCounts } from "../test/fake-protocol.ts";

export interface ReplicateStats {
  createsReceived: number;
  creates: Record<string, number>;
  gets: number;
  cancels: number;
  lists: number;
  rateLimited: number;
  hung: number;
  faults: FaultCounts;
  predictions: {
    id: string;
    model: string;
    status: string;
    input: Record<string, unknown>;
    created_at: string;
    completed_at?: string;
  }[];
}

const post = (url: string, body: unknown) =>
  fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  }).then((r) => r.json());

export const replicate = {
  reset: () => post(`${inject("replicateUrl")}/__admin/reset`, {}),
  /** Fails `rate` of the API calls at random from now on (see test/node/fakes/chaos.ts). */
  chaos: (settings: ChaosSettings) => post(`${inject("replicateUrl")}/__admin/chaos`, settings),
  script: (models: Record<string, Behaviour>) => post(`${inject("replicateUrl")}/__admin/script`, { models }),
  stats: async () =>
    (await (await fetch(`${inject("replicateUrl")}/__admin/stats`)).json()) as ReplicateStats,
};

export const openai = {
  reset: () => post(`${inject("openaiUrl")}/__admin/reset`, {}),
  chaos: (settings: ChaosSettings) => post(`${inject("openaiUrl")}/__admin/chaos`, settings),
  script: (script: { fail?: number[]; delayMs?: number; refuse?: number }) =>
    post(`${inject("openaiUrl")}/__admin/script`, script),
  stats: async () =>
    (await (await fetch(`${inject("openaiUrl")}/__admin/stats`)).json()) as {
      /** Every API call, failed ones included. */
      calls: number;
      /** Responses API creates that were accepted. */
      creates: number;
      /** Answers made (a completion, or a response that completed). */
      completions: number;
      faults: FaultCounts;
      schemaNames: string[];
      responses: { id: string; status: string; input: string; retrieves: number }[];
    },
};
