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


BASE = 'inherits = "defaults"\n[company]\nname = "X物业"\n'


@pytest.mark.parametrize("text,message", [
    (BASE + '[site]\nname = "X"\nnmae = "typo"\n', "unknown settings"),
    (BASE + '[site]\nname = "X"\nhomes = "many"\n', "住户总数"),
    (BASE + '[site]\naddress = "no name"\n', "name is required"),
    (BASE + '[site]\nname = ""\n', "小区名称：不能为空"),
    ('inherits = "defaults"\n[site]\nname = "X"\n', r"\[company\] name is required"),
    (BASE + '[installer]\ndata = "cloud"\n[site]\nname = "X"\n', "data must be"),
    ('[site\nname = "X"\n', "not valid TOML"),
    # the examples: a rate of 17800 or 0, due_day 45, a 960 % target, bill_vacant = "ture"
    (BASE + '[site]\nname = "X"\n[fee.property_rate]\n"洋房" = 17800\n', "应在 0.01 至 20.00 之间"),
    (BASE + '[site]\nname = "X"\n[fee.property_rate]\n"洋房" = 0\n', "应在 0.01 至 20.00 之间"),
    (BASE + '[site]\nname = "X"\n[billing]\ndue_day = 45\n', "应在 1 至 31 之间"),
    (BASE + '[site]\nname = "X"\n[billing]\ncollection_target_pct = 960\n', "应在 0 至 100 之间"),
    (BASE + '[site]\nname = "X"\n[billing]\nbill_vacant = "ture"\n', "must be true or false"),
    (BASE + '[site]\nname = "X"\n[billing]\nbill_vacant = "true"\n', "must be true or false"),
    # a key left out is an error unless the file names a base
    ('[site]\nname = "X"\n[company]\nname = "X物业"\n', "settings missing"),
    ('inherits = "nosuch"\n[site]\nname = "X"\n', "cannot read"),
    ('inherits = "demo"\n[site]\nname = "X"\n', "makes a loop"),
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


def test_a_site_file_may_inherit_another_site(tmp_path):
    (tmp_path / "base.toml").write_text(BASE + '[site]\nname = "基础"\n[fee.property_rate]\n"洋房" = 188\n',
                                        encoding="utf-8")
    f = tmp_path / "east.toml"
    f.write_text('inherits = "base"\n[site]\nname = "东区"\n', encoding="utf-8")
    code, flat, _options = build.load_site(f)
    assert (code, flat["site.name"], flat["fee.property_rate.洋房"]) == ("east", "东区", 188)
    assert flat["company.name"] == "X物业"


def test_a_complete_site_file_needs_no_base(tmp_path):
    import tomli_w

    from app.core.settings import SETTINGS, _nest
    values = {s.key: s.default for s in SETTINGS} | {"company.name": "X物业"}
    f = tmp_path / "full.toml"
    f.write_text(tomli_w.dumps(_nest(values)), encoding="utf-8")
    assert build.load_site(f)[1]["company.name"] == "X物业"


def test_build_check_checks_one_file_without_building(tmp_path):
    import subprocess
    import sys
    wanxing = str(ROOT / "installer" / "sites" / "wanxing.toml")
    ok = subprocess.run([sys.executable, str(ROOT / "installer" / "build.py"), "--check", wanxing],
                        capture_output=True, text=True, check=False)
    assert ok.returncode == 0 and "wanxing.toml: OK" in ok.stdout and "万兴现代城" in ok.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text(BASE + '[site]\nname = "X"\n[billing]\ndue_day = 45\n', encoding="utf-8")
    out = subprocess.run([sys.executable, str(ROOT / "installer" / "build.py"), "--check", str(bad)],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 1 and "应在 1 至 31 之间" in out.stderr
    assert not (ROOT / "installer" / "build" / "bad").exists()
