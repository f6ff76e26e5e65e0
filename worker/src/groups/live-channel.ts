/**
 * A Durable Object's live channel: hibernatable WebSockets it accepted, and the order of what it
 * tells them. Every event carries the next sequence number of the object (a generation group,
 * or a reference batch), starting with the snapshot each socket gets on connecting.
 */
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
