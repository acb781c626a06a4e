"""A grid's cells and how one policy scores over them: shared by scripts/bench-generalization.sh
(the reports) and scripts/bench-screen.sh (a change screened against stored cells)."""
import csv
import glob
import math
import os
from collections import defaultdict


def keyed_cells(runs, name):
    """RUNS/NAME's cells: {(start, seed, functions, gpus, memory_gib, load): {policy: (mean_ms, p99_ms)}}."""
    path = glob.glob(os.path.join(runs, name, "grid*-cells.csv"))[0]
    by_cell = defaultdict(dict)
    for r in csv.DictReader(open(path)):
        key = (r["start"], r["seed"], r["functions"], r["gpus"], r["memory_gib"], r["load"])
        by_cell[key][r["policy"]] = (float(r["mean_ms"]), float(r["p99_ms"]))
    return by_cell


def score(cells, policy, left_out=(), own=None):
    """POLICY over CELLS (a list of {policy: (mean_ms, p99_ms)}): the share within 10% of the best
    on mean and p99, the worst ratios to the best, the cells more than 5% worse than round-robin
    (and the worst), the geometric means of the ratios. The best is over the cell's policies but
    those LEFT_OUT; OWN, if given, holds POLICY's (mean_ms, p99_ms) per cell in place of the cell's."""
    within = over_rr = 0
    worst_m = worst_p = worst_rr = 0.0
    log_m = log_p = 0.0
    for i, c in enumerate(cells):
        m, q = c[policy] if own is None else own[i]
        others = [v for p, v in c.items() if p != policy and p not in left_out]
        bm = min([v[0] for v in others] + [m]); bp = min([v[1] for v in others] + [q])
        rm, rp = m / bm, q / bp
        within += rm <= 1.1 and rp <= 1.1
        worst_m, worst_p = max(worst_m, rm), max(worst_p, rp)
        log_m += math.log(rm); log_p += math.log(rp)
        rr = max(m / c["round-robin"][0], q / c["round-robin"][1])
        worst_rr = max(worst_rr, rr)
        over_rr += rr > 1.05
    n = len(cells)
    return dict(n=n, within=100.0 * within / n, within_cells=within, worst_m=worst_m, worst_p=worst_p,
                worst_rr=worst_rr, over_rr=over_rr, g_m=math.exp(log_m / n), g_p=math.exp(log_p / n))
