import { createSignal, For, onMount, Show } from "solid-js";
import { messageOf } from "../api.ts";
import { ACCEPT_VIDEOS, type Asset, listAssets } from "../assets.ts";
import { seconds } from "../stitch.ts";
import { AssetThumb } from "./asset-thumb.tsx";
import { AssetUpload } from "./asset-upload.tsx";

/**
 * The stitch page's clip library: my video assets (`GET /api/assets?kind=video`, newest first,
 * "Load more" for the next page), an upload for more, and "Add" per clip. A clip already in the
 * stitch, or any clip once the stitch is full, cannot be added.
 */
export function StitchLibrary(props: { added: string[]; full: boolean; onAdd: (asset: Asset) => void }) {
  const [items, setItems] = createSignal<Asset[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [loading, setLoading] = createSignal(false);
  const [loaded, setLoaded] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);

  const load = async (append: boolean) => {
    setLoading(true);
    setError(null);
    try {
      const page = await listAssets({ kind: "video", cursor: append ? cursor() : null });
      const known = new Set(items().map((a) => a.id));
      setItems(append ? [...items(), ...page.assets.filter((a) => !known.has(a.id))] : page.assets);
      setCursor(page.next_cursor);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
      setLoaded(true);
    }
  };
  onMount(() => void load(false));

  const uploaded = (asset: Asset) => {
    if (asset.kind === "video" && !items().some((a) => a.id === asset.id)) setItems([asset, ...items()]);
  };

  return (
    <section class="card stitch-panel" aria-labelledby="stitch-library-title">
      <h2 id="stitch-library-title" class="section-title">
        Your clips
      </h2>
      <AssetUpload
        id="stitch-upload"
        accept={ACCEPT_VIDEOS}
        label="Upload clips"
        title="Drop video clips here"
        hint="MP4, MOV or WebM · up to 50 MB each"
        onUploaded={uploaded}
      />
      <Show when={error()}>
        <p class="field-error" role="alert">
          Your clips could not be loaded: {messageOf(error())}{" "}
          <button type="button" class="btn btn-ghost btn-sm" onClick={() => void load(items().length > 0)}>
            Try again
          </button>
        </p>
      </Show>
      <Show
        when={items().length > 0}
        fallback={
          <Show when={loaded() && !error()}>
            <p class="muted small" data-testid="stitch-library-empty">
              No clips yet. Upload a few above; they stay in your Assets.
            </p>
          </Show>
        }
      >
        <ul class="stitch-library" aria-label="Your video clips" aria-busy={loading()}>
          <For each={items()}>
            {(asset) => {
              const added = () => props.added.includes(asset.id);
              return (
                <li class="stitch-clip" data-testid="stitch-clip">
                  <AssetThumb asset={asset} />
                  <div class="stitch-clip-meta">
                    <span class="asset-name" title={asset.name}>
                      {asset.name}
                    </span>
                    <span class="muted small tabular">
                      {asset.duration_s === null ? "length unknown" : seconds(asset.duration_s)}
                    </span>
                  </div>
                  <button
                    type="button"
                    class="btn btn-ghost btn-sm"
                    aria-label={`Add ${asset.name}`}
                    disabled={added() || props.full}
                    onClick={() => props.onAdd(asset)}
                  >
                    {added() ? "Added" : "Add"}
                  </button>
                </li>
              );
            }}
          </For>
        </ul>
      </Show>
      <Show when={cursor()}>
        <div class="load-more">
          <button type="button" class="btn btn-ghost" disabled={loading()} onClick={() => void load(true)}>
            {loading() ? "Loading…" : "Load more clips"}
          </button>
        </div>
      </Show>
    </section>
  );
}
