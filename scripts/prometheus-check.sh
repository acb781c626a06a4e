#!/usr/bin/env bash
# Metrics where operators look: the gpufaas job on scripts/cluster.sh's cluster under a mixed load,
# a real Prometheus server (Debian's prometheus package) scraping every Flink JVM's reporter
# (flink-conf/config.yaml), every query of the Grafana dashboard (docs/grafana/gpufaas.json) asked
# of Prometheus and required to return series, and the
# Prometheus graph pages of three of its panels rendered headless to docs/prometheus-*.png
# (with Debian's chromium, when installed). Exits non-zero when a gauge is missing.
#
#   scripts/prometheus-check.sh [--invocations 3000] [--no-screenshot]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

INVOCATIONS=3000 SCREENSHOT=1 PROM_PORT=9090
while [[ $# -gt 0 ]]; do
  case "$1" in
    --invocations) INVOCATIONS="$2"; shift 2 ;;
    --no-screenshot) SCREENSHOT=0; shift ;;
    *) die "unknown argument $1 (see the top of $0)" ;;
  esac
done
command -v prometheus >/dev/null || die "no prometheus: apt-get install prometheus (Debian's package)"
OUT="$WORK_DIR/prometheus-check"
rm -rf "$OUT"; mkdir -p "$OUT/data"
prom_pid=""
cleanup() {
  [[ -n "$prom_pid" ]] && kill "$prom_pid" 2>/dev/null || true
  stop_cluster_job
}
trap cleanup EXIT
start_cluster_job

# Every JVM of the cluster takes the first free port of the reporter's range (config.yaml).
targets=$(seq 9249 9259 | sed 's/.*/"localhost:&"/' | paste -sd, -)
cat > "$OUT/prometheus.yml" <<YML
global:
  scrape_interval: 5s
scrape_configs:
  - job_name: flink
    static_configs:
      - targets: [$targets]
YML
prometheus --config.file="$OUT/prometheus.yml" --storage.tsdb.path="$OUT/data" \
  --web.listen-address="127.0.0.1:$PROM_PORT" > "$OUT/prometheus.log" 2>&1 &
prom_pid=$!
api="http://127.0.0.1:$PROM_PORT/api/v1"
for _ in $(seq 1 60); do curl -sf "$api/status/buildinfo" >/dev/null && break; sleep 0.5; done
curl -sf "$api/status/buildinfo" >/dev/null || die "Prometheus did not start; see $OUT/prometheus.log"

log "sending $INVOCATIONS invocations (echo, tiny-mlp, tiny-cnn) in three waves"
for wave in 1 2 3; do
  "$ROOT/scripts/load.py" $((INVOCATIONS / 3)) --seed "$wave" | "$ROOT/scripts/kafka.sh" produce gpufaas.invocations
  sleep 10
done

query() { curl -sf --data-urlencode "query=$1" "$api/query"; }
# The dashboard's own queries (docs/grafana/gpufaas.json, every job), each of which must return series.
mapfile -t checks < <(python3 -c '
import json, sys
for panel in json.load(open(sys.argv[1]))["panels"]:
    for t in panel["targets"]:
        print(t["expr"].replace("$job", ".*"))' "$ROOT/docs/grafana/gpufaas.json")
completed='sum(flink_taskmanager_job_task_operator_invocationsCompleted{operator_name="worker"})'
# Wait until two waves' results have been scraped (a counter is a gauge to Flink's reporter).
for _ in $(seq 1 60); do
  done_count=$(query "$completed" | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(int(float(r[0]["value"][1])) if r else 0)')
  [[ "$done_count" -ge $((INVOCATIONS / 3 * 2)) ]] && break
  sleep 2
done
{
  echo "| query | series | values |"
  echo "| --- | ---: | --- |"
  for q in "${checks[@]}"; do
    line=$(query "$q" | python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
vals = ", ".join("%g" % float(s["value"][1]) for s in r)
print("%d|%s" % (len(r), vals))')
    n=${line%%|*}
    echo "| \`$q\` | $n | ${line#*|} |"
  done
} | tee "$OUT/gauges.md"
! grep -q ' | 0 | ' "$OUT/gauges.md" || die "some gauges were not in Prometheus (a dashboard query returned no series; see above and $OUT/prometheus.log)"
log "every dashboard query returned series from Prometheus ($OUT/gauges.md)"

if [[ $SCREENSHOT -eq 1 ]] && command -v chromium >/dev/null; then
  # Three of the dashboard's panels, each as Prometheus' graph page draws it (Grafana is not
  # packaged here): docs/prometheus-<name>.png.
  p=flink_taskmanager_job_task_operator_
  shots=("hit-ratio|${p}cacheHitRatio{operator_name=\"worker\"}"
    "completed|sum(rate(${p}invocationsCompleted{operator_name=\"worker\"}[1m]))"
    "latency-p99|${p}endToEndLatencyMs{operator_name=\"worker\",quantile=\"0.99\"}")
  for shot in "${shots[@]}"; do
    name=${shot%%|*} expr=${shot#*|}
    url="http://127.0.0.1:$PROM_PORT/graph?g0.expr=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$expr")&g0.tab=0&g0.range_input=3m"
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
      --disable-component-update --disable-sync --user-data-dir="$OUT/chromium" --window-size=1400,820 \
      --virtual-time-budget=8000 --screenshot="$ROOT/docs/prometheus-$name.png" "$url" >> "$OUT/chromium.log" 2>&1 \
      && log "the graph page: docs/prometheus-$name.png" || log "chromium could not render $name (see $OUT/chromium.log)"
  done
fi
