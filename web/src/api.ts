/**
 * All data access for the web app: the typed Hono RPC client (`hc<AppType>`), the session
 * header, the one error path (401 ends the session), and the `query()` wrappers routes preload.
 */

import type { AppType } from "@promptreel/worker/app";
import type { ReferenceBatchView, ReferenceEvent } from "@promptreel/worker/references";
import type { GenerationView, SceneView, SpecSummary } from "@promptreel/worker/views";
import { query, revalidate } from "@solidjs/router";
import { hc, type InferRequestType, type InferResponseType } from "hono/client";
import { ApiError, errorFromResponse, networkError } from "./api-error.ts";
import { currentToken, endSession, type Session, updateSessionUser } from "./session.ts";

export { ApiError, fieldsUnder, messageOf } from "./api-error.ts";

/**
 * fetch for every API call: adds the bearer token (never on /api/auth/*, so a wrong password
 * cannot end a session), turns failures into ApiError, and ends the session on a 401 that was
 * caused by the token we sent.
 */
export async function apiFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  const url = new URL(input instanceof Request ? input.url : String(input), baseUrl());
  const headers = new Headers(init.headers);
  const token = url.pathname.startsWith("/api/auth/") ? null : currentToken();
  if (token) headers.set("Authorization", `Bearer ${token}`);
  let res: Response;
  try {
    // globalThis.fetch looked up per call: tests stub it, and the browser binds it correctly.
    res = await globalThis.fetch(url, { ...init, headers });
  } catch (err) {
    throw networkError(err);
  }
  if (res.ok) return res;
  const error = await errorFromResponse(res);
  if (res.status === 401 && token) endSession("expired");
  else if (res.status >= 500) console.error("promptreel: API error", url.pathname, res.status, error.message);
  throw error;
}

function baseUrl(): string {
  return typeof location === "undefined" ? "http://localhost" : location.origin;
}

/** The typed client of the whole API (every module's calls go through it). */
export const client = hc<AppType>(baseUrl(), { fetch: apiFetch });

/**
 * The one read model of a generation, owned by the Worker (`worker/src/views/generation.ts`):
 * every REST body and live event carries it, so a page draws a generation from one value.
 */
export type { GenerationView, ReferenceBatchView, ReferenceEvent, SceneView, SpecSummary };
/** One candidate of a reference batch: its status, error, cost and (once drawn) its asset. */
export type ReferenceCandidate = ReferenceBatchView["candidates"][number];
/** One finished version of an ad (`GenerationView.versions`, oldest first). */
export type VersionView = GenerationView["versions"][number];

/** Generation settings as the API accepts them (every field optional; defaults server-side). */
export type GenerateInput = InferRequestType<typeof client.api.generate.$post>["json"];
/** One generation's lifecycle status. */
export type GenerationStatusValue = GenerationView["status"];

/**
 * Server features the UI may use. Both are on; they stay switchable so a deployment (or a
 * test) can fall back to polling or hide cancel without touching the pages.
 */
export const capabilities = { cancel: true, liveSocket: typeof WebSocket !== "undefined" };

// ---- accounts ------------------------------------------------------------------------------

/** Creates an account; resolves with the session to store. */
export async function register(email: string, password: string): Promise<Session> {
  return (await client.api.auth.register.$post({ json: { email, password } })).json();
}

/** Signs in; resolves with the session to store. */
export async function login(email: string, password: string): Promise<Session> {
  return (await client.api.auth.login.$post({ json: { email, password } })).json();
}

/** The monthly budget: the cap (null: none), this month's spend and what is left, in USD. */
export type Budget = InferResponseType<typeof client.api.me.budget.$put, 200>;

/** The signed-in user (lifetime spend included) and the monthly budget. Also refreshes the stored user. */
export const getMe = query(async () => {
  const me = await (await client.api.me.$get()).json();
  updateSessionUser(me.user);
  return me;
}, "me");

/** Sets the monthly cap in USD (null removes it), then reads the account again. */
export async function setMonthlyBudget(monthlyUsd: number | null): Promise<Budget> {
  const budget = await (await client.api.me.budget.$put({ json: { monthly_usd: monthlyUsd } })).json();
  await revalidate(getMe.key);
  return budget;
}

// ---- generations ---------------------------------------------------------------------------

/** A fresh `Idempotency-Key`: `crypto.randomUUID()`, which only secure contexts have; random hex elsewhere. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The last submit whose outcome is unknown (no answer, a 409 or a 5xx): its route, body and key. */
let unanswered: { what: string; key: string } | null = null;

