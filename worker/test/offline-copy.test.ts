/**
 * The offline copy on hard prompts: the facts read from each prompt (brand as written or
 * invented, product noun phrase, first offer, call to action) are hand-written below, and the
 * copy written from them is checked across the table: at most 7 words an overlay, no markup,
 * no closing line shared between categories, every mustSay item on screen, Japanese and
 * Arabic prompts answered in their script, Spanish ones in Spanish.
 */
import { describe, expect, it } from "vitest";
import { planScenes } from "../src/pipeline/scene-plan.ts";
import { DEFAULT_SETTINGS } from "../src/pipeline/settings.ts";
import { BANK } from "../src/providers/copy/bank.ts";
import { fold, promptFacts } from "../src/providers/copy/facts.ts";
import { planOffline, titleCase } from "../src/providers/offline-planner.ts";
import { refineSceneOffline } from "../src/providers/offline-refine.ts";

const LONG =
  "Family-run sourdough bakery in Portland looking for a warm, friendly ad. We bake every loaf by hand overnight with organic flour from local farms, and our croissants sell out by 9am. We want people to feel the smell of fresh bread through the screen, see the crust crackle, and come in before work. Mention that we open at 6am, that every Tuesday is 2 for 1 on baguettes, and that we've been baking for 25 years. Keep it cosy, not corporate, and make it feel like a neighbourhood secret worth sharing.";

const INVENTED = null;

