/**
 * A group run on scripted providers (test/fakes/scripted-providers.ts), and a follower of its
 * live socket: for tests that need a pipeline frozen at a known point.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { coordinator, startGroup } from "../src/groups/coordinator-client.ts";
import type { LiveEvent } from "../src/groups/events.ts";
import type { GroupCoordinator } from "../src/groups/group-coordinator.ts";
import { createLogger } from "../src/lib/log.ts";
import { createGenerations } from "../src/pipeline/create.ts";
import { DEFAULT_SETTINGS, type GenerationSettings } from "../src/pipeline/settings.ts";
import { createOfflineImageProvider } from "../src/providers/offline-image.ts";
import { createOfflinePlanner } from "../src/providers/offline-planner.ts";
import { createOfflineVideoProvider } from "../src/providers/offline-video.ts";
import type { GenerationView } from "../src/views/generation.ts";
import { gate, scriptedLlm, scriptedVideo } from "./fakes/scripted-providers.ts";
import { call } from "./helpers.ts";
import { auth } from "./pipeline-helpers.ts";

export const ORIGIN = "http://localhost";

/**
 * Creates a one-generation group whose coordinator runs on scripted providers (the brand is
 * always "Scripted Co"; clips wait at `hold` until released). Start it with `startGroup`.
 */
export async function startScripted(
  userId: string,
  prompt: string,
  hold = gate(),
  settings: Partial<GenerationSettings> = {},
  /** Keep only the first `scenes` scenes of the planner's specification (at least 3). */
  scenes?: number,
) {
  const planner = createOfflinePlanner();
  const llm = scriptedLlm(async (request) => {
    const { spec } = await planner.generateSpec(request);
    return {
      ...spec,
      brand: { ...spec.brand, name: "Scripted Co" },
      scenes: scenes ? spec.scenes.slice(0, scenes) : spec.scenes,
    };
  });
  const video = scriptedVideo(createOfflineVideoProvider(env), hold);
  const items = [{ prompt, settings: { ...DEFAULT_SETTINGS, ...settings } }];
  const created = await createGenerations(env, { userId, comparisonType: "single", items });
  await runInDurableObject(coordinator(env, created.groupId), (instance: GroupCoordinator) => {
    instance.providers = { llm, video, image: createOfflineImageProvider(env) };
  });
  return { created, items, llm, video, hold };
}

/** A scripted group whose clips are not held, started at once: it runs through on its own. */
export async function runScripted(
  userId: string,
  prompt: string,
  settings: Partial<GenerationSettings> = {},
  scenes?: number,
) {
  const run = await startScripted(userId, prompt, gate(), settings, scenes);
  run.hold.release();
  await startGroup(env, createLogger({ test: "scripted" }), {
    userId,
    origin: ORIGIN,
    items: run.items,
    created: run.created,
  });
  return { ...run, id: run.created.generationIds[0]! };
}

/** Follows the group's socket, keeping the latest view of each generation. */
export async function follow(token: string, groupId: string) {
  const ticket = (await (
    await call(`/api/groups/${groupId}/ticket`, { method: "POST", headers: auth(token) })
  ).json()) as { path: string };
  const ws = (await call(ticket.path, { headers: { Upgrade: "websocket" } })).webSocket!;
  ws.accept();
  const latest = new Map<string, GenerationView>();
  const waiters: (() => void)[] = [];
  ws.addEventListener("message", (m) => {
    const event = JSON.parse(String(m.data)) as LiveEvent;
    if (event.type === "snapshot") for (const g of event.generations) latest.set(g.generation_id, g);
    if (event.type === "generation") latest.set(event.generation.generation_id, event.generation);
    for (const wake of waiters.splice(0)) wake();
  });
  /** Resolves with the live view once `done` holds for it. */
  const until = async (id: string, done: (v: GenerationView) => boolean) => {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const view = latest.get(id);
      if (view && done(view)) return view;
      if (Date.now() > deadline) throw new Error(`timed out; last view ${JSON.stringify(view)}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  };
  return { until, close: () => ws.close() };
}
