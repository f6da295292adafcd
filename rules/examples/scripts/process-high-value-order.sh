#!/usr/bin/env bash
# Example task of the rule order-created-trigger (rules/examples/orders.yaml).
# Usage: process-high-value-order.sh ORDER_ID AMOUNT
set -euo pipefail

order_id="${1:?usage: process-high-value-order.sh ORDER_ID AMOUNT}"
amount="${2:?usage: process-high-value-order.sh ORDER_ID AMOUNT}"

echo "processing high-value order ${order_id} (amount ${amount})"
echo "event=${EVTRIGGER_EVENT_ID:-unset} rule=${EVTRIGGER_RULE_ID:-unset} attempt=${EVTRIGGER_ATTEMPT:-unset}"
