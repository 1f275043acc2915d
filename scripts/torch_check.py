#!/usr/bin/python3
"""Loads an actlab weights file into an equivalent torch.nn.Sequential with load_state_dict
(strict) and compares its predictions with actlab's on the same inputs.

    /usr/bin/python3 scripts/torch_check.py W.safetensors X.npy Y_actlab.npy

Needs Debian's python3-torch and python3-numpy (not needed to build or test actlab). The
model is rebuilt from the file's actlab_spec metadata; exits 1 when predictions differ by more
than 1e-5 (relative to the output scale).
"""
import json
import re
import struct
import sys

import numpy as np
import torch
from torch import nn


def read_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    data = raw[8 + n:]
    tensors = {}
    for name, t in header.items():
        assert t["dtype"] == "F32", (name, t["dtype"])
        b, e = t["data_offsets"]
        tensors[name] = torch.from_numpy(
            np.frombuffer(data[b:e], dtype="<f4").reshape(t["shape"]).copy())
    return meta, tensors


def split_args(text):
    """'6,5,activation=[softplus:beta=2,threshold=10]' -> ['6', '5', 'activation=...']"""
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
            continue
        depth += ch == "["
        depth -= ch == "]"
        cur += ch
    if cur:
        out.append(cur)
    return out


def activation(spec):
    """torch module for an actlab activation spec, or None for identity."""
    spec = spec.strip("[]")
    name, _, params = spec.partition(":")
    kw = dict(p.split("=") for p in params.split(",") if p)
    f = {k: float(v) for k, v in kw.items()}
    table = {
        "identity": lambda: None,
        "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu6": nn.ReLU6,
        "leaky_relu": lambda: nn.LeakyReLU(f.get("alpha", 0.01)),
        "elu": lambda: nn.ELU(f.get("alpha", 1.0)), "celu": lambda: nn.CELU(f.get("alpha", 1.0)),
        "selu": nn.SELU, "gelu": nn.GELU, "gelu_tanh": lambda: nn.GELU(approximate="tanh"),
        "silu": nn.SiLU, "mish": nn.Mish, "softsign": nn.Softsign,
        "softplus": lambda: nn.Softplus(f.get("beta", 1.0), f.get("threshold", 20.0)),
        "hard_sigmoid": nn.Hardsigmoid, "hard_swish": nn.Hardswish,
        "hard_tanh": lambda: nn.Hardtanh(f.get("min", -1.0), f.get("max", 1.0)),
        "log_sigmoid": nn.LogSigmoid, "tanhshrink": nn.Tanhshrink,
        "softmax": lambda: nn.Softmax(dim=1), "log_softmax": lambda: nn.LogSoftmax(dim=1),
    }
    if name not in table:
        sys.exit(f"torch_check: no torch module for activation {spec}")
    return table[name]()


def build(spec, shape):
    layers = []
    c = shape[0]
    feats = int(np.prod(shape))
    for m in re.finditer(r"(\w+)(?:\(((?:[^()\[\]]|\[[^\]]*\])*)\))?", spec):
        kind, args = m.group(1), split_args(m.group(2) or "")
        pos = [a for a in args if "=" not in a]
        kw = dict(a.split("=", 1) for a in args if "=" in a)
        act = None
        if kind == "dense":
            out = int(pos[0])
            layers.append(nn.Linear(feats, out, bias=kw.get("bias", "1") == "1"))
            feats, act = out, kw.get("activation", "identity")
        elif kind == "conv2d":
            out, k = int(pos[0]), int(pos[1])
            stride = int(kw.get("stride", 1))
            pad = "same" if kw.get("padding") == "same" else 0
            layers.append(nn.Conv2d(c, out, k, stride, padding=pad,
                                    bias=kw.get("bias", "1") == "1"))
            c, act = out, kw.get("activation", "identity")
        elif kind in ("maxpool2d", "avgpool2d"):
            p = int(pos[0])
            s = int(kw.get("stride", p))
            layers.append((nn.MaxPool2d if kind == "maxpool2d" else nn.AvgPool2d)(p, s))
        elif kind == "flatten":
            layers.append(nn.Flatten())
        elif kind == "dropout":
            layers.append(nn.Dropout(float(pos[0])))
        elif kind == "activation":
            layers.append(activation(pos[0]))
        else:
            sys.exit(f"torch_check: layer {kind} is not mapped here")
        if act and act != "identity":
            layers.append(activation(act))
    model = nn.Sequential(*layers)
    # feature counts after convolutions come from a dry run
    return model


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    wpath, xpath, ypath = sys.argv[1:]
    meta, tensors = read_safetensors(wpath)
    shape = [int(v) for v in meta["input_shape"].split(",")]
    spec = meta["actlab_spec"]
    x = torch.from_numpy(np.load(xpath).astype(np.float32))
    # Linear layers after convolutions need the flattened size: build lazily
    model = build_with_sizes(spec, shape)
    model.load_state_dict(tensors, strict=True)
    model.eval()
    with torch.no_grad():
        ours = torch.from_numpy(np.load(ypath))
        theirs = model(x.reshape([-1] + shape))
    diff = (theirs - ours).abs().max().item()
    scale = max(1.0, theirs.abs().max().item())
    print(f"{wpath}: {spec}\n  torch load_state_dict(strict=True) ok; {len(x)} predictions, "
          f"max |torch - actlab| = {diff:.3g} (output scale {scale:.3g})")
    sys.exit(0 if diff <= 1e-5 * scale else 1)


def build_with_sizes(spec, shape):
    """build(), then fix each Linear's in_features from a dry run through the layers."""
    model = build(spec, shape)
    x = torch.zeros([1] + shape)
    fixed = []
    for layer in model:
        if isinstance(layer, nn.Linear):
            layer = nn.Linear(x.reshape(1, -1).shape[1], layer.out_features,
                              bias=layer.bias is not None)
        x = layer(x) if layer is not None else x
        fixed.append(layer)
    return nn.Sequential(*fixed)


if __name__ == "__main__":
    main()
