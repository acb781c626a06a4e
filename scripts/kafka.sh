#!/usr/bin/env bash
# A real single-node Kafka broker (KRaft mode) run as a JVM from Maven artifacts: no Kafka
# distribution or Docker needed.
#
#   scripts/kafka.sh start [--port 9092] [--partitions 4]   start, wait until ready, create topics
#   scripts/kafka.sh stop                                   stop it (its data stays in work/kafka)
#   scripts/kafka.sh status                                 say whether it runs, and where
#   scripts/kafka.sh topics                                 list topics
#   scripts/kafka.sh produce TOPIC                          send stdin lines as records, "key|value"
#   scripts/kafka.sh consume TOPIC [N]                      print records from the start (N of them, default all)
#
# Environment: GPUFAAS_WORK_DIR (default ./work), KAFKA_PORT (9092), KAFKA_TOPICS (space-separated;
# default: the job's invocations, results, dead-letter and worker-status topics).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

KAFKA_DIR="$WORK_DIR/kafka"
PID_FILE="$KAFKA_DIR/broker.pid"
PORT_FILE="$KAFKA_DIR/broker.port"
PORT="${KAFKA_PORT:-9092}"
PARTITIONS=4
TOPICS="${KAFKA_TOPICS:-gpufaas.invocations gpufaas.results gpufaas.dead-letters gpufaas.worker-status}"
# Compacted: it keeps each function's latest deploy/remove command.
COMPACTED_TOPICS="${KAFKA_COMPACTED_TOPICS:-gpufaas.control}"
CP_FILE="$ROOT/testkit/target/broker-classpath.txt"

cmd="${1:-status}"; shift || true
if [[ "$cmd" == produce || "$cmd" == consume ]]; then
  TOPIC_ARG="${1:?topic name needed}"; shift
  COUNT_ARG="${1:-}"; shift || true
fi
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) PORT="$2"; shift 2 ;;
    --partitions) PARTITIONS="$2"; shift 2 ;;
    *) die "unknown argument $1 (see the top of $0)" ;;
  esac
done

running() { [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }
bootstrap() { echo "127.0.0.1:$(cat "$PORT_FILE" 2>/dev/null || echo "$PORT")"; }
accepting() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
kafka_java() {
  java -Xmx1g -Dlog4j2.configurationFile="$ROOT/scripts/log4j2-broker.properties" \
    -cp "$ROOT/testkit/target/classes:$(cat "$CP_FILE")" "$@"
}

start() {
  if running; then
    log "broker already running (pid $(cat "$PID_FILE"))"; bootstrap; return 0
  fi
  ensure_built "$CP_FILE"
  accepting "$PORT" && die "port $PORT is taken by another process: use --port or KAFKA_PORT"
  local controller_port=$((PORT + 1))
  mkdir -p "$KAFKA_DIR"
  # A port change means a new listener layout: format anew rather than reuse stale metadata.
  if [[ -f "$PORT_FILE" && "$(cat "$PORT_FILE")" != "$PORT" ]]; then rm -rf "$KAFKA_DIR/logs"; fi
  cat > "$KAFKA_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.quorum.bootstrap.servers=127.0.0.1:$controller_port
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_DIR/logs
num.partitions=$PARTITIONS
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  if [[ ! -f "$KAFKA_DIR/logs/meta.properties" ]]; then
    local cluster_id
    cluster_id=$(kafka_java kafka.tools.StorageTool random-uuid)
    kafka_java kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$KAFKA_DIR/server.properties" >/dev/null
  fi
  echo "$PORT" > "$PORT_FILE"
  nohup java -Xmx1g -Dlog4j2.configurationFile="$ROOT/scripts/log4j2-broker.properties" \
    -cp "$(cat "$CP_FILE")" kafka.Kafka "$KAFKA_DIR/server.properties" > "$KAFKA_DIR/broker.log" 2>&1 &
  echo $! > "$PID_FILE"
  log "starting broker (pid $!), log: $KAFKA_DIR/broker.log"
  local i
  for i in $(seq 1 120); do
    running || die "broker exited during start-up; see $KAFKA_DIR/broker.log"
    accepting "$PORT" && break
    sleep 0.5
  done
  accepting "$PORT" || die "broker did not accept connections on $PORT within 60 s; see $KAFKA_DIR/broker.log"
  # All topics from one JVM: a JVM per topic took most of a minute.
  kafka_java io.gpufaas.testkit.KafkaTopics "$(bootstrap)" "$PARTITIONS" "$TOPICS" "$COMPACTED_TOPICS" >/dev/null
  log "broker ready, topics: $TOPICS $COMPACTED_TOPICS"
  bootstrap
}

stop() {
  if ! running; then log "broker not running"; rm -f "$PID_FILE"; return 0; fi
  local pid; pid=$(cat "$PID_FILE")
  kill "$pid"
  local i
  for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then log "broker did not stop in 30 s; killing it"; kill -9 "$pid"; fi
  rm -f "$PID_FILE"
  log "broker stopped"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) if running; then log "broker running (pid $(cat "$PID_FILE"))"; bootstrap; else log "broker not running"; exit 3; fi ;;
  topics) running || die "broker not running"; kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "$(bootstrap)" --list ;;
  produce)
    running || die "broker not running"
    kafka_java org.apache.kafka.tools.ConsoleProducer --bootstrap-server "$(bootstrap)" --topic "$TOPIC_ARG" \
      --reader-property parse.key=true --reader-property key.separator='|' ;;
  consume)
    running || die "broker not running"
    kafka_java org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$(bootstrap)" --topic "$TOPIC_ARG" \
      --from-beginning --isolation-level read_committed --timeout-ms 10000 ${COUNT_ARG:+--max-messages "$COUNT_ARG"} \
      --formatter-property print.key=true --formatter-property key.separator='|' 2>/dev/null || true ;;
  *) die "usage: $0 start|stop|status|topics|produce TOPIC|consume TOPIC [N] [--port N] [--partitions N]" ;;
esac
