import type { Asset } from "../assets.ts";
import { formatBytes } from "../assets.ts";
import { AssetThumb } from "./asset-thumb.tsx";

const KIND_LABELS: Record<Asset["kind"], string> = {
  image: "Image",
  audio: "Audio",
  video: "Video",
  reference: "Reference",
};

/** One asset in the grid: preview, name, kind and size, and Delete. */
export function AssetCard(props: { asset: Asset; onDelete: (asset: Asset) => void }) {
  return (
    <li class="asset-card" data-testid="asset-card">
      <AssetThumb asset={props.asset} />
      <div class="asset-meta">
        <span class="asset-name" title={props.asset.name}>
          {props.asset.name}
        </span>
        <span class="muted small">
          {KIND_LABELS[props.asset.kind]} · {formatBytes(props.asset.size_bytes)}
          {props.asset.width && props.asset.height ? ` · ${props.asset.width}×${props.asset.height}` : ""}
        </span>
      </div>
      <button
        type="button"
        class="btn btn-ghost btn-sm asset-delete"
        aria-label={`Delete ${props.asset.name}`}
        onClick={() => props.onDelete(props.asset)}
      >
        Delete
      </button>
    </li>
  );
}
