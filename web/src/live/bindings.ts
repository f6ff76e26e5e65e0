/**
 * The live engine as Solid hooks. A page's data starts as its REST read (the query cache) and
 * the engine writes each newer view into that same value, and back into the cache; nothing
 * keeps a second, merged copy. A subscription lives as long as its owner, and only while
 * something can still change.
 */
import type { GenerationView } from "@promptreel/worker/views";
import {
  type Accessor,
  createComputed,
  createEffect,
  createMemo,
  createSignal,
  on,
  onCleanup,
  untrack,
} from "solid-js";
import { cacheGeneration } from "../api.ts";
import { type FollowOptions, followGeneration, followGroup } from "./follow.ts";
import { isCurrent, isNewerAnswer, isTerminal } from "./reconcile.ts";

/**
 * One generation's view: `initial` (the page's read) until the live engine has something
 * newer. Only an unfinished generation is followed (a finished one's read already has
 * everything): the view shown decides, so a finished ad reopened for editing is followed again;
 * a re-read of `initial` replaces the view but does not restart the subscription.
 * `answer` takes the view a request answered with (a storyboard edit, an approval, a draft
 * opened) when it is newer than the one shown; the socket carries the same change, whichever
 * arrives first.
 */
export function createLiveGeneration(initial: Accessor<GenerationView | undefined>): {
  view: Accessor<GenerationView | undefined>;
  error: Accessor<unknown>;
  answer: (view: GenerationView) => void;
} {
  const [view, setView] = createSignal<GenerationView>();
  const [error, setError] = createSignal<unknown>();
  createComputed(on(initial, (read) => setView(read)));
  const show = (next: GenerationView) => {
    setView(next);
    cacheGeneration(next);
  };
  // Keyed on the ids, so a re-read of `initial` (or any newer view) does not restart the subscription.
  const key = createMemo(() => {
    const shown = view();
    return shown && !isTerminal(shown.status) ? `${shown.generation_id}\n${shown.group_id}` : "";
  });
  createEffect(
    on(key, (k) => {
      setError(undefined);
      const shown = untrack(view);
      if (!k || !shown) return;
      const stop = followGeneration(
        { generationId: shown.generation_id, groupId: shown.group_id },
        {
          onView: (next) => {
            setError(undefined);
            if (isCurrent(untrack(view), next)) show(next);
          },
          onError: setError,
        },
        { initial: [shown] },
      );
      // Deferred: when the follower's own view finishes the generation, it stops itself first
      // (closing its socket as "finished"); otherwise (an answer, another id) this stops it.
      onCleanup(() => queueMicrotask(stop));
    }),
  );
  const answer = (next: GenerationView) => {
    if (isNewerAnswer(untrack(view), next)) show(next);
  };
  return { view, error, answer };
}

/**
 * Follows group `groupId` while `running()` holds, handing every changed view to `onView`;
 * the page writes it into its own store. Made again only when `running` flips, not on every
 * update.
 */
export function createLiveGroup(
  groupId: string,
  running: Accessor<boolean>,
  onView: (view: GenerationView) => void,
  options: FollowOptions,
): void {
  createEffect(
    on(running, (yes) => {
      if (yes) onCleanup(followGroup(groupId, { onView }, options));
    }),
  );
}
