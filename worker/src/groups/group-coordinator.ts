import { makeExport } from "../exports/run.ts";
import { exportView } from "../exports/view.ts";
import { createLogger } from "../lib/log.ts";
import { signedMediaUrl } from "../lib/media-signing.ts";
import { spentNothing } from "../limits/generation-quota.ts";
import { deleteGenerationMedia, deleteGenerationMediaExcept } from "../pipeline/media-keys.ts";
import { STAGE_RUNNERS, type StageContext } from "../pipeline/stages/index.ts";
import { type Providers, providersFromEnv } from "../providers/index.ts";
import type {
  ClipJournal,
  ClipJournalEntry,
  KeyframeJournalEntry,
  LlmJournalEntry,
} from "../providers/types.ts";
import { releaseJob } from "../render/client.ts";
import { finishedVersions, generationView } from "../views/generation.ts";
import { syncToD1 } from "./d1-sync.ts";
import type { GenerationView, LiveEvent } from "./events.ts";
import { type ExportTask, exportTaskKey, isOpenExport, syncExportToD1 } from "./exports.ts";
import { LiveObject } from "./live-channel.ts";
import { SharedWork } from "./shared-work.ts";
import { type GenerationState, type GroupMeta, initialState, isTerminal, type StartInput } from "./state.ts";
import {
  approveStoryboard,
  type EditRefusal,
  editStoryboard,
  openVersion,
  type StoryboardEdit,
  type StoryboardPort,
} from "./storyboard.ts";
import { keptMediaKeys, restoreLatestVersion } from "./versions.ts";
import { lostRun, StageStalled, StageWatchdog, WATCHDOG_REARMS, watchdogMs } from "./watchdog.ts";

/**
 * Each stage's progress stays visible at least this long after the stage began before the next
 * stage moves it on, so a client polling a few times a second sees every step even when a stage
 * is instant (the offline planner writes a specification in milliseconds). A stage that ran
 * longer than this is not held: its own progress was on show while it ran, and waiting after it
 * would only delay the ad (holding every value cost ~1.8 s per offline ad; this, ~1 s).
 */
export const MIN_PROGRESS_VISIBLE_MS = 500;

/**
 * While generations run, the alarm stays this far ahead (or the watchdog period, if shorter): an
 * evicted or crashed object is running again within it.
 */
export const DEADMAN_MS = 30_000;

/** Tries per stage before the generation fails with the last error. */
export const MAX_STAGE_ATTEMPTS = 3;
const CANCELLED = "Cancelled by user";

const genKey = (id: string) => `gen:${id}`;
/** Not ended, and not waiting on the user (a storyboard in review holds no alarm). */
const isRunning = (s: GenerationState) => !isTerminal(s) && s.stage !== "review";
const journalKey = (id: string, scene: number) => `journal:${id}:${scene}`;
/** Under the generation's journals, so a delete, a re-render or the end of the group drops it too. */
const keyframeJournalKey = (id: string, scene: number) => `journal:${id}:keyframe-${scene}`;
const isClipJournalKey = (key: string) => /:\d+$/.test(key);
/** An LLM request in flight, by its fingerprint: shared by the group's variations, like the answer. */
const llmJournalKey = (fingerprint: string) => `llm:${fingerprint}`;

