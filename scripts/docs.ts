/**
 * `npm run docs [-- --out <dir>] [-- --check]`: builds the documentation site with TypeDoc
 * (settings in `typedoc.json`) into `site/` and prints the path of its `index.html`.
 *
 * 1. Writes the claims catalogue, `docs/claims.md`, from the checks (`listClaims()` of
 *    `checks/claims.ts`), and from the notes of a lesson whose checks are not registered yet.
 *    The file is committed, so it can be read and grepped without building; `--check` fails
 *    when it is out of date instead of rewriting it (the docs test uses it).
 * 2. Converts the project: the README is the home page, then the lesson notes in lesson
 *    order, the guides, the claims catalogue, and the API reference of `shared/` and of each
 *    lesson, one section per lesson folder.
 * 3. Fails, before writing anything, when TypeDoc reports any warning: a broken link or
 *    anchor, an unresolved `{@link}`, an undocumented export.
 *
 * Beyond TypeDoc's options ({@link siteTweaks}): documents are titled by their first heading,
 * grouped and ordered, and their pages named after their files (`documents/04-session-expiry.html`);
 * each claim id in the notes links to its entry in the catalogue; a link to a source file with
 * an export's name as its anchor (`[SessionExpAuth](./session-exp-auth.ts#SessionExpAuth)`)
 * goes to that export's page; a link to a source file the docs do not include is an error;
 * mermaid sources are left out (TypeDoc cannot draw them); and "Defined in" names the file
 * and line without linking to a git host, so the site works offline.
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { listClaims, parseClaims } from '../checks/claims.ts';
import { lessons as checkedLessons } from '../checks/lessons.ts';
import { lessonPaths, lessons as curriculum } from '../lessons/curriculum.ts';
import type { Profile, Severity } from '../checks/types.ts';
import {
  Application,
  Comment,
  CommentTag,
  Converter,
  DeclarationReflection,
  JSX,
  KindRouter,
  normalizePath,
  ProjectReflection,
  Reflection,
  ReflectionKind,
  TSConfigReader,
  TypeDocReader,
  type CommentDisplayPart,
  type DocumentReflection,
  type TypeDocOptions,
} from 'typedoc';

/** The project's root folder (the one with `typedoc.json`). */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the claims catalogue is written, from the project root. */
export const catalogueFile = 'docs/claims.md';

/** The guides in reading order, as the README lists them; other guides follow alphabetically. */
const guideOrder = ['how-cookies-work', 'session-auth-step-by-step', 'sessions-or-tokens', 'checking-your-own-server'];

/** Documents under `docs/` that are reference material, not guides, in this order. */
const referenceOrder = ['claims', 'benchmarks', 'architecture'];

/** A claim, as the catalogue lists it. */
export interface Claim {
  /** `L4-max-age`: the id the check and the notes share. */
  id: string;
  /** The lesson whose notes make the claim. */
  lesson: number;
  /** `Lesson 4 — Session expiry`: the first heading of the notes, or the check registry's title. */
  lessonTitle: string;
  /** The claim's sentence (markdown). */
  sentence: string;
  /** Where the requirement comes from: `course`, an RFC section, an OWASP or ASVS item. */
  reference: string;
  /** The profiles that check it, and whether breaking it fails or only warns in each. */
  profiles: Partial<Record<Profile, Severity>>;
  /** The notes section that explains it (`lessons/04-session-expiry/README.md#claims`), if the notes exist. */
  notes: string | undefined;
  /** Where the claim was read: the check registry, or (for a lesson not registered yet) the notes. */
  source: 'checks' | 'notes';
}

/**
 * The lesson folders of the checkout, in the curriculum manifest's order:
 * `lessons/00-users-api`, ... (a lesson whose folder is not there yet is left out).
 */
export function lessonFolders(root: string = projectRoot): string[] {
  return curriculum.map((lesson) => lessonPaths(lesson).folder).filter((folder) => existsSync(join(root, folder)));
}

/** The text of the first `# ` heading of a markdown text, or undefined. */
function firstHeading(markdown: string): string | undefined {
  return /^# (.+)$/m.exec(markdown)?.[1]?.trim();
}

