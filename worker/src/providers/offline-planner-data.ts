/**
 * The offline planner's knowledge: product categories with their moods, palettes and
 * imagery, and the copy templates of each framework stage. `{product}`, `{brand}` and
 * `{cta}` are filled in by the planner.
 */
import type { Mood } from "@promptreel/render-container/contract";

export interface Category {
  name: string;
  keywords: RegExp;
  mood: Mood;
  style: string;
  palettes: string[][];
  /** Scenery the visual prompts draw from. */
  settings: string[];
  brandStems: string[];
  cta: string[];
}

export const CATEGORIES: Category[] = [
  {
    name: "luxury",
    keywords:
      /\b(watch|watches|jewel\w*|diamond|ring|necklace|perfume|fragrance|luxury|premium|leather|handbag|champagne|couture)\b/i,
    mood: "luxury",
    style: "luxury, elegant, cinematic",
    palettes: [
      ["#0b0b0f", "#c9a227", "#f5f1e6"],
      ["#101820", "#b08d57", "#e8e1d3"],
      ["#1a1423", "#d4af37", "#fafafa"],
    ],
    settings: [
      "a dark marble studio with a single spotlight",
      "slow macro shots with golden rim light",
      "a velvet backdrop with soft reflections",
    ],
    brandStems: ["Aurum", "Maison Vale", "Noctis", "Oréa", "Valmont"],
    cta: ["Discover the collection", "Own the moment", "Shop now"],
  },
  {
    name: "fitness",
    keywords:
      /\b(protein|fitness|gym|workout|energy drink|sport\w*|running|shoes?|sneakers?|supplement\w*|pre-?workout|yoga|athlet\w*)\b/i,
    mood: "energetic",
    style: "bold, energetic, high-contrast",
    palettes: [
      ["#0f172a", "#22c55e", "#facc15"],
      ["#111111", "#ff3d00", "#ffffff"],
      ["#0b132b", "#00e5ff", "#ff006e"],
    ],
    settings: [
      "a gritty gym with chalk dust in the light",
      "a sunrise run through the city",
      "fast cuts of athletes mid-motion",
    ],
    brandStems: ["Voltra", "PeakFuel", "Kinetix", "Rally", "Ironleaf"],
    cta: ["Fuel up today", "Start your streak", "Get yours now"],
  },
  {
    name: "calm",
    keywords:
      /\b(coffee|tea|candle\w*|spa|sleep|mattress|skincare|skin|serum|meditat\w*|wellness|organic|bath|aroma\w*)\b/i,
    mood: "calm",
    style: "soft, natural, warm light",
    palettes: [
      ["#f4efe6", "#a3b18a", "#344e41"],
      ["#fdf6ec", "#d4a373", "#6b4f3a"],
      ["#eef4f2", "#88b7b5", "#2f4858"],
    ],
    settings: [
      "a sunlit kitchen in the early morning",
      "steam rising over a ceramic cup",
      "linen and plants by a bright window",
    ],
    brandStems: ["Stillwater", "Morrow", "Linden", "Hearth & Co", "Kōya"],
    cta: ["Try it today", "Make it your ritual", "Order now"],
  },
  {
    name: "corporate",
    keywords:
      /\b(software|saas|app|platform|bank\w*|insurance|crm|cloud|b2b|analytics|fintech|accounting|startup|api|security)\b/i,
    mood: "corporate",
    style: "clean, modern, confident",
    palettes: [
      ["#0a2540", "#635bff", "#f6f9fc"],
      ["#0b1f33", "#1f8efa", "#ffffff"],
      ["#111827", "#10b981", "#f9fafb"],
    ],
    settings: [
      "a bright open-plan office",
      "clean UI panels floating in space",
      "a team sharing a win on a laptop screen",
    ],
    brandStems: ["Northbeam", "Clearpath", "Stackwise", "Lumen", "Axio"],
    cta: ["Start free today", "Book a demo", "Get started"],
  },
  {
    name: "everyday",
    keywords: /.*/,
    mood: "upbeat",
    style: "bright, playful, modern",
    palettes: [
      ["#ff5e5b", "#ffed66", "#00cecb"],
      ["#3a86ff", "#ffbe0b", "#fb5607"],
      ["#8338ec", "#ff006e", "#ffd166"],
    ],
    settings: [
      "a colourful studio with bouncing props",
      "friends laughing outdoors in golden hour",
      "a tabletop scene with playful motion",
    ],
    brandStems: ["Popline", "Brightly", "Juno", "Zesty", "Fable"],
    cta: ["Get yours today", "Shop now", "Try it now"],
  },
];

/** Copy per framework stage. Each stage has a few variants; the seed picks one. */
export const STAGE_COPY: Record<string, string[]> = {
  attention: ["Meet {product}", "This changes everything", "Stop scrolling"],
  interest: ["Made for the way you live", "Crafted to stand out", "Built on what matters"],
  desire: ["You deserve {product}", "Feel the difference", "Once you try it, you'll know"],
  action: ["{cta}", "{brand}: {cta}"],
  problem: ["Tired of settling?", "Still struggling?", "Sound familiar?"],
  agitate: ["It shouldn't be this hard", "Every day you wait costs you", "You've tried everything"],
  solution: ["{brand} fixes that", "Meet {product}", "There's a better way"],
  before: ["Before: the same old routine", "Yesterday: good enough", "Before {brand}"],
  after: ["After: effortless", "Today: unstoppable", "Life with {product}"],
  bridge: ["{product} gets you there", "The difference is {brand}", "Make the switch"],
};

/** How each stage is shot. */
export const STAGE_SHOT: Record<string, string> = {
  attention: "a striking opening close-up of {product}",
  interest: "{product} in use, showing its details",
  desire: "a hero shot of {product} with people enjoying it",
  action: "{product} centred with clean space for the logo and call to action",
  problem: "a frustrated person facing the everyday problem",
  agitate: "the problem getting worse, tense mood, quick movement",
  solution: "{product} arriving as the answer, light breaking through",
  before: "a dull, desaturated everyday scene before {product}",
  after: "the same scene transformed, vivid and bright, with {product}",
  bridge: "{product} in hand, the moment of change",
};

/** Platforms named in prompts, normalised. */
export const PLATFORMS: [RegExp, string][] = [
  [/\btik\s?tok\b/i, "TikTok"],
  [/\binsta(gram)?\b|\breels?\b/i, "Instagram"],
  [/\byou\s?tube\b|\bshorts\b/i, "YouTube Shorts"],
  [/\bfacebook\b|\bmeta\b/i, "Facebook"],
  [/\blinked\s?in\b/i, "LinkedIn"],
  [/\bsnap(chat)?\b/i, "Snapchat"],
];

/** Words that describe the ad rather than the product; stripped to find the product. */
export const FILLER =
  /\b(ads?|advert\w*|commercial|video|promo\w*|campaign|spot|for|on|an?|the|with|about|of|energetic|fun|calm|bold|modern|elegant|playful|minimal(ist)?|cinematic|luxurious|vertical|short|15\s?s(ec(ond)?s?)?|30\s?s|60\s?s)\b/gi;
