/**
 * How the Worker reaches the render container: over HTTP at RENDER_URL when set (local
 * development and tests run it as a Node process), otherwise through the Renderer container
 * binding (production).
 */
import { getContainer } from "@cloudflare/containers";
import type { Env } from "../env.ts";

/** Sends `init` to `path` on the render container. */
export async function rendererFetch(env: Env, path: string, init: RequestInit = {}): Promise<Response> {
  if (env.RENDER_URL) return fetch(new URL(path, env.RENDER_URL), init);
  if (env.RENDERER) {
    // One warm instance serves every job: the container queues work within its CPU budget.
    const container = getContainer(env.RENDERER);
    return container.fetch(new Request(new URL(path, "http://renderer"), init));
  }
  throw new Error("No renderer configured: set RENDER_URL or bind RENDERER");
}
