/**
 * A reference batch (POST /api/references): its state in the batch's Durable Object and the one
 * view clients get of it, over REST and as every live event. Each candidate that was drawn is an
 * asset of kind `reference`, shown through the asset view (`assets/view.ts`).
 */
import { type AssetRow, type AssetView, assetView } from "../assets/view.ts";
import type { Env } from "../env.ts";
import { REFERENCES } from "../pipeline/rules.ts";

export const REFERENCE_KINDS = ["character", "product"] as const;
export type ReferenceKind = (typeof REFERENCE_KINDS)[number];
/** Candidates a batch may ask for (rules.ts, shared with the web app). */
export const REFERENCE_COUNT = REFERENCES.count;

/** `drawing` from the provider's call until the asset is recorded. */
export type CandidateStatus = "pending" | "drawing" | "ready" | "failed";
/** `running` while any candidate is unfinished; then `completed` (at least one drawn), `failed` or `cancelled`. */
export type BatchStatus = "running" | "completed" | "failed" | "cancelled";

export interface CandidateState {
  index: number;
  status: CandidateStatus;
  error: string | null;
  model: string | null;
  cost: number;
  /** The recorded asset (the D1 row as written), once drawn. */
  asset: AssetRow | null;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface BatchState {
  id: string;
  userId: string;
  /** Where the request came from: the origin of signed links. */
  origin: string;
  description: string;
  kind: ReferenceKind;
  style: string | null;
  count: number;
  seed: number;
  /** The provider that draws the candidates (`offline` or `replicate`). */
  provider: string;
  status: BatchStatus;
  candidates: CandidateState[];
  createdAt: number;
  completedAt: number | null;
}

export interface CandidateView {
  index: number;
  status: CandidateStatus;
  error: string | null;
  model: string | null;
  cost: number;
  asset: AssetView | null;
}

export interface ReferenceBatchView {
  id: string;
  status: BatchStatus;
  description: string;
  kind: ReferenceKind;
  style: string | null;
  count: number;
  provider: string;
  /** True when the candidates are the offline renderer's labelled drafts, not photographs. */
  offline: boolean;
  /** Share of candidates finished (drawn or failed), 0-100. */
  progress: number;
  candidates: CandidateView[];
  /** USD, the sum of the candidates drawn. */
  cost: number;
  created_at: number;
  completed_at: number | null;
}

/** Every live event of a batch: the snapshot on connecting, then the batch after each change. */
export type ReferenceEvent =
  | { type: "snapshot"; seq: number; batch: ReferenceBatchView }
  | { type: "batch"; seq: number; batch: ReferenceBatchView };

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
const finished = (c: CandidateState) => c.status === "ready" || c.status === "failed";

/** The batch as clients see it, with signed links for the batch's origin. */
export async function batchView(env: Env, s: BatchState): Promise<ReferenceBatchView> {
  const candidates = await Promise.all(
    s.candidates.map(async (c) => ({
      index: c.index,
      status: c.status,
      error: c.error,
      model: c.model,
      cost: c.cost,
      asset: c.asset ? await assetView(env, s.origin, c.asset) : null,
    })),
  );
  return {
    id: s.id,
    status: s.status,
    description: s.description,
    kind: s.kind,
    style: s.style,
    count: s.count,
    provider: s.provider,
    offline: s.provider === "offline",
    progress: Math.round((100 * s.candidates.filter(finished).length) / s.count),
    candidates,
    cost: round6(s.candidates.reduce((sum, c) => sum + c.cost, 0)),
    created_at: s.createdAt,
    completed_at: s.completedAt,
  };
}

/** The batch's status once every candidate is finished (null while one is not). */
export function settledStatus(s: BatchState): BatchStatus | null {
  if (!s.candidates.every(finished)) return null;
  return s.candidates.some((c) => c.status === "ready") ? "completed" : "failed";
}
