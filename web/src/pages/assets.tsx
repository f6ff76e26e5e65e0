import { createEffect, createSignal, For, on, Show } from "solid-js";
import { messageOf } from "../api.ts";
import {
  type Asset,
  type AssetKind,
  type AssetPage,
  deleteAsset,
  formatBytes,
  listAssets,
} from "../assets.ts";
import { AssetCard } from "../components/asset-card.tsx";
import { AssetUpload } from "../components/asset-upload.tsx";
import { ConfirmDialog } from "../components/confirm-dialog.tsx";
import { ErrorPanel } from "../components/error-panel.tsx";
import { usePageTitle } from "../page-title.ts";

const FILTERS: { value: AssetKind | null; label: string }[] = [
  { value: null, label: "All" },
  { value: "image", label: "Images" },
  { value: "audio", label: "Audio" },
  { value: "video", label: "Video" },
];

type Usage = Pick<AssetPage, "total_bytes" | "count" | "quota">;

/** "12.3 MB of 500 MB · 7 of 100 assets". */
export function quotaText(u: Usage): string {
  return `${formatBytes(u.total_bytes)} of ${formatBytes(u.quota.max_bytes)} · ${u.count} of ${u.quota.max_count} assets`;
}

/**
 * `/assets`: my own media (product photos, logos, music, clips): upload with progress, a grid
 * filtered by kind with "Load more", the storage used, and delete with confirmation.
 */
export function AssetsPage() {
  usePageTitle(() => "Assets");
  const [kind, setKind] = createSignal<AssetKind | null>(null);
  const [items, setItems] = createSignal<Asset[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [usage, setUsage] = createSignal<Usage | null>(null);
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);
  const [moreError, setMoreError] = createSignal<unknown>(null);
  const [toDelete, setToDelete] = createSignal<Asset | null>(null);
  let request = 0;

  const load = async (append: boolean) => {
    const mine = ++request;
    setLoading(true);
    if (append) setMoreError(null);
    else setError(null);
    try {
      const page = await listAssets({ kind: kind(), cursor: append ? cursor() : null });
      if (mine !== request) return;
      setItems(
        append
          ? [...items(), ...page.assets.filter((a) => !items().some((b) => b.id === a.id))]
          : page.assets,
      );
      setCursor(page.next_cursor);
      setUsage({ total_bytes: page.total_bytes, count: page.count, quota: page.quota });
    } catch (err) {
      if (mine !== request) return;
      if (append) setMoreError(err);
      else setError(err);
    } finally {
      if (mine === request) setLoading(false);
    }
  };

  createEffect(on(kind, () => void load(false)));

  const uploaded = (asset: Asset, created: boolean) => {
    const shown = kind() === null || kind() === asset.kind;
    if (shown && !items().some((a) => a.id === asset.id)) setItems([asset, ...items()]);
    const u = usage();
    if (u && created) setUsage({ ...u, total_bytes: u.total_bytes + asset.size_bytes, count: u.count + 1 });
  };

  const remove = async () => {
    const asset = toDelete();
    if (!asset) return;
    await deleteAsset(asset.id);
    setItems(items().filter((a) => a.id !== asset.id));
    const u = usage();
    if (u)
      setUsage({
        ...u,
        total_bytes: Math.max(0, u.total_bytes - asset.size_bytes),
        count: Math.max(0, u.count - 1),
      });
  };

  return (
    <div class="container">
      <header class="page-head row between wrap">
        <div>
          <h1>Assets</h1>
          <p class="muted">Your product photos, logos, music and clips, ready to use in an ad.</p>
        </div>
        <Show when={usage()}>
          {(u) => (
            <p class="asset-quota muted tabular" data-testid="asset-quota">
              {quotaText(u())}
            </p>
          )}
        </Show>
      </header>
      <AssetUpload onUploaded={(asset, r) => uploaded(asset, r.created)} />
      <fieldset class="filters">
        <legend class="sr-only">Filter by kind</legend>
        <For each={FILTERS}>
          {(f) => (
            <button
              type="button"
              class="chip"
              aria-pressed={kind() === f.value}
              onClick={() => setKind(f.value)}
            >
              {f.label}
            </button>
          )}
        </For>
      </fieldset>
      <Show
        when={!error()}
        fallback={
          <ErrorPanel title="Could not load your assets" error={error()} onRetry={() => void load(false)} />
        }
      >
        <Show
          when={items().length > 0 || loading()}
          fallback={
            <p class="empty muted" data-testid="assets-empty">
              {kind() === null
                ? "No assets yet. Upload a product photo, a logo or a track."
                : "Nothing of this kind yet."}
            </p>
          }
        >
          <ul class="asset-grid" aria-label="Your assets" aria-busy={loading()}>
            <For each={items()}>{(asset) => <AssetCard asset={asset} onDelete={setToDelete} />}</For>
          </ul>
        </Show>
        <Show when={moreError()}>
          <p class="field-error" role="alert">
            {messageOf(moreError())}
          </p>
        </Show>
        <Show when={cursor()}>
          <div class="load-more">
            <button type="button" class="btn btn-ghost" disabled={loading()} onClick={() => void load(true)}>
              {loading() ? "Loading…" : "Load more"}
            </button>
          </div>
        </Show>
      </Show>
      <ConfirmDialog
        open={toDelete() !== null}
        title="Delete this asset?"
        confirmLabel="Delete"
        busyLabel="Deleting…"
        onConfirm={remove}
        onClose={() => setToDelete(null)}
      >
        <p>
          “{toDelete()?.name}” will be removed from your assets. Ads already made with it keep their own copy.
        </p>
      </ConfirmDialog>
    </div>
  );
}
