"""Printed work orders and monthly service reports (text extracted with pypdf), the command line."""
import datetime as dt
import json
import subprocess
import sys

import pytest

from app.service import complaints as cp
from app.service import deadlines, handling, queries, records
from app.service.forms import build_service_report, service_report_pdf, work_order_pdf
from tests.helpers.pdf import pdf_text
from tests.helpers.service import at, make_homes, new_request


@pytest.fixture
def done_repair(ctx):
    homes = make_homes(3)
    r = new_request(ctx, homes[0], content="卫生间下水道堵塞")
    at(ctx, 2026, 11, 23, 9, 5)
    handling.dispatch(ctx, r.id, "维修部 张师傅")
    at(ctx, 2026, 11, 23, 9, 20)
    handling.arrive(ctx, r.id)
    at(ctx, 2026, 11, 23, 10, 0)
    handling.complete(ctx, r.id, result="已疏通", owner_signed=True, signer_name="刘女士", service_item="drain")
    return r


def test_work_order_fields(ctx, done_repair):
    text = pdf_text(work_order_pdf(ctx, done_repair.id))
    for expected in ("客户服务工作单", "FW2026-000001", "5-101", "刘女士", "13812345678", "卫生间下水道堵塞",
                     "维修部 张师傅", "2026-11-23 09:10", "2026-11-23 09:25", "疏通下水道", "30.00", "已疏通",
                     "业主签字", "维修人员签字", "王经理", "天伦庄园"):
        assert expected in text, expected
    assert "138****5678" not in text          # the technician must call the caller: the phone in full


@pytest.mark.parametrize(("role", "full"), [("frontdesk", True), ("area_manager", True), ("manager", True),
                                            ("cashier", False)])
def test_work_order_phone_by_role_and_audited(ctx, as_role, role, full):
    """Roles that dispatch the work (service.handle) print the caller's phone in full, and the print
    is audited; a cashier, who may only look, prints it masked and leaves no audit row."""
    from models.users import AuditLog
    r = new_request(ctx, make_homes(1)[0])
    before = AuditLog.select().where(AuditLog.action == "pii.print_full").count()
    text = pdf_text(work_order_pdf(as_role(role), r.id))
    assert ("13812345678" in text) is full and ("138****5678" in text) is not full
    rows = list(AuditLog.select().where(AuditLog.action == "pii.print_full").order_by(AuditLog.id))
    assert len(rows) == before + int(full)
    if full:
        assert rows[-1].entity == "service_request" and json.loads(rows[-1].after)["form"] == "派工单"


def test_service_lists_and_reply_letter_stay_masked(ctx):
    """Only the 派工单 carries the full phone: the request list and the reply letter to the owner mask it."""
    from app.service.forms import complaint_reply_pdf
    r = new_request(ctx, make_homes(1)[0], kind="投诉", subject="电梯故障", complaint_class="工程")
    assert {x.phone_masked for x in queries.list_requests(ctx, "全部")} == {"138****5678"}
    cp.save_reply_letter(ctx, r.id, investigation="已查明", outcome="已修复", measures="加强巡检",
                         contact_name="王经理", contact_phone="0371-65432100")
    text = pdf_text(complaint_reply_pdf(ctx, r.id))
    assert "138****5678" in text and "13812345678" not in text


def test_work_order_of_open_complaint_shows_grade_and_holder(ctx):
    homes = make_homes(3)
    for h in homes:
        r = new_request(ctx, h, kind="投诉", subject="电梯故障", complaint_class="工程")
    ctx.clock.advance(days=3)
    text = pdf_text(work_order_pdf(ctx, r.id))
    assert "热点" in text and "工程类" in text and "电梯故障" in text and "项目经理" in text


