"""Issue 19: a data folder belongs to one installed site. ``site.json`` keeps the code and name of the
site whose program made it; another site's program (after /REPLACESITE, or started with the wrong
--data-dir) refuses the folder at start, naming both sites and the folder, and changes nothing in it.
Real processes: two copies of the program, each with the resources/build-info.json its installer
writes (installer/build.py), run on one folder. The folders are SQLite sites whatever engine the
suite runs on (an installed site's database lives in its data folder)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TIANLUN, WANXING = ("tianlun", "天伦庄园"), ("wanxing", "万兴现代城")


def _env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("PROPERTYDESK_DATABASE", "PROPERTYDESK_TEST_DATABASE", "PYTHONPATH")}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def programs(tmp_path_factory):
    """{code: folder}: the program as an installer stages it (app, models, propertydesk and
    resources/build-info.json naming the site), once for each of two sites."""
    out = {}
    for code, name in (TIANLUN, WANXING):
        prog = tmp_path_factory.mktemp(f"program-{code}")
        for package in ("app", "models", "propertydesk"):
            shutil.copytree(ROOT / package, prog / package, ignore=shutil.ignore_patterns("__pycache__"))
        (prog / "resources").mkdir()
        (prog / "resources" / "build-info.json").write_text(
            json.dumps({"site": code, "site_name": name, "version": "0.1.0"}, ensure_ascii=False), encoding="utf-8")
        out[code] = prog
    return out


def _cli(prog: Path, data: Path, *args):
    return subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(data),
                           "--database", "sqlite:///" + str(data / "propertydesk.db"), *args],
                          capture_output=True, text=True, timeout=180, env=_env(PYTHONPATH=str(prog)), cwd=prog,
                          check=False)


def _files(folder: Path) -> dict:
    """Every file's bytes but the start log's (which records each start, refused or not)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.relative_to(folder).as_posix().startswith("logs/")}


def _marker(folder: Path) -> dict:
    return json.loads((folder / "site.json").read_text(encoding="utf-8"))


def test_the_copies_run_their_own_code(programs):
    """The check below means something only if each copy imports its own modules (not the source tree)."""
    out = subprocess.run([sys.executable, "-c", "import app.system.sitemark as m; print(m.program_site())"],
                         capture_output=True, text=True, env=_env(PYTHONPATH=str(programs["wanxing"])),
                         cwd=programs["wanxing"], check=True, timeout=60)
    assert out.stdout.strip() == str(WANXING)


def test_another_sites_program_refuses_the_folder_and_changes_nothing(programs, tmp_path):
    data = tmp_path / "data"
    made = _cli(programs["tianlun"], data, "settings")
    assert made.returncode == 0, made.stderr
    marker = _marker(data)
    assert (marker["site_code"], marker["site_name"]) == TIANLUN and marker["site_id"]
    before = _files(data)

    refused = _cli(programs["wanxing"], data, "settings")
    assert refused.returncode == 2
    assert (f"数据目录 {data} 属于站点 天伦庄园（tianlun），本程序是 万兴现代城（wanxing）的安装"
            in refused.stderr), refused.stderr
    assert "程序没有修改这个目录" in refused.stderr and "万兴现代城" not in refused.stdout
    assert _files(data) == before                      # not a byte: database, marker, settings

    again = _cli(programs["tianlun"], data, "settings")   # its own program still opens it
    assert again.returncode == 0, again.stderr
    assert "天伦庄园" in again.stdout


def test_a_folder_from_before_the_code_adopts_the_first_program_that_opens_it(programs, tmp_path):
    """A folder made by a program without a site code (the source tree, or an installer from before)
    takes the code of the installed program that opens it next; from then on it is that site's."""
    data = tmp_path / "data"
    old = subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(data), "settings"],
                         capture_output=True, text=True, timeout=180, env=_env(PYTHONPATH=str(ROOT)), cwd=ROOT,
                         check=False)
    assert old.returncode == 0, old.stderr
    assert "site_code" not in _marker(data)
    site_id = _marker(data)["site_id"]

    adopted = _cli(programs["wanxing"], data, "settings")
    assert adopted.returncode == 0, adopted.stderr
    assert (_marker(data)["site_code"], _marker(data)["site_name"], _marker(data)["site_id"]) == (*WANXING, site_id)

    refused = _cli(programs["tianlun"], data, "settings")
    assert refused.returncode == 2
    assert "属于站点 万兴现代城（wanxing），本程序是 天伦庄园（tianlun）的安装" in refused.stderr


def test_the_window_refuses_in_the_start_up_message_box(programs, tmp_path):
    """The shortcut's start (pythonw, no command): the start-failure message box names both sites and
    the folder; the window never opens. The box is recorded to a file instead of blocking offscreen."""
    data = tmp_path / "data"
    assert _cli(programs["tianlun"], data, "settings").returncode == 0
    before = _files(data)
    shown = tmp_path / "shown.txt"
    code = ("import sys, runpy\n"
            "from PySide6.QtWidgets import QMessageBox\n"
            f"QMessageBox.critical = staticmethod(lambda *a, **k: open({str(shown)!r}, 'w', encoding='utf-8')"
            ".write(a[2]))\n"
            "sys.stderr = None\nsys.stdout = None\n"
            f"sys.argv = ['propertydesk', '--data-dir', {str(data)!r}]\n"
            "runpy.run_module('propertydesk', run_name='__main__')\n")
    # the window needs ui/ and the fonts: the source tree's, with the wanxing copy's app/ in front
    env = _env(PYTHONPATH=os.pathsep.join([str(programs["wanxing"]), str(ROOT)]), QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180, env=env,
                         cwd=programs["wanxing"], check=False)
    assert out.returncode != 0
    text = shown.read_text(encoding="utf-8")
    assert f"数据目录 {data} 属于站点 天伦庄园（tianlun），本程序是 万兴现代城（wanxing）的安装" in text
    after = _files(data)
    assert after.pop("propertydesk.db.lock") == b""   # the window's instance lock (empty), taken before the check
    assert after == before
