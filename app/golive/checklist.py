"""The go-live checklist (上线检查): each step of bringing an office's data in, what the database holds
for it now, and the manager who signed it off (audited ``golive.signoff``; a step may be signed again,
the latest signature counts and every one stays in the audit log).

Steps: structure (楼栋房屋结构), owners (业主档案, with the open 待核对 items), balances (期初欠费与预存),
history (缴费历史, the rows app.golive.history_import keeps), keys (钥匙登记),
meters (水电气表读数), residents (住户与租户) and parking (车位与车辆: the spaces the owners' workbook or
the parking register (app.golive.vehicles_import) brought in, those linked to a home, the vehicles registered
and their open 待核对 items).
"""
from __future__ import annotations

from dataclasses import dataclass

from peewee import fn

from app.core import audit
from app.core.errors import NotFound, ValidationError
from app.core.money import fmt_fen
from app.core.permissions import require
from models.property import ParkingSpace

STEPS = (("structure", "楼栋房屋结构"), ("owners", "业主档案"), ("balances", "期初欠费与预存"),
         ("history", "缴费历史"), ("keys", "钥匙登记"), ("meters", "水电气表读数"), ("residents", "住户与租户"),
         ("parking", "车位与车辆"))
TITLES = dict(STEPS)
NOTE_MAX = 200


@dataclass
class Step:
    step: str
    title: str
    counts: str             # what the database holds for the step, in words
    filled: bool            # anything there at all
    signed_by: str = ""
    signed_at: str = ""
    note: str = ""


def _structure() -> tuple[str, bool]:
    from models.property import Building, Cluster, Home
    c, b, h = Cluster.select().count(), Building.select().count(), Home.select().count()
    return f"组团 {c} 个，楼栋 {b} 栋，房屋 {h} 户", h > 0


def _owners() -> tuple[str, bool]:
    from models.golive import PendingCheck
    from models.people import HomeOwner, Owner
    owners = Owner.select().count()
    homes = (HomeOwner.select(fn.COUNT(HomeOwner.home.distinct())).where(HomeOwner.until.is_null()).scalar() or 0)
    pending = PendingCheck.select().where(PendingCheck.resolved_at.is_null()).count()
    return f"业主 {owners} 人，有业主的房屋 {homes} 户，待核对 {pending} 项", owners > 0


def _balances() -> tuple[str, bool]:
    from app.golive.balances_import import opened_summary
    s = opened_summary()
    (an, af), (pn, pf) = s["arrears"], s["prepaid"]
    return f"期初欠费 {an} 笔 {fmt_fen(af)} 元，预存 {pn} 户 {fmt_fen(pf)} 元", an + pn > 0


def _history() -> tuple[str, bool]:
    from models.payhistory import PaymentHistory
    n = PaymentHistory.select().count()
    homes = PaymentHistory.select(fn.COUNT(PaymentHistory.home.distinct())).scalar() or 0
    return f"缴费历史 {n} 条，涉及房屋 {homes} 户", n > 0


def _keys() -> tuple[str, bool]:
    from models.keys import Key
    public = Key.select().where(Key.home.is_null() & Key.active).count()
    door = Key.select().where(Key.home.is_null(False) & Key.active).count()
    return f"公共钥匙 {public} 项，入户门钥匙 {door} 户", public + door > 0


def _meters() -> tuple[str, bool]:
    from models.ledger import MeterReading
    n = MeterReading.select().count()
    homes = MeterReading.select(fn.COUNT(MeterReading.home.distinct())).scalar() or 0
    return f"抄表读数 {n} 条，涉及房屋 {homes} 户", n > 0


def _residents() -> tuple[str, bool]:
    from models.people import Resident
    n = Resident.select().count()
    tenants = Resident.select().where(Resident.is_tenant == True).count()  # noqa: E712
    return f"住户 {n} 人，其中租户 {tenants} 人", n > 0


def _parking() -> tuple[str, bool]:
    from models.golive import PendingCheck
    from models.parking import Vehicle
    spaces = ParkingSpace.select().count()
    linked = ParkingSpace.select().where(ParkingSpace.home.is_null(False)).count()
    vehicles = Vehicle.select().count()
    pending = PendingCheck.select().where(PendingCheck.entity.in_(("vehicle", "parking_space"))
                                          & PendingCheck.resolved_at.is_null()).count()
    text = f"车位 {spaces} 个（已关联房屋 {linked} 个），登记车辆 {vehicles} 辆"
    return text + (f"，待核对 {pending} 项" if pending else ""), spaces + vehicles > 0


def _counts(step: str) -> tuple[str, bool]:
    return {"structure": _structure, "owners": _owners, "balances": _balances, "history": _history, "keys": _keys,
            "meters": _meters, "residents": _residents, "parking": _parking}[step]()


def steps(ctx) -> list[Step]:
    """Every step with its counts from the database and its latest sign-off."""
    require(ctx, "archive.view")
    from models.golive_opening import GoLiveSignoff
    latest = {}
    for s in GoLiveSignoff.select().order_by(GoLiveSignoff.signed_at, GoLiveSignoff.id):
        latest[s.step] = s
    out = []
    for key, title in STEPS:
        counts, filled = _counts(key)
        s = latest.get(key)
        out.append(Step(key, title, counts, filled, s.signer_name if s else "",
                        s.signed_at.strftime("%Y-%m-%d %H:%M") if s else "", s.note if s else ""))
    return out


def sign_off(ctx, step: str, note: str = ""):
    """The manager signs *step* off with what the database holds now; audited."""
    require(ctx, "golive.signoff")
    from models.golive_opening import GoLiveSignoff
    if step not in TITLES:
        raise NotFound(f"没有上线检查步骤“{step}”")
    note = str(note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError("签字说明", f"不能超过{NOTE_MAX}个字")
    counts, filled = _counts(step)
    if not filled and not note:
        raise ValidationError("签字说明", f"“{TITLES[step]}”在数据库中还没有数据；如确实无需导入，请写明原因再签字")
    name = getattr(ctx.user, "display_name", "") or getattr(ctx.user, "username", "")
    with ctx.db.atomic():
        row = GoLiveSignoff.create(step=step, counts=counts, note=note, signed_at=ctx.clock.now(),
                                   signed_by=getattr(ctx.user, "id", None), signer_name=name)
        audit.record(ctx, "golive.signoff", "go_live_signoff", row.id, None,
                     {"step": step, "title": TITLES[step], "counts": counts, "note": note})
    return row


def all_signed(ctx) -> bool:
    return all(s.signed_by for s in steps(ctx))
