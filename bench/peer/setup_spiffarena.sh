#!/usr/bin/env bash
# Set up SpiffArena's backend (the peer of issue 17, item 6) OUTSIDE this repository, for
# `python -m bench.side_by_side`. Nothing of the peer's code enters the OrgFlow tree: this script
# extracts its public source into $ORGFLOW_PEER_HOME, installs its locked dependencies (uv.lock) into
# a venv of its own, creates its SQLite database with its own migrations, and loads OUR process
# model (bench/peer/process_models) and OUR users/groups/permissions (bench/peer/permissions.yml).
# See bench/peer/README.md. Idempotent: run it again to rebuild the database; FRESH=1 starts over.
#
# Environment:
#   ORGFLOW_PEER_HOME   where everything goes (default /work/peer/spiff-arena; must be outside the repo)
#   SPIFF_ARENA_MIRROR  a git mirror of sartography/spiff-arena (default /work/.mirror/sartography+spiff-arena/repo);
#                       without it the script clones https://github.com/sartography/spiff-arena
#   SPIFF_ARENA_REV     the commit to use (default: the mirror's / clone's HEAD)
#   MIRRORS             directory of owner+name/repo git mirrors for the lock's git sources when
#                       github.com is unreachable (default /work/.mirror)
#   PYTHON              interpreter for the peer's venv (default python3; the peer needs >= 3.10)
#   FRESH=1             delete $ORGFLOW_PEER_HOME first
#   UV_CACHE_DIR        uv's download cache (default $ORGFLOW_PEER_HOME/uv-cache)
set -euo pipefail

here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
repo="$(cd -- "$here/../.." && pwd -P)"
home="${ORGFLOW_PEER_HOME:-/work/peer/spiff-arena}"
mirror="${SPIFF_ARENA_MIRROR:-/work/.mirror/sartography+spiff-arena/repo}"
mirrors="${MIRRORS:-/work/.mirror}"
python="${PYTHON:-python3}"
uv_version="0.13.9"

say() { printf '[setup_spiffarena] %s\n' "$*"; }
die() { printf 'setup_spiffarena: %s\n' "$*" >&2; exit 1; }

