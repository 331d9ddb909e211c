/**
 * Model patterns are Java regular expressions, and AWS services check them with Java's `matches()`, which
 * must match the whole value. This turns one into a JavaScript RegExp with the same meaning for the
 * constructs the AWS models use; what has no JavaScript equivalent (class intersections `&&`, `(?x)`,
 * Unicode blocks) is reported as untranslatable rather than guessed.
 */

/** Java's POSIX character classes (US-ASCII only, as Java defines them), as class contents. */
const POSIX: Record<string, string> = {
  Lower: "a-z",
  Upper: "A-Z",
  ASCII: "\\x00-\\x7F",
  Alpha: "a-zA-Z",
  Digit: "0-9",
  Alnum: "a-zA-Z0-9",
  Punct: "!-\\/:-@\\[-`{-~",
  Graph: "!-~",
  Print: " -~",
  Blank: " \\t",
  Cntrl: "\\x00-\\x1F\\x7F",
  XDigit: "0-9a-fA-F",
  Space: " \\t\\n\\x0B\\f\\r",
};

/** java.lang.Character classes and `Is…` properties that map onto a Unicode property. */
const JAVA_PROPERTIES: Record<string, string> = {
  javaLowerCase: "\\p{Ll}",
  javaUpperCase: "\\p{Lu}",
  javaWhitespace: "\\s",
  javaLetter: "\\p{L}",
  javaDigit: "\\p{Nd}",
  javaLetterOrDigit: "\\p{L}\\p{Nd}",
  IsAlphabetic: "\\p{Alphabetic}",
  IsLetter: "\\p{L}",
  IsDigit: "\\p{Nd}",
  IsWhite_Space: "\\p{White_Space}",
  IsUppercase: "\\p{Uppercase}",
  IsLowercase: "\\p{Lowercase}",
};

const HORIZONTAL_SPACE = " \\t\\xA0\\u1680\\u180E\\u2000-\\u200A\\u202F\\u205F\\u3000";
/** Characters that JavaScript's `u` mode lets a backslash escape (outside a class; inside, `-` too). */
const JS_ESCAPABLE = new Set([..."^$\\.*+?()[]{}|/"]);

export class UntranslatablePattern extends Error {}

function escapeLiteral(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}

/** Java regex source → JavaScript source (for the `u` flag) and flags. Throws UntranslatablePattern. */
function translateJavaRegex(pattern: string): { source: string; flags: string } {
  let src = pattern;
  let flags = "";
  const inline = /^\(\?([imsx]+)\)/.exec(src);
  if (inline) {
    const f = inline[1] ?? "";
    if (f.includes("x")) throw new UntranslatablePattern("comments mode (?x) has no JavaScript equivalent");
    flags = f;
    src = src.slice(inline[0].length);
  }
  let out = "";
  let inClass = false;
  // Whether the last thing emitted was a quantifier, so that a following `+` makes it possessive.
  let afterQuantifier = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (c === "\\") {
      afterQuantifier = false;
      const n = src[i + 1];
      if (n === undefined) throw new UntranslatablePattern("trailing backslash");
      if (n === "p" || n === "P") {
        const m = /^\{([^}]+)\}/.exec(src.slice(i + 2));
        if (!m) {
          out += `\\${n}`;
          i++;
          continue;
        }
        out += property(n === "P", m[1] as string, inClass);
        i += 1 + m[0].length;
        continue;
      }
      if (n === "Q") {
        const end = src.indexOf("\\E", i + 2);
        const literal = src.slice(i + 2, end === -1 ? undefined : end);
        out += escapeLiteral(literal);
        i = end === -1 ? src.length : end + 1;
        continue;
      }
      i++;
      if (!inClass && n === "A") out += "^";
      else if (!inClass && n === "z") out += "$";
      else if (!inClass && n === "Z") out += "(?=\\n?$)";
      else if (n === "h") out += inClass ? HORIZONTAL_SPACE : `[${HORIZONTAL_SPACE}]`;
      else if (/[a-zA-Z0-9]/.test(n)) out += `\\${n}`;
      else if (JS_ESCAPABLE.has(n) || (inClass && n === "-")) out += `\\${n}`;
      // Java lets any other punctuation be escaped; JavaScript's `u` mode rejects that, and it means the character.
      else out += n;
      continue;
    }
    if (inClass) {
      afterQuantifier = false;
      if (c === "&" && src[i + 1] === "&") throw new UntranslatablePattern("class intersection (&&)");
      if (c === "[") throw new UntranslatablePattern("nested character class");
      if (c === "]") inClass = false;
      out += c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      // A `]` right after `[` or `[^` is a literal in Java, but ends an empty class in JavaScript.
      if (src[i + 1] === "^") {
        out += "^";
        i++;
      }
      if (src[i + 1] === "]") {
        out += "\\]";
        i++;
      }
      continue;
    }
    if (c === "(" && src.startsWith("(?>", i)) {
      // Atomic groups only change backtracking; for a yes/no match a plain group accepts the same strings
      // except in contrived cases.
      out += "(?:";
      i += 2;
      continue;
    }
    if (c === "*" || c === "+" || c === "?") {
      if (afterQuantifier && c === "+") {
        // Possessive quantifier: same reasoning as atomic groups.
        afterQuantifier = false;
        continue;
      }
      // `x??` is a lazy quantifier, not a second one.
      const lazy: boolean = afterQuantifier && c === "?";
      out += c;
      afterQuantifier = !lazy;
      continue;
    }
    const counted = c === "{" ? /^\{\d+(?:,\d*)?\}/.exec(src.slice(i)) : null;
    if (counted) {
      out += counted[0];
      i += counted[0].length - 1;
      afterQuantifier = true;
      continue;
    }
    afterQuantifier = false;
    out += c;
  }
  if (inClass) throw new UntranslatablePattern("unterminated character class");
  return { source: out, flags };
}

function property(negated: boolean, name: string, inClass: boolean): string {
  const posix = POSIX[name] ?? POSIX[name.replace(/^Is/, "")];
  if (posix !== undefined) {
    if (negated && inClass) throw new UntranslatablePattern(`negated \\P{${name}} inside a class`);
    if (inClass) return posix;
    return `[${negated ? "^" : ""}${posix}]`;
  }
  const java = JAVA_PROPERTIES[name];
  if (java !== undefined) {
    if (negated && inClass) throw new UntranslatablePattern(`negated \\P{${name}} inside a class`);
    if (inClass) return java;
    return `[${negated ? "^" : ""}${java}]`;
  }
  if (/^In[A-Z]/.test(name) || name.startsWith("block=")) {
    throw new UntranslatablePattern(`Unicode block \\p{${name}}`);
  }
  const script = /^Is([A-Z][a-z]+)$/.exec(name);
  if (script) return `\\${negated ? "P" : "p"}{Script=${script[1]}}`;
  // General categories (L, Lu, N, Z, …) are spelled the same in both languages.
  return `\\${negated ? "P" : "p"}{${name}}`;
}

/**
 * A RegExp that accepts exactly the values Java's `Pattern.matches()` accepts, or an error saying why the
 * pattern cannot be used from JavaScript.
 */
export function compileJavaPattern(pattern: string): { regex: RegExp } | { error: string } {
  let translated: { source: string; flags: string };
  try {
    translated = translateJavaRegex(pattern);
  } catch (e) {
    return { error: (e as Error).message };
  }
  const anchored = `^(?:${translated.source})$`;
  try {
    return { regex: new RegExp(anchored, `${translated.flags}u`) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}
