#!/usr/bin/env bash
# CI for the Windows installer (issue 7): build the 天伦庄园 installer and verify it under Wine;
# 万兴现代城's installer is built too (the runtime from the cache) and run over the installed 天伦庄园.
#
#   bash installer/ci.sh          build + verify now
#   bash installer/ci.sh auto     only when the commit under test (HEAD~1..HEAD) touched
#                                 installer/, propertydesk/, app/, ui/, models/, resources/ or pyproject.toml;
#                                 without HEAD~1 (shallow clone, first commit) it runs.
#   PD_CI_INSTALLER=always|never overrides "auto".
#
# CI builds with zlib (--fast: ~1/5 of solid LZMA's CPU time, a bigger exe) and verifies the
# full cycle (install, selftest offscreen + Windows platform, upgrade, uninstall, reinstall, another
# site's installer refused and then /REPLACESITE, /REMOVEDATA).
# Time bounds: build 25 min, verify 30 min (the whole .ci/run must finish within 90 min).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-always}
case "${PD_CI_INSTALLER:-}" in always) mode=always ;; never) echo "installer CI: skipped (PD_CI_INSTALLER=never)"; exit 0 ;; esac

if [ "$mode" = auto ]; then
  if git rev-parse -q --verify HEAD~1 >/dev/null 2>&1; then
    changed=$(git diff --name-only HEAD~1 HEAD -- installer propertydesk app ui models resources pyproject.toml | head -5)
    if [ -z "$changed" ]; then
      echo "installer CI: skipped (the last commit changed neither installer/ nor the program)"
      exit 0
    fi
    echo "installer CI: the last commit changed: $(echo $changed)"
  else
    echo "installer CI: no parent commit to compare with: building"
  fi
fi

sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }
pkgs="nsis wine wine64 xvfb xauth gcc-mingw-w64-x86-64-win32 fonts-wqy-microhei osslsigncode"
missing=""
for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  echo "installer CI: apt-get install$missing"
  sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq $missing >/dev/null
fi
# a Chinese Windows under Wine needs the Linux locale zh_CN.UTF-8 (file names, code page 936)
if ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
  dpkg -s locales >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq locales >/dev/null
  sudo_if_needed localedef -i zh_CN -f UTF-8 zh_CN.UTF-8 || echo "installer CI: no zh_CN.UTF-8 locale; verifying with C.UTF-8"
fi
if [ ! -x .venv/bin/python ]; then bash run.sh setup; fi

t0=$(date +%s)
# --frozen: the lock must match pyproject.toml (CI never re-locks from PyPI unnoticed)
timeout 25m .venv/bin/python installer/build.py --site installer/sites/tianlun.toml --fast --frozen
exe=installer/build/dist/PropertyDesk-tianlun-$(.venv/bin/python -c 'import app; print(app.__version__)')-setup.exe
first=$(sha256sum "$exe" | cut -d" " -f1)
t1=$(date +%s)
# reproducible: a second build from the same commit gives the same bytes
timeout 25m .venv/bin/python installer/build.py --site installer/sites/tianlun.toml --fast --frozen >/dev/null
second=$(sha256sum "$exe" | cut -d" " -f1)
if [ "$first" != "$second" ]; then
  echo "installer CI: FAILED: two builds differ ($first / $second)" >&2
  exit 1
fi
echo "installer CI: reproducible: both builds sha256 $first ($(( $(date +%s) - t1 )) s for the second)"
# the upgrade: the same site with a new rate in its site file (洋房 1.78 → 1.88)
up=installer/build/upgrade
rm -rf "$up" && mkdir -p "$up/site"
sed 's/^"洋房" = 178/"洋房" = 188/' installer/sites/tianlun.toml > "$up/site/tianlun.toml"
grep -q '"洋房" = 188' "$up/site/tianlun.toml"
timeout 25m .venv/bin/python installer/build.py --site "$up/site/tianlun.toml" --fast --frozen --out "$up" >/dev/null
.venv/bin/python - "$up" <<'PY'
import importlib.util, json, sys
from pathlib import Path
up = Path(sys.argv[1])
spec = importlib.util.spec_from_file_location("b", "installer/build.py"); b = importlib.util.module_from_spec(spec)
spec.loader.exec_module(b)
(up / "upgrade-site.json").write_text(json.dumps({"values": b.load_site(up / "site" / "tianlun.toml")[1]},
                                                ensure_ascii=False), encoding="utf-8")
PY
# another site's installer (frozen; the prepared runtime comes from installer/cache/runtime-<lock key>)
tw=$(date +%s)
timeout 25m .venv/bin/python installer/build.py --site installer/sites/wanxing.toml --fast --frozen >/dev/null
other=installer/build/dist/PropertyDesk-wanxing-$(.venv/bin/python -c 'import app; print(app.__version__)')-setup.exe
test -f "$other"
t1=$(date +%s)
echo "installer CI: 万兴现代城's installer built in $((t1 - tw)) s"
timeout 30m .venv/bin/python installer/verify.py --site installer/sites/tianlun.toml --exe "$exe" \
  --upgrade-exe "$up/$(basename "$exe")" --other-site installer/sites/wanxing.toml --other-exe "$other"
t2=$(date +%s)
echo "installer CI: build $((t1 - t0)) s (万兴现代城 $((t1 - tw)) s of it), verify $((t2 - t1)) s, total $((t2 - t0)) s"
