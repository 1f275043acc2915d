#!/usr/bin/python3
"""Writes the PyTorch reference fixtures in tests/fixtures/torch/ that test_torch_parity.c
compares actlab's models against, without Python at test time.

    apt-get install -y python3-torch          # Debian 12: torch 1.13, numpy 1.24
    /usr/bin/python3 scripts/make_torch_fixtures.py

For each fixture (FIXTURES below) it builds a torch.nn.Sequential equal to an actlab spec,
with seeded weights, a seeded input batch and targets, and writes

    NAME.safetensors       the state_dict (F32), with actlab_spec / input_shape metadata,
                           so nn_load_weights and nn_load both read it
    NAME_x.npy             the input batch, float32
    NAME_target.npy        class indices (int64) or regression targets (float32)
    NAME_ref.safetensors   what actlab must reproduce:
                             y            forward output (eval mode)
                             loss         the mean loss (a scalar)
                             dx           dLoss/dx for the batch
                             grad.P       dLoss/dP for every parameter P ("grad.0.weight")
                             sgd1.P sgd2.P    P after one and two steps of SGD (momentum)
                             adam1.P adam2.P  P after one and two steps of Adam
                           (the second step recomputes the gradient at the new parameters on
                           the same batch, so momentum and Adam's moments are exercised)

and fixtures.txt, the list the C test reads: spec, input shape, batch, loss and optimizer
hyper-parameters per fixture.

The references are computed in float64 from the float32 weights and inputs (model.double()),
then stored as float32: they are the exact answer for actlab's float32 inputs rounded once,
not another float32 implementation's rounding. The script also runs the float32 model and
refuses a fixture whose float32 and float64 results disagree by more than 1e-4 (an input
sitting on a ReLU kink or a max-pool tie would make the comparison meaningless).

Loss reductions follow Keras (and actlab): mse is the mean over all elements;
sparse_categorical_crossentropy is the mean over the batch, from logits through
log_softmax + nll, or from probabilities clipped to [1e-7, 1 - 1e-7].

PyTorch 1.13 has no safetensors package, so st_write() writes the format itself: 8-byte
little-endian header length, JSON header padded with spaces to a multiple of 8, raw
little-endian data.
"""
import copy
import json
import os
import struct

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "torch")

SGD = dict(lr=0.1, momentum=0.9)
ADAM = dict(lr=0.01)  # betas (0.9, 0.999), eps 1e-8: PyTorch's and actlab's defaults
STEPS = 2


