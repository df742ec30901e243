/**
 * The `@step N.S` markers of the reference code, and the stubs made from them. A marker is a
 * TSDoc tag on a function, a method, a getter or a `const` arrow function; its stub is the
 * same declaration whose body throws a {@link NotWrittenError} naming the function, the step
 * and the notes section. Parsed with the TypeScript compiler, so that a stub replaces exactly
 * the body, whatever it holds.
 *
 * @module
 */
import ts from 'typescript';

/** A marked function in a source file. */
export interface Marker {
  /** `2.3`. */
  step: string;
  /** `SessionAuth.userIdForSessionId` for a class member, the plain name otherwise. */
  name: string;
  /** Where the body is in the source: a `{ block }`, or an arrow function's expression. */
  bodyStart: number;
  bodyEnd: number;
  /** 1-based line of the declaration's first line (after its doc comment). */
  line: number;
  /** 1-based line of the body's first statement (or of the body, when it is on one line). */
  bodyLine: number;
  /** The declaration line's indentation. */
  indent: string;
}

/** What a stub needs to say: the manifest's view of a step. */
export interface StubInfo {
  id: string;
  name: string;
  /** `lessons/02-session-auth/README.md#what-this-lesson-adds`. */
  notes: string;
}

type FunctionLike = ts.FunctionDeclaration | ts.MethodDeclaration | ts.GetAccessorDeclaration | ts.ArrowFunction | ts.FunctionExpression;

/** The function a marked declaration holds, and its name, or null for a node that is not one. */
function markedFunction(node: ts.Node): { fn: FunctionLike; name: string } | null {
  const className = (member: ts.Node) => (ts.isClassLike(member.parent) && member.parent.name ? `${member.parent.name.text}.` : '');
  if (ts.isFunctionDeclaration(node) && node.name) return { fn: node, name: node.name.text };
  if ((ts.isMethodDeclaration(node) || ts.isGetAccessorDeclaration(node)) && ts.isIdentifier(node.name)) {
    return { fn: node, name: className(node) + node.name.text };
  }
  if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
    const init = node.initializer;
    if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return { fn: init, name: node.name.text };
  }
  return null;
}

/** The `@step` value on a node's doc comment, or null. */
function stepTag(node: ts.Node): string | null {
  const tag = ts.getJSDocTags(node).find((one) => one.tagName.text === 'step');
  return tag ? (ts.getTextOfJSDocComment(tag.comment) ?? '').trim() : null;
}

/**
 * Every `@step` marker of a source file, in the order they appear.
 *
 * @example
 * findMarkers(readFileSync('lessons/02-session-auth/session-auth.ts', 'utf8')).map((m) => m.step); // ['2.1', '2.3', ...]
 */
export function findMarkers(source: string, fileName = 'file.ts'): Marker[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const markers: Marker[] = [];
  const lineOf = (position: number) => file.getLineAndCharacterOfPosition(position).line + 1;
  const visit = (node: ts.Node) => {
    const found = markedFunction(node);
    const step = found && stepTag(node);
    if (found && step !== null) {
      if (!/^\d+\.\d+$/.test(step)) throw new Error(`${fileName}:${lineOf(node.getStart())}: @step must be N.S, got "${step}"`);
      const body = found.fn.body;
      if (!body) throw new Error(`${fileName}:${lineOf(node.getStart())}: @step ${step} marks a declaration without a body`);
      const declarationStart = ts.isVariableDeclaration(node) ? node.parent.parent.getStart() : node.getStart();
      const lineStart = source.lastIndexOf('\n', declarationStart) + 1;
      const first = ts.isBlock(body) && body.statements.length > 0 ? body.statements[0]! : body;
      markers.push({
        step,
        name: found.name,
        bodyStart: body.getStart(),
        bodyEnd: body.getEnd(),
        line: lineOf(declarationStart),
        bodyLine: lineOf(first.getStart()),
        indent: /^[ \t]*/.exec(source.slice(lineStart))![0],
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return markers;
}

/** The module every stub imports its error from, relative to the lessons' folder. */
const errorModule = 'shared/not-written.ts';

/**
 * The stub body of a step: a block that throws, naming the function, the step and the notes.
 *
 * @example
 * stubBody({ id: '2.2', name: 'SessionAuth.createSession', notes: '...' }, '  ');
 * // "{\n    throw new NotWrittenError('SessionAuth.createSession', '2.2', '...');\n  }"
 */
export function stubBody(step: StubInfo, indent: string): string {
  const args = [step.name, step.id, step.notes].map((text) => `'${text.replace(/[\\']/g, '\\$&')}'`).join(', ');
  return `{\n${indent}  throw new NotWrittenError(${args});\n${indent}}`;
}

/** Whether a body (as {@link bodyOf} returns it) is still the stub. */
export function isStub(body: string): boolean {
  return /^\{\s*throw new NotWrittenError\(/.test(body);
}

/** The text of a marker's body. */
export function bodyOf(source: string, marker: Marker): string {
  return source.slice(marker.bodyStart, marker.bodyEnd);
}

/**
 * `source` with the bodies of the chosen markers replaced: by the text `replace` returns for
 * a marker, and unchanged where it returns null.
 */
export function replaceBodies(source: string, markers: readonly Marker[], replace: (marker: Marker) => string | null): string {
  let out = source;
  // From the end, so that the offsets of the earlier markers stay right.
  for (const marker of [...markers].sort((a, b) => b.bodyStart - a.bodyStart)) {
    const body = replace(marker);
    if (body !== null) out = out.slice(0, marker.bodyStart) + body + out.slice(marker.bodyEnd);
  }
  return out;
}

/**
 * `source` (a file `depth` folders below the lessons' folder: 1 for
 * `02-session-auth/session-auth.ts`) with the chosen steps stubbed, and the import of
 * `NotWrittenError` added after the last import when a stub needs it.
 *
 * @example
 * stubSource(source, 1, (marker) => manifestStep(marker.step)); // every marked step stubbed
 */
export function stubSource(source: string, depth: number, stubFor: (marker: Marker) => StubInfo | null): string {
  const markers = findMarkers(source);
  let stubbed = false;
  const out = replaceBodies(source, markers, (marker) => {
    const info = stubFor(marker);
    if (!info) return null;
    stubbed = true;
    return stubBody(info, marker.indent);
  });
  if (!stubbed || /\bimport \{ NotWrittenError \} from /.test(out)) return out;
  const statement = `import { NotWrittenError } from '${'../'.repeat(depth + 1)}${errorModule}';\n`;
  const imports = [...out.matchAll(/^import\b[^;]*;\n/gm)];
  const last = imports.at(-1);
  const at = last ? (last.index ?? 0) + last[0].length : 0;
  return out.slice(0, at) + statement + out.slice(at);
}
