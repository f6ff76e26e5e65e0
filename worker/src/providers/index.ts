/**
 * The one place providers are chosen: OPENAI_API_KEY selects the OpenAI LLM (else the
 * offline template planner), REPLICATE_API_TOKEN selects Replicate video (else the offline
 * motion renderer). The coordinator calls {@link providersFromEnv} once and hands the result
 * to every stage in its context; stages never read env to pick one. Tests inject their own.
 */
import type { Env } from "../env.ts";
import { createOfflineImageProvider } from "./offline-image.ts";
import { createOfflinePlanner } from "./offline-planner.ts";
import { createOfflineVideoProvider } from "./offline-video.ts";
import { createOpenAiProvider } from "./openai-llm.ts";
import { createReplicateProvider } from "./replicate-video.ts";
import type { ImageProvider, LlmProvider, VideoProvider } from "./types.ts";

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
    });
  }
  return createOfflinePlanner();
}

/** The video provider for this environment. */
export function videoProvider(env: Env): VideoProvider {
  if (env.REPLICATE_API_TOKEN) {
    const models = env.REPLICATE_MODELS?.split(",")
      .map((m) => m.trim())
      .filter(Boolean);
    return createReplicateProvider({
      token: env.REPLICATE_API_TOKEN,
      baseUrl: env.REPLICATE_BASE_URL,
      ...(models?.length ? { models } : {}),
      ...(env.REPLICATE_POLL_MS ? { pollIntervalMs: Number(env.REPLICATE_POLL_MS) } : {}),
    });
  }
  return createOfflineVideoProvider(env);
}

/**
 * The keyframe provider. Keyframes are drawn by the offline renderer in every environment for
 * now; a Replicate text-to-image provider (flux-schnell) is the planned alternative.
 */
export function imageProvider(env: Env): ImageProvider {
  return createOfflineImageProvider(env);
}

/** Every provider for this environment. */
export const providersFromEnv = (env: Env): Providers => ({
  llm: llmProvider(env),
  video: videoProvider(env),
  image: imageProvider(env),
});
