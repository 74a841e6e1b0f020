// Views and indexing, as PyTorch has them: basic indexing gives views (no copy), advanced indexing gives copies, and
// an in-place write through a view reaches its base, whose history becomes CopySlices.
import { arange, F, manualSeed, randn, Slice, tensor } from "gradlens";

manualSeed(0);
const x = randn(3, 4, { requiresGrad: true });

// Basic indexing: views of x's values (Python: x[0], x[:, 1:3], x[::2], x[None, ..., 0]).
const row = x.index([0]);
const cols = x.index([Slice(), Slice(1, 3)]);
const everyOther = x.index("::2");
const lastCol = x.index([null, "...", -1]);
console.log(row, cols.stride(), everyOther.shape, lastCol.shape);

// Advanced indexing: copies (Python: C[Xb] for an embedding table, logprobs[range(n), Yb]).
const C = randn(27, 2);
const Xb = tensor([[5, 13, 13], [0, 0, 5]], { dtype: "int64" });
const emb = C.index([Xb]);
console.log(emb.shape);

const logprobs = F.logSoftmax(x, 1);
const Yb = tensor([3, 0, 1], { dtype: "int64" });
const picked = logprobs.index([arange(3), Yb]);
const loss = picked.mean().neg();
console.log(loss);

// A mask: x[x > 0].
console.log(x.index([x.gt(0)]).shape);

// An in-place write through a view changes the base, and the base's grad_fn becomes CopySlices.
const y = x.mul(1);
y.index([Slice(), Slice(1)]).add_(1); // Python: y[:, 1:] += 1
y.index([0]).mul_(10); // Python: y[0] *= 10
console.log(y);
const total = y.sum().add(loss);
total.backward();
console.log(x.grad);

// Writing into a view of a leaf that requires grad is refused, with PyTorch's message.
try {
  x.index([0]).zero_();
} catch (e) {
  console.log(String(e));
}
