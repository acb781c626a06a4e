#!/usr/bin/env bash
# A Flink standalone session cluster from Maven-resolved Flink jars (no distribution download):
# one job manager and N task managers as plain JVMs, configured by flink-conf/config.yaml.
#
#   scripts/cluster.sh start [--taskmanagers 2]   web UI and REST on http://localhost:8081
#   scripts/cluster.sh stop
#   scripts/cluster.sh status
#   scripts/cluster.sh flink <args>               the Flink CLI against this cluster, e.g. flink list
#   scripts/cluster.sh kill-taskmanager N         kill -9 task manager N, as a crash would
#
# Environment: GPUFAAS_WORK_DIR (./work), FLINK_CONF_DIR (./flink-conf).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

CLUSTER_DIR="$WORK_DIR/cluster"
CONF_DIR="${FLINK_CONF_DIR:-$ROOT/flink-conf}"
LIB_DIR="$CLUSTER_DIR/lib"
LIB_STAMP="$LIB_DIR/.resolved"
TASKMANAGERS=2

cmd="${1:-status}"; shift || true
if [[ "$cmd" != flink && "$cmd" != kill-taskmanager ]]; then
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --taskmanagers) TASKMANAGERS="$2"; shift 2 ;;
      *) die "unknown argument $1 (see the top of $0)" ;;
    esac
  done
fi

# Like a distribution, the cluster runs from lib/: Flink's jars (scripts/cluster/pom.xml) copied
# there once, and whatever a user adds beside them (the gpufaas SQL connector jar, say).
classpath() {
  if [[ ! -f "$LIB_STAMP" || "$ROOT/scripts/cluster/pom.xml" -nt "$LIB_STAMP" ]]; then
    command -v mvn >/dev/null || die "Maven (mvn) is needed to resolve the Flink jars"
    log "resolving Flink's jars from Maven into $LIB_DIR (scripts/cluster/pom.xml)"
    mkdir -p "$LIB_DIR"
    (cd "$ROOT/scripts/cluster" && mvn -B -q dependency:copy-dependencies -DoutputDirectory="$LIB_DIR" \
      -Dmdep.overWriteIfNewer=true) || die "could not resolve the cluster's jars"
    touch "$LIB_STAMP"
  fi
  local jars=("$LIB_DIR"/*.jar)
  local IFS=:
  echo "${jars[*]}"
}

pids() { ls "$CLUSTER_DIR"/*.pid 2>/dev/null || true; }
alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }
rest_port() { FLINK_CONF_DIR="$CONF_DIR" flink_rest_port; }
rest_up() { (exec 3<>"/dev/tcp/127.0.0.1/$(rest_port)") 2>/dev/null; }

launch() { # name main args...
  local name="$1"; shift
  local main="$1"; shift
  FLINK_PLUGINS_DIR="$CLUSTER_DIR/plugins" nohup java "${FLINK_ADD_OPENS[@]}" "${JVM_ARGS[@]}" \
    -Dlog.file="$CLUSTER_DIR/$name.log" \
    -Dlog4j.configurationFile="$ROOT/scripts/log4j2-cluster.properties" \
    -cp "$(classpath)" "$main" --configDir "$CONF_DIR" "$@" > "$CLUSTER_DIR/$name.out" 2>&1 &
  echo $! > "$CLUSTER_DIR/$name.pid"
  log "started $name (pid $!), log: $CLUSTER_DIR/$name.log"
}

start() {
  mkdir -p "$CLUSTER_DIR"
  for p in $(pids); do alive "$p" && die "the cluster is already running (scripts/cluster.sh status)"; done
  rest_up && die "port $(rest_port) is taken: another Flink or web server is running"
  local cp; cp=$(classpath)
  # The GPU external-resource driver loads only as a Flink plugin; it stays idle unless
  # config.yaml asks for external-resources: gpu.
  local plugin
  plugin=$(ls "$ROOT"/udf-gpu/target/gpufaas-udf-gpu-*-gpu-plugin.jar 2>/dev/null | head -1 || true)
  if [[ -n "$plugin" ]]; then
    mkdir -p "$CLUSTER_DIR/plugins/gpufaas-gpu"
    cp "$plugin" "$CLUSTER_DIR/plugins/gpufaas-gpu/"
  fi
  JVM_ARGS=(-Xmx1g)
  launch jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
  # What Flink's own scripts do: compute the task manager's memory flags from the configuration.
  local out jvm dyn
  out=$(java -cp "$cp" org.apache.flink.runtime.util.bash.BashJavaUtils GET_TM_RESOURCE_PARAMS --configDir "$CONF_DIR" 2>&1 \
    | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://')
  jvm=$(echo "$out" | sed -n 1p)
  dyn=$(echo "$out" | sed -n 2p)
  [[ -n "$jvm" ]] || die "could not compute task manager memory from $CONF_DIR/config.yaml"
  local i
  for i in $(seq 1 "$TASKMANAGERS"); do
    # shellcheck disable=SC2206
    JVM_ARGS=($jvm)
    # shellcheck disable=SC2086
    launch "taskmanager-$i" org.apache.flink.runtime.taskexecutor.TaskManagerRunner $dyn
  done
  for i in $(seq 1 120); do rest_up && break; sleep 0.5; done
  rest_up || die "the job manager's REST endpoint did not come up; see $CLUSTER_DIR/jobmanager.log"
  log "cluster up: web UI http://localhost:$(rest_port), $TASKMANAGERS task managers"
}

stop() {
  local p
  for p in $(pids); do
    if alive "$p"; then kill "$(cat "$p")"; fi
  done
  for p in $(pids); do
    local n
    for n in $(seq 1 60); do alive "$p" || break; sleep 0.5; done
    alive "$p" && kill -9 "$(cat "$p")"
    rm -f "$p"
  done
  log "cluster stopped"
}

status() {
  local any=0 p
  for p in $(pids); do
    if alive "$p"; then log "$(basename "$p" .pid) running (pid $(cat "$p"))"; any=1; fi
  done
  [[ $any -eq 1 ]] || { log "cluster not running"; exit 3; }
}

flink_cli() {
  FLINK_CONF_DIR="$CONF_DIR" exec java "${FLINK_ADD_OPENS[@]}" -Dlog4j.configurationFile="$ROOT/scripts/log4j2-cluster.properties" \
    -Dlog.file="$CLUSTER_DIR/client.log" -cp "$(classpath)" org.apache.flink.client.cli.CliFrontend "$@"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  flink) flink_cli "$@" ;;
  kill-taskmanager)
    pid_file="$CLUSTER_DIR/taskmanager-${1:?task manager number needed}.pid"
    alive "$pid_file" || die "task manager $1 is not running"
    kill -9 "$(cat "$pid_file")"; rm -f "$pid_file"
    log "killed task manager $1; its work fails over to the remaining slots" ;;
  *) die "usage: $0 start [--taskmanagers N] | stop | status | flink <args> | kill-taskmanager N" ;;
esac
