"""Table models of the parking window and the household pane: row dicts from app.parking behind
a QAbstractTableModel; filtering happens in the service."""
from __future__ import annotations

from PySide6.QtGui import QColor

from ui.common.tables import DONE, DUE, OVERDUE, RowsModel  # the shared ListModel: cell text as tooltip too

FREE = QColor("#E8F5E9")


def _space_shade(r):
    return FREE if r.get("state") == "空闲" else None


def spaces_model(parent=None) -> RowsModel:
    return RowsModel([
        ("车位编号", "code"), ("位置", "level"), ("状态", "state"), ("房号", "room_code"),
        ("产权/租用人", "holder_text"), ("电话", "phone"), ("车牌", "plates"), ("车位费（元/月）", "fee"),
        ("备注", lambda r: r["notes"].replace("\n", "；")),
    ], shade=_space_shade, parent=parent)


def home_spaces_model(parent=None) -> RowsModel:
    return RowsModel([
        ("车位编号", "code"), ("位置", "level"), ("状态", "state"), ("产权/租用人", "holder_text"),
        ("车牌", "plates"), ("车位费（元/月）", "fee"),
    ], parent=parent)


def _card_shade(r):
    if r.get("status") == "已注销":
        return DONE
    if r.get("expired"):
        return OVERDUE
    return None


def vehicles_model(parent=None) -> RowsModel:
    return RowsModel([
        ("车牌号", "plate"), ("车卡号", "card_number"), ("房号", "room_code"), ("车位", "space_code"),
        ("车主", "driver_name"), ("电话", "phone"),
        ("品牌/颜色", lambda r: " ".join(x for x in (r["brand"], r["color"]) if x)),
        ("有效期起", "valid_from"), ("有效期至", "valid_until"), ("状态", "status"), ("登记表编号", "number"),
    ], shade=_card_shade, parent=parent)


def subscriptions_model(parent=None) -> RowsModel:
    return RowsModel([
        ("项目", "item"), ("数量", "count"), ("起始月份", "start_period"),
        ("截止月份", lambda r: r["end_period"] or "—"),
        ("状态", "state"), ("每月（元）", "monthly"), ("备注", "notes"),
    ], shade=lambda r: DONE if r.get("state") == "已截止" else (DUE if r.get("state") == "未开始" else None),
        parent=parent)
