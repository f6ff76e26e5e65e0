/**
 * The group's live channel: hibernatable WebSockets the coordinator accepted, and the order of
 * what it tells them. Every event carries the next group-wide sequence number.
 */
import type { GenerationView, LiveEvent } from "./events.ts";

export class LiveChannel {
  private readonly ctx: DurableObjectState;
  private seq: number | null = null;

  constructor(ctx: DurableObjectState) {
    this.ctx = ctx;
  }

  /**
   * Accepts an authenticated client's WebSocket (hibernatable) and sends it `generations` as
   * the snapshot every later event builds on.
   */
  async accept(userId: string, groupId: string, generations: GenerationView[]): Promise<Response> {
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ userId });
    const snapshot: LiveEvent = {
      type: "snapshot",
      seq: await this.nextSeq(),
      group_id: groupId,
      generations,
    };
    server.send(JSON.stringify(snapshot));
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Sends `event` to every open socket of the group. */
  broadcast(event: LiveEvent): void {
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
