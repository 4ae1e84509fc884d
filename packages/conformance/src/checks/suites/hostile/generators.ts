/** Hostile input (SPEC C1, C4): the generators of strings, JSON values and numbers that break naive implementations. */
import fc from "fast-check";

// ---------------------------------------------------------------------------------------------
// Hostile values

/** Fragments that break naive key schemes, SQL, Lua, globs, JSON paths, URLs and terminals. */
export const HOSTILE_FRAGMENTS: readonly string[] = [
  "'",
  '"',
  "`",
  "%",
  "_",
  "{",
  "}",
  "{x}",
  "{}",
  "*",
  "?",
  "[a-z]",
  "[",
  "]",
  "\\",
  "\\\\",
  "\\u0000",
  "\n",
  "\r\n",
  "\t",
  " ",
  ":",
  "::",
  "/",
  ".",
  "..",
  "../",
  "a.b",
  "$",
  "$[0]",
  "$.a",
  "#",
  "|",
  ",",
  ";",
  "--",
  "/*",
  "*/",
  "'; DROP TABLE x; --",
  "%' OR '1'='1",
  '" OR ""="',
  "\\'",
  "$1",
  "NULL",
  "null",
  "undefined",
  "]]",
  "[[",
  "redis.call(",
  "redis.call('FLUSHALL')",
  "KEYS *",
  "\r\nSET x 1\r\n",
  "%s%n",
  "${x}",
  "__proto__",
  "constructor",
  "toString",
  "😀",
  "👩‍👩‍👧",
  "e\u0301",
  "é",
  "ﬁ",
  "Å",
  "A\u030a",
  "𝕏",
  "\u200b",
  "\uFEFF",
  "\u2028",
  "\u007f",
  "\u0001",
  "\uFFFD",
  "\uFFFF",
  "ÿ",
  "€",
  "a",
  "A",
  "0",
  "a".repeat(120),
  "😀".repeat(40),
];

/** Fragments that make a string invalid (SPEC C1): U+0000 and lone surrogates. */
const INVALID_FRAGMENTS: readonly string[] = ["\u0000", "\uD800", "\uDBFF", "\uDC00", "\uDFFF", "😀".slice(0, 1), "😀".slice(1)];

/** A string of hostile fragments and random characters: mostly valid, sometimes not (empty, too long, unclean). */
export const hostileString: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...HOSTILE_FRAGMENTS) },
      { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 4 }) },
      { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 3 }) },
      { weight: 1, arbitrary: fc.constantFrom(...INVALID_FRAGMENTS) },
    ),
    { minLength: 0, maxLength: 5 },
  )
  .map((parts) => parts.join(""));

/** Numbers that are out of range somewhere, or only barely in range. */
export const EXTREME_NUMBERS: readonly number[] = [
  -0,
  0,
  1,
  -1,
  0.5,
  1.5,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53 - 1),
  -(2 ** 53),
  1e308,
  -1e308,
  Number.MAX_VALUE,
  5e-324,
  0.1 + 0.2,
  1e-7,
  123456.789,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
];

export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constantFrom("", "__proto__", "constructor", "toString", "hasOwnProperty", "a.b", "$[0]", "$", "{}", "*", "'", "\\", "0", "-1") },
);

const hostileLeaf: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.constantFrom(...EXTREME_NUMBERS) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.constantFrom(true, false, null) },
);

const hostileTree: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    hostileLeaf,
    fc.array(tie("node"), { maxLength: 3 }),
    // Object.fromEntries makes every member an own data property, "__proto__" included.
    fc.array(fc.tuple(hostileKey, tie("node")), { maxLength: 3 }).map((entries) => Object.fromEntries(entries)),
  ),
})).node;

/** `value` wrapped in `depth` containers, alternating arrays and objects keyed by `key`. */
export function nestedIn(value: unknown, depth: number, key = "a", shape: "array" | "object" | "mixed" = "mixed"): unknown {
  let node = value;
  for (let i = 0; i < depth; i++) {
    const array = shape === "array" || (shape === "mixed" && i % 2 === 0);
    node = array ? [node] : Object.fromEntries([[key, node]]);
  }
  return node;
}

/** A hostile JSON value, sometimes nested right around the 256-level limit. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: hostileTree },
  {
    weight: 1,
    arbitrary: fc
      .tuple(hostileLeaf, fc.constantFrom(254, 255, 256, 257, 300), hostileKey, fc.constantFrom<"array" | "object" | "mixed">("array", "object", "mixed"))
      .map(([leaf, depth, key, shape]) => nestedIn(leaf, depth, key, shape)),
  },
);

/** Numbers for numeric parameters: mostly the extreme ones, some arbitrary doubles and integers. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...EXTREME_NUMBERS) }, { weight: 1, arbitrary: fc.double() }, { weight: 1, arbitrary: fc.integer() });
