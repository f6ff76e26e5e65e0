/**
 * The render container in production: a Cloudflare Container running render-container/'s
 * Node server (see render-container/Dockerfile). Locally it is not used: `wrangler dev`
 * runs with containers disabled and RENDER_URL points at the same server as a Node process.
 */

import type { DurableObject } from "cloudflare:workers";
import { Container } from "@cloudflare/containers";
import type { Env } from "../env.ts";

export class Renderer extends Container {
  /** The port render-container's server listens on inside the image (PORT=8080). */
  override defaultPort = 8080;
  /** Keep a warm instance between jobs of a burst; stop after five idle minutes. */
  override sleepAfter = "5m";
  /**
   * The container fetches nothing: the Worker stages every input into it and reads every output
   * back, so it gets no route out at all (defence in depth behind its refusal of URL sources).
   */
  override enableInternet = false;

  constructor(ctx: DurableObject["ctx"], env: Cloudflare.Env) {
    super(ctx, env);
    const { RENDER_SECRET } = env as Pick<Env, "RENDER_SECRET">;
    // The secret the Worker sends on every call (render/client.ts), as the container's RENDER_SECRET;
    // the server refuses to start without one, so a missing secret fails loudly instead of open.
    this.envVars = { ...this.envVars, RENDER_SECRET: RENDER_SECRET ?? "" };
  }
}
