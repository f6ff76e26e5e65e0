import { afterEach, describe, expect, test, vi } from "vitest";
import { SYNC, type SyncMedia, SyncPlayer, steeringRate } from "../src/sync-player.ts";

/** A media element's clock without a browser: time only moves when the test says so. */
class FakeMedia implements SyncMedia {
  currentTime = 0;
  paused = true;
  playbackRate = 1;
  muted = false;
  /** HAVE_ENOUGH_DATA unless a test says otherwise. */
  readyState = 4;
  seeking = false;
  readonly duration: number;
  constructor(duration: number) {
    this.duration = duration;
  }
  play(): Promise<void> {
    this.paused = false;
    return Promise.resolve();
  }
  pause(): void {
    this.paused = true;
  }
  get ended(): boolean {
    return this.currentTime >= this.duration;
  }
  /** Advances this video's clock by `s` seconds of wall time at its rate. */
  run(s: number): void {
    if (!this.paused) this.currentTime = Math.min(this.duration, this.currentTime + s * this.playbackRate);
    if (this.currentTime >= this.duration) this.paused = true;
  }
}

/** A player over fake videos of these lengths, added in order (the first leads). */
function playerOf<D extends number[]>(
  ...durations: D
): { player: SyncPlayer; media: { [K in keyof D]: FakeMedia } } {
  const player = new SyncPlayer();
  const media = durations.map((d) => new FakeMedia(d)) as { [K in keyof D]: FakeMedia };
  for (const m of media) player.add(m);
  return { player, media };
}

afterEach(() => vi.useRealTimers());

describe("steeringRate", () => {
  test("1 inside the dead band, slower when ahead, faster when behind, capped", () => {
    expect(steeringRate(0.005)).toBe(1);
    expect(steeringRate(0.04)).toBeCloseTo(1 - 0.04 * SYNC.gain);
    expect(steeringRate(-0.04)).toBeCloseTo(1 + 0.04 * SYNC.gain);
    expect(steeringRate(0.25)).toBe(1 - SYNC.max_nudge);
    expect(steeringRate(-0.25)).toBe(1 + SYNC.max_nudge);
  });
});

describe("SyncPlayer", () => {
  test("play starts all from the leader's position, with only one soundtrack", async () => {
    const {
      player,
      media: [a, b, c],
    } = playerOf(15.5, 15.5, 15.5);
    a.currentTime = 4.2;
    b.currentTime = 9;
    player.listenTo(b);
    player.play();
    expect([a, b, c].map((m) => m.currentTime)).toEqual([4.2, 4.2, 4.2]);
    expect([a, b, c].map((m) => m.paused)).toEqual([false, false, false]);
    expect([a, b, c].map((m) => m.muted)).toEqual([true, false, true]);
    player.dispose();
  });

  test("steering pulls a drifting follower back within a frame without seeking", async () => {
    vi.useFakeTimers();
    const {
      player,
      media: [leader, follower],
    } = playerOf(15.5, 15.5);
    player.play();
    // The follower started 80 ms late (a slow decoder): about two frames at 24 fps.
    follower.currentTime = -0.08 + leader.currentTime;
    const seeks: number[] = [];
    for (let step = 0; step < 40; step++) {
      leader.run(SYNC.tick_ms / 1000);
      follower.run(SYNC.tick_ms / 1000);
      const before = follower.currentTime;
      vi.advanceTimersByTime(SYNC.tick_ms);
      if (follower.currentTime !== before) seeks.push(step);
    }
    expect(seeks).toEqual([]);
    expect(Math.abs(follower.currentTime - leader.currentTime)).toBeLessThan(1 / 24);
    expect(player.spread()).toBeLessThan(SYNC.deadband_s * 2);
    player.dispose();
  });

  test("a follower far off is seeked onto the leader", async () => {
    const {
      player,
      media: [leader, follower],
    } = playerOf(15.5, 15.5);
    player.play();
    leader.currentTime = 6;
    follower.currentTime = 5;
    follower.playbackRate = 1.2; // left from earlier nudging: the seek must reset it
    player.steer();
    expect(follower.currentTime).toBe(6);
    expect(follower.playbackRate).toBe(1);
    player.dispose();
  });

  test("pause lines everyone up on the leader's frame; seek moves all, clamped to each length", async () => {
    const {
      player,
      media: [long, short],
    } = playerOf(30, 15);
    player.play();
    long.currentTime = 7.5;
    short.currentTime = 7.47;
    short.playbackRate = 1.06;
    player.pause();
    expect(player.playing).toBe(false);
    expect([long.paused, short.paused]).toEqual([true, true]);
    expect([long.currentTime, short.currentTime]).toEqual([7.5, 7.5]);
    expect(short.playbackRate).toBe(1);
    player.seek(20);
    expect([long.currentTime, short.currentTime]).toEqual([20, 15]);
    expect(player.duration).toBe(30);
  });

  test("when the leader ends, everything stops; play again starts from the top", async () => {
    const {
      player,
      media: [a, b],
    } = playerOf(2, 2);
    player.play();
    a.run(3);
    b.run(1.9);
    player.steer();
    expect(player.playing).toBe(false);
    expect([a.paused, b.paused]).toEqual([true, true]);
    expect(b.currentTime).toBe(2);
    player.play();
    expect([a.currentTime, b.currentTime]).toEqual([0, 0]);
    player.dispose();
  });

  test("nobody starts or runs on while one is still loading; then all go in the same step", () => {
    vi.useFakeTimers();
    const {
      player,
      media: [a, b, c],
    } = playerOf(15.5, 15.5, 15.5);
    b.readyState = 1; // metadata only
    player.play();
    expect([a, b, c].map((m) => m.paused)).toEqual([true, true, true]);
    vi.advanceTimersByTime(SYNC.tick_ms * 4);
    expect([a, b, c].map((m) => m.paused)).toEqual([true, true, true]);
    b.readyState = 4;
    vi.advanceTimersByTime(SYNC.tick_ms);
    expect([a, b, c].map((m) => m.paused)).toEqual([false, false, false]);

    // Mid-play, one runs out of data: everyone holds on the leader's frame, then resumes together.
    a.run(1);
    b.run(0.9);
    c.run(1);
    c.readyState = 2;
    vi.advanceTimersByTime(SYNC.tick_ms);
    expect([a, b, c].map((m) => m.paused)).toEqual([true, true, true]);
    expect([a, b, c].map((m) => m.currentTime)).toEqual([1, 1, 1]);
    expect(player.playing).toBe(true);
    c.readyState = 4;
    vi.advanceTimersByTime(SYNC.tick_ms);
    expect([a, b, c].map((m) => m.paused)).toEqual([false, false, false]);
    player.pause();
    expect(player.playing).toBe(false);
  });

  test("removing a video takes it out of the group", async () => {
    const a = new FakeMedia(15);
    const b = new FakeMedia(15);
    const player = new SyncPlayer();
    player.add(a);
    const removeB = player.add(b);
    removeB();
    expect(player.size).toBe(1);
    b.currentTime = 3;
    player.play();
    expect(b.currentTime).toBe(3);
    expect(b.paused).toBe(true);
    player.dispose();
  });
});
