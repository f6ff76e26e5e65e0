/**
 * A WebSocket stand-in for component tests, installed as the global `WebSocket` (the one
 * boundary live.ts talks to). Tests push server events with `receive` and end it with `drop`.
 */
import { vi } from "vitest";
import type { GenerationView, LiveEvent, SceneView } from "../../worker/src/groups/events.ts";

export class FakeWebSocket {
  /** Every socket opened since `install()`, oldest first. */
  static instances: FakeWebSocket[] = [];

  readonly url: string;
  readyState = 1;
  closedWith: { code: number; reason: string } | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;

  constructor(url: string | URL) {
    this.url = String(url);
    FakeWebSocket.instances.push(this);
  }

  /** The client closing; like a browser, onclose follows asynchronously. */
  close(code = 1000, reason = ""): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.closedWith = { code, reason };
    queueMicrotask(() => this.onclose?.({ code, reason, wasClean: true }));
  }

  /** The server sending one event (or any raw text). */
  receive(event: LiveEvent | string): void {
    this.onmessage?.({ data: typeof event === "string" ? event : JSON.stringify(event) });
  }

  /** The connection dropping without a close frame (server restart, network loss). */
  drop(): void {
    this.readyState = 3;
    this.onclose?.({ code: 1006, reason: "", wasClean: false });
  }

  /** Replaces the global WebSocket with this class for the current test. */
  static install(): void {
    FakeWebSocket.instances = [];
    vi.stubGlobal("WebSocket", FakeWebSocket);
  }

  /** The most recent socket; fails the test if none was opened. */
  static latest(): FakeWebSocket {
    const ws = FakeWebSocket.instances.at(-1);
    if (!ws) throw new Error("no WebSocket was opened");
    return ws;
  }
}

/** A generation as the live events describe it, overridable field by field. */
export function viewFixture(over: Partial<GenerationView> = {}): GenerationView {
  return {
    generation_id: "gen-1",
    group_id: "group-1",
    status: "processing",
    progress: 10,
    current_step: "Writing the ad specification",
    scenes: [],
    cost: 0,
    cost_breakdown: null,
    video_url: null,
    thumbnail_url: null,
    error: null,
    started_at: 1_000,
    completed_at: null,
    ...over,
  };
}

/** A planned scene, overridable field by field. */
export function sceneFixture(index: number, over: Partial<SceneView> = {}): SceneView {
  return {
    index,
    type: ["attention", "interest", "desire", "action"][index] ?? "action",
    status: "pending",
    overlay_text: `Line ${index + 1}`,
    duration_s: 3.75,
    clip_url: null,
    ...over,
  };
}
