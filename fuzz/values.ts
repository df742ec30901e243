/**
 * Hostile values: the dictionaries (SQL, control characters, odd emails...) and the pickers
 * that mix them into strings and JSON values of every type.
 *
 * @module
 */
import type { Random } from './random.ts';

/** SQL metacharacters and classic injections (none names a file: see the leak oracle). */
export const sqlStrings: readonly string[] = [
  "'",
  "''",
  '"',
  '`',
  '\\',
  '%',
  '_',
  '*',
  ';',
  '--',
  '/*',
  '*/',
  '?',
  '?1',
  ':id',
  '@email',
  '$1',
  "' OR '1'='1",
  "' OR 1=1 --",
  "admin'--",
  "'; DROP TABLE users; --",
  "'; DELETE FROM user_sessions; --",
  '" OR ""="',
  "' UNION SELECT id, email, password, 1, 1, 1, 1 FROM users --",
  "'||(SELECT password FROM users LIMIT 1)||'",
  "%' AND '1'='1",
  "' COLLATE NOCASE --",
  "1; PRAGMA writable_schema = 1",
  "'; ATTACH DATABASE 'x.db' AS x; --",
  "'); INSERT INTO users (id, email, created_at, updated_at) VALUES ('x', 'x', 'x', 'x'); --",
  "\\' OR 1=1 --",
  "1' AND randomblob(1000000000) --",
  'x%_\\%',
];

/** Control characters, odd code points and lone surrogates. */
export const controlStrings: readonly string[] = [
  '\u0000',
  '\u0001',
  '\b',
  '\t',
  '\n',
  '\r',
  '\r\n',
  '\u000b',
  '\u000c',
  '\u001b[31m',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u200b',
  '\u200e',
  '\u202e',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\ufffe',
  '\uffff',
  '\ud800',
  '\udfff',
  '\udbff\udfff',
  '\ud83d\ude00',
];

/** Emails that are long, not ASCII, or not emails at all. */
export const oddEmails: readonly string[] = [
  'ünïcödé@exämple.com',
  '用户@例子.广告',
  'josé@bücher.de',
  'ｂｏｂ@ｈｂｔｎ.ｉｏ',
  'bоb@hbtn.io',
  'БОБ@hbtn.io',
  'bo\u0301b@hbtn.io',
  '🙂@🙂.io',
  'İ@hbtn.io',
  'ß@hbtn.io',
  '\u202eoi.ntbh@bob',
  'bob@hbtn.io\u200b',
  ' bob@hbtn.io ',
  'bob@hbtn.io.',
  '@',
  '@hbtn.io',
  'bob@',
  'bob',
  'a@b@c',
  '"a b"@example.com',
  'a+tag@example.com',
  '<script>@example.com',
  'bob@[127.0.0.1]',
  'x'.repeat(64) + '@' + 'y'.repeat(255) + '.com',
];

/** Other strings that trip up parsers and templates. */
export const trickyStrings: readonly string[] = [
  '',
  ' ',
  '   ',
  'null',
  'undefined',
  'true',
  'NaN',
  '-0',
  '1e309',
  '0x10',
  '[object Object]',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '%s%s%s%n',
  '{{7*7}}',
  '${7*7}',
  '<script>alert(1)</script>',
  '../../../etc/passwd',
  '..\\..\\windows',
  'a'.repeat(1000),
  '€'.repeat(500),
];

/**
 * A hostile string: SQL, control characters, odd emails, tricky text, long runs, or a mix.
 *
 * @example
 * hostileString(new Random(1)); // "' OR 1=1 --\u0000"
 */
export function hostileString(rng: Random): string {
  const kind = rng.weighted([
    ['sql', 4],
    ['control', 3],
    ['email', 2],
    ['tricky', 3],
    ['long', 1],
    ['mix', 3],
  ] as const);
  switch (kind) {
    case 'sql':
      return rng.pick(sqlStrings);
    case 'control':
      return rng.pick(controlStrings);
    case 'email':
      return rng.pick(oddEmails);
    case 'tricky':
      return rng.pick(trickyStrings);
    case 'long':
      return rng.pick(['a', '€', '🙂', "'", '\u0000']).repeat(rng.int(100, 2500));
    case 'mix':
      return `${rng.string(rng.int(0, 6))}${rng.pick(sqlStrings)}${rng.pick(controlStrings)}${rng.pick(trickyStrings).slice(0, 40)}`;
  }
}

/**
 * A hostile email: long, not ASCII, with control characters or SQL, or a known email in
 * disguise (other case, spaces, a NUL).
 */
export function hostileEmail(rng: Random, known: readonly string[] = []): string {
  const kind = rng.weighted([
    ['odd', 4],
    ['long', 2],
    ['sql', 3],
    ['control', 2],
    ['disguise', known.length ? 2 : 0],
  ] as const);
  const local = rng.string(rng.int(1, 12));
  switch (kind) {
    case 'odd':
      return rng.pick(oddEmails);
    case 'long':
      // Up to just under the 10 kB body limit, in ASCII or in 3-byte characters.
      return rng.chance(0.5) ? `${'a'.repeat(rng.int(200, 9000))}@example.com` : `${'é€'.repeat(rng.int(100, 1500))}@example.com`;
    case 'sql':
      return rng.chance(0.5) ? `${local}${rng.pick(sqlStrings)}@example.com` : rng.pick(sqlStrings);
    case 'control':
      return `${local}${rng.pick(controlStrings)}@example.com`;
    case 'disguise': {
      const email = rng.pick(known);
      return rng.pick([
        email.toUpperCase(),
        ` ${email}`,
        `${email} `,
        `${email}\u0000`,
        `${email}'--`,
        email.replace('@', '\u0000@'),
        `${email}%`,
        email.replace(/.$/, '_'),
      ]);
    }
  }
}

/** A JSON value of a wrong type (or a string that is wrong another way). */
export function hostileValue(rng: Random, depth = 0): unknown {
  const kind = rng.weighted([
    ['number', 3],
    ['bool', 1],
    ['null', 2],
    ['array', 2],
    ['object', 2],
    ['string', 3],
  ] as const);
  switch (kind) {
    case 'number':
      return rng.pick([0, -1, 1, 1.5, -0.0, 1e308, -1e308, 2 ** 53 + 1, Number.MIN_VALUE, 12345678901234567890]);
    case 'bool':
      return rng.chance(0.5);
    case 'null':
      return null;
    case 'array':
      return depth > 2 ? [] : rng.pick([[], [rng.pick(oddEmails)], ['a', 'b'], [hostileValue(rng, depth + 1)], [null], [[[]]]]);
    case 'object':
      return depth > 2
        ? {}
        : rng.pick<Record<string, unknown>>([{}, { $gt: '' }, { $ne: null }, { toString: 'x' }, { length: 1 }, { a: hostileValue(rng, depth + 1) }]);
    case 'string':
      return hostileString(rng);
  }
}
