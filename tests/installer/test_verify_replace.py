"""The replace round's own checks (installer/verify_replace.py) on a fake Wine prefix: no Wine here —
the round itself runs under Wine in installer/ci.sh. A check that cannot fail would let a broken
installer pass, so each one is shown to fail on the state it must catch."""
import importlib.util
import struct
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "installer"))
try:
    spec = importlib.util.spec_from_file_location("installer_verify", ROOT / "installer" / "verify.py")
    verify = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(verify)
finally:
    sys.path.remove(str(ROOT / "installer"))

INSTALL = r"C:\Program Files\PropertyDesk"


def lnk_bytes(target: str) -> bytes:
    """A minimal MS-SHLLINK file: header (HasLinkInfo) and a LinkInfo with an ANSI local base path."""
    path = target.encode("latin-1") + b"\0"
    link_info = struct.pack("<IIIIIII", 0x1C + len(path), 0x1C, 1, 0, 0x1C, 0, 0) + path
    header = struct.pack("<I16sI", 0x4C, b"\0" * 16, 0x02) + b"\0" * (0x4C - 24)
    return header + link_info


@pytest.fixture
def prefix(tmp_path):
    v = verify.Verifier.__new__(verify.Verifier)
    v.prefix, v.failures = tmp_path, []
    inst = v.c_path(INSTALL)
    inst.mkdir(parents=True)
    (inst / "pythonw.exe").write_bytes(b"MZ")
    (inst / "install.log").write_bytes("2026-12-07 安装 物业前台\r\n".encode("utf-16-le"))
    menu = tmp_path / "drive_c" / "ProgramData" / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "物业前台"
    desktop = tmp_path / "drive_c" / "users" / "Public" / "Desktop"
    for folder in (menu, desktop):
        folder.mkdir(parents=True)
        (folder / "物业前台 天伦庄园.lnk").write_bytes(lnk_bytes(INSTALL + r"\pythonw.exe"))
    v.registry = lambda: ""
    data = tmp_path / "data"
    data.mkdir()
    (data / "propertydesk.db").write_bytes(b"db")
    return v, inst, menu, desktop, data


def test_link_targets_are_read_from_the_lnk(prefix):
    v, inst, menu, _desktop, _data = prefix
    assert [p.name for p in v.all_links()] == ["物业前台 天伦庄园.lnk"] * 2
    target, linux = v.link_target(menu / "物业前台 天伦庄园.lnk")
    assert target == INSTALL + r"\pythonw.exe" and linux == inst / "pythonw.exe"


def test_the_snapshot_sees_program_link_and_data_changes_but_not_the_install_log(prefix):
    v, inst, menu, _desktop, data = prefix
    before = v.snapshot(data)
    assert set(before["program"]) == {"pythonw.exe"} and len(before["links"]) == 2
    (inst / "install.log").write_bytes((inst / "install.log").read_bytes() + "拒绝\r\n".encode("utf-16-le"))
    assert v.snapshot(data) == before
    (data / "propertydesk.db").write_bytes(b"changed")
    (menu / "物业前台 天伦庄园.lnk").unlink()
    after = v.snapshot(data)
    assert after["data"] != before["data"] and len(after["links"]) == 1
    assert v.install_log().endswith("拒绝\r\n")


def test_a_shortcut_to_a_removed_program_is_dangling(prefix):
    v, inst, _menu, _desktop, _data = prefix
    (inst / "pythonw.exe").unlink()
    v.no_dangling_links("uninstall")
    assert sum("points at an existing file" in f for f in v.failures) == 2
    assert any("no shortcut of the product left" in f for f in v.failures)


def test_no_links_left_passes(prefix):
    v, _inst, menu, desktop, _data = prefix
    for folder in (menu, desktop):
        for p in folder.glob("*.lnk"):
            p.unlink()
    v.no_dangling_links("uninstall")
    assert v.failures == []
