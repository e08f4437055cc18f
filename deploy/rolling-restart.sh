#!/bin/sh
# Restart Yishi's processes one at a time, each ready again (/readyz: database reachable, schema at the
# migration head) before the next stops:
#   deploy/rolling-restart.sh 5001 5002
# A stopping process drains (it closes its port, sends its live sockets to the others and finishes
# its requests in flight) while nginx sends everything to the processes still up. Run migrations first
# (systemctl restart yishi-migrate). RESTART_COMMAND restarts one process; %s is its port.
set -eu

RESTART_COMMAND=${RESTART_COMMAND:-systemctl restart yishi@%s}
READY_TIMEOUT=${READY_TIMEOUT:-60}
HOST=${HOST:-127.0.0.1}

[ "$#" -gt 0 ] || { echo "usage: $0 PORT [PORT...]" >&2; exit 2; }

for port in "$@"; do
    echo "restarting the process on port $port"
    started=$(date +%s)
    # shellcheck disable=SC2059  # the command is a printf format on purpose
    sh -c "$(printf "$RESTART_COMMAND" "$port")"
    waited=0
    until curl --silent --fail --max-time 2 --output /dev/null "http://$HOST:$port/readyz"; do
        waited=$((waited + 1))
        if [ "$waited" -gt $((READY_TIMEOUT * 5)) ]; then
            echo "the process on port $port is not ready after $READY_TIMEOUT s: stopping here" >&2
            exit 1
        fi
        sleep 0.2
    done
    echo "the process on port $port is ready again after $(($(date +%s) - started)) s"
done
