/**
 * A reference image with Replicate (against the local server): the user's uploaded photo reaches
 * every clip prediction as a signed link to the generation's own copy, under the model's own
 * image field; someone else's asset is a 404 wherever a setting names it (reference, music,
 * logo), and an asset of the wrong kind a 400.
 */
import { describe, expect, inject, it } from "vitest";
import { postJson, signUp, uploadAsset } from "../test/helpers.ts";
import { finished, generate, waitFor } from "../test/pipeline-helpers.ts";
import { replicate } from "./fakes.ts";

const MINIMAX = "minimax/video-01";

describe("reference images with Replicate", () => {
  it("sends the photo to every clip prediction under the model's image field; others' assets are 404", async () => {
    await replicate.reset();
    const fixtures = inject("assetFixtures");
    const owner = await signUp();
    const stranger = await signUp();
    const photo = await uploadAsset(owner.token, fixtures.png, "image/png");
    const track = await uploadAsset(owner.token, fixtures.wav, "audio/wav");

    for (const settings of [{ reference_image: photo }, { music: track }, { logo: photo }]) {
      const res = await postJson(
        "/api/generate",
        { prompt: "Ceramic coffee dripper ad", settings },
        stranger.token,
      );
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
    }
    const wrongKind = await postJson(
      "/api/generate",
      { prompt: "Ceramic coffee dripper ad", settings: { music: photo } },
      owner.token,
    );
    expect(wrongKind.status).toBe(400);
    expect((await replicate.stats()).createsReceived).toBe(0);

    const { generation_id: id } = await generate(owner.token, "Ceramic coffee dripper for slow mornings", {
      reference_image: photo,
    });
    const { final } = await waitFor(owner.token, id, finished, 180_000);
    expect(final.status).toBe("completed");
    const clips = (await replicate.stats()).predictions.filter((p) => p.model === MINIMAX);
    expect(clips).toHaveLength(final.num_scenes);
    for (const p of clips)
      expect(String(p.input.first_frame_image)).toMatch(
        new RegExp(`/media/clips/${id}/reference\\?exp=\\d+&sig=[0-9a-f]+$`),
      );
  }, 300_000);
});