/**
 * Sends one submit with an `Idempotency-Key`: `key` when given, else the key of the same submit
 * (route and body) whose answer never arrived, else a fresh one. So submitting again after a
 * dropped connection is a retry the server answers from the first request, not a second ad.
 */
async function submitOnce<T>(
  route: string,
  body: unknown,
  key: string | undefined,
  send: (key: string) => Promise<T>,
) {
  const what = `${route} ${JSON.stringify(body)}`;
  const k = key ?? (unanswered?.what === what ? unanswered.key : newIdempotencyKey());
  try {
    const res = await send(k);
    unanswered = null;
    return res;
  } catch (err) {
    const noAnswer = err instanceof ApiError && (err.status === 0 || err.status === 409 || err.status >= 500);
    unanswered = noAnswer ? { what, key: k } : null;
    throw err;
  }
}

/**
 * Starts a generation (202): the record exists, the pipeline picks it up. `key` names the submit
 * (see `submitOnce`; by default a fresh key, or the unanswered identical submit's).
 */
export async function generate(
  input: { prompt: string; settings?: GenerateInput["settings"] },
  key?: string,
) {
  const res = await submitOnce("generate", input, key, (k) =>
    client.api.generate.$post({ json: input }, { headers: { "Idempotency-Key": k } }),
  );
  void revalidate([getGenerations.key, getMe.key]);
  return res.json();
}

/** One read of a generation's view (`GET /api/status/:id`), uncached: the live engine polls with it. */
export async function fetchGeneration(id: string): Promise<GenerationView> {
  return (await client.api.status[":id"].$get({ param: { id } })).json();
}

/** A generation at navigation time: everything its page draws; live updates then follow. */
export const getGeneration = query(fetchGeneration, "generation-view");

/** Keeps the cached read current (the live engine hands it each newer view), so Back shows the latest. */
export function cacheGeneration(view: GenerationView): void {
  query.set(getGeneration.keyFor(view.generation_id), view);
}

/** A generation finished while watched: its cost now counts in the account's total. */
export function generationFinished(): Promise<void> {
  return revalidate(getMe.key);
}

/** Library filter values: a status, or every generation. */
export type StatusFilter = GenerationStatusValue | "all";

/** One page of my generations, newest first. */
export async function listGenerations(opts: {
  status?: StatusFilter;
  cursor?: string | null;
  limit?: number;
}) {
  const q: { limit: string; status?: GenerationStatusValue; cursor?: string } = {
    limit: String(opts.limit ?? 24),
  };
  if (opts.status && opts.status !== "all") q.status = opts.status;
  if (opts.cursor) q.cursor = opts.cursor;
  return (await client.api.generations.$get({ query: q })).json();
}

/** The library's first page for a filter (later pages are appended by the page itself). */
export const getGenerations = query((status: StatusFilter) => listGenerations({ status }), "generations");

/** Deletes a generation and its media. */
export async function deleteGeneration(id: string) {
  const body = await (await client.api.generations[":id"].$delete({ param: { id } })).json();
  query.delete(getGeneration.keyFor(id));
  void revalidate([getGenerations.key, getMe.key]);
  return body;
}

/**
 * Asks the pipeline to stop; the generation then ends `cancelled` (`error_code` "cancelled").
 * On a draft (a finished ad reopened for editing) it discards the draft instead: the generation
 * returns to `completed` at its last finished version. Resolves with the view the cancel answered.
 */
export async function cancelGeneration(id: string): Promise<GenerationView> {
  const view = await (await client.api.generations[":id"].cancel.$post({ param: { id } })).json();
  void revalidate(getGenerations.key);
  return view;
}

/**
 * Reopens a finished ad for editing (`POST /api/generations/:id/versions`): resolves with the
 * draft's view (status `storyboard`, the next version), or the open draft's when there is one.
 */
export async function openDraft(id: string): Promise<GenerationView> {
  const view = await (await client.api.generations[":id"].versions.$post({ param: { id } })).json();
  void revalidate(getGenerations.key);
  return view;
}

// ---- parallel variations -------------------------------------------------------------------

/** `POST /api/comparisons` (alias: `/api/generate/parallel`): 2-5 prompts with one settings, or one prompt with 2-5 profiles. */
export type ParallelInput = Extract<
  InferRequestType<typeof client.api.comparisons.$post>["json"],
  { mode: string }
>;
/** A comparison: every variation's view (label and generation time included), plus what differs. */
export type Comparison = InferResponseType<(typeof client.api.comparisons)[":group_id"]["$get"], 200>;

