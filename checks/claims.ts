/**
 * Claims: what the lesson notes promise, each with a stable id, and the link between the
 * `## Claims` section of a lesson's README and the checks that prove it.
 *
 * @module
 */
import { lessons as registry, type LessonEntry } from './lessons.ts';
import type { Check, Profile, Severity } from './types.ts';

/** One claim, as the docs' claims catalogue lists it. */
export interface Claim {
  /** `L1-basic-challenge`. */
  id: string;
  lesson: number;
  /** The sentence, in markdown. */
  sentence: string;
  /** `course`, `RFC 9110 §11.6.1`, an OWASP or ASVS item. */
  reference: string;
  /** The lowest profile that checks it: `course` claims run in both, the others in `secure`. */
  profile: Profile;
  /** The profiles the claim belongs to, and whether breaking it fails or warns in each. */
  profiles: Partial<Record<Profile, Severity>>;
  /** The notes section that explains it: `lessons/01-basic-auth/README.md#the-guard`. */
  notes: string;
}

/**
 * Every claim of every registered lesson, in lesson order (for the docs' catalogue).
 *
 * @example
 * listClaims().filter((claim) => claim.lesson === 1).length; // 15
 */
export function listClaims(entries: readonly LessonEntry[] = registry): Claim[] {
  return entries.flatMap((entry) =>
    entry.checks.map((check) => ({
      id: check.id,
      lesson: check.lesson,
      sentence: check.claim,
      reference: check.reference,
      profile: check.profiles.course ? 'course' : 'secure',
      profiles: { ...check.profiles },
      notes: `${entry.notes}#${check.section}`,
    })),
  );
}

/**
 * A check's claim as a line of the notes' `## Claims` list.
 *
 * @example
 * claimLine(check);
 * // '- **L1-basic-test** — `Authorization: Basic test` (...) answers 403 ... *(course)*'
 */
export function claimLine(check: Pick<Check, 'id' | 'claim' | 'reference'>): string {
  return `- **${check.id}** — ${check.claim} *(${check.reference})*`;
}

/** A claim as written in a lesson's notes. */
export interface NotesClaim {
  id: string;
  sentence: string;
  reference: string;
  /** 1-based line number in the README. */
  line: number;
}

const CLAIM_LINE = /^- \*\*(\S+)\*\* — (.+) \*\(([^()]+)\)\*$/;

/**
 * The claims of a README's `## Claims` section, and the list items there that are not in
 * the claim form (as `malformed`, with their line numbers).
 *
 * @example
 * parseClaims('## Claims\n\n- **L0-status** — It answers. *(course)*\n');
 * // { claims: [{ id: 'L0-status', sentence: 'It answers.', reference: 'course', line: 3 }], malformed: [], found: true }
 */
export function parseClaims(markdown: string): { claims: NotesClaim[]; malformed: { line: number; text: string }[]; found: boolean } {
  const claims: NotesClaim[] = [];
  const malformed: { line: number; text: string }[] = [];
  let inClaims = false;
  let found = false;
  let fence = false;
  markdown.split('\n').forEach((raw, index) => {
    const text = raw.trimEnd();
    if (/^(```|~~~)/.test(text)) fence = !fence;
    if (fence) return;
    if (/^#{1,2} /.test(text)) {
      inClaims = /^## Claims$/.test(text);
      found ||= inClaims;
      return;
    }
    if (!inClaims || !/^\s*[-*+] /.test(text)) return;
    const match = CLAIM_LINE.exec(text);
    if (match) claims.push({ id: match[1] as string, sentence: match[2] as string, reference: match[3] as string, line: index + 1 });
    else malformed.push({ line: index + 1, text });
  });
  return { claims, malformed, found };
}

/**
 * A heading's anchor as GitHub and typedoc make it: lower case, spaces to `-`, punctuation
 * dropped. (Keep headings that checks link to simple: words and spaces.)
 *
 * @example
 * slug('What the course got wrong'); // 'what-the-course-got-wrong'
 */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of every heading of a markdown file (outside code blocks). */
export function headingSlugs(markdown: string): Set<string> {
  const slugs = new Set<string>();
  let fence = false;
  for (const line of markdown.split('\n')) {
    if (/^(```|~~~)/.test(line)) fence = !fence;
    const match = !fence && /^#{1,6} (.+?)\s*#*\s*$/.exec(line);
    if (match) slugs.add(slug(match[1] as string));
  }
  return slugs;
}
