"""The installer's site files and build helpers (no Wine, no download): installer/build.py."""
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("installer_build", ROOT / "installer" / "build.py")
build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build)


@pytest.mark.parametrize("site,name,data", [("tianlun", "天伦庄园", "user"), ("wanxing", "万兴现代城", "machine")])
def test_site_files_are_valid(site, name, data):
    code, flat, options = build.load_site(ROOT / "installer" / "sites" / f"{site}.toml")
    assert code == site
    assert flat["site.name"] == name
    assert options["data"] == data


@pytest.mark.parametrize("text,message", [
    ('[site]\nname = "X"\nnmae = "typo"\n', "unknown settings"),
    ('[site]\nname = "X"\nhomes = "many"\n', "住户总数"),
    ('[site]\naddress = "no name"\n', "name is required"),
    ('[installer]\ndata = "cloud"\n[site]\nname = "X"\n', "data must be"),
    ('[site\nname = "X"\n', "not valid TOML"),
])
def test_bad_site_files_are_refused(tmp_path, text, message):
    f = tmp_path / "demo.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(build.BuildError, match=message):
        build.load_site(f)


def test_site_code_is_the_file_name(tmp_path):
    f = tmp_path / "天伦.toml"
    f.write_text('[site]\nname = "X"\n', encoding="utf-8")
    with pytest.raises(build.BuildError, match="site code"):
        build.load_site(f)


def test_lock_file_pins_every_wheel_with_a_hash():
    lock = build.read_lock()
    assert lock["embed"]["sha256"] and lock["embed"]["url"].endswith(lock["embed"]["file"])
    assert {"pyside6-essentials", "pyside6-pdf", "shiboken6", "peewee", "reportlab"} <= set(lock["wheels"])
    assert all(len(digest) == 64 for _v, digest in lock["wheels"].values())


def test_qt_modules_used_are_found(tmp_path):
    (tmp_path / "m.py").write_text("from PySide6.QtCharts import QChart\nfrom PySide6 import QtSql, QtCore\n")
    assert {"QtCharts", "QtSql", "QtCore"} <= build.qt_modules_used([tmp_path])
