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
from app.renovation import api as rv

MAX_WORKS = 40
CONTRACTORS = [("华美装饰工程有限公司", "刘建军"), ("东易日盛家居装饰", "陈志强"), ("业之峰装饰郑州分公司", "孙海涛"),
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


# how often things happen on the demo site
PHOTO_SHARE = 0.7          # workers registered with a photo
BAD_PATROL_SHARE = 0.2     # patrols that find a violation (and issue a notice)
SPOT_CHECK_SHARE = 0.5     # patrols that were a spot check
NOTICE_CLOSED_SHARE = 0.8  # notices closed (when their closing day has come)
FINISHED_EVERY = 5         # one home under works in five has finished
VACANT_WAITING = 2         # vacant homes: the first two wait for approval, the next one is approved unpaid
VACANT_APPROVED = 2
OCCUPIED_ABANDONED = 3     # the fourth occupied home was abandoned part way


class _Site:
    """Renovations made through the real services, each step on its own (past) day."""

    def __init__(self, ctx, rng, boss, drawing, photo):
        self.ctx, self.rng, self.boss, self.drawing, self.photo = ctx, rng, boss, drawing, photo
        self.today = ctx.clock.now().date()
        from app.demo.ledger import cashier_ctx
        self.cashier = cashier_ctx(ctx).user   # fees are paid to the site's cashier

    def at(self, day: dt.date, user=None):
        return dataclasses.replace(self.ctx, clock=Clock(dt.datetime.combine(day, dt.time(10, 0))),
                                   user=user or self.boss)

    def application(self, home, day):
        rng = self.rng
        name, person = rng.choice(CONTRACTORS)
        data = {"applicant": _owner_name(home) or "业主", "applicant_phone": _phone(rng), "plan": rng.choice(PLANS),
                "contractor_name": name, "contractor_person": person, "contractor_phone": _phone(rng),
                "planned_start": day + dt.timedelta(days=5),
                "planned_end": day + dt.timedelta(days=rng.choice((60, 75, 90, 120)))}
        return rv.apply(self.at(day), home.id, data, drawings=[self.drawing])

    def pay(self, day, r):
        from app.ledger import payments
        ids = rv.unpaid_charge_ids(rv.get(self.at(day), r.id))
        if ids:
            method = self.rng.choice(("cash", "card", "transfer"))
            ref = f"{day:%Y%m%d}{self.rng.randrange(10**8):08d}" if method == "transfer" else ""
            payments.pay(self.at(day, self.cashier), r.home_id, ids, method, r.applicant, reference=ref)

    def to_permit(self, home, applied: dt.date, workers: int):
        rng, at = self.rng, self.at
        r = self.application(home, applied)
        rv.approve(at(applied + dt.timedelta(days=1)), r.id, "同意，按图施工，不得改动承重结构")
        day = applied + dt.timedelta(days=1)
        ws = []
        for _ in range(workers):
            ws.append(rv.register_worker(at(day), r.id, {
                "name": rng.choice(WORKERS), "id_number": _id(rng), "phone": _phone(rng), "trade": rng.choice(TRADES),
                "card": rng.choice("AB")}, photo=self.photo if rng.random() < PHOTO_SHARE else None))
        self.pay(day, r)
        tests = day + dt.timedelta(days=rng.randint(1, 3))
        rv.record_tests(at(tests), r.id, True, True, r.applicant)
        rv.sign_fire_undertaking(at(tests), r.id, r.applicant)
        permit = tests + dt.timedelta(days=int(self.ctx.settings.get("renovation.permit_wait_days")))
        rv.issue_permit(at(permit), r.id)
        for w in ws:
            rv.issue_pass(at(permit), w.id)
        return rv.get(at(permit), r.id), permit

    def patrols(self, r, start: dt.date, end: dt.date):
        rng, at = self.rng, self.at
        day = start + dt.timedelta(days=rng.randint(1, 4))
        while day <= end:
            bad = rng.random() < BAD_PATROL_SHARE
            rv.record_patrol(at(day), r.id, not bad, rng.choice(FINDINGS) if bad else "现场整洁，施工规范",
                             workers_present=rng.randint(1, 4), spot_check=rng.random() < SPOT_CHECK_SHARE)
            if bad:
                n = rv.issue_notice(at(day), r.id, rng.choice(("违规通知单", "整改通知单")), rng.choice(FINDINGS),
                                    "限期整改并恢复原状")
                close = day + dt.timedelta(days=rng.randint(1, 4))
                if close < self.today and rng.random() < NOTICE_CLOSED_SHARE:
                    rv.close_notice(at(close), n.id, "已整改，复查合格")
            day += dt.timedelta(days=rng.randint(4, 9))

    def under_works(self, homes):
        rng, today = self.rng, self.today
        for i, home in enumerate(homes):
            applied = today - dt.timedelta(days=rng.randint(12, 70))
            r, permit = self.to_permit(home, applied, rng.randint(1, 3))
            finished = i % FINISHED_EVERY == 0
            end = today - dt.timedelta(days=rng.randint(2, 12)) if finished else today - dt.timedelta(days=1)
            end = max(end, permit)
            self.patrols(r, permit, end)
            if finished and not rv.open_notices(rv.get(self.at(end), r.id)):
                rv.record_completion(self.at(end), r.id, end)

    def vacant(self, homes):
        """Waiting for approval, approved unpaid, permit to collect."""
        at, today = self.at, self.today
        for k, home in enumerate(homes):
            if k < VACANT_WAITING:
                self.application(home, today - dt.timedelta(days=k))
            elif k == VACANT_APPROVED:
                r = self.application(home, today - dt.timedelta(days=4))
                rv.approve(at(today - dt.timedelta(days=3)), r.id, "同意")
            else:
                r = self.application(home, today - dt.timedelta(days=6))
                rv.approve(at(today - dt.timedelta(days=5)), r.id, "同意")
                self.pay(today - dt.timedelta(days=5), r)
                rv.record_tests(at(today - dt.timedelta(days=3)), r.id, True, True, r.applicant)
                rv.sign_fire_undertaking(at(today - dt.timedelta(days=3)), r.id, r.applicant)

    def abandoned(self, home, applied):
        r, permit = self.to_permit(home, applied, 1)
        for w in rv.workers_of(self.at(permit), r.id):
            rv.return_pass(self.at(permit + dt.timedelta(days=20)), w.id)
        rv.abandon(self.at(permit + dt.timedelta(days=21)), r.id, "业主出售房屋，停止装修",
                   [("楼道墙面污损修复", "200")])

    def occupied(self, homes):
        """Renovations finished months ago: second inspection due, one refunded, one abandoned."""
        rng, at = self.rng, self.at
        months = int(self.ctx.settings.get("renovation.second_inspection_months"))
        for k, home in enumerate(homes):
            first = add_months(self.today, -months) + dt.timedelta(days=rng.randint(-10, 3) if k else -30)
            finished = first - dt.timedelta(days=rng.randint(2, 6))
            applied = finished - dt.timedelta(days=rng.randint(70, 100))
            if k == OCCUPIED_ABANDONED:
                self.abandoned(home, applied)
                continue
            r, permit = self.to_permit(home, applied, 2)
            self.patrols(r, permit, finished)
            for n in rv.open_notices(rv.get(at(finished), r.id)):
                rv.close_notice(at(finished), n.id, "已整改")
            rv.record_completion(at(finished), r.id, finished)
            rv.first_inspection(at(first), r.id, True, "验收合格")
            for w in rv.workers_of(at(first), r.id):
                rv.return_pass(at(first), w.id)
            if k == 0:   # second inspection done, deposit refunded less a deduction
                second = rv.get(at(first), r.id).second_due
                rv.second_inspection(at(second), r.id, True, "无质量问题")
                rv.refund_deposit(at(second), r.id, [("损坏公共楼道地砖", "350")])


def populate(ctx, rng):
    from models.property import Home
    from models.renovation import Renovation
    from models.users import User

    if Renovation.select().exists():
        return
    manager = User.select().where((User.role == "manager") & (User.active == True)).first()  # noqa: E712 (peewee SQL)
    boss = manager or SimpleNamespace(id=None, username="demo", display_name="演示数据", role="manager")
    under = list(Home.select().where(Home.state == "装修中").order_by(Home.id))
    rng.shuffle(under)
    under = under[:MAX_WORKS]
    vacant = list(Home.select().where(Home.state == "空置").order_by(Home.id))
    occupied = list(Home.select().where(Home.state == "已入住").order_by(Home.id))
    rng.shuffle(vacant)
    rng.shuffle(occupied)
    tmp = tempfile.TemporaryDirectory()
    drawing, photo = _files(Path(tmp.name))
    site = _Site(ctx, rng, boss, drawing, photo)
    with ctx.db.atomic():
        site.under_works(under)
        site.vacant(vacant[:4])
        site.occupied(occupied[:4])
    tmp.cleanup()


def _owner_name(home) -> str:
    from models.people import HomeOwner, Owner
    o = (Owner.select(Owner.name).join(HomeOwner).where((HomeOwner.home == home.id) & HomeOwner.until.is_null())
         .order_by(HomeOwner.is_primary.desc()).first())
    return o.name if o else ""
