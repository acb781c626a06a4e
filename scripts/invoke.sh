#!/usr/bin/env bash
# Invokes one function and prints its result as contract JSON (see docs/contract.md).
#
#   scripts/invoke.sh FUNCTION (--text T | --image FILE | --tensor FILE --shape 1,4) [--timeout 5s]
#                     [--bootstrap HOST:PORT] [--invocations TOPIC] [--results TOPIC] [--dead-letters TOPIC]
#
# Against the local job (scripts/run-local.sh --keep-running) it finds the broker by itself; for a
# cluster pass --bootstrap. Exit status: 0 OK, 1 ERROR, EXPIRED or refused, 2 no result within the timeout.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
CP_FILE="$ROOT/client/target/client-classpath.txt"
ensure_built "$CP_FILE" "$ROOT/testkit/target/broker-classpath.txt"
bootstrap=()
if [[ " $* " != *" --bootstrap "* ]] && b=$("$ROOT/scripts/kafka.sh" status 2>/dev/null); then
  bootstrap=(--bootstrap "$b")
fi
# The testkit's classpath brings a logging binding; the client library itself has none.
exec java -Dlog4j2.level=WARN -Dlog4j.configurationFile="$ROOT/scripts/log4j2-broker.properties" \
  -cp "$ROOT/client/target/classes:$(cat "$CP_FILE"):$(cat "$ROOT/testkit/target/broker-classpath.txt")" io.gpufaas.client.Invoke "$@" ${bootstrap[@]+"${bootstrap[@]}"}
