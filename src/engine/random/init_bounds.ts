/**
 * The bounds nn.Linear draws its initial parameters from, computed in double exactly as torch.nn.init does
 * (PyTorch 1.13): the weight by kaiming_uniform_(w, a=sqrt(5)), the bias uniform in ±1/sqrt(fan_in). The weight's
 * bound is close to, but not always the same double as, the bias's: sqrt(5)^2 is 5.000000000000001.
 */

/** kaiming_uniform_'s bound for the leaky_relu gain with negative slope `a`: sqrt(3) * gain / sqrt(fan_in). */
export function kaimingUniformBound(fanIn: number, a = Math.sqrt(5)): number {
  const gain = Math.sqrt(2.0 / (1 + a * a));
  const std = gain / Math.sqrt(fanIn);
  return Math.sqrt(3.0) * std;
}

/** nn.Linear(inFeatures, out).reset_parameters(): weight ~ U(-weight, weight), then bias ~ U(-bias, bias), both
 * drawn with uniform_ from the same generator, weight first. A layer with no inputs gets a zero bias bound, as in
 * PyTorch. */
export function linearInitBounds(inFeatures: number): { weight: number; bias: number } {
  return {
    weight: kaimingUniformBound(inFeatures),
    bias: inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0,
  };
}
