"""propertydesk reduce (issue 17): propose as the signed-in manager (or approve at once), list the pending
ones, approve and reject by number; a bad input names the field (real processes)."""
from __future__ import annotations

import datetime as dt

import pytest

from app.ledger import billing, reductions
from models.ledger import Charge
from models.reductions import Reduction
from tests.helpers.ledger import make_site
from tests.ledger.test_ledger_cli import run_cli

pytestmark = pytest.mark.slow


@pytest.fixture
def site(ctx, users):
    homes = make_site(ctx, users)
    for period in ("2026-10", "2026-11"):
        billing.post_charge(ctx, homes["5-101"].id, "property_fee", 17800, period=period,
                            due_date=dt.date(2026, 11, 5))
    return homes


def test_cli_reduce_propose_list_approve_reject(ctx, as_role, site, data_dir):
    r = run_cli(data_dir, "reduce", "--room", "5-101", "--month", "2026-11", "--percent", "50",
                "--reason", "低保户减半")
    assert r.returncode == 0, r.stderr
    red = Reduction.get(Reduction.reason == "低保户减半")
    assert f"减免 #{red.id} 待审批：89.00 元（低保户减半）" in r.stdout
    other = reductions.propose(as_role("cashier"), Charge.get((Charge.home == site["5-101"].id)
                                                              & (Charge.period == "2026-10")).id,
                               "fixed", "30", "停水补偿")
    r = run_cli(data_dir, "reduce", "--list")
    assert r.returncode == 0 and "待审批减免 2 笔" in r.stdout and "停水补偿" in r.stdout, r.stdout + r.stderr
    r = run_cli(data_dir, "reduce", "--approve-id", str(red.id))
    assert r.returncode == 0 and f"已批准减免 #{red.id}：减免 89.00 元" in r.stdout, r.stderr
    r = run_cli(data_dir, "reduce", "--reject-id", str(other.id))
    assert r.returncode != 0 and "驳回理由：不能为空" in r.stderr
    r = run_cli(data_dir, "reduce", "--reject-id", str(other.id), "--note", "无依据")
    assert r.returncode == 0 and "已驳回减免" in r.stdout, r.stderr
    r = run_cli(data_dir, "reduce", "--approve-id", str(red.id))
    assert r.returncode != 0 and "不能重复审批" in r.stderr
    assert Charge.get((Charge.home == site["5-101"].id) & (Charge.period == "2026-11")).paid_fen == 8900
    assert Reduction.get_by_id(other.id).state == "已驳回"


def test_cli_reduce_in_one_step_and_refusals(ctx, site, data_dir):
    r = run_cli(data_dir, "reduce", "--room", "5-101", "--months", "2", "--reason", "疫情封控", "--approve")
    assert r.returncode == 0 and "已批准：356.00 元（疫情封控）" in r.stdout, r.stdout + r.stderr
    r = run_cli(data_dir, "reduce", "--room", "5-101", "--reason", "x")
    assert r.returncode != 0 and "减免方式" in r.stderr
    r = run_cli(data_dir, "reduce", "--room", "9-999", "--percent", "10", "--reason", "x")
    assert r.returncode != 0 and "房号 9-999 不存在" in r.stderr
    r = run_cli(data_dir, "reduce", "--room", "5-101", "--percent", "10", "--reason", "x")
    assert r.returncode != 0 and "没有符合条件的费用" in r.stderr
