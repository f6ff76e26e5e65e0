/**
 * The offline copy bank: on-screen lines per category and framework stage (AIDA attention,
 * interest, desire; PAS problem, agitate, solution; BAB before, after, bridge; the action line
 * is written from the brand and call to action in `write.ts`), and a small bank per language
 * for Japanese, Arabic and Spanish prompts.
 *
 * Slots, filled from the prompt's facts; a line is used only when every slot it names has a
 * value and the filled line has at most 7 words:
 *   {brand} the brand · {named} the brand only when the prompt names it · {np} the product with its article ("a luxury watch", "running shoes"),
 *   {Np} the same capitalised · {Plain} the product capitalised when it takes no article · {audience} ("busy students") · {Audience} · {place} ("Tokyo")
 *   · {product} the product as the prompt writes it (other languages).
 * Every stage of every category has lines without slots, so a line always exists.
 */
import type { CategoryName } from "../offline-planner-data.ts";

export type CopyStage =
  | "attention"
  | "interest"
  | "desire"
  | "problem"
  | "agitate"
  | "solution"
  | "before"
  | "after"
  | "bridge";

type StageLines = Record<CopyStage, string[]>;

/** Lines any category may use; they all need a fact, so they say something specific. */
export const SHARED_LINES: Partial<Record<CopyStage, string[]>> = {
  attention: ["Meet {named}", "{Plain}, done right"],
  interest: ["Made for {audience}", "Straight from {place}"],
  desire: ["{Audience} swear by it"],
  solution: ["Meet {named}", "{Named} fixes that"],
  bridge: ["{Brand} makes the difference"],
  after: ["After: life with {named}"],
};

