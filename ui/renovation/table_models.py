"""Table models of the renovation tab: plain Python lists of service rows in the shared ListModel,
reset on refresh. Red text marks what is overdue or refused."""
from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QBrush, QColor

from app.core.money import fmt_fen
from ui.common.lists import ListModel

RED = QBrush(QColor("#C62828"))
GREY = QBrush(QColor("#777777"))
GREEN = QBrush(QColor("#2E7D32"))


def _d(v) -> str:
    return v.isoformat() if isinstance(v, dt.date) else (v or "")


def due_model(parent=None) -> ListModel:
    """What needs doing (app.renovation.lists.DueItem)."""
    return ListModel([
        ("待办类别", lambda r: r.category), ("房号", lambda r: r.room_code), ("期限", lambda r: _d(r.due)),
        ("事项", lambda r: r.what + ("（逾期）" if r.overdue else "")),
    ], parent=parent, foreground=lambda r, _c: RED if r.overdue else None)


def renovation_model(parent=None) -> ListModel:
    """Renovations (app.renovation.lists.Row)."""
    return ListModel([
        ("申请编号", lambda r: r.number), ("房号", lambda r: r.room_code), ("户型", lambda r: r.house_type),
        ("申请人", lambda r: r.applicant), ("电话", lambda r: r.phone_masked), ("施工单位", lambda r: r.contractor),
        ("状态", lambda r: r.state), ("下一步", lambda r: r.next_step), ("申请日期", lambda r: _d(r.applied_on)),
        ("许可证", lambda r: _d(r.permit_on)),
    ], parent=parent, foreground=lambda r, _c: GREY if r.state in ("已驳回", "已放弃") else None)


def stage_model(parent=None) -> ListModel:
    """The nine stages (app.renovation.progress.Stage)."""
    return ListModel([
        ("", lambda r: "✔" if r.done else str(r.no)), ("阶段", lambda r: r.name), ("日期", lambda r: _d(r.day)),
        ("经办", lambda r: r.by), ("情况", lambda r: r.text),
    ], parent=parent, foreground=lambda r, c: GREEN if (r.done and c == 0) else None)


def worker_model(parent=None) -> ListModel:
    """Worker passes: rows are (RenovationWorker, state text)."""
    return ListModel([
        ("证号", lambda r: r[0].pass_number), ("姓名", lambda r: r[0].name), ("身份证号", lambda r: r[0].id_masked),
        ("工种", lambda r: r[0].trade), ("类别", lambda r: f"{r[0].card}证"),
        ("有效期至", lambda r: _d(r[0].valid_until)), ("状态", lambda r: r[1]),
        ("押金退还", lambda r: fmt_fen(r[0].deposit_refund_fen) if r[0].deposit_refund_fen else ""),
    ], parent=parent, foreground=lambda r, _c: RED if r[1] == "已过期" else None)


def patrol_model(parent=None) -> ListModel:
    """Patrol log lines: rows are (RenovationPatrol, inspector name)."""
    return ListModel([
        ("日期", lambda r: _d(r[0].patrol_on)), ("巡查人", lambda r: r[1]),
        ("结果", lambda r: "正常" if r[0].ok else "违规/问题"), ("巡查情况", lambda r: r[0].findings),
        ("在场人数", lambda r: str(r[0].workers_present or "")), ("抽查", lambda r: "是" if r[0].spot_check else ""),
    ], parent=parent, foreground=lambda r, _c: None if r[0].ok else RED)


def notice_model(parent=None) -> ListModel:
    """Notices: rows are (RenovationNotice, today)."""
    return ListModel([
        ("编号", lambda r: r[0].number), ("类别", lambda r: r[0].kind), ("开具日期", lambda r: _d(r[0].issued_on)),
        ("内容", lambda r: r[0].content), ("整改期限", lambda r: _d(r[0].deadline)),
        ("关闭", lambda r: f"{_d(r[0].closed_on)} {r[0].closure_note}" if r[0].closed_on else "未关闭"),
    ], parent=parent, foreground=lambda r, _c: RED if (not r[0].closed_on and r[0].deadline < r[1]) else None)


def fee_model(parent=None) -> ListModel:
    """Ledger charges of a renovation (dicts from app.renovation.fees.fees_of)."""
    return ListModel([
        ("项目", "item"), ("人员", "who"), ("应收", lambda r: fmt_fen(r["amount"]), True),
        ("已收", lambda r: fmt_fen(r["paid"]), True), ("已退", lambda r: fmt_fen(r["refunded"]), True),
    ], parent=parent, foreground=lambda r, _c: RED if r["paid"] < r["amount"] else None)
