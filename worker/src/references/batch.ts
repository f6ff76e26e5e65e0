/**
 * ReferenceBatch: the Durable Object that draws one batch of reference candidates
 * (POST /api/references), all at once, and streams each change to the batch's live sockets,
 * the same mechanism as a generation group (tickets, hibernatable sockets, numbered events).
 *
 * An alarm runs the batch: every unfinished candidate is drawn in parallel; each drawn image
 * goes through the upload checks and is recorded as an asset of kind `reference`, charged in
 * the same D1 transaction (`assets/upload.ts`). A candidate that fails is marked with its
 * reason and the others carry on; the batch ends `completed` when at least one was drawn,
 * `failed` when none was, `cancelled` on cancel. The state lives in DO storage, and one copy in
 * memory is the one every step changes, so a cancel is never overwritten by a late save.
 */
import { acceptUpload } from "../assets/upload.ts";
import { LiveObject } from "../groups/live-channel.ts";
import { createLogger } from "../lib/log.ts";
import { imageCost } from "../pipeline/prices.ts";
import { referenceProvider } from "../providers/index.ts";
import type { ReferenceProvider, ReferenceRequest } from "../providers/types.ts";
import {
  type BatchState,
  batchView,
  type CandidateState,
  type ReferenceBatchView,
  type ReferenceEvent,
  settledStatus,
} from "./view.ts";

/** A candidate is square: it is placed into ads of every aspect. */
export const REFERENCE_SIZE = 1024;
/** The most bytes a provider may answer for one candidate (a 1024x1024 JPEG is well under 1 MB). */
const MAX_CANDIDATE_BYTES = 20 * 1024 * 1024;
const CANCELLED = "Cancelled by user";

/** What the route hands over to start a batch. */
export type BatchStart = Pick<
  BatchState,
  "id" | "userId" | "origin" | "description" | "kind" | "style" | "count" | "seed" | "createdAt"
>;

/** All of `body`, refusing more than `max` bytes. */
async function readAll(body: ReadableStream | ArrayBuffer, max: number): Promise<Uint8Array> {
  if (body instanceof ArrayBuffer) {
    if (body.byteLength > max) throw new Error(`the image is larger than ${max} bytes`);
    return new Uint8Array(body);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body as ReadableStream<Uint8Array>) {
    total += chunk.byteLength;
    if (total > max) throw new Error(`the image is larger than ${max} bytes`);
    chunks.push(chunk);
  }
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return all;
}

const pendingCandidate = (index: number): CandidateState => ({
  index,
  status: "pending",
  error: null,
  model: null,
  cost: 0,
  asset: null,
  startedAt: null,
  finishedAt: null,
});

export class ReferenceBatch extends LiveObject<ReferenceEvent> {
  /** The batch state every step changes (loaded from storage once per instance). */
  private current: BatchState | null = null;
  private controller: AbortController | null = null;
  /**
   * The provider, chosen from the environment on first use. A public field: tests set an
   * in-memory one through `runInDurableObject` before the batch starts.
   */
  provider: ReferenceProvider | null = null;

  private drawer(): ReferenceProvider {
    this.provider ??= referenceProvider(this.env);
    return this.provider;
  }

  // ---- RPC from the Worker ------------------------------------------------------------

  /** Stores a new batch and starts drawing it. Idempotent. */
  async start(input: BatchStart): Promise<ReferenceBatchView> {
    let s = await this.load();
    if (!s) {
      s = {
        ...input,
        provider: this.drawer().name,
        status: "running",
        candidates: Array.from({ length: input.count }, (_, i) => pendingCandidate(i)),
        completedAt: null,
      };
      this.current = s;
      await this.ctx.storage.put("batch", s);
      await this.ctx.storage.setAlarm(Date.now());
    }
    return batchView(this.env, s);
  }

  /** The batch, if `userId` owns it. */
  async read(userId: string): Promise<ReferenceBatchView | null> {
    const s = await this.load();
    return s && s.userId === userId ? batchView(this.env, s) : null;
  }