export const BANK: Record<CategoryName, StageLines> = {
  coffee: {
    attention: ["Your morning just got better", "Coffee worth waking up for"],
    interest: ["Roasted slow, poured fresh", "Rich, smooth, never bitter"],
    desire: ["Every sip, pure comfort", "Your new morning ritual"],
    problem: ["Bad coffee again?", "Running on empty?"],
    agitate: ["Burnt, bitter, and overpriced", "Another flat, stale cup"],
    solution: ["Smooth coffee, zero compromise", "Great coffee, made easy"],
    before: ["Before: stale office coffee"],
    after: ["After: a cup worth savouring"],
    bridge: ["One sip makes the switch"],
  },
  delivery: {
    attention: ["Hungry? Dinner's on its way", "Craving something hot right now?"],
    interest: ["Fresh from the kitchen to you", "Hot, fast, right to your door"],
    desire: ["Still hot when it arrives", "Your favourites, no waiting"],
    problem: ["Too tired to cook?", "Nothing in the fridge?"],
    agitate: ["Long waits, cold food, hungry nights"],
    solution: ["Hot food, fast, at your door"],
    before: ["Before: an empty fridge"],
    after: ["After: dinner at your door"],
    bridge: ["Tap, order, eat"],
  },
  food: {
    attention: ["Taste that stops the scroll", "Made to be shared"],
    interest: ["Real ingredients, bold flavour", "Fresh, simple, seriously good"],
    desire: ["One bite and you're hooked", "Your new favourite craving"],
    problem: ["Bored of the same meals?"],
    agitate: ["Bland food, every single day"],
    solution: ["Big flavour, zero fuss"],
    before: ["Before: another bland lunch"],
    after: ["After: flavour in every bite"],
    bridge: ["One bite changes lunch"],
  },
  fashion: {
    attention: ["Step into something new", "Your next favourite fit"],
    interest: ["Built to move with you", "Designed for every street"],
    desire: ["Look good, feel unstoppable", "Comfort you can see"],
    problem: ["Nothing to wear, again?"],
    agitate: ["Same old look, every day"],
    solution: ["Fresh style, all-day comfort"],
    before: ["Before: worn-out basics"],
    after: ["After: heads turn"],
    bridge: ["One new look changes everything"],
  },
  beauty: {
    attention: ["Your glow starts here", "Beauty in a single drop"],
    interest: ["Clean formula, visible results", "Crafted for every skin"],
    desire: ["Feel radiant, every day", "A scent they'll remember"],
    problem: ["Dull skin holding you back?"],
    agitate: ["Nothing seems to work"],
    solution: ["Real results you can see"],
    before: ["Before: tired, dull skin"],
    after: ["After: a glow that lasts"],
    bridge: ["Your routine, upgraded"],
  },
  luxury: {
    attention: ["Time, perfected", "Crafted for the few"],
    interest: ["Precision in every detail", "Hand-finished, built to last"],
    desire: ["Worn once, remembered forever", "A piece worth passing down"],
    problem: ["Settling for ordinary?"],
    agitate: ["Ordinary fades fast"],
    solution: ["Craft that endures"],
    before: ["Before: just another accessory"],
    after: ["After: a statement piece"],
    bridge: ["Elegance, made personal"],
  },
  fitness: {
    attention: ["Your strongest season starts now", "Train harder, recover faster"],
    interest: ["Clean fuel, real results", "Built for serious training"],
    desire: ["Hit every goal", "Feel stronger every week"],
    problem: ["Stuck on a plateau?"],
    agitate: ["Same effort, no results"],
    solution: ["Real fuel for real progress"],
    before: ["Before: running on empty"],
    after: ["After: a new personal best"],
    bridge: ["Fuel the change"],
  },
  tech: {
    attention: ["Your phone just got smarter", "Everything, one tap away"],
    interest: ["Simple, fast, and actually useful", "Set up in seconds"],
    desire: ["The app you'll open daily", "Less hassle, more done"],
    problem: ["Too many apps, too little time?"],
    agitate: ["Endless tapping, nothing done"],
    solution: ["One tap does it all"],
    before: ["Before: chaos in your pocket"],
    after: ["After: everything in one place"],
    bridge: ["One app to switch to"],
  },
  saas: {
    attention: ["Your team, finally in sync", "Less admin, more growth"],
    interest: ["Every client in one clear view", "Set up in a day"],
    desire: ["Hours saved every single week", "Growth without the busywork"],
    problem: ["Drowning in spreadsheets?"],
    agitate: ["Missed follow-ups cost real revenue"],
    solution: ["Automate the busywork"],
    before: ["Before: scattered spreadsheets"],
    after: ["After: one clear dashboard"],
    bridge: ["Switch in one afternoon"],
  },
  finance: {
    attention: ["Money matters, made simple", "Finance that's on your side"],
    interest: ["Clear terms, no fine print", "Straight answers, fast decisions"],
    desire: ["Peace of mind, finally", "Confidence in every decision"],
    problem: ["Waiting on a claim again?"],
    agitate: ["Paperwork, phone queues, silence"],
    solution: ["Fast payouts, zero runaround"],
    before: ["Before: endless paperwork"],
    after: ["After: money in your account"],
    bridge: ["Switching is quick and simple"],
  },
  home: {
    attention: ["Love coming home again", "A place for everything"],
    interest: ["Smart design, easy setup", "Built to fit your space"],
    desire: ["Calm, clear, and all yours", "A home that breathes"],
    problem: ["Clutter taking over?"],
    agitate: ["You can never find anything"],
    solution: ["Everything in its place"],
    before: ["Before: clutter everywhere"],
    after: ["After: a place for everything"],
    bridge: ["Tidy in one weekend"],
  },
  pets: {
    attention: ["Tails up, bowls clean", "Made for happy pets"],
    interest: ["Real ingredients they love", "Vet-approved, tail-tested"],
    desire: ["More play, more good years", "Healthy pets, happy owners"],
    problem: ["Picky eater at home?"],
    agitate: ["Bowls left full, every day"],
    solution: ["Food they actually finish"],
    before: ["Before: a bored, picky pet"],
    after: ["After: an empty bowl"],
    bridge: ["Switch their bowl today"],
  },
  travel: {
    attention: ["Your next escape starts here", "Pack light, go far"],
    interest: ["Hand-picked stays, honest prices", "Every detail planned for you"],
    desire: ["Wake up somewhere new", "Memories worth the trip"],
    problem: ["Dreaming of a break?"],
    agitate: ["Another year without a holiday"],
    solution: ["Your trip, planned for you"],
    before: ["Before: another grey Monday"],
    after: ["After: sand between your toes"],
    bridge: ["One booking away"],
  },
  services: {
    attention: ["Leave it to the pros", "Done right the first time"],
    interest: ["Trained, insured, on time", "Upfront prices, no surprises"],
    desire: ["Get your weekend back", "Quality you can see"],
    problem: ["Another job left undone?"],
    agitate: ["It only gets worse"],
    solution: ["Pros who show up on time"],
    before: ["Before: a job you dread"],
    after: ["After: done and spotless"],
    bridge: ["One call fixes it"],
  },
  nonprofit: {
    attention: ["Small gifts, big change", "Someone is counting on you"],
    interest: ["Every gift goes to work", "Real people, real impact"],
    desire: ["Be the reason someone smiles", "Change starts with you"],
    problem: ["Too many still go without"],
    agitate: ["Every day without help matters"],
    solution: ["Your gift becomes real help"],
    before: ["Before: nowhere to turn"],
    after: ["After: hope and a way forward"],
    bridge: ["Your gift bridges the gap"],
  },
  education: {
    attention: ["Learn what moves you forward", "Your next skill starts today"],
    interest: ["Expert teachers, flexible hours", "Learn at your own pace"],
    desire: ["Confidence you can prove", "The skill employers want"],
    problem: ["Feeling stuck in your career?"],
    agitate: ["The gap keeps growing"],
    solution: ["Skills that open doors"],
    before: ["Before: stuck and unsure"],
    after: ["After: certified and confident"],
    bridge: ["One course changes the path"],
  },
  everyday: {
    attention: ["Meet your new favourite", "Something good just arrived"],
    interest: ["Thoughtfully made, honestly priced", "Simple, useful, built well"],
    desire: ["The upgrade you've earned", "Small thing, big difference"],
    problem: ["Still making do?"],
    agitate: ["It shouldn't be this hard"],
    solution: ["A better way, finally"],
    before: ["Before: making do"],
    after: ["After: just right"],
    bridge: ["Make the switch today"],
  },
};

