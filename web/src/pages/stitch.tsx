import { A, useNavigate } from "@solidjs/router";
import { createSignal, For, Show } from "solid-js";
import { ApiError, messageOf, type StitchInput, stitchClips } from "../api.ts";
import type { Asset } from "../assets.ts";
import { AssetPickers } from "../components/asset-picker.tsx";
import { StitchLibrary } from "../components/stitch-library.tsx";
import { StitchList } from "../components/stitch-list.tsx";
import { usePageTitle } from "../page-title.ts";
import { ASPECT_RATIOS, GRADES, MUSIC_MOODS } from "../settings.ts";
import {
  CROSSFADE_S,
  footageSeconds,
  moveItem,
  STITCH_CLIPS,
  seconds,
  stitchBlocked,
  stitchedSeconds,
  stitchRequest,
  TITLE_MAX,
} from "../stitch.ts";

type Aspect = NonNullable<StitchInput["aspect"]>;
type Grade = NonNullable<StitchInput["grade"]>;

const entries = <T extends object>(o: T) => Object.entries(o) as [keyof T & string, string][];
/** The library moods; "auto" has no prompt to match here. */
const MOODS = entries(MUSIC_MOODS).map(([value, label]): [string, string] => [
  value,
  value === "auto" ? "Automatic" : label,
]);

/**
 * `/stitch`, "From my clips": an ad from the user's own video clips, with no AI video. Pick 2-8
 * clips (or upload them here), put them in order (drag, or Move up/down), give each an optional
 * text, choose the title, aspect, grade, music and logo, and Stitch ad: the generation page
 * follows the render like any other ad.
 */
export function StitchPage() {
  usePageTitle(() => "From my clips");
  const navigate = useNavigate();
  const [clips, setClips] = createSignal<Asset[]>([]);
  const [overlays, setOverlays] = createSignal<Record<string, string>>({});
  const [title, setTitle] = createSignal("");
  const [aspect, setAspect] = createSignal<Aspect>("9:16");
  const [grade, setGrade] = createSignal<Grade>("none");
  const [mood, setMood] = createSignal("auto");
  const [media, setMedia] = createSignal({ reference_image: null, logo: null, music: null } as {
    reference_image: string | null;
    logo: string | null;
    music: string | null;
  });
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);

  const blocked = () => stitchBlocked(clips());
  const full = () => clips().length >= STITCH_CLIPS.max;
  const summary = () => {
    const n = clips().length;
    if (n === 0) return "No clips yet";
    const footage = footageSeconds(clips());
    const ad = stitchedSeconds(clips());
    const count = `${n} clip${n === 1 ? "" : "s"}`;
    if (footage === null || ad === null) return `${count} · length unknown`;
    return n === 1
      ? `${count} · ${seconds(footage)}`
      : `${count} · ${seconds(footage)} of footage · an ad of about ${seconds(ad)} (${CROSSFADE_S} s crossfades)`;
  };

  const add = (asset: Asset) => {
    if (!full() && !clips().some((a) => a.id === asset.id)) setClips([...clips(), asset]);
  };
  const remove = (index: number) => {
    const gone = clips()[index];
    setClips(clips().filter((_, i) => i !== index));
    if (gone) {
      const { [gone.id]: _, ...rest } = overlays();
      setOverlays(rest);
    }
  };

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (blocked()) return;
    setBusy(true);
    setError(null);
    try {
      const res = await stitchClips(
        stitchRequest(clips(), overlays(), {
          title: title(),
          aspect: aspect(),
          grade: grade(),
          mood: mood(),
          track: media().music,
          logo: media().logo,
        }),
      );
      navigate(`/generations/${res.generation_id}`);
    } catch (err) {
      // A 401 has already ended the session; the guard is taking the user to sign-in.
      if (!(err instanceof ApiError && err.status === 401)) setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="container">
      <header class="page-head">
        <h1>From my clips</h1>
        <p class="muted lead">
          Put your own video clips in order, add text, music and your logo: one finished ad, no AI video.
        </p>
        <p class="small">
          <A href="/">Or describe an ad instead</A>
        </p>
      </header>
      <div class="stitch-layout">
        <StitchLibrary added={clips().map((a) => a.id)} full={full()} onAdd={add} />
        <form
          class="card stitch-panel stitch-form"
          onSubmit={submit}
          noValidate
          aria-labelledby="stitch-title"
        >
          <h2 id="stitch-title" class="section-title">
            Your ad
          </h2>
          <StitchList
            clips={clips()}
            overlays={overlays()}
            onMove={(from, to) => setClips(moveItem(clips(), from, to))}
            onRemove={remove}
            onOverlay={(id, text) => setOverlays({ ...overlays(), [id]: text })}
          />
          <div class="stitch-options">
            <div class="field field-wide">
              <label class="field-label" for="stitch-ad-title">
                Title (optional)
              </label>
              <input
                id="stitch-ad-title"
                class="input"
                type="text"
                maxLength={TITLE_MAX}
                placeholder={`Stitched from ${Math.max(clips().length, STITCH_CLIPS.min)} clips`}
                value={title()}
                onInput={(e) => setTitle(e.currentTarget.value)}
              />
            </div>
            <div class="field">
              <label class="field-label" for="stitch-aspect">
                Aspect ratio
              </label>
              <select
                id="stitch-aspect"
                class="input"
                value={aspect()}
                onChange={(e) => setAspect(e.currentTarget.value as Aspect)}
              >
                <For each={entries(ASPECT_RATIOS)}>
                  {([value, hint]) => <option value={value}>{`${value} · ${hint}`}</option>}
                </For>
              </select>
            </div>
            <div class="field">
              <label class="field-label" for="stitch-grade">
                Colour grade
              </label>
              <select
                id="stitch-grade"
                class="input"
                value={grade()}
                onChange={(e) => setGrade(e.currentTarget.value as Grade)}
              >
                <For each={entries(GRADES)}>{([value, label]) => <option value={value}>{label}</option>}</For>
              </select>
            </div>
            <div class="field field-wide">
              <label class="field-label" for="stitch-mood">
                Library music
              </label>
              <select
                id="stitch-mood"
                class="input"
                value={mood()}
                disabled={!!media().music}
                aria-describedby={media().music ? "stitch-mood-help" : undefined}
                onChange={(e) => setMood(e.currentTarget.value)}
              >
                <For each={MOODS}>{([value, label]) => <option value={value}>{label}</option>}</For>
              </select>
              <Show when={media().music}>
                <p id="stitch-mood-help" class="field-help">
                  Your own track (under Music below) replaces the library music.
                </p>
              </Show>
            </div>
          </div>
          <AssetPickers
            settings={media()}
            onChange={setMedia}
            slots={["music", "logo"]}
            help={{ music: "Your own track, instead of the library music above." }}
          />
          <Show when={error()}>
            <p class="form-error" role="alert">
              {messageOf(error())}
            </p>
          </Show>
          <div class="composer-foot stitch-foot">
            <div>
              <p class="tabular stitch-total" data-testid="stitch-total">
                {summary()}
              </p>
              <p id="stitch-blocked" class="field-help">
                {blocked() ?? ""}
              </p>
            </div>
            <button
              type="submit"
              class="btn btn-primary btn-lg"
              disabled={busy() || !!blocked()}
              aria-describedby={blocked() ? "stitch-blocked" : undefined}
            >
              {busy() ? "Starting…" : "Stitch ad"}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
