#!/usr/bin/python3
"""Time segloss's own losses (the Python/PyTorch package) forward + backward, for
comparison with the Go losses (`go test ./loss -run XXX -bench Loss`). Run both back
to back on the same machine.

The segloss sources are third-party (GPL) and never live in this repository: pass the
path of a checkout (its root, holding python/segloss/, or a folder holding segloss/).
Needs Debian's python3-torch, python3-scipy and python3-torchvision (segloss's ABL
imports scipy's distance transform and torchvision's Compose):

    apt-get install -y python3-torch python3-scipy python3-torchvision
    /usr/bin/python3 scripts/bench_segloss_py.py /tmp/segloss-py --threads 2
    /usr/bin/python3 scripts/bench_segloss_py.py /tmp/segloss-py --vectors ../shared/reference/losses

The input is the Go benchmark's kind: N x C x H x W float32 logits = 1.5 * one-hot +
N(0, 1) noise over layered labels (C layers whose interfaces are sine curves, the same
formula as layeredCase in loss/bench_test.go), labels N x 1 x H x W int64 (the layout
DistanceTransformLoss and ActiveBoundaryLoss need). --vectors first checks that the
checkout reproduces the reference vectors' loss values (segloss v0.0.1, float64).
"""
import argparse
import glob
import json
import math
import os
import statistics
import sys
import time

import torch


def import_segloss(path):
    """Imports the segloss package from a checkout root or a folder holding it."""
    for cand in (os.path.join(path, "python"), path):
        if os.path.isdir(os.path.join(cand, "segloss")):
            sys.path.insert(0, cand)
            import segloss
            return segloss
    sys.exit(f"bench_segloss_py: no segloss package under {path} (looked in {path}/python and {path})")


def layered(n, c, h, w, scale=1.5, noise=1.0, seed=1):
    """Layered labels and noisy one-hot logits, as loss/bench_test.go's layeredCase."""
    g = torch.Generator().manual_seed(seed)
    i = torch.arange(h, dtype=torch.float64).view(1, h, 1)
    j = torch.arange(w, dtype=torch.float64).view(1, 1, w)
    nn_ = torch.arange(n, dtype=torch.float64).view(n, 1, 1)
    amp = h / (4 * c)
    labels = torch.zeros(n, h, w, dtype=torch.int64)
    for b in range(1, c):
        depth = h * b / c + amp * torch.sin(2 * math.pi * (1 + b % 3) * j / w + 0.9 * nn_ + 1.7 * b)
        labels += (depth <= i).to(torch.int64)
    onehot = torch.nn.functional.one_hot(labels, c).permute(0, 3, 1, 2).to(torch.float32)
    logits = scale * onehot + noise * torch.randn(n, c, h, w, generator=g, dtype=torch.float32)
    return logits.contiguous(), labels.view(n, 1, h, w)


def time_loss(make, logits, labels, reps):
    """Seconds of forward + backward per call: (min, median) over reps after one warm-up call."""
    times = []
    for r in range(reps + 1):
        x = logits.clone().requires_grad_(True)
        y = labels.clone()  # BoundaryScoreLoss edits its labels in place
        t0 = time.perf_counter()
        loss = make()(x, y)
        loss.backward()
        dt = time.perf_counter() - t0
        if r > 0:
            times.append(dt)
    return min(times), statistics.median(times)


def check_vectors(seg, folder):
    """Runs the scalar cases of the reference vectors and compares the loss values."""
    classes = {"DistanceTransformLoss": seg.DistanceTransformLoss, "BoundaryScoreLoss": seg.BoundaryScoreLoss,
               "ActiveBoundaryLoss": seg.ActiveBoundaryLoss}
    ok = bad = 0
    for f in sorted(glob.glob(os.path.join(folder, "*.json"))):
        case = json.load(open(f))
        if case.get("status") != "ok" or case["output"]["kind"] != "scalar":
            continue
        want = case["output"]["loss"]
        if not isinstance(want, float):
            continue
        kw = dict(case["constructor"])
        kw.pop("weight_dtype", None)
        if kw.get("weight") is not None:
            kw["weight"] = torch.tensor(kw["weight"], dtype=torch.float64)
        x = torch.tensor(case["input"]["logits"], dtype=torch.float64)
        y = torch.tensor(case["input"]["labels"], dtype=torch.int64)
        got = classes[case["loss"]](**kw)(x, y).item()
        if abs(got - want) <= 1e-12 * max(1.0, abs(want)):
            ok += 1
        else:
            bad += 1
            print(f"  {case['id']}: {got!r}, reference {want!r}")
    print(f"reference vectors: {ok} scalar losses reproduced, {bad} differ")
    return bad == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("segloss", help="path of a segloss checkout (outside this repository)")
    ap.add_argument("--n", type=int, default=16)
    ap.add_argument("--c", type=int, default=6)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--reps", type=int, default=3, help="timed calls per loss (after one warm-up)")
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="torch intra-op threads")
    ap.add_argument("--losses", default="ce,dtl,boundary,active-boundary")
    ap.add_argument("--vectors", help="folder of reference vectors to check the checkout against first")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    seg = import_segloss(a.segloss)
    if a.vectors and not check_vectors(seg, a.vectors):
        sys.exit("bench_segloss_py: the checkout does not reproduce the reference vectors")
    logits, labels = layered(a.n, a.c, a.size, a.size)
    makers = {
        "ce": lambda: (lambda x, y: torch.nn.functional.cross_entropy(x, y.squeeze(1), ignore_index=255)),
        "dtl": lambda: seg.DistanceTransformLoss(),
        "boundary": lambda: seg.BoundaryScoreLoss(),
        "active-boundary": lambda: seg.ActiveBoundaryLoss(),
    }
    out = {"shape": [a.n, a.c, a.size, a.size], "threads": a.threads, "torch": torch.__version__,
           "reps": a.reps, "ms": {}}
    for name in a.losses.split(","):
        if name not in makers:
            sys.exit(f"bench_segloss_py: unknown loss {name!r} (valid: {', '.join(makers)})")
        lo, med = time_loss(makers[name], logits, labels, a.reps)
        out["ms"][name] = {"min": round(lo * 1e3, 1), "median": round(med * 1e3, 1)}
        if not a.json:
            print(f"{name:16s} min {lo * 1e3:9.1f} ms   median {med * 1e3:9.1f} ms", flush=True)
    if a.json:
        print(json.dumps(out))
    else:
        print(f"segloss (PyTorch {torch.__version__}, {a.threads} threads), "
              f"{a.n}x{a.c}x{a.size}x{a.size} float32, forward + backward")


if __name__ == "__main__":
    main()