def test_service_report_kpis_and_chart(ctx, done_repair):
    at(ctx, 2026, 11, 23, 15, 0)
    handling.record_visit(ctx, done_repair.id, 5)
    c = new_request(ctx, make_homes(3)[1], kind="投诉")
    at(ctx, 2026, 11, 23, 16, 0)                 # contacted after 60 minutes: late
    cp.record_contact(ctx, c.id)
    data = build_service_report(ctx, "2026-11")
    assert ("报事及时", 1000, 980, True) in data.chart  # 100.0 % against 98 %
    assert ("投诉及时", 0, 1000, False) in data.chart
    pdf = service_report_pdf(ctx, "2026-11")
    text = pdf_text(pdf)
    for expected in ("月度客户服务报告", "2026-11", "服务质量指标", "有效投诉率", "报事及时率", "≥98%", "≤1%",
                     "100.0%", "达标", "未达标", "投诉及时", "实际·达标", "目标(%)", "受理分类", "投诉类别与等级",
                     "未完成事项（1 件）", c.number, "30.00", "第 1 页"):
        assert expected in text, expected


def test_service_report_empty_month(ctx):
    text = pdf_text(service_report_pdf(ctx, "2026-01"))
    assert "无数据" in text and "未完成事项（0 件）" in text


def _cli(data_dir, *args):
    return subprocess.run([sys.executable, "-m", "propertydesk", "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, encoding="utf-8", timeout=120, check=False)


def test_cli_requests_and_prints(ctx, data_dir, tmp_path, done_repair):
    r2 = new_request(ctx, make_homes(3)[2], content="楼道灯不亮")
    ctx.db.close()
    res = _cli(data_dir, "requests", "open")
    assert res.returncode == 0, res.stderr
    assert r2.number in res.stdout and "5-103" in res.stdout and "共 1 件未完成" in res.stdout
    assert "13812345678" not in res.stdout
    res = _cli(data_dir, "requests", "kpi", "--month", "2026-11")
    assert res.returncode == 0 and "报事及时率" in res.stdout and "目标 ≥98%" in res.stdout
    res = _cli(data_dir, "requests", "escalate")
    assert res.returncode == 0 and "本次升级" in res.stdout
    out = tmp_path / "wo.pdf"
    res = _cli(data_dir, "print", "work-order", "--id", str(done_repair.id), "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert "FW2026-000001" in pdf_text(out.read_bytes())
    out = tmp_path / "rep.pdf"
    res = _cli(data_dir, "print", "service-report", "--month", "2026-11", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert "月度客户服务报告" in pdf_text(out.read_bytes())
    res = _cli(data_dir, "print", "work-order", "--id", "fw2026-000002", "--out", str(out))
    assert res.returncode == 0 and "楼道灯不亮" in pdf_text(out.read_bytes())
    res = _cli(data_dir, "print", "work-order", "--id", "999", "--out", str(out))
    assert res.returncode == 2 and "不存在" in res.stderr
    res = _cli(data_dir, "print", "service-report", "--month", "2026-13x", "--out", str(out))
    assert res.returncode == 2 and "月份" in res.stderr


def test_demo_populate_makes_realistic_rows(ctx, users):
    import random

    from app.demo import service as demo_service
    from app.service.kpi import month_report
    from models.service import ReturnVisit, ServiceRequest
    make_homes(30)
    n = demo_service.populate(ctx, random.Random(3), days=20)
    assert n == ServiceRequest.select().count() > 20
    kinds = {r.kind for r in ServiceRequest.select()}
    assert {"报修", "投诉"} <= kinds
    assert ReturnVisit.select().where(ReturnVisit.visited_at.is_null(False)).count() > 5
    assert {r.grade for r in ServiceRequest.select().where(ServiceRequest.kind == "投诉")} >= {"热点", "重大"}
    for v in ReturnVisit.select().where(ReturnVisit.visited_at.is_null(False)):
        assert deadlines.visit_allowed(ctx, v.visited_at)
    assert month_report(ctx, "2026-11").total > 0
    assert all(r.received_at <= dt.datetime(2026, 11, 23, 9, 0) for r in ServiceRequest.select())


def test_work_order_of_complaint_shows_contact_and_reply_deadlines(ctx):
    """A complaint is not dispatched: its sheet shows the contact, reply and report deadlines."""
    homes = make_homes(1)
    r = new_request(ctx, homes[0], kind="投诉", subject="电梯故障", complaint_class="工程")
    text = pdf_text(work_order_pdf(ctx, r.id))
    due = cp.contact_due(ctx, records.get(r.id))
    assert "联系时限" in text and f"{due:%Y-%m-%d %H:%M}" in text and "答复时限" in text and "上报时限" in text
    assert "派工时限" not in text and "到场时限" not in text