/** [prompt, brand as written (null: none named, so invented), product, first offer, call to action] */
const TABLE: [string, string | null, string, string | null, string][] = [
  [
    "Café Olé: artisanal coffee, roasted in Montréal; 3 blends & a 100% guarantee",
    "Café Olé",
    "artisanal coffee",
    null,
    "Order now",
  ],
  [
    "50% OFF: Today's \"Mega\" deal on running shoes \\o/ -- don't miss it!",
    INVENTED,
    "running shoes",
    "50% OFF",
    "Shop now",
  ],
  ["Luxury watch ad for Instagram", INVENTED, "a luxury watch", null, "Discover the collection"],
  ["Cold brew coffee in a can for busy students", INVENTED, "a can of cold brew coffee", null, "Order now"],
  [
    "Ad for 東京ラーメン, authentic Tokyo ramen delivered in 30 minutes 🍜🔥",
    "東京ラーメン",
    "authentic Tokyo ramen",
    null,
    "Order now",
  ],
  ["إعلان عطر فاخر للنساء، خصم 20%", INVENTED, "عطر فاخر", "خصم 20%", "تسوق الآن"],
  [
    "Insurance that actually pays out. Problem: claims take months. Solution: ClaimFast pays in 24h.",
    "ClaimFast",
    "insurance",
    null,
    "Get a quote",
  ],
  [
    "Before: messy garage. After: SnapShelf modular storage keeps every tool in its place.",
    "SnapShelf",
    "modular storage",
    null,
    "Shop now",
  ],
  [
    "B2B SaaS CRM for dentists — automate recalls and fill empty chairs",
    INVENTED,
    "a B2B SaaS CRM",
    null,
    "Book a demo",
  ],
  ["Organic socks for hikers'; DROP TABLE generations; --", INVENTED, "organic socks", null, "Shop now"],
  [
    "<script>alert('x')</script> Premium dog food for senior dogs",
    INVENTED,
    "premium dog food",
    null,
    "Shop now",
  ],
  ["shoes", INVENTED, "shoes", null, "Shop now"],
  ["抹茶ラテの広告、30%オフ、Instagram向け", INVENTED, "抹茶ラテ", "30%オフ", "今すぐ注文"],
  [
    "Zapatillas de running para corredores, 30% de descuento y envío gratis",
    INVENTED,
    "zapatillas de running",
    "30% de descuento",
    "Compra ahora",
  ],
  [
    "FitTrack: the workout app that plans your week. Free trial, then $9/month",
    "FitTrack",
    "a workout app",
    "Free trial",
    "Download free",
  ],
  ["Pizza delivered hot in 20 min, $5 off your first order", INVENTED, "pizza", "$5 off", "Order now"],
  [
    "Denim jackets from O'Neill Outfitters, 2 for 1 this weekend",
    "O'Neill Outfitters",
    "denim jackets",
    "2 for 1",
    "Shop now",
  ],
  ["KŌYA matcha powder, ceremonial grade, 40% more antioxidants", "KŌYA", "matcha powder", null, "Order now"],
  ["'Glow Theory' vitamin C serum for dry skin", "Glow Theory", "a vitamin C serum", null, "Shop now"],
  [
    "Paws Rescue: help us feed 500 shelter dogs this winter. Every $10 gives a week of meals",
    "Paws Rescue",
    "shelter dogs",
    "$10",
    "Donate today",
  ],
  [
    "Sparkle Home Cleaning — same-day house cleaning in Austin, 20% off your first visit",
    "Sparkle Home Cleaning",
    "same-day house cleaning",
    "20% OFF",
    "Get a quote",
  ],
  [
    "Weekend getaways to Lisbon from €199, flights and hotel included",
    INVENTED,
    "weekend getaways",
    "€199",
    "Book now",
  ],
  [
    "Learn Spanish in 3 months with live online classes for busy professionals",
    INVENTED,
    "live online classes",
    null,
    "Enroll today",
  ],
  ["Hydrating face cream by Lumina, 30% off for Black Friday", "Lumina", "face cream", "30% OFF", "Shop now"],
  [
    "Café de especialidad de Colombia, envío gratis a todo México",
    INVENTED,
    "café de especialidad de Colombia",
    "Envío gratis",
    "Pide ahora",
  ],
  ["「月光」ブランドの腕時計、限定100本", "月光", "腕時計", null, "コレクションを見る"],
  ["تطبيق «سريع» لتوصيل الطعام خلال 30 دقيقة", "سريع", "تطبيق لتوصيل الطعام", null, "حمل مجانا"],
  [
    "Ben's Cookies: soft-baked cookies, 6 for $10",
    "Ben's Cookies",
    "soft-baked cookies",
    "6 for $10",
    "Order now",
  ],
  [
    "Nordic\u200b wool blankets — visit https://example.com 15% off",
    INVENTED,
    "nordic wool blankets",
    "15% OFF",
    "Shop now",
  ],
  [
    // biome-ignore lint/suspicious/noTemplateCurlyInString: template syntax in a prompt is the case under test
    "Hello {{name}} ${price} handmade leather wallets",
    INVENTED,
    "handmade leather wallets",
    null,
    "Shop now",
  ],
  [
    "Tired of back pain? ErgoSeat office chair with lumbar support, 30-day free returns",
    "ErgoSeat",
    "an office chair",
    "30-day free returns",
    "Shop now",
  ],
  [
    "Spotless Plumbing | 24/7 emergency repairs in Leeds, £49 call-out",
    "Spotless Plumbing",
    "emergency repairs",
    "£49",
    "Get a quote",
  ],
  [
    "Sonrisa Dental: blanqueamiento en 1 hora, 40% de descuento",
    "Sonrisa Dental",
    "blanqueamiento",
    "40% de descuento",
    "Reserva ahora",
  ],
  [
    "STOP SCROLLING! NEW ENERGY DRINK WITH 2X THE CAFFEINE",
    INVENTED,
    "a new energy drink",
    null,
    "Start today",
  ],
  [
    "Hike the Dolomites with TrailMates guided tours, 7 days from €899",
    "TrailMates",
    "guided tours",
    "€899",
    "Book now",
  ],
  [
    "Mobile game app 'Dragon Dash' — download and get 500 free gems",
    "Dragon Dash",
    "a mobile game app",
    null,
    "Download free",
  ],
  [LONG, INVENTED, "a family-run sourdough bakery", "2 for 1", "Order now"],
  // A Spanish brand is the capitalised word inside the sentence; an Arabic lead names the brand.
  [
    "Zapatillas de running Veloz, 30% de descuento solo esta semana",
    "Veloz",
    "zapatillas de running",
    "30% de descuento",
    "Compra ahora",
  ],
  ["Clases de yoga para principiantes en Madrid", INVENTED, "clases de yoga", null, "Inscríbete hoy"],
  [
    "B2B SaaS CRM for dentists — book more patients with DentaFlow, 14-day free trial",
    "DentaFlow",
    "a B2B SaaS CRM",
    "14-day free trial",
    "Book a demo",
  ],
  [
    "Before: messy garage. After: SnapShelf modular storage, installed in one afternoon",
    "SnapShelf",
    "modular storage",
    null,
    "Shop now",
  ],
  ["عطر العود الملكي: عطر فاخر جديد بخصم 20%", "عطر العود الملكي", "عطر فاخر جديد", "خصم 20%", "تسوق الآن"],
];

