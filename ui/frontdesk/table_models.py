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


def shifts_model(parent=None) -> RowsModel:
    return RowsModel([
        ("编号", "number"), ("类别", "kind"), ("日期", "shift_date"), ("班次", "shift"), ("时间", "hours"),
        ("交班人", "handed_name"), ("接班人", "taken_name"), ("交接时间", "handed_at"), ("值班记事", "events"),
        ("移交事项", "pending"), ("抽屉现金", "cash"), ("应有现金", "expected"), ("核对", "diff"),
        ("更正", "corrects"), ("未结事项", "items_text"),
    ], shade=lambda r: DONE if r.get("kind") == "更正" else DUE if r.get("diff_fen") else None, parent=parent)


def listings_model(parent=None) -> RowsModel:
    return RowsModel([
        ("编号", "number"), ("房号", "room_code"), ("租售", "kind"), ("租金/售价", "price"),
        ("可入住", "available_from"), ("业主", "owner_name"), ("业主条件", "terms"), ("状态", "status"),
        ("登记时间", "listed_at"),
    ], shade=lambda r: None if r.get("status") == "在租售" else DONE, parent=parent)


def seekers_model(parent=None) -> RowsModel:
    return RowsModel([
        ("编号", "number"), ("求租/求购人", "name"), ("电话", "phone"), ("求租/求购", "wants"), ("需求", "needs"),
        ("预算（元）", "budget"), ("状态", "status"), ("登记时间", "created_at"),
    ], parent=parent)


def rounds_model(parent=None) -> RowsModel:
    return RowsModel([
        ("编号", "number"), ("巡查时间", "at"), ("地点", "place"), ("发现情况", "found"), ("跟进措施", "follow_up"),
        ("状态", "status"), ("巡查人", "patrolled_by"), ("处理时间", "handled_at"), ("处理结果", "result"),
    ], shade=lambda r: DUE if r.get("open") else None, parent=parent)
