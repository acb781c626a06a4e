#!/usr/bin/env bash
# The scheduling grid on traces the policies were not tuned on, kept apart from the traces they
# were tuned on. Tuning set: the shared Azure sample's first 12 hours and generated traces of the
# tuning seed (101); evaluation set: the sample's last 12 hours and generated traces of other seeds
# (1 and 2). Generated shapes (scripts/gen_traces.py): one timer function carrying most calls, a
# day wave, 100x heavy-tailed run times, thousands of rare functions, bursts. Writes
# OUT/generalization.md: one row per trace and policy (ours: demand, the default; tuned, which
# picks among policies by replaying its own recent arrivals), from each trace's grid cells
# (RUNS/<trace>/grid-cells.csv).
#
#   scripts/bench-generalization.sh [--seeds 1,2] [--tune-seeds 101]
#       [--shapes timer,diurnal,heavy-tail,rare,bursts] [--out docs/evaluation] [--grid "--quick"]
#       [--runs work/generalization] [--report-only]
#       (--grid: options for every scripts/bench-grid.sh run, e.g. "--fleets 4x16,16x2.5" for pools
#       the defaults were not tuned on; --runs: where the grids go; --report-only: rewrite the report
#       from the grids already there)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SEEDS=1,2 TUNE_SEEDS=101 SHAPES=timer,diurnal,heavy-tail,rare,bursts OUT="$ROOT/docs/evaluation" GRID="--quick" RUN=true
RUNS="$WORK_DIR/generalization"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seeds) SEEDS="$2"; shift 2 ;;
    --tune-seeds) TUNE_SEEDS="$2"; shift 2 ;;
    --shapes) SHAPES="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --grid) GRID="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --report-only) RUN=false; shift ;;
    *) die "unknown argument $1 (see the top of $0)" ;;
  esac
