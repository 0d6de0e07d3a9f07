"""PyTorch and numpy engines for `npm run bench`: the same workloads as bench/engines/*.ts, timed the same
way (warm-up runs for at least 1 s, then the median of the repeats), printed as one JSON object on stdout.

usage: python3 torch_numpy.py ENGINE THREADS QUICK ONLY   (ENGINE: torch | numpy)
"""
import json, sys, time


def median_ms(fn, repeats=5):
    w = time.perf_counter()
    fn()
    while time.perf_counter() - w < 1.0:  # as bench/util.ts: the same warm-up for every engine
        fn()
    ts = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t) * 1000)
    return sorted(ts)[repeats // 2]


engine, threads, quick, only = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4]
want = lambda k: only == "" or k in only.split(",")
sizes = [64, 256] if quick else [64, 128, 256, 512, 1024]
mlp_steps = 5 if quick else 50
tiny_steps = 50 if quick else 500
cnn_steps = 2 if quick else 10
lm_steps = 2 if quick else 10
out = {}
# Products per timed sample of matmul n (as bench/workloads.ts): about 0.1 GFLOP.
calls = lambda n: max(1, round(1e8 / (2 * n**3)))


def repeat(fn, k):
    def run():
        for _ in range(k):
            fn()

    return run


if engine == "numpy":
    import numpy as np

    if want("a"):
        for n in sizes:
            a = np.random.randn(n, n).astype(np.float32)
            b = np.random.randn(n, n).astype(np.float32)
            ms = median_ms(repeat(lambda: a @ b, calls(n)))
            out[f"matmul {n}"] = 2 * n**3 * calls(n) / (ms * 1e6)
    if want("d"):
        x = np.random.randn(1_000_000).astype(np.float32)

        def fwd_bwd():
            # numpy has no autodiff: the forward and the hand-written backward of sum(tanh(x) x + 1).
            t = np.tanh(x)
            y = t * x + 1
            y.sum()
            return (1 - t * t) * x + t

        out["tanh(x)x+1 fwd+bwd"] = median_ms(fwd_bwd)
else:
    import torch
    import torch.nn as nn

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    if want("a"):
        for n in sizes:
            a = torch.randn(n, n)
            b = torch.randn(n, n)
            ms = median_ms(repeat(lambda: a @ b, calls(n)))
            out[f"matmul {n}"] = 2 * n**3 * calls(n) / (ms * 1e6)

    def train(model, opt, x, y, steps):
        def run():
            for _ in range(steps):
                opt.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                opt.step()

        return run

    if want("b"):
        m = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
        opt = torch.optim.Adam(m.parameters(), lr=1e-3)
        ms = median_ms(train(m, opt, torch.rand(128, 784), torch.randint(0, 10, (128,)), mlp_steps))
        out["mlp train"] = 128 * mlp_steps / (ms / 1000)
    if want("c"):
        m = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 3))
        opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
        ms = median_ms(train(m, opt, torch.randn(60, 2), torch.randint(0, 3, (60,)), tiny_steps))
        out["tiny mlp"] = tiny_steps / (ms / 1000)
    if want("d"):
        x = torch.randn(1_000_000, requires_grad=True)

        def fwd_bwd():
            x.grad = None
            (torch.tanh(x) * x + 1).sum().backward()

        out["tanh(x)x+1 fwd+bwd"] = median_ms(fwd_bwd)
    if want("e"):
        m = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
        )
        opt = torch.optim.Adam(m.parameters(), lr=1e-3)
        ms = median_ms(train(m, opt, torch.rand(64, 1, 28, 28), torch.randint(0, 10, (64,)), cnn_steps))
        out["cnn step"] = 64 * cnn_steps / (ms / 1000)
    if want("f"):
        # Bengio et al. (2003)'s MLP9: |V| = 16417, n = 5, m = 30, h = 100, batch 128.
        V, B = 16417, 128
        m = nn.Sequential(nn.Embedding(V, 30), nn.Flatten(), nn.Linear(120, 100), nn.Tanh(), nn.Linear(100, V))
        opt = torch.optim.Adam(m.parameters(), lr=1e-3)
        ms = median_ms(train(m, opt, torch.randint(0, V, (B, 4)), torch.randint(0, V, (B,)), lm_steps))
        out["lm step (mlp9)"] = B * lm_steps / (ms / 1000)

print(json.dumps(out))
