#!/usr/bin/env bash
# PropertyDesk set-up and start.  Usage:
#   bash run.sh demo   set up (when pyproject.toml changed), build the 天伦庄园 demo site (first time) and start the application
#   bash run.sh test   set up and run the whole test suite
#   bash run.sh setup  set up only
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
VENV="$ROOT/.venv"
cmd=${1:-demo}

sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

system_packages() {
  # Qt's offscreen/xcb platforms, fonts for the screen, poppler for the print tests, Xvfb.
  local pkgs="libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
    libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-randr0 libxcb-render-util0
    libxcb-image0 libxcb-xinerama0 libxcb-xkb1 libnss3 fonts-noto-cjk poppler-utils xvfb xauth
    openssl osslsigncode"   # the installer's code-signing tests (tests/installer/test_signing.py)
  local missing=""
  for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  if [ -n "$missing" ] && command -v apt-get >/dev/null; then
    echo "安装系统软件包:$missing"
    sudo_if_needed apt-get update -qq
    DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq $missing >/dev/null
  fi
}

find_python() {
  for c in python3.13 python3.12 "$HOME/.pyenv/versions/3.12"*/bin/python3 "$HOME/.pyenv/versions/3.13"*/bin/python3 \
           /root/.pyenv/versions/3.12*/bin/python3 /usr/local/bin/python3.12 python3; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      command -v "$c"; return 0
    fi
  done
  echo "需要 Python 3.12 或更高版本（可用 pyenv install 3.12 安装）" >&2; return 1
}

# What the set-up depends on: pyproject.toml (and a lock file, if any) and the system package
# list. The hash is kept in .venv; a start whose hash matches skips the set-up (about a second
# to the login window instead of a reinstall). `bash run.sh setup` always sets up again.
setup_hash() {
  { cat pyproject.toml; cat ./*.lock requirements*.txt 2>/dev/null || true; declare -f system_packages; } \
    | sha256sum | cut -d' ' -f1
}

setup() {
  local stamp="$VENV/.setup-hash" want
  want=$(setup_hash)
  if [ "${1:-}" != force ] && [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  system_packages
  if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then
    rm -rf "$VENV"
    "$(find_python)" -m venv "$VENV"
  fi
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
  echo "安装 Python 依赖…"
  if ! "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e ".[test]" >"$VENV/pip-install.log" 2>&1; then
    cat "$VENV/pip-install.log" >&2
    echo "依赖安装失败（日志：$VENV/pip-install.log）" >&2
    exit 1
  fi
  # compiled modules, as the installed program ships them (a fast first start)
  "$VENV/bin/python" -m compileall -q propertydesk app ui models >/dev/null 2>&1 || true
  echo "$want" >"$stamp"
}

# PostgreSQL for the second test pass: a private cluster on loopback, in a temporary folder.
postgres_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin /usr/local/pgsql/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return 0; fi
  return 1
}

install_postgres() {
  postgres_bin >/dev/null && return 0
  command -v apt-get >/dev/null || return 1
  echo "安装 PostgreSQL（测试用）"
  sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq postgresql >/dev/null
}

PG_TMP=""
start_test_postgres() {   # sets PG_URL
  local bin port
  bin=$(postgres_bin) || return 1
  PG_TMP=$(mktemp -d /tmp/propertydesk-pg.XXXXXX)
  port=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  local as=()
  if [ "$(id -u)" = 0 ]; then chown postgres "$PG_TMP"; as=(runuser -u postgres --); fi
  "${as[@]}" "$bin/initdb" -D "$PG_TMP/data" --auth=trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
  "${as[@]}" "$bin/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_TMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
  "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres propertydesk_test
  PG_URL="postgresql://postgres@127.0.0.1:$port/propertydesk_test"
}

stop_test_postgres() {
  [ -n "$PG_TMP" ] || return 0
  local bin as=()
  bin=$(postgres_bin) || return 0
  if [ "$(id -u)" = 0 ]; then as=(runuser -u postgres --); fi
  "${as[@]}" "$bin/pg_ctl" -D "$PG_TMP/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_TMP"
  PG_TMP=""
}

case "$cmd" in
  setup) setup force ;;
  demo)
    setup
    DATA="${PROPERTYDESK_DATA_DIR:-$ROOT/demo-data}"
    if [ ! -f "$DATA/propertydesk.db" ]; then
      "$VENV/bin/propertydesk" --data-dir "$DATA" demo --site tianlun
    fi
    exec "$VENV/bin/propertydesk" --data-dir "$DATA"
    ;;
  test)
    setup
    export QT_QPA_PLATFORM=offscreen
    shift || true
    # CI (.ci/run) installs PostgreSQL; elsewhere the second pass runs when it is installed.
    # PROPERTYDESK_POSTGRES=0 skips it.
    if [ "${PROPERTYDESK_CI:-0}" = 1 ] && [ "${PROPERTYDESK_POSTGRES:-1}" != 0 ]; then
      install_postgres || echo "警告：无法安装 PostgreSQL" >&2
    fi
    rc=0
    "$VENV/bin/python" -m pytest -q "$@" || rc=$?
    if [ -z "${PROPERTYDESK_TEST_DATABASE:-}" ] && [ "${PROPERTYDESK_POSTGRES:-1}" != 0 ] && postgres_bin >/dev/null; then
      trap stop_test_postgres EXIT
      start_test_postgres
      echo "== 第二遍：服务层测试在 PostgreSQL 上运行（$PG_URL）=="
      PROPERTYDESK_TEST_DATABASE="$PG_URL" "$VENV/bin/python" -m pytest -q -m "not gui" "$@" || rc=$?
      stop_test_postgres
    elif [ "${PROPERTYDESK_CI:-0}" = 1 ] && [ "${PROPERTYDESK_POSTGRES:-1}" != 0 ]; then
      echo "错误：CI 需要 PostgreSQL，但没有找到" >&2
      rc=1
    fi
    exit $rc
    ;;
  *) echo "用法: bash run.sh [demo|test|setup]" >&2; exit 2 ;;
esac
