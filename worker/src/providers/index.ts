/**
 * The one place providers are chosen: OPENAI_API_KEY selects the OpenAI LLM (else the
 * offline template planner), REPLICATE_API_TOKEN selects Replicate video, storyboard
 * keyframes and reference candidates (else the offline motion renderer for all three). The coordinator calls
 * {@link providersFromEnv} once and hands the result to every stage in its context; stages
 * never read env to pick one. Tests inject their own.
 */
import type { Env } from "../env.ts";
import { createOfflineImageProvider } from "./offline-image.ts";
import { createOfflinePlanner } from "./offline-planner.ts";
import { createOfflineReferenceProvider } from "./offline-reference.ts";
import { createOfflineVideoProvider } from "./offline-video.ts";
import { createOpenAiProvider } from "./openai-llm.ts";
import { createReplicateImageProvider } from "./replicate-image.ts";
import { createReplicateReferenceProvider } from "./replicate-reference.ts";
import { createReplicateProvider } from "./replicate-video.ts";
import type { ImageProvider, LlmProvider, ReferenceProvider, VideoProvider } from "./types.ts";

/** The providers one group's stages use. */
export interface Providers {
  llm: LlmProvider;
  video: VideoProvider;
  /** Storyboard keyframes. */
  image: ImageProvider;
}

/** The LLM provider for this environment. */
export function llmProvider(env: Env): LlmProvider {
  if (env.OPENAI_API_KEY) {
    return createOpenAiProvider({
      apiKey: env.OPENAI_API_KEY,
      baseURL: env.OPENAI_BASE_URL,
      model: env.OPENAI_MODEL,
      ...(positive(env.OPENAI_TIMEOUT_MS) ? { timeoutMs: Number(env.OPENAI_TIMEOUT_MS) } : {}),
      background: env.OPENAI_BACKGROUND !== "0",
    });
  }
  return createOfflinePlanner();
}

/** The Replicate options shared by video and keyframes, with `models` from a comma-separated list. */
/** A setting that is a positive number. */
const positive = (value: string | undefined) => Number(value) > 0;

function replicateOptions(token: string, env: Env, modelList: string | undefined) {
  const models = modelList
    ?.split(",")
    .map((m) => m.trim())
    .filter(Boolean);
  return {
    token,
    baseUrl: env.REPLICATE_BASE_URL,
    ...(models?.length ? { models } : {}),
    ...(env.REPLICATE_POLL_MS ? { pollIntervalMs: Number(env.REPLICATE_POLL_MS) } : {}),
    ...(positive(env.REPLICATE_TIMEOUT_MS) ? { requestTimeoutMs: Number(env.REPLICATE_TIMEOUT_MS) } : {}),
    ...(positive(env.REPLICATE_DEADLINE_S)
      ? { predictionDeadlineMs: Number(env.REPLICATE_DEADLINE_S) * 1000 }
      : {}),
  };
}

/** The video provider for this environment. */
export function videoProvider(env: Env): VideoProvider {
  if (env.REPLICATE_API_TOKEN) {
    const cap = Number(env.REPLICATE_MAX_CONCURRENT);
    return createReplicateProvider({
      ...replicateOptions(env.REPLICATE_API_TOKEN, env, env.REPLICATE_MODELS),
      ...(Number.isInteger(cap) && cap > 0 ? { maxConcurrent: cap } : {}),
    });
  }
  return createOfflineVideoProvider(env);
}

/**
 * The keyframe provider: with REPLICATE_API_TOKEN, Replicate text-to-image over the
 * REPLICATE_IMAGE_MODELS chain (default black-forest-labs/flux-schnell, $0.003 an image);
 * else the offline renderer draws each scene's middle frame, for nothing.
 */
export function imageProvider(env: Env): ImageProvider {
  if (env.REPLICATE_API_TOKEN) {
    return createReplicateImageProvider(
      replicateOptions(env.REPLICATE_API_TOKEN, env, env.REPLICATE_IMAGE_MODELS),
    );
  }
  return createOfflineImageProvider(env);
}

/**
 * The reference-candidate provider (POST /api/references): with REPLICATE_API_TOKEN, Replicate
 * text-to-image over REPLICATE_REFERENCE_MODELS (default google/imagen-4, then
 * black-forest-labs/flux-schnell); else the offline renderer's labelled drafts.
 */
export function referenceProvider(env: Env): ReferenceProvider {
  if (env.REPLICATE_API_TOKEN) {
    return createReplicateReferenceProvider(
      replicateOptions(env.REPLICATE_API_TOKEN, env, env.REPLICATE_REFERENCE_MODELS),
    );
  }
  return createOfflineReferenceProvider(env);
}

/** Every provider for this environment. */
export const providersFromEnv = (env: Env): Providers => ({
  llm: llmProvider(env),
  video: videoProvider(env),
  image: imageProvider(env),
});
