"""`propertydesk selftest` (the installer's end-to-end check) on Linux, through a subprocess."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow  # each test runs the program in a subprocess


def run_selftest(tmp_path, *extra, data_dir=None, env_extra=None):
    out = tmp_path / "result.json"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **(env_extra or {}))
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    cmd = [sys.executable, "-m", "propertydesk", "--data-dir", str(data_dir or tmp_path / "data"), *extra,
           "selftest", "--out", str(out)]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    data = json.loads(out.read_text(encoding="utf-8")) if out.exists() else None
    return proc, data


@pytest.mark.gui
def test_selftest_passes_and_counts_earlier_runs(tmp_path):
    proc, data = run_selftest(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert data["ok"] is True
    names = [c["name"] for c in data["checks"]]
    assert names == ["database", "write", "settings", "print", "libraries", "window:offscreen"]
    assert data["checks"][4]["detail"]["pinyin"] == "zeng1 jian4 lin2"
    assert all(c["ok"] for c in data["checks"])
    assert data["site_name"]
    window = data["checks"][-1]["detail"]
    assert window["qt_platform"] == "offscreen"
    assert window["qt_translation"] == ["qtbase_zh_CN.qm"]     # Qt's own texts in Chinese
    assert window["qtpdf_pages"] >= 1
    assert data["site_name"] in window["title"]
    pdf = Path(data["checks"][3]["detail"]["path"])
    assert pdf.read_bytes().startswith(b"%PDF")
    # a second run (as after an upgrade install) sees the first run's row: the data was kept
    proc, data = run_selftest(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert data["checks"][1]["detail"]["earlier_selftest_rows"] == 1
    assert data["selftest_runs"] == 2


def test_selftest_prints_chinese_text_in_pdf(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    proc, data = run_selftest(tmp_path, "--database", f"sqlite:///{tmp_path / 'x.db'}")
    # (no window check needed here)
    pdf = Path(data["checks"][3]["detail"]["path"])
    text = "".join(p.extract_text() for p in pypdf.PdfReader(str(pdf)).pages)
    assert data["site_name"] in text


def test_selftest_fails_loudly(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    out = tmp_path / "result.json"
    cmd = [sys.executable, "-m", "propertydesk", "--data-dir", str(tmp_path / "d"),
           "--database", f"sqlite:///{blocker}/sub/x.db", "selftest", "--platforms", "none", "--out", str(out)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode != 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["ok"] is False
    assert data["checks"][0]["name"] == "database" and data["checks"][0]["ok"] is False
    assert "失败" in proc.stdout


@pytest.mark.gui
def test_selftest_signs_in_through_the_sign_in_window(tmp_path):
    """On a site with accounts, the window check signs in as the shortcut's start does: the account
    typed into the sign-in window, its 登录 button clicked (argon2), both windows saved as PNGs."""
    data_dir = tmp_path / "data"
    account = {"PROPERTYDESK_USER": "boss", "PROPERTYDESK_PASSWORD": "boss-pass-2026"}
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **account)
    made = subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(data_dir), "user-add", "boss",
                           "--name", "王经理", "--role", "manager"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert made.returncode == 0, made.stdout + made.stderr
    proc, data = run_selftest(tmp_path, data_dir=data_dir, env_extra=account)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    window = data["checks"][-1]["detail"]
    signed = window["sign_in"]
    assert signed["via"] == "window" and signed["user"] == "boss" and "登录" in signed["title"]
    for shot in (Path(signed["shot"]), Path(window["window_shot"])):
        assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 2000, shot
    from PySide6.QtGui import QImage
    image = QImage(str(signed["shot"]))
    assert image.width() >= 300 and image.height() >= 150
