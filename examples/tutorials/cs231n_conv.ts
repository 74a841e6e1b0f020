// cs231n (Stanford), assignment 2, "Convolutional Networks", in Gradlens: the naive convolution layer, forward and
// backward written with loops (float64, as the assignment's numpy computes), checked against the assignment's
// expected output and against autograd through F.conv2d. It prints what the same program prints under PyTorch 1.13;
// PyTorch's float64 convolution sums in BLAS's order and Gradlens's in its own, so the rounding-level errors against
// F.conv2d agree only to within rounding (test/unit/tutorials.test.ts says which lines).
import { F, linspace, manualSeed, randn, tensor, zeros, zerosLike, type Tensor } from "gradlens";

/** returns relative error */
function relError(x: Tensor, y: Tensor): number {
  return x.sub(y).abs().div(x.abs().add(y.abs()).clamp(1e-8)).max().item();
}

interface ConvParam {
  stride: number;
  pad: number;
}

type ConvCache = [x: Tensor, w: Tensor, b: Tensor, convParam: ConvParam];

/**
 * A naive implementation of the forward pass for a convolutional layer: N data points, each with C channels,
 * height H and width W, convolved with F different filters of C channels, height HH and width WW.
 */
function convForwardNaive(x: Tensor, w: Tensor, b: Tensor, convParam: ConvParam): [Tensor, ConvCache] {
  const { stride, pad } = convParam;
  const [N, , H, W] = x.shape;
  const [F_, , HH, WW] = w.shape;
  const Hout = 1 + Math.floor((H + 2 * pad - HH) / stride);
  const Wout = 1 + Math.floor((W + 2 * pad - WW) / stride);
  const xPad = F.pad(x, [pad, pad, pad, pad]);
  const out = zeros([N, F_, Hout, Wout], { dtype: x.dtype });
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F_; f++) {
      for (let i = 0; i < Hout; i++) {
        for (let j = 0; j < Wout; j++) {
          const window = xPad.index(`${n}, :, ${i * stride}:${i * stride + HH}, ${j * stride}:${j * stride + WW}`);
          out.indexPut_([n, f, i, j], window.mul(w.index([f])).sum().add(b.index([f])));
        }
      }
    }
  }
  return [out, [x, w, b, convParam]];
}

/** A naive implementation of the backward pass for a convolutional layer. */
function convBackwardNaive(dout: Tensor, cache: ConvCache): [Tensor, Tensor, Tensor] {
  const [x, w, , convParam] = cache;
  const { stride, pad } = convParam;
  const [, , H, W] = x.shape;
  const [F_, , HH, WW] = w.shape;
  const [N, , Hout, Wout] = dout.shape;
  const xPad = F.pad(x, [pad, pad, pad, pad]);
  const dxPad = zerosLike(xPad);
  const dw = zerosLike(w);
  const db = dout.sum([0, 2, 3]);
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F_; f++) {
      for (let i = 0; i < Hout; i++) {
        for (let j = 0; j < Wout; j++) {
          const [hs, ws] = [i * stride, j * stride];
          const window = xPad.index(`${n}, :, ${hs}:${hs + HH}, ${ws}:${ws + WW}`);
          dw.index([f]).add_(window.mul(dout.index([n, f, i, j])));
          dxPad.index(`${n}, :, ${hs}:${hs + HH}, ${ws}:${ws + WW}`).add_(w.index([f]).mul(dout.index([n, f, i, j])));
        }
      }
    }
  }
  const dx = dxPad.index(`:, :, ${pad}:${pad + H}, ${pad}:${pad + W}`);
  return [dx, dw, db];
}

const f64 = { dtype: "float64" } as const;
let x = linspace(-0.1, 0.5, 96, f64).reshape(2, 3, 4, 4);
let w = linspace(-0.2, 0.3, 144, f64).reshape(3, 3, 4, 4);
let b = linspace(-0.1, 0.2, 3, f64);

let convParam = { stride: 2, pad: 1 };
const [out] = convForwardNaive(x, w, b, convParam);
const correctOut = tensor([[[[-0.08759809, -0.10987781],
  [-0.18387192, -0.2109216]],
[[0.21027089, 0.21661097],
  [0.22847626, 0.23004637]],
[[0.50813986, 0.54309974],
  [0.64082444, 0.67101435]]],
[[[-0.98053589, -1.03143541],
  [-1.19128892, -1.24695841]],
[[0.69108355, 0.66880383],
  [0.59480972, 0.56776003]],
[[2.36270298, 2.36904306],
  [2.38090835, 2.38247847]]]], f64);

// Compare your output to ours; difference should be around e-8
console.log("Testing conv_forward_naive");
console.log("difference: ", relError(out, correctOut));
console.log("difference from F.conv2d: ", relError(out, F.conv2d(x, w, b, { stride: 2, padding: 1 })));

// The naive backward pass, against autograd through F.conv2d.
manualSeed(231);
x = randn([4, 3, 5, 5], f64);
w = randn([2, 3, 3, 3], f64);
b = randn(2, f64);
const dout = randn([4, 2, 5, 5], f64);
convParam = { stride: 1, pad: 1 };

const [, cache] = convForwardNaive(x, w, b, convParam);
const [dx, dw, db] = convBackwardNaive(dout, cache);

const [xa, wa, ba] = [x, w, b].map((t) => t.clone().requiresGrad_(true));
F.conv2d(xa, wa, ba, { stride: 1, padding: 1 }).backward(dout);

// Your errors should be around e-8 or less.
console.log("Testing conv_backward_naive function");
console.log("dx error: ", relError(dx, xa.grad!));
console.log("dw error: ", relError(dw, wa.grad!));
console.log("db error: ", relError(db, ba.grad!));
