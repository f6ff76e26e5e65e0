/** Test data in the API's shapes, and a fetch stub that answers by method and path. */
import { createMemoryHistory, MemoryRouter, Route } from "@solidjs/router";
import { render } from "@solidjs/testing-library";
import type { JSX } from "solid-js";
import { vi } from "vitest";
import {
  type Budget,
  clearApiCache,
  type GenerationView,
  type SceneView,
  type VersionView,
} from "../src/api.ts";
import type { Asset, AssetPage } from "../src/assets.ts";
import { startSession } from "../src/session.ts";
import { DEFAULT_SETTINGS } from "../src/settings.ts";
import { FakeWebSocket } from "./fake-socket.ts";

/** A generation's view (the one read model every body and event carries), field by field. */
export function viewFixture(over: Partial<GenerationView> = {}): GenerationView {
  return {
    generation_id: "gen-1",
    group_id: "group-1",
    label: null,
    prompt: "vegan protein powder, energetic, for TikTok",
    source: "prompt",
    settings: { ...DEFAULT_SETTINGS, seed: 42 },
    status: "pending",
    progress: 0,
    current_step: null,
    spec: null,
    scenes: [],
    num_scenes: 0,
    refinements: { used: 0, limit: 5 },
    revision: 0,
    version: 1,
    versions: [],
    cost: 0,
    cost_breakdown: null,
    video_url: null,
    thumbnail_url: null,
    qc: null,
    error: null,
    error_code: null,
    created_at: Date.UTC(2026, 10, 25, 14, 3),
    started_at: null,
    completed_at: null,
    generation_time_s: null,
    ...over,
  };
}

/** A view of a generation at work (what the live events carry mid-run), field by field. */
export function runningFixture(over: Partial<GenerationView> = {}): GenerationView {
  return viewFixture({
    status: "processing",
    progress: 10,
    current_step: "Writing the ad specification",
    started_at: 1_000,
    ...over,
  });
}

/** A planned scene, overridable field by field. */
export function sceneFixture(index: number, over: Partial<SceneView> = {}): SceneView {
  return {
    index,
    type: ["attention", "interest", "desire", "action"][index] ?? "action",
    status: "pending",
    overlay_text: `Line ${index + 1}`,
    duration_s: 3.75,
    visual_prompt: `Shot ${index + 1}`,
    clip_url: null,
    poster_url: null,
    keyframe_url: null,
    overlay_position: "bottom",
    ...over,
  };
}

/** A JSON response. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

type Handler = (req: {
  method: string;
  path: string;
  url: URL;
  headers: Headers;
  body: unknown;
}) => Response | Promise<Response>;

/**
 * Replaces global fetch with a router of `"METHOD /path"` handlers; unknown routes are 404.
 * Returns the mock so tests can inspect calls.
 */
export function stubApi(routes: Record<string, Handler | Response>) {
  const mock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = (init.method ?? "GET").toUpperCase();
    const route = routes[`${method} ${url.pathname}`];
    const body = typeof init.body === "string" ? JSON.parse(init.body) : undefined;
    if (!route)
      return json({ error: { code: "not_found", message: `No stub for ${method} ${url.pathname}` } }, 404);
    return route instanceof Response
      ? route.clone()
      : route({ method, path: url.pathname, url, headers: new Headers(init.headers), body });
  });
  vi.stubGlobal("fetch", mock);
  return mock;
}

/** A stored session for a test user. */
export const SESSION = {
  token: "token-1",
  expires_at: Date.now() + 3_600_000,
  user: { id: "user-1", email: "ada@example.com", total_cost: 1.25, created_at: 0 },
};

/** Renders `ui` inside a memory router at `path` (components with <A> need a router). */
export function renderInRouter(ui: () => JSX.Element, path = "/") {
  const history = createMemoryHistory();
  history.set({ value: path });
  return render(() => (
    <MemoryRouter history={history}>
      <Route path="*" component={ui} />
    </MemoryRouter>
  ));
}

/** A `POST /api/groups/:id/ticket` answer for `group`'s live socket. */
export const ticket = (group: string): Response =>
  json({ ticket: "t", expires_at: 0, path: `/api/groups/${group}/live?ticket=t` });

