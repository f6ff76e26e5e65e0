import { A } from "@solidjs/router";
import { createSignal, For, type JSX, onMount, Show } from "solid-js";
import { messageOf } from "../api.ts";
import { ACCEPT_IMAGES, type Asset, getAsset, listAssets } from "../assets.ts";
import type { GenerationSettings } from "../settings.ts";
import { AssetThumb } from "./asset-thumb.tsx";
import { AssetUpload } from "./asset-upload.tsx";
import { ReferenceGenerator } from "./reference-generator.tsx";

/** The settings an asset picker fills. */
export type Slot = "reference_image" | "logo" | "music";
/** The pickers' values: an asset id per slot, or null. */
export type PickerValues = Pick<GenerationSettings, Slot>;

const SLOTS: { key: Slot; title: string; help: string; kinds: Asset["kind"][]; accept: string }[] = [
  {
    key: "reference_image",
    title: "Product or character",
    help: "Shown in every scene, so the ad features the real thing.",
    kinds: ["image", "reference"],
    accept: ACCEPT_IMAGES,
  },
  {
    key: "logo",
    title: "Logo",
    help: "On the end card and in a corner of every scene.",
    kinds: ["image"],
    accept: ACCEPT_IMAGES,
  },
  {
    key: "music",
    title: "Music",
    help: "Your own track, instead of the library music chosen in Settings.",
    kinds: ["audio"],
    accept: "audio/*",
  },
];

/**
 * The dashboard's three asset pickers (settings.reference_image, logo, music): one read of my
 * assets feeds all three; each can upload a new file on the spot, and the product or character
 * can also be drawn from a description. `slots` narrows them (the stitch page has logo and
 * music), `help` rewords a slot's help line.
 */
export function AssetPickers<T extends PickerValues>(props: {
  settings: T;
  onChange: (next: T) => void;
  errors?: Record<string, string | undefined>;
  slots?: Slot[];
  help?: Partial<Record<Slot, string>>;
}) {
  const slots = () => SLOTS.filter((s) => !props.slots || props.slots.includes(s.key));
  const [assets, setAssets] = createSignal<Asset[]>([]);
  const [loaded, setLoaded] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);

  onMount(async () => {
    try {
      const page = await listAssets({ limit: 100 });
      setAssets(page.assets);
      // A draft may hold an asset beyond the first page: fetch it so its name shows.
      for (const slot of slots()) {
        const id = props.settings[slot.key];
        if (id && !page.assets.some((a) => a.id === id)) {
          getAsset(id).then(
            (a) => add(a),
            () => props.onChange({ ...props.settings, [slot.key]: null }),
          );
        }
      }
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setLoaded(true);
    }
  });

  const add = (asset: Asset) => {
    if (!assets().some((a) => a.id === asset.id)) setAssets([asset, ...assets()]);
  };

  return (
    <section class="asset-pickers" aria-label="Your assets">
      <Show when={error()}>{(m) => <p class="field-help">Your assets could not be loaded: {m()}</p>}</Show>
      <For each={slots()}>
        {(slot) => {
          const choose = (asset: Asset) => {
            add(asset);
            props.onChange({ ...props.settings, [slot.key]: asset.id });
          };
          return (
            <AssetPicker
              slot={slot}
              help={props.help?.[slot.key]}
              assets={assets().filter((a) => slot.kinds.includes(a.kind))}
              loaded={loaded()}
              chosen={props.settings[slot.key]}
              error={props.errors?.[slot.key]}
              onChoose={(id) => props.onChange({ ...props.settings, [slot.key]: id })}
              onUploaded={choose}
            >
              <Show when={slot.key === "reference_image"}>
                <ReferenceGenerator chosen={props.settings[slot.key]} onChoose={choose} />
              </Show>
            </AssetPicker>
          );
        }}
      </For>
    </section>
  );
}

function AssetPicker(props: {
  slot: (typeof SLOTS)[number];
  help?: string;
  assets: Asset[];
  loaded: boolean;
  chosen: string | null;
  error?: string;
  onChoose: (id: string | null) => void;
  onUploaded: (asset: Asset) => void;
  /** More ways to fill the slot, after the upload button. */
  children?: JSX.Element;
}) {
  const chosen = () => props.assets.find((a) => a.id === props.chosen) ?? null;
  const helpId = () => `picker-${props.slot.key}-help`;
  return (
    <fieldset class="asset-picker" aria-describedby={helpId()} data-slot={props.slot.key}>
      <legend class="field-label">{props.slot.title}</legend>
      <p id={helpId()} class="field-help" classList={{ "field-error": !!props.error }}>
        {props.error ?? props.help ?? props.slot.help}
      </p>
      <Show when={props.chosen}>
        <div class="picker-chosen" data-testid={`chosen-${props.slot.key}`}>
          <Show when={chosen()} fallback={<span class="muted small">Loading your choice…</span>}>
            {(a) => (
              <>
                <AssetThumb asset={a()} />
                <span class="asset-name">{a().name}</span>
              </>
            )}
          </Show>
          <button
            type="button"
            class="btn btn-ghost btn-sm"
            aria-label={`Remove ${props.slot.title.toLowerCase()}`}
            onClick={() => props.onChoose(null)}
          >
            Remove
          </button>
        </div>
      </Show>
      <Show
        when={props.assets.length > 0}
        fallback={
          <Show when={props.loaded}>
            <p class="muted small">
              Nothing uploaded yet. Upload one here or on <A href="/assets">Assets</A>.
            </p>
          </Show>
        }
      >
        <ul class="picker-options">
          <For each={props.assets}>
            {(a) => (
              <li>
                <button
                  type="button"
                  class="picker-option"
                  aria-label={`Choose ${a.name}`}
                  aria-pressed={a.id === props.chosen}
                  title={a.name}
                  onClick={() => props.onChoose(a.id)}
                >
                  <AssetThumb asset={a} />
                  <span class="picker-option-name">{a.name}</span>
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <AssetUpload
        compact
        single
        id={`picker-${props.slot.key}-upload`}
        accept={props.slot.accept}
        label={props.slot.key === "music" ? "Upload a track" : "Upload an image"}
        onUploaded={(asset) => props.onUploaded(asset)}
      />
      {props.children}
    </fieldset>
  );
}
