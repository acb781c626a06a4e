# Sourced by the other scripts: paths, the JVM flags Flink needs on Java 17, and build-on-demand.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK_DIR="${GPUFAAS_WORK_DIR:-$ROOT/work}"

FLINK_ADD_OPENS=(
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
)

log() { printf '[gpufaas] %s\n' "$*" >&2; }
die() { printf '[gpufaas] error: %s\n' "$*" >&2; exit 1; }

# Builds the project (without tests) when any of the given files is missing or any source is newer.
ensure_built() {
  local missing=0 f
  for f in "$@"; do [[ -f "$f" ]] || missing=1; done
  if [[ $missing -eq 0 ]]; then
    local newer
    # Build output (generated sources included) and generated data are not sources.
    newer=$(find "$ROOT" \( -path "$ROOT/work" -o -path "$ROOT/models" -o -name target -o -name .git \) -prune \
      -o \( -name '*.java' -o -name pom.xml \) -newer "$1" -print -quit 2>/dev/null)
    [[ -z "$newer" ]] && return 0
  fi
  command -v mvn >/dev/null || die "Maven (mvn) is needed to build gpufaas"
  log "building (mvn -DskipTests install); the first build downloads dependencies and takes a few minutes"
  # To stderr: callers capture stdout (a classpath), and mvn -q still prints colour resets.
  (cd "$ROOT" && mvn -B -q -DskipTests install >&2) || die "build failed"
  # Maven leaves a classpath file untouched when its content did not change: mark it as fresh,
  # or the next script would build again.
  touch "$@"
}

# Replaces what lies between "<!-- NAME:start -->" and "<!-- NAME:end -->" in FILE with TABLE
# (the generated tables of docs/configuration.md and docs/metrics.md).
replace_generated() { # FILE NAME TABLE
  TABLE="$3" python3 - "$1" "$2" <<'PY'
import os, sys
path, name = sys.argv[1], sys.argv[2]
text = open(path).read()
start, end = "<!-- %s:start -->\n" % name, "<!-- %s:end -->" % name
i, j = text.index(start) + len(start), text.index(end)
open(path, "w").write(text[:i] + os.environ["TABLE"] + "\n" + text[j:])
PY
}

# The benchmarks module's classpath, built if needed (scripts/bench-*.sh).
bench_classpath() {
  local cp_file="$ROOT/benchmarks/target/bench-classpath.txt"
  ensure_built "$cp_file"
  echo "$ROOT/benchmarks/target/classes:$(cat "$cp_file")"
}

# The Flink REST port and URL that FLINK_CONF_DIR's config.yaml (./flink-conf by default) names.
flink_rest_port() { grep -A3 '^rest:' "${FLINK_CONF_DIR:-$ROOT/flink-conf}/config.yaml" | awk '/port:/ {print $2; exit}'; }
flink_rest_url() { echo "http://localhost:$(flink_rest_port)"; }

# For the scripted checks: the broker and scripts/cluster.sh's cluster (each started only if not
# running), and the gpufaas job submitted to it with the test models (or GPUFAAS_REPOSITORY's),
# waited on until it runs.
# Sets BOOTSTRAP and CLUSTER_JOB; stop_cluster_job cancels the job and stops what was started.
start_cluster_job() {
  ensure_built "$ROOT/job/target/gpufaas-job-0.1.0-SNAPSHOT-flink.jar"
  STARTED_BROKER=0 STARTED_CLUSTER=0 CLUSTER_JOB=""
  if ! BOOTSTRAP=$("$ROOT/scripts/kafka.sh" status 2>/dev/null); then
    "$ROOT/scripts/kafka.sh" start >/dev/null
    STARTED_BROKER=1
    BOOTSTRAP=$("$ROOT/scripts/kafka.sh" status)
  fi
  if ! "$ROOT/scripts/cluster.sh" status >/dev/null 2>&1; then
    "$ROOT/scripts/cluster.sh" start --taskmanagers 2
    STARTED_CLUSTER=1
  fi
  local rest
  rest=$(flink_rest_url)
  CLUSTER_JOB=$(KAFKA_BOOTSTRAP="$BOOTSTRAP" GPUFAAS_REPOSITORY="${GPUFAAS_REPOSITORY:-$ROOT/udf-gpu/src/test/resources/repo}" \
    "$ROOT/scripts/submit.sh" submit "$@" | sed -n 's/.*JobID \([0-9a-f]*\).*/\1/p')
  [[ -n "$CLUSTER_JOB" ]] || die "the gpufaas job was not submitted"
  log "gpufaas job $CLUSTER_JOB submitted; waiting for it to run"
  local _
  for _ in $(seq 1 120); do
    curl -sf "$rest/jobs/$CLUSTER_JOB" | grep -q '"state":"RUNNING"' && return 0
    sleep 0.5
  done
  die "the gpufaas job did not reach RUNNING"
}

stop_cluster_job() {
  [[ -n "${CLUSTER_JOB:-}" ]] && "$ROOT/scripts/cluster.sh" flink cancel "$CLUSTER_JOB" >/dev/null 2>&1 || true
  [[ "${STARTED_CLUSTER:-0}" -eq 1 ]] && "$ROOT/scripts/cluster.sh" stop >/dev/null 2>&1 || true
  [[ "${STARTED_BROKER:-0}" -eq 1 ]] && "$ROOT/scripts/kafka.sh" stop >/dev/null 2>&1 || true
}

# The generated traces of the given seeds, every shape, as a comma-separated list; a missing one is
# generated first. Seeds 102-105 are kept where scripts/bench-screen.sh --set tune-wide keeps them,
# every other seed in $WORK_DIR/traces (scripts/bench-generalization.sh's).
generated_traces() { # SEED...
  local list="" shape seed dir f
  for shape in timer diurnal heavy-tail rare bursts; do
    for seed in "$@"; do
      dir="$WORK_DIR/traces"
      [[ "$seed" = 10[2-5] ]] && dir="$WORK_DIR/traces-tune-wide"
      f="$dir/$shape-s$seed/gen_inv.csv"
      [[ -f "$f" ]] || python3 "$ROOT/scripts/gen_traces.py" --out "$dir" --seed "$seed" --shapes "$shape" >&2
      list="${list:+$list,}$f"
    done
  done
  echo "$list"
}

# The arguments of a report over one set of traces (scripts/bench-noise.sh, bench-fleet-bar.sh):
# --set into SET (default tune), --out into OUT (default docs/evaluation), and every other
# "--name value" into the array PASS, for the report's own options.
parse_set_out_pass() { # "$@"
  SET=tune OUT="$ROOT/docs/evaluation" PASS=()
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --set) SET="$2"; shift 2 ;;
      --out) OUT="$2"; shift 2 ;;
      --*) [[ $# -ge 2 ]] || die "$1 needs a value"; PASS+=("$1" "$2"); shift 2 ;;
      *) die "unknown argument $1 (see the top of $0)" ;;
    esac
  done
}
