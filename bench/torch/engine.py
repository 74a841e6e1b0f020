"""PyTorch's figures for bench/engine.mjs's workloads (same sizes, float32, one thread), printed as JSON lines
{"what": ..., "value": ...} with the same labels. Run by bench/engine.mjs when /usr/bin/python3 has torch."""
import json
import time

import torch

torch.set_num_threads(1)


def timed(fn, repeat=7, warmup=2):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return samples[len(samples) // 2]


def report(what, value):
    print(json.dumps({"what": what, "value": value}), flush=True)


torch.manual_seed(0)
for n in (64, 256, 512, 1024):
    a, b = torch.rand(n, n), torch.rand(n, n)
    report(f"matmul {n}×{n}", timed(lambda: a @ b, repeat=3 if n >= 1024 else 7, warmup=1))

for n in (256, 512):
    a = torch.rand(n, n, requires_grad=True)
    b = torch.rand(n, n, requires_grad=True)

    def step():
        a.grad = None
        b.grad = None
        (a @ b).sum().backward()

    report(f"grad of sum(A@B), {n}×{n} (fwd+bwd)", timed(step, repeat=5, warmup=1))

fwd, bwd = [], []
for r in range(9):
    x = torch.tensor(1.0, requires_grad=True)
    y = x
    t0 = time.perf_counter()
    for _ in range(10_000):
        y = y * 1.0001 + 0.5
    t1 = time.perf_counter()
    y.backward()
    t2 = time.perf_counter()
    if r >= 2:
        fwd.append((t1 - t0) * 1e6 / 20_000)
        bwd.append((t2 - t1) * 1e6 / 20_000)
fwd.sort()
bwd.sort()
report("scalar chain, 20,000 ops: forward", fwd[len(fwd) // 2])
report("scalar chain, 20,000 ops: backward", bwd[len(bwd) // 2])
report("scalar chain, 20,000 ops: total", fwd[len(fwd) // 2] + bwd[len(bwd) // 2])

torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
x, target = torch.rand(64, 784), torch.rand(64, 10)


def train_step():
    opt.zero_grad()
    loss = torch.nn.functional.mse_loss(model(x), target)
    loss.backward()
    opt.step()


report("MLP 784-256-10 training step (batch 64)", timed(train_step, repeat=21, warmup=5))
a, b = torch.rand(1_000_000), torch.rand(1_000_000)
report("elementwise add, 1e6 elements", timed(lambda: a + b, repeat=11, warmup=3))
t = torch.rand(1000, 1000)
report("transpose then contiguous, 1000×1000", timed(lambda: t.t().contiguous(), repeat=11, warmup=3))
report("sum over dim 0, 1000×1000", timed(lambda: t.sum(0), repeat=11, warmup=3))
report("index rows with 10,000 indices, 1000×64", timed(lambda: t[:, :64][torch.randint(0, 1000, (10_000,))], repeat=11, warmup=3))
