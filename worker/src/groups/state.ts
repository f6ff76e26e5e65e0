/**
 * The coordinator's persisted state of one generation. Stored in the Durable Object's SQLite
 * storage under `gen:<id>`; every stage writes it before and after its side effects. It is a
 * {@link ViewSource}, so clients see it through the one read model (views/generation.ts).
 */
import type { MediaInfo, QcReport } from "@promptreel/render-container/contract";
import { isTerminalStatus } from "../db/schema.ts";
import type { GenerationSettings } from "../pipeline/settings.ts";
import type { StitchStart } from "../pipeline/stitch.ts";
import type { ClipState, KeyframeState, ViewSource } from "../views/generation.ts";

export type { ClipState, KeyframeState, VersionRecord } from "../views/generation.ts";

/** A scene whose keyframe is still to be drawn. */
export const PENDING_KEYFRAME: KeyframeState = { status: "pending", key: null, identity: null, cost: 0 };
/** A scene whose clip is still to be made. */
export const PENDING_CLIP: ClipState = { status: "pending", key: null, model: null, seconds: 0, cost: 0 };

export const STAGES = ["enhance", "plan", "keyframes", "clips", "compose", "complete"] as const;
/** `review`: a storyboard waits for the user (no stage runs, no alarm is held). */
export type Stage = (typeof STAGES)[number] | "review" | "failed";

export interface GenerationState extends ViewSource {
  userId: string;
  seed: number;
  stage: Stage;
  /** Failed tries of the current stage; reset when a stage completes. */
  stageAttempts: number;
  /** Do not retry before this time (backoff after a failure). */
  retryAt: number;
  /** When the user approved the storyboard (storyboard workflow). */
  approvedAt?: number | null;
  /** Milliseconds each stage took, summed over its tries and re-renders (for the metadata). */
  stageMs?: Partial<Record<Stage, number>>;
  /** Per version: the finished ad as ffprobe and the loudness meter measured it in compose. */
  masters?: Record<string, MasterFacts>;
  /** When the state was last saved: the watchdog's measure of progress (groups/watchdog.ts). */
  progressAt?: number;
  /** Times the watchdog found it stalled and ran its step again. */
  watchdogTrips?: number;
  /** Set when the cancel came with a delete of the generation: deleting never hands quota back. */
  deleting?: boolean;
  /**
   * Set when it ended `cancelled` having spent nothing (limits/generation-quota.ts `spentNothing`)
   * and not for a delete: its unit of the hourly limit goes back as the D1 mirror records the end.
   */
  refundQuota?: boolean;
}

/** The finished ad of one version as measured when it was composed. */
export interface MasterFacts {
  probe: MediaInfo;
  loudness: { integrated_lufs: number; true_peak_dbtp: number } | null;
  /** The render container's QC report, measured on the file (absent on masters made before QC). */
  qc?: QcReport | null;
  /** Each scene's poster in the finished ad, in scene order. */
  scenePosterKeys?: string[];
}

/**
 * A new generation's state, before any stage ran. A stitch (the user's own clips) starts at
 * compose with its specification, plan and clips already made.
 */
export function initialState(input: {
  id: string;
  userId: string;
  groupId: string;
  label: string | null;
  prompt: string;
  settings: GenerationSettings;
  seed: number;
  createdAt: number;
  stitch?: StitchStart;
}): GenerationState {
  const { stitch, ...fields } = input;
  const state: GenerationState = {
    ...fields,
    source: "prompt",
    stage: "enhance",
    status: "pending",
    progress: 0,
    currentStep: "Queued",
    spec: null,
    plan: null,
    clips: [],
    keyframes: [],
    refinements: 0,
    revision: 0,
    version: 1,
    versions: [],
    costs: { enhance: 0, plan: 0, clips: [], compose: 0 },
    stageAttempts: 0,
    retryAt: 0,
    cancelRequested: false,
    error: null,
    videoKey: null,
    thumbnailKey: null,
    startedAt: null,
    completedAt: null,
  };
  if (!stitch) return state;
  return {
    ...state,
    source: "stitch",
    stage: "compose",
    spec: stitch.spec,
    plan: stitch.plan,
    clips: stitch.clips,
    progress: 70,
    currentStep: "Your clips are in place",
  };
}

/** True once a generation has ended: `completed`, `failed` or `cancelled`. */
export const isTerminal = (s: Pick<GenerationState, "status">) => isTerminalStatus(s.status);

/** The group a coordinator owns: its owner, origin for links, and its generations. */
export interface GroupMeta {
  groupId: string;
  userId: string;
  origin: string;
  generationIds: string[];
}

/** What the Worker hands a coordinator to start a group (`start()` RPC). */
export interface StartInput {
  groupId: string;
  userId: string;
  origin: string;
  generations: {
    id: string;
    label: string | null;
    prompt: string;
    settings: GenerationSettings;
    seed: number;
    createdAt: number;
    /** Set for a stitch of the user's own clips (pipeline/stitch.ts). */
    stitch?: StitchStart;
  }[];
}
