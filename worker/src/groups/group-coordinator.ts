/**
 * GroupCoordinator: the Durable Object that will own one generation group (a single
 * generation is a group of one): the stage state machine driven by alarms, its SQLite
 * storage, and live progress over hibernatable WebSockets.
 *
 * Not built yet: the pipeline arrives with issue 4. Until then the class exists so that the
 * binding and its SQLite migration are declared from the first deploy, and it answers every
 * request with 501 rather than pretending to work.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";

export class GroupCoordinator extends DurableObject<Env> {
  override async fetch(_request: Request): Promise<Response> {
    return Response.json(
      { error: { code: "not_implemented", message: "The generation pipeline is not built yet." } },
      { status: 501 },
    );
  }
}
