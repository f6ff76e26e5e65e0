/**
 * A WebSocket stand-in for component tests, installed as the global `WebSocket` (the one
 * boundary the live engine talks to). Tests push server events with `receive` and end it with `drop`.
 */

import type { LiveEvent } from "@promptreel/worker/live-events";
import { vi } from "vitest";

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
