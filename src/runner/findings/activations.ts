/**
 * Activations that stop the gradient: ReLU units that are zero for every example of every call (dead), and tanh or
 * sigmoid outputs stuck near their limits (saturated), where the slope is almost zero.
 */
import type { Tensor } from "../../engine/tensor";
import type { Finding, FindingThresholds } from "../trace";
import { finding, plural } from "./context";

interface Site {
  line: number;
  /** The module whose call ran it (`model.1`), when there was one. */
  module: { id: number; name: string } | null;
}

interface ReluSite extends Site {
  units: number;
  alive: Uint8Array;
  examples: number;
}

interface SaturationSite extends Site {
  kind: "tanh" | "sigmoid";
  /** Fraction saturated in each of the latest calls. */
  latest: number[];
  /** Outputs seen in all calls. */
  seen: number;
}

const LATEST = 5;
const MIN_VALUES = 32;

function unitsOf(t: Tensor): { units: number; examples: number } {
  const n = t._data.length;
  if (t.shape.length < 2) return { units: n, examples: 1 };
  return { units: n / t.shape[0], examples: t.shape[0] };
}

export class ActivationWatch {
  private readonly relus = new Map<string, ReluSite>();
  private readonly saturations = new Map<string, SaturationSite>();

  relu(out: Tensor, line: number, module: Site["module"]): void {
    const key = module ? `m${module.id}` : `l${line}`;
    const { units, examples } = unitsOf(out);
    let site = this.relus.get(key);
    if (!site || site.units !== units) this.relus.set(key, (site = { line, module, units, alive: new Uint8Array(units), examples: 0 }));
    site.examples += examples;
    const d = out._data;
    const alive = site.alive;
    for (let i = 0; i < d.length; i++) if (d[i] > 0) alive[i % units] = 1;
  }

  saturating(out: Tensor, kind: "tanh" | "sigmoid", line: number, module: Site["module"]): void {
    const key = module ? `m${module.id}` : `l${line}:${kind}`;
    let site = this.saturations.get(key);
    if (!site) this.saturations.set(key, (site = { line, module, kind, latest: [], seen: 0 }));
    const d = out._data;
    let saturated = 0;
    if (kind === "tanh") for (let i = 0; i < d.length; i++) saturated += Math.abs(d[i]) > 0.99 ? 1 : 0;
    else for (let i = 0; i < d.length; i++) saturated += d[i] < 0.01 || d[i] > 0.99 ? 1 : 0;
    site.seen += d.length;
    site.latest.push(saturated / Math.max(d.length, 1));
    if (site.latest.length > LATEST) site.latest.shift();
  }

  findings(thresholds: FindingThresholds): Finding[] {
    const out: Finding[] = [];
    const where = (s: Site, what: string) => `${what} at line ${s.line}${s.module ? ` (${s.module.name})` : ""}`;
    for (const s of this.relus.values()) {
      let dead = 0;
      for (const a of s.alive) if (!a) dead++;
      if (s.examples < 2 || s.units < 2 || dead / s.units < thresholds.deadReluFraction) continue;
      out.push(finding("dead-relu", "warning", s.line,
        `${dead} of the ${plural(s.units, "unit")} of the ${where(s, "ReLU")} were zero for every example in every call, so they pass no gradient back.`,
        "Lower the learning rate, start biases at 0 (not large and negative), scale the weights' initialisation down, or use a leaky ReLU.",
        { modules: s.module ? [s.module.id] : [] }));
    }
    for (const s of this.saturations.values()) {
      const mean = s.latest.reduce((a, b) => a + b, 0) / Math.max(s.latest.length, 1);
      // A handful of values says little about a layer.
      if (mean < thresholds.saturationFraction || s.seen < MIN_VALUES) continue;
      const limit = s.kind === "tanh" ? "|y| > 0.99" : "y < 0.01 or y > 0.99";
      out.push(finding("saturated-activation", "warning", s.line,
        `${Math.round(mean * 100)}% of the outputs of the ${where(s, s.kind)} are saturated (${limit}), where its slope is almost 0 and the gradient through it vanishes.`,
        "Normalise the inputs, initialise the weights smaller, lower the learning rate, or use ReLU in hidden layers.",
        { modules: s.module ? [s.module.id] : [] }));
    }
    return out;
  }
}
