"""Table models of the key register tab: plain lists of row dicts (from app.desk.keys) in the shared
ListModel; overdue rows shaded. Sorting and filtering happen in the service."""
from __future__ import annotations

from ui.common.tables import DONE, DUE, OVERDUE, RowsModel


def _overdue(row):
    return OVERDUE if row.get("overdue") else None


def keys_out_model(parent=None) -> RowsModel:
    return RowsModel([
        ("单号", "number"), ("钥匙", "area"), ("序号", lambda r: f"{r['copy_no']}/{r['copies']}"),
        ("借用人", "borrower_name"), ("类别", "borrower_kind"), ("单位", "company"), ("电话", "phone"),
        ("事由", "purpose"), ("借出时间", "out_at"), ("应还时间", "due_at"), ("逾期", "overdue_text"),
    ], shade=_overdue, parent=parent)


def catalogue_model(parent=None) -> RowsModel:
    return RowsModel([
        ("钥匙区域", "area"), ("类别", "kind"), ("房号", "room_code"), ("配备方式", "supply_method"),
        ("数量", "copies"), ("在库", "available"), ("存放地点", "keeper_place"), ("保管人", "keeper_person"),
        ("状态", "status"),
    ], shade=lambda r: OVERDUE if r.get("overdue") else (DONE if not r.get("active", True) else None),
        parent=parent)


def history_model(parent=None) -> RowsModel:
    return RowsModel([
        ("事项", "event"), ("单号", "number"), ("序号", "copy_no"), ("借用人/领取人", "borrower_name"),
        ("单位", "company"), ("电话", "phone"), ("事由", "purpose"), ("借出/交付时间", "out_at"),
        ("应还时间", "due_at"), ("归还时间", "returned_at"), ("接收人", "received_by"), ("备注", "notes"),
    ], shade=_overdue, parent=parent)


def vacant_model(parent=None) -> RowsModel:
    return RowsModel([
        ("房号", "room_code"), ("房屋状态", "state"), ("上次巡查", "last_inspected"), ("巡查人", "inspector"),
        ("结果", "result"), ("发现问题", "findings"), ("下次应巡查", "next_due"),
        ("本周待巡查", "due_this_week"), ("钥匙在前台", "key_at_desk"),
    ], shade=lambda r: OVERDUE if r.get("overdue") else (DUE if r.get("due_this_week") else None), parent=parent)


def inspections_model(parent=None) -> RowsModel:
    return RowsModel([("巡查日期", "inspected_on"), ("巡查人", "inspector"), ("结果", "result"),
                      ("发现问题", "findings")], parent=parent)
