/**
 * A notebook cell → a script that runs it in its notebook's session, with every line where the user wrote it.
 *
 * Cells share state as in a REPL: what a cell declares at its top level (`const`, `let`, `var`, `function`, `class`,
 * `import`) lives in the session's scope object, and every cell runs inside `with (scope)`, so a later cell reads and
 * assigns those names, and a function defined in one cell sees the current values of names defined in any other.
 * Declarations become assignments to the scope (`const x = e` → `x = e`, which the instrumentation then names as
 * usual); re-running a cell declares its names again, as a REPL allows. A `const` stays constant after its
 * declaration ran: assigning it throws JavaScript's own TypeError. The cell's last expression statement (unless it is
 * an assignment) is handed to the kernel as the cell's value, which the notebook shows as Jupyter shows `Out[n]`.
 *
 * Like the snippet transpiler (../transpile.ts), it only inserts text within lines: sucrase strips the types, this
 * pass and the instrumentation add text, and no line moves.
 */
import { type Node, Parser } from "acorn";
import { simple } from "acorn-walk";
import { SnippetSyntaxError, instrumentUserCode, stripTypes, syntaxError, type SyntaxErrorWording } from "../transpile";

/** The global through which the kernel hands a cell its arguments, so that the call itself runs inside the script
 * (and so inside its time limit and its SIGINT handling). */
export const CELL_ARGS_GLOBAL = "__gradlensCellArgs";

export interface TranspiledCell {
  /** A script: evaluating it calls the cell and yields its promise. */
  code: string;
  /** Offset to give vm so that columns on the cell's first line are the user's. */
  columnOffset: number;
  /** The names the cell declares at its top level, in order. */
  declared: string[];
}

/** acorn's nodes, read field by field. */
type AnyNode = Node & Record<string, unknown>;
const asAny = (n: unknown) => n as AnyNode;

interface Edit {
  start: number;
  end: number;
  text: string;
}

// The cell's output says which cell an error is in already.
const CELL_WORDING: SyntaxErrorWording = { dropFileName: true };

const ALLOWED = "Snippets can import from \"gradlens\" and relative .ts files";

export function transpileCell(source: string, file: string): TranspiledCell {
  const js = stripTypes(source, file, CELL_WORDING);
  let ast: AnyNode;
  try {
    ast = Parser.parse(js, { ecmaVersion: "latest", sourceType: "module", locations: true, allowAwaitOutsideFunction: true }) as unknown as AnyNode;
  } catch (e) {
    throw syntaxError(e, js, CELL_WORDING);
  }
  const { body, declared, functions } = rewrite(js, ast, file);
  const instrumented = instrumentUserCode(body, file, CELL_WORDING);
  const exportsOfFunctions = functions.map((f) => `__cell.scope[${JSON.stringify(f)}]=${f};`).join("");
  const prefix = `(async function (__gl, __gradlens, __require, console, __cell) {with (__cell.scope) {__cell.declare(${JSON.stringify([...declared, ...functions])});${exportsOfFunctions}`;
  const suffix = `\n}}).apply(undefined, globalThis.${CELL_ARGS_GLOBAL})`;
  return { code: prefix + instrumented + suffix, columnOffset: -prefix.length, declared: [...declared, ...functions] };
}

/** Top-level declarations → assignments to the scope; the last expression → the cell's value. */
function rewrite(js: string, ast: AnyNode, file: string): { body: string; declared: string[]; functions: string[] } {
  const edits: Edit[] = [];
  const declared: string[] = [];
  const functions: string[] = [];
  const declare = (names: string[]) => {
    for (const n of names) if (!declared.includes(n)) declared.push(n);
  };
  const statements = ast.body as AnyNode[];
  const handled = new Set<AnyNode>();
  for (const statement of statements) {
    let s = statement;
    if (s.type === "ExportNamedDeclaration" || s.type === "ExportDefaultDeclaration") {
      const declaration = s.declaration as AnyNode | null;
      if (!declaration) {
        edits.push({ start: s.start, end: s.end, text: "" });
        continue;
      }
      edits.push({ start: s.start, end: declaration.start, text: "" });
      s = declaration;
    } else if (s.type === "ExportAllDeclaration") {
      edits.push({ start: s.start, end: s.end, text: "" });
      continue;
    }
    if (s.type === "ImportDeclaration") declare(importToAssignment(s, file, edits));
    else if (s.type === "VariableDeclaration") {
      handled.add(s);
      const names = declarationToAssignment(js, s, edits, true);
      declare(names);
      if (s.kind === "const" && names.length) edits.push({ start: s.end, end: s.end, text: `;__cell.lock(${JSON.stringify(names)});` });
    } else if (s.type === "FunctionDeclaration" && s.id) {
      const name = asAny(s.id).name as string;
      if (!functions.includes(name)) functions.push(name);
    } else if (s.type === "ClassDeclaration" && s.id) {
      const name = asAny(s.id).name as string;
      declare([name]);
      edits.push({ start: s.start, end: s.start, text: `${name} = ` }, { start: s.end, end: s.end, text: ";" });
    }
  }
  // `var` anywhere outside a function belongs to the cell's top level too (a loop's `for (var i …)`).
  for (const v of topLevelVars(ast, handled)) declare(declarationToAssignment(js, v, edits, false));
  const last = statements[statements.length - 1];
  if (last?.type === "ExpressionStatement" && asAny(last.expression).type !== "AssignmentExpression") {
    const expression = asAny(last.expression);
    edits.push({ start: expression.start, end: expression.start, text: `__cell.result((` }, { start: expression.end, end: expression.end, text: `), ${JSON.stringify(nameOf(js, expression))})` });
  }
  return { body: apply(js, edits), declared: declared.filter((n) => !functions.includes(n)), functions };
}

