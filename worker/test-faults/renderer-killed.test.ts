/**
 * The fault suite (issue 16): the render container killed mid-render. Global setup's control
 * server SIGKILLs the container process (and its ffmpeg) while a generation's compose job runs and
 * brings it back on the same port, as a crashed container instance restarts. The compose stage's
 * stream breaks, the stage is retried as a new job (staged again from R2), and the ad must come out
 * whole: nothing half-written in R2, every object the status links to present, and no other.
 */
import { env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { seededRandom } from "../src/pipeline/random.ts";
import { call, probeMedia } from "../test/helpers.ts";
import { generate, mediaKeys, type Status } from "../test/pipeline-helpers.ts";
import { openai, replicate } from "../test-providers/fakes.ts";
import { faultTable, follow, PRODUCTS, SETTINGS, users } from "./suite.ts";

const rows = faultTable();

/** The control server's answer (test/node/global-setup.ts). */
interface Kill {
  killed: boolean;
  pid_before?: number;
  pid_after?: number;
  waited_ms: number;
}

/** Kills the render container once a job has been running on it for `delayMs`. */
async function killWhenRendering(delayMs: number): Promise<Kill> {
  const res = await fetch(`${inject("controlUrl")}/renderer/kill-when-rendering`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ timeout_ms: 120_000, delay_ms: delayMs }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Kill;
}

/** The R2 key a signed media link points at. */
const keyOf = (url: string | null | undefined) =>
  url ? decodeURIComponent(new URL(url).pathname.replace(/^\/media\//, "")) : null;

/** Every R2 key the status links to. */
function linkedKeys(s: Status): string[] {
  const urls = [
    s.video_url,
    s.thumbnail_url,
    ...s.versions.flatMap((v) => [v.video_url, v.thumbnail_url]),
    ...s.scenes.flatMap((c) => [c.clip_url, c.poster_url, c.keyframe_url]),
  ];
  return [...new Set(urls.map(keyOf).filter((k): k is string => k !== null))].sort();
}

/** A generation's keys with the content hashes taken out: what any completed one should have. */
const shape = (keys: string[], id: string) =>
  keys.map((k) => k.replace(id, "<id>").replace(/-[0-9a-f]{8,}\./, "-<hash>.")).sort();

/**
 * What is wrong with a completed generation's media, as a list of findings (empty when whole).
 * `writtenAfter`: when the container was killed; the published video must be the retry's.
 */
async function checkMedia(s: Status, baseline: string[], writtenAfter = 0) {
  const id = s.generation_id;
  const keys = await mediaKeys(id);
  const linked = linkedKeys(s);
  const problems: string[] = [];
  // Every finished output in R2 is one the status links to, and every link resolves.
  const stray = keys.filter((k) => k.startsWith(`renders/${id}/`) && !linked.includes(k));
  const missing = linked.filter((k) => !keys.includes(k));
  if (stray.length) problems.push(`not linked: ${stray.join(", ")}`);
  if (missing.length) problems.push(`linked but missing: ${missing.join(", ")}`);
  // The same objects as an undisturbed generation.
  if (JSON.stringify(shape(keys, id)) !== JSON.stringify(baseline))
    problems.push(`keys ${JSON.stringify(shape(keys, id))} differ from ${JSON.stringify(baseline)}`);
  // The video is a whole file: it probes with the ad's length, the size R2 holds.
  const videoKey = keyOf(s.video_url)!;
  const object = await env.MEDIA.head(videoKey);
  const probe = await probeMedia(videoKey);
  const version = s.versions.at(-1)!;
  if (!object || object.uploaded.getTime() < writtenAfter)
    problems.push(`video written ${object?.uploaded.toISOString()}, before the kill`);
  if (probe.size_bytes !== object?.size)
    problems.push(`probe size ${probe.size_bytes} != R2 ${object?.size}`);
  if (Math.abs(probe.duration_s - version.duration_s) > 0.5)
    problems.push(`video ${probe.duration_s} s, ad ${version.duration_s} s`);
  if (!probe.video || !probe.audio) problems.push("video or audio stream missing");
  // And the link serves those bytes.
  const url = new URL(s.video_url!);
  const served = await call(url.pathname + url.search);
  const bytes = (await served.arrayBuffer()).byteLength;
  if (served.status !== 200 || bytes !== object?.size)
    problems.push(`served ${served.status}, ${bytes} bytes`);
  return { keys, problems };
}

describe("fault suite", () => {
  it("the render container killed mid-render, 5 times: all 5 complete after the retry, nothing partial published", async () => {
    await Promise.all([replicate.reset(), openai.reset()]);
    const started = Date.now();
    const people = await users(6);
    // An undisturbed generation first: what a completed one holds in R2, and how long its compose runs.
    const base = await generate(people[1]!.token, `${PRODUCTS[0]}, undisturbed`, SETTINGS);
    const composing = await follow(people[1]!.token, base.generation_id, (s) => s.progress >= 80, 300_000);
    const composeStarted = Date.now();
    const baseFinal = await follow(people[1]!.token, base.generation_id, () => false, 300_000);
    const composeMs = Date.now() - composeStarted;
    expect(composing.status).not.toBe("failed");
    expect(baseFinal.status).toBe("completed");
    const baseline = shape(await mediaKeys(base.generation_id), base.generation_id);
    expect((await checkMedia(baseFinal, baseline)).problems).toEqual([]);

    // Seeded, so a failing run can be replayed: each kill comes this far into the render job.
    const draw = seededRandom(1604);
    const delays = Array.from({ length: 5 }, () => Math.floor(draw() * 0.4 * composeMs));
    const results = [];
    // One at a time: the job running when the control server looks is this generation's.
    for (const [i, delay] of delays.entries()) {
      const { token } = people[0]!;
      const { generation_id: id } = await generate(token, `${PRODUCTS[i]}, killed at ${delay} ms`, SETTINGS);
      const kill = await killWhenRendering(delay);
      const killedAt = Date.now();
      const final = await follow(token, id, () => false, 300_000);
      const recovery_s = (Date.now() - killedAt) / 1000;
      const media = final.status === "completed" ? await checkMedia(final, baseline, killedAt) : null;
      results.push({ id, delay, kill, final, recovery_s, media, left: media?.keys ?? (await mediaKeys(id)) });
    }

    const completed = results.filter((r) => r.final.status === "completed");
    const cancelled = results.filter((r) => r.final.status === "cancelled");
    const failed = results.filter((r) => r.final.status === "failed");
    const problems = results.flatMap((r) => (r.media?.problems ?? []).map((p) => `${r.id}: ${p}`));
    // Objects of generations that did not complete, and stray or missing ones of those that did.
    const leftovers =
      results.filter((r) => r.final.status !== "completed").reduce((n, r) => n + r.left.length, 0) +
      problems.length;
    rows.push({
      fault: "render container killed mid-render",
      runs: results.length,
      completed: completed.length,
      cancelled: cancelled.length,
      failed: failed.length,
      leftovers,
      duplicates: "-",
      wall_s: Math.round((Date.now() - started) / 1000),
      notes:
        `kill ${delays.join(",")} ms into the job (undisturbed compose ${(composeMs / 1000).toFixed(1)} s); ` +
        `recovered in ${results.map((r) => r.recovery_s.toFixed(1)).join(",")} s`,
    });
    for (const r of results) {
      expect(r.kill, `generation ${r.id}: the container was not killed`).toMatchObject({ killed: true });
      expect(r.kill.pid_after).not.toBe(r.kill.pid_before);
      expect(r.final.status, `generation ${r.id}: ${r.final.error}`).toBe("completed");
    }
    expect(problems).toEqual([]);
    expect(leftovers).toBe(0);
  }, 1_200_000);
});