/** The notes of a lesson folder, or undefined when it has none yet. */
function readNotes(folder: string): string | undefined {
  const path = join(projectRoot, folder, 'README.md');
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/**
 * Every claim, in lesson order: the check registry's (`listClaims()` of `checks/claims.ts`),
 * and, for a lesson folder whose checks are not registered yet, the `## Claims` lines of its
 * notes (course claims then count in both profiles, the others in `secure`).
 *
 * @example
 * readClaims().find((claim) => claim.id === 'L4-max-age')?.reference; // 'RFC 6265bis §4.1.2.2'
 */
export function readClaims(): Claim[] {
  const claims: Claim[] = [];
  const titleOf = (lesson: number, folder: string, fallback: string) =>
    firstHeading(readNotes(folder) ?? '') ?? `Lesson ${lesson} — ${fallback}`;
  for (const claim of listClaims()) {
    const entry = checkedLessons.find((lesson) => lesson.number === claim.lesson);
    const folder = entry?.folder ?? '';
    claims.push({
      id: claim.id,
      lesson: claim.lesson,
      lessonTitle: titleOf(claim.lesson, folder, entry?.title ?? ''),
      sentence: claim.sentence,
      reference: claim.reference,
      profiles: claim.profiles,
      notes: readNotes(folder) === undefined ? undefined : claim.notes,
      source: 'checks',
    });
  }
  const registered = new Set(checkedLessons.map((lesson) => lesson.folder));
  for (const folder of lessonFolders()) {
    const notes = readNotes(folder);
    if (registered.has(folder) || notes === undefined) continue;
    const lesson = Number(/^lessons\/(\d\d)/.exec(folder)![1]);
    for (const claim of parseClaims(notes).claims) {
      claims.push({
        id: claim.id,
        lesson,
        lessonTitle: titleOf(lesson, folder, folder),
        sentence: claim.sentence,
        reference: claim.reference,
        profiles: claim.reference === 'course' ? { course: 'fail', secure: 'fail' } : { secure: 'fail' },
        notes: `${folder}/README.md#claims`,
        source: 'notes',
      });
    }
  }
  return claims.sort((a, b) => a.lesson - b.lesson);
}

/** `` `course` and `secure` ``, `` `secure` ``, `` `secure` (a warning) ``. */
function profilesText(profiles: Partial<Record<Profile, Severity>>): string {
  const names = (['course', 'secure'] as const).filter((name) => profiles[name]);
  return names.map((name) => `\`${name}\`${profiles[name] === 'warn' ? ' (a warning)' : ''}`).join(' and ');
}

/**
 * The claims catalogue as markdown: one heading per claim id (its anchor is the id in lower
 * case), with the sentence, the profiles, the reference and a link to the notes.
 *
 * @example
 * writeFileSync('docs/claims.md', claimsCatalogue(readClaims()));
 */
export function claimsCatalogue(claims: readonly Claim[]): string {
  const lines = [
    '# Claims catalogue',
    '',
    '<!-- Generated by `npm run docs` (scripts/docs.ts) from the checks (checks/claims.ts). Do not edit: change the checks and the notes, then run `npm run docs`. -->',
    '',
    'Every claim the lesson notes make, by id. Each one is proved over real HTTP by the check',
    'with the same id, so when `npm run check` reports an id such as `L4-max-age`, this is where',
    'to look it up. The number after the `L` is the lesson whose notes make the claim.',
    '',
    '`course` claims are the original project\'s contract: its routes, strings and status codes.',
    'Both profiles check them. The others add what an RFC, OWASP or ASVS requires and the course',
    'missed; only `--profile secure`, the default, checks them, and a few of those only warn.',
    'See [Checking your own server](./checking-your-own-server.md).',
    '',
    `${claims.length} claims from ${new Set(claims.map((claim) => claim.lesson)).size} lessons.`,
  ];
  let lesson: number | undefined;
  for (const claim of claims) {
    if (claim.lesson !== lesson) {
      lesson = claim.lesson;
      lines.push('', `## ${claim.lessonTitle}`);
    }
    const reference = claim.reference === 'course' ? 'the original course' : claim.reference;
    const notes = claim.notes ? `[${claim.lessonTitle}](../${claim.notes})` : `${claim.lessonTitle} (no notes yet)`;
    lines.push(
      '',
      `### ${claim.id}`,
      '',
      claim.sentence,
      '',
      `Profiles: ${profilesText(claim.profiles)} · Reference: ${reference} · Notes: ${notes}`,
    );
  }
  return lines.join('\n') + '\n';
}

/** A document's path from the project root, with `/` separators. */
function documentPath(doc: Reflection): string | undefined {
  const absolute = doc.project.files.getReflectionPath(doc);
  return absolute === undefined ? undefined : relative(projectRoot, absolute).split('\\').join('/');
}

/** Where a document goes: its group, and its place among the documents (lower first). */
function documentPlace(path: string): { group: string; rank: [number, number, string] } {
  const lesson = /^lessons\/(\d\d)-[^/]+\/README\.md$/.exec(path);
  if (lesson) return { group: 'Lessons', rank: [0, Number(lesson[1]), path] };
  const name = /^docs\/([^/]+)\.md$/.exec(path)?.[1] ?? path;
  if (referenceOrder.includes(name)) return { group: 'Reference', rank: [2, referenceOrder.indexOf(name), path] };
  const guide = guideOrder.indexOf(name);
  return { group: 'Guides', rank: [1, guide === -1 ? guideOrder.length : guide, path] };
}

function compareRanks(a: [number, number, string], b: [number, number, string]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2].localeCompare(b[2]);
}

