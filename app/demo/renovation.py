"""Demo renovations on the demo site's existing homes, made through the real services (fees
posted and paid through the ledger) with the clock set back in time:

- every home in state 装修中 (at most ``MAX_WORKS``) gets a renovation under works: permit
  issued, workers' passes, patrols, some notices (a few past their deadline), some finished
  and waiting for (or overdue for) the first inspection;
- a few vacant homes: an application waiting for approval, one approved but unpaid, one whose
  permit can be collected;
- a few occupied homes: second inspection due this week, one closed with a deduction from the
  deposit, one abandoned part way.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from pathlib import Path
from types import SimpleNamespace

from app.core.clock import Clock
from app.core.dates import add_months
from app.core.validation import id_check_char

MAX_WORKS = 40
CONTRACTORS = [("华美装饰工程有限公司", "刘建军"), ("东易日盛家居装饰", "陈志强"), ("业之峰装饰西安分公司", "孙海涛"),
               ("金螳螂家装", "周国庆"), ("实创装饰", "吴永刚"), ("自行装修（个人施工队）", "马师傅")]
PLANS = ["客厅吊顶、墙面乳胶漆、铺设木地板", "厨卫改造，更换橱柜及洁具", "全屋硬装：水电改造、贴砖、吊顶、木作",
         "封闭阳台，安装防盗窗（按统一样式）", "更换地板、墙面翻新", "卫生间重做防水，更换卫浴"]
WORKERS = ["张建平", "李国栋", "王小军", "赵德胜", "刘志远", "陈大海", "杨树林", "黄永生", "周志刚", "吴新华",
           "马卫国", "孙有才"]
TRADES = ["木工", "水电工", "瓦工", "油漆工", "杂工"]
FINDINGS = ["楼道堆放装修垃圾", "未佩戴出入证施工", "中午休息时间电钻施工", "未按规定袋装垃圾", "私自改动燃气管道位置"]


def _phone(rng) -> str:
    return rng.choice(["138", "139", "137", "186", "189", "135"]) + f"{rng.randrange(10**8):08d}"


def _id(rng) -> str:
    first = (rng.choice(["610113", "610103", "410105", "510107", "140105"]) + f"{rng.randint(1965, 2000)}"
             + f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" + f"{rng.randrange(1000):03d}")
    return first + id_check_char(first)


def _files(folder: Path) -> tuple[Path, Path]:
    """A drawing (a small PDF floor plan) and a worker photo (PNG) to attach."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from app.printing.base import FONT_NAME, register_fonts
    register_fonts()
    drawing = folder / "平面布置图.pdf"
    c = canvas.Canvas(str(drawing), pagesize=A4)
    c.setFont(FONT_NAME, 16)
    c.drawString(60, 780, "平面布置图（示例）")
    for x, y, w, h, label in ((60, 400, 300, 300, "客厅"), (360, 550, 180, 150, "卧室"), (360, 400, 180, 150, "厨房"),
                              (60, 300, 150, 100, "卫生间")):
        c.rect(x, y, w, h)
        c.drawString(x + 10, y + h - 24, label)
    c.save()
    photo = folder / "worker.png"
    try:
        from PIL import Image, ImageDraw
        img = Image.new("RGB", (120, 160), (210, 225, 240))
        d = ImageDraw.Draw(img)
        d.ellipse((30, 20, 90, 80), fill=(150, 110, 80))
        d.rectangle((20, 90, 100, 160), fill=(50, 70, 130))
        img.save(photo)
    except ImportError:  # pragma: no cover - Pillow comes with reportlab's image support
        photo = None
    return drawing, photo


