"""The same layer benchmarks as bench/layers.mjs, in PyTorch 1.13 (CPU), for comparison: prints one JSON object
mapping each benchmark's name to its fastest time in ms. Run by bench/layers.mjs when /usr/bin/python3 has torch."""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

threads = int(sys.argv[1]) if len(sys.argv) > 1 and int(sys.argv[1]) > 0 else torch.get_num_threads()
torch.set_num_threads(threads)
torch.manual_seed(0)


def fastest_ms(fn, repeat=15, warmup=3):
    """The fastest of `repeat` runs (ms), as bench/layers.mjs measures."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return min(samples)


def conv_step(x, w, b, **kw):
    def run():
        x.grad = w.grad = b.grad = None
        F.conv2d(x, w, b, **kw).sum().backward()
    return run


results = {}
x1 = torch.randn(64, 1, 28, 28, requires_grad=True)
w1 = torch.randn(6, 1, 5, 5, requires_grad=True)
b1 = torch.randn(6, requires_grad=True)
results["conv1 forward"] = fastest_ms(lambda: F.conv2d(x1, w1, b1, padding=2))
results["conv1 forward+backward"] = fastest_ms(conv_step(x1, w1, b1, padding=2))
x2 = torch.randn(64, 6, 14, 14, requires_grad=True)
w2 = torch.randn(16, 6, 5, 5, requires_grad=True)
b2 = torch.randn(16, requires_grad=True)
results["conv2 forward"] = fastest_ms(lambda: F.conv2d(x2, w2, b2))
results["conv2 forward+backward"] = fastest_ms(conv_step(x2, w2, b2))
xp = torch.randn(64, 6, 28, 28, requires_grad=True)
results["max_pool2d forward+backward"] = fastest_ms(lambda: F.max_pool2d(xp, 2).sum().backward())
bn2 = nn.BatchNorm2d(16)
xb = torch.randn(64, 16, 10, 10, requires_grad=True)
results["batch_norm2d forward+backward"] = fastest_ms(lambda: bn2(xb).sum().backward())
bn1 = nn.BatchNorm1d(120)
xb1 = torch.randn(64, 120, requires_grad=True)
results["batch_norm1d forward+backward"] = fastest_ms(lambda: bn1(xb1).sum().backward())

lenet = nn.Sequential(
    nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
    nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
)
images = torch.rand(64, 1, 28, 28)
labels = torch.randint(0, 10, (64,))


def lenet_step():
    loss = F.cross_entropy(lenet(images), labels)
    lenet.zero_grad()
    loss.backward()
    with torch.no_grad():
        for p in lenet.parameters():
            p -= 0.01 * p.grad


results["LeNet-5 training step (batch 64)"] = fastest_ms(lenet_step)
print(json.dumps({"threads": threads, "torch": torch.__version__, "results": results}))
