#!/usr/bin/python3
"""PyTorch side of bench/train_vs_pytorch: the same model, loss, optimizer, batches and data
as `actlab train`, timing each training epoch (validation left out, as actlab's `seconds`).
    /usr/bin/python3 bench/train_torch.py lenet5|house-mlp X.npy Y.npy BATCHES_OR_SIZE EPOCHS THREADS
lenet5: batch size 256-style (a size); house-mlp: a number of batches (np.array_split, as
actlab's --batches). Prints one line: the epoch times, then the peak RSS in KiB."""
import resource
import sys
import time

import numpy as np
import torch
from torch import nn

kind, xf, yf, bs, epochs, threads = sys.argv[1:7]
bs, epochs, threads = int(bs), int(epochs), int(threads)
torch.set_num_threads(threads)
torch.manual_seed(42)
x = torch.from_numpy(np.load(xf).astype(np.float32))
y = torch.from_numpy(np.load(yf))
n = x.shape[0]

if kind == "lenet5":
    # actlab's lenet5: conv 6/16/120 5x5 same + relu, max pooling after the first two,
    # dense 84 relu, dense 10 softmax; sparse categorical cross-entropy on the probabilities
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding="same"), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5, padding="same"), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 120, 5, padding="same"), nn.ReLU(), nn.Flatten(),
        nn.Linear(120 * 7 * 7, 84), nn.ReLU(), nn.Linear(84, 10), nn.Softmax(dim=1))
    y = y.long()

    def loss_of(p, t):
        return nn.functional.nll_loss(torch.log(p.clamp(1e-7, 1 - 1e-7)), t)
    starts = list(range(0, n, bs)) + [n]
else:
    # house-mlp: 288 -> 144 -> 72 -> 18 -> 1, relu, RMSLE
    d = x.shape[1]
    model = nn.Sequential(nn.Linear(d, 144), nn.ReLU(), nn.Linear(144, 72), nn.ReLU(),
                          nn.Linear(72, 18), nn.ReLU(), nn.Linear(18, 1))
    y = y.float().reshape(n, 1)

    def loss_of(p, t):
        return torch.sqrt(torch.mean((torch.log1p(p.clamp(min=0)) - torch.log1p(t)) ** 2))
    starts = [i * (n // bs) + min(i, n % bs) for i in range(bs + 1)]  # np.array_split

opt = torch.optim.Adam(model.parameters(), lr=1e-3)
times = []
for e in range(epochs):
    t0 = time.perf_counter()
    perm = torch.randperm(n)
    for b in range(len(starts) - 1):
        idx = perm[starts[b]:starts[b + 1]]
        opt.zero_grad()
        loss = loss_of(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
    times.append(time.perf_counter() - t0)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(" ".join(f"{t:.4f}" for t in times), rss)
