#!/usr/bin/env bash
# End to end, as a Flink user: the broker, scripts/cluster.sh's cluster running the gpufaas job, and
# Flink's SQL client running scripts/sql/ml-predict.sql (CREATE MODEL ... ML_PREDICT over images
# and tensors) through the shaded connector jar. Checks every row; exits non-zero on any mismatch.
# Starts what is not running and stops what it started.
#
#   scripts/sql-check.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

OUT="$WORK_DIR/sql-check"
mkdir -p "$OUT"
trap stop_cluster_job EXIT
ensure_built "$ROOT/sql/target/gpufaas-sql-connector-0.1.0-SNAPSHOT.jar"
start_cluster_job

sed "s/\${BOOTSTRAP}/$BOOTSTRAP/g" "$ROOT/scripts/sql/ml-predict.sql" > "$OUT/ml-predict.sql"
log "running scripts/sql/ml-predict.sql through Flink's SQL client (output: $OUT/sql-client.out)"
"$ROOT/scripts/sql-client.sh" -f "$OUT/ml-predict.sql" > "$OUT/sql-client.out" 2>&1 \
  || { tail -30 "$OUT/sql-client.out" >&2; die "the SQL client failed"; }

# One line per row: kind, name, status, label (columns of the tableau output, op first).
rows=$(sed 's/\x1b\[[0-9;]*m//g' "$OUT/sql-client.out" | awk -F'|' '$2 ~ /\+I/ {
  for (i = 3; i <= 6; i++) { gsub(/^ +| +$/, "", $i) } print $3, $4, $5, $6 }' | sort)
printf '%s\n' "$rows" > "$OUT/rows.txt"
fail=0
expect() { # pattern: an extended regular expression one row must match
  if grep -Eq "^$1\$" <<< "$rows"; then log "ok: $1"; else log "MISSING: a row matching '$1'"; fail=1; fi
}
expect 'image red OK class_[0-9]+'
expect 'image green OK class_[0-9]+'
expect 'image blue OK class_[0-9]+'
expect 'image not-an-image REJECTED <NULL>'
# The tensor whose logits udf-gpu/src/test/resources/repo/reference.json records: cat wins.
expect 'tensor reference OK cat'
expect 'tensor ones OK (cat|dog|bird)'
expect 'tensor three-values REJECTED <NULL>'
count=$(grep -c . <<< "$rows" || true)
[[ "$count" -eq 7 ]] || { log "expected 7 rows, got $count"; fail=1; }
[[ $fail -eq 0 ]] || { printf '%s\n' "$rows" >&2; die "ML_PREDICT through the SQL client returned wrong rows"; }
log "ML_PREDICT through Flink's SQL client on the cluster: 7 of 7 rows as expected"
