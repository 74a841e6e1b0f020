// micrograd's test/test_engine.py, ported: the PyTorch half of each test in Gradlens, checked against what
// micrograd's own Value engine computes (as the original asserts do), with the results printed.
import { tensor } from "gradlens";

// What micrograd's Value engine computes for the same expressions.
const micrograd = {
  sanity: { y: -20.0, xGrad: 46.0 },
  moreOps: { g: 24.70408163265306, aGrad: 138.83381924198252, bGrad: 645.5772594752186 },
};

function assert(ok: boolean, what: string): void {
  if (!ok) throw new Error(`assertion failed: ${what}`);
}

function testSanityCheck(): void {
  const x = tensor([-4.0]).double();
  x.requiresGrad = true;
  const z = x.mul(2).add(2).add(x);
  const q = z.relu().add(z.mul(x));
  const h = z.mul(z).relu();
  const y = h.add(q).add(q.mul(x));
  y.backward();
  const [xpt, ypt] = [x, y];

  // forward pass went well
  assert(micrograd.sanity.y === ypt.data.item(), "forward");
  // backward pass went well
  assert(micrograd.sanity.xGrad === xpt.grad!.item(), "backward");
  console.log(ypt.data);
  console.log(xpt.grad);
}

function testMoreOps(): void {
  const a = tensor([-4.0]).double();
  const b = tensor([2.0]).double();
  a.requiresGrad = true;
  b.requiresGrad = true;
  let c = a.add(b);
  let d = a.mul(b).add(b.pow(3));
  c = c.add(c).add(1);
  c = c.add(1).add(c).add(a.neg());
  d = d.add(d.mul(2)).add(b.add(a).relu());
  d = d.add(d.mul(3)).add(b.sub(a).relu());
  const e = c.sub(d);
  const f = e.pow(2);
  let g = f.div(2.0);
  g = g.add(f.reciprocal().mul(10.0));
  g.backward();
  const [apt, bpt, gpt] = [a, b, g];

  const tol = 1e-6;
  // forward pass went well
  assert(Math.abs(micrograd.moreOps.g - (gpt.data.item() as number)) < tol, "forward");
  // backward pass went well
  assert(Math.abs(micrograd.moreOps.aGrad - (apt.grad!.item() as number)) < tol, "backward of a");
  assert(Math.abs(micrograd.moreOps.bGrad - (bpt.grad!.item() as number)) < tol, "backward of b");
  console.log(gpt.data);
  console.log(apt.grad);
  console.log(bpt.grad);
  console.log(g.gradFn);
}

testSanityCheck();
testMoreOps();