/**
 * TypeDoc's default file layout, except that a document's page is named after its file:
 * `documents/04-session-expiry.html` for a lesson's notes, `documents/how-cookies-work.html`
 * for a guide (not after its title, which has spaces and dashes).
 */
class SandboxRouter extends KindRouter {
  override getIdealBaseName(reflection: Reflection): string {
    const path = reflection.isDocument() ? documentPath(reflection) : undefined;
    if (!path) return super.getIdealBaseName(reflection);
    const lesson = /^lessons\/([^/]+)\/README\.md$/.exec(path);
    return `documents/${lesson ? lesson[1] : path.replace(/^.*\//, '').replace(/\.md$/, '')}`;
  }
}

/** The API section of a module: `API · shared`, `API · 04-session-expiry`. */
function moduleGroup(name: string): string {
  const lesson = /^lessons\/([^/]+)\//.exec(name);
  return `API · ${lesson ? lesson[1] : name.split('/')[0]}`;
}

/** The reflection `path` (`SessionExpAuth` or `SessionExpAuth.createSession`) names inside a module. */
function findExport(module: Reflection, path: string): Reflection | undefined {
  return module.getChildByName(path.split('.'));
}

/** Replaces, in every text part, each match of `pattern` by the parts `replace` returns. */
function rewriteText(
  parts: CommentDisplayPart[],
  pattern: RegExp,
  replace: (match: RegExpExecArray) => CommentDisplayPart[],
): CommentDisplayPart[] {
  return parts.flatMap((part) => {
    if (part.kind !== 'text') return [part];
    const out: CommentDisplayPart[] = [];
    let last = 0;
    for (const match of part.text.matchAll(pattern)) {
      out.push({ kind: 'text', text: part.text.slice(last, match.index) });
      out.push(...replace(match as RegExpExecArray));
      last = match.index + match[0].length;
    }
    out.push({ kind: 'text', text: part.text.slice(last) });
    return out.filter((p) => p.kind !== 'text' || p.text !== '');
  });
}

/**
 * Installs what the site needs beyond TypeDoc's options (see the module comment).
 * `warn` reports a problem that must fail the build.
 */
