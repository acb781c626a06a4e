#!/usr/bin/env bash
# Flink's own SQL client (what bin/sql-client.sh of a distribution starts), run from Maven-resolved
# jars against the cluster of scripts/cluster.sh, with the gpufaas SQL connector jar added:
#
#   scripts/cluster.sh start && scripts/submit.sh submit     the cluster, running the gpufaas job
#   scripts/sql-client.sh                                    an interactive SQL shell
#   scripts/sql-client.sh -f queries.sql                     runs a file of statements and exits
#
# Every argument goes to the SQL client (embedded mode; see its --help). The connector jar is
# sql/target/gpufaas-sql-connector-*.jar (built by mvn package), or GPUFAAS_SQL_CONNECTOR_JAR.
# Environment: FLINK_CONF_DIR (./flink-conf: where the cluster's REST endpoint is).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

CLIENT_DIR="$WORK_DIR/sql-client"
CP_FILE="$CLIENT_DIR/classpath.txt"
CONF_DIR="${FLINK_CONF_DIR:-$ROOT/flink-conf}"
JAR="${GPUFAAS_SQL_CONNECTOR_JAR:-$ROOT/sql/target/gpufaas-sql-connector-0.1.0-SNAPSHOT.jar}"

ensure_built "$JAR"
mkdir -p "$CLIENT_DIR"
if [[ ! -f "$CP_FILE" || "$ROOT/scripts/sql-client/pom.xml" -nt "$CP_FILE" ]]; then
  log "resolving Flink's SQL client from Maven (scripts/sql-client/pom.xml)"
  (cd "$ROOT/scripts/sql-client" && mvn -B -q dependency:build-classpath -Dmdep.outputFile="$CP_FILE") \
    || die "could not resolve the SQL client's classpath"
fi
FLINK_CONF_DIR="$CONF_DIR" exec java "${FLINK_ADD_OPENS[@]}" -Xmx1g \
  -Dlog.file="$CLIENT_DIR/sql-client.log" -Dlog4j.configurationFile="$ROOT/scripts/log4j2-cluster.properties" \
  -cp "$(cat "$CP_FILE")" org.apache.flink.table.client.SqlClient --jar "$JAR" "$@"