const req = (prompt: string, seed = 7, durationS = 15) => ({ prompt, seed, durationS, aspectRatio: "9:16" });
const wordCount = (s: string) => s.split(/\s+/).filter(Boolean).length;
const MARKUP = /[<>{}\\`]|;\s*--|--|\bdrop table\b|\bscript\b|https?:|www\.|\u200b/i;

describe("offline copy: facts of hard prompts", () => {
  it.each(TABLE)("%s", (prompt, brand, product, offer, cta) => {
    const facts = promptFacts(prompt);
    const spec = planOffline(req(prompt));
    if (brand === null) {
      expect(facts.brand).toBeUndefined();
      expect(spec.brand.invented).toBe(true);
    } else {
      expect(spec.brand.name).toBe(brand);
      expect(spec.brand.invented).toBe(false);
      expect(facts.mustSay[0]).toBe(brand);
    }
    expect(spec.product).toBe(product);
    expect(facts.offers[0] ?? null).toBe(offer);
    expect(spec.call_to_action).toBe(cta);
  });
});

describe("offline copy: across the table", () => {
  const plans = TABLE.map(([prompt]) => ({
    prompt,
    facts: promptFacts(prompt),
    spec: planOffline(req(prompt)),
  }));

  it("keeps every overlay to at most 7 words, with no markup or code", () => {
    for (const duration of [15, 30])
      for (const seed of [1, 7, 42])
        for (const [prompt] of TABLE)
          for (const scene of planOffline(req(prompt, seed, duration)).scenes) {
            expect(wordCount(scene.overlay_text), scene.overlay_text).toBeLessThanOrEqual(7);
            expect(scene.overlay_text).not.toMatch(MARKUP);
          }
  });

  it("never repeats a line within an ad, however long", () => {
    for (const duration of [15, 30])
      for (const seed of [1, 7, 42])
        for (const [prompt] of TABLE) {
          const overlays = planOffline(req(prompt, seed, duration)).scenes.map((s) => s.overlay_text);
          expect(new Set(overlays).size, overlays.join(" / ")).toBe(overlays.length);
        }
  });

  it("never shares a closing line between prompts of different categories", () => {
    for (const seed of [1, 7, 42]) {
      const closers = new Map<string, string>();
      for (const [prompt] of TABLE) {
        const category = promptFacts(prompt).category;
        const closing = planOffline(req(prompt, seed)).scenes.at(-1)!.overlay_text;
        const other = closers.get(closing);
        if (other) expect(other, `${closing} (${prompt})`).toBe(category);
        closers.set(closing, category);
      }
    }
  });

  it("uses a named brand as written and never invents one", () => {
    for (const { facts, spec } of plans) {
      if (facts.brand) {
        expect(spec.brand).toMatchObject({ name: facts.brand, invented: false });
      } else expect(spec.brand.invented).toBe(true);
    }
  });

  it("puts every mustSay item on screen, for 4 and 5 scenes and any seed", () => {
    for (const [prompt] of TABLE) {
      const { mustSay } = promptFacts(prompt);
      for (const duration of [15, 30])
        for (const seed of [1, 7, 42]) {
          const overlays = planOffline(req(prompt, seed, duration)).scenes.map((s) => fold(s.overlay_text));
          for (const item of mustSay)
            expect(
              overlays.some((o) => o.includes(fold(item))),
              `${item} in ${overlays.join(" / ")}`,
            ).toBe(true);
        }
    }
  });

  it("says the failure prompts' facts: Montréal, 3 blends, the guarantee; ramen in 30 minutes; ClaimFast in 24h", () => {
    const text = (prompt: string) =>
      planOffline(req(prompt))
        .scenes.map((s) => s.overlay_text)
        .join(" / ");
    expect(text(TABLE[0]![0])).toContain("Montréal");
    expect(text(TABLE[0]![0])).toContain("3 blends");
    expect(text(TABLE[0]![0])).toContain("100% guarantee");
    expect(text(TABLE[4]![0])).toContain("30 minutes");
    expect(text(TABLE[6]![0])).toContain("ClaimFast pays in 24h");
    expect(text(TABLE[1]![0])).toContain("50% OFF running shoes");
  });

  it("answers Japanese and Arabic prompts in their script, Spanish ones in Spanish", () => {
    const english = new Set(Object.values(BANK).flatMap((stages) => Object.values(stages).flat()));
    for (const { facts, spec } of plans) {
      const overlays = spec.scenes.map((s) => s.overlay_text);
      if (facts.language === "ja")
        for (const o of overlays)
          expect(o).toMatch(/[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u);
      if (facts.language === "ar") for (const o of overlays) expect(o).toMatch(/\p{Script=Arabic}/u);
      if (facts.language === "es") for (const o of overlays) expect(english.has(o)).toBe(false);
    }
    expect(plans.filter((p) => p.facts.language === "ja")).toHaveLength(2);
    expect(plans.filter((p) => p.facts.language === "ar")).toHaveLength(3);
    expect(plans.filter((p) => p.facts.language === "es")).toHaveLength(5);
  });

  it("is deterministic for (prompt, seed, duration), with 4 scenes at 15 s and 5 when longer", () => {
    for (const [prompt] of TABLE) {
      expect(planOffline(req(prompt, 3, 15))).toEqual(planOffline(req(prompt, 3, 15)));
      expect(planOffline(req(prompt, 3, 15)).scenes).toHaveLength(4);
      expect(planOffline(req(prompt, 3, 30)).scenes).toHaveLength(5);
    }
  });

  it("keeps the scene refinements working on the new copy", () => {
    const spec = planOffline(req(TABLE[0]![0]));
    const plan = planScenes(spec, DEFAULT_SETTINGS, 7);
    const scene = plan.scenes[1]!;
    const shorter = refineSceneOffline(scene, "shorter text");
    expect(wordCount(shorter.overlay_text)).toBeLessThanOrEqual(wordCount(scene.overlay.text));
    const urgent = refineSceneOffline(scene, "more urgent");
    expect(urgent.visual_prompt).toContain("more urgent");
    expect(refineSceneOffline(scene, 'say "Only 3 blends left"').overlay_text).toBe("Only 3 blends left");
  });
});

describe("offline copy: random mixes of hard fragments", () => {
  const FRAGMENTS = [
    "Café Olé:",
    "50% OFF",
    '"Mega"',
    "Today's",
    "running shoes",
    "$20 off",
    "€15",
    "24h",
    "30 minutes",
    "3 blends",
    "100% guarantee",
    "for busy students",
    "in Tokyo",
    "東京",
    "ラーメン",
    "عطر",
    "خصم 20%",
    "para corredores",
    "envío gratis",
    "<b>",
    "'; DROP TABLE x; --",
    "\\o/",
    "🔥",
    "ClaimFast",
    "KŌYA",
    "by Acme",
    "Problem:",
    "Solution:",
    "Before:",
    "After:",
    "app",
    "B2B SaaS",
    "donate",
    "insurance",
    "?",
    "!",
    ",",
    "—",
    "2 for 1",
    "24/7",
    "a",
    "the",
    "for",
    "TikTok",
    "'Glow'",
    "«سريع»",
    "「月光」",
    "100本",
  ];

  it("keeps every rule for 400 prompts made of them", () => {
    let state = 12345;
    const rand = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 4294967296;
    };
    for (let i = 0; i < 400; i++) {
      const prompt = Array.from(
        { length: 1 + Math.floor(rand() * 9) },
        () => FRAGMENTS[Math.floor(rand() * FRAGMENTS.length)],
      ).join(" ");
      const { mustSay } = promptFacts(prompt);
      const overlays = planOffline(req(prompt, i, i % 2 ? 30 : 15)).scenes.map((s) => s.overlay_text);
      const where = `${prompt} => ${overlays.join(" / ")}`;
      for (const o of overlays) {
        expect(wordCount(o), where).toBeLessThanOrEqual(7);
        expect(o, where).not.toMatch(MARKUP);
      }
      for (const item of mustSay)
        expect(
          overlays.some((o) => fold(o).includes(fold(item))),
          `${item}: ${where}`,
        ).toBe(true);
      expect(new Set(overlays).size, where).toBe(overlays.length);
    }
  });
});

describe("titleCase", () => {
  it("upper-cases word starts only, never a letter after an accent or apostrophe", () => {
    expect(titleCase("café olé")).toBe("Café Olé");
    expect(titleCase("don't stop")).toBe("Don't Stop");
    expect(titleCase("ClaimFast in montréal")).toBe("ClaimFast In Montréal");
    expect(titleCase("東京ラーメン")).toBe("東京ラーメン");
  });
});
