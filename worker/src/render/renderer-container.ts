/**
 * The render container in production: a Cloudflare Container running render-container/'s
 * Node server (see render-container/Dockerfile). Locally it is not used: `wrangler dev`
 * runs with containers disabled and RENDER_URL points at the same server as a Node process.
 */
import { Container } from "@cloudflare/containers";

export class Renderer extends Container {
  /** The port render-container's server listens on inside the image (PORT=8080). */
  override defaultPort = 8080;
  /** Keep a warm instance between jobs of a burst; stop after five idle minutes. */
  override sleepAfter = "5m";
}
