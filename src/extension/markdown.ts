/**
 * Text from a snippet (tensor names, op names, messages, printed values) put into Markdown as text, never as markup:
 * a name like `<img src=x onerror=…>` or `[run](command:…)` must show as those characters. Pure, so it is tested
 * without VS Code.
 */

/** Every ASCII punctuation character backslash-escaped (CommonMark allows it for all of them), newlines kept. */
export function markdownText(s: string): string {
  return s.replace(/[!-/:-@[-`{-~]/g, "\\$&").replace(/\r?\n/g, "  \n");
}

/** A fenced code block that its content cannot close: the fence is longer than any run of backticks inside. */
export function markdownCode(code: string, language = ""): string {
  const longest = Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `\n${fence}${language}\n${code}\n${fence}\n`;
}

/** Inline code that its content cannot close (CommonMark: a longer backtick string, padded if it starts or ends
 * with a backtick). */
export function markdownInlineCode(code: string): string {
  const longest = Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = "`".repeat(longest + 1);
  const pad = code.startsWith("`") || code.endsWith("`") ? " " : "";
  return `${ticks}${pad}${code.replace(/\r?\n/g, " ")}${pad}${ticks}`;
}
