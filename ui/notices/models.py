"""The notice register's table model (row dicts from app.notices.register)."""
from __future__ import annotations

from ui.common.tables import DONE, DUE, OVERDUE, RowsModel


def _shade(r):
    if r.get("flag", "").startswith("过期"):
        return OVERDUE
    if r.get("flag") == "今日到期":
        return DUE
    return DONE if r.get("state") == "已撤下" else None


def notices_model(parent=None) -> RowsModel:
    return RowsModel([
        ("编号", "number"), ("等级", "grade"), ("标题", "title"), ("张贴范围", "scope_text"), ("张贴期", "period"),
        ("状态", "state"), ("提醒", "flag"), ("打印份数", "print_count"), ("发布日期", "issue_date"),
    ], shade=_shade, parent=parent)