export class GroupCoordinator extends LiveObject<LiveEvent> {
  /** In-flight work per generation, aborted by cancel. Lost on eviction, which is fine: storage is the truth. */
  private readonly controllers = new Map<string, AbortController>();
  private readonly sharedWork = new SharedWork(this.ctx.storage);
  /**
   * The group's providers, chosen from the environment once, on first use, and handed to
   * every stage. A public field (not an RPC method): tests set in-memory providers through
   * `runInDurableObject` before the group starts.
   */
  providers: Providers | null = null;
  /** How long a generation may go without a save (groups/watchdog.ts); tests shorten it like `providers`. */
  stallAfterMs: number | null = null;
  /** Stops a running stage that stopped saving. */
  private readonly watchdog = new StageWatchdog(() => this.stallMs());
  /**
   * Generations cancelled in this instance. A stage holds its own copy of the state, read
   * before the cancel; `persist` keeps the cancel through that copy's later writes. (A stage
   * never outlives its instance, so memory is enough; storage holds the flag for the rest.)
   */
  private readonly cancelled = new Set<string>();
  /** Generations cancelled for a delete in this instance; kept through a stage's older copy like `cancelled`. */
  private readonly deleting = new Set<string>();
  /**
   * Per generation, the revision below which a write is stale: set when a draft is discarded,
   * so a late write from the draft's render cannot bring it back.
   */
  private readonly staleBelow = new Map<string, number>();
  /** Storyboard edits and approvals, one at a time. */
  private editQueue: Promise<void> = Promise.resolve();
  /** In-flight exports, aborted by their cancel. */
  private readonly exportControllers = new Map<string, AbortController>();

  private stallMs(): number {
    return this.stallAfterMs ?? watchdogMs(this.env);
  }

  private groupProviders(): Providers {
    this.providers ??= providersFromEnv(this.env);
    return this.providers;
  }

  // ---- RPC from the Worker ------------------------------------------------------------

  /** Registers the group's generations and starts them. Idempotent. */
  async start(input: StartInput): Promise<void> {
    const meta: GroupMeta = (await this.ctx.storage.get<GroupMeta>("meta")) ?? {
      groupId: input.groupId,
      userId: input.userId,
      origin: input.origin,
      generationIds: [],
    };
    for (const g of input.generations) {
      if (meta.generationIds.includes(g.id)) continue;
      meta.generationIds.push(g.id);
      await this.ctx.storage.put(
        genKey(g.id),
        initialState({ ...g, userId: input.userId, groupId: input.groupId }),
      );
    }
    await this.ctx.storage.put("meta", meta);
    await this.ctx.storage.setAlarm(Date.now());
  }

  /**
   * Requests cancellation; the generation ends `cancelled` with "Cancelled by user" (and its unit
   * of the hourly limit back if it spent nothing, unless `deleting`: a cancel made to delete it).
   * The answer is the view as the cancel found it: a terminal status there means it had already
   * ended (this object decides, not the D1 mirror, which may lag by a save). The flag reaches D1
   * through the same save as every change, so no later save of an older copy can clear it there.
   */
  async cancel(generationId: string, options: { deleting?: boolean } = {}): Promise<GenerationView | null> {
    const s = await this.ctx.storage.get<GenerationState>(genKey(generationId));
    if (!s) return null;
    const deleting = options.deleting === true && !s.deleting;
    if (!isTerminal(s) && (!s.cancelRequested || deleting)) {
      s.cancelRequested = true;
      this.cancelled.add(generationId);
      if (deleting) {
        s.deleting = true;
        this.deleting.add(generationId);
      }
      this.controllers.get(generationId)?.abort(new Error(CANCELLED));
      await this.save(s);
      await this.ctx.storage.setAlarm(Date.now());
    }
    return this.view(s);
  }

  /** Applies one storyboard edit (groups/storyboard.ts), after every edit queued before it. */
  async editStoryboard(
    generationId: string,
    edit: StoryboardEdit,
  ): Promise<{ view: GenerationView } | { refused: EditRefusal }> {
    return this.serially(() => editStoryboard(this.storyboardPort(), generationId, edit));
  }

  /** Opens a draft of a finished ad's next version (an open draft is answered with `opened: false`). */
  async openVersion(
    generationId: string,
  ): Promise<{ view: GenerationView; opened: boolean } | { refused: EditRefusal }> {
    return this.serially(() => openVersion(this.storyboardPort(), generationId));
  }

