/**
 * The D1 schema. drizzle-kit generates the SQL migrations in /migrations from this file;
 * wrangler and the tests apply those same migrations.
 */
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { EXPORT_FORMATS } from "../pipeline/rules.ts";

/** Epoch milliseconds, the unit of every timestamp column. */
const epochMs = (name: string) => integer(name);

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
  /** `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`: the parameters travel with the hash. */
  passwordHash: text("password_hash").notNull(),
  /** Lifetime spend in USD, incremented atomically once per finished generation. */
  totalCost: real("total_cost").notNull().default(0),
  /** The user's monthly spending cap in USD; null is no cap. */
  monthlyBudgetUsd: real("monthly_budget_usd"),
  /** Spend in USD of the calendar month (UTC) named by `spendMonth`, charged with `totalCost`. */
  monthSpendUsd: real("month_spend_usd").notNull().default(0),
  /** `YYYY-MM` of `monthSpendUsd`; a charge in a later month starts it again from zero. */
  spendMonth: text("spend_month"),
  createdAt: epochMs("created_at").notNull(),
});

export const COMPARISON_TYPES = ["single", "settings", "prompt"] as const;
export type ComparisonType = (typeof COMPARISON_TYPES)[number];

export const generationGroups = sqliteTable(
  "generation_groups",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    comparisonType: text("comparison_type", { enum: COMPARISON_TYPES }).notNull(),
    /** The variation the user picked in the comparison; ignored once that variation is deleted. */
    winnerGenerationId: text("winner_generation_id"),
    createdAt: epochMs("created_at").notNull(),
  },
  (t) => [index("generation_groups_user_created_idx").on(t.userId, t.createdAt)],
);

/** How a generation was made: from a prompt, or stitched from the user's own clips (POST /api/stitch). */
export const GENERATION_SOURCES = ["prompt", "stitch"] as const;
export type GenerationSource = (typeof GENERATION_SOURCES)[number];

/**
 * `storyboard`: keyframes are ready and the generation waits for the user's edits and approval.
 * `cancelled`: stopped by its owner (its error still reads "Cancelled by user"). Added after the
 * others: a text column with no CHECK, so no migration; older cancels stay `failed`.
 */
export const GENERATION_STATUSES = [
  "pending",
  "processing",
  "storyboard",
  "completed",
  "failed",
  "cancelled",
] as const;
export type GenerationStatus = (typeof GENERATION_STATUSES)[number];

/** The statuses a generation ends in (a finished ad can still open a draft of its next version). */
export const TERMINAL_STATUSES = ["completed", "failed", "cancelled"] as const satisfies GenerationStatus[];

/** True when `status` is one a generation ends in. */
export const isTerminalStatus = (status: GenerationStatus): boolean =>
  (TERMINAL_STATUSES as readonly GenerationStatus[]).includes(status);

export const generations = sqliteTable(
  "generations",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    groupId: text("group_id")
      .notNull()
      .references(() => generationGroups.id, { onDelete: "cascade" }),
    prompt: text("prompt").notNull(),
    /** The variation's name in a comparison ("Profile A", or the profile's own name); null for singles. */
    label: text("label"),
    source: text("source", { enum: GENERATION_SOURCES }).notNull().default("prompt"),
    /** JSON: the validated GenerationSettings. */
    settings: text("settings").notNull().default("{}"),
    status: text("status", { enum: GENERATION_STATUSES }).notNull().default("pending"),
    progress: integer("progress").notNull().default(0),
    currentStep: text("current_step"),
    /** JSON: the AdSpecification written by the LLM stage. */
    spec: text("spec"),
    /** JSON: the ScenePlan. */
    scenePlan: text("scene_plan"),
    /** JSON: each scene's clip (status, R2 key, model, billed seconds, cost), as the coordinator tracks it. */
    sceneClips: text("scene_clips"),
    /** JSON: each scene's storyboard keyframe (status, R2 key, cost). */
    sceneKeyframes: text("scene_keyframes"),
    /** Scene refinements asked of the LLM so far (at most MAX_REFINEMENTS). */
    refinements: integer("refinements").notNull().default(0),
    /** Storyboard edits applied so far; an edit naming an older revision is refused as stale. */
    revision: integer("revision").notNull().default(0),
    /** The version the row shows: 1 for the first render, then one more per re-render after edits. */
    version: integer("version").notNull().default(1),
    /** JSON: the finished versions (groups/state.ts VersionRecord), oldest first. */
    versions: text("versions"),
    videoKey: text("video_key"),
    thumbnailKey: text("thumbnail_key"),
    /** USD. */
    cost: real("cost").notNull().default(0),
    /** JSON: cost per stage and per scene. */
    costBreakdown: text("cost_breakdown"),
    error: text("error"),
    cancellationRequested: integer("cancellation_requested", { mode: "boolean" }).notNull().default(false),
    seed: integer("seed"),
    createdAt: epochMs("created_at").notNull(),
    startedAt: epochMs("started_at"),
    completedAt: epochMs("completed_at"),
  },
  (t) => [
    index("generations_user_created_idx").on(t.userId, t.createdAt),
    index("generations_group_idx").on(t.groupId),
  ],
);

