/**
 * A Durable Object's live channel: hibernatable WebSockets it accepted, and the order of what it
 * tells them. Every event carries the next sequence number of the object (a generation group,
 * or a reference batch), starting with the snapshot each socket gets on connecting.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";

export class LiveChannel<Event extends { seq: number }> {
  private readonly ctx: DurableObjectState;
  private seq: number | null = null;

  constructor(ctx: DurableObjectState) {
    this.ctx = ctx;
  }

  /**
   * Accepts an authenticated client's WebSocket (hibernatable) and sends it the snapshot every
   * later event builds on (made for the sequence number it is given).
   */
  async accept(userId: string, snapshot: (seq: number) => Event): Promise<Response> {
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ userId });
    server.send(JSON.stringify(snapshot(await this.nextSeq())));
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Sends `event` to every open socket of the group. */
  broadcast(event: Event): void {
    const text = JSON.stringify(event);
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(text);
      } catch {
        // A socket closing mid-send is dropped; the client reconnects and gets a snapshot.
      }
    }
  }

  /** Event order across the group; incremented without an await so concurrent saves never share one. */
  async nextSeq(): Promise<number> {
    if (this.seq === null) {
      const stored = (await this.ctx.storage.get<number>("seq")) ?? 0;
      this.seq ??= stored;
    }
    this.seq += 1;
    this.ctx.storage.put("seq", this.seq);
    return this.seq;
  }
}

/** Open live sockets one user may hold on one group (or batch) at once. */
export const MAX_SOCKETS_PER_USER = 10;

/**
 * A Durable Object that streams its changes to hibernatable WebSockets (a generation group's
 * coordinator, a reference batch) and runs its work from an alarm: the socket handling and the
 * one-run-at-a-time rule they share.
 */
export abstract class LiveObject<Event extends { seq: number }> extends DurableObject<Env> {
  protected readonly live = new LiveChannel<Event>(this.ctx);
  private running: Promise<void> | null = null;

  /**
   * Accepts a WebSocket the Worker forwarded after checking the live ticket: 426 without an
   * upgrade, 404 unless the ticket's user (`X-Live-User`) is `ownerId`; else the snapshot first.
   */
  protected async acceptLive(
    request: Request,
    ownerId: string | undefined,
    what: string,
    snapshot: () => Promise<(seq: number) => Event>,
  ): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket")
      return Response.json(
        { error: { code: "bad_request", message: "Expected a WebSocket upgrade" } },
        { status: 426 },
      );
    const userId = request.headers.get("X-Live-User");
    if (!ownerId || ownerId !== userId)
      return Response.json({ error: { code: "not_found", message: `${what} not found` } }, { status: 404 });
    const refused = await this.useTicket(request, userId);
    if (refused) return refused;
    return this.live.accept(userId, await snapshot());
  }

  /**
   * Uses the forwarded ticket's nonce up (a ticket opens one socket) and keeps one user's open
   * sockets on this object under {@link MAX_SOCKETS_PER_USER}; the refusal, or null to go on.
   */
  private async useTicket(request: Request, userId: string): Promise<Response | null> {
    const nonce = request.headers.get("X-Live-Nonce");
    const expiresAt = Number(request.headers.get("X-Live-Expires"));
    const unauthorized = (message: string) =>
      Response.json({ error: { code: "unauthorized", message } }, { status: 401 });
    if (!nonce || !Number.isFinite(expiresAt))
      return unauthorized("The live ticket is invalid or has expired.");
    const key = `ticket:${nonce}`;
    // Storage calls hold this object's input gate, so two upgrades with one ticket cannot both pass.
    if ((await this.ctx.storage.get(key)) !== undefined)
      return unauthorized("This live ticket was already used. Ask for a new one.");
    const open = this.ctx
      .getWebSockets()
      .filter((ws) => (ws.deserializeAttachment() as { userId?: string } | null)?.userId === userId).length;
    if (open >= MAX_SOCKETS_PER_USER)
      return Response.json(
        {
          error: {
            code: "rate_limited",
            message: `At most ${MAX_SOCKETS_PER_USER} live connections at once; close one first.`,
          },
        },
        { status: 429 },
      );
    await this.ctx.storage.put(key, expiresAt);
    // Used tickets are kept only until they would have expired anyway.
    const used = await this.ctx.storage.list<number>({ prefix: "ticket:" });
    // (At most 128 keys per delete; the rest go on a later upgrade.)
    const expired = [...used]
      .filter(([, exp]) => exp < Date.now())
      .map(([k]) => k)
      .slice(0, 128);
    if (expired.length) await this.ctx.storage.delete(expired);
    return null;
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // Clients only ever ping; anything else is ignored.
    if (message === "ping") ws.send("pong");
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    ws.close(code === 1005 ? 1000 : code, "closing");
  }

  /** Runs `work`, or joins the run in flight (a duplicate alarm never starts a second one). */
  protected joinRun(work: () => Promise<void>): Promise<void> {
    this.running ??= work().finally(() => {
      this.running = null;
    });
    return this.running;
  }
}