/** A `GET /api/estimate` answer of `total` USD (paid providers, so it is not "offline"). */
export function quote(total: number): Response {
  return json({
    currency: "USD",
    per_generation: total,
    total,
    breakdown: { llm: 0.002, video: total - 0.002, compose: 0 },
    providers: { llm: "openai:gpt-4o-mini", video: "replicate:minimax/video-01" },
  });
}

/** A finished version of an ad (`GenerationView.versions`), overridable field by field. */
export function versionFixture(version: number, over: Partial<VersionView> = {}): VersionView {
  return {
    version,
    video_url: `/media/renders/gen-1/v${version}/video.mp4?sig=${version}`,
    thumbnail_url: `/media/renders/gen-1/v${version}/thumbnail.jpg?sig=${version}`,
    cost: 0.3,
    new_clips: 4,
    num_scenes: 4,
    duration_s: 15,
    completed_at: Date.UTC(2026, 10, 25, 14, 10 * version),
    qc: null,
    ...over,
  };
}

/** `GET /api/me`'s body: SESSION's user and a monthly budget (no cap unless given). */
export function meFixture(budget: Partial<Budget> = {}) {
  const cap = budget.monthly_budget_usd ?? null;
  const spent = budget.spent_this_month_usd ?? 0.4;
  return {
    user: SESSION.user,
    budget: {
      monthly_budget_usd: cap,
      spent_this_month_usd: spent,
      remaining_usd: cap === null ? null : Math.max(0, cap - spent),
      month: "2026-11",
      ...budget,
    },
  };
}

/** A storyboard waiting for review (settings.workflow "storyboard"): four drawn keyframes, AIDA. */
export function storyboardFixture(over: Partial<GenerationView> = {}): GenerationView {
  const scenes = [0, 1, 2, 3].map((i) =>
    sceneFixture(i, { keyframe_url: `/media/clips/gen-1/keyframe-${i}.jpg?exp=1&sig=a` }),
  );
  return viewFixture({
    settings: { ...DEFAULT_SETTINGS, seed: 42, workflow: "storyboard" },
    status: "storyboard",
    progress: 30,
    current_step: "Storyboard ready for review",
    started_at: 1_000,
    spec: {
      product: "vegan protein powder",
      brand: "Sprout",
      framework: "AIDA",
      mood: "energetic",
      palette: ["#22aa55"],
      visual_style: "bright studio light",
      call_to_action: "Shop now",
    },
    scenes,
    num_scenes: scenes.length,
    revision: 2,
    ...over,
  });
}

/** A page test's start: no cached reads, signed in as SESSION, at `path`, sockets faked. */
export function signedInAt(path: string): void {
  clearApiCache();
  startSession(SESSION);
  history.replaceState(null, "", path);
  FakeWebSocket.install();
}

/** One asset as `/api/assets` shows it, overridable field by field. */
export function assetFixture(over: Partial<Asset> = {}): Asset {
  const id = over.id ?? "asset-1";
  const kind = over.kind ?? "image";
  const url = `/media/assets/user-1/${id}?exp=1&sig=a`;
  return {
    id,
    kind,
    content_type: kind === "audio" ? "audio/mpeg" : kind === "video" ? "video/mp4" : "image/png",
    name: "bottle.png",
    size_bytes: 1_200_000,
    width: kind === "audio" ? null : 900,
    height: kind === "audio" ? null : 900,
    duration_s: kind === "image" || kind === "reference" ? null : 12.4,
    codecs: null,
    created_at: Date.UTC(2026, 10, 25, 14, 3),
    url,
    thumbnail_url: kind === "image" ? url : null,
    ...over,
  };
}

/** A `GET /api/assets` body: these assets, usage and quota (500 MB, 100 assets by default). */
export function assetPageFixture(assets: Asset[], over: Partial<Omit<AssetPage, "assets">> = {}): AssetPage {
  return {
    assets,
    next_cursor: null,
    total_bytes: assets.reduce((n, a) => n + a.size_bytes, 0),
    count: assets.length,
    quota: { max_bytes: 500 * 1_000_000, max_count: 100 },
    ...over,
  };
}
