/**
 * Provider interfaces, one per kind (LLM, video, image). The pipeline only sees these; `providers/index.ts`
 * chooses the implementation from the environment (offline by default).
 */
import type { Brand } from "@promptreel/render-container/contract";
import type { AdSpecification, PlannedScene } from "../pipeline/spec.ts";

/** What the LLM stage is asked. */
export interface SpecRequest {
  prompt: string;
  seed: number;
  durationS: number;
  aspectRatio: string;
}

/** Tokens as the provider reported them. */
export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
}

/**
 * Durable notes of the LLM requests a group has in flight, by a fingerprint of the request,
 * backed by the coordinator's storage: a restart finds the answer it was waiting for instead of
 * asking (and paying) again. Providers that answer at once ignore it.
 */
export interface LlmJournal {
  read(fingerprint: string): Promise<LlmJournalEntry | undefined>;
  write(fingerprint: string, entry: LlmJournalEntry | undefined): Promise<void>;
}
export interface LlmJournalEntry {
  /** Set before the request is sent. */
  intentAt: number;
  /** The provider's id of the answer being made (an OpenAI background response). */
  responseId?: string;
}

/** How a pipeline stage calls the LLM: abortable, and resumable through `journal` when given. */
export interface LlmCallOptions {
  signal?: AbortSignal;
  journal?: LlmJournal;
}

export interface LlmProvider {
  name: string;
  model: string;
  /** Writes the ad specification for a prompt. */
  generateSpec(
    request: SpecRequest,
    options?: LlmCallOptions,
  ): Promise<{ spec: AdSpecification; usage: LlmUsage }>;
  /** Enhanced planning: a second pass that makes the scenes' visual prompts consistent. */
  refineScenes(
    request: SpecRequest,
    spec: AdSpecification,
    options?: LlmCallOptions,
  ): Promise<{ spec: AdSpecification; usage: LlmUsage }>;
  /** Rewrites one scene from a plain-language instruction. */
  refineScene(
    request: SceneRefineRequest,
    options?: { signal?: AbortSignal },
  ): Promise<{ scene: SceneRefinement; usage: LlmUsage }>;
}

/** A plain-language refinement of one storyboard scene ("shorter text", "make it about the morning rush"). */
export interface SceneRefineRequest {
  prompt: string;
  spec: AdSpecification;
  scene: PlannedScene;
  instruction: string;
}

/** The refined scene: new copy and shot, and a new duration when the instruction asked for one. */
export interface SceneRefinement {
  overlay_text: string;
  visual_prompt: string;
  duration_s: number | null;
}

/** One scene's clip to make. */
export interface ClipRequest {
  generationId: string;
  scene: PlannedScene;
  brand: Brand;
  width: number;
  height: number;
  fps: number;
  /** Seconds the clip must last (scene time plus its share of the crossfade). */
  durationS: number;
  /** A reference image already in R2, used as first frame / subject. */
  referenceImageKey: string | null;
  /** The R2 key the finished clip must be stored under. */
  targetKey: string;
}

/**
 * Durable notes a provider keeps about one clip, backed by the coordinator's storage, so a
 * restart resumes a prediction instead of paying for a second one.
 */
export interface ClipJournal {
  read(): Promise<ClipJournalEntry | undefined>;
  write(entry: ClipJournalEntry): Promise<void>;
}
export interface ClipJournalEntry {
  /** Index into the provider's model chain. */
  modelIndex: number;
  model: string;
  /** Set before `create` is sent: a crash after it means "look for what we created". */
  intentAt?: number;
  predictionId?: string;
  attempts: number;
  /** Set when the clip was copied from an identical one another variation made (not billed). */
  reusedFrom?: string;
}

/** What a finished clip cost, in the provider's own units. */
export interface ClipUsage {
  model: string;
  /** Seconds of video generated (billable). */
  videoSeconds: number;
}

export interface ClipContext {
  signal: AbortSignal;
  journal: ClipJournal;
  /** Stores the clip bytes at `request.targetKey` (R2). */
  store(body: ReadableStream | ArrayBuffer, size?: number): Promise<void>;
  /** Stores a JPEG still of the clip (its poster frame), for providers that make one. */
  storePoster(body: ReadableStream | ArrayBuffer, size?: number): Promise<void>;
  /** A URL the provider can fetch the reference image from, if any. */
  referenceImageUrl(): Promise<string | null>;
}

export interface VideoProvider {
  name: string;
  /** Models in fallback order. */
  models: readonly string[];
  /** Makes the clip and stores it; resumable through `ctx.journal`. */
  generateClip(request: ClipRequest, ctx: ClipContext): Promise<ClipUsage>;
  /** Seconds of video `model` bills for a clip of `durationS`. */
  billedSeconds(model: string, durationS: number): number;
  /** Best-effort cancel of whatever `journal` says is running (provider side). */
  cancelClip(journal: ClipJournalEntry | undefined): Promise<void>;
  /**
   * Clips of one generation in flight at once. Absent: every scene's clip starts at once, so a
   * generation waits for its slowest clip, not for rounds of them.
   */
  maxConcurrentClips?: number;
}

/** One scene's storyboard keyframe to draw. */
export interface KeyframeRequest {
  generationId: string;
  scene: PlannedScene;
  brand: Brand;
  width: number;
  height: number;
  /** Seconds the scene's clip will last; the keyframe is the clip's middle frame where possible. */
  durationS: number;
  /** The generation's copy of its reference image (the product or character), if it has one. */
  referenceImageKey: string | null;
}

export interface KeyframeContext {
  signal: AbortSignal;
  /** Stores the JPEG (R2). */
  store(body: ReadableStream | ArrayBuffer, size?: number): Promise<void>;
  /** Where a provider that predicts notes its prediction in flight, so a restart resumes it. */
  journal?: KeyframeJournal;
}

/** Durable notes about one keyframe's prediction in flight, backed by the coordinator's storage. */
export interface KeyframeJournal {
  read(): Promise<KeyframeJournalEntry | undefined>;
  /** `undefined` forgets the entry (the attempt ended). */
  write(entry: KeyframeJournalEntry | undefined): Promise<void>;
}
export interface KeyframeJournalEntry {
  model: string;
  /** The model input, as JSON: a journalled prediction is resumed only for the same ask. */
  input: string;
  /** Set before `create` is sent: a crash after it means "look for what we created". */
  intentAt: number;
  predictionId?: string;
}

/**
 * One candidate of a reference batch (POST /api/references): the product or character the
 * user will pick and then see in every scene. Square, so it suits every aspect.
 */
export interface ReferenceRequest {
  batchId: string;
  /** 0-based position in the batch; candidates of one batch differ by it. */
  index: number;
  count: number;
  description: string;
  kind: "character" | "product";
  style: string | null;
  /** The batch's seed plus the index: a candidate is reproducible and differs from its siblings. */
  seed: number;
  width: number;
  height: number;
}

/** Draws reference candidates (offline: the motion renderer; else Replicate text-to-image). */
export interface ReferenceProvider {
  name: string;
  /** The first model of the chain: what an estimate prices. */
  model: string;
  /** Draws one candidate and stores it through `ctx.store`; the model and images billed. */
  drawReference(request: ReferenceRequest, ctx: KeyframeContext): Promise<{ model: string; images: number }>;
}

/** Draws storyboard keyframes: one still per scene, before any video is paid for. */
export interface ImageProvider {
  name: string;
  model: string;
  /** Draws and stores one keyframe; returns the model and the number of images billed. */
  generateKeyframe(
    request: KeyframeRequest,
    ctx: KeyframeContext,
  ): Promise<{ model: string; images: number }>;
}
