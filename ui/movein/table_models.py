"""Table models of the move-in tab."""
from __future__ import annotations

from ui.common.lists import ListModel

STAGE_COLOURS = {"待办理": None, "已完成": "#E3F4E3", "已取消": "#EEEEEE"}


def board_model(parent=None) -> ListModel:
    return ListModel([
        ("房号", lambda r: r.room_code),
        ("业主", lambda r: r.owner_name),
        ("当前环节", lambda r: r.stage),
        ("未关闭缺陷", lambda r: r.open_defects or ""),
        ("开始办理", lambda r: r.started_at.strftime("%m-%d %H:%M") if r.started_at else ""),
    ], colour=lambda r: STAGE_COLOURS.get(r.stage, "#FFF6DA") if not r.open_defects else "#FDE2E2", parent=parent)


def defects_model(parent=None) -> ListModel:
    return ListModel([
        ("维修单号", lambda d: d.order_number),
        ("部位", lambda d: d.room),
        ("类别", lambda d: d.kind),
        ("问题描述", lambda d: d.description),
        ("状态", lambda d: d.status),
        ("施工单位", lambda d: d.builder),
    ], parent=parent)


def visits_model(parent=None) -> ListModel:
    return ListModel([
        ("房号", lambda x: x.home.room_code),
        ("类别", lambda x: x.kind),
        ("计划日期", lambda x: x.planned_date),
    ], parent=parent)


def bookings_model(parent=None) -> ListModel:
    return ListModel([
        ("房号", lambda b: b.home.room_code),
        ("日期", lambda b: b.move_date),
        ("时段", lambda b: b.time_slot),
        ("联系人", lambda b: b.contact),
        ("搬家公司", lambda b: b.mover),
        ("已通知门岗", lambda b: "是" if b.passed_to_gate else "否"),
    ], parent=parent)
