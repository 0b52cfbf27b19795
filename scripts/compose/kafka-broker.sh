#!/usr/bin/env bash
# One KRaft node (broker and controller) of docker-compose.yml, with authentication on every listener:
# - clients and brokers speak SASL/SCRAM-SHA-512 on INTERNAL and EXTERNAL, as users created when the
#   storage is formatted (kafka-storage format --add-scram);
# - brokers reach the controllers over SASL/PLAIN as a user the controller listener declares itself;
# - the StandardAuthorizer allows only what an ACL names (the kafka-setup service grants them).
# - with KAFKA_TLS_DIR (the keystores scripts/compose/kafka-tls.sh made), every listener is SASL_SSL:
#   clients verify the broker against the development CA, and the brokers each other.
# It writes the node's configuration from the environment below, formats the storage once, and starts.
set -euo pipefail

: "${KAFKA_NODE_ID:?}" "${KAFKA_CONTROLLER_QUORUM_VOTERS:?}" "${KAFKA_LISTENERS:?}" "${KAFKA_ADVERTISED_LISTENERS:?}"
: "${CLUSTER_ID:?}" "${KAFKA_ADMIN_PASSWORD:?}" "${KAFKA_CONTROLLER_PASSWORD:?}"
: "${ORDER_SERVICE_KAFKA_PASSWORD:?}" "${REWARD_SERVICE_KAFKA_PASSWORD:?}"
: "${MONITOR_KAFKA_PASSWORD:?}" "${RECONCILER_KAFKA_PASSWORD:?}"
for name in KAFKA_ADMIN_PASSWORD KAFKA_CONTROLLER_PASSWORD ORDER_SERVICE_KAFKA_PASSWORD REWARD_SERVICE_KAFKA_PASSWORD \
  MONITOR_KAFKA_PASSWORD RECONCILER_KAFKA_PASSWORD; do
  # They are written into the broker's JAAS lines and format arguments: no quotes, commas or brackets.
  [[ "${!name}" =~ ^[A-Za-z0-9_.-]{12,}$ ]] || { echo "$name must be 12+ letters, digits, '.', '_' or '-'" >&2; exit 2; }
done
protocol=SASL_PLAINTEXT
tls_properties=''
if [ -n "${KAFKA_TLS_DIR:-}" ]; then
  : "${KAFKA_TLS_KEYSTORE_PASSWORD:?}"
  [[ "$KAFKA_TLS_KEYSTORE_PASSWORD" =~ ^[A-Za-z0-9_.-]{12,}$ ]] ||
    { echo "KAFKA_TLS_KEYSTORE_PASSWORD must be 12+ letters, digits, '.', '_' or '-'" >&2; exit 2; }
  protocol=SASL_SSL
  tls_properties="ssl.keystore.type=PKCS12
ssl.keystore.location=${KAFKA_TLS_DIR}/broker.p12
ssl.keystore.password=${KAFKA_TLS_KEYSTORE_PASSWORD}
ssl.truststore.type=PKCS12
ssl.truststore.location=${KAFKA_TLS_DIR}/truststore.p12
ssl.truststore.password=${KAFKA_TLS_KEYSTORE_PASSWORD}"
fi
replicas="${KAFKA_REPLICAS:-1}"
min_isr=$(( replicas >= 3 ? 2 : 1 ))
bin="${KAFKA_BIN:-/opt/kafka/bin}"
data="${KAFKA_DATA_DIR:-/tmp/kraft-combined-logs}"
config="${KAFKA_CONFIG_FILE:-/tmp/redpacket-server.properties}"
admin_config="${KAFKA_ADMIN_CONFIG_FILE:-/tmp/redpacket-admin.properties}"
scram='org.apache.kafka.common.security.scram.ScramLoginModule'
plain='org.apache.kafka.common.security.plain.PlainLoginModule'

cat > "$config" <<PROPERTIES
process.roles=broker,controller
node.id=${KAFKA_NODE_ID}
controller.quorum.voters=${KAFKA_CONTROLLER_QUORUM_VOTERS}
listeners=${KAFKA_LISTENERS}
advertised.listeners=${KAFKA_ADVERTISED_LISTENERS}
controller.listener.names=CONTROLLER
inter.broker.listener.name=INTERNAL
listener.security.protocol.map=CONTROLLER:${protocol},INTERNAL:${protocol},EXTERNAL:${protocol}
${tls_properties}
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.internal.scram-sha-512.sasl.jaas.config=${scram} required username="redpacket-admin" password="${KAFKA_ADMIN_PASSWORD}";
listener.name.external.scram-sha-512.sasl.jaas.config=${scram} required;
listener.name.controller.sasl.enabled.mechanisms=PLAIN
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.plain.sasl.jaas.config=${plain} required username="redpacket-controller" password="${KAFKA_CONTROLLER_PASSWORD}" user_redpacket-controller="${KAFKA_CONTROLLER_PASSWORD}";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:redpacket-admin;User:redpacket-controller
log.dirs=${data}
auto.create.topics.enable=false
default.replication.factor=${replicas}
min.insync.replicas=${min_isr}
offsets.topic.replication.factor=${replicas}
transaction.state.log.replication.factor=${replicas}
transaction.state.log.min.isr=${min_isr}
group.initial.rebalance.delay.ms=0
PROPERTIES

# For the healthcheck and any operator tool run inside the container (kafka-acls.sh, kafka-topics.sh).
cat > "$admin_config" <<PROPERTIES
security.protocol=${protocol}
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=${scram} required username="redpacket-admin" password="${KAFKA_ADMIN_PASSWORD}";
${tls_properties}
PROPERTIES

user() { printf 'SCRAM-SHA-512=[name=%s,password=%s]' "$1" "$2"; }
"$bin/kafka-storage.sh" format --ignore-formatted --cluster-id "$CLUSTER_ID" --config "$config" \
  --add-scram "$(user redpacket-admin "$KAFKA_ADMIN_PASSWORD")" \
  --add-scram "$(user order-service "$ORDER_SERVICE_KAFKA_PASSWORD")" \
  --add-scram "$(user reward-service "$REWARD_SERVICE_KAFKA_PASSWORD")" \
  --add-scram "$(user monitor "$MONITOR_KAFKA_PASSWORD")" \
  --add-scram "$(user reconciler "$RECONCILER_KAFKA_PASSWORD")"
exec "$bin/kafka-server-start.sh" "$config"
