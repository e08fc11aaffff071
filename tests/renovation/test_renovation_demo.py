"""A renovation walked to its end on the 天伦庄园 demo site (homes, owners and renovations of the demo)."""
import datetime as dt
import random

from app.demo import renovation as demo_renovation
from app.demo import sites as demo
from app.renovation import api as rv
from models.property import Home
from models.renovation import Renovation
from tests.helpers.renovation import pay_all


def test_walk_demo_renovation_to_refund(ctx):
    demo.build_site(ctx, "tianlun", seed=1, extensions=False)
    under = Home.select().where(Home.state == "装修中").count()
    demo_renovation.populate(ctx, random.Random(1))
    works = list(Renovation.select().where(Renovation.state.in_(("施工中", "已完工"))))
    assert len(works) == under                                      # every home under works has its renovation
    assert {d.category for d in rv.todo(ctx)} >= {"今日抽查", "待审批", "待缴费", "待领许可证", "本周复验"}
    # the one waiting for its permit gets it (its tests are old enough), then is walked to the end
    waiting = next(d for d in rv.due_items(ctx) if d.category == "待领许可证")
    r = rv.issue_permit(ctx, waiting.renovation_id)
    home = Home.get_by_id(r.home_id)
    assert home.state == "装修中" and r.home_state_before == "空置"
    w = rv.register_worker(ctx, r.id, {"name": "何木工", "id_number": "110101199003071233", "card": "A"})
    pay_all(ctx, r.home_id, rv.unpaid_charge_ids(rv.get(ctx, r.id)))
    rv.issue_pass(ctx, w.id)
    rv.record_patrol(ctx, r.id, True, "正常", spot_check=True)
    ctx.clock.set(dt.datetime(2027, 1, 20, 9))
    rv.record_completion(ctx, r.id, "2027-01-18")
    rv.first_inspection(ctx, r.id, True, "合格")
    assert Home.get_by_id(r.home_id).state == "空置"                  # back to vacant, as before
    rv.return_pass(ctx, w.id)
    ctx.clock.set(dt.datetime(2027, 4, 20, 9))
    rv.second_inspection(ctx, r.id, True)
    deposit = rv.deposit_for(ctx, home.house_type)
    r = rv.refund_deposit(ctx, r.id, [("公共楼道墙面污损", "150.00")])
    assert r.state == "已结案" and r.refund_fen == deposit - 15000
