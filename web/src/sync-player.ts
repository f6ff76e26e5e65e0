/**
 * Plays several videos as one: a single control starts, pauses and scrubs them all, and while
 * they play the followers are steered onto the leader's clock. Small drifts are closed by nudging
 * `playbackRate` (a seek would stall the decoder and drift further); only a large one is seeked.
 * Nobody starts, or runs on, while another is still loading or seeking: everyone waits on the
 * same frame until all of them can play, then they start in the same task.
 */

/** The part of HTMLMediaElement the player drives (tests pass plain objects). */
export interface SyncMedia {
  currentTime: number;
  readonly duration: number;
  readonly paused: boolean;
  playbackRate: number;
  muted: boolean;
  readonly readyState: number;
  readonly seeking: boolean;
  readonly ended: boolean;
  play(): Promise<void>;
  pause(): void;
}

/** Steering: drift at which rates are nudged, at which we seek, and how hard we nudge. */
export const SYNC = {
  /** Below this (seconds) a follower counts as in step and plays at rate 1. */
  deadband_s: 0.01,
  /** Above this a follower is seeked onto the leader instead of nudged. */
  seek_over_s: 0.3,
  /** Rate change per second of drift, and its cap either way. */
  gain: 4,
  max_nudge: 0.2,
  /** How often drift is checked while playing. */
  tick_ms: 50,
};

/** HTMLMediaElement.HAVE_FUTURE_DATA: enough to play on from here. */
const HAVE_FUTURE_DATA = 3;

/** Able to play on from its position now (or finished, which holds nobody up). */
const canPlayOn = (m: SyncMedia) => m.ended || (m.readyState >= HAVE_FUTURE_DATA && !m.seeking);

/** The playback rate that closes `drift` (follower time minus leader time) without a seek. */
export function steeringRate(drift: number): number {
  if (Math.abs(drift) < SYNC.deadband_s) return 1;
  return 1 - Math.max(-SYNC.max_nudge, Math.min(SYNC.max_nudge, drift * SYNC.gain));
}

/** A set of videos played together; the first one added leads. */
export class SyncPlayer {
  private readonly members: SyncMedia[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private audible: SyncMedia | undefined;
  /** Playing as far as the user is concerned (the videos may be held while one loads). */
  playing = false;
  /** Held on one frame until every video can play on. */
  waiting = false;

  /** Adds a video; returns a function that removes it again. */
  add(media: SyncMedia): () => void {
    this.members.push(media);
    return () => {
      const i = this.members.indexOf(media);
      if (i >= 0) this.members.splice(i, 1);
      if (this.audible === media) this.audible = undefined;
      if (!this.members.length) this.stopSteering();
    };
  }

  get size(): number {
    return this.members.length;
  }

  /** The clock everyone follows. */
  get leader(): SyncMedia | undefined {
    return this.members[0];
  }

  /** The longest video's duration (seconds; 0 until one has loaded its metadata). */
  get duration(): number {
    return Math.max(0, ...this.members.map((m) => (Number.isFinite(m.duration) ? m.duration : 0)));
  }

  /** The shared position: the leader's time. */
  get time(): number {
    return this.leader?.currentTime ?? 0;
  }

  /** Whose sound plays while they run together (the others are muted: five soundtracks at once is noise). */
  listenTo(media: SyncMedia | undefined): void {
    this.audible = media;
    if (this.playing) this.applyMute();
  }

  get listening(): SyncMedia | undefined {
    return this.audible ?? this.leader;
  }

  /**
   * Plays every video from the leader's position (from the start if it had ended): they are
   * lined up, and start together as soon as all of them have the data to play.
   */
  play(): void {
    const leader = this.leader;
    if (!leader) return;
    const end = this.duration;
    const from = end > 0 && leader.currentTime >= end - 0.05 ? 0 : leader.currentTime;
    this.seek(from);
    this.applyMute();
    this.playing = true;
    this.waiting = true;
    this.startSteering();
    this.steer();
  }

  /** Pauses every video and lines them all up on the leader's frame. */
  pause(): void {
    this.playing = false;
    this.waiting = false;
    this.stopSteering();
    for (const m of this.members) m.pause();
    this.seek(this.time);
    for (const m of this.members) m.playbackRate = 1;
  }

  /** Moves every video to `t` seconds (a shorter one holds its last frame). */
  seek(t: number): void {
    for (const m of this.members) {
      const end = Number.isFinite(m.duration) && m.duration > 0 ? m.duration : t;
      m.currentTime = Math.max(0, Math.min(t, end));
    }
  }

  /** One steering step (every `tick_ms` while playing). Public for tests. */
  steer(): void {
    const leader = this.leader;
    if (!leader || !this.playing) return;
    if (this.waiting) {
      if (!this.members.every(canPlayOn)) return;
      // Everyone has data: go, all in this one task.
      this.waiting = false;
      for (const m of this.members) {
        m.playbackRate = 1;
        if (!m.ended) m.play().catch(() => undefined);
      }
      return;
    }
    if (leader.ended || leader.paused) {
      // The leader finished (or was paused from its own controls): stop everyone on its frame.
      this.pause();
      return;
    }
    if (!this.members.every(canPlayOn)) {
      // One ran out of data (or is seeking after a scrub): hold everyone on one frame until it can go on.
      for (const m of this.members) m.pause();
      if (this.spread() > SYNC.deadband_s) this.seek(leader.currentTime);
      this.waiting = true;
      return;
    }
    const t = leader.currentTime;
    for (const m of this.members) {
      if (m === leader || m.paused || m.ended) continue;
      const drift = m.currentTime - t;
      if (Math.abs(drift) > SYNC.seek_over_s) {
        m.currentTime = t;
        m.playbackRate = 1;
      } else {
        m.playbackRate = steeringRate(drift);
      }
    }
  }

  /** Largest gap (seconds) between any two videos' positions right now. */
  spread(): number {
    const times = this.members.map((m) => m.currentTime);
    return times.length ? Math.max(...times) - Math.min(...times) : 0;
  }

  /** Stops steering and releases the videos (on unmount). */
  dispose(): void {
    this.stopSteering();
    this.members.length = 0;
  }

  private applyMute(): void {
    const audible = this.listening;
    for (const m of this.members) m.muted = m !== audible;
  }

  private startSteering(): void {
    this.stopSteering();
    this.timer = setInterval(() => this.steer(), SYNC.tick_ms);
  }

  private stopSteering(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