/** The languages with their own bank; others get English copy with the prompt's own names. */
export type BankLanguage = "ja" | "ar" | "es";

export interface LanguageBank {
  lines: StageLines;
  /** An offer as a line: "今なら{offer}". */
  offer: string[];
  /** A number or claim as a line. */
  fact: string[];
  /** The action line from brand and call to action. */
  action: string;
}

export const LANGUAGE_BANKS: Record<BankLanguage, LanguageBank> = {
  ja: {
    lines: {
      attention: ["{product}、新登場", "この{product}を見逃すな"],
      interest: ["こだわりの品質", "毎日にちょうどいい"],
      desire: ["一度使えば手放せない", "あなたにこそ、{product}"],
      problem: ["こんな悩み、ありませんか？"],
      agitate: ["もう我慢しなくていい"],
      solution: ["{product}が解決します", "{brand}におまかせ"],
      before: ["これまでの毎日"],
      after: ["{product}のある毎日"],
      bridge: ["切り替えるなら今"],
    },
    offer: ["今なら{offer}", "期間限定{offer}"],
    fact: ["{fact}", "{fact}でお届け"],
    action: "{brand}｜{cta}",
  },
  ar: {
    lines: {
      attention: ["اكتشف {product}", "جديد: {product}"],
      interest: ["جودة تستحقها", "صنع بعناية"],
      desire: ["تجربة لا تنسى", "أنت تستحق الأفضل"],
      problem: ["هل تعبت من الانتظار؟"],
      agitate: ["لا داعي للمعاناة بعد اليوم"],
      solution: ["{product} هو الحل", "{brand} هو الحل"],
      before: ["قبل: الروتين نفسه"],
      after: ["بعد: فرق واضح"],
      bridge: ["حان وقت التغيير"],
    },
    offer: ["الآن {offer}", "{offer} لفترة محدودة"],
    fact: ["{fact}"],
    action: "{brand}: {cta}",
  },
  es: {
    lines: {
      attention: ["Descubre {product}", "Lo nuevo ya llegó"],
      interest: ["Calidad que se nota", "Hecho para tu día a día"],
      desire: ["Te lo mereces", "Una vez lo pruebas, repites"],
      problem: ["¿Cansado de lo mismo?"],
      agitate: ["No tiene por qué ser así"],
      solution: ["{brand} lo resuelve", "Hay una forma mejor"],
      before: ["Antes: la misma rutina"],
      after: ["Después: todo más fácil"],
      bridge: ["Haz el cambio hoy"],
    },
    offer: ["Ahora {offer}", "{offer} solo hoy"],
    fact: ["{fact}"],
    action: "{brand}: {cta}",
  },
};
