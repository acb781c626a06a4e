#!/usr/bin/env bash
# Issue 22's fleet-scale bar as a distribution (docs/evaluation/fleet-bar-*.md): every trace of a
# set whole on 1,000 GPUs x 16 GiB at u = 0.2, 0.6 and 0.95, ours against ch-bl, once per renaming
# of every model (renaming k appends "~k" to each model's name, moving it on the hash rings).
#   scripts/bench-fleet-bar.sh [--set tune|eval] [--out docs/evaluation] [FleetBar options, e.g. --renames 0,1,2,3]
#     tune (default): the generated traces of seeds 101-105 (the tuning seeds; 25 days, about 13 minutes);
#     eval: seeds 1-4 (20 days, about 14 minutes). Missing traces are generated first.
#   A change to ours, screened over placements in half the time (ch-bl's runs read from the stored report):
#     scripts/bench-fleet-bar.sh --set tune --out work/fleet-NAME --baseline docs/evaluation/fleet-bar-tune.csv
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
parse_set_out_pass "$@"
case "$SET" in
  tune) SEEDS="101 102 103 104 105" ;;
  eval) SEEDS="1 2 3 4" ;;
  *) die "--set is tune or eval, was $SET" ;;
esac
# shellcheck disable=SC2086 # the seeds are words
TRACES="$(generated_traces $SEEDS)"
CP="$(bench_classpath)"
cd "$ROOT" && exec java -Xms10g -Xmx10g -cp "$CP" io.gpufaas.bench.FleetBar --traces "$TRACES" --out "$OUT" \
  --name "fleet-bar-$SET" --reproduce "scripts/bench-fleet-bar.sh --set $SET${PASS[*]:+ ${PASS[*]}}" "${PASS[@]}"