def populate(ctx, rng):
    from app.ledger import payments
    from app.renovation import api as rv
    from models.property import Home
    from models.renovation import Renovation
    from models.users import User

    if Renovation.select().exists():
        return
    manager = User.select().where((User.role == "manager") & (User.active == True)).first()
    boss = manager or SimpleNamespace(id=None, username="demo", display_name="演示数据", role="manager")
    now = ctx.clock.now().replace(hour=10, minute=0, second=0)
    today = now.date()

    def at(day: dt.date, user=None):
        return dataclasses.replace(ctx, clock=Clock(dt.datetime.combine(day, dt.time(10, 0))), user=user or boss)

    def clerk():
        return boss

    under = list(Home.select().where(Home.state == "装修中").order_by(Home.id))
    rng.shuffle(under)
    under = under[:MAX_WORKS]
    vacant = list(Home.select().where(Home.state == "空置").order_by(Home.id))
    occupied = list(Home.select().where(Home.state == "已入住").order_by(Home.id))
    rng.shuffle(vacant)
    rng.shuffle(occupied)
    tmp = tempfile.TemporaryDirectory()
    drawing, photo = _files(Path(tmp.name))

    def application(home, day):
        name, person = rng.choice(CONTRACTORS)
        data = {"applicant": _owner_name(home) or "业主", "applicant_phone": _phone(rng), "plan": rng.choice(PLANS),
                "contractor_name": name, "contractor_person": person, "contractor_phone": _phone(rng),
                "planned_start": day + dt.timedelta(days=5),
                "planned_end": day + dt.timedelta(days=rng.choice((60, 75, 90, 120)))}
        return rv.apply(at(day, clerk()), home.id, data, drawings=[drawing])

    def pay(day, r):
        ids = rv.unpaid_charge_ids(rv.get(at(day), r.id))
        if ids:
            method = rng.choice(("cash", "card", "transfer"))
            ref = f"{day:%Y%m%d}{rng.randrange(10**8):08d}" if method == "transfer" else ""
            payments.pay(at(day), r.home_id, ids, method, r.applicant, reference=ref)

    def to_permit(home, applied: dt.date, workers: int):
        r = application(home, applied)
        rv.approve(at(applied + dt.timedelta(days=1)), r.id, "同意，按图施工，不得改动承重结构")
        day = applied + dt.timedelta(days=1)
        ws = []
        for _ in range(workers):
            ws.append(rv.register_worker(at(day, clerk()), r.id, {
                "name": rng.choice(WORKERS), "id_number": _id(rng), "phone": _phone(rng), "trade": rng.choice(TRADES),
                "card": rng.choice("AB")}, photo=photo if rng.random() < 0.7 else None))
        pay(day, r)
        tests = day + dt.timedelta(days=rng.randint(1, 3))
        rv.record_tests(at(tests, clerk()), r.id, True, True, r.applicant)
        rv.sign_fire_undertaking(at(tests, clerk()), r.id, r.applicant)
        permit = tests + dt.timedelta(days=int(ctx.settings.get("renovation.permit_wait_days")))
        rv.issue_permit(at(permit, clerk()), r.id)
        for w in ws:
            rv.issue_pass(at(permit, clerk()), w.id)
        return rv.get(at(permit), r.id), permit

    def patrols(r, start: dt.date, end: dt.date):
        day = start + dt.timedelta(days=rng.randint(1, 4))
        while day <= end:
            bad = rng.random() < 0.2
            rv.record_patrol(at(day, clerk()), r.id, not bad, rng.choice(FINDINGS) if bad else "现场整洁，施工规范",
                             workers_present=rng.randint(1, 4), spot_check=rng.random() < 0.5)
            if bad:
                n = rv.issue_notice(at(day, clerk()), r.id, rng.choice(("违规通知单", "整改通知单")), rng.choice(FINDINGS),
                                    "限期整改并恢复原状")
                close = day + dt.timedelta(days=rng.randint(1, 4))
                if close < today and rng.random() < 0.8:
                    rv.close_notice(at(close, clerk()), n.id, "已整改，复查合格")
            day += dt.timedelta(days=rng.randint(4, 9))

    with ctx.db.atomic():
        # homes under works
        for i, home in enumerate(under):
            applied = today - dt.timedelta(days=rng.randint(12, 70))
            r, permit = to_permit(home, applied, rng.randint(1, 3))
            finished = i % 5 == 0
            end = today - dt.timedelta(days=rng.randint(2, 12)) if finished else today - dt.timedelta(days=1)
            end = max(end, permit)
            patrols(r, permit, end)
            if finished and not rv.open_notices(rv.get(at(end), r.id)):
                rv.record_completion(at(end, clerk()), r.id, end)
        # vacant homes: waiting for approval, approved unpaid, permit to collect
        for k, home in enumerate(vacant[:4]):
            if k < 2:
                application(home, today - dt.timedelta(days=k))
            elif k == 2:
                r = application(home, today - dt.timedelta(days=4))
                rv.approve(at(today - dt.timedelta(days=3)), r.id, "同意")
            else:
                r = application(home, today - dt.timedelta(days=6))
                rv.approve(at(today - dt.timedelta(days=5)), r.id, "同意")
                pay(today - dt.timedelta(days=5), r)
                rv.record_tests(at(today - dt.timedelta(days=3)), r.id, True, True, r.applicant)
                rv.sign_fire_undertaking(at(today - dt.timedelta(days=3)), r.id, r.applicant)
        # occupied homes: renovations finished months ago
        months = int(ctx.settings.get("renovation.second_inspection_months"))
        for k, home in enumerate(occupied[:4]):
            first = add_months(today, -months) + dt.timedelta(days=rng.randint(-10, 3) if k else -30)
            finished = first - dt.timedelta(days=rng.randint(2, 6))
            applied = finished - dt.timedelta(days=rng.randint(70, 100))
            if k == 3:   # abandoned part way
                r, permit = to_permit(home, applied, 1)
                for w in rv.workers_of(at(permit), r.id):
                    rv.return_pass(at(permit + dt.timedelta(days=20)), w.id)
                rv.abandon(at(permit + dt.timedelta(days=21)), r.id, "业主出售房屋，停止装修",
                           [("楼道墙面污损修复", "200")])
                continue
            r, permit = to_permit(home, applied, 2)
            patrols(r, permit, finished)
            for n in rv.open_notices(rv.get(at(finished), r.id)):
                rv.close_notice(at(finished), n.id, "已整改")
            rv.record_completion(at(finished, clerk()), r.id, finished)
            rv.first_inspection(at(first), r.id, True, "验收合格")
            for w in rv.workers_of(at(first), r.id):
                rv.return_pass(at(first), w.id)
            if k == 0:   # second inspection done, deposit refunded less a deduction
                second = rv.get(at(first), r.id).second_due
                rv.second_inspection(at(second), r.id, True, "无质量问题")
                rv.refund_deposit(at(second), r.id, [("损坏公共楼道地砖", "350")])
    tmp.cleanup()


def _owner_name(home) -> str:
    from models.people import HomeOwner, Owner
    o = (Owner.select(Owner.name).join(HomeOwner).where((HomeOwner.home == home.id) & HomeOwner.until.is_null())
         .order_by(HomeOwner.is_primary.desc()).first())
    return o.name if o else ""
