import { A } from "@solidjs/router";
import { Show } from "solid-js";
import type { GenerationView } from "../api.ts";
import { formatCost, formatDate } from "../format.ts";
import { DURATIONS, normalizeSettings } from "../settings.ts";
import { StatusBadge } from "./status-badge.tsx";

const THUMB_LABELS = {
  pending: "Waiting to start",
  processing: "Generating…",
  storyboard: "Storyboard to review",
  completed: "",
  failed: "No video",
  cancelled: "Cancelled",
} as const;

/**
 * One generation in the library grid: thumbnail (or a placeholder in its aspect ratio),
 * status, prompt, duration, cost and date. The whole card opens it; delete is its own button.
 */
export function LibraryItem(props: { generation: GenerationView; onDelete: (g: GenerationView) => void }) {
  const settings = () => normalizeSettings(props.generation.settings);
  const href = () => `/generations/${props.generation.generation_id}`;
  return (
    <article class="card library-item" data-testid="library-item" data-status={props.generation.status}>
      <A href={href()} class="thumb" tabindex="-1" aria-hidden="true">
        <Show
          when={props.generation.thumbnail_url}
          fallback={
            <div class="thumb-placeholder" data-status={props.generation.status}>
              {/* A play glyph only where there is something to play. */}
              <Show
                when={props.generation.status === "completed"}
                fallback={<span class="thumb-label">{THUMB_LABELS[props.generation.status]}</span>}
              >
                <span class="thumb-glyph" />
              </Show>
            </div>
          }
        >
          {(src) => <img src={src()} alt="" loading="lazy" decoding="async" />}
        </Show>
      </A>
      <div class="library-body">
        <div class="row between">
          <StatusBadge generation={props.generation} />
          <span class="muted small">{settings().aspect_ratio}</span>
        </div>
        <h3 class="library-prompt">
          {/* The prompt is text, never HTML; the link is the card's one tab stop. */}
          <A href={href()} class="stretched-link">
            {props.generation.prompt}
          </A>
        </h3>
        <p class="library-meta muted small tabular">
          <span>{DURATIONS[settings().duration_s]}</span>
          <span aria-hidden="true"> · </span>
          <span>{formatCost(props.generation.cost)}</span>
          <span aria-hidden="true"> · </span>
          <time datetime={new Date(props.generation.created_at).toISOString()}>
            {formatDate(props.generation.created_at)}
          </time>
        </p>
        <Show when={props.generation.label}>
          {(label) => (
            <A href={`/comparisons/${props.generation.group_id}`} class="library-compare small">
              {label()} · Compare variations
            </A>
          )}
        </Show>
      </div>
      <button
        type="button"
        class="icon-btn library-delete"
        aria-label={`Delete “${truncate(props.generation.prompt, 60)}”`}
        onClick={() => props.onDelete(props.generation)}
      >
        <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
          <path
            d="M9 3h6m-9 4h12m-10 0 .7 12.1a1 1 0 0 0 1 .9h4.6a1 1 0 0 0 1-.9L16 7"
            fill="none"
            stroke="currentColor"
            stroke-width="1.8"
            stroke-linecap="round"
            stroke-linejoin="round"
          />
        </svg>
      </button>
    </article>
  );
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