mkdir -p "$home"
home="$(cd -- "$home" && pwd -P)"
case "$home/" in "$repo"/*) die "ORGFLOW_PEER_HOME ($home) must be outside the OrgFlow tree ($repo)";; esac
if [[ "${FRESH:-}" == "1" ]]; then
  say "FRESH=1: removing $home"
  rm -rf -- "${home:?}"/*
fi
backend="$home/src/spiffworkflow-backend"
venv="$home/venv"

# ------------------------------------------------------------------ 1. the source
if [[ ! -f "$backend/pyproject.toml" ]]; then
  mkdir -p "$home/src"
  if [[ -d "$mirror" ]]; then
    rev="$(git -C "$mirror" rev-parse "${SPIFF_ARENA_REV:-HEAD}")"
    say "extracting spiffworkflow-backend at $rev from $mirror"
    git -C "$mirror" archive "$rev" spiffworkflow-backend | tar -x -C "$home/src"
  else
    say "cloning https://github.com/sartography/spiff-arena"
    git clone --quiet --filter=blob:none https://github.com/sartography/spiff-arena "$home/clone"
    rev="$(git -C "$home/clone" rev-parse "${SPIFF_ARENA_REV:-HEAD}")"
    git -C "$home/clone" archive "$rev" spiffworkflow-backend | tar -x -C "$home/src"
  fi
  echo "$rev" >"$home/REVISION"
fi
rev="$(cat "$home/REVISION")"

# ------------------------------------------------------------------ 2. uv and the locked dependencies
uv="$(command -v uv || true)"
if [[ -z "$uv" ]]; then
  if [[ ! -x "$home/uv-tool/bin/uv" ]]; then
    say "installing uv $uv_version from PyPI into $home/uv-tool"
    "$python" -m venv "$home/uv-tool"
    "$home/uv-tool/bin/pip" install --quiet "uv==$uv_version"
  fi
  uv="$home/uv-tool/bin/uv"
fi
export UV_CACHE_DIR="${UV_CACHE_DIR:-$home/uv-cache}" UV_PYTHON_DOWNLOADS=never

install_from_export() {
  # github.com is unreachable: export the lock as exact pins and take its three git sources from
  # local mirrors at the locked commits. SpiffWorkflow's locked commit (main, 2026-07-31) is newer
  # than any mirror here, so it comes from PyPI as 3.2.0, whose code is main as of 2026-07-31
  # 14:45 UTC (see bench/peer/README.md, "Dependencies").
  local req="$home/requirements.lock.txt" spiff_pin stubs_pin cmd_pin
  (cd "$backend" && "$uv" export --frozen --no-dev --no-hashes --no-emit-project --no-header \
      --no-annotate --format requirements-txt) >"$req.raw"
  spiff_pin="$(sed -n 's/^spiffworkflow @ git+.*@\([0-9a-f]\{40\}\)$/\1/p' "$req.raw")"
  stubs_pin="$(sed -n 's/^sqlalchemy-stubs @ git+.*@\([0-9a-f]\{40\}\)$/\1/p' "$req.raw")"
  cmd_pin="$(sed -n 's/^spiffworkflow-connector-command @ git+.*@\([0-9a-f]\{40\}\)$/\1/p' "$req.raw")"
  git -C "$mirrors/burnettk+sqlalchemy-stubs/repo" cat-file -e "$stubs_pin^{commit}" ||
    die "sqlalchemy-stubs $stubs_pin is not in $mirrors/burnettk+sqlalchemy-stubs/repo"
  git -C "$mirrors/sartography+spiffworkflow-connector-command/repo" cat-file -e "$cmd_pin^{commit}" ||
    die "spiffworkflow-connector-command $cmd_pin is not in $mirrors/sartography+spiffworkflow-connector-command/repo"
  mkdir -p "$home/git-deps"
  for dep in "burnettk+sqlalchemy-stubs:$stubs_pin" "sartography+spiffworkflow-connector-command:$cmd_pin"; do
    local name="${dep%%:*}" pin="${dep##*:}"
    rm -rf "$home/git-deps/$name" && mkdir -p "$home/git-deps/$name"
    git -C "$mirrors/$name/repo" archive "$pin" | tar -x -C "$home/git-deps/$name"
  done
  if git -C "$mirrors/sartography+SpiffWorkflow/repo" cat-file -e "$spiff_pin^{commit}" 2>/dev/null; then
    rm -rf "$home/git-deps/SpiffWorkflow" && mkdir -p "$home/git-deps/SpiffWorkflow"
    git -C "$mirrors/sartography+SpiffWorkflow/repo" archive "$spiff_pin" | tar -x -C "$home/git-deps/SpiffWorkflow"
    spiff_line="spiffworkflow @ file://$home/git-deps/SpiffWorkflow"
  else
    say "SpiffWorkflow $spiff_pin (locked) is not in the mirror: using SpiffWorkflow==3.2.0 from PyPI"
    spiff_line="spiffworkflow==3.2.0"
  fi
  sed -e "s|^spiffworkflow @ git+.*|$spiff_line|" \
      -e "s|^sqlalchemy-stubs @ git+.*|sqlalchemy-stubs @ file://$home/git-deps/burnettk+sqlalchemy-stubs|" \
      -e "s|^spiffworkflow-connector-command @ git+.*|spiffworkflow-connector-command @ file://$home/git-deps/sartography+spiffworkflow-connector-command|" \
      "$req.raw" >"$req"
  echo "$spiff_pin" >"$home/SPIFFWORKFLOW_LOCKED_COMMIT"
  "$uv" pip install --quiet --python "$venv/bin/python" -r "$req"
  "$uv" pip install --quiet --python "$venv/bin/python" --no-deps --editable "$backend"
}

if [[ ! -f "$venv/.installed-$rev" ]]; then
  pkg-config --exists mysqlclient 2>/dev/null ||
    die "the locked mysqlclient needs MySQL client headers to build: apt-get install default-libmysqlclient-dev pkg-config"
  pkg-config --exists libpq 2>/dev/null || command -v pg_config >/dev/null ||
    die "the locked psycopg2 needs libpq headers to build: apt-get install libpq-dev"
  rm -rf "$venv"
  "$uv" venv --quiet --python "$python" "$venv"
  if timeout 15 git ls-remote https://github.com/sartography/SpiffWorkflow HEAD >/dev/null 2>&1; then
    say "installing the locked dependencies with uv sync --frozen"
    (cd "$backend" && UV_PROJECT_ENVIRONMENT="$venv" "$uv" sync --quiet --frozen --no-dev)
    echo "uv sync --frozen" >"$home/INSTALL_METHOD"
  else
    say "github.com unreachable: installing uv.lock's exact pins, git sources from $mirrors"
    install_from_export
    echo "uv export --frozen + mirrors (see README)" >"$home/INSTALL_METHOD"
  fi
  touch "$venv/.installed-$rev"
fi

# ------------------------------------------------------------------ 3. our process model, users and permissions
specs="$home/process_models"
rm -rf "$specs" && mkdir -p "$specs"
cp -r "$here/process_models/." "$specs/"
# Their boot script (bin/boot_server_in_docker) makes the model directory a git repository; so do we.
git -C "$specs" init --quiet
git -C "$specs" add -A
git -C "$specs" -c user.name=bench -c user.email=bench@localhost commit --quiet -m "benchmark process models"
cp "$here/permissions.yml" "$home/permissions.yml"

db_dir="$home/db"
mkdir -p "$db_dir" "$home/instance"
cat >"$home/peer.env" <<EOF
# Written by bench/peer/setup_spiffarena.sh; read by bench/side_by_side.py, which adds the URL
# variables (SPIFFWORKFLOW_BACKEND_URL, the OpenID issuer) for the port it picks.
SPIFFWORKFLOW_BACKEND_ENV=local_docker
FLASK_DEBUG=0
FLASK_SESSION_SECRET_KEY=bench-only-session-secret
SPIFFWORKFLOW_BACKEND_DATABASE_TYPE=sqlite
SPIFFWORKFLOW_BACKEND_DATABASE_URI=sqlite:///$db_dir/spiffarena.sqlite3
SPIFFWORKFLOW_BACKEND_BPMN_SPEC_ABSOLUTE_DIR=$specs
SPIFFWORKFLOW_BACKEND_PERMISSIONS_FILE_ABSOLUTE_PATH=$home/permissions.yml
SPIFFWORKFLOW_BACKEND_RUN_BACKGROUND_SCHEDULER_IN_CREATE_APP=false
SPIFFWORKFLOW_BACKEND_CELERY_ENABLED=false
SPIFFWORKFLOW_BACKEND_SERVER_WORKER_COUNT=1
SPIFFWORKFLOW_BACKEND_AUTH_CONFIGS__0__identifier=default
SPIFFWORKFLOW_BACKEND_AUTH_CONFIGS__0__label='internal openid'
SPIFFWORKFLOW_BACKEND_AUTH_CONFIGS__0__client_id=spiffworkflow-backend
SPIFFWORKFLOW_BACKEND_AUTH_CONFIGS__0__client_secret=JXeQExm0JhQPLumgHtIIqf52bDalHz0q
SPIFFWORKFLOW_BACKEND_ELEMENT_UNITS_CACHE_DIR=$home/instance/element-unit-cache
EOF

say "creating the database with the peer's migrations (flask db upgrade)"
rm -f "$db_dir"/spiffarena.sqlite3*
(
  set -a; . "$home/peer.env"; set +a
  export SPIFFWORKFLOW_BACKEND_URL=http://127.0.0.1:7000
  export SPIFFWORKFLOW_BACKEND_AUTH_CONFIGS__0__uri=http://127.0.0.1:7000/openid
  cd "$backend"
  "$venv/bin/flask" --app app db upgrade >"$home/db-upgrade.log" 2>&1 || { tail -20 "$home/db-upgrade.log"; die "flask db upgrade failed"; }
  # What bin/run_server_locally and bin/boot_server_in_docker run before serving: index the process models.
  SPIFFWORKFLOW_BACKEND_FAIL_ON_INVALID_PROCESS_MODELS=true "$venv/bin/python" bin/refresh_all_caches.py
)
cp "$db_dir/spiffarena.sqlite3" "$db_dir/template.sqlite3"
cat >"$home/READY" <<EOF
spiff-arena $rev
installed by: $(cat "$home/INSTALL_METHOD")
python: $("$venv/bin/python" --version 2>&1)
SpiffWorkflow: $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("SpiffWorkflow"))')
EOF
say "ready: $(tr '\n' ';' <"$home/READY")"
say "the benchmark: .venv/bin/python -m bench.side_by_side (see bench/README.md)"
