"""The notice board from the command line (real processes) and the demo's few weeks of notices."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from app.notices import notices, register
from models.notices import Notice
from tests.helpers.notices import draft, make_buildings, posted
from tests.helpers.pdf import pdf_pages, pdf_text


def _cli(data_dir, *args):
    return subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, encoding="utf-8", timeout=120, check=False)


@pytest.mark.slow
def test_cli_lists_prints_and_exports(ctx, data_dir, tmp_path):
    make_buildings()
    today = ctx.clock.today()
    on = posted(ctx, title="消防检查通知", post_to=today + dt.timedelta(days=2))
    urgent = posted(ctx, title="燃气抢修", grade="紧急通告")
    waiting = draft(ctx, title="春节安全", grade="温馨提示")
    approved = draft(ctx, title="停水通知", grade="重要通告", buildings=["5", "6"])
    notices.approve(ctx, approved.id)
    ctx.db.close()
    res = _cli(data_dir, "notices")
    assert res.returncode == 0, res.stderr
    assert "共 4 份公告" in res.stdout
    assert f"{on.number}  通告  消防检查通知  张贴期 2026-11-23 至 2026-11-25" in res.stdout
    res = _cli(data_dir, "notices", "--on-board")
    assert res.returncode == 0 and "共 2 份公告" in res.stdout and waiting.number not in res.stdout
    res = _cli(data_dir, "notices", "--grade", "紧急通告")
    assert res.returncode == 0 and urgent.number in res.stdout and "共 1 份公告" in res.stdout
    out = tmp_path / "notice.pdf"
    res = _cli(data_dir, "print", "notice", "--number", approved.number, "--out", str(out), "--paper", "A3")
    assert res.returncode == 0, res.stderr
    assert f"已生成公告 {approved.number}（A3）" in res.stdout
    pages = pdf_pages(out.read_bytes())
    assert len(pages) == 3 and "停水通知" in pages[0] and "重要通告" in pages[0]
    res = _cli(data_dir, "print", "notice", "--number", waiting.number, "--out", str(tmp_path / "x.pdf"))
    assert res.returncode == 2 and "经理审批后才能打印" in res.stderr
    res = _cli(data_dir, "print", "notice", "--number", "GG2026-9999", "--out", str(tmp_path / "x.pdf"))
    assert res.returncode == 2 and "不存在" in res.stderr
    res = _cli(data_dir, "print", "fee-poster", "--out", str(tmp_path / "fees.pdf"))
    assert res.returncode == 0 and "收费标准公示" in pdf_text((tmp_path / "fees.pdf").read_bytes())
    res = _cli(data_dir, "print", "monthly-report", "--month", "2026-11", "--plans", "- 消防演练\\n- 清理车库",
               "--out", str(tmp_path / "rep.pdf"))
    assert res.returncode == 0, res.stderr
    assert "清理车库" in pdf_text((tmp_path / "rep.pdf").read_bytes())
    res = _cli(data_dir, "export", "notices", "--out", str(tmp_path / "n.xlsx"))
    assert res.returncode == 0 and "已导出 4 条公告" in res.stdout


def test_demo_has_weeks_of_notices_of_every_grade(ctx, users):
    import random

    from app.demo import notices as demo_notices
    from tests.helpers.ledger import make_site
    make_site(ctx, users)
    demo_notices.populate(ctx, random.Random(5))
    assert {n.grade for n in Notice.select()} == {"通告", "重要通告", "紧急通告", "温馨提示"}
    counts = register.board_counts(ctx)
    assert counts["今日到期"] == 1 and counts["过期未撤"] == 1 and counts["在栏公告"] >= 4
    assert counts["待审批"] == 1 and counts["待打印"] == 1 and counts["待张贴"] == 1
    assert Notice.select().where(Notice.state == "已撤下").count() == 2
    first = Notice.select().order_by(Notice.post_from).first()
    assert first.post_from <= ctx.clock.today() - dt.timedelta(days=21)
    assert all("{" not in n.body for n in Notice.select())
    demo_notices.populate(ctx, random.Random(5))          # a second run adds nothing
    assert Notice.select().count() == 10
