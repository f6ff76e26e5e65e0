/**
 * Creating generation records: one group and N generations, all or nothing, charged against
 * the hourly quota in the same D1 transaction (see limits/generation-quota.ts).
 */
import { type ComparisonType, generationGroups, generations, usageEvents } from "../db/schema.ts";
import { sqlNames } from "../db/sql-names.ts";
import type { Env } from "../env.ts";
import { claimQuotaStatement, quotaExceeded } from "../limits/generation-quota.ts";
import type { GenerationSettings } from "./settings.ts";
import type { StitchClip } from "./stitch.ts";

export interface NewGeneration {
  prompt: string;
  settings: GenerationSettings;
  /** The variation's name in a comparison. */
  label?: string | null;
  /** R2 keys of the assets the settings name, resolved by pipeline/settings-assets.ts (not stored). */
  assetSources?: Partial<Record<"reference_image" | "music" | "logo", string>>;
  /** A stitch of the user's own clips (POST /api/stitch) instead of a prompt's pipeline. */
  stitch?: { clips: StitchClip[]; title: string; overlays: string[] };
}

/** What {@link createGenerations} wrote, in the order of its items. */
export interface CreatedGenerations {
  groupId: string;
  generationIds: string[];
  seeds: number[];
  /** Each record's `created_at` (epoch ms). */
  createdAt: number[];
}

const G = sqlNames(generations);
const GG = sqlNames(generationGroups);
const U = sqlNames(usageEvents);

/** Random seed in the range the settings accept. */
const randomSeed = () => crypto.getRandomValues(new Uint32Array(1))[0]! % 2_147_483_647;

/**
 * Inserts the group and its generations (status `pending`) if the user's hourly quota has
 * room for all of them; otherwise writes nothing and throws 429.
 */
export async function createGenerations(
  env: Env,
  input: { userId: string; comparisonType: ComparisonType; items: NewGeneration[] },
  now = Date.now(),
): Promise<CreatedGenerations> {
  const groupId = crypto.randomUUID();
  const generationIds = input.items.map(() => crypto.randomUUID());
  const claimed = `EXISTS (SELECT 1 FROM ${U.$table} WHERE ${U.groupId} = ?)`;
  const insertGroup = env.DB.prepare(
    `INSERT INTO ${GG.$table} (${GG.id}, ${GG.userId}, ${GG.comparisonType}, ${GG.createdAt})
     SELECT ?, ?, ?, ? WHERE ${claimed}`,
  ).bind(groupId, input.userId, input.comparisonType, now, groupId);
  // Variations share one seed unless they set their own, so that what differs between them is
  // only what the user changed (and identical scenes can be rendered once for all).
  const groupSeed = randomSeed();
  const seeds = input.items.map((item) => item.settings.seed ?? groupSeed);
  const insertGenerations = input.items.map((item, i) => {
    const seed = seeds[i]!;
    const settings = { ...item.settings, seed };
    return env.DB.prepare(
      `INSERT INTO ${G.$table} (${G.id}, ${G.userId}, ${G.groupId}, ${G.prompt}, ${G.label}, ${G.source}, ${G.settings},
         ${G.status}, ${G.progress}, ${G.currentStep}, ${G.seed}, ${G.createdAt})
       SELECT ?, ?, ?, ?, ?, ?, ?, 'pending', 0, 'Queued', ?, ? WHERE ${claimed}`,
    ).bind(
      generationIds[i]!,
      input.userId,
      groupId,
      item.prompt,
      item.label ?? null,
      item.stitch ? "stitch" : "prompt",
      JSON.stringify(settings),
      seed,
      now + i,
      groupId,
    );
  });
  const results = await env.DB.batch([
    claimQuotaStatement(env, input.userId, groupId, input.items.length, now),
    insertGroup,
    ...insertGenerations,
  ]);
  if ((results[0]?.meta.changes ?? 0) === 0)
    throw await quotaExceeded(env, input.userId, input.items.length, now);
  return { groupId, generationIds, seeds, createdAt: input.items.map((_, i) => now + i) };
}
