#!/usr/bin/env bash
# A task manager killed under load, on scripts/cluster.sh's cluster (2 task managers): the gpufaas
# job (exactly-once results by default), a checkpoint taken, invocations of echo, tiny-mlp and
# tiny-cnn at a steady rate, task manager 1 killed (kill -9) at --kill-at seconds, every result
# read back read_committed. Prints and writes OUT/<label>.md and OUT/<label>.png (results per second).
#
#   scripts/bench-failover.sh [--delivery exactly-once|at-least-once] [--rate 200] [--seconds 80]
#       [--kill-at 40] [--label NAME] [--out work/failover] [--functions echo,tiny-mlp,tiny-cnn]
#
# With real models: scripts/make-models.sh, then GPUFAAS_REPOSITORY=models and
# --functions resnet18,mobilenet-v3-small,squeezenet1-1 at a rate the CPU keeps up with.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DELIVERY=exactly-once RATE=200 SECONDS_=80 KILL_AT=40 LABEL="" OUT="$WORK_DIR/failover" FUNCTIONS=echo,tiny-mlp,tiny-cnn
while [[ $# -gt 0 ]]; do
  case "$1" in
    --delivery) DELIVERY="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --seconds) SECONDS_="$2"; shift 2 ;;
    --kill-at) KILL_AT="$2"; shift 2 ;;
    --label) LABEL="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --functions) FUNCTIONS="$2"; shift 2 ;;
    *) die "unknown argument $1 (see the top of $0)" ;;
  esac
done
LABEL="${LABEL:-$DELIVERY}"
CP="$(bench_classpath)"
"$ROOT/scripts/cluster.sh" status >/dev/null 2>&1 && die "stop the running cluster first: this benchmark kills one of its task managers"
trap stop_cluster_job EXIT
start_cluster_job --gpufaas.kafka.delivery-guarantee "$DELIVERY"
rest=$(flink_rest_url)
log "waiting for the job's first completed checkpoint (its models then restore warm)"
for _ in $(seq 1 120); do
  curl -sf "$rest/jobs/$CLUSTER_JOB/checkpoints" | grep -q '"completed":[1-9]' && break
  sleep 0.5
done
cd "$ROOT" && java "${FLINK_ADD_OPENS[@]}" -Xmx1g -Djava.awt.headless=true \
  -Dlog4j2.configurationFile="$ROOT/benchmarks/src/main/resources/log4j2.properties" \
  -cp "$CP" io.gpufaas.bench.FailoverBenchmark --bootstrap "$BOOTSTRAP" --rate "$RATE" --seconds "$SECONDS_" \
  --kill-at "$KILL_AT" --kill "$ROOT/scripts/cluster.sh kill-taskmanager 1" --rest "$rest" --job "$CLUSTER_JOB" \
  --label "$LABEL" --out "$OUT" --functions "$FUNCTIONS"
log "command: ${GPUFAAS_REPOSITORY:+GPUFAAS_REPOSITORY=$GPUFAAS_REPOSITORY }scripts/bench-failover.sh --delivery $DELIVERY --rate $RATE --seconds $SECONDS_ --kill-at $KILL_AT --functions $FUNCTIONS"
