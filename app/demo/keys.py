"""Demo rows of the key register: the eleven public key areas of domain.md §5 (000 item 19),
the door keys of every home not handed over or vacant, a few keys out and one overdue."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

# (area, supply method, [(keeper place, keeper person)], copies)
PUBLIC_KEYS = [
    ("楼道竖井", "通锁", [("客服前台", "李娜"), ("监控中心", "王强")], 2),
    ("信报箱", "厂家分户配备", [("客服前台", "李娜")], 1),
    ("水泵房", "厂家配备", [("维修办公室", "赵师傅")], 1),
    ("商业配", "挂锁", [("维修办公室", "赵师傅")], 1),
    ("景观柜", "挂锁", [("维修办公室", "赵师傅"), ("秩序办公室", "孙队长")], 2),
    ("电梯", "通锁", [("经理办公室", "周经理")], 1),
    ("电梯间", "厂家配备", [("客服前台", "李娜")], 1),
    ("档案柜", "自带", [("客服前台", "李娜")], 1),
    ("消防监控室控制柜", "厂家配备", [("监控中心", "王强")], 1),
    ("空置房", "厂家分户配备", [("客服前台", "李娜")], 1),
    ("储藏间", "施工方配备", [("经理办公室", "周经理")], 1),
]

BORROWERS = [
    {"borrower_name": "赵师傅", "borrower_kind": "员工", "phone": "13903510011", "purpose": "水泵房例行检修"},
    {"borrower_name": "刘工", "borrower_kind": "施工单位", "company": "通达电梯维保公司", "phone": "13603512233",
     "purpose": "电梯月度保养"},
    {"borrower_name": "陈工", "borrower_kind": "施工单位", "company": "安居智能系统工程", "phone": "13803514455",
     "purpose": "监控设备维修"},
]


def acting_manager(ctx):
    """``ctx`` when its user may edit the desk's registers, else ``ctx`` acting as a manager (the
    first active one, or a stand-in named 演示数据) so that the demo rows go through the services."""
    from app.core.permissions import allowed
    from models.users import User
    if ctx.user is not None and allowed(getattr(ctx.user, "role", None), "keys.edit"):
        return ctx
    user = User.select().where((User.role == "manager") & (User.active == True)).first()  # noqa: E712
    return ctx.with_user(user or SimpleNamespace(id=None, username="demo", display_name="演示数据", role="manager"))


def populate(ctx, rng):
    """One transaction for the whole area (each write is still a service call with its audit row)."""
    with ctx.db.atomic():
        _populate(ctx, rng)


def _populate(ctx, rng):
    from app.desk import inspections, keys
    from models.keys import Key
    from models.property import Home
    ctx = acting_manager(ctx)
    if Key.select().where(Key.kind == keys.PUBLIC_KIND).exists():
        return
    by_area = {}
    for area, supply, keepers, copies in PUBLIC_KEYS:
        by_area[area] = keys.create_key(ctx, {
            "kind": keys.PUBLIC_KIND, "area": area, "supply_method": supply, "copies": copies,
            "keeper_place": "、".join(p for p, _ in keepers), "keeper_person": "、".join(n for _, n in keepers)})
    vacant = list(Home.select(Home.id).where(Home.state.in_(keys.VACANT_STATES)).order_by(Home.id))
    keys.register_missing_door_keys(ctx, keeper_person="李娜",
                                    copies_by_home={h.id: rng.choice((2, 2, 3)) for h in vacant})
    door = keys.home_door_keys(vacant[0].id) if vacant else []
    clock = ctx.clock
    saved = clock.fixed
    now = clock.now()
    try:
        # One overdue: signed out yesterday for four hours.
        clock.fixed = now - dt.timedelta(days=1, hours=2)
        keys.sign_out(ctx, by_area["水泵房"].id, BORROWERS[0])
        clock.fixed = now - dt.timedelta(hours=1)
        keys.sign_out(ctx, by_area["电梯"].id, BORROWERS[1])
        keys.sign_out(ctx, by_area["消防监控室控制柜"].id, BORROWERS[2])
        if door:
            keys.sign_out(ctx, door[0].id, {"borrower_name": "赵师傅", "borrower_kind": "员工",
                                            "phone": "13903510011", "purpose": "空置房巡查"})
            # A returned sign-out gives the history something to show.
            clock.fixed = now - dt.timedelta(days=3)
            ln = keys.sign_out(ctx, by_area["楼道竖井"].id, BORROWERS[0] | {"purpose": "竖井管道查漏"})
            clock.fixed = now - dt.timedelta(days=3) + dt.timedelta(hours=2)
            keys.return_key(ctx, ln.id, {"received_by": "李娜"})
        # Last week's inspections for half of the vacant homes.
        clock.fixed = now
        for i, h in enumerate(vacant):
            if i % 2 == 0:
                day = now.date() - dt.timedelta(days=rng.randint(1, 9))
                inspections.record_inspection(ctx, h.id, {"inspector": "张管家", "inspected_on": day})
    finally:
        clock.fixed = saved
