/** Five variations of a 15 s ad on the offline path (template planner + motion renderer), live over one socket. */
import { describe, expect, it } from "vitest";
import type { LiveEvent } from "../src/groups/events.ts";
import { call, postJson, signUp } from "./helpers.ts";
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

    const ticket = (await (
      await call(`/api/groups/${group_id}/ticket`, { method: "POST", headers: auth(token) })
    ).json()) as { path: string };
    const ws = (await call(ticket.path, { headers: { Upgrade: "websocket" } })).webSocket!;
    ws.accept();
    const events: LiveEvent[] = [];
    ws.addEventListener("message", (m) => events.push(JSON.parse(String(m.data)) as LiveEvent));

    const results = await Promise.all(generation_ids.map((id) => waitFor(token, id, finished, 580_000)));
    ws.close();
    expect(results.map((r) => r.final.status)).toEqual(Array(5).fill("completed"));
    for (const id of generation_ids) expect(isMp4(await magic(`renders/${id}/video.mp4`))).toBe(true);

    const snapshot = events[0];
    expect(snapshot?.type === "snapshot" && snapshot.generations.map((g) => g.generation_id).sort()).toEqual(
      [...generation_ids].sort(),
    );
    const doneOnSocket = new Set(
      events.flatMap((e) =>
        e.type === "generation" && e.generation.status === "completed" ? [e.generation.generation_id] : [],
      ),
    );
    expect(doneOnSocket.size).toBe(5);

    const cmp = (await (await call(`/api/comparison/${group_id}`, { headers: auth(token) })).json()) as {
      differing_fields: string[];
      total_cost: number;
      variations: { label: string }[];
    };
    expect(cmp.differing_fields).toEqual(["settings.grade"]);
    expect(cmp.variations.map((v) => v.label)).toEqual(grades);
    expect(cmp.total_cost).toBe(0);
  });
});
