/**
 * Instrumentation by insertion: each statement first tells the recorder its line (`__gl.l(12);`), each declaration or
 * assignment hands its value to the recorder with the variable's name (`__gl.b(value, "x1", 12, 7)`), and each
 * function restores its caller's line when it returns. Only text within lines is added, so lines never move.
 */
import { type Node, Parser } from "acorn";
import { ancestor } from "acorn-walk";
import { SnippetSyntaxError } from "./transpile";

interface Edit {
  at: number;
  text: string;
  /** Lower first, for edits at the same position (a closing wrapper before the next statement's marker). */
  order: number;
}

/** acorn's nodes, read field by field: the walk below looks at a handful of node types only. */
type AnyNode = Node & Record<string, unknown>;

function lineOf(n: Node): number {
  return n.loc!.start.line;
}

function colOf(n: Node): number {
  return n.loc!.start.column + 1;
}

const asAny = (n: unknown) => n as AnyNode;

const ALLOWED = "Snippets can import from \"gradlens\" and relative .ts files";

export function instrument(js: string, file: string): string {
  const ast = Parser.parse(js, { ecmaVersion: "latest", sourceType: "module", locations: true, allowAwaitOutsideFunction: true }) as unknown as AnyNode;
  const edits: Edit[] = [];
  const replacements: Array<{ start: number; end: number; text: string }> = [];
  const replaceRange = (start: number, end: number, text: string) => {
    // Keep the newlines of what is replaced, so the lines after stay where they were.
    const newlines = js.slice(start, end).split("\n").length - 1;
    replacements.push({ start, end, text: text + "\n".repeat(newlines) });
  };

  const body = ast.body as AnyNode[];
  for (const stmt of body) {
    if (stmt.type === "ImportDeclaration") importStatement(stmt, file, replaceRange);
    else if (stmt.type === "ExportNamedDeclaration" || stmt.type === "ExportDefaultDeclaration") {
      const decl = stmt.declaration as AnyNode | null;
      if (decl) replaceRange(stmt.start, decl.start, "");
      else replaceRange(stmt.start, stmt.end, "");
    } else if (stmt.type === "ExportAllDeclaration") replaceRange(stmt.start, stmt.end, "");
  }

  const markStatements = (list: AnyNode[]) => {
    for (const s of list) {
      if (s.type === "ImportDeclaration" || s.type === "FunctionDeclaration" || s.type === "EmptyStatement") continue;
      const target = s.type === "ExportNamedDeclaration" || s.type === "ExportDefaultDeclaration" ? (s.declaration as AnyNode | null) : s;
      if (!target) continue;
      // A declaration `const x = ...` keeps `const` first: the marker goes before the whole statement.
      edits.push({ at: target.start, text: `__gl.l(${lineOf(target)});`, order: 1 });
    }
  };
  markStatements(body);

  ancestor(ast as unknown as Node, {
    BlockStatement(n) {
      markStatements(asAny(n).body as AnyNode[]);
    },
    SwitchCase(n) {
      markStatements(asAny(n).consequent as AnyNode[]);
    },
    StaticBlock(n) {
      markStatements(asAny(n).body as AnyNode[]);
    },
    VariableDeclarator(n) {
      const d = asAny(n);
      const id = d.id as AnyNode;
      const init = d.init as AnyNode | null;
      if (!init || isFunctionLike(init)) return;
      const name = id.type === "Identifier" ? JSON.stringify(id.name) : "null";
      wrap(init, name, edits);
    },
    AssignmentExpression(n) {
      const a = asAny(n);
      const left = a.left as AnyNode;
      if (a.operator !== "=" || left.type !== "Identifier" || isFunctionLike(a.right as AnyNode)) return;
      wrap(a.right as AnyNode, JSON.stringify(left.name), edits);
    },
    Function(n) {
      const f = asAny(n);
      const fbody = f.body as AnyNode;
      if (fbody.type !== "BlockStatement") return;
      // The caller's line comes back when the function returns (or throws), for the ops after the call.
      edits.push({ at: fbody.start + 1, text: "const __saved=__gl.e();try{", order: 0 });
      edits.push({ at: fbody.end - 1, text: "}finally{__gl.x(__saved);}", order: 0 });
    },
  });

  return apply(js, edits, replacements);
}

function isFunctionLike(n: AnyNode): boolean {
  return n.type === "ArrowFunctionExpression" || n.type === "FunctionExpression" || n.type === "ClassExpression";
}

function wrap(value: AnyNode, name: string, edits: Edit[]): void {
  edits.push({ at: value.start, text: "__gl.b((", order: 2 });
  edits.push({ at: value.end, text: `),${name},${lineOf(value)},${colOf(value)})`, order: -2 });
}

function importStatement(stmt: AnyNode, file: string, replace: (start: number, end: number, text: string) => void): void {
  const source = (stmt.source as AnyNode).value as string;
  const specifiers = stmt.specifiers as AnyNode[];
  let target: string;
  if (source === "gradlens") target = "__gradlens";
  else if (source.startsWith("./") || source.startsWith("../")) target = `__require(${JSON.stringify(source)})`;
  else throw new SnippetSyntaxError(`${ALLOWED}: cannot import "${source}" (${file}:${lineOf(stmt)})`, lineOf(stmt), colOf(stmt));
  const parts: string[] = [];
  const named: string[] = [];
  for (const s of specifiers) {
    const local = (s.local as AnyNode).name as string;
    if (s.type === "ImportNamespaceSpecifier" || s.type === "ImportDefaultSpecifier") parts.push(`const ${local}=${target};`);
    else {
      const imported = (s.imported as AnyNode).name as string;
      named.push(imported === local ? local : `${imported}:${local}`);
    }
  }
  if (named.length) parts.push(`const {${named.join(",")}}=${target};`);
  replace(stmt.start, stmt.end, parts.join(""));
}

function apply(js: string, edits: Edit[], replacements: Array<{ start: number; end: number; text: string }>): string {
  const inserts = edits.slice();
  inserts.sort((a, b) => a.at - b.at || a.order - b.order);
  replacements.sort((a, b) => a.start - b.start);
  let out = "";
  let pos = 0;
  let i = 0;
  for (const r of [...replacements, { start: js.length, end: js.length, text: "" }]) {
    while (i < inserts.length && inserts[i].at <= r.start) {
      if (inserts[i].at >= pos) {
        out += js.slice(pos, inserts[i].at) + inserts[i].text;
        pos = inserts[i].at;
      }
      i++;
    }
    out += js.slice(pos, r.start) + r.text;
    pos = r.end;
    // Inserts inside a replaced range are dropped with it.
    while (i < inserts.length && inserts[i].at < r.end) i++;
  }
  return out;
}
