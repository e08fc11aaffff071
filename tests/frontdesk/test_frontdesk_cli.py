"""Command line: propertydesk parcels / visitors / passes and their prints (subprocess; the program
runs on the real clock, so ages and validity are checked only where the clock cannot change them)."""
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from app.frontdesk import contacts, parcels, passes, visitors
from tests.helpers.keys import DEFAULT_HOMES, make_homes
from tests.helpers.pdf import pdf_text

ROOT = Path(__file__).resolve().parents[2]


def run_cli(data_dir, *args):
    return subprocess.run([sys.executable, "-m", "propertydesk", *args, "--data-dir", str(data_dir)], cwd=ROOT,
                          check=False, capture_output=True, text=True, encoding="utf-8", timeout=120)


@pytest.fixture
def desk(ctx):
    make_homes(DEFAULT_HOMES)
    ctx.clock.set(dt.datetime(2026, 11, 20, 9, 0))
    parcels.check_in(ctx, {"room_code": "5-201", "carrier": "顺丰", "tracking_no": "SF100", "place": "货架A-1",
                           "recipient": "刘女士"})
    p = parcels.check_in(ctx, {"room_code": "5-202", "carrier": "中通", "tracking_no": "ZT200", "place": "货架B-2"})
    parcels.pick_up(ctx, p.id, {"collector_name": "马先生", "collector_signed": True})
    visitors.register_visit(ctx, {"name": "陈明", "room_code": "5-201", "reason": "探亲访友", "plate": "晋A12345"})
    gone = visitors.register_visit(ctx, {"name": "周工", "host": "物业办公室", "reason": "维修"})
    visitors.sign_out(ctx, gone.id)
    contacts.add_contact(ctx, {"category": "开锁", "name": "平安开锁", "person": "赵师傅", "phone": "13903519999"})
    passes.issue_pass(ctx, {"room_code": "5-201", "consent": "业主本人到场", "consent_by": "刘女士",
                            "items": "旧沙发×1", "carrier": "张师傅", "valid_date": "2026-11-20"})
    return ctx


def test_cli_lists_parcels_waiting_visitors_inside_and_passes(desk, data_dir):
    r = run_cli(data_dir, "parcels")
    assert r.returncode == 0, r.stderr
    line = next(ln for ln in r.stdout.splitlines() if "SF100" in ln)
    assert "KD2026-000001" in line and "5-201 刘女士" in line and "货架A-1" in line
    assert "ZT200" not in r.stdout and "共 1 件包裹待取" in r.stdout
    r = run_cli(data_dir, "parcels", "--room", "5-202")
    assert r.returncode == 0 and "共 0 件包裹待取" in r.stdout
    r = run_cli(data_dir, "visitors")
    assert r.returncode == 0, r.stderr
    assert "陈明" in r.stdout and "车牌 晋A12345" in r.stdout and "周工" not in r.stdout
    r = run_cli(data_dir, "visitors", "--date", "2026-11-20")
    assert "周工" in r.stdout and "2026-11-20 来访 2 人次，其中未离开 1 人次" in r.stdout
    r = run_cli(data_dir, "passes", "--all")
    assert r.returncode == 0, r.stderr
    assert "FX2026-000001" in r.stdout and "旧沙发×1件" in r.stdout and "共 1 张放行条（最近90天）" in r.stdout
    r = run_cli(data_dir, "contacts", "--search", "开锁")
    assert r.returncode == 0, r.stderr
    assert "【开锁】平安开锁  13903519999  赵师傅" in r.stdout and "共 1 个联系单位" in r.stdout


def test_cli_prints_the_goods_pass_and_the_days_lists(desk, data_dir, tmp_path):
    out = tmp_path / "pass.pdf"
    r = run_cli(data_dir, "print", "goods-pass", "--number", "fx2026-000001", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "物品放行条 存根" in pdf_text(out.read_bytes())
    r = run_cli(data_dir, "print", "goods-pass", "--number", "FX2026-000009", "--out", str(out))
    assert r.returncode != 0 and "FX2026-000009 不存在" in r.stderr + r.stdout
    for cmd, title in (("parcels-day", "代收快递登记表"), ("visitors-day", "来访人员登记表"),
                       ("passes-day", "物品放行登记表")):
        out = tmp_path / f"{cmd}.pdf"
        r = run_cli(data_dir, "print", cmd, "--date", "2026-11-20", "--out", str(out))
        assert r.returncode == 0, r.stderr
        text = pdf_text(out.read_bytes())
        assert title in text and "2026-11-20" in text
    for cmd, title in (("contacts", "平安开锁"), ("site-facts", "项目概况")):
        out = tmp_path / f"{cmd}.pdf"
        r = run_cli(data_dir, "print", cmd, "--out", str(out))
        assert r.returncode == 0, r.stderr
        assert title in pdf_text(out.read_bytes())
