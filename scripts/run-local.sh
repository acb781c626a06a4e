#!/usr/bin/env bash
# The whole thing on one machine: builds if needed, starts a Kafka broker, runs the gpufaas job in
# a local Flink with the web UI on http://localhost:8081, sends sample invocations (some
# deliberately bad), prints the results and dead letters, and stops cleanly.
#
#   scripts/run-local.sh [--keep-running] [--web-port 8081] [--count 9] [--gpufaas.<option> value ...]
#
# --keep-running leaves the job (and the broker) up for exploring the web UI; Ctrl-C stops both.
# Models: ./models if it exists; else generated there by scripts/make-models.sh when Debian's
# python3-torch is installed; else the two tiny TorchScript models committed for the tests.
# --no-models runs the built-in echo function only.
# Stopping loses nothing: checkpoints are kept in $GPUFAAS_WORK_DIR/checkpoints and the next run
# resumes from the newest (what waited in the router is answered then); --fresh starts without.
# Environment: KAFKA_PORT (9092), GPUFAAS_WORK_DIR (./work).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

CP_FILE="$ROOT/job/target/local-classpath.txt"
ensure_built "$CP_FILE" "$ROOT/testkit/target/broker-classpath.txt"

repo_args=()
args=()
use_models=1
for a in "$@"; do
  if [[ "$a" == "--no-models" ]]; then use_models=0; else args+=("$a"); fi
done
if [[ $use_models -eq 1 && " ${args[*]-} " != *" --gpufaas.functions.repository "* ]]; then
  if [[ -d "$ROOT/models" ]]; then
    repo="$ROOT/models"
  elif /usr/bin/python3 -c 'import torch, torchvision' 2>/dev/null; then
    log "generating the default model catalogue into ./models (scripts/make-models.sh)"
    "$ROOT/scripts/make-models.sh" --out "$ROOT/models" >&2
    repo="$ROOT/models"
  else
    repo="$ROOT/udf-gpu/src/test/resources/repo"
    log "no ./models and no python3-torch to generate it: using the tiny committed test models ($repo)"
  fi
  repo_args=(--gpufaas.functions.repository "$repo")
fi

started_broker=0
if ! "$ROOT/scripts/kafka.sh" status >/dev/null 2>&1; then
  "$ROOT/scripts/kafka.sh" start >/dev/null
  started_broker=1
fi
bootstrap=$("$ROOT/scripts/kafka.sh" status 2>/dev/null)
cleanup() { if [[ $started_broker -eq 1 ]]; then "$ROOT/scripts/kafka.sh" stop; fi; }
trap cleanup EXIT

log "broker at $bootstrap; starting the job in a local Flink"
java "${FLINK_ADD_OPENS[@]}" -Xmx2g \
  -Dlog4j.configurationFile="$ROOT/scripts/log4j2-local.properties" \
  -cp "$ROOT/job/target/classes:$(cat "$CP_FILE")" \
  io.gpufaas.job.local.LocalRunner --gpufaas.kafka.bootstrap-servers "$bootstrap" ${repo_args[@]+"${repo_args[@]}"} ${args[@]+"${args[@]}"}