export function siteTweaks(app: Application, claimIds: ReadonlySet<string>): void {
  const warn = (message: string) => app.logger.warn(message);
  app.renderer.defineRouter('sandbox', SandboxRouter);
  app.options.setValue('router', 'sandbox');
  // Plain-text diagrams and raw HTTP scroll sideways instead of wrapping mid-line.
  const css = 'pre:has(> code.text) { white-space: pre; word-wrap: normal; overflow-x: auto; }';
  app.renderer.hooks.on('head.end', () => JSX.createElement('style', null, JSX.createElement(JSX.Raw, { html: css })));

  // Documents are titled by their first heading ("Lesson 4 — Session expiry", not "README").
  app.converter.on(Converter.EVENT_CREATE_DOCUMENT, (_context: unknown, doc: DocumentReflection) => {
    const text = doc.content.map((part) => ('text' in part ? part.text : '')).join('');
    const title = firstHeading(text);
    if (title) doc.name = title;
    const path = documentPath(doc);
    if (path) doc.frontmatter.group = documentPlace(path).group;
  });

  // Priority -50: after TypeDoc has resolved the project, before it groups (-100) and resolves links (-300).
  app.converter.on(
    Converter.EVENT_RESOLVE_END,
    (context: { project: ProjectReflection }) => {
      const project = context.project;
      const files = project.files;

      // The home page: TypeDoc already shows the project's name as its title.
      const readme = project.readme;
      if (readme?.[0]?.kind === 'text' && readme[0].text.startsWith(`# ${project.name}\n`)) {
        readme[0] = { kind: 'text', text: readme[0].text.replace(/^# .*\n+/, '') };
      }

      // Lessons in order, then the guides, then the reference; modules alphabetical (by path).
      const docs = project.documents ?? [];
      const rankOf = new Map(docs.map((doc) => [doc, documentPlace(documentPath(doc) ?? doc.name).rank]));
      docs.sort((a, b) => compareRanks(rankOf.get(a)!, rankOf.get(b)!));
      project.childrenIncludingDocuments?.sort((a, b) => {
        const ra = rankOf.get(a as DocumentReflection);
        const rb = rankOf.get(b as DocumentReflection);
        if (ra && rb) return compareRanks(ra, rb);
        return ra ? -1 : rb ? 1 : 0;
      });

      // One API section per folder: shared, then each lesson.
      for (const module of project.getReflectionsByKind(ReflectionKind.Module)) {
        module.comment ??= new Comment();
        module.comment.blockTags.push(new CommentTag('@group', [{ kind: 'text', text: moduleGroup(module.name) }]));
      }
      // Show those sections (not the kinds inside each module) in the navigation.
      project.comment ??= new Comment();
      project.comment.modifierTags.add('@showGroups');

      const cataloguePath = normalizePath(join(projectRoot, catalogueFile));
      for (const doc of project.getReflectionsByKind(ReflectionKind.Document) as DocumentReflection[]) {
        const path = documentPath(doc) ?? '';

        // `[Name](./file.ts#Name)`: to the page of that export, not the top of the module's page.
        for (const part of doc.content) {
          if (part.kind !== 'relative-link' || typeof part.target !== 'number' || !part.targetAnchor) continue;
          const target = files.resolve(part.target, project);
          if (!(target instanceof DeclarationReflection) || !target.kindOf(ReflectionKind.Module)) continue;
          const found = findExport(target, part.targetAnchor);
          if (!found) {
            warn(`${path}: the link ${part.text} names "${part.targetAnchor}", which ${target.name} does not export`);
            continue;
          }
          const pseudoPath = normalizePath(`${files.getReflectionPath(target)}::${part.targetAnchor}`);
          const { target: id } = files.registerAbsolute(pseudoPath);
          files.registerReflectionPath(pseudoPath, found);
          part.target = id;
          part.targetAnchor = undefined;
        }

        // TypeDoc cannot draw a mermaid diagram (GitHub can): drop its source from the page. The
        // guides that have one follow it with the same picture as text.
        doc.content = doc.content.filter((part) => !(part.kind === 'code' && part.text.startsWith('```mermaid')));

        // Each claim id of a lesson's notes links to its entry in the catalogue.
        if (/^lessons\/[^/]+\/README\.md$/.test(path)) {
          doc.content = rewriteText(doc.content, /(?<=^|\n)- \*\*(L\d+-[A-Za-z0-9-]+)\*\*/g, (match) => {
            const id = match[1]!;
            if (!claimIds.has(id)) {
              warn(`${path}: claim ${id} is not in ${catalogueFile}; run npm run docs to regenerate it`);
              return [{ kind: 'text', text: match[0] }];
            }
            const { target } = files.registerAbsolute(cataloguePath);
            const link = relative(dirname(join(projectRoot, path)), cataloguePath) + '#' + id.toLowerCase();
            return [
              { kind: 'text', text: '- **[' + id + '](' },
              { kind: 'relative-link', text: link, target, targetAnchor: id.toLowerCase() },
              { kind: 'text', text: ')**' },
            ];
          });
        }
      }

      // A link to a source file that has no page (a server.ts, a test) would copy the raw file
      // into the site, where a browser offers it as a download: name such files without a link.
      const pages = [project, ...project.getReflectionsByKind(ReflectionKind.Document)];
      for (const page of pages) {
        const parts = page.isProject() ? (page.readme ?? []) : (page as DocumentReflection).content;
        for (const part of parts) {
          if (part.kind !== 'relative-link' || typeof part.target !== 'number') continue;
          const target = files.resolve(part.target, project);
          if (typeof target === 'string' && /\.[cm]?[jt]sx?$/.test(target)) {
            const where = page.isProject() ? 'README.md' : documentPath(page);
            warn(`${where}: the link ${part.text} points to a source file the docs do not include; name it without a link`);
          }
        }
      }

      // "Defined in lessons/04-session-expiry/session-exp-auth.ts:51", as text: no git host link.
      for (const reflection of Object.values(project.reflections)) {
        for (const source of (reflection as DeclarationReflection).sources ?? []) source.url = undefined;
      }
    },
    -50,
  );
}

/**
 * Members of an anonymous object type (`limits: { durationMs; idleMs }`, a function's
 * `{ url, close }` result) whose owner has a comment: the owner's comment describes them,
 * so they are not reported as undocumented.
 */
function describedByOwner(project: ProjectReflection): string[] {
  const names: string[] = [];
  for (const reflection of project.getReflectionsByKind(ReflectionKind.Property)) {
    if (reflection.hasComment() || !reflection.parent?.kindOf(ReflectionKind.TypeLiteral)) continue;
    let owner: Reflection | undefined = reflection.parent.parent;
    while (owner && (owner.kindOf(ReflectionKind.TypeLiteral) || owner.kindOf(ReflectionKind.SomeSignature))) {
      if (owner.hasComment()) break;
      owner = owner.parent;
    }
    if (owner?.hasComment()) names.push(reflection.getFriendlyFullName());
  }
  return names;
}

/** What {@link buildDocs} did. */
export interface BuildResult {
  /** Whether the site was written (no error, no warning). */
  ok: boolean;
  /** The absolute path of the site's `index.html`. */
  indexHtml: string;
  /** Whether `docs/claims.md` was rewritten because the claims changed. */
  catalogueUpdated: boolean;
  /** Why nothing was built, when it is not a TypeDoc warning or error (already printed). */
  error?: string;
  /** The lessons whose claims came from their notes, their checks not being registered yet. */
  lessonsFromNotes: number[];
}

/**
 * Writes the claims catalogue (unless `check`), then builds the site into `out`; `typedoc`
 * adds to or replaces options of `typedoc.json`.
 *
 * @example
 * const { ok, indexHtml } = await buildDocs({ out: 'site' });
 */
export async function buildDocs(
  options: { out?: string; check?: boolean; typedoc?: Partial<TypeDocOptions> } = {},
): Promise<BuildResult> {
  const out = resolve(options.out ?? join(projectRoot, 'site'));
  const indexHtml = join(out, 'index.html');
  const claims = readClaims();
  const lessonsFromNotes = [...new Set(claims.filter((claim) => claim.source === 'notes').map((claim) => claim.lesson))];
  const catalogue = claimsCatalogue(claims);
  const catalogueAbsolute = join(projectRoot, catalogueFile);
  const current = existsSync(catalogueAbsolute) ? readFileSync(catalogueAbsolute, 'utf8') : undefined;
  const catalogueUpdated = current !== catalogue;
  if (catalogueUpdated && options.check) {
    const error = `${catalogueFile} is out of date with the claims; run npm run docs and commit it`;
    return { ok: false, indexHtml, catalogueUpdated: false, error, lessonsFromNotes };
  }
  if (catalogueUpdated) writeFileSync(catalogueAbsolute, catalogue);

  const app = await Application.bootstrapWithPlugins(
    { ...options.typedoc, options: join(projectRoot, 'typedoc.json'), out },
    [new TypeDocReader(), new TSConfigReader()],
  );
  siteTweaks(app, new Set(claims.map((claim) => claim.id)));
  const failed = () => app.logger.hasErrors() || app.logger.hasWarnings();
  if (failed()) return { ok: false, indexHtml, catalogueUpdated, lessonsFromNotes };

  const project = await app.convert();
  if (!project) return { ok: false, indexHtml, catalogueUpdated, lessonsFromNotes };
  // Validate even after a conversion warning, so one run lists every problem.
  app.options.setValue('intentionallyNotDocumented', [
    ...app.options.getValue('intentionallyNotDocumented'),
    ...describedByOwner(project),
  ]);
  app.validate(project);
  if (failed()) return { ok: false, indexHtml, catalogueUpdated, lessonsFromNotes };

  await app.generateOutputs(project);
  return { ok: !failed(), indexHtml, catalogueUpdated, lessonsFromNotes };
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { out: { type: 'string' }, check: { type: 'boolean', default: false } },
  });
  const start = Date.now();
  const result = await buildDocs({ out: values.out, check: values.check });
  if (result.lessonsFromNotes.length) {
    console.error(`claims of lesson ${result.lessonsFromNotes.join(', ')} read from the notes: no checks registered in checks/lessons.ts yet`);
  }
  if (result.catalogueUpdated) console.error(`updated ${catalogueFile}`);
  if (!result.ok) {
    console.error(`error: ${result.error ?? 'the docs were not built: fix the warnings above (every warning fails the build)'}`);
    return 1;
  }
  console.error(`built in ${((Date.now() - start) / 1000).toFixed(1)} s`);
  console.log(result.indexHtml);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
