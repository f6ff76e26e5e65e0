/**
 * Fault suite: the group's Durable Object evicted mid-stage, ten times over the stages (the LLM's
 * specification, the plan, a storyboard's keyframes, the clips, the compose), two in each. `ctx.abort()` resets the object as a restart
 * would: its memory and the run in flight are gone, its storage stays. The coordinator's dead
 * man's alarm (groups/watchdog.ts) runs the generation again from its stored state.
 *
 * The plan step is instant (no provider call): its evictions land just after it saved, before the
 * clips start. The specification is an OpenAI background response whose id is journalled before
 * its first poll; an enhance eviction lands once the local OpenAI server has seen that poll, so
 * the restarted coordinator must resume it (OpenAI offers no way to find a response whose create
 * answered in the milliseconds before the journal write; that window is not what this row tests).
 * A keyframes eviction lands once a keyframe prediction is journalled; that storyboard is then
 * approved, as its user would, and the ad made.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { coordinator } from "../src/groups/coordinator-client.ts";
import { call } from "../test/helpers.ts";
import { auth, generate, mediaKeys, type Status } from "../test/pipeline-helpers.ts";
import { openai, replicate } from "../test-providers/fakes.ts";
import { faultTable, follow, inBatches, PRODUCTS, SETTINGS, users } from "./suite.ts";

const rows = faultTable();

/** Where to evict: the moment a status shows the stage under way. */
const STAGES: { name: string; under: (s: Status) => boolean }[] = [
  { name: "enhance", under: (s) => s.current_step === "Writing the ad specification" },
  { name: "plan", under: (s) => s.progress === 20 },
  { name: "keyframes", under: (s) => s.current_step === "Drawing keyframes" },
  { name: "clips", under: (s) => s.progress >= 30 && s.scenes.some((c) => c.status === "rendering") },
  { name: "compose", under: (s) => s.progress >= 80 && s.progress < 100 },
];
/** Ten evictions, two per stage. */
const PLAN = [
  "enhance",
  "enhance",
  "plan",
  "plan",
  "keyframes",
  "keyframes",
  "clips",
  "clips",
  "compose",
  "compose",
];
const FLUX = "black-forest-labs/flux-schnell";
const VIDEO = "minimax/video-01";

