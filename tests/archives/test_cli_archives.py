"""Command line of the archives area, run as a user would: demo, import, export, print owner-info."""
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.demo.specs import DEMO_PASSWORD
from tests.archives.test_excel_owners import ID1, ledger
from tests.helpers.pdf import pdf_text

ROOT = Path(__file__).resolve().parents[2]


def run(*args, data_dir, password=None):
    """The command signed in as `manager` (the demo's, with *password* DEMO_PASSWORD, or a fresh site's
    first manager made by :func:`first_manager` with the tests' password)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8")
    if password:
        env["PROPERTYDESK_PASSWORD"] = password
    env.pop("PROPERTYDESK_DATA_DIR", None)
    env.pop("PROPERTYDESK_DATABASE", None)   # a fresh SQLite site in data_dir, also in the PostgreSQL pass
    p = subprocess.run([sys.executable, "-m", "propertydesk", *args, "--data-dir", str(data_dir)], cwd=ROOT, env=env,
                       capture_output=True, text=True, encoding="utf-8", timeout=300, check=False)
    return p.returncode, p.stdout, p.stderr


def first_manager(data_dir):
    """A fresh site's first account (the command line signs in as it)."""
    rc, out, err = run("user-add", "manager", "--name", "王经理", "--role", "manager", data_dir=data_dir)
    assert rc == 0, err


def count(data_dir, table):
    con = sqlite3.connect(str(Path(data_dir) / "propertydesk.db"))
    try:
        return con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    d = tmp_path_factory.mktemp("site")
    rc, out, err = run("demo", "--site", "tianlun", data_dir=d)
    assert rc == 0, err
    return d, out


def test_demo(site):
    d, out = site
    assert "已建立演示小区：天伦庄园" in out and "房屋 292 户" in out and "楼栋 25 栋" in out
    assert count(d, "home") == 292
    rc, out, err = run("demo", "--site", "wanxing", data_dir=d, password=DEMO_PASSWORD)
    assert rc == 2 and "已有 292 户房屋" in err and "--data-dir" in err
    assert count(d, "home") == 292


def test_export_owners(site, tmp_path):
    d, _ = site
    f = tmp_path / "业主台账.xlsx"
    rc, out, err = run("export", "owners", str(f), data_dir=d, password=DEMO_PASSWORD)
    assert rc == 0, err
    assert "已导出" in out and "完整" in out
    ws = load_workbook(f).active
    assert ws["A1"].value == "天伦庄园 业主信息台账"
    assert [c.value for c in ws[3]][:4] == ["组团", "楼栋", "单元", "房号"]
    rc, out, err = run("export", "owners", str(tmp_path / "x.csv"), data_dir=d, password=DEMO_PASSWORD)
    assert rc == 2 and ".xlsx" in err


def test_print_owner_info(site, tmp_path):
    d, _ = site
    out_pdf = tmp_path / "业主信息表.pdf"
    rc, out, err = run("print", "owner-info", "--home", "5-1-201", "--out", str(out_pdf), data_dir=d,
                       password=DEMO_PASSWORD)
    assert rc == 0, err
    assert "已生成业主信息表（5-1-201）" in out
    text = pdf_text(out_pdf.read_bytes())
    con = sqlite3.connect(str(d / "propertydesk.db"))
    name, masked = con.execute(
        "SELECT o.name, o.id_masked FROM owner o JOIN home_owner ho ON ho.owner_id = o.id "
        "JOIN home h ON h.id = ho.home_id WHERE h.room_code = '5-1-201' AND ho.is_primary = 1").fetchone()
    con.close()
    assert "业主信息表" in text and name in text and masked in text
    rc, out, err = run("print", "owner-info", "--home", "5-1-201", "--out", str(tmp_path / "f.pdf"), "--full",
                       data_dir=d, password=DEMO_PASSWORD)
    assert rc == 0, err
    full = pdf_text(tmp_path / "f.pdf")
    assert masked not in full and masked[-4:] in full
    rc, out, err = run("print", "owner-info", "--home", "99-1-999", "--out", str(tmp_path / "n.pdf"), data_dir=d,
                       password=DEMO_PASSWORD)
    assert rc == 2 and "未找到房屋“99-1-999”" in err and not (tmp_path / "n.pdf").exists()


def test_import_owners_dry_run_then_real(tmp_path):
    d = tmp_path / "data"
    first_manager(d)
    f = ledger(tmp_path / "台账.xlsx")
    rc, out, err = run("import", "owners", str(f), "--dry-run", data_dir=d)
    assert rc == 0, err
    assert "试导入（未写入）" in out and "导入 7 行" in out and "新建房屋 5 户" in out and "待核对 2 项" in out
    assert "第10行：身份证号" in out and "第11行：联系电话“138 1234 56789”" in out
    assert count(d, "home") == 0 and count(d, "owner") == 0
    rc, out, err = run("import", "owners", str(f), data_dir=d)
    assert rc == 0 and "导入完成" in out and "拒绝 0 行" in out
    assert count(d, "home") == 5 and count(d, "owner") == 7 and count(d, "pending_check") == 2
    # a row without room or name is refused: exit 3
    bad = tmp_path / "bad.xlsx"
    wb = load_workbook(f)
    wb.active.append([9, "7号楼", "1单元", 101, None, "13700001111"])
    wb.save(bad)
    rc, out, err = run("import", "owners", str(bad), data_dir=d)
    assert rc == 3 and "拒绝 1 行" in out and "第13行：业主姓名" in out, out + err
    con = sqlite3.connect(str(d / "propertydesk.db"))
    assert ID1 not in "".join(r[0] for r in con.execute("SELECT id_enc FROM owner"))
    con.close()


def test_import_bad_files(tmp_path):
    d = tmp_path / "data"
    first_manager(d)
    bad = tmp_path / "坏文件.xlsx"
    bad.write_text("不是Excel", encoding="utf-8")
    rc, out, err = run("import", "owners", str(bad), data_dir=d)
    assert rc == 2 and "不是Excel文件" in err and "Traceback" not in err
    rc, out, err = run("import", "owners", str(tmp_path / "none.xlsx"), data_dir=d)
    assert rc == 2 and "找不到文件" in err
