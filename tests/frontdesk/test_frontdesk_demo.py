"""Demo rows of the front-desk registers on the tianlun site: two weeks of parcels, visitors and
goods-out passes in every state a desk sees, written through the services."""
import random

import pytest

from app.demo import frontdesk as demo_frontdesk
from app.demo import sites as demo
from app.frontdesk import parcels, passes, visitors
from models.frontdesk import GoodsPass, Parcel, Visitor
from models.ledger import Charge
from models.users import AuditLog

pytestmark = pytest.mark.slow


@pytest.fixture
def tianlun(ctx):
    demo.build_site(ctx, "tianlun", seed=1, extensions=False)
    demo_frontdesk.populate(ctx, random.Random(1))
    return ctx


def test_demo_fills_two_weeks_of_registers(tianlun):
    ctx = tianlun
    days = {p.received_at.date() for p in Parcel.select()}
    assert len(days) >= 13 and Parcel.select().count() >= 30
    states = {s for (s,) in Parcel.select(Parcel.status).tuples()}
    assert states == {"待取", "已取", "拒收"}
    waiting = parcels.waiting_parcels(ctx)
    assert waiting and any(r["overdue"] for r in waiting)
    fees = Charge.select().where(Charge.source == "parcel")
    assert fees.count() >= 1 and all(c.paid_fen == c.amount_fen for c in fees)   # paid at the desk
    assert Parcel.select().where(Parcel.status == "已取", Parcel.fee_fen > 0).count() == fees.count()
    assert Visitor.select().count() >= 25 and visitors.day_visitors(ctx)
    assert all(v.left_at is not None for v in Visitor.select() if v.entered_at.date() < ctx.clock.today())
    statuses = {r["status"] for r in passes.pass_register(ctx, days=30)}
    assert {"已放行", "已过期", "已作废"} <= statuses
    numbers = sorted(int(g.number.split("-")[1]) for g in GoodsPass.select())
    assert numbers == list(range(1, len(numbers) + 1))
    assert AuditLog.select().where(AuditLog.action == "parcels.pick_up").count() == \
        Parcel.select().where(Parcel.status == "已取").count()
    before = (Parcel.select().count(), Visitor.select().count(), GoodsPass.select().count())
    demo_frontdesk.populate(ctx, random.Random(2))                 # a second run adds nothing
    assert (Parcel.select().count(), Visitor.select().count(), GoodsPass.select().count()) == before
