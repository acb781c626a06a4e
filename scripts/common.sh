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

# The benchmarks module's classpath, built if needed (scripts/bench-*.sh).
bench_classpath() {
  local cp_file="$ROOT/benchmarks/target/bench-classpath.txt"
  ensure_built "$cp_file"
  echo "$ROOT/benchmarks/target/classes:$(cat "$cp_file")"
}