  /** Stops a running batch: candidates already drawn stay; the rest end with "Cancelled by user". */
  async cancel(userId: string): Promise<ReferenceBatchView | null> {
    const s = await this.load();
    if (!s || s.userId !== userId) return null;
    if (s.status === "running") {
      const now = Date.now();
      for (const c of s.candidates)
        if (c.status === "pending" || c.status === "drawing")
          Object.assign(c, { status: "failed", error: CANCELLED, finishedAt: now });
      Object.assign(s, { status: "cancelled", completedAt: now });
      this.controller?.abort(new Error(CANCELLED));
      await this.save(s);
    }
    return batchView(this.env, s);
  }

  // ---- live WebSockets (hibernatable) ---------------------------------------------------

  override async fetch(request: Request): Promise<Response> {
    const s = await this.load();
    return this.acceptLive(request, s?.userId, "Reference batch", async () => {
      const batch = await batchView(this.env, s!);
      return (seq) => ({ type: "snapshot", seq, batch });
    });
  }

  // ---- drawing ---------------------------------------------------------------------------

  override async alarm(): Promise<void> {
    return this.joinRun(() => this.run());
  }

  private async run(): Promise<void> {
    const s = await this.load();
    if (s?.status !== "running") return;
    const controller = new AbortController();
    this.controller = controller;
    // Every unfinished candidate at once (one interrupted by an eviction is drawn again).
    const open = s.candidates.filter((c) => c.status === "pending" || c.status === "drawing");
    await Promise.all(open.map((c) => this.draw(s, c, controller.signal)));
    if (s.status !== "running") return;
    Object.assign(s, { status: settledStatus(s) ?? "failed", completedAt: Date.now() });
    createLogger({ batch_id: s.id }).info("reference batch finished", {
      status: s.status,
      drawn: s.candidates.filter((c) => c.status === "ready").length,
    });
    await this.save(s);
  }

  /** Draws candidate `c`, records it as an asset, and saves the batch after each step. */
  private async draw(s: BatchState, c: CandidateState, signal: AbortSignal): Promise<void> {
    Object.assign(c, { status: "drawing", startedAt: Date.now(), error: null });
    await this.save(s);
    const request: ReferenceRequest = {
      batchId: s.id,
      index: c.index,
      count: s.count,
      description: s.description,
      kind: s.kind,
      style: s.style,
      seed: s.seed + c.index,
      width: REFERENCE_SIZE,
      height: REFERENCE_SIZE,
    };
    try {
      let image: Uint8Array | null = null;
      const usage = await this.drawer().drawReference(request, {
        signal,
        store: async (body) => {
          image = await readAll(body, MAX_CANDIDATE_BYTES);
        },
      });
      const bytes = image as Uint8Array | null;
      if (!bytes) throw new Error("the image model stored no image");
      const cost = imageCost(usage.model, usage.images);
      const { asset, created } = await acceptUpload(
        this.env,
        s.userId,
        {
          body: new Blob([bytes]).stream(),
          length: bytes.byteLength,
          // No extension: the bytes decide the type.
          name: `${s.description.slice(0, 80)} (${s.kind} reference ${c.index + 1} of ${s.count})`,
        },
        Date.now(),
        { kind: "reference", cost },
      );
      // Recorded (and paid for), so it stays, even when the batch was cancelled meanwhile. Bytes
      // the user already had are that asset, recorded (and paid for) before.
      Object.assign(c, {
        status: "ready",
        model: usage.model,
        cost: created ? cost : 0,
        asset,
        finishedAt: Date.now(),
      });
    } catch (err) {
      if (signal.aborted) return;
      const message = err instanceof Error ? err.message : String(err);
      createLogger({ batch_id: s.id }).warn("reference candidate failed", { index: c.index, error: message });
      Object.assign(c, { status: "failed", error: message, finishedAt: Date.now() });
    }
    await this.save(s);
  }

  /** The batch state, from memory or storage. */
  private async load(): Promise<BatchState | null> {
    this.current ??= (await this.ctx.storage.get<BatchState>("batch")) ?? null;
    return this.current;
  }

  /** Persists the batch, then tells every socket. */
  private async save(s: BatchState): Promise<void> {
    await this.ctx.storage.put("batch", s);
    const batch = await batchView(this.env, s);
    this.live.broadcast({ type: "batch", seq: await this.live.nextSeq(), batch });
  }
}
