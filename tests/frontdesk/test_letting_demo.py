"""The demo's letting ledger on the tianlun site: homes on offer, seekers, viewings after the fee
agreement, two lettings concluded with the agency fee in the ledger, one listing withdrawn."""
import random

import pytest

from app.demo import frontdesk as demo_frontdesk
from app.demo import sites as demo
from app.frontdesk import letting
from models.frontdesk import LettingDeal, LettingListing, LettingViewing
from models.ledger import Charge

pytestmark = pytest.mark.slow


def test_demo_fills_the_letting_ledger(ctx):
    demo.build_site(ctx, "tianlun", seed=1, extensions=False)
    demo_frontdesk.populate(ctx, random.Random(1))
    assert {x.status for x in LettingListing.select()} == {"在租售", "已成交", "已撤回"}
    offer = letting.on_offer(ctx)
    assert len(offer) >= 3 and {"出租", "出售"} <= {r["kind"] for r in offer}
    assert LettingDeal.select().count() == 2 and LettingViewing.select().count() == 3
    fees = Charge.select().where(Charge.source == "letting")
    assert fees.count() == 2 and all(c.item_code == "service_letting" for c in fees)
    assert all(d.fee_fen == d.price_fen * 40 // 100 for d in LettingDeal.select())
    people = letting.seekers(ctx)
    assert len(people) == 2
    for p in people:
        fits = letting.matches_for(ctx, p["id"])
        assert all(r["kind"] == p["kind"] and (not p["budget_fen"] or r["price_fen"] <= p["budget_fen"]) for r in fits)
