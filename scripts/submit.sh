#!/usr/bin/env bash
# Submits and manages the gpufaas job on the cluster of scripts/cluster.sh (or any cluster whose
# Flink CLI is given as FLINK, e.g. FLINK=/opt/flink/bin/flink).
#
#   scripts/submit.sh submit [--gpufaas.<option> value ...]   build if needed, run detached, print the job id
#   scripts/submit.sh list
#   scripts/submit.sh stop JOB_ID [DIR]       stop with a savepoint (default dir: work/savepoints)
#   scripts/submit.sh resume SAVEPOINT [--gpufaas.<option> value ...]
#
# resume runs the job with the options of the last submit (kept in work/submit.args), then the ones
# given: an exactly-once job resumes exactly-once without its options repeated.
#
# Environment: KAFKA_BOOTSTRAP (127.0.0.1:9092), GPUFAAS_REPOSITORY (./models if present),
# GPUFAAS_JOB_JAR (the job jar; default job/target/gpufaas-job-*-flink.jar).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

JAR="${GPUFAAS_JOB_JAR:-$ROOT/job/target/gpufaas-job-0.1.0-SNAPSHOT-flink.jar}"
flink() {
  if [[ -n "${FLINK:-}" ]]; then "$FLINK" "$@"; else "$ROOT/scripts/cluster.sh" flink "$@"; fi
}
job_args() {
  local args=(--gpufaas.kafka.bootstrap-servers "${KAFKA_BOOTSTRAP:-127.0.0.1:9092}")
  local repo="${GPUFAAS_REPOSITORY:-}"
  [[ -z "$repo" && -d "$ROOT/models" ]] && repo="$ROOT/models"
  [[ -n "$repo" ]] && args+=(--gpufaas.functions.repository "$repo")
  printf '%s\n' "${args[@]}"
}

cmd="${1:-}"; shift || true
case "$cmd" in
  submit)
    ensure_built "$JAR"
    mapfile -t base < <(job_args)
    mkdir -p "$WORK_DIR"
    if [[ $# -gt 0 ]]; then printf '%s\n' "$@" > "$WORK_DIR/submit.args"; else : > "$WORK_DIR/submit.args"; fi
    flink run -d -c io.gpufaas.job.GpuFaasJob "$JAR" "${base[@]}" "$@" ;;
  list)
    flink list ;;
  stop)
    job="${1:?job id needed (scripts/submit.sh list)}"
    dir="${2:-$WORK_DIR/savepoints}"
    mkdir -p "$dir"
    flink stop --savepointPath "file://$(cd "$dir" && pwd)" "$job" ;;
  resume)
    savepoint="${1:?savepoint path needed (printed by scripts/submit.sh stop)}"; shift
    ensure_built "$JAR"
    mapfile -t base < <(job_args)
    carried=()
    if [[ -s "$WORK_DIR/submit.args" ]]; then
      mapfile -t carried < "$WORK_DIR/submit.args"
      log "resuming with the options of the last submit: ${carried[*]}"
    fi
    flink run -d -s "$savepoint" -c io.gpufaas.job.GpuFaasJob "$JAR" "${base[@]}" ${carried[@]+"${carried[@]}"} "$@" ;;
  *) die "usage: $0 submit|list|stop JOB_ID [DIR]|resume SAVEPOINT [options]" ;;
esac
