/** The notebook Gradlens: New Notebook writes: a few cells that show shared state, Out[n], backward() and the graph. */
import type { Notebook } from "../../runner/notebook/ipynb";

const cell = (id: string, cellType: "code" | "markdown", source: string) =>
  cellType === "code"
    ? { cell_type: cellType, id, metadata: {}, source, outputs: [], execution_count: null }
    : { cell_type: cellType, id, metadata: {}, source };

export function newNotebook(): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "gradlens", display_name: "Gradlens (TypeScript)", language: "typescript" },
      language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/typescript" },
    },
    cells: [
      cell("intro", "markdown", "# Autograd, cell by cell\n\nRun the cells with the **Gradlens (TypeScript)** kernel. Each cell sees what the cells above it made; under a cell that builds a graph or calls `backward()`, Gradlens draws its `grad_fn` graph and checks every gradient numerically."),
      cell("imports", "code", 'import * as torch from "gradlens";\nimport { F } from "gradlens";'),
      cell("leaf", "code", "const x = torch.tensor([[1, 2], [3, 4]], { requiresGrad: true });\nx"),
      cell("forward", "code", "const y = x.add(2).mul(x.sub(2)).sum();\ny"),
      cell("backward-md", "markdown", "`y = Σ (x + 2)(x − 2) = Σ (x² − 4)`, so `dy/dx = 2x`."),
      cell("backward", "code", "y.backward();\nx.grad"),
      cell("loss", "code", "const w = torch.tensor([0.5, -1], { requiresGrad: true });\nconst loss = F.mseLoss(x.matmul(w).tanh(), torch.tensor([1, 0]));\nloss.backward();\nconsole.log(loss);\nw.grad"),
    ],
  };
}
