#!/usr/bin/python3
"""Baseline for bench/lenet_epoch.c: the same LeNet-5 (PyTorch layout, 'same' padding),
the same data shape, Adam, cross-entropy on softmax outputs as actlab's sparse CCE on
probabilities, batch 64, shuffled; median epoch time. Debian's python3-torch.
    /usr/bin/python3 bench/lenet_epoch_torch.py [N=6000] [epochs=3] [threads=1]"""
import sys
import time

import torch
from torch import nn

n = int(sys.argv[1]) if len(sys.argv) > 1 else 6000
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
torch.manual_seed(42)
x = torch.rand(n, 1, 28, 28)
y = torch.randint(0, 10, (n,))
model = nn.Sequential(
    nn.Conv2d(1, 6, 5, padding="same"), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(6, 16, 5, padding="same"), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 120, 5, padding="same"), nn.ReLU(), nn.Flatten(),
    nn.Linear(120 * 7 * 7, 84), nn.ReLU(), nn.Linear(84, 10), nn.Softmax(dim=1))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
times = []
for e in range(epochs):
    t0 = time.perf_counter()
    perm = torch.randperm(n)
    for b in range(0, n, 64):
        idx = perm[b:b + 64]
        opt.zero_grad()
        p = model(x[idx])
        loss = nn.functional.nll_loss(torch.log(p.clamp(1e-7, 1 - 1e-7)), y[idx])
        loss.backward()
        opt.step()
    times.append(time.perf_counter() - t0)
times.sort()
t = times[len(times) // 2]
print(f"torch {torch.__version__} lenet5 epoch: {n} samples, batch 64, median {t:.3f} s "
      f"({1e6 * t / n:.1f} us/sample) over {epochs} epochs, {torch.get_num_threads()} thread(s)")
