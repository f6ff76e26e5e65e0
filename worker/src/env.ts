import type { GroupCoordinator } from "./groups/group-coordinator.ts";
import type { ReferenceBatch } from "./references/batch.ts";
import type { Renderer } from "./render/renderer-container.ts";

/**
 * The Worker's bindings and variables (see wrangler.toml and the README's configuration table).
 */
export interface Env {
  /** D1: users, generation records, costs, limits. */
  DB: D1Database;
  /** R2: clips, renders, thumbnails, uploaded assets. */
  MEDIA: R2Bucket;
  /** One Durable Object per generation group. */
  GROUP_COORDINATOR: DurableObjectNamespace<GroupCoordinator>;
  /** One Durable Object per reference batch (POST /api/references). */
  REFERENCE_BATCH: DurableObjectNamespace<ReferenceBatch>;
  /** The render container (production); locally RENDER_URL points at the Node process instead. */
  RENDERER?: DurableObjectNamespace<Renderer>;
  /** Static web app (Vite build). */
  ASSETS?: Fetcher;
  /** `development` locally; anything else is treated as production. */
  ENVIRONMENT?: string;
  /** HS256 signing secret for session tokens (a secret binding; `.dev.vars` locally). */
  JWT_SECRET?: string;
  /** Base URL of a render container reachable over HTTP (local development and tests). */
  RENDER_URL?: string;
  /**
   * The secret shared with the render container (a secret binding; `.dev.vars` locally, written by
   * `npm start`): sent as `Authorization: Bearer` on every call, and given to each Renderer
   * container as its RENDER_SECRET. At least 32 characters; the container refuses to start without.
   */
  RENDER_SECRET?: string;
  /** How long a render job's stream may stay silent before the container counts as hung, in ms (default 60000; keep above its 10 s keep-alive). */
  RENDER_STALL_MS?: string;
  /** Time staging one file into the render container may take, in ms (default 120000). */
  RENDER_STAGE_TIMEOUT_MS?: string;
  /** Render container instances to spread jobs over in production (default 5, at most max_instances). */
  RENDER_POOL_SIZE?: string;
  /** Session lifetime in seconds (default 7 days). */
  SESSION_TTL_SECONDS?: string;
  /** Lifetime of signed media links in seconds (default 6 h). */
  MEDIA_URL_TTL_SECONDS?: string;
  /** Generations allowed per user per rolling hour (default 10). */
  GENERATIONS_PER_HOUR?: string;
  /** Storage quota for a user's uploaded assets, in MB (default 500). */
  ASSET_QUOTA_MB?: string;
  /** Most assets a user may keep (default 100). */
  ASSET_QUOTA_COUNT?: string;
  /** Upload attempts allowed per user per rolling minute (default 10). */
  UPLOADS_PER_MINUTE?: string;
  /** Lowest log level written: debug, info (default), warn or error. */
  LOG_LEVEL?: string;
  OPENAI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
  /** Time one OpenAI request may take, in ms (default 60000); the SDK retries it twice. */
  OPENAI_TIMEOUT_MS?: string;
  OPENAI_MODEL?: string;
  /**
   * "0": the specification is one chat completion, for OpenAI-compatible servers without the
   * Responses API. Default: a background response, resumed after a restart instead of asked again.
   */
  OPENAI_BACKGROUND?: string;
  REPLICATE_API_TOKEN?: string;
  REPLICATE_BASE_URL?: string;
  /** Comma-separated video model fallback chain (default minimax/video-01,kwaivgi/kling-v1.6-standard). */
  REPLICATE_MODELS?: string;
  /** Comma-separated keyframe (text-to-image) model fallback chain (default black-forest-labs/flux-schnell). */
  REPLICATE_IMAGE_MODELS?: string;
  /** Comma-separated reference-candidate model chain (default google/imagen-4,black-forest-labs/flux-schnell). */
  REPLICATE_REFERENCE_MODELS?: string;
  /** How often to poll a prediction, in ms (default 2000). */
  REPLICATE_POLL_MS?: string;
  /** Time one Replicate request may take until it answers, in ms (default 30000); reads are tried again. */
  REPLICATE_TIMEOUT_MS?: string;
  /** Time one prediction may run before it is cancelled and the next attempt or model takes over, in s (default 900). */
  REPLICATE_DEADLINE_S?: string;
  /** Video predictions of one generation at once (a positive integer); default: every scene at once. */
  REPLICATE_MAX_CONCURRENT?: string;
  /**
   * Seconds a generation may go without progress before the watchdog re-runs its step, and then
   * fails it (default 1200: above REPLICATE_DEADLINE_S, so a slow prediction is not taken for stalled).
   */
  WATCHDOG_S?: string;
  /** Origin the public can reach this Worker at (for provider-facing media links), e.g. https://ads.example.com. */
  PUBLIC_URL?: string;
}

/** Per-request variables set by middleware. */
export interface AppVariables {
  requestId: string;
  /** Set by `requireUser`. */
  user: { id: string; email: string };
  /** Set by `polled` (lib/request-log.ts) on routes clients poll: their success is logged at debug. */
  polled?: boolean;
}

/** The Hono environment type shared by every route module. */
export interface AppEnv {
  Bindings: Env;
  Variables: AppVariables;
}

/** True when running under `wrangler dev` or the tests, where weaker local defaults are allowed. */
export function isDevelopment(env: Env): boolean {
  return env.ENVIRONMENT === "development" || env.ENVIRONMENT === "test";
}

/** Reads a positive integer variable, falling back to `fallback` when unset or invalid. */
export function intVar(value: string | undefined, fallback: number): number {
  const n = value === undefined ? Number.NaN : Number.parseInt(value, 10);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}