/** Starts 2-5 variations in one group (202); the group's coordinator runs them together. `key` as for `generate`. */
export async function generateParallel(input: ParallelInput, key?: string) {
  const res = await submitOnce("comparisons", input, key, (k) =>
    client.api.comparisons.$post({ json: input }, { headers: { "Idempotency-Key": k } }),
  );
  void revalidate([getGenerations.key, getMe.key]);
  return res.json();
}

/** One read of a comparison, uncached (the page re-reads it as variations finish). */
export async function fetchComparison(groupId: string): Promise<Comparison> {
  return (await client.api.comparisons[":group_id"].$get({ param: { group_id: groupId } })).json();
}

/** The comparison at navigation time. */
export const getComparison = query(fetchComparison, "comparison");

/** Keeps the cached comparison current (the page hands it each live or re-read state). */
export function cacheComparison(comparison: Comparison): void {
  query.set(getComparison.keyFor(comparison.group_id), comparison);
}

/** Marks one finished variation as the winner, or clears the pick with null. */
export async function setWinner(groupId: string, generationId: string | null) {
  const res = await client.api.comparisons[":group_id"].winner.$put({
    param: { group_id: groupId },
    json: { generation_id: generationId },
  });
  return res.json();
}

/** Deletes every variation of a comparison and their media. */
export async function deleteComparison(groupId: string) {
  const body = await (
    await client.api.comparisons[":group_id"].$delete({ param: { group_id: groupId } })
  ).json();
  query.delete(getComparison.keyFor(groupId));
  for (const id of body.generation_ids) query.delete(getGeneration.keyFor(id));
  void revalidate([getGenerations.key, getMe.key]);
  return body;
}

/** A price quote shown before Generate. */
export interface CostEstimate {
  /** USD. */
  amount: number;
  /** True when every provider is a local one (nothing is billed). */
  offline: boolean;
}

/** The estimated cost of a generation with these settings, from the server's price table. */
export async function estimateCost(
  settings: GenerateInput["settings"],
  variations = 1,
): Promise<CostEstimate> {
  const query = {
    duration_s: String(settings?.duration_s ?? 15) as "15" | "30" | "60",
    enhanced_planning: settings?.enhanced_planning ? ("true" as const) : ("false" as const),
    variations: String(variations),
  };
  const body = await (await client.api.estimate.$get({ query })).json();
  return {
    amount: body.total,
    offline: body.providers.llm.startsWith("offline") && body.providers.video.startsWith("offline"),
  };
}

/** The quote for one generation with a duration and planning choice, cached like every read. */
export const getEstimate = query(
  (duration_s: 15 | 30 | 60, enhanced_planning: boolean) => estimateCost({ duration_s, enhanced_planning }),
  "estimate",
);

// ---- storyboard review (settings.workflow = "storyboard") -----------------------------------

type SceneRoute = (typeof client.api.generations)[":id"]["scenes"][":index"];
/** A direct edit of one scene; `revision` (the view's) makes a stale edit fail with 409. */
export type ScenePatch = InferRequestType<SceneRoute["$patch"]>["json"];
/** A scene to add: where, its framework role and its content. */
export type NewScene = InferRequestType<(typeof client.api.generations)[":id"]["scenes"]["$post"]>["json"];
/** What approving a storyboard will spend: each scene's clip at the first video model. */
export type ApprovalEstimate = InferResponseType<
  (typeof client.api.generations)[":id"]["approval"]["$get"],
  200
>;

const scene = (id: string, index: number) => ({ param: { id, index: String(index) } });

/** Edits scene `index` of a storyboard; answers the whole updated view (also sent live). */
export async function patchScene(id: string, index: number, patch: ScenePatch): Promise<GenerationView> {
  return (
    await client.api.generations[":id"].scenes[":index"].$patch({ ...scene(id, index), json: patch })
  ).json();
}

/** Rewrites scene `index` from a plain-language instruction ("shorter text"); 409 once all are used. */
export async function refineScene(
  id: string,
  index: number,
  instruction: string,
  revision: number,
): Promise<GenerationView> {
  const route = client.api.generations[":id"].scenes[":index"].refine;
  return (await route.$post({ ...scene(id, index), json: { instruction, revision } })).json();
}

/** Puts the scenes in a new order: `order[k]` is the current index of the scene that goes k-th. */
export async function reorderScenes(id: string, order: number[], revision: number): Promise<GenerationView> {
  return (
    await client.api.generations[":id"].reorder.$post({ param: { id }, json: { order, revision } })
  ).json();
}

/** Adds a scene (an ad has 3-5). */
export async function addScene(id: string, body: NewScene): Promise<GenerationView> {
  return (await client.api.generations[":id"].scenes.$post({ param: { id }, json: body })).json();
}

