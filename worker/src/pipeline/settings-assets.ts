/**
 * Settings that name the user's own assets: `reference_image` (the product or character shown
 * in every scene: an image or a generated reference) and `music` (the track under the ad: an
 * audio asset). Each is resolved here, before anything is created, to the asset's R2 key:
 * another user's id, or a missing one, is a 404; an asset of the wrong kind is a 400. When the
 * group starts, each generation gets its own copy (media-keys `referenceKey`, `musicKey`), so
 * deleting the asset later never breaks an ad or a re-render. Only keys read from D1 become R2
 * paths; the caller's text never does.
 */
import { and, eq, inArray } from "drizzle-orm";
import { getDb } from "../db/client.ts";
import { type AssetKind, assets } from "../db/schema.ts";
import type { Env } from "../env.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import type { CreatedGenerations, NewGeneration } from "./create.ts";
import { logoKey, musicKey, referenceKey } from "./media-keys.ts";

/** The settings that name an asset, the kinds each accepts, and where a generation keeps its copy. */
const SLOTS = {
  reference_image: { kinds: ["image", "reference"], what: "an image", copyTo: referenceKey },
  music: { kinds: ["audio"], what: "an audio", copyTo: musicKey },
  logo: { kinds: ["image"], what: "an image", copyTo: logoKey },
} as const satisfies Record<
  string,
  { kinds: readonly AssetKind[]; what: string; copyTo: (generationId: string) => string }
>;
export type AssetSetting = keyof typeof SLOTS;
const SETTINGS = Object.keys(SLOTS) as AssetSetting[];

/** `items` with each asset setting resolved to its asset's R2 key (`assetSources`). */
export async function withAssetSources(
  env: Env,
  userId: string,
  items: NewGeneration[],
): Promise<NewGeneration[]> {
  const wanted = items.flatMap((item) =>
    SETTINGS.flatMap((setting) => (item.settings[setting] ? [item.settings[setting]] : [])),
  );
  if (!wanted.length) return items;
  const rows = await getDb(env)
    .select({ id: assets.id, kind: assets.kind, r2Key: assets.r2Key })
    .from(assets)
    .where(and(eq(assets.userId, userId), inArray(assets.id, [...new Set(wanted)])))
    .all();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return items.map((item) => {
    const sources: Partial<Record<AssetSetting, string>> = {};
    for (const setting of SETTINGS) {
      const id = item.settings[setting];
      if (!id) continue;
      const row = byId.get(id);
      if (!row) throw notFound("Asset");
      const slot = SLOTS[setting];
      if (!(slot.kinds as readonly string[]).includes(row.kind))
        throw new ApiError(400, "validation_failed", `The ${setting} setting needs ${slot.what} asset.`, {
          details: { fields: { [`settings.${setting}`]: [`Asset ${id} is ${row.kind}, not ${slot.what}`] } },
        });
      sources[setting] = row.r2Key;
    }
    return { ...item, assetSources: sources };
  });
}

/** Copies each new generation's assets into its own prefix. */
export async function copySettingAssets(
  env: Pick<Env, "MEDIA">,
  items: NewGeneration[],
  created: Pick<CreatedGenerations, "generationIds">,
): Promise<void> {
  await Promise.all(
    items.flatMap((item, i) =>
      Object.entries(item.assetSources ?? {}).map(async ([setting, key]) => {
        const source = await env.MEDIA.get(key);
        if (!source) throw new Error(`the ${setting} asset was deleted while the generation was created`);
        await env.MEDIA.put(SLOTS[setting as AssetSetting].copyTo(created.generationIds[i]!), source.body, {
          httpMetadata: source.httpMetadata,
        });
      }),
    ),
  );
}

/** The R2 keys of a generation's own copies of its assets (kept while the generation exists). */
export function settingAssetKeys(
  generationId: string,
  settings: Partial<Record<AssetSetting, string | null>>,
): string[] {
  return SETTINGS.filter((setting) => settings[setting]).map((setting) =>
    SLOTS[setting].copyTo(generationId),
  );
}
