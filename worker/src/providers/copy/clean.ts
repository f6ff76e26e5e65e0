/**
 * Prompt cleaning before any copy is written: markup and code in a prompt are noise, never
 * copy. Removes HTML tags (and the content of script/style elements), SQL fragments such as
 * `'; DROP TABLE generations; --`, template and code syntax, URLs, backslash emoticons
 * (`\o/`, `¯\_(ツ)_/¯`), emoji and zero-width characters. What is left is plain text with
 * single spaces; sentence punctuation is kept because the fact extraction reads clauses.
 */

const ZERO_WIDTH = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/g;
const SCRIPT_ELEMENTS = /<(script|style|iframe|object|svg)\b[^>]*>[\s\S]*?(<\/\1\s*>|$)/gi;
const TAGS = /<\/?[a-zA-Z!][^<>]*>|<[a-zA-Z/!][^<>]*$/g;
const ENTITIES = /&(?:#\d+|#x[0-9a-f]+|[a-z]{2,8});/gi;
const URLS = /\b(?:https?:\/\/|www\.)\S+|\b[\w.-]+@[\w-]+\.[\w.]+\b/gi;
/** An injection: a quote and semicolon, then a statement, up to the end of it or its comment. */
const SQL_INJECTION =
  /['"`]\s*\)?\s*;\s*(?:drop|delete|truncate|alter|insert|update|select|union|exec|shutdown)\b[^\n]*?(?:--|;(?=\s|$)|$)/gi;
/** SQL statements written in capitals (ordinary words like "select from" stay). */
const SQL =
  /\b(?:DROP|DELETE|TRUNCATE|ALTER|INSERT|UPDATE|UNION|EXEC)\s+(?:TABLE|DATABASE|FROM|INTO|ALL|SELECT|\w+\s+SET)\b[^;\n]*;?|\bSELECT\s+\S+\s+FROM\b[^;\n]*;?|['"]?\s*\bOR\s+['"]?1['"]?\s*=\s*['"]?1\b/g;
const SQL_TAIL = /(?:^|\s)(?:--|\/\*|\*\/|;)\s*$/g;
const CODE = /\$\{[^}]*\}|\{\{[^}]*\}\}|`[^`]*`|\b(?:javascript|data):\S*|\b\w+\([^)]*\)\s*;?/gi;
const BACKSLASH_TOKENS = /\S*\\\S*/g;
const EMOTICONS = /(?:^|\s)(?:[:;=8][-^']?[)(DPpOo3/\\|*]+|<3|\^_?\^|[xX]D)(?=\s|$)/g;
const EMOJI = /[\p{Extended_Pictographic}\u{1F1E6}-\u{1F1FF}\u{1F3FB}-\u{1F3FF}\uFE0E\uFE0F\u20E3]/gu;

/** The prompt as plain text: no markup, code, links, emoticons, emoji or invisible characters. */
export function cleanPrompt(prompt: string): string {
  return (
    prompt
      .normalize("NFC")
      .replace(ZERO_WIDTH, "")
      .replace(SCRIPT_ELEMENTS, " ")
      .replace(TAGS, " ")
      .replace(/&amp;/gi, "&")
      .replace(ENTITIES, " ")
      .replace(URLS, " ")
      .replace(SQL_INJECTION, " ")
      .replace(SQL, " ")
      .replace(BACKSLASH_TOKENS, " ")
      .replace(CODE, " ")
      .replace(EMOTICONS, " ")
      .replace(EMOJI, " ")
      // A spaced double hyphen is a dash; any other run of hyphens, slashes or stars is noise.
      .replace(/\s-{2,}\s|\s\|\s/g, " - ")
      .replace(/-{2,}|\/{2,}|\*{2,}|_{2,}|[<>{}[\]|^~]/g, " ")
      .replace(SQL_TAIL, " ")
      .replace(/\s+([,.;:!?])/g, "$1")
      .replace(/([,.;:!?])(?:\s*[,.;:!?])+/g, "$1")
      .replace(/\s+/g, " ")
      .replace(/^[\s,.;:!?-]+|[\s,;:-]+$/g, "")
      .trim()
  );
}
