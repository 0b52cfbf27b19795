#!/usr/bin/env bash
# The compose file's development TLS for Kafka, made once with the JDK's keytool (the broker image has it):
# - a CA (EC P-256, ten years) whose private key never leaves this run: nothing else can be signed by it;
# - KAFKA_TLS_BROKER_DIR/broker.p12: the brokers' key and certificate, signed by the CA, valid for every
#   name a broker is reached by (kafka, kafka-1..3 inside the network, localhost and 127.0.0.1 outside),
#   and truststore.p12 with the CA, for the brokers' connections to each other; both PKCS12 under
#   KAFKA_TLS_KEYSTORE_PASSWORD, a secret of .env;
# - KAFKA_TLS_CA_DIR/ca.pem: the CA alone, all the apps and host tools need to verify a broker.
# A second run keeps what the first made, so certificates survive a restart of the stack.
set -euo pipefail

: "${KAFKA_TLS_BROKER_DIR:?}" "${KAFKA_TLS_CA_DIR:?}" "${KAFKA_TLS_KEYSTORE_PASSWORD:?}"
# Written into the brokers' configuration lines: no quotes, spaces or backslashes.
[[ "$KAFKA_TLS_KEYSTORE_PASSWORD" =~ ^[A-Za-z0-9_.-]{12,}$ ]] ||
  { echo "KAFKA_TLS_KEYSTORE_PASSWORD must be 12+ letters, digits, '.', '_' or '-'" >&2; exit 2; }
if [ -f "$KAFKA_TLS_BROKER_DIR/broker.p12" ] && [ -f "$KAFKA_TLS_CA_DIR/ca.pem" ]; then
  echo "kept the development CA and broker certificate made before"
  exit 0
fi

keytool="${KEYTOOL:-keytool}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
store=(-storetype PKCS12 -storepass "$KAFKA_TLS_KEYSTORE_PASSWORD")
ec=(-keyalg EC -groupname secp256r1 -validity 3650)

"$keytool" -genkeypair -alias ca "${ec[@]}" -dname 'CN=redpacket compose development CA' -ext bc:c \
  -keystore "$work/ca.p12" "${store[@]}"
"$keytool" -exportcert -rfc -alias ca -keystore "$work/ca.p12" "${store[@]}" -file "$work/ca.pem"

"$keytool" -genkeypair -alias broker "${ec[@]}" -dname 'CN=redpacket compose broker' \
  -keystore "$work/broker.p12" "${store[@]}"
"$keytool" -certreq -alias broker -keystore "$work/broker.p12" "${store[@]}" -file "$work/broker.csr"
"$keytool" -gencert -alias ca -keystore "$work/ca.p12" "${store[@]}" -rfc -validity 3650 \
  -infile "$work/broker.csr" -outfile "$work/broker.pem" \
  -ext 'SAN=dns:kafka,dns:kafka-1,dns:kafka-2,dns:kafka-3,dns:localhost,ip:127.0.0.1' \
  -ext ku:c=digitalSignature -ext eku=serverAuth,clientAuth
# The CA first, so the signed reply imports as a chain under the broker's key.
"$keytool" -importcert -noprompt -alias ca -file "$work/ca.pem" -keystore "$work/broker.p12" "${store[@]}"
"$keytool" -importcert -alias broker -file "$work/broker.pem" -keystore "$work/broker.p12" "${store[@]}"
"$keytool" -importcert -noprompt -alias ca -file "$work/ca.pem" -keystore "$work/truststore.p12" "${store[@]}"

mkdir -p "$KAFKA_TLS_BROKER_DIR" "$KAFKA_TLS_CA_DIR"
# The brokers run as a user of their own; the keystores are theirs to read, under the password.
install -m 0644 "$work/broker.p12" "$work/truststore.p12" "$KAFKA_TLS_BROKER_DIR/"
install -m 0644 "$work/ca.pem" "$KAFKA_TLS_CA_DIR/"
echo "made a development CA and a broker certificate it signed"
