#!/usr/bin/env bash
# The multi-instance topology without containers (DESIGN §9), on loopback: PostgreSQL and Redis
# (tools/ci-services.sh), two server instances sharing them and one data directory, and one
# classical worker per instance. Runs in the foreground until Ctrl-C, then stops what it started
# (PostgreSQL and Redis keep running: `bash tools/ci-services.sh stop`).
#
#   bash tools/cluster.sh            # instances on :8081 and :8082, workers on :5561 and :5562
#   MASKROOM_CLUSTER_BASE_PORT=9000  # instances on :9001, :9002; worker sockets on :9101, :9102
#
# There is no load balancer here: point each browser at one instance. Jobs of an instance that
# dies are resumed by the other once their lease expires (a few seconds). The servers run from
# source (as `npm run dev -w server` does); `npm run build` first and set MASKROOM_CLUSTER_DIST=1 to
# run `node server/dist/main.js`, as the containers do.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

base="${MASKROOM_CLUSTER_BASE_PORT:-}"
http_port() { if [ -n "$base" ]; then echo $((base + $1)); else echo $((8080 + $1)); fi; }
worker_port() { if [ -n "$base" ]; then echo $((base + 100 + $1)); else echo $((5560 + $1)); fi; }
work="${MASKROOM_CLUSTER_DIR:-${TMPDIR:-/tmp}/maskroom-cluster}"
data_dir="${MASKROOM_CLUSTER_DATA_DIR:-$work/data}"
db_name=maskroom_cluster

bash tools/ci-services.sh start
# shellcheck disable=SC1091
source .ci/services.env
admin_url="$MASKROOM_TEST_DATABASE_URL"
database_url="${admin_url%/*}/${db_name}"
psql "$admin_url" -qtc "SELECT 1 FROM pg_database WHERE datname='${db_name}'" | grep -q 1 \
  || psql "$admin_url" -qc "CREATE DATABASE ${db_name}"
mkdir -p "$data_dir" "$work"

python="${MASKROOM_PYTHON:-}"
[ -z "$python" ] && { [ -x .venv/bin/python ] && python=.venv/bin/python || python=python3; }
if [ "${MASKROOM_CLUSTER_DIST:-0}" = 1 ]; then
  server_cmd=(node server/dist/main.js)
else
  server_cmd=(node --conditions=@maskroom/source --import tsx server/src/main.ts)
fi

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "cluster stopped (PostgreSQL and Redis still run: bash tools/ci-services.sh stop)"
}
trap stop INT TERM EXIT

for i in 1 2; do
  # The first instance migrates the database; the second waits for it so they do not race.
  DATABASE_URL="$database_url" REDIS_URL="$MASKROOM_TEST_REDIS_URL" MASKROOM_DATA_DIR="$data_dir" \
    PORT="$(http_port "$i")" HOST=127.0.0.1 MASKROOM_LOCAL_WORKER=off \
    MASKROOM_WORKER_ENDPOINT="tcp://127.0.0.1:$(worker_port "$i")" \
    "${server_cmd[@]}" >"$work/server-$i.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 300); do
    curl -fs "http://127.0.0.1:$(http_port "$i")/api/health" >/dev/null 2>&1 && break
    kill -0 "${pids[-1]}" 2>/dev/null || { echo "server $i exited: see $work/server-$i.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "server $i: http://127.0.0.1:$(http_port "$i")/ (log $work/server-$i.log)"
done
for i in 1 2; do
  PYTHONUNBUFFERED=1 "$python" -m maskroom_worker --endpoint "tcp://127.0.0.1:$(worker_port "$i")" \
    --backend classical --device cpu --worker-id "cluster-w$i" >"$work/worker-$i.log" 2>&1 &
  pids+=("$!")
  echo "worker $i -> server $i (log $work/worker-$i.log)"
done
echo "database ${database_url}, redis ${MASKROOM_TEST_REDIS_URL}, data ${data_dir}; Ctrl-C stops"
# Kill one instance or worker by its pid to try a fault (the others keep running).
echo "pids: servers ${pids[0]} ${pids[1]}, workers ${pids[2]} ${pids[3]}"
wait || true