/**
 * Units of work charged against a user's hourly generation limit. Kept apart from
 * `generations` so that deleting a generation does not hand its quota back.
 */
export const usageEvents = sqliteTable(
  "usage_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    groupId: text("group_id").notNull(),
    units: integer("units").notNull(),
    createdAt: epochMs("created_at").notNull(),
  },
  (t) => [index("usage_events_user_created_idx").on(t.userId, t.createdAt)],
);

/** Failed sign-in attempts, counted per email and per client address. */
export const loginFailures = sqliteTable(
  "login_failures",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** `email:<address>` or `ip:<address>`. */
    subject: text("subject").notNull(),
    createdAt: epochMs("created_at").notNull(),
  },
  (t) => [index("login_failures_subject_created_idx").on(t.subject, t.createdAt)],
);

/** `reference` is reserved for generated candidates (not uploadable). */
export const ASSET_KINDS = ["image", "audio", "video", "reference"] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

/**
 * The user's own media (product photos, logos, music, clips), each checked before it is
 * recorded; the bytes are in R2 at `r2Key` (`assets/{user_id}/{asset_id}`).
 */
export const assets = sqliteTable(
  "assets",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ASSET_KINDS }).notNull(),
    /** The type the bytes were detected as (never the client's claim). */
    contentType: text("content_type").notNull(),
    /** The client's file name, sanitised; for display only. */
    name: text("name").notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    /** Hex SHA-256 of the bytes: the same upload twice answers the first asset. */
    sha256: text("sha256").notNull(),
    width: integer("width"),
    height: integer("height"),
    durationS: real("duration_s"),
    /** Comma-separated codecs of audio and video (e.g. `h264,aac`); null for images. */
    codecs: text("codecs"),
    r2Key: text("r2_key").notNull(),
    /** USD; uploads cost nothing, generated references will. */
    cost: real("cost").notNull().default(0),
    createdAt: epochMs("created_at").notNull(),
  },
  (t) => [
    index("assets_user_created_idx").on(t.userId, t.createdAt),
    index("assets_user_sha256_idx").on(t.userId, t.sha256),
  ],
);

/** Upload attempts, counted per user over a sliding minute (limits/upload-rate.ts). */
export const uploadAttempts = sqliteTable(
  "upload_attempts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: epochMs("created_at").notNull(),
  },
  (t) => [index("upload_attempts_user_created_idx").on(t.userId, t.createdAt)],
);

export const EXPORT_STATUSES = ["queued", "processing", "completed", "failed"] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

/**
 * Exports of a finished ad (POST /api/generations/:id/exports): one row per generation, version,
 * format, quality and aspect (unique), so the same request twice is the same export. The file is
 * in R2 at `r2Key`; the generation's coordinator runs the job and keeps the row current.
 */
export const adExports = sqliteTable(
  "exports",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    generationId: text("generation_id")
      .notNull()
      .references(() => generations.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    format: text("format", { enum: EXPORT_FORMATS }).notNull(),
    quality: integer("quality").notNull(),
    aspect: text("aspect").notNull(),
    /** The platform preset it was asked through (the first request's), if any. */
    preset: text("preset"),
    status: text("status", { enum: EXPORT_STATUSES }).notNull().default("queued"),
    progress: integer("progress").notNull().default(0),
    error: text("error"),
    /** True when the user cancelled it (status failed). */
    cancelled: integer("cancelled", { mode: "boolean" }).notNull().default(false),
    r2Key: text("r2_key").notNull(),
    sizeBytes: integer("size_bytes"),
    durationS: real("duration_s"),
    downloads: integer("downloads").notNull().default(0),
    createdAt: epochMs("created_at").notNull(),
    completedAt: epochMs("completed_at"),
  },
  (t) => [
    uniqueIndex("exports_variant_idx").on(t.generationId, t.version, t.format, t.quality, t.aspect),
    index("exports_user_idx").on(t.userId),
  ],
);

/**
 * `Idempotency-Key`s of create requests (lib/idempotency.ts), per user: the claim, the request it
 * was claimed for and, once the request succeeded, the answer to replay. Rows older than 24 h
 * count as absent and are overwritten or pruned.
 */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    /** Hex SHA-256 of the method, path and canonical JSON body the key was first used with. */
    requestHash: text("request_hash").notNull(),
    /** Random per claim: only the request holding it may record the answer or release the key. */
    token: text("token").notNull(),
    /** The stored answer's status; null while the first request is still running. */
    responseStatus: integer("response_status"),
    /** The stored answer's JSON body. */
    responseBody: text("response_body"),
    createdAt: epochMs("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] }), index("idempotency_keys_created_idx").on(t.createdAt)],
);
