#!/usr/bin/env bash
# Screens a change to ours (demand) in minutes instead of hours: reruns demand alone, with the
# working tree as built, on every trace of one set of scripts/bench-generalization.sh's grids, and
# scores it against the other policies' cells stored there. Prints, per trace and pooled, the share
# of cells within 10% of the best on mean and p99, the cells more than 5% worse than round-robin
# (and the worst), and the geometric mean of the mean's ratio to the best, for the stored demand
# ("as it stands") and the rerun ("screened").
#
# `tuned` is left out of the best. It routes with demand most of the time, so its stored cells
# carry the stored demand's behaviour, and keeping them scores a change against the very code it
# changes: on the tuning set the stored demand scores 75.8% with them and 78.4% without, but
# changed versions scored 3 to 36 points lower with them than without. A change to code that every
# policy runs (the scheduler, the caches) needs the whole grid rerun instead: this reruns demand.
#
#   scripts/bench-screen.sh NAME [--set tune|tune-wide|eval|fresh] [--salts 0,1,2,3] [--runs DIR] [--traces DIR]
#       tune (default): the sample's first 12 hours and the seed-101 traces, in work/generalization
#       tune-wide: the seed 102-105 traces, in work/generalization-tune-wide (traces in
#         work/traces-tune-wide); more tuning data where tune cannot tell two changes apart. Its
#         stored grids (every policy, as it stands) are built first if absent: about 8 minutes
#       eval: the sample's last 12 hours and the seed 1 and 2 traces, in work/generalization
#       fresh: the seed 3 and 4 traces, in work/generalization-fresh (traces in work/traces-fresh)
#   Writes work/screen/NAME/<trace>/ (about 1 minute for tune, 3 for eval, 5 for tune-wide on 2
#   cores). Choose on tune and tune-wide; eval and fresh are for checking what was chosen, never
#   for choosing.
#   --salts: rerun under each salt (0: the models' own names; k: every name + "~k", which moves
#   every model on the hash ring, bench-grid.sh --rename) into NAME/salt-k, and sum up over them.
#   A cell's outcome depends on where its models hash, so a change is screened over several
#   salts (docs/benchmarks.md, "How much of a cell's verdict is noise"). Every salt is scored
#   against the same stored cells of the other policies (ch-bl's under the models' own names).
#   Default: 0 alone.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[[ $# -ge 1 && "$1" != --* ]] || die "usage: $0 NAME [--set tune|tune-wide|eval|fresh] [--salts 0,1,2,3] [--runs DIR] [--traces DIR]"
NAME="$1"; shift
SET=tune RUNS="" TRACES="" SALTS=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --set) SET="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --traces) TRACES="$2"; shift 2 ;;
    --salts) SALTS="$2"; shift 2 ;;
    *) die "unknown argument $1 (see the top of $0)" ;;
  esac
done
SHAPES="timer diurnal heavy-tail rare bursts"
case "$SET" in
  tune) SEEDS="101" WINDOW=0-720 SAMPLE=azure-first-12h ;;
  eval) SEEDS="1 2" WINDOW=720-1440 SAMPLE=azure-last-12h ;;
  tune-wide) SEEDS="102 103 104 105" WINDOW="" SAMPLE="" ;;
  fresh) SEEDS="3 4" WINDOW="" SAMPLE="" ;;
  *) die "--set is tune, tune-wide, eval or fresh, was $SET" ;;
esac
if [[ "$SET" = fresh ]]; then
  RUNS="${RUNS:-$WORK_DIR/generalization-fresh}" TRACES="${TRACES:-$WORK_DIR/traces-fresh}"
elif [[ "$SET" = tune-wide ]]; then
  RUNS="${RUNS:-$WORK_DIR/generalization-tune-wide}" TRACES="${TRACES:-$WORK_DIR/traces-tune-wide}"
else
  RUNS="${RUNS:-$WORK_DIR/generalization}" TRACES="${TRACES:-$WORK_DIR/traces}"
fi
OUT="$WORK_DIR/screen/$NAME"
# The grid of scripts/bench-generalization.sh's stored runs (docs/evaluation/generalization.md).
STORED_GRID=(--slices 6 --seeds 1 --loads 0.2,0.6,0.95,1.1 --fleet-day false)
GRID=("${STORED_GRID[@]}" --policies demand)

if [[ "$SET" = tune-wide ]]; then
  # The stored grids every screen scores against: built once, with every policy as it stands.
  for seed in $SEEDS; do
    for shape in $SHAPES; do
      t="$shape-s$seed"
      [[ -f "$TRACES/$t/gen_inv.csv" ]] || python3 "$ROOT/scripts/gen_traces.py" --out "$TRACES" --seed "$seed" --shapes "$shape" >&2
      if [[ ! -d "$RUNS/$t" ]]; then
        log "stored grid $t (every policy)"
        "$ROOT/scripts/bench-grid.sh" "${STORED_GRID[@]}" --policies round-robin,least-loaded,ch-bl,lalb,lalb-o3,ect-o3,demand \
          --trace "$TRACES/$t/gen_inv.csv" --out "$RUNS/$t" >/dev/null
      fi
    done
  done
