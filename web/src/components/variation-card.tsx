import { A } from "@solidjs/router";
import { createSignal, Index, Match, onCleanup, Show, Switch } from "solid-js";
import type { GenerationView } from "../api.ts";
import { fieldRows } from "../compare.ts";
import { formatCost, isCancelled } from "../format.ts";
import { createStableUrl, releaseOnCleanup } from "../media-url.ts";
import { normalizeSettings } from "../settings.ts";
import type { SyncMedia } from "../sync-player.ts";
import { StatusBadge } from "./status-badge.tsx";

/**
 * One variation in the comparison grid: its video (or live progress while it runs), every
 * prompt and setting with the ones that differ from the other variations highlighted, cost and
 * generation time, and its actions (winner, open, delete).
 */
export function VariationCard(props: {
  variation: GenerationView;
  differing: readonly string[];
  winner: boolean;
  /** Registers the card's video with the page's sync player; returns its removal. */
  register: (video: HTMLVideoElement) => () => void;
  /** The video heard while all play together (undefined when they are not playing together). */
  listening: SyncMedia | undefined;
  onListen: (video: SyncMedia) => void;
  onWinner: () => void;
  onDelete: () => void;
}) {
  const v = () => props.variation;
  const settings = () => normalizeSettings(v().settings);
  const video = createStableUrl(() => v().video_url);
  const poster = createStableUrl(() => v().thumbnail_url);
  const [element, setElement] = createSignal<HTMLVideoElement>();
  const audible = () => !!props.listening && props.listening === element();
  const label = () => v().label ?? "Variation";

  return (
    <article
      class="card variation-card"
      data-testid="variation-card"
      data-status={v().status}
      data-winner={props.winner || undefined}
      data-generation={v().generation_id}
      aria-label={label()}
    >
      <header class="variation-head">
        <h2 class="variation-title">{label()}</h2>
        <Show when={props.winner}>
          <span class="winner-badge" data-testid="winner-badge">
            <span aria-hidden="true">★ </span>Winner
          </span>
        </Show>
        <StatusBadge generation={v()} />
      </header>

      <div class="stage" data-aspect={settings().aspect_ratio}>
        <Switch>
          <Match when={v().status === "completed" && video()}>
            {(src) => (
              // biome-ignore lint/a11y/useMediaCaption: the ad's text is burned into the video; there is no caption track to offer yet
              <video
                ref={(el) => {
                  setElement(el);
                  releaseOnCleanup(el);
                  const remove = props.register(el);
                  onCleanup(remove);
                }}
                class="stage-video"
                src={src()}
                poster={poster() ?? undefined}
                controls
                playsinline
                preload="auto"
                aria-label={`${label()} video`}
              />
            )}
          </Match>
          <Match when={v().status === "pending" || v().status === "processing"}>
            <div class="stage-placeholder variation-progress" data-status={v().status}>
              <div
                class="progress-track"
                role="progressbar"
                aria-label={`${label()} progress`}
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow={v().progress}
              >
                <div class="progress-fill" style={{ transform: `scaleX(${v().progress / 100})` }} />
              </div>
              <span class="stage-label tabular">
                {v().progress}% · {v().current_step ?? "Waiting to start"}
              </span>
            </div>
          </Match>
          <Match when={true}>
            <div class="stage-placeholder" data-status={v().status}>
              <span class="stage-label">
                {isCancelled(v()) ? "Cancelled" : (v().error ?? "No video was made")}
              </span>
            </div>
          </Match>
        </Switch>
      </div>

      <dl class="variation-meta">
        {/* Index: rows stay in place while live updates re-derive them. */}
        <Index each={fieldRows(v())}>
          {(row) => {
            const differs = () => props.differing.includes(row().field);
            return (
              <div class="meta-row" classList={{ differs: differs() }} data-field={row().field}>
                <dt>
                  {row().label}
                  <Show when={differs()}>
                    <span class="sr-only"> (differs)</span>
                  </Show>
                </dt>
                <dd>{row().value}</dd>
              </div>
            );
          }}
        </Index>
        <div class="meta-row">
          <dt>Cost</dt>
          <dd class="tabular" data-testid="variation-cost">
            {formatCost(v().cost)}
          </dd>
        </div>
        <div class="meta-row">
          <dt>Time</dt>
          <dd class="tabular" data-testid="variation-time">
            {v().generation_time_s === null ? "—" : `${v().generation_time_s} s`}
          </dd>
        </div>
      </dl>

      <footer class="variation-actions">
        <button
          type="button"
          class="btn"
          classList={{ "btn-primary": props.winner, "btn-ghost": !props.winner }}
          aria-pressed={props.winner}
          disabled={v().status !== "completed"}
          onClick={() => props.onWinner()}
        >
          {props.winner ? "★ Winner" : "Mark as winner"}
        </button>
        <Show when={v().status === "completed"}>
          <button
            type="button"
            class="btn btn-ghost"
            aria-pressed={audible()}
            title="Whose sound plays when all play together"
            onClick={() => {
              const el = element();
              if (el) props.onListen(el);
            }}
          >
            {audible() ? "🔊 Listening" : "Listen"}
          </button>
        </Show>
        <A href={`/generations/${v().generation_id}`} class="btn btn-ghost">
          Open
        </A>
        <button
          type="button"
          class="btn btn-ghost"
          aria-label={`Delete ${label()}`}
          onClick={() => props.onDelete()}
        >
          Delete
        </button>
      </footer>
    </article>
  );
}
