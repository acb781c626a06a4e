#!/usr/bin/env python3
"""Generated workloads in the Azure sample's format (<name>_inv.csv and <name>_run.csv), with the
shapes the shared sample has too little of, for evaluation the policies were never tuned on.

  scripts/gen_traces.py --out work/traces [--seed 1] [--shapes timer,diurnal,heavy-tail,rare,bursts]

Each shape is one directory holding gen_inv.csv and gen_run.csv, read by
scripts/bench-grid.sh --trace DIR/gen_inv.csv. Deterministic for a seed; nothing is downloaded.
"""
import argparse
import math
import os
import random

SHAPES = ["timer", "diurnal", "heavy-tail", "rare", "bursts"]


def zipf_weights(n, s, rng):
    w = [1.0 / (i + 1) ** s for i in range(n)]
    rng.shuffle(w)
    return w


def durations_lognormal(n, median_ms, sigma, rng):
    return [max(1.0, rng.lognormvariate(math.log(median_ms), sigma)) for _ in range(n)]


def poisson(lam, rng):
    if lam <= 0:
        return 0
    if lam > 50:
        return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))
    k, p, l = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p <= l:
            return k
        k += 1


def timer(rng):
    """500 functions over 8 hours; one timer function carries about 60% of all calls."""
    n, minutes = 500, 480
    w = zipf_weights(n - 1, 1.1, rng)
    total_other = 4.0 * 60  # other functions together: ~4 calls/s
    rates = [total_other * x / sum(w) for x in w]
    rows = [[poisson(r, rng) for _ in range(minutes)] for r in rates]
    rows.insert(0, [360] * minutes)  # the timer: 6 calls/s, every minute alike
    durs = durations_lognormal(n, 200, 1.0, rng)
    durs[0] = 50.0
    return rows, durs


def diurnal(rng):
    """300 functions over a day; every rate follows a day wave (night at a tenth of the peak)."""
    n, minutes = 300, 1440
    w = zipf_weights(n, 1.0, rng)
    peak_total = 12.0 * 60
    rows = []
    for x in w:
        base = peak_total * x / sum(w)
        phase = rng.uniform(-60, 60)
        rows.append([poisson(base * (0.55 + 0.45 * math.sin(2 * math.pi * (m + phase - 360) / 1440)), rng)
                     for m in range(minutes)])
    return rows, durations_lognormal(n, 300, 1.0, rng)


def heavy_tail(rng):
    """200 functions over 12 hours whose run times spread 100x and more (lognormal, sigma 2)."""
    n, minutes = 200, 720
    w = zipf_weights(n, 1.0, rng)
    total = 5.0 * 60
    rows = [[poisson(total * x / sum(w), rng) for _ in range(minutes)] for x in w]
    return rows, durations_lognormal(n, 100, 2.0, rng)


def rare(rng):
    """2,000 functions over 12 hours: 20 hot ones, the rest called a few times each."""
    n, minutes = 2000, 720
    rows = []
    for i in range(n):
        if i < 20:
            rows.append([poisson(rng.uniform(10, 120), rng) for _ in range(minutes)])
        else:
            calls = [0] * minutes
            for _ in range(rng.randint(1, 12)):
                calls[rng.randrange(minutes)] += 1
            rows.append(calls)
    rng.shuffle(rows)
    return rows, durations_lognormal(n, 250, 1.2, rng)


def bursts(rng):
    """400 functions over 12 hours, each silent most minutes and bursting now and then."""
    n, minutes = 400, 720
    rows = []
    for _ in range(n):
        calls = [0] * minutes
        quiet = rng.uniform(0.02, 0.3)
        m = 0
        while m < minutes:
            if rng.random() < 0.01:
                length = rng.randint(1, 10)
                height = rng.uniform(10, 200)
                for k in range(m, min(minutes, m + length)):
                    calls[k] += poisson(height, rng)
                m += length
            else:
                calls[m] += poisson(quiet, rng)
                m += 1
        rows.append(calls)
    return rows, durations_lognormal(n, 200, 1.0, rng)


GENERATORS = {"timer": timer, "diurnal": diurnal, "heavy-tail": heavy_tail, "rare": rare, "bursts": bursts}


def write(out_dir, rows, durs):
    os.makedirs(out_dir, exist_ok=True)
    minutes = max(len(r) for r in rows)
    with open(os.path.join(out_dir, "gen_inv.csv"), "w") as inv:
        inv.write("HashFunction,HashOwner,HashApp," + ",".join("minute_%d" % (m + 1) for m in range(minutes)) + "\n")
        for i, r in enumerate(rows):
            inv.write("f%05d,o%05d,a%05d,%s\n" % (i, i, i, ",".join(str(c) for c in r)))
    with open(os.path.join(out_dir, "gen_run.csv"), "w") as run:
        run.write("HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum\n")
        for i, d in enumerate(durs):
            count = sum(rows[i])
            run.write("o%05d,a%05d,f%05d,%.1f,%d,%.1f,%.1f\n" % (i, i, i, d, count, d * 0.5, d * 3))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", default="work/traces")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--shapes", default=",".join(SHAPES))
    a = p.parse_args()
    for shape in a.shapes.split(","):
        rng = random.Random("%s-%d" % (shape, a.seed))
        rows, durs = GENERATORS[shape](rng)
        d = os.path.join(a.out, "%s-s%d" % (shape, a.seed))
        write(d, rows, durs)
        total = sum(sum(r) for r in rows)
        top = max(sum(r) for r in rows)
        print("%-12s %5d functions %6d minutes %9d calls, busiest function %.0f%%, -> %s/gen_inv.csv"
              % (shape, len(rows), max(len(r) for r in rows), total, 100.0 * top / total, d))


if __name__ == "__main__":
    main()