fi

screen_salt() { # SALT OUT: demand rerun on every trace of the set, scored
  local salt="$1" out="$2" rename=()
  [[ "$salt" = 0 ]] || rename=(--rename "~$salt")
  NAMES=()
  if [[ -n "$SAMPLE" ]]; then
    [[ -d "$RUNS/$SAMPLE" ]] || die "no stored grid $RUNS/$SAMPLE: run scripts/bench-generalization.sh first"
    log "$SAMPLE"
    "$ROOT/scripts/bench-grid.sh" "${GRID[@]}" "${rename[@]}" --window "$WINDOW" --out "$out/$SAMPLE" >/dev/null
    NAMES+=("$SAMPLE")
  fi
  for shape in $SHAPES; do
    for seed in $SEEDS; do
      t="$shape-s$seed"
      [[ -d "$RUNS/$t" && -f "$TRACES/$t/gen_inv.csv" ]] || die "no stored grid $RUNS/$t or trace $TRACES/$t"
      log "$t"
      "$ROOT/scripts/bench-grid.sh" "${GRID[@]}" "${rename[@]}" --trace "$TRACES/$t/gen_inv.csv" --out "$out/$t" >/dev/null
      NAMES+=("$t")
    done
  done

  PYTHONPATH="$ROOT/scripts" python3 - "$RUNS" "$out" "${NAMES[@]}" <<'PY'
import collections, sys
import grid_cells
runs, out, names = sys.argv[1], sys.argv[2], sys.argv[3:]
OURS, LEFT_OUT = "demand", ("tuned",)

def show(label, s):
    return "%s %5.1f%% within 10%%, %3d over round-robin (worst %.2fx), geomean %.3f" % (
        label, s["within"], s["over_rr"], s["worst_rr"], s["g_m"])

total = collections.Counter()
for name in names:
    stored = grid_cells.keyed_cells(runs, name)
    rerun = grid_cells.keyed_cells(out, name)
    keys = list(stored)
    cells = [stored[k] for k in keys]
    as_is = grid_cells.score(cells, OURS, LEFT_OUT)
    screened = grid_cells.score(cells, OURS, LEFT_OUT, [rerun[k][OURS] for k in keys])
    print("%-16s %s | %s" % (name, show("as it stands", as_is), show("screened", screened)))
    for tag, s in (("as", as_is), ("sc", screened)):
        total[tag + "n"] += s["n"]; total[tag + "w"] += s["within_cells"]; total[tag + "rr"] += s["over_rr"]
print("pooled: as it stands %.1f%% within 10%%, %d over round-robin | screened %.1f%%, %d" % (
    100 * total["asw"] / total["asn"], total["asrr"], 100 * total["scw"] / total["scn"], total["scrr"]))
PY
}

IFS=, read -r -a SALT_LIST <<< "$SALTS"
for salt in "${SALT_LIST[@]}"; do
  [[ "$salt" =~ ^[0-9]+$ ]] || die "--salts lists whole numbers (0: the models' own names), had $salt"
done
if [[ ${#SALT_LIST[@]} -eq 1 && "${SALT_LIST[0]}" = 0 ]]; then
  screen_salt 0 "$OUT"
else
  mkdir -p "$OUT"
  for salt in "${SALT_LIST[@]}"; do
    log "salt $salt"
    screen_salt "$salt" "$OUT/salt-$salt" | tee "$OUT/salt-$salt.txt" | sed "s/^/salt $salt: /"
  done
  PYTHONPATH="$ROOT/scripts" python3 - "$RUNS" "$OUT" "${SALT_LIST[@]}" <<'PY'
import os, statistics, sys
import grid_cells
runs, out, salts = sys.argv[1], sys.argv[2], sys.argv[3:]
OURS, LEFT_OUT = "demand", ("tuned",)
names = sorted(os.listdir("%s/salt-%s" % (out, salts[0])))
share, over, every, some, cells = [], [], 0, 0, 0
scored = []
stored = {n: grid_cells.keyed_cells(runs, n) for n in names}
for s in salts:
    pooled = []
    for n in names:
        rerun = grid_cells.keyed_cells("%s/salt-%s" % (out, s), n)
        pooled += [grid_cells.score([c], OURS, LEFT_OUT, [rerun[k][OURS]]) for k, c in stored[n].items()]
    scored.append(pooled)
    share.append(100.0 * sum(c["within_cells"] for c in pooled) / len(pooled))
    over.append(sum(c["over_rr"] for c in pooled))
for per_cell in zip(*scored):
    cells += 1
    every += all(c["within_cells"] for c in per_cell)
    some += any(c["within_cells"] for c in per_cell)
print("over %d salts: screened %.1f%% within 10%% (median; %.1f-%.1f%%), %s over round-robin (median; %d-%d)" % (
    len(salts), statistics.median(share), min(share), max(share), statistics.median(over), min(over), max(over)))
print("placement luck: %.1f%% of the %d cells within 10%% under every salt, %.1f%% under some salt" % (
    100.0 * every / cells, cells, 100.0 * some / cells))
PY
fi
echo "reproduce: scripts/bench-screen.sh $NAME --set $SET --salts $SALTS"
