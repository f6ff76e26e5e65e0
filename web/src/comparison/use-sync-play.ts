/**
 * "Play all in sync" as signals for the toolbar: one {@link SyncPlayer} for the page's finished
 * videos, its time and length for the scrubber, and whose sound is heard.
 */
import { createEffect, createSignal, onCleanup } from "solid-js";
import { type SyncMedia, SyncPlayer } from "../sync-player.ts";

export function useSyncPlay() {
  const player = new SyncPlayer();
  onCleanup(() => player.dispose());
  const [playing, setPlaying] = createSignal(false);
  const [time, setTime] = createSignal(0);
  const [duration, setDuration] = createSignal(0);
  const [members, setMembers] = createSignal(0);
  const [audible, setAudible] = createSignal<SyncMedia | undefined>();
  // While they play, the scrubber and the button follow the player (the leader can end, or be
  // paused from its own controls); nothing ticks while they are still.
  createEffect(() => {
    if (!playing()) return;
    const clock = setInterval(() => {
      setTime(player.time);
      setPlaying(player.playing);
    }, 100);
    onCleanup(() => clearInterval(clock));
  });

  /** Adds a card's video to the player; returns its removal. */
  const register = (video: HTMLVideoElement) => {
    const remove = player.add(video);
    const lengthKnown = () => setDuration(player.duration);
    video.addEventListener("durationchange", lengthKnown);
    setMembers(player.size);
    lengthKnown();
    return () => {
      video.removeEventListener("durationchange", lengthKnown);
      remove();
      setMembers(player.size);
      lengthKnown();
    };
  };
  const toggle = () => {
    if (player.playing) player.pause();
    else player.play();
    setPlaying(player.playing);
    setAudible(() => player.listening);
  };
  const scrub = (t: number) => {
    player.seek(t);
    setTime(t);
  };
  const listen = (video: SyncMedia) => {
    player.listenTo(video);
    setAudible(() => video);
  };
  /** The video heard while all play together (undefined when they are not playing together). */
  const listening = () => (playing() ? audible() : undefined);

  return { playing, time, duration, members, register, toggle, scrub, listen, listening };
}

/** The sync controls a toolbar draws. */
export type SyncPlay = ReturnType<typeof useSyncPlay>;
