/**
 * A small client for scripts (CLI, benchmarks) talking to a running promptreel over HTTP:
 * signs in with a local account (created on first use and remembered in .data/), starts
 * generations and polls their status.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { GenerationView } from "@promptreel/worker/views";

/** `GET /api/status/:id`: the generation read model, as the worker defines it. */
export type Status = GenerationView;

export class ApiClient {
  readonly base: string;
  private token = "";

  constructor(base: string) {
    this.base = base.replace(/\/$/, "");
  }

  async request<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
    const headers = new Headers(init.headers);
    if (this.token) headers.set("Authorization", `Bearer ${this.token}`);
    if (init.body) headers.set("Content-Type", "application/json");
    const res = await fetch(`${this.base}${path}`, { ...init, headers });
    const body = (await res.json().catch(() => null)) as T;
    return { status: res.status, body };
  }

  /** Signs in with the account in `file`, registering it the first time. */
  async signIn(file: string): Promise<void> {
    let creds: { email: string; password: string };
    if (existsSync(file)) creds = JSON.parse(readFileSync(file, "utf8"));
    else {
      creds = { email: `cli-${Date.now()}@promptreel.local`, password: crypto.randomUUID() };
      const reg = await this.request<{ token: string }>("/api/auth/register", {
        method: "POST",
        body: JSON.stringify(creds),
      });
      if (reg.status !== 201)
        throw new Error(`could not create the CLI account: ${JSON.stringify(reg.body)}`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(creds), { mode: 0o600 });
    }
    const login = await this.request<{ token: string; error?: { message: string } }>("/api/auth/login", {
      method: "POST",
      body: JSON.stringify(creds),
    });
    if (login.status !== 200)
      throw new Error(`sign-in failed: ${login.body?.error?.message ?? login.status}`);
    this.token = login.body.token;
  }

  async generate(prompt: string, settings: Record<string, unknown> = {}) {
    const res = await this.request<{ generation_id: string; group_id: string; error?: { message: string } }>(
      "/api/generate",
      {
        method: "POST",
        body: JSON.stringify({ prompt, settings }),
      },
    );
    if (res.status !== 202) throw new Error(res.body?.error?.message ?? `generate answered ${res.status}`);
    return res.body;
  }

  async status(id: string): Promise<Status> {
    const res = await this.request<Status>(`/api/status/${id}`);
    if (res.status !== 200) throw new Error(`status answered ${res.status}`);
    return res.body;
  }
}