  /** Approves a storyboard (idempotent: a repeat answers `started: false`). */
  async approveStoryboard(
    generationId: string,
  ): Promise<{ view: GenerationView; started: boolean } | { refused: EditRefusal }> {
    return this.serially(() => approveStoryboard(this.storyboardPort(), generationId));
  }

  /**
   * Queues an export of one of the group's generations (its D1 row is written by the route). An
   * export already queued or running is joined; a failed one, or a made one whose file the route
   * found gone, starts again.
   */
  async startExport(task: ExportTask): Promise<void> {
    const existing = await this.ctx.storage.get<ExportTask>(exportTaskKey(task.id));
    if (existing && isOpenExport(existing)) return;
    await this.saveExport({ ...task, status: "queued", progress: 0, error: null, cancelled: false });
    await this.ctx.storage.setAlarm(Date.now());
  }

  /** Cancels a queued or running export (its ffmpeg is stopped); false when it is not open. */
  async cancelExport(exportId: string): Promise<boolean> {
    const t = await this.ctx.storage.get<ExportTask>(exportTaskKey(exportId));
    if (!t || !isOpenExport(t)) return false;
    Object.assign(t, { status: "failed", cancelled: true, error: CANCELLED, completedAt: Date.now() });
    await this.saveExport(t);
    this.exportControllers.get(exportId)?.abort(new Error(CANCELLED));
    return true;
  }

  /** What only the coordinator knows of a generation: stage timings and the measured masters. */
  async facts(generationId: string): Promise<Pick<GenerationState, "stageMs" | "masters"> | null> {
    const s = await this.ctx.storage.get<GenerationState>(genKey(generationId));
    return s ? { stageMs: s.stageMs ?? {}, masters: s.masters ?? {} } : null;
  }