/** Removes scene `index` (an ad has 3-5). */
export async function removeScene(id: string, index: number, revision: number): Promise<GenerationView> {
  const route = client.api.generations[":id"].scenes[":index"];
  return (await route.$delete({ ...scene(id, index), query: { revision: String(revision) } })).json();
}

/** The approval estimate of a storyboard at one revision (each edit may change it). */
export const getApproval = query(
  async (id: string, _revision: number): Promise<ApprovalEstimate> =>
    (await client.api.generations[":id"].approval.$get({ param: { id } })).json(),
  "approval",
);

/** Approves a storyboard: clips and compose start (a second approval starts nothing). */
export async function approveStoryboard(id: string): Promise<GenerationView> {
  return (await client.api.generations[":id"].approve.$post({ param: { id } })).json();
}

/** A short-lived ticket for the group's live WebSocket. */
export async function liveTicket(groupId: string): Promise<{ ticket: string; path: string }> {
  return (await client.api.groups[":group_id"].ticket.$post({ param: { group_id: groupId } })).json();
}

// ---- reference images (`/api/references`) ----------------------------------------------------

/** What a reference batch is asked for: a description, product or character, 1-4 candidates, a style. */
export type ReferenceInput = InferRequestType<typeof client.api.references.$post>["json"];

/** Starts drawing reference candidates (202): the batch, running, with a slot per candidate. */
export async function startReferences(input: ReferenceInput): Promise<ReferenceBatchView> {
  const batch = await (await client.api.references.$post({ json: input })).json();
  void revalidate(getMe.key);
  return batch;
}

/** One read of a reference batch, uncached (the generator polls it until it is no longer running). */
export async function fetchReferences(id: string): Promise<ReferenceBatchView> {
  return (await client.api.references[":id"].$get({ param: { id } })).json();
}

/** Stops the candidates not yet drawn; resolves with the batch as the cancel left it. */
export async function cancelReferences(id: string): Promise<ReferenceBatchView> {
  return (await client.api.references[":id"].cancel.$post({ param: { id } })).json();
}

// ---- an ad from my own clips (`POST /api/stitch`) ------------------------------------------------

/**
 * `POST /api/stitch`: 2-8 video asset ids in order, a text per clip (null: none), and the ad's
 * title, music (an audio asset id or a library mood), grade, aspect and logo.
 */
export type StitchInput = InferRequestType<typeof client.api.stitch.$post>["json"];

/** Starts an ad stitched from my clips (202): a generation, followed on its page like any other. */
export async function stitchClips(input: StitchInput) {
  const res = await client.api.stitch.$post({ json: input });
  void revalidate([getGenerations.key, getMe.key]);
  return res.json();
}

// ---- exports of a finished ad (`/api/generations/:id/exports`) ---------------------------------

type ExportsRoute = (typeof client.api.generations)[":id"]["exports"];
/** `{format, quality, aspect?}` (aspect: the ad's own by default), or `{preset}` (a platform's). */
export type ExportRequest = InferRequestType<ExportsRoute["$post"]>["json"];
/** One export: its variant, status and progress, and (once made) its size, duration and signed links. */
export type ExportView = InferResponseType<ExportsRoute["$get"], 200>["exports"][number];
/** The answer to starting an export: the export, `cached` when it was made before, and the preset's limits. */
export type ExportAnswer = InferResponseType<ExportsRoute["$post"], 200 | 202>;

/**
 * Starts an export of the ad's latest version: 202 queued (or joined, while the same one runs),
 * 200 `cached` when it was made before. The same variant always answers the same `export_id`.
 */
export async function startExport(id: string, body: ExportRequest): Promise<ExportAnswer> {
  return (await client.api.generations[":id"].exports.$post({ param: { id }, json: body })).json();
}

/** A generation's exports, newest first (uncached: the export dialog polls it while any runs). */
export async function listExports(id: string): Promise<ExportView[]> {
  return (await (await client.api.generations[":id"].exports.$get({ param: { id } })).json()).exports;
}

/** Stops a queued or running export (409 when it is not); resolves with the export as the cancel left it. */
export async function cancelExport(id: string, exportId: string): Promise<ExportView> {
  const route = client.api.generations[":id"].exports[":export_id"].cancel;
  return (await route.$post({ param: { id, export_id: exportId } })).json();
}

/** Everything known about an ad (`GET /api/generations/:id/metadata`), as the JSON the API answers. */
export async function fetchMetadata(id: string): Promise<unknown> {
  return (await client.api.generations[":id"].metadata.$get({ param: { id } })).json();
}

/** Forgets every cached response (on sign-out, so the next user sees nothing stale). */
export function clearApiCache(): void {
  query.clear();
}
