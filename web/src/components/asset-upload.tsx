import { type Accessor, createSignal, For, type Setter, Show } from "solid-js";
import { messageOf } from "../api.ts";
import { ACCEPT, type Asset, type UploadResult, uploadAsset, uploadProblem } from "../assets.ts";

/** One file on its way: its progress and error are signals, so a progress event redraws only the bar. */
interface UploadRow {
  key: number;
  name: string;
  progress: Accessor<number>;
  setProgress: Setter<number>;
  error: Accessor<string | null>;
  setError: Setter<string | null>;
}

let nextKey = 1;

/**
 * Drop zone and file picker: each file is checked here (empty, > 50 MB), then uploaded on its
 * own with a progress bar; a finished one is handed to `onUploaded` and leaves the list, a
 * refused one stays with the server's reason until dismissed.
 */
export function AssetUpload(props: {
  onUploaded: (asset: Asset, result: UploadResult) => void;
  /** The picker's `accept`; every supported type by default. */
  accept?: string;
  /** The picker's visible label. */
  label?: string;
  /** One file at a time (the dashboard's pickers). */
  single?: boolean;
  /** A compact button instead of the drop zone. */
  compact?: boolean;
  /** The drop zone's title and the line under it (what it takes). */
  title?: string;
  hint?: string;
  id?: string;
}) {
  const [rows, setRows] = createSignal<UploadRow[]>([]);
  const [over, setOver] = createSignal(false);
  const inputId = () => props.id ?? "asset-upload-input";
  const remove = (key: number) => setRows((rs) => rs.filter((r) => r.key !== key));

  const start = (files: File[]) => {
    for (const file of props.single ? files.slice(0, 1) : files) {
      const key = nextKey++;
      const problem = uploadProblem(file);
      const [progress, setProgress] = createSignal(0);
      const [error, setError] = createSignal<string | null>(problem);
      setRows((rs) => [...rs, { key, name: file.name, progress, setProgress, error, setError }]);
      if (problem) continue;
      uploadAsset(file, (fraction) => setProgress(Math.round(fraction * 100))).then(
        (result) => {
          remove(key);
          props.onUploaded(result.asset, result);
        },
        (err) => setError(messageOf(err)),
      );
    }
  };

  /** The file picker: a labelled button over a hidden input, the keyboard and screen-reader path. */
  const FileButton = (button: { class: string }) => (
    <label class={button.class}>
      {props.label ?? "Upload files"}
      <input
        id={inputId()}
        type="file"
        class="sr-only"
        accept={props.accept ?? ACCEPT}
        multiple={!props.single}
        onChange={(e) => {
          start([...(e.currentTarget.files ?? [])]);
          e.currentTarget.value = "";
        }}
      />
    </label>
  );

  return (
    <div class="asset-upload">
      <Show when={!props.compact} fallback={<FileButton class="btn btn-ghost btn-sm file-button" />}>
        {/* biome-ignore lint/a11y/noStaticElementInteractions: dropping is a pointer shortcut; the file input inside is the keyboard and screen-reader path */}
        <div
          class="drop-zone"
          classList={{ "drop-over": over() }}
          data-testid="drop-zone"
          onDragEnter={(e) => {
            e.preventDefault();
            setOver(true);
          }}
          onDragOver={(e) => {
            e.preventDefault();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={(e) => {
            e.preventDefault();
            setOver(false);
            start([...(e.dataTransfer?.files ?? [])]);
          }}
        >
          <p class="drop-title">{props.title ?? "Drop product photos, logos, music or clips here"}</p>
          <p class="muted small">
            {props.hint ?? "PNG, JPEG, WebP, audio, MP4, MOV or WebM · up to 50 MB each"}
          </p>
          <FileButton class="btn btn-primary file-button" />
        </div>
      </Show>
      <Show when={rows().length > 0}>
        <ul class="upload-list">
          <For each={rows()}>
            {(row) => (
              <li class="upload-row" classList={{ "upload-failed": !!row.error() }}>
                <span class="upload-name">{row.name}</span>
                <Show
                  when={row.error()}
                  fallback={
                    <div
                      class="progress-track"
                      role="progressbar"
                      aria-label={`Uploading ${row.name}`}
                      aria-valuemin="0"
                      aria-valuemax="100"
                      aria-valuenow={row.progress()}
                    >
                      <div class="progress-fill" style={{ width: `${row.progress()}%` }} />
                    </div>
                  }
                >
                  {(message) => (
                    <>
                      <p class="field-error" role="alert">
                        {row.name}: {message()}
                      </p>
                      <button
                        type="button"
                        class="btn btn-ghost btn-sm"
                        aria-label={`Dismiss ${row.name}`}
                        onClick={() => remove(row.key)}
                      >
                        Dismiss
                      </button>
                    </>
                  )}
                </Show>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </div>
  );
}
