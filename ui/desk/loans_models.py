"""Table models of the loan register tab (row dicts from app.desk.loans)."""
from __future__ import annotations

from ui.common.tables import DONE, OVERDUE, RowsModel


def open_loans_model(parent=None) -> RowsModel:
    return RowsModel([
        ("单号", "number"), ("物品", "item"), ("数量", "quantity"), ("房号", "room_code"),
        ("借用人", "borrower_name"), ("电话", "phone"), ("证件", lambda r: f"{r['id_type']} {r['id_masked']}".strip()),
        ("借出时状况", "condition_out"), ("押金（元）", "deposit"), ("借出时间", "out_at"), ("应还日期", "due_date"),
        ("逾期", "overdue_text"),
    ], shade=lambda r: OVERDUE if r.get("overdue") else None, parent=parent)


def items_model(parent=None) -> RowsModel:
    return RowsModel([
        ("物品", "name"), ("类别", "category"), ("数量", "quantity"), ("借出", "out"), ("可借", "available"),
        ("状况", "condition"), ("须登记证件", "needs_id"), ("押金（元/件）", "deposit"), ("存放地点", "keeper_place"),
        ("状态", lambda r: "在用" if r.get("active", True) else "已停用"),
    ], shade=lambda r: DONE if r.get("available", 1) <= 0 or not r.get("active", True) else None, parent=parent)


def history_model(parent=None) -> RowsModel:
    return RowsModel([
        ("单号", "number"), ("物品", "item"), ("数量", "quantity"), ("房号", "room_code"),
        ("借用人", "borrower_name"), ("借出时间", "out_at"), ("应还日期", "due_date"), ("归还时间", "returned_at"),
        ("归还时状况", "condition_in"), ("损坏说明", "damage_notes"), ("押金", "deposit"), ("退还", "refund"),
        ("接收人", "received_by"),
    ], shade=lambda r: OVERDUE if r.get("overdue") else None, parent=parent)
