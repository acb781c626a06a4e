#!/usr/bin/env bash
# A small Flink SQL job against the local gpufaas job: a table of images -> ML_PREDICT with the
# gpufaas model provider -> the rows printed. Start the job first:
#
#   scripts/run-local.sh --keep-running --gpufaas.functions.repository udf-gpu/src/test/resources/repo
#   scripts/sql-demo.sh [--function tiny-cnn] [--measure 2000] [--flink-defaults]
#
# --measure N instead times N rows through ML_PREDICT against N invocations through the client alone;
# --flink-defaults leaves Flink's async ML_PREDICT settings (10 rows in flight, ordered) as they are.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
CP_FILE="$ROOT/sql/target/sql-classpath.txt"
ensure_built "$CP_FILE"
bootstrap=()
if [[ " $* " != *" --bootstrap "* ]]; then
  b=$("$ROOT/scripts/kafka.sh" status 2>/dev/null) || die "no broker: start the job with scripts/run-local.sh --keep-running first"
  bootstrap=(--bootstrap "$b")
fi
exec java "${FLINK_ADD_OPENS[@]}" -Xmx2g -Dlog4j.configurationFile="$ROOT/scripts/log4j2-local.properties" \
  -cp "$ROOT/sql/target/classes:$(cat "$CP_FILE")" io.gpufaas.sql.SqlDemo ${bootstrap[@]+"${bootstrap[@]}"} "$@"
