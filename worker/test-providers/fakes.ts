/** Test-side control of the local OpenAI and Replicate servers (over loopback). */
import { inject } from "vitest";
import type { Behaviour } from "../test/fake-protocol.ts";

export interface ReplicateStats {
  createsReceived: number;
  creates: Record<string, number>;
  gets: number;
  cancels: number;
  lists: number;
  rateLimited: number;
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
  script: (models: Record<string, Behaviour>) => post(`${inject("replicateUrl")}/__admin/script`, { models }),
  stats: async () =>
    (await (await fetch(`${inject("replicateUrl")}/__admin/stats`)).json()) as ReplicateStats,
};

export const openai = {
  reset: () => post(`${inject("openaiUrl")}/__admin/reset`, {}),
  script: (script: { fail?: number[]; delayMs?: number }) =>
    post(`${inject("openaiUrl")}/__admin/script`, script),
  stats: async () =>
    (await (await fetch(`${inject("openaiUrl")}/__admin/stats`)).json()) as {
      calls: number;
      completions: number;
      schemaNames: string[];
    },
};