/** The R2 keys a completed generation's status points at, and its finished ad's scene posters. */
function expectedKeys(s: Status): Set<string> {
  const keyOf = (url: string | null) =>
    url
      ? new URL(url).pathname
          .replace(/^\/media\//, "")
          .split("/")
          .map(decodeURIComponent)
          .join("/")
      : null;
  const keys = [
    keyOf(s.video_url),
    keyOf(s.thumbnail_url),
    ...s.scenes.flatMap((c) => [keyOf(c.clip_url), keyOf(c.poster_url), keyOf(c.keyframe_url)]),
    ...s.scenes.map((_, i) => `renders/${s.generation_id}/scene-${i}.jpg`),
  ];
  return new Set(keys.filter((k): k is string => k !== null));
}

/** True once the OpenAI response for `prompt`'s specification has been polled (its id is journalled). */
async function specPolled(prompt: string): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    const { responses } = await openai.stats();
    if (responses.some((r) => r.input.includes(prompt) && r.retrieves > 0)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

/** One at a time: `runInDurableObject` calls racing another object's abort fail the test run. */
let inObjects: Promise<unknown> = Promise.resolve();
function serially<T>(task: () => Promise<T>): Promise<T> {
  const run = inObjects.then(task);
  inObjects = run.catch(() => undefined);
  return run;
}

/** Resets group `groupId`'s coordinator, as an eviction or a crash would; true once a new instance answers. */
const evict = (groupId: string) => serially(() => evictNow(groupId));

/** True once generation `id` has a keyframe prediction journalled in its coordinator's storage. */
async function keyframeJournalled(groupId: string, id: string): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    const noted = await serially(() =>
      runInDurableObject(coordinator(env, groupId), async (_instance, state) => {
        const entries = await state.storage.list<{ predictionId?: string }>({
          prefix: `journal:${id}:keyframe-`,
        });
        return [...entries.values()].some((e) => e.predictionId);
      }),
    );
    if (noted) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

async function evictNow(groupId: string): Promise<boolean> {
  const stub = coordinator(env, groupId);
  await runInDurableObject(stub, (instance) => {
    (instance as unknown as { evictionMark?: boolean }).evictionMark = true;
  });
  await runInDurableObject(stub, (_instance, state) => state.abort("fault suite: evicted")).catch(
    () => undefined,
  );
  // A stub that saw the reset stays broken: a new one reaches the new instance.
  return runInDurableObject(
    coordinator(env, groupId),
    (instance) => !(instance as unknown as { evictionMark?: boolean }).evictionMark,
  );
}

describe("fault suite", () => {
  it("the Durable Object evicted mid-stage, 10 times: all complete, no duplicate prediction, no stray R2 object", async () => {
    await Promise.all([replicate.reset(), openai.reset()]);
    // Slow LLM answers (well within the background deadline), so the specification is caught under way.
    await openai.script({ delayMs: 700 });
    // Keyframes take a while too, so a keyframes eviction finds one under way.
    await replicate.script({ [FLUX]: { succeedAfterMs: 1500 } });
    const started = Date.now();
    const people = await users(PLAN.length);
    const results = await inBatches(PLAN, 5, async (stage, i) => {
      const { token } = people[Math.floor(i / 5)]!;
      const prompt = `${PRODUCTS[i % 5]}, evicted in ${stage}`;
      const storyboard = stage === "keyframes";
      const { generation_id: id, group_id } = await generate(
        token,
        prompt,
        storyboard ? { ...SETTINGS, workflow: "storyboard" } : SETTINGS,
      );
      const target = STAGES.find((s) => s.name === stage)!;
      const seen = await follow(token, id, target.under, 300_000);
      const caught =
        target.under(seen) &&
        (stage !== "enhance" || (await specPolled(prompt))) &&
        (!storyboard || (await keyframeJournalled(group_id, id)));
      const evicted = caught && (await evict(group_id));
      if (storyboard) {
        const review = await follow(
          token,
          id,
          (s) => s.current_step === "Storyboard ready for review",
          300_000,
        );
        const approve = await call(`/api/generations/${id}/approve`, {
          method: "POST",
          headers: auth(token),
        });
        expect([review.status, approve.status]).toEqual(["storyboard", 202]);
      }
      const final = await follow(token, id, () => false, 600_000);
      const keys = await mediaKeys(id);
      const expected = expectedKeys(final);
      return { id, stage, caught, evicted, final, stray: keys.filter((k) => !expected.has(k)) };
    });
    const [rs, oa] = await Promise.all([replicate.stats(), openai.stats()]);
    await Promise.all([replicate.reset(), openai.reset()]);
    const completed = results.filter((r) => r.final.status === "completed");
    const clips = results.reduce((n, r) => n + r.final.scenes.length, 0);
    const keyframes = results
      .filter((r) => r.stage === "keyframes")
      .reduce((n, r) => n + r.final.scenes.length, 0);
    const stray = results.flatMap((r) => r.stray);
    const byStage = (name: string) => results.filter((r) => r.stage === name && r.evicted).length;
    rows.push({
      fault: "Durable Object evicted mid-stage",
      runs: results.length,
      completed: completed.length,
      cancelled: 0,
      failed: results.length - completed.length,
      leftovers: stray.length,
      duplicates:
        Math.max(0, rs.createsReceived - clips - keyframes) + Math.max(0, oa.creates - results.length),
      wall_s: Math.round((Date.now() - started) / 1000),
      notes:
        `evicted in enhance ${byStage("enhance")}, plan ${byStage("plan")}, keyframes ${byStage("keyframes")}, ` +
        `clips ${byStage("clips")}, compose ${byStage("compose")}; predictions: ${rs.creates[VIDEO] ?? 0} for ` +
        `${clips} clips, ${rs.creates[FLUX] ?? 0} for ${keyframes} keyframes; openai ${oa.creates} responses ` +
        `for ${results.length} specifications`,
    });
    // Every eviction happened, in the stage it was meant for, on a new instance afterwards.
    expect(results.map((r) => [r.stage, r.caught, r.evicted])).toEqual(
      PLAN.map((stage) => [stage, true, true]),
    );
    expect(completed.map((r) => r.id)).toEqual(results.map((r) => r.id));
    // Predictions are journalled before they are made: a restart finds them, it never pays twice.
    expect(rs.creates).toEqual({ [VIDEO]: clips, [FLUX]: keyframes });
    // The specifications too: a restart polls the journalled response, it never asks twice.
    expect(oa.creates).toBe(results.length);
    expect(stray).toEqual([]);
  }, 1_200_000);
});
