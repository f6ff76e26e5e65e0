/**
 * Starts the app exactly as a user does (`bash scripts/start.sh` from the repository root) on
 * its own ports and a fresh data directory, waits until /api/health answers 200, and stops it
 * with SIGTERM afterwards (start.sh then stops its own children).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type {} from "vitest";
import type { TestProject } from "vitest/node";

const ROOT = resolve(import.meta.dirname, "../..");
const PORT = 8797;
const RENDER_PORT = 8798;
const HEALTH_TIMEOUT_MS = 180_000;

declare module "vitest" {
  export interface ProvidedContext {
    /** Where the app under test listens, e.g. http://127.0.0.1:8797. */
    baseUrl: string;
    /** The app's PROMPTREEL_DATA_DIR, a fresh directory removed afterwards. */
    dataDir: string;
  }
}

export default async function setup(project: TestProject) {
  const baseUrl = `http://127.0.0.1:${PORT}`;
  if (await healthy(baseUrl)) throw new Error(`${baseUrl} is already in use; stop that app first.`);
  const dataDir = mkdtempSync(join(tmpdir(), "promptreel-e2e-"));
  const child = spawn("bash", ["scripts/start.sh"], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(PORT),
      RENDER_PORT: String(RENDER_PORT),
      PROMPTREEL_DATA_DIR: dataDir,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Keep start.sh's own output: it is the first thing to read when start-up fails.
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));

  try {
    await waitForHealth(baseUrl, exited);
  } catch (err) {
    await stop(child, exited);
    throw new Error(
      `${(err as Error).message}\n--- scripts/start.sh output (data in ${dataDir}):\n${output}`,
    );
  }
  project.provide("baseUrl", baseUrl);
  project.provide("dataDir", dataDir);

  return async () => {
    await stop(child, exited);
    rmSync(dataDir, { recursive: true, force: true });
  };
}

async function healthy(baseUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(2000) });
    return res.status === 200;
  } catch {
    return false;
  }
}

async function waitForHealth(baseUrl: string, exited: Promise<number | null>): Promise<void> {
  let gone: number | null | undefined;
  void exited.then((code) => {
    gone = code;
  });
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (gone !== undefined)
      throw new Error(`scripts/start.sh exited with code ${gone} before the app was healthy`);
    if (await healthy(baseUrl)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${baseUrl}/api/health did not answer 200 within ${HEALTH_TIMEOUT_MS / 1000} s`);
}

/** SIGTERM, then wait for start.sh to clean up; SIGKILL only if it hangs. */
async function stop(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 30_000).unref());
  if ((await Promise.race([exited, timeout])) === "timeout") {
    console.error("scripts/start.sh did not exit 30 s after SIGTERM; killing it");
    child.kill("SIGKILL");
    await exited;
  }
}
