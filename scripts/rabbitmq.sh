#!/usr/bin/env bash
# Makes sure the RabbitMQ the tests use is here: rabbitmq-server running on 127.0.0.1:5672 with
# guest/guest, rabbitmqctl usable, and the Debian amqp-tools (amqp-publish) installed. Installs
# with apt-get what is missing (apt-get update only when an install needs it).
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

apt_install() {
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" ||
    { $SUDO apt-get update && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"; }
}

command -v rabbitmq-server >/dev/null || apt_install rabbitmq-server
command -v amqp-publish >/dev/null || apt_install amqp-tools

if ! $SUDO rabbitmqctl -q status >/dev/null 2>&1; then
  echo "starting rabbitmq-server"
  $SUDO rabbitmq-server -detached
fi
for _ in $(seq 1 60); do
  if $SUDO rabbitmqctl -q await_startup --timeout 5 >/dev/null 2>&1; then
    echo "rabbitmq is running"
    exit 0
  fi
  sleep 1
done
echo "rabbitmq did not start within 60s" >&2
exit 1
