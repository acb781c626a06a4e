#!/usr/bin/env bash
# How much of a grid cell's verdict is noise (docs/evaluation/noise.md): every policy runs each
# cell of a set as the grid does, with arrivals stretched by 0.2%, and with every model renamed,
# and is compared with itself; ours' verdict (issue 22's bar) is taken in each run.
#   scripts/bench-noise.sh [--set tune|eval] [--out docs/evaluation] [NoiseReport options, e.g. --stretch 1.002]
#     tune (default): the sample's first 12 hours and the seed-101 generated traces (the tuning set);
#     eval: the sample's last 12 hours and the seed-1 and seed-2 traces. About 10 minutes for tune.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
parse_set_out_pass "$@"
case "$SET" in
  tune) SEEDS="101" WINDOW=0-720 ;;
  eval) SEEDS="1 2" WINDOW=720-1440 ;;
  *) die "--set is tune or eval, was $SET" ;;
esac
# shellcheck disable=SC2086 # the seeds are words
TRACES="sample,$(generated_traces $SEEDS)"
CP="$(bench_classpath)"
SHOWN="scripts/bench-noise.sh --set $SET${PASS[*]:+ ${PASS[*]}}"
cd "$ROOT" && exec java -Xmx8g -cp "$CP" io.gpufaas.bench.NoiseReport --traces "$TRACES" --window "$WINDOW" --out "$OUT" \
  --reproduce "$SHOWN" "${PASS[@]}"