function importToAssignment(s: AnyNode, file: string, edits: Edit[]): string[] {
  const source = asAny(s.source).value as string;
  let target: string;
  if (source === "gradlens") target = "__gradlens";
  else if (source.startsWith("./") || source.startsWith("../")) target = `__require(${JSON.stringify(source)})`;
  else {
    const line = s.loc!.start.line;
    throw new SnippetSyntaxError(`${ALLOWED}: cannot import "${source}" (${file}:${line})`, line, s.loc!.start.column + 1);
  }
  const names: string[] = [];
  const parts: string[] = [];
  const named: string[] = [];
  for (const spec of s.specifiers as AnyNode[]) {
    const local = asAny(spec.local).name as string;
    names.push(local);
    if (spec.type === "ImportNamespaceSpecifier" || spec.type === "ImportDefaultSpecifier") parts.push(`${local}=${target};`);
    else {
      const imported = asAny(spec.imported).name as string;
      named.push(imported === local ? local : `${imported}:${local}`);
    }
  }
  if (named.length) parts.push(`({${named.join(",")}}=${target});`);
  // An import with nothing named still loads the module (a relative file run for its effects).
  if (!parts.length) parts.push(`${target};`);
  edits.push({ start: s.start, end: s.end, text: ";" + parts.join("") + newlinesIn(s) });
  return names;
}

/** Removes the keyword, turns each declarator into an assignment; returns the names it declared. */
function declarationToAssignment(js: string, d: AnyNode, edits: Edit[], statement: boolean): string[] {
  const declarators = d.declarations as AnyNode[];
  const names: string[] = [];
  const first = declarators[0];
  edits.push({ start: d.start, end: first.start, text: statement ? ";" : "" });
  for (const decl of declarators) {
    const id = asAny(decl.id);
    names.push(...patternNames(id));
    const init = decl.init as AnyNode | null;
    if (!init) {
      // `let x;` (re)sets x; `for (var x of xs)` keeps its target as it is.
      if (!isForInOfTarget(d, js)) edits.push({ start: id.end, end: id.end, text: " = undefined" });
    } else if (id.type === "ObjectPattern") {
      // `{a} = o` alone would be a block: an object pattern's assignment goes in parentheses.
      edits.push({ start: decl.start, end: decl.start, text: "(" }, { start: decl.end, end: decl.end, text: ")" });
    }
  }
  return names;
}

function isForInOfTarget(d: AnyNode, js: string): boolean {
  // A declaration without initializer directly followed by `of`/`in` is a for-in/of head.
  return /^\s*(of|in)\b/.test(js.slice(d.end, d.end + 8));
}

function patternNames(p: AnyNode | null): string[] {
  if (!p) return [];
  switch (p.type) {
    case "Identifier":
      return [p.name as string];
    case "ObjectPattern":
      return (p.properties as AnyNode[]).flatMap((prop) => patternNames(prop.type === "RestElement" ? asAny(prop.argument) : asAny(prop.value)));
    case "ArrayPattern":
      return (p.elements as Array<AnyNode | null>).flatMap((e) => patternNames(e));
    case "RestElement":
      return patternNames(asAny(p.argument));
    case "AssignmentPattern":
      return patternNames(asAny(p.left));
    default:
      return [];
  }
}

/** `var` declarations that are not inside any function (the top-level ones are handled with the other kinds). */
function topLevelVars(ast: AnyNode, handled: ReadonlySet<AnyNode>): AnyNode[] {
  const inFunctions = new Set<AnyNode>();
  simple(ast as unknown as Node, {
    Function(n) {
      simple(asAny(n).body as unknown as Node, {
        VariableDeclaration(v) {
          inFunctions.add(asAny(v));
        },
      });
    },
  });
  const found: AnyNode[] = [];
  simple(ast as unknown as Node, {
    VariableDeclaration(v) {
      const d = asAny(v);
      if (d.kind === "var" && !inFunctions.has(d) && !handled.has(d)) found.push(d);
    },
  });
  return found;
}

/** The expression as the user wrote it, when short enough to name a value (`x.grad`). */
function nameOf(js: string, e: AnyNode): string | null {
  const text = js.slice(e.start, e.end);
  return text.length <= 40 && !text.includes("\n") ? text : null;
}

function newlinesIn(n: AnyNode): string {
  return "\n".repeat(n.loc!.end.line - n.loc!.start.line);
}

function apply(js: string, edits: Edit[]): string {
  const sorted = edits.slice().sort((a, b) => a.start - b.start || a.end - b.end);
  let out = "";
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos) continue;
    // Replaced text keeps its newlines, so the lines after stay where they were.
    const removed = js.slice(e.start, e.end);
    const keep = e.text.includes("\n") ? "" : "\n".repeat(removed.split("\n").length - 1);
    out += js.slice(pos, e.start) + e.text + keep;
    pos = e.end;
  }
  return out + js.slice(pos);
}