done
[[ "$RUNS" = /* ]] || RUNS="$PWD/$RUNS"
[[ "$OUT" = /* ]] || OUT="$PWD/$OUT"
TRACES="$WORK_DIR/traces"
mkdir -p "$OUT" "$RUNS"
if $RUN; then
for seed in ${TUNE_SEEDS//,/ } ${SEEDS//,/ }; do
  python3 "$ROOT/scripts/gen_traces.py" --out "$TRACES" --seed "$seed" --shapes "$SHAPES" >&2
done
# The sample's halves: the first 12 hours to tune on, the last 12 to report on.
# shellcheck disable=SC2086
"$ROOT/scripts/bench-grid.sh" $GRID --window 0-720 --out "$RUNS/azure-first-12h" >&2
# shellcheck disable=SC2086
"$ROOT/scripts/bench-grid.sh" $GRID --window 720-1440 --out "$RUNS/azure-last-12h" >&2
for shape in ${SHAPES//,/ }; do
  for seed in ${TUNE_SEEDS//,/ } ${SEEDS//,/ }; do
    # shellcheck disable=SC2086
    "$ROOT/scripts/bench-grid.sh" $GRID --trace "$TRACES/$shape-s$seed/gen_inv.csv" --out "$RUNS/$shape-s$seed" >&2
  done
done
fi
PYTHONPATH="$ROOT/scripts" python3 - "$RUNS" "$OUT/generalization.md" "$GRID" "$SEEDS" "$TUNE_SEEDS" "$SHAPES" "${RUNS#"$ROOT"/}" "${OUT#"$ROOT"/}" "$ROOT" <<'PY'
import os, statistics, sys
import grid_cells
runs, out, grid, seeds, tune_seeds, shapes, runs_shown, out_shown, root = sys.argv[1:10]

def keyed_cells(name):
    return grid_cells.keyed_cells(runs, name)

def cells(name):
    return list(keyed_cells(name).values())

def worst(names, policy, n=12):
    rows = []
    for name in names:
        for key, c in keyed_cells(name).items():
            bm = min(c, key=lambda p: c[p][0]); bp = min(c, key=lambda p: c[p][1])
            r = max(c[policy][0] / c[bm][0], c[policy][1] / c[bp][1])
            rows.append((r, name, key, c[policy], bm, c[bm][0], bp, c[bp][1], c["round-robin"]))
    rows.sort(key=lambda x: -x[0])
    out = ["| trace | slice start | seed | functions | fleet | u | %s mean / p99 ms | best mean (policy) | best p99 (policy) | round-robin mean / p99 |" % policy,
           "| --- | ---: | ---: | ---: | --- | ---: | ---: | --- | --- | ---: |"]
    for r, name, k, o, bm, bmv, bp, bpv, rr in rows[:n]:
        out.append("| %s | %s | %s | %s | %sx%sGiB | %s | %.0f / %.0f | %.0f (%s) | %.0f (%s) | %.0f / %.0f |"
                   % (name, k[0], k[1], k[2], k[3], k[4].rstrip("0").rstrip("."), k[5], o[0], o[1], bmv, bm, bpv, bp, rr[0], rr[1]))
    return "\n".join(out)

def stats(name):
    cs = cells(name)
    return {p: grid_cells.score(cs, p) for p in cs[0].keys()}

header = ("| trace | cells | policy | within 10% of best (mean and p99) | worst ratio to best, mean / p99 | "
          "against round-robin: cells > 1.05x (worst) | geomean ratio to best, mean / p99 | ch-bl's geomean | lowest geomean (mean / p99) |\n"
          "| --- | ---: | --- | ---: | --- | --- | --- | --- | --- |")

def rows(name, s):
    best_m = min(s, key=lambda p: s[p]["g_m"]); best_p = min(s, key=lambda p: s[p]["g_p"])
    c = s["ch-bl"]
    return "\n".join("| %s | %d | %s | %.1f%% | %.2f / %.2f | %d (%.2fx) | %.2f / %.2f | %.2f / %.2f | %s / %s |"
                     % (name, s[p]["n"], p, s[p]["within"], s[p]["worst_m"], s[p]["worst_p"], s[p]["over_rr"],
                        s[p]["worst_rr"], s[p]["g_m"], s[p]["g_p"], c["g_m"], c["g_p"], best_m, best_p) for p in OURS)

def summary(all_stats):
    lines = []
    for p in OURS:
        w = [s[p]["within"] for s in all_stats.values()]
        lines.append("- `%s`: within 10%% of the best in a median %.1f%% of a trace's cells (%.1f-%.1f%%); cells more "
                     "than 5%% worse than round-robin: %d in all (worst %.2fx); geomean ratio to best (mean) median %.2f, "
                     "worst %.2f." % (p, statistics.median(w), min(w), max(w), sum(s[p]["over_rr"] for s in all_stats.values()),
                                      max(s[p]["worst_rr"] for s in all_stats.values()),
                                      statistics.median(s[p]["g_m"] for s in all_stats.values()),
                                      max(s[p]["g_m"] for s in all_stats.values())))
    return "\n".join(lines)

def reachable(name):
    """Percent of the trace's cells where some policy is within 10% of the best on both mean and p99."""
    cs = cells(name)
    ok = 0
    for c in cs:
        bm = min(v[0] for v in c.values()); bp = min(v[1] for v in c.values())
        ok += any(m <= 1.1 * bm and q <= 1.1 * bp for m, q in c.values())
    return 100.0 * ok / len(cs)

def ceiling(names):
    r = [reachable(n) for n in names]
    return ("- Ceiling: the best mean and the best p99 of a cell often come from different policies, so the most "
            "that any choice of one of these policies per cell could reach is a median %.1f%% of a trace's cells "
            "within 10%% of the best on both (%.1f-%.1f%%).") % (statistics.median(r), min(r), max(r))

tune = ["azure-first-12h"] + ["%s-s%s" % (sh, se) for sh in shapes.split(",") for se in tune_seeds.split(",")]
evals = ["azure-last-12h"] + ["%s-s%s" % (sh, se) for sh in shapes.split(",") for se in seeds.split(",")]
OURS = [p for p in ("demand", "tuned") if p in cells(evals[0])[0]]
tune_stats = {n: stats(n) for n in tune}
eval_stats = {n: stats(n) for n in evals}
with open(out, "w") as f:
    f.write("# Scheduling on traces we did not tune on\n\n")
    f.write("Generated by `scripts/bench-generalization.sh --grid \"%s\" --seeds %s --tune-seeds %s --shapes %s%s`. "
            "Each row is one trace's own grid (`scripts/bench-grid.sh %s`), every policy in every cell; its full "
            "report and cells are in `%s/<trace>/`. Ours: `demand` (the default)%s.\n\n"
            % (grid, seeds, tune_seeds, shapes,
               "" if runs_shown == "work/generalization" else " --runs %s --out %s" % (runs_shown, out_shown),
               grid, runs_shown,
               " and `tuned` (picks among `demand`, `ect-o3`, `lalb-o3`, `least-loaded` and `ch-bl` by replaying its "
               "own recent arrivals through the simulator; `PolicyTuner`)" if "tuned" in OURS else ""))
    f.write("Generated traces (`scripts/gen_traces.py`): `timer` (500 functions, one timer function making 60% of "
            "the calls), `diurnal` (300 functions on a day wave), `heavy-tail` (run times lognormal with sigma 2: a "
            "100x spread), `rare` (2,000 functions, 20 hot, the rest called 1-12 times in 12 hours), `bursts` (400 "
            "functions silent most minutes, bursting now and then).\n\n")
    f.write("A cell's verdict is partly noise: stretching its arrivals by 0.2%%, or renaming its models, changes "
            "ours' in some cells; [noise.md](%s) measures how many (`scripts/bench-noise.sh`).\n\n"
            % os.path.relpath(os.path.join(root, "docs", "evaluation", "noise.md"), os.path.dirname(out)))

    f.write("## Evaluation set\n\nThe shared sample's last 12 hours and generated traces of seeds %s: never used to "
            "choose a default or a setting.\n\n" % seeds)
    f.write(summary(eval_stats) + "\n" + ceiling(evals) + "\n\n")
    f.write(header + "\n" + "\n".join(rows(n, s) for n, s in eval_stats.items()) + "\n\n")
    f.write("Where the default (`demand`) loses most on the evaluation set, by the worse of its mean's and p99's "
            "ratio to the best policy in the cell:\n\n" + worst(evals, "demand") + "\n\n")
    f.write("## Tuning set\n\nThe shared sample's first 12 hours and generated traces of seed %s. The tuned "
            "policy's settings (`PolicyTuner.Settings.DEFAULTS`) and the choice of `demand` as the default were made "
            "on these alone, so these rows are not evidence that they generalize.\n\n" % tune_seeds)
    f.write(summary(tune_stats) + "\n" + ceiling(tune) + "\n\n")
    f.write(header + "\n" + "\n".join(rows(n, s) for n, s in tune_stats.items()) + "\n")
PY
log "wrote $OUT/generalization.md"
