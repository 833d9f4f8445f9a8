#!/usr/bin/python3
"""Time the segloss reference U-Net in PyTorch on the CPU, for comparison
with `segloss bench` (run both back to back on the same machine).

The network is the one `segloss bench` builds: per level two 3x3 conv +
bias + ReLU, 2x2 max-pool between levels, nearest 2x upsampling, skip
concatenation (skip first), a 1x1 head; trained with per-pixel softmax
cross-entropy and Adam on one random batch.

Run with Debian's interpreter and python3-torch (apt-get install -y python3-torch):

    /usr/bin/python3 scripts/bench_torch.py --threads 2 --json
    /usr/bin/python3 scripts/bench_torch.py --size 128 --steps 5

JSON keys match `segloss bench --json`: step_seconds, patches_per_second,
gflops, peak_rss_bytes (VmHWM), plus infer_seconds and rss_bytes per step.
"""
import argparse
import json
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def block(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1), nn.ReLU(inplace=True))


class UNet(nn.Module):
    def __init__(self, widths, classes, cin=1):
        super().__init__()
        self.enc = nn.ModuleList()
        c = cin
        for w in widths:
            self.enc.append(block(c, w))
            c = w
        self.dec = nn.ModuleList()
        for l in range(len(widths) - 2, -1, -1):
            self.dec.append(block(widths[l] + widths[l + 1], widths[l]))
        self.head = nn.Conv2d(widths[0], classes, 1)

    def forward(self, x):
        skips = []
        for l, enc in enumerate(self.enc):
            if l > 0:
                x = F.max_pool2d(x, 2)
            x = enc(x)
            skips.append(x)
        for i, dec in enumerate(self.dec):
            l = len(self.enc) - 2 - i
            x = F.interpolate(x, scale_factor=2, mode="nearest")
            x = dec(torch.cat([skips[l], x], dim=1))
        return self.head(x)


def conv_flops(widths, classes, n, h, w, cin=1):
    """Forward convolution FLOPs, counted as segloss's model.ConvFLOPs does."""
    f = 0
    conv = lambda a, b, k, hh, ww: 2 * n * hh * ww * a * b * k * k
    c = cin
    for l, wd in enumerate(widths):
        f += conv(c, wd, 3, h >> l, w >> l) + conv(wd, wd, 3, h >> l, w >> l)
        c = wd
    for l in range(len(widths) - 2, -1, -1):
        f += conv(widths[l] + widths[l + 1], widths[l], 3, h >> l, w >> l)
        f += conv(widths[l], widths[l], 3, h >> l, w >> l)
    return f + conv(widths[0], classes, 1, h, w)


def rss_bytes():
    """Current and peak resident memory from /proc/self/status."""
    cur = peak = 0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                cur = int(line.split()[1]) * 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) * 1024
    return cur, peak


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default="16-32-64", help="level widths")
    p.add_argument("--classes", type=int, default=6)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    widths = [int(v) for v in a.model.split("-")]
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    net = UNet(widths, a.classes)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.randn(a.batch, 1, a.size, a.size)
    y = torch.randint(0, a.classes, (a.batch, a.size, a.size))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()

    for _ in range(a.warmup):
        step()
    times, rss = [], []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
        rss.append(rss_bytes()[0])
    with torch.no_grad():
        net(x)
        itimes = []
        for _ in range(a.steps):
            t0 = time.perf_counter()
            net(x)
            itimes.append(time.perf_counter() - t0)
    step_s = sum(times) / len(times)
    gflop = 3 * conv_flops(widths, a.classes, a.batch, a.size, a.size) / 1e9
    res = {
        "engine": "pytorch " + torch.__version__,
        "model": a.model, "batch": a.batch, "size": a.size, "threads": a.threads,
        "step_seconds": step_s, "min_step_seconds": min(times),
        "patches_per_second": a.batch / step_s,
        "gflops": gflop / step_s, "step_gflop": gflop,
        "infer_seconds": sum(itimes) / len(itimes),
        "peak_rss_bytes": rss_bytes()[1], "rss_bytes": rss,
    }
    if a.json:
        json.dump(res, sys.stdout, indent=2)
        print()
    else:
        for k, v in res.items():
            print(f"{k:20s} {v}")


if __name__ == "__main__":
    main()
