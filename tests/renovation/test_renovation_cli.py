"""Renovation command line: due list, spot checks, printing a form to PDF (through a subprocess)."""
import subprocess
import sys

from app.renovation import api as rv
from tests.helpers.pdf import pdf_text
from tests.helpers.renovation import APPLICATION, make_file, make_homes


def run(data_dir, *args):
    return subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, encoding="utf-8", timeout=120, check=False)


def test_cli_due_list_and_print(ctx, data_dir, tmp_path):
    homes = make_homes(ctx)
    r = rv.apply(ctx, homes["5-101"].id, APPLICATION, drawings=[make_file(tmp_path)])
    res = run(data_dir, "renovation", "due")
    assert res.returncode == 0, res.stderr
    assert "【待审批】" in res.stdout and "5-101" in res.stdout and r.number in res.stdout
    res = run(data_dir, "renovation", "list")
    assert res.returncode == 0 and "待审批" in res.stdout and "共 1 条" in res.stdout
    res = run(data_dir, "renovation", "spot-check", "--date", "2026-11-23")
    assert res.returncode == 0 and "无施工中的装修户" in res.stdout
    out = tmp_path / "申请表.pdf"
    res = run(data_dir, "print", "renovation-application", "--home", "5-101", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert "已生成装修申请/审批表" in res.stdout
    text = pdf_text(out, sep="")
    assert "装修申请/审批表" in text and "华美装饰工程有限公司" in text and "138****5678" in text
    res = run(data_dir, "print", "renovation-permit", "--home", "5-101", "--out", str(tmp_path / "p.pdf"))
    assert res.returncode == 2 and "尚未发放装修许可证" in res.stderr
    res = run(data_dir, "print", "renovation-passes", "--home", "5-101", "--a4", "--out", str(tmp_path / "c.pdf"))
    assert res.returncode == 2 and "没有可打印的出入证" in res.stderr
    res = run(data_dir, "print", "renovation-spot-sheet", "--date", "2026-11-23", "--out", str(tmp_path / "s.pdf"))
    assert res.returncode == 2 and "没有施工中的装修户" in res.stderr
    res = run(data_dir, "print", "renovation-permit", "--home", "9-999", "--out", str(tmp_path / "p.pdf"))
    assert res.returncode == 2 and "9-999" in res.stderr
