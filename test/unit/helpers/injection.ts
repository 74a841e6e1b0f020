/** A snippet that injects markup through everything it controls: an op's class name, console text, an error message. */
export const EVIL_NAME = "</script><img src=x onerror=alert(1)>";
export const EVIL_MESSAGE = "<img src=x onerror=alert(2)> **bold** [quit](command:workbench.action.quit) `tick`";

export const EVIL_SNIPPET = [
  'import { autograd, tensor, type Tensor } from "gradlens";',
  "class Evil extends autograd.Function {",
  "  static forward(_ctx: autograd.FunctionCtx, x: Tensor) { return x.mul(2); }",
  "  static backward(_ctx: autograd.FunctionCtx, g: Tensor) { return g.mul(2); }",
  "}",
  `Object.defineProperty(Evil, "name", { value: ${JSON.stringify(EVIL_NAME)} });`,
  "const x = tensor([1, 2], { requiresGrad: true });",
  "const y = Evil.apply(x).sum();",
  "y.backward();",
  'console.log("<script>alert(3)</script>");',
  `throw new Error(${JSON.stringify(EVIL_MESSAGE)});`,
].join("\n");
