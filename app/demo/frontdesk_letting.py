"""Demo letting ledger (租售登记): homes owners offer through the office over the last weeks
(mostly to let, one for sale, one withdrawn), seekers with their needs, viewings after the fee
agreement, and two lettings concluded with the meters read and the agency fee in the ledger."""
from __future__ import annotations

import datetime as dt

OWNERS = ("刘女士", "马先生", "周先生", "孙女士", "王先生", "赵女士", "钱先生")
TERMS = ("家电齐全，拎包入住，一年起租", "精装修，押一付三", "不养宠物，限家庭居住", "南北通透，可短租半年", "")
SEEKERS = (("陈明", "13912345678", "两室一厅，近学校，月底前入住", 250000),
           ("吴丽", "13834561234", "一室，带家电，上班族", 180000),
           ("郑强", "13703517788", "三室，有车位", 0),
           ("孙悦", "13603519900", "小户型，预算有限", 150000))
RENTS = (230000, 180000, 260000, 195000, 300000)


def populate_letting(ctx, rng, homes, now: dt.datetime):
    """Rows through the services on the demo clock (ctx may edit the desk's registers)."""
    from app.frontdesk import letting
    clock, saved = ctx.clock, ctx.clock.fixed
    picked = rng.sample(homes, min(len(homes), len(RENTS) + 2))
    try:
        listings = []
        for i, home in enumerate(picked[:len(RENTS)]):
            clock.fixed = now - dt.timedelta(days=20 - 3 * i) + dt.timedelta(hours=rng.randint(0, 6))
            listings.append(letting.add_listing(ctx, {
                "room_code": home.room_code, "kind": "出租", "price": f"{RENTS[i] // 100}",
                "available_from": clock.fixed.date() + dt.timedelta(days=7), "owner_name": OWNERS[i],
                "terms": rng.choice(TERMS)}))
        if len(picked) > len(RENTS):
            clock.fixed = now - dt.timedelta(days=6)
            letting.add_listing(ctx, {"room_code": picked[len(RENTS)].room_code, "kind": "出售", "price": "1280000",
                                      "owner_name": OWNERS[len(RENTS)], "terms": "满五唯一，随时看房"})
        people = []
        for j, (name, phone, needs, budget) in enumerate(SEEKERS):
            clock.fixed = now - dt.timedelta(days=15 - 3 * j)
            people.append(letting.add_seeker(ctx, {"name": name, "phone": phone, "needs": needs,
                                                   "budget": f"{budget // 100}" if budget else ""}))
        for k in range(2):        # two lettings concluded: a viewing after the agreement, then the deal
            clock.fixed = now - dt.timedelta(days=10 - 4 * k, hours=2)
            at = clock.fixed + dt.timedelta(hours=1)
            seen = {"at": at, "guide": "张管家", "agreement_signed": True}
            letting.book_viewing(ctx, listings[k].id, people[k].id, seen)
            clock.fixed += dt.timedelta(days=2)
            letting.conclude(ctx, listings[k].id, people[k].id, {
                "rate": "业主价", "water": str(rng.randint(100, 900)), "power": str(rng.randint(1000, 9000)),
                "start_date": clock.fixed.date()})
        clock.fixed = now - dt.timedelta(days=1)
        letting.book_viewing(ctx, listings[2].id, people[2].id, {"at": now + dt.timedelta(hours=3), "guide": "张管家",
                                                                 "agreement_signed": True})
        letting.withdraw_listing(ctx, listings[-1].id, "业主已自行出租")
    finally:
        clock.fixed = saved
