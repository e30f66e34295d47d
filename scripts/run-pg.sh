#!/usr/bin/env bash
# `make run-pg`: OrgFlow on PostgreSQL on this machine — gunicorn web workers plus two timer
# workers — until Ctrl-C (or SIGTERM), which stops every one of them.
#
#   ORGFLOW_PG_DATABASE  database name on 127.0.0.1:5432, user postgres (default: orgflow)
#   ORGFLOW_BIND         address to serve (default: 127.0.0.1:5000)
#   ORGFLOW_WEB_WORKERS  gunicorn processes (default: 3); ORGFLOW_TIMER_WORKERS (default: 2)
#   ORGFLOW_DEMO_LOGINS  where the demo logins are kept (default: instance/demo-logins-<database>.txt)
#
# Local mode: the secret and audit keys are generated into instance/ on first use. With
# ORGFLOW_ENV=production they must come from the environment instead (docs/deploy.md).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
DB="${ORGFLOW_PG_DATABASE:-orgflow}"
export FLASK_APP=webapp:create_app
export ORGFLOW_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:5432/$DB"
export ORGFLOW_BIND="${ORGFLOW_BIND:-127.0.0.1:5000}"
export ORGFLOW_WEB_WORKERS="${ORGFLOW_WEB_WORKERS:-3}"
TIMER_WORKERS="${ORGFLOW_TIMER_WORKERS:-2}"
PSQL=(psql -h 127.0.0.1 -p 5432 -U postgres -v ON_ERROR_STOP=1 -qtA)

if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "PostgreSQL is down; starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
if [ -z "$("${PSQL[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" ]; then
  createdb -h 127.0.0.1 -p 5432 -U postgres "$DB"
  echo "created database $DB"
fi

$BIN/flask db upgrade
$BIN/flask workflows deploy
$BIN/flask demo load --once --logins "${ORGFLOW_DEMO_LOGINS:-instance/demo-logins-$DB.txt}"

pids=()
stopped=""
stop() {
  trap - INT TERM
  [ -z "$stopped" ] || return 0
  stopped=yes
  echo "stopping OrgFlow (${pids[*]})"
  # SIGTERM: gunicorn finishes the requests in flight, each timer worker its current pass.
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  echo "stopped"
}
trap stop INT TERM

$BIN/gunicorn -c gunicorn.conf.py &
pids+=($!)
for _ in $(seq 1 "$TIMER_WORKERS"); do
  $BIN/flask workflows worker &
  pids+=($!)
done
echo "OrgFlow on PostgreSQL ($DB): http://$ORGFLOW_BIND with $ORGFLOW_WEB_WORKERS web and $TIMER_WORKERS timer workers; Ctrl-C stops them all"
# Returns when a signal arrives (then stop runs) or when any one process exits on its own.
wait -n "${pids[@]}" || true
stop
