/** The findings of one run: each watch sees its part of the run, and at the end says what looks wrong. */
export { ActivationWatch } from "./activations";
export { type Names } from "./context";
export { CutGraphWatch, type CutHow } from "./cutGraph";
export { NonFiniteWatch } from "./nonFinite";
export { OptimizerWatch } from "./optimizer";
export { ShapeWatch } from "./shapes";
export { trainingFindings, type TrainingFacts } from "./training";
import type { Finding } from "../trace";

/** Warnings first, then by line. */
export function sortFindings(findings: Finding[]): Finding[] {
  const rank = (f: Finding) => (f.severity === "warning" ? 0 : 1);
  return findings.sort((a, b) => rank(a) - rank(b) || (a.at?.line ?? 0) - (b.at?.line ?? 0));
}
