#!/usr/bin/env bash
# Makes sure the PostgreSQL the rule store tests use is running on 127.0.0.1:5432 (user postgres,
# trust auth): starts the installed cluster when it is down.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  exit 0
fi
if ! command -v pg_ctlcluster >/dev/null; then
  echo "PostgreSQL is not installed: the rule store tests need one on 127.0.0.1:5432 (user postgres, trust auth)" >&2
  exit 1
fi
echo "starting postgresql"
$SUDO pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && exit 0
  sleep 1
done
echo "postgresql did not start within 30s" >&2
exit 1
