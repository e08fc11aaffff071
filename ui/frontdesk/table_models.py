"""Table models of the 前台登记 tab (row dicts from app.frontdesk)."""
from __future__ import annotations

from ui.common.tables import DONE, DUE, OVERDUE, RowsModel


def parcels_model(parent=None) -> RowsModel:
    return RowsModel([
        ("单号", "number"), ("房号", "room_code"), ("收件人", "recipient"), ("快递公司", "carrier"),
        ("快递单号", "tracking_no"), ("大小", "size"), ("存放位置", "place"), ("状态", "status"),
        ("收件时间", "received_at"), ("收件人员", "received_by"), ("已存放", "age"), ("保管费（元）", "fee"),
        ("领取时间", "picked_at"), ("领取人", "collector_name"), ("拒收原因", "refuse_reason"),
    ], shade=lambda r: OVERDUE if r.get("overdue") else DONE if r.get("status") != "待取" else None, parent=parent)


def visitors_model(parent=None) -> RowsModel:
    return RowsModel([
        ("访客", "name"), ("证件", "id_text"), ("电话", "phone"), ("来访房号", "room_code"), ("被访人", "host"),
        ("事由", "reason"), ("同行", "companions"), ("车牌", "plate"), ("来访时间", "entered_at"),
        ("离开时间", "left_at"), ("停留", "stay"),
    ], shade=lambda r: DUE if r.get("inside") else None, parent=parent)


def passes_model(parent=None) -> RowsModel:
    return RowsModel([
        ("编号", "number"), ("状态", "status"), ("房号", "room_code"), ("同意人", "consent_by"),
        ("业主同意", "consent"), ("物品", "items_short"), ("搬运人", "carrier"), ("车牌", "plate"),
        ("有效期至", "valid_date"),
        ("开具时间", "issued_at"), ("开具人", "issued_by"), ("放行时间", "used_at"), ("查验人", "checked_by"),
    ], shade=lambda r: OVERDUE if r.get("status") == "已过期" else DONE if not r.get("open") else None,
        parent=parent)


def contacts_model(parent=None) -> RowsModel:
    return RowsModel([
        ("类别", "category"), ("单位", "name"), ("负责人", "person"), ("电话", "phone"), ("备用电话", "phone2"),
        ("地址", "address"), ("备注", "notes"), ("状态", lambda r: "在用" if r.get("active", True) else "已停用"),
    ], shade=lambda r: None if r.get("active", True) else DONE, parent=parent)