def st_write(path, tensors, metadata=None):
    """tensors: list of (name, array); all written as F32 in the order given."""
    header, blobs, off = {}, [], 0
    if metadata:
        header["__metadata__"] = dict(metadata)
    for name, a in tensors:
        b = np.ascontiguousarray(np.asarray(a, dtype="<f4")).tobytes()
        header[name] = {"dtype": "F32", "shape": list(np.shape(a)), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def st_read(path):
    """The reader's half, to check what st_write wrote."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    data = raw[8 + n :]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        out[name] = np.frombuffer(data[b:e], dtype="<f4").reshape(info["shape"])
    return header.get("__metadata__", {}), out


def cnn():
    return nn.Sequential(
        nn.Conv2d(2, 3, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(3, 4, 3), nn.GELU(),
        nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(16, 6), nn.LeakyReLU(0.2),
        nn.Linear(6, 3),
    )


def prelu():
    return nn.Sequential(
        nn.Conv2d(2, 3, 3), nn.PReLU(3),
        nn.Flatten(),
        nn.Linear(27, 4), nn.PReLU(1),
        nn.Linear(4, 2),
    )


def house_mlp(n_in):
    return nn.Sequential(
        nn.Linear(n_in, 144), nn.ReLU(),
        nn.Linear(144, 72), nn.ReLU(),
        nn.Linear(72, 18), nn.ReLU(),
        nn.Linear(18, 1),
    )


FIXTURES = [
    dict(name="mlp_softmax", seed=1,
         spec="dense(5,activation=tanh) dense(3,activation=softmax)",
         input=(4,), batch=6, classes=3,
         loss="sparse_categorical_crossentropy", from_logits=0, optim=True,
         build=lambda: nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3), nn.Softmax(dim=1))),
    dict(name="cnn", seed=2,
         spec="conv2d(3,3,padding=same,activation=relu) maxpool2d(2) conv2d(4,3,activation=gelu) "
              "avgpool2d(2) flatten dense(6,activation=leaky_relu:alpha=0.2) dense(3)",
         input=(2, 12, 12), batch=4, classes=3,
         loss="sparse_categorical_crossentropy", from_logits=1, optim=True, build=cnn),
    dict(name="prelu", seed=3,
         spec="conv2d(3,3) prelu(channels=3) flatten dense(4) prelu(channels=1) dense(2)",
         input=(2, 5, 5), batch=3, classes=0,
         loss="mse", from_logits=0, optim=True, build=prelu),
    # the built-in house-mlp (n -> 144 -> 72 -> 18 -> 1) on 6 features; no optimizer steps,
    # which the small models cover, to keep the fixture small
    dict(name="house_mlp", seed=4, spec="house-mlp", input=(6,), batch=5, classes=0,
         loss="mse", from_logits=0, optim=False, build=lambda: house_mlp(6)),
]


def loss_fn(fx, y, target):
    if fx["loss"] == "mse":
        return F.mse_loss(y, target)  # mean over all elements, as Keras
    if fx["from_logits"]:
        return F.nll_loss(F.log_softmax(y, dim=1), target)
    return F.nll_loss(torch.log(y.clamp(1e-7, 1 - 1e-7)), target)


def grads(fx, model, x, target):
    """Forward, loss, backward: (y, loss, dx); parameter gradients are left in .grad."""
    model.zero_grad()
    x = x.clone().requires_grad_(True)
    y = model(x)
    loss = loss_fn(fx, y, target)
    loss.backward()
    return y.detach(), loss.detach(), x.grad.detach()


def state(model, prefix=""):
    return [(prefix + k, v.detach().float().numpy()) for k, v in model.state_dict().items()]


def param_grads(model):
    return [("grad." + k, p.grad.detach().float().numpy()) for k, p in model.named_parameters()]


def steps(fx, model, x, target, make_opt, tag):
    model = copy.deepcopy(model)
    opt = make_opt(model.parameters())
    out = []
    for s in range(1, STEPS + 1):
        grads(fx, model, x, target)
        opt.step()
        out += state(model, "%s%d." % (tag, s))
    return out


def check_close(name, a, b, tol=1e-4):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    err = np.max(np.abs(a - b) / (np.abs(b) + 1e-3)) if a.size else 0.0
    if not err <= tol:
        raise SystemExit("fixture %s: float32 and float64 torch disagree (%.3g): pick another seed"
                         % (name, err))
    return err


def make(fx):
    torch.manual_seed(fx["seed"])
    model = fx["build"]()
    for m in model.modules():  # PReLU starts at 0.25 everywhere: vary it so loading shows
        if isinstance(m, nn.PReLU):
            with torch.no_grad():
                m.weight.uniform_(0.05, 0.5)
    model.eval()  # no dropout or batch statistics: the parity test runs training=0
    x = torch.randn(fx["batch"], *fx["input"])
    if fx["classes"]:
        target = torch.randint(0, fx["classes"], (fx["batch"],))
    else:
        with torch.no_grad():
            target = torch.randn(model(x).shape)

    # the reference in float64; float32 torch only as a conditioning check
    m64 = copy.deepcopy(model).double()
    x64 = x.double()
    t64 = target if fx["classes"] else target.double()
    y, loss, dx = grads(fx, m64, x64, t64)
    y32, loss32, dx32 = grads(fx, model, x, target)
    err = max(check_close(fx["name"], y32, y), check_close(fx["name"], dx32, dx))
    for (k, p64), (_, p32) in zip(m64.named_parameters(), model.named_parameters()):
        err = max(err, check_close(fx["name"] + " " + k, p32.grad, p64.grad))

    ref = [("y", y.float().numpy()), ("loss", np.array(loss.item(), dtype=np.float32)),
           ("dx", dx.float().numpy())] + param_grads(m64)
    if fx["optim"]:
        ref += steps(fx, m64, x64, t64,
                     lambda p: torch.optim.SGD(p, lr=SGD["lr"], momentum=SGD["momentum"]), "sgd")
        ref += steps(fx, m64, x64, t64, lambda p: torch.optim.Adam(p, lr=ADAM["lr"]), "adam")

    name = fx["name"]
    shape = ",".join(str(d) for d in fx["input"])
    st_write(os.path.join(OUT, name + ".safetensors"), state(model),
             {"actlab_spec": fx["spec"], "input_shape": shape, "format": "pt"})
    st_write(os.path.join(OUT, name + "_ref.safetensors"), ref,
             {"loss": fx["loss"], "from_logits": str(fx["from_logits"]), "torch": torch.__version__})
    np.save(os.path.join(OUT, name + "_x.npy"), x.numpy().astype("<f4"))
    np.save(os.path.join(OUT, name + "_target.npy"),
            target.numpy().astype("<i8" if fx["classes"] else "<f4"))

    # read back what was written
    meta, w = st_read(os.path.join(OUT, name + ".safetensors"))
    assert meta["actlab_spec"] == fx["spec"]
    for k, v in model.state_dict().items():
        assert np.array_equal(w[k], v.numpy()), k
    print("%-12s %s  loss %.6g  float32-vs-float64 %.2g" % (name, [k for k, _ in state(model)],
                                                            loss.item(), err))
    return dict(name=name, spec=fx["spec"], input=shape, batch=fx["batch"], loss=fx["loss"],
                from_logits=fx["from_logits"], torch=" ".join(str(model).split()),
                steps=STEPS if fx["optim"] else 0)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    lines = [
        "# Written by scripts/make_torch_fixtures.py with torch %s, numpy %s: do not edit."
        % (torch.__version__, np.__version__),
        "# One block per fixture; test_torch_parity.c reads it. Files: NAME.safetensors (weights),",
        "# NAME_x.npy, NAME_target.npy, NAME_ref.safetensors (references; see the script).",
        "# steps = 0: no optimizer references. sgd and adam give the optimizer hyper-parameters",
        "# (the rest are the defaults: Adam betas 0.9/0.999, eps 1e-8; no weight decay).",
    ]
    for fx in FIXTURES:
        r = make(fx)
        lines += ["", "[%s]" % r["name"]]
        for k in ("spec", "input", "batch", "loss", "from_logits", "steps"):
            lines.append("%s = %s" % (k, r[k]))
        lines.append("sgd_lr = %g" % SGD["lr"])
        lines.append("sgd_momentum = %g" % SGD["momentum"])
        lines.append("adam_lr = %g" % ADAM["lr"])
        lines.append("torch = %s" % r["torch"])
    with open(os.path.join(OUT, "fixtures.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