  /**
   * The sweep's question (groups/sweep.ts) about D1 rows still open: answers the ids this group
   * does not hold (lost with this object's storage). For those it holds, an open generation gets
   * its alarm back if none is set, and an ended one is mirrored into D1 again.
   */
  async check(generationIds: string[]): Promise<{ unknown: string[] }> {
    const found = await this.ctx.storage.get<GenerationState>(generationIds.map(genKey));
    const held = [...found.values()];
    if (held.some((s) => !isTerminal(s)) && (await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(Date.now());
    for (const s of held.filter(isTerminal)) await syncToD1(this.env, s);
    return { unknown: generationIds.filter((id) => !found.has(genKey(id))) };
  }

  /**
   * Generation `generationId`'s view for its owner, from this object's state (status polls:
   * groups/status.ts); null when the group does not hold it or `userId` is not its owner.
   */
  async status(generationId: string, userId: string, origin: string): Promise<GenerationView | null> {
    const s = await this.ctx.storage.get<GenerationState>(genKey(generationId));
    if (!s || s.userId !== userId) return null;
    return generationView(this.env, origin, s);
  }

  /**
   * Drops a deleted generation (after its cancel): its state, clip journals and shared results.
   * It leaves the group's list, so a late save from a stage still running is not written.
   */
  async forget(generationId: string): Promise<void> {
    this.cancelled.add(generationId);
    this.controllers.get(generationId)?.abort(new Error(CANCELLED));
    const meta = await this.ctx.storage.get<GroupMeta>("meta");
    if (meta?.generationIds.includes(generationId)) {
      meta.generationIds = meta.generationIds.filter((id) => id !== generationId);
      await this.ctx.storage.put("meta", meta);
    }
    const journals = await this.ctx.storage.list({ prefix: `journal:${generationId}:` });
    await this.ctx.storage.delete([genKey(generationId), ...journals.keys()]);
    await this.sharedWork.forgetOwner(generationId);
  }

  /** Every generation's current view. */
  async snapshot(): Promise<GenerationView[]> {
    const states = await this.states();
    return Promise.all(states.map((s) => this.view(s)));
  }

  // ---- live WebSockets (hibernatable) ---------------------------------------------------

  /** Accepts a WebSocket the Worker forwarded after authenticating the user. */
  override async fetch(request: Request): Promise<Response> {
    const meta = await this.ctx.storage.get<GroupMeta>("meta");
    return this.acceptLive(request, meta?.userId, "Group", async () => {
      const generations = await this.snapshot();
      return (seq) => ({ type: "snapshot", seq, group_id: meta!.groupId, generations });
    });
  }

  // ---- the state machine ----------------------------------------------------------------

  override async alarm(): Promise<void> {
    return this.joinRun(() => this.runAll());
  }

  private async runAll(): Promise<void> {
    const states = await this.states();
    const running = states.filter(isRunning);
    // A dead man's switch: should this object be evicted or crash mid-run, this alarm runs it
    // again (a run in flight here is joined, not doubled).
    if (running.length) await this.ctx.storage.setAlarm(Date.now() + Math.min(this.stallMs(), DEADMAN_MS));
    // A run this object lost (evicted, crashed) shows as a last save a watchdog period ago.
    for (const s of running)
      if (!this.controllers.has(s.id) && lostRun(s, this.stallMs()))
        await this.stalled(s, new StageStalled(s.stage, this.stallMs()));
    const exports = await this.ctx.storage.list<ExportTask>({ prefix: "export:" });
    await Promise.all([
      ...states.filter((s) => !isTerminal(s)).map((s) => this.drive(s.id)),
      ...[...exports.values()].filter(isOpenExport).map((t) => this.driveExport(t)),
    ]);
    const after = await this.states();
    const waiting = after.filter(isRunning);
    if (waiting.length) {
      const next = Math.min(...waiting.map((s) => s.retryAt));
      await this.ctx.storage.setAlarm(Math.max(Date.now() + 10, next));
    } else if (after.every(isTerminal)) {
      await this.pruneIfEnded();
    }
  }

  /**
   * Once every generation of the group has ended and no export is open, drops what only running
   * work needs: the clip and LLM journals (a re-render after edits clears them anyway) and the shared
   * results (a later version reuses its own earlier clips from its versions; it no longer copies
   * an identical clip a sibling made). The states, the group's list and the exports stay.
   */
  private async pruneIfEnded(): Promise<void> {
    const exports = await this.ctx.storage.list<ExportTask>({ prefix: "export:" });
    if ([...exports.values()].some(isOpenExport)) return;
    for (const prefix of ["journal:", "llm:", "shared:"]) {
      const keys = [...(await this.ctx.storage.list({ prefix })).keys()];
      // At most 128 keys per delete.
      for (let i = 0; i < keys.length; i += 128) await this.ctx.storage.delete(keys.slice(i, i + 128));
    }
  }

  /**
   * The watchdog found generation `s` stalled: its step runs again once; stalled again, it fails
   * with the reason. (A cancel stored meanwhile still wins: `finishFailed` ends it cancelled.)
   */
  private async stalled(s: GenerationState, why: StageStalled): Promise<void> {
    s.watchdogTrips = (s.watchdogTrips ?? 0) + 1;
    createLogger({ generation_id: s.id, stage: s.stage }).warn("watchdog: stalled", {
      trips: s.watchdogTrips,
      reason: why.message,
    });
    if (s.watchdogTrips > WATCHDOG_REARMS)
      return this.finishFailed(s, `${why.message}, after running it again once; the generation was stopped.`);
    s.retryAt = Date.now();
    await this.save(s);
  }

  /** Runs one generation's stages until it finishes, fails, or waits for a retry. */
  private async drive(id: string): Promise<void> {
    for (;;) {
      const s = await this.ctx.storage.get<GenerationState>(genKey(id));
      if (!s || isTerminal(s)) return;
      const log = createLogger({ generation_id: s.id, group_id: s.groupId, stage: s.stage });
      if (s.cancelRequested) return this.finishCancelled(s);
      if (s.retryAt > Date.now()) return;
      // A storyboard waits for the user; an edit or the approval moves it on.
      if (s.stage === "failed" || s.stage === "review") return;
      if (s.status === "pending") Object.assign(s, { status: "processing", startedAt: Date.now() });
      const controller = new AbortController();
      this.controllers.set(id, controller);
      const started = Date.now();
      const stage = s.stage;
      this.watchdog.watch(id, stage, controller);
      try {
        await STAGE_RUNNERS[stage](this.stageContext(controller.signal, log), s);
        log.info("stage done", { duration_ms: Date.now() - started });
        s.stageMs = { ...s.stageMs, [stage]: (s.stageMs?.[stage] ?? 0) + (Date.now() - started) };
        s.stageAttempts = 0;
        await this.persist(s);
        const hold = MIN_PROGRESS_VISIBLE_MS - (Date.now() - started);
        if (hold > 0 && !isTerminal(s)) await new Promise((resolve) => setTimeout(resolve, hold));
      } catch (err) {
        const fresh = (await this.ctx.storage.get<GenerationState>(genKey(id))) ?? s;
        const stalled = controller.signal.reason instanceof StageStalled ? controller.signal.reason : null;
        if (fresh.cancelRequested || (controller.signal.aborted && !stalled))
          return this.finishCancelled(fresh);
        if (stalled) return this.stalled(fresh, stalled);
        const error = err instanceof Error ? err : new Error(String(err));
        fresh.stageAttempts += 1;
        log.error("stage failed", {
          attempt: fresh.stageAttempts,
          error: error.message,
          stack: error.stack,
          duration_ms: Date.now() - started,
        });
        if (fresh.stageAttempts >= MAX_STAGE_ATTEMPTS) {
          return this.finishFailed(
            fresh,
            `The ${fresh.stage} step failed after ${fresh.stageAttempts} tries: ${error.message}`,
          );
        }
        fresh.retryAt = Date.now() + 1000 * 2 ** fresh.stageAttempts;
        await this.save(fresh);
        return;
      } finally {
        this.controllers.delete(id);
        this.watchdog.stop(id);
      }
    }
  }

  private stageContext(signal: AbortSignal, log: ReturnType<typeof createLogger>): StageContext {
    return {
      env: this.env,
      providers: this.groupProviders(),
      signal,
      log,
      save: (s) => this.save(s),
      sceneChanged: async (s, index) => {
        const view = await this.view(s);
        const scene = view.scenes[index];
        if (scene)
          this.live.broadcast({ type: "scene", seq: await this.live.nextSeq(), generation_id: s.id, scene });
      },
      journal: (s, index) => this.journal(s.id, index),
      keyframeJournal: (s, index) => ({
        read: () => this.ctx.storage.get<KeyframeJournalEntry>(keyframeJournalKey(s.id, index)),
        write: (entry) => this.putOrForget(keyframeJournalKey(s.id, index), entry),
      }),
      llmJournal: {
        read: (fingerprint) => this.ctx.storage.get<LlmJournalEntry>(llmJournalKey(fingerprint)),
        write: (fingerprint, entry) => this.putOrForget(llmJournalKey(fingerprint), entry),
      },
      shared: (key, owner, compute, usable) => this.sharedWork.once(key, owner, compute, signal, usable),
      publicMediaUrl: async (key) =>
        signedMediaUrl(this.env, this.env.PUBLIC_URL ?? (await this.meta()).origin, key),
    };
  }

  /** Runs `task` after every edit or approval queued before it. */
  private serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.editQueue.then(task);
    this.editQueue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** The state once no keyframe redraw is pending or running (it is run here if need be). */
  private async settledState(id: string): Promise<GenerationState | undefined> {
    for (let tries = 0; tries < MAX_STAGE_ATTEMPTS + 1; tries++) {
      const s = await this.ctx.storage.get<GenerationState>(genKey(id));
      if (s?.stage !== "keyframes" || s.cancelRequested || isTerminal(s)) return s;
      await this.alarm();
    }
    return this.ctx.storage.get<GenerationState>(genKey(id));
  }

  private storyboardPort(): StoryboardPort {
    return {
      settledState: (id) => this.settledState(id),
      save: (s) => this.save(s),
      rearm: () => this.ctx.storage.setAlarm(Date.now()),
      view: (s) => this.view(s),
      clearJournals: async (id) => {
        const journals = await this.ctx.storage.list({ prefix: `journal:${id}:` });
        await this.ctx.storage.delete([...journals.keys()]);
      },
      llm: this.groupProviders().llm,
      image: this.groupProviders().image,
    };
  }

  /** Stores `entry` under `key`, or drops the key when there is no entry (a journal's attempt ended). */
  private async putOrForget(key: string, entry: object | undefined): Promise<void> {
    if (entry) await this.ctx.storage.put(key, entry);
    else await this.ctx.storage.delete(key);
  }

  private journal(id: string, scene: number): ClipJournal {
    return {
      read: () => this.ctx.storage.get<ClipJournalEntry>(journalKey(id, scene)),
      write: (entry) => this.ctx.storage.put(journalKey(id, scene), entry),
    };
  }

  /** Makes one export; a failure ends it `failed` with the reason (asking again retries it). */
  private async driveExport(t: ExportTask): Promise<void> {
    if (this.exportControllers.has(t.id)) return;
    const controller = new AbortController();
    this.exportControllers.set(t.id, controller);
    const log = createLogger({ generation_id: t.generationId, export_id: t.id });
    try {
      const s = await this.ctx.storage.get<GenerationState>(genKey(t.generationId));
      if (!s) throw new Error("the generation no longer exists");
      Object.assign(t, { status: "processing", progress: 1 });
      await this.saveExport(t);
      const made = await makeExport(this.env, s, t, controller.signal, (percent) => {
        // A save per 10 points: enough to follow, few enough writes.
        if (percent < t.progress + 10) return;
        t.progress = percent;
        this.saveExport(t).catch((err) => log.warn("export progress save failed", { error: String(err) }));
      });
      Object.assign(t, { status: "completed", progress: 100, ...made, completedAt: Date.now() });
      log.info("export made", { size_bytes: made.sizeBytes });
    } catch (err) {
      if (controller.signal.aborted) return;
      const message = err instanceof Error ? err.message : String(err);
      log.error("export failed", { error: message });
      Object.assign(t, { status: "failed", error: `The export failed: ${message}`, completedAt: Date.now() });
    } finally {
      this.exportControllers.delete(t.id);
    }
    await this.saveExport(t);
  }

  /** Stores an export task (a stored cancel wins), mirrors it into D1, tells every socket. */
  private async saveExport(t: ExportTask): Promise<void> {
    const stored = await this.ctx.storage.get<ExportTask>(exportTaskKey(t.id));
    if (stored?.cancelled && !t.cancelled) return;
    await this.ctx.storage.put(exportTaskKey(t.id), t);
    const row = await syncExportToD1(this.env, t);
    if (!row) return;
    const view = await exportView(this.env, (await this.meta()).origin, row);
    this.live.broadcast({
      type: "export",
      seq: await this.live.nextSeq(),
      generation_id: t.generationId,
      export: view,
    });
  }

  private async finishCancelled(s: GenerationState): Promise<void> {
    // Reached on an aborted stage too; the flag is what the view's error_code reads.
    s.cancelRequested = true;
    const provider = this.groupProviders().video;
    const journals = await this.ctx.storage.list<ClipJournalEntry>({ prefix: `journal:${s.id}:` });
    await Promise.all(
      [...journals]
        .filter(([key]) => isClipJournalKey(key))
        .map(([, entry]) => provider.cancelClip(entry).catch(() => undefined)),
    );
    // Together, each within its deadline: a hung render container never holds up a cancel.
    await Promise.all(
      Array.from({ length: MAX_STAGE_ATTEMPTS }, (_, a) => releaseJob(this.env, `${s.id}-compose-a${a + 1}`)),
    );
    if (finishedVersions(s).length) return this.discardDraft(s);
    await deleteGenerationMedia(this.env, s.id);
    // Decided here, where the cancel found it (`stage`); d1-sync gives the unit back, once.
    s.refundQuota = !s.deleting && spentNothing(s);
    createLogger({ generation_id: s.id, stage: s.stage }).info("generation cancelled", {
      quota_refund: s.refundQuota,
    });
    await this.finish(s, "cancelled", CANCELLED);
  }

  /** A cancelled draft of a new version: the ad goes back to its latest finished version. */
  private async discardDraft(s: GenerationState): Promise<void> {
    const draft = s.version;
    await deleteGenerationMediaExcept(this.env, s.id, keptMediaKeys(s));
    // Clips the draft made are gone: no later render may take them for made.
    await this.sharedWork.forgetOwner(s.id);
    restoreLatestVersion(s);
    this.cancelled.delete(s.id);
    this.staleBelow.set(s.id, s.revision);
    createLogger({ generation_id: s.id }).info("draft discarded", { draft, kept: s.version });
    await this.save(s);
  }

  private async finishFailed(s: GenerationState, error: string): Promise<void> {
    // A cancel that came in meanwhile wins: the user asked for it, and it clears the media.
    if (s.cancelRequested || this.cancelled.has(s.id)) return this.finishCancelled(s);
    await this.finish(s, "failed", error);
  }

  private async finish(s: GenerationState, status: "failed" | "cancelled", error: string): Promise<void> {
    Object.assign(s, {
      status,
      stage: "failed",
      error,
      currentStep: status === "cancelled" ? "Cancelled" : "Failed",
      completedAt: Date.now(),
    });
    await this.save(s);
  }

  /** Persists to storage first (the truth), then mirrors to D1 and tells every socket. */
  private async save(s: GenerationState): Promise<void> {
    if (!(await this.persist(s))) return;
    const changed_at = Date.now();
    await syncToD1(this.env, s);
    // The view is built before the sequence number is taken, so events leave in seq order.
    const generation = await this.view(s);
    this.live.broadcast({ type: "generation", seq: await this.live.nextSeq(), generation, changed_at });
  }

  /**
   * Writes `s` to storage. A stage works on its own copy of the state; a cancel stored since
   * that copy was read must survive the write, so a cancel always wins over a concurrent save;
   * and a copy from before a draft was discarded is not written at all (false).
   */
  private async persist(s: GenerationState): Promise<boolean> {
    if ((s.revision ?? 0) < (this.staleBelow.get(s.id) ?? 0)) return false;
    // A forgotten (deleted) generation is not brought back by its stage's late save.
    const meta = await this.ctx.storage.get<GroupMeta>("meta");
    if (meta && !meta.generationIds.includes(s.id)) return false;
    if (this.cancelled.has(s.id)) s.cancelRequested = true;
    if (this.deleting.has(s.id)) s.deleting = true;
    s.progressAt = Date.now();
    this.watchdog.progressed(s.id);
    await this.ctx.storage.put(genKey(s.id), s);
    return true;
  }

  private async meta(): Promise<GroupMeta> {
    const meta = await this.ctx.storage.get<GroupMeta>("meta");
    if (!meta) throw new Error("group not started");
    return meta;
  }

  private async states(): Promise<GenerationState[]> {
    const meta = await this.ctx.storage.get<GroupMeta>("meta");
    if (!meta) return [];
    const found = await this.ctx.storage.get<GenerationState>(meta.generationIds.map(genKey));
    return [...found.values()];
  }

  private async view(s: GenerationState): Promise<GenerationView> {
    return generationView(this.env, (await this.meta()).origin, s);
  }
}
