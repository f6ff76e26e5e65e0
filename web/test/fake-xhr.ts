/**
 * A tiny XMLHttpRequest for upload tests: records each request (method, URL, headers, body)
 * and lets the test report upload progress and then answer.
 */
import { vi } from "vitest";

type Listener = ((e: ProgressEvent) => void) | null;

export class FakeXHR {
  static instances: FakeXHR[] = [];

  /** Replaces the global XMLHttpRequest for this test (undone by vi.unstubAllGlobals). */
  static install(): void {
    FakeXHR.instances = [];
    vi.stubGlobal("XMLHttpRequest", FakeXHR);
  }

  /** The most recent request. */
  static get last(): FakeXHR | undefined {
    return FakeXHR.instances.at(-1);
  }

  method = "";
  url = "";
  requestHeaders: Record<string, string> = {};
  body: unknown = undefined;
  sent = false;
  status = 0;
  responseText = "";
  private responseHeaders: Record<string, string> = {};
  upload: { onprogress: Listener } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;

  constructor() {
    FakeXHR.instances.push(this);
  }

  open(method: string, url: string): void {
    this.method = method;
    this.url = url;
  }

  setRequestHeader(name: string, value: string): void {
    this.requestHeaders[name.toLowerCase()] = value;
  }

  getResponseHeader(name: string): string | null {
    return this.responseHeaders[name.toLowerCase()] ?? null;
  }

  send(body?: unknown): void {
    this.body = body;
    this.sent = true;
  }

  abort(): void {
    this.onabort?.();
  }

  /** Reports `loaded` of `total` bytes sent. */
  progress(loaded: number, total: number): void {
    this.upload.onprogress?.({ lengthComputable: true, loaded, total } as ProgressEvent);
  }

  /** Answers with a JSON body. */
  respond(status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.status = status;
    this.responseText = body === undefined ? "" : JSON.stringify(body);
    this.responseHeaders = { "content-type": "application/json" };
    for (const [k, v] of Object.entries(headers)) this.responseHeaders[k.toLowerCase()] = v;
    this.onload?.();
  }

  /** Fails like a dropped connection. */
  fail(): void {
    this.onerror?.();
  }
}
