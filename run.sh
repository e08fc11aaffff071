#!/usr/bin/env bash
# PropertyDesk set-up and start.  Usage:
#   bash run.sh demo   set up, build the 天伦庄园 demo site (first time) and start the application
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
    libxcb-image0 libxcb-xinerama0 libxcb-xkb1 libnss3 fonts-noto-cjk poppler-utils xvfb xauth"
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

setup() {
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
}

case "$cmd" in
  setup) setup ;;
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
    exec "$VENV/bin/python" -m pytest -q "$@"
    ;;
  *) echo "用法: bash run.sh [demo|test|setup]" >&2; exit 2 ;;
esac
