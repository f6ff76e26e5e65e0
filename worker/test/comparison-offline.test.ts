/** Five variations of a 15 s ad on the offline path (template planner + motion renderer), live over one socket. */
import { describe, expect, it } from "vitest";
import type { LiveEvent } from "../src/groups/events.ts";
import { call, postJson, signUp, x264Options } from "./helpers.ts";
import { auth, finished, isMp4, magic, waitFor } from "./pipeline-helpers.ts";

describe("parallel variations offline", () => {
  it("five settings profiles complete, streamed on the group's socket, with the grade as the difference", {
    timeout: 600_000,
  }, async () => {
    const { token } = await signUp();
    const grades = ["none", "warm", "cool", "cinematic", "vivid"];
    const res = await postJson(
      "/api/generate/parallel",
      {
        mode: "settings",
        prompt: "Luxury watch ad for Instagram",
        profiles: grades.map((grade) => ({ name: grade, settings: { grade } })),
      },
      token,
    );
    expect(res.status).toBe(202);
    const { group_id, generation_ids } = (await res.json()) as { group_id: string; generation_ids: string[] };
    expect(generation_ids).toHaveLength(5);
    // Nothing has finished yet, so nothing can win.
    const early = await pickWinner(token, group_id, generation_ids[0]!);
    expect(early.status).toBe(409);
    expect(((await early.json()) as { error: { code: string } }).error.code).toBe("conflict");

    const ticket = (await (
      await call(`/api/groups/${group_id}/ticket`, { method: "POST", headers: auth(token) })
    ).json()) as { path: string };
    const ws = (await call(ticket.path, { headers: { Upgrade: "websocket" } })).webSocket!;
    ws.accept();
    const events: LiveEvent[] = [];
    ws.addEventListener("message", (m) => events.push(JSON.parse(String(m.data)) as LiveEvent));

    const results = await Promise.all(generation_ids.map((id) => waitFor(token, id, finished, 580_000)));
    const doneOnSocket = () =>
      new Set(
        events.flatMap((e) =>
          e.type === "generation" && e.generation.status === "completed" ? [e.generation.generation_id] : [],
        ),
      );
    // A poll reads the stored state a moment before its event goes out (after the D1 mirror's
    // write): the last completion may still be on its way when the polls are done.
    for (let i = 0; i < 100 && doneOnSocket().size < 5; i++) await new Promise((r) => setTimeout(r, 50));
    ws.close();
    expect(results.map((r) => r.final.status)).toEqual(Array(5).fill("completed"));
    for (const id of generation_ids) {
      expect(isMp4(await magic(`renders/${id}/video.mp4`))).toBe(true);
      // Motion-renderer pictures only: the encode made for them (x264 veryfast: subme 2, one
      // reference frame; no B-frames, no P partitions) at CRF 18 (MOTION_GRAPHICS_ENCODE).
      expect(await x264Options(`renders/${id}/video.mp4`)).toMatchObject({
        subme: "2",
        ref: "1",
        bframes: "0",
        analyse: "0x3:0",
        crf: "18.0",
      });
    }

    const snapshot = events[0];
    expect(snapshot?.type === "snapshot" && snapshot.generations.map((g) => g.generation_id).sort()).toEqual(
      [...generation_ids].sort(),
    );
    expect(doneOnSocket().size).toBe(5);

    const cmp = await comparison(token, group_id);
    expect(cmp.differing_fields).toEqual(["settings.grade"]);
    expect(cmp.variations.map((v) => v.label)).toEqual(grades);
    expect(cmp.total_cost).toBe(0);

    // The winner: only a finished variation of this group, only by its owner, cleared by null
    // and forgotten when the winning variation is deleted.
    const winner = generation_ids[2]!;
    const picked = await pickWinner(token, group_id, winner);
    expect(picked.status).toBe(200);
    expect(await picked.json()).toEqual({ group_id, winner_generation_id: winner });
    expect((await comparison(token, group_id)).winner_generation_id).toBe(winner);

    const stranger = await signUp();
    expect((await pickWinner(stranger.token, group_id, winner)).status).toBe(404);
    const foreign = await pickWinner(token, group_id, "not-in-this-group");
    expect(foreign.status).toBe(400);
    expect(
      ((await foreign.json()) as { error: { details: { fields: Record<string, string[]> } } }).error.details
        .fields.generation_id,
    ).toEqual(["Not a variation of this comparison"]);
    expect((await comparison(token, group_id)).winner_generation_id).toBe(winner);

    expect((await pickWinner(token, group_id, null)).status).toBe(200);
    expect((await comparison(token, group_id)).winner_generation_id).toBeNull();
    expect((await pickWinner(token, group_id, winner)).status).toBe(200);
    const removed = await call(`/api/generations/${winner}`, { method: "DELETE", headers: auth(token) });
    expect(removed.status).toBe(200);
    const after = await comparison(token, group_id);
    expect(after.winner_generation_id).toBeNull();
    expect(after.variations.map((v) => v.label)).toEqual(grades.filter((_, i) => i !== 2));
  });
});

function pickWinner(token: string, groupId: string, generationId: string | null) {
  return call(`/api/comparison/${groupId}/winner`, {
    method: "PUT",
    headers: { ...auth(token), "Content-Type": "application/json" },
    body: JSON.stringify({ generation_id: generationId }),
  });
}

async function comparison(token: string, groupId: string) {
  const res = await call(`/api/comparison/${groupId}`, { headers: auth(token) });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    differing_fields: string[];
    total_cost: number;
    winner_generation_id: string | null;
    variations: { label: string }[];
  };
}
