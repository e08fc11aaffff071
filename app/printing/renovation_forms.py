"""Renovation forms (domain.md §4, §8): 装修申请/审批表, 闭水/打压确认单, 防火责任书, 装修许可证
(A4 for the door), 施工人员出入证 (card size 85.6×54 mm, with photo), 装修巡查日志,
违规/整改通知单, 装修竣工验收表, 装修保证金退还单. Print data is built and frozen first
(``build_*``), then rendered; ``render(ctx, form, ...)`` does both and returns PDF bytes."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table

from app.core.errors import StateError
from app.core.lookup import get_or_404
from app.core.money import daxie, fmt_fen
from app.core.privacy import mask_phone
from app.core.validation import fmt_area
from app.printing.base import (
    FONT_NAME,
    FormRenderer,
    esc,
    grid_style,
    label_value_table,
    signature_line,
)
from app.renovation import renovation as rv
from models.people import HomeOwner, Owner
from models.property import Building, Cluster, Home
from models.renovation import Renovation, RenovationNotice, RenovationWorker

W = 174 * mm  # usable width of an A4 page with the base margins


def _d(value) -> str:
    return value.strftime("%Y-%m-%d") if isinstance(value, (dt.date, dt.datetime)) else (value or "")


def _y(fen) -> str:
    return f"{fmt_fen(fen)} 元"


@dataclass(frozen=True)
class HomeLine:
    room_code: str
    place: str            # A组团 罗马假日 5号楼
    area: str
    house_type: str
    owner: str
    owner_phone: str      # masked


@dataclass(frozen=True)
class RenoHead:
    number: str
    home: HomeLine
    applicant: str
    applicant_phone: str  # masked
    contractor: str
    contractor_person: str
    contractor_phone: str  # masked
    plan: str
    planned: str
    service_phone: str


def _home_line(home: Home) -> HomeLine:
    owner = (Owner.select().join(HomeOwner).where((HomeOwner.home == home.id) & HomeOwner.until.is_null())
             .order_by(HomeOwner.is_primary.desc(), HomeOwner.id).first())
    c = Cluster.get_by_id(home.cluster_id)
    b = Building.get_by_id(home.building_id)
    return HomeLine(home.room_code, f"{c.code}组团 {c.name} {b.code}号楼", fmt_area(home.area_x100), home.house_type,
                    owner.name if owner else "", mask_phone(owner.phone) if owner else "")


def _head(ctx, r: Renovation) -> RenoHead:
    planned = f"{_d(r.planned_start) or '—'} 至 {_d(r.planned_end) or '—'}"
    return RenoHead(r.number, _home_line(r.home), r.applicant, mask_phone(r.applicant_phone), r.contractor_name,
                    r.contractor_person, mask_phone(r.contractor_phone), r.plan, planned,
                    ctx.settings.get("site.service_phone") or "")


def _reno(reno_id) -> Renovation:
    return get_or_404(Renovation, reno_id, message=f"装修登记 {reno_id} 不存在")


def _head_rows(h: RenoHead):
    return [["房号", h.home.room_code, "位置", h.home.place],
            ["户型", h.home.house_type, "建筑面积", f"{h.home.area} ㎡"],
            ["申请人", h.applicant, "联系电话", h.applicant_phone],
            ["施工单位", h.contractor, "负责人 / 电话", f"{h.contractor_person}  {h.contractor_phone}"]]


COLS4 = [26 * mm, 61 * mm, 26 * mm, 61 * mm]


class _Form(FormRenderer):
    def h2(self, text):
        return Paragraph(esc(text), self.st["h2"])

    def p(self, text, style="body"):
        return Paragraph(esc(text), self.st[style])


# ------------------------------------------------------------------ 1. 装修申请/审批表
@dataclass(frozen=True)
class ApplicationData:
    head: RenoHead
    applied_on: str
    applied_by: str
    drawings: tuple[str, ...]
    state: str
    decision: str           # 批准 / 驳回 / 待审批
    decided_on: str
    decided_by: str
    decision_note: str
    fees: tuple[tuple[str, str], ...]
    work_hours: str


def build_application(ctx, reno_id) -> ApplicationData:
    r = _reno(reno_id)
    decision = {"待审批": "待审批", "已驳回": "不予批准"}.get(r.state, "批准")
    pass_fee, pass_dep = ctx.settings.get("renovation.pass_fee"), ctx.settings.get("renovation.pass_deposit")
    deposit = r.deposit_fen or rv.deposit_for(ctx, r.home.house_type)
    rubbish = r.rubbish_fen or rv.rubbish_fee_for(ctx, r.home.area_x100)
    fees = (("装修质量保证金", f"{_y(deposit)}（{r.home.house_type}）"),
            ("垃圾清运费", f"{_y(rubbish)}（{fmt_area(r.home.area_x100)} ㎡ × {fmt_fen(ctx.settings.get('renovation.rubbish_rate'))} 元/㎡）"),
            ("出入证手续费", f"{_y(pass_fee)} / 证"), ("出入证押金", f"{_y(pass_dep)} / 证"))
    return ApplicationData(_head(ctx, r), _d(r.applied_on), rv.user_name(r.applied_by_id),
                           tuple(a.original_name for a in rv.drawings_of(r.id)), r.state, decision,
                           _d(r.decided_on), rv.user_name(r.decided_by_id), r.decision_note, fees,
                           ctx.settings.get("renovation.work_hours"))


class ApplicationForm(_Form):
    title = "装修申请/审批表"

    def story(self, d: ApplicationData):
        out = self.title_block(f"申请编号 {d.head.number}　申请日期 {d.applied_on}　经办 {d.applied_by}")
        out.append(label_value_table(_head_rows(d.head) + [["计划工期", d.head.planned, "图纸", "、".join(d.drawings) or "未附"]], COLS4))
        out.append(self.h2("装修方案及项目"))
        out.append(label_value_table([["装修内容", Paragraph(esc(d.head.plan), self.st["cell"])]], [26 * mm, 148 * mm]))
        out.append(self.h2("应缴费用"))
        out.append(label_value_table([[a, b] for a, b in d.fees], [40 * mm, 134 * mm]))
        out.append(self.h2("业主及施工单位承诺"))
        out.append(self.p("遵守《装修管理协议》及《装修注意事项》，不拆改承重结构，不破坏防水层，不占用公共部位，"
                          f"装修垃圾袋装后运至指定地点，施工时间为 {d.work_hours}。"))
        out.append(signature_line(["业主签字", "施工负责人签字", "日期"]))
        out.append(self.h2("物业审批意见"))
        out.append(label_value_table([["审批结果", d.decision, "审批日期", d.decided_on],
                                      ["审批人", d.decided_by, "意见", d.decision_note]], COLS4))
        out.append(signature_line(["客服中心", "工程部", "项目经理"]))
        return out


# ------------------------------------------------------------------ 2. 闭水/打压确认单
@dataclass(frozen=True)
class TestsData:
    head: RenoHead
    tests_on: str
    pressure: str
    water: str
    signed_by: str
    note: str
    recorded_by: str
    permit_from: str


def build_tests(ctx, reno_id) -> TestsData:
    r = _reno(reno_id)
    if not r.tests_on:
        raise StateError(f"装修登记 {r.number} 尚未登记闭水/打压试验")
    res = lambda ok: "合格" if ok else "不合格"
    return TestsData(_head(ctx, r), _d(r.tests_on), res(r.pressure_ok), res(r.water_ok), r.tests_signed_by, r.tests_note,
                     rv.user_name(r.tests_by_id), _d(rv.permit_earliest(ctx, r)))


class TestsForm(_Form):
    title = "闭水/打压试验确认单"

    def story(self, d: TestsData):
        out = self.title_block(f"申请编号 {d.head.number}")
        out.append(label_value_table(_head_rows(d.head), COLS4))
        out.append(Spacer(1, 3 * mm))
        out.append(label_value_table([["试验日期", d.tests_on, "经办", d.recorded_by],
                                      ["打压试验", f"{d.pressure}（给水管道）", "闭水试验", f"{d.water}（卫生间、厨房、阳台）"],
                                      ["说明", d.note or "—", "许可证可领", f"{d.permit_from} 起"]], COLS4))
        out.append(Spacer(1, 3 * mm))
        out.append(self.p("打压试验：给水管道试验压力不低于0.6MPa，稳压30分钟压降不超过0.05MPa；"
                          "闭水试验：蓄水深度不低于20mm，持续48小时，楼下无渗漏。业主已到场确认以上结果。"))
        out.append(self.p(f"业主确认人：{d.signed_by}"))
        out.append(signature_line(["业主签字", "施工负责人", "物业工程人员"]))
        return out


# ------------------------------------------------------------------ 3. 防火责任书
@dataclass(frozen=True)
class FireData:
    head: RenoHead
    signed_on: str
    signed_by: str
    site: str


FIRE_CLAUSES = (
    "装修期间业主及施工单位为本户防火安全责任人，施工负责人为现场防火责任人。",
    "施工现场配备不少于两具有效灭火器，严禁吸烟，严禁使用明火取暖、做饭。",
    "动用电焊、气割等明火作业，须提前到客服中心办理动火审批，并有专人监护。",
    "易燃装饰材料（油漆、稀料、胶类）随用随取，不得在户内大量存放，严禁堆放于楼道等公共部位。",
    "电气线路须由持证电工敷设，不得私拉乱接，离场时切断电源。",
    "不得遮挡、损坏消防设施及疏散通道，发现火情立即拨打119并通知物业监控中心。",
    "因违反本责任书造成火灾及损失的，由责任人承担全部责任，物业可从装修保证金中扣除相应费用。",
)


def build_fire(ctx, reno_id) -> FireData:
    r = _reno(reno_id)
    return FireData(_head(ctx, r), _d(r.fire_signed_on), r.fire_signed_by, ctx.settings.get("site.name"))


class FireForm(_Form):
    title = "装修防火安全责任书"

    def story(self, d: FireData):
        out = self.title_block(f"申请编号 {d.head.number}")
        out.append(label_value_table(_head_rows(d.head), COLS4))
        out.append(Spacer(1, 3 * mm))
        out.append(self.p(f"为确保{d.site}装修期间的消防安全，业主、施工单位与物业服务中心签订本责任书："))
        for i, c in enumerate(FIRE_CLAUSES, 1):
            out.append(self.p(f"{i}. {c}"))
        out.append(Spacer(1, 4 * mm))
        out.append(self.p(f"签署日期：{d.signed_on or '____年__月__日'}　签署人：{d.signed_by or ''}"))
        out.append(signature_line(["业主签字", "施工负责人签字"]))
        out.append(signature_line(["物业服务中心（盖章）", "日期"]))
        return out


# ------------------------------------------------------------------ 4. 装修许可证 (door)
@dataclass(frozen=True)
class PermitData:
    permit_number: str
    room_code: str
    place: str
    contractor: str
    person: str
    phone: str           # masked
    period: str
    hours: str
    issued_on: str
    service_phone: str
    site: str


def build_permit(ctx, reno_id) -> PermitData:
    r = _reno(reno_id)
    if not r.permit_on:
        raise StateError(f"装修登记 {r.number} 尚未发放装修许可证")
    h = _head(ctx, r)
    return PermitData(r.permit_number, h.home.room_code, h.home.place, r.contractor_name, r.contractor_person,
                      h.contractor_phone, f"{_d(r.permit_on)} 至 {_d(r.planned_end) or '竣工'}",
                      ctx.settings.get("renovation.work_hours"), _d(r.permit_on), h.service_phone,
                      ctx.settings.get("site.name"))


class PermitForm(_Form):
    title = "装修许可证"

    def story(self, d: PermitData):
        big = ParagraphStyle("big", fontName=FONT_NAME, fontSize=54, leading=66, alignment=TA_CENTER)
        room = ParagraphStyle("room", fontName=FONT_NAME, fontSize=72, leading=86, alignment=TA_CENTER)
        mid = ParagraphStyle("mid", fontName=FONT_NAME, fontSize=18, leading=28)
        out = [Spacer(1, 8 * mm), Paragraph("装修许可证", big), Spacer(1, 6 * mm), Paragraph(esc(d.room_code), room),
               Paragraph(esc(d.place), ParagraphStyle("pl", parent=mid, alignment=TA_CENTER)), Spacer(1, 10 * mm)]
        rows = [["许可证号", d.permit_number], ["施工单位", d.contractor], ["施工负责人", f"{d.person}　{d.phone}"],
                ["施工期限", d.period], ["施工时间", d.hours], ["发证日期", d.issued_on]]
        cells = [[Paragraph(esc(a), mid), Paragraph(esc(b), mid)] for a, b in rows]
        if "（" in d.hours:   # the hours on one line, the remark in brackets whole on the next
            head, _sep, tail = d.hours.partition("（")
            cells[4][1] = Paragraph(esc(head) + "<br/>" + esc("（" + tail), mid)
        t = Table(cells, colWidths=[40 * mm, 134 * mm])
        t.setStyle(grid_style([("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F0F0F0")),
                               ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
        out.append(t)
        out.append(Spacer(1, 10 * mm))
        foot = f"{d.site} 物业服务中心（盖章）" + (f"　监督电话：{d.service_phone}" if d.service_phone else "")
        out.append(Paragraph(esc(foot), ParagraphStyle("ft", parent=mid, fontSize=14, alignment=TA_CENTER)))
        out.append(Paragraph("请张贴于入户门外，接受物业及邻里监督", ParagraphStyle("ft2", parent=mid, fontSize=12, alignment=TA_CENTER)))
        return out


# ------------------------------------------------------------------ 5. 施工人员出入证 (card)
@dataclass(frozen=True)
class PassCard:
    pass_number: str
    name: str
    id_masked: str
    trade: str
    card: str
    room_code: str
    contractor: str
    valid_until: str
    photo: str           # file path or ""
    site: str


def build_passes(ctx, reno_id, worker_ids=None) -> tuple[PassCard, ...]:
    r = _reno(reno_id)
    q = RenovationWorker.select().where(RenovationWorker.renovation == r.id).order_by(RenovationWorker.id)
    if worker_ids:
        q = q.where(RenovationWorker.id.in_(list(worker_ids)))
    cards = []
    for w in q:
        if w.returned_on:
            continue
        photo = rv.worker_photo(ctx, w.id)
        cards.append(PassCard(w.pass_number, w.name, w.id_masked, w.trade, w.card, r.home.room_code, r.contractor_name,
                              _d(w.valid_until), str(photo) if photo else "", ctx.settings.get("site.name")))
    if not cards:
        raise StateError(f"装修登记 {r.number} 没有可打印的出入证")
    return tuple(cards)


class PassCardsForm(FormRenderer):
    """One card (85.6×54 mm, ID-1 size) per page, drawn directly on the canvas."""
    title = "施工人员出入证"
    pagesize = (85.6 * mm, 54 * mm)

    card_size = (85.6 * mm, 54 * mm)

    def render(self, cards) -> bytes:
        import io

        from reportlab.pdfgen import canvas as rl_canvas
        buf = io.BytesIO()
        c = rl_canvas.Canvas(buf, pagesize=self.pagesize)
        c.setTitle(self.title)
        c.setAuthor("PropertyDesk")
        self.draw_pages(c, cards)
        c.save()
        return buf.getvalue()

    def draw_pages(self, c, cards):
        for card in cards:
            self._card(c, card)
            c.showPage()

    def _card(self, c, d: PassCard):
        w, h = self.card_size
        band = colors.HexColor("#1F5FA8") if d.card == "A" else colors.HexColor("#2E8B57")
        c.setFillColor(band)
        c.rect(0, h - 10 * mm, w, 10 * mm, stroke=0, fill=1)
        c.setFillColor(colors.white)
        c.setFont(FONT_NAME, 10)
        c.drawString(3 * mm, h - 6.5 * mm, f"{d.site} 施工人员出入证")
        c.setFont(FONT_NAME, 16)
        c.drawRightString(w - 3 * mm, h - 7.5 * mm, f"{d.card}证")
        # photo 22×28 mm
        px, py, pw, ph = 3 * mm, 6 * mm, 22 * mm, 28 * mm
        c.setStrokeColor(colors.grey)
        c.setLineWidth(0.5)
        drawn = False
        if d.photo:
            try:
                c.drawImage(d.photo, px, py, pw, ph, preserveAspectRatio=True, anchor="c", mask="auto")
                drawn = True
            except Exception:   # an unreadable stored photo: print the blank box to paste one on
                pass
        if not drawn:
            c.setFillColor(colors.HexColor("#999999"))
            c.setFont(FONT_NAME, 8)
            c.drawCentredString(px + pw / 2, py + ph / 2, "照片")
        c.rect(px, py, pw, ph, stroke=1, fill=0)
        c.setFillColor(colors.black)
        x = 28 * mm
        c.setFont(FONT_NAME, 13)
        c.drawString(x, h - 16.5 * mm, d.name)
        c.setFont(FONT_NAME, 7.5)
        lines = [f"证号：{d.pass_number}", f"身份证：{d.id_masked}", f"工种：{d.trade or '—'}　施工房号：{d.room_code}",
                 f"单位：{d.contractor[:16]}", f"有效期至：{d.valid_until}"]
        y = h - 21.5 * mm
        for line in lines:
            c.drawString(x, y, line)
            y -= 4 * mm
        c.setFont(FONT_NAME, 6)
        c.setFillColor(colors.HexColor("#555555"))
        c.drawString(3 * mm, 2.2 * mm, "凭证出入，佩戴上岗；不得转借；离场时交回客服中心退押金")


class PassSheetForm(PassCardsForm):
    """Cards on A4 (2 × 5 per page) with dashed cut lines, for offices without a card printer."""
    from reportlab.lib.pagesizes import A4 as _A4
    pagesize = _A4
    COLS, ROWS = 2, 5

    def draw_pages(self, c, cards):
        pw, ph = self.pagesize
        cw, ch = self.card_size
        x0 = (pw - self.COLS * cw) / 2
        y0 = (ph - self.ROWS * ch) / 2
        per = self.COLS * self.ROWS
        for start in range(0, len(cards), per):
            c.setFont(FONT_NAME, 8)
            c.drawString(x0, ph - y0 + 4 * mm, "施工人员出入证（沿虚线裁切）")
            for i, card in enumerate(cards[start:start + per]):
                col, row = i % self.COLS, i // self.COLS
                c.saveState()
                c.translate(x0 + col * cw, ph - y0 - (row + 1) * ch)
                self._card(c, card)
                c.restoreState()
            c.saveState()
            c.setDash(3, 3)
            c.setLineWidth(0.3)
            c.setStrokeColor(colors.grey)
            for k in range(self.COLS + 1):
                x = x0 + k * cw
                c.line(x, y0 - 6 * mm, x, ph - y0 + 2 * mm)
            for k in range(self.ROWS + 1):
                y = y0 + k * ch
                c.line(x0 - 6 * mm, y, pw - x0 + 6 * mm, y)
            c.restoreState()
            c.showPage()


# ------------------------------------------------------------------ 6. 装修巡查日志
@dataclass(frozen=True)
class PatrolLine:
    day: str
    inspector: str
    ok: str
    findings: str
    workers: str
    spot: str


@dataclass(frozen=True)
class PatrolLogData:
    head: RenoHead
    permit: str
    lines: tuple[PatrolLine, ...]
    blank_rows: int


def build_patrol_log(ctx, reno_id, blank_rows: int = 8) -> PatrolLogData:
    r = _reno(reno_id)
    lines = tuple(PatrolLine(_d(p.patrol_on), rv.user_name(p.inspector_id), "正常" if p.ok else "违规/问题", p.findings,
                             str(p.workers_present or ""), "抽查" if p.spot_check else "")
                  for p in rv.patrols_of(ctx, r.id))
    return PatrolLogData(_head(ctx, r), f"{r.permit_number}（{_d(r.permit_on)}）" if r.permit_on else "未发证",
                         lines, blank_rows)


class PatrolLogForm(_Form):
    title = "装修巡查日志"

    def story(self, d: PatrolLogData):
        out = self.title_block(f"申请编号 {d.head.number}　装修许可证 {d.permit}")
        out.append(label_value_table(_head_rows(d.head), COLS4))
        out.append(Spacer(1, 3 * mm))
        c = self.st["cell"]
        rows = [[Paragraph(x, self.st["cell_c"]) for x in ("日期", "巡查人", "结果", "巡查情况（防水、结构、用电、消防、垃圾、噪音）", "在场人数", "备注")]]
        for ln in d.lines:
            rows.append([Paragraph(esc(v), c) for v in (ln.day, ln.inspector, ln.ok, ln.findings, ln.workers, ln.spot)])
        rows += [[""] * 6 for _ in range(d.blank_rows)]
        t = Table(rows, colWidths=[22 * mm, 18 * mm, 20 * mm, 76 * mm, 19 * mm, 19 * mm], repeatRows=1,
                  rowHeights=[None] * (1 + len(d.lines)) + [9 * mm] * d.blank_rows)
        t.setStyle(grid_style([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F0F0F0"))]))
        out.append(t)
        out.append(signature_line(["客服主管审核", "日期"]))
        return out


# ------------------------------------------------------------------ 7. 违规/整改通知单
@dataclass(frozen=True)
class NoticeData:
    head: RenoHead
    kind: str
    number: str
    issued_on: str
    issued_by: str
    content: str
    requirement: str
    deadline: str
    closed: str


def build_notice(ctx, notice_id) -> NoticeData:
    n = get_or_404(RenovationNotice, notice_id, message="通知单不存在")
    closed = f"{_d(n.closed_on)} 已整改：{n.closure_note}" if n.closed_on else ""
    return NoticeData(_head(ctx, n.renovation), n.kind, n.number, _d(n.issued_on), rv.user_name(n.issued_by_id),
                      n.content, n.requirement, _d(n.deadline), closed)


class NoticeForm(_Form):
    title = "违规/整改通知单"

    def story(self, d: NoticeData):
        self.title = d.kind
        out = self.title_block(f"编号 {d.number}　开具日期 {d.issued_on}")
        out.append(self.p(f"{d.head.home.room_code} 业主 {d.head.applicant} / 施工单位 {d.head.contractor}："))
        out.append(Spacer(1, 2 * mm))
        out.append(label_value_table([["违规/问题事实", Paragraph(esc(d.content), self.st["cell"])],
                                      ["整改要求", Paragraph(esc(d.requirement or "立即停止违规行为，恢复原状"), self.st["cell"])],
                                      ["整改期限", f"请于 {d.deadline} 前整改完毕，逾期将按《装修管理协议》处理，并可从装修保证金中扣除相应费用"],
                                      ["开具人", d.issued_by]], [34 * mm, 140 * mm]))
        out.append(signature_line(["业主/施工负责人签收", "日期"]))
        out.append(self.h2("整改复查"))
        out.append(label_value_table([["复查结果", d.closed or ""]], [34 * mm, 140 * mm],
                                     [("TOPPADDING", (0, 0), (-1, -1), 10), ("BOTTOMPADDING", (0, 0), (-1, -1), 10)]))
        out.append(signature_line(["复查人", "日期"]))
        return out


# ------------------------------------------------------------------ 8. 装修竣工验收表
@dataclass(frozen=True)
class CompletionData:
    head: RenoHead
    permit: str
    finished_on: str
    first_due: str
    first: str
    first_on: str
    first_by: str
    second_due: str
    second: str
    second_on: str
    second_by: str
    passes: tuple[tuple[str, str, str], ...]   # name, card, state
    open_notices: int


CHECK_ITEMS = ("承重结构、外立面未改动", "防水层完好，闭水无渗漏", "给排水管道无渗漏", "电气线路规范，无私拉乱接",
               "燃气管道未改动", "消防设施完好", "公共部位无损坏", "装修垃圾已清运", "空调外机按规定位置安装")


def build_completion(ctx, reno_id) -> CompletionData:
    r = _reno(reno_id)
    res = lambda on, ok, note: "" if not on else ("合格" if ok else f"不合格：{note}")
    today = ctx.clock.today()
    passes = tuple((w.name, w.card, rv.pass_state(w, today)) for w in rv.workers_of(ctx, r.id))
    return CompletionData(_head(ctx, r), r.permit_number, _d(r.finished_on), _d(rv.first_inspection_due(ctx, r)),
                          res(r.first_inspection_on, r.first_inspection_ok, r.first_inspection_note),
                          _d(r.first_inspection_on), rv.user_name(r.first_inspection_by_id), _d(r.second_due),
                          res(r.second_inspection_on, r.second_inspection_ok, r.second_inspection_note),
                          _d(r.second_inspection_on), rv.user_name(r.second_inspection_by_id), passes,
                          len(rv.open_notices(r)))


class CompletionForm(_Form):
    title = "装修竣工验收表"

    def story(self, d: CompletionData):
        out = self.title_block(f"申请编号 {d.head.number}　装修许可证 {d.permit}")
        out.append(label_value_table(_head_rows(d.head) + [["完工日期", d.finished_on, "初验期限", d.first_due]], COLS4))
        out.append(self.h2("验收项目"))
        c = self.st["cell"]
        rows = [[Paragraph(x, self.st["cell_c"]) for x in ("序号", "项目", "初验", "复验")]]
        rows += [[str(i), Paragraph(esc(item), c), "□合格 □不合格", "□合格 □不合格"] for i, item in enumerate(CHECK_ITEMS, 1)]
        t = Table(rows, colWidths=[12 * mm, 86 * mm, 38 * mm, 38 * mm])
        t.setStyle(grid_style([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F0F0F0"))]))
        out.append(t)
        out.append(self.h2("验收结论"))
        out.append(label_value_table([["初验结论", d.first or "", "初验日期/人", f"{d.first_on} {d.first_by}"],
                                      ["复验日期", d.second_due, "复验结论", d.second or ""],
                                      ["复验人", f"{d.second_on} {d.second_by}", "未关闭通知单", f"{d.open_notices} 张"]], COLS4))
        if d.passes:
            out.append(self.h2("出入证收回"))
            out.append(label_value_table([["姓名", "　".join(f"{n}（{c}证）{s}" for n, c, s in d.passes)]], [26 * mm, 148 * mm]))
        out.append(signature_line(["业主签字", "施工负责人签字"]))
        out.append(signature_line(["工程部验收人", "客服中心"]))
        return out


# ------------------------------------------------------------------ 9. 装修保证金退还单
@dataclass(frozen=True)
class RefundData:
    head: RenoHead
    deposit: int
    deductions: tuple[tuple[str, int], ...]
    refund: int
    refunded_on: str
    refunded_by: str
    voucher: str
    reason: str           # 复验合格 / 放弃装修：…
    pass_refunds: tuple[tuple[str, int], ...]


def build_refund(ctx, reno_id) -> RefundData:
    r = _reno(reno_id)
    if not r.refunded_on:
        raise StateError(f"装修登记 {r.number} 尚未退还装修保证金")
    voucher = ""
    if r.refund_payment_id:
        from models.ledger import Payment, Receipt
        p = Payment.get_or_none(Payment.id == r.refund_payment_id)
        if p is not None and p.receipt_id:
            voucher = Receipt.get_by_id(p.receipt_id).number
    ded = tuple((d.reason, d.amount_fen) for d in r.deductions)
    _a, paid, _f = rv.charge_status(r.deposit_charge_id)
    reason = f"放弃装修：{r.abandon_reason}" if r.state == "已放弃" else f"复验合格（{_d(r.second_inspection_on)}）"
    passes = tuple((w.name, w.deposit_refund_fen) for w in r.workers if w.deposit_refund_fen)
    return RefundData(_head(ctx, r), paid, ded, r.refund_fen, _d(r.refunded_on), rv.user_name(r.refunded_by_id), voucher,
                      reason, passes)


class RefundForm(_Form):
    title = "装修保证金退还单"

    def story(self, d: RefundData):
        out = self.title_block(f"申请编号 {d.head.number}" + (f"　退款凭证 {d.voucher}" if d.voucher else ""))
        out.append(label_value_table(_head_rows(d.head) + [["退还事由", d.reason, "退还日期", d.refunded_on]], COLS4))
        out.append(self.h2("保证金结算"))
        rows = [["已缴装修保证金", _y(d.deposit)]]
        for i, (reason, fen) in enumerate(d.deductions, 1):
            rows.append([f"扣除 {i}：{reason}", f"-{_y(fen)}"])
        rows.append(["扣除合计", _y(sum(f for _r, f in d.deductions))])
        rows.append(["实退金额", f"{_y(d.refund)}（大写：{daxie(d.refund)}）"])
        out.append(label_value_table(rows, [60 * mm, 114 * mm]))
        if d.pass_refunds:
            out.append(self.h2("出入证押金退还"))
            out.append(label_value_table([[n, _y(f)] for n, f in d.pass_refunds], [60 * mm, 114 * mm]))
        out.append(Spacer(1, 3 * mm))
        out.append(self.p(f"经办：{d.refunded_by}"))
        out.append(signature_line(["业主签收", "财务", "客服经理"]))
        return out


# ------------------------------------------------------------------ daily spot-check sheet
@dataclass(frozen=True)
class SpotLine:
    room_code: str
    number: str
    contractor: str
    person: str
    phone: str            # masked
    last_patrol: str
    open_notices: int


@dataclass(frozen=True)
class SpotSheetData:
    day: str
    lines: tuple[SpotLine, ...]
    under_works: int


def build_spot_sheet(ctx, day=None) -> SpotSheetData:
    day = day or ctx.clock.today()
    lines = []
    for sp in rv.spot_checks(ctx, day):
        r = _reno(sp.id)
        lines.append(SpotLine(sp.room_code, sp.number, r.contractor_name, r.contractor_person, mask_phone(r.contractor_phone),
                              _d(sp.last_patrol) or "无", len(rv.open_notices(r))))
    under = Renovation.select().where(Renovation.state == "施工中").count()
    return SpotSheetData(_d(day), tuple(lines), under)


class SpotSheetForm(_Form):
    title = "装修日常抽查单"

    def story(self, d: SpotSheetData):
        out = self.title_block(f"抽查日期 {d.day}　施工中 {d.under_works} 户，今日抽查 {len(d.lines)} 户")
        c, cc = self.st["cell"], self.st["cell_c"]
        head = ["房号", "施工单位 / 负责人", "上次巡查", "未结通知", "到场时间", "检查情况（防水、结构、用电、消防、垃圾、噪音、出入证）", "施工方签字"]
        rows = [[Paragraph(x, cc) for x in head]]
        for ln in d.lines:
            rows.append([Paragraph(esc(ln.room_code), c), Paragraph(esc(f"{ln.contractor}\n{ln.person} {ln.phone}"), c),
                         Paragraph(esc(ln.last_patrol), c), Paragraph(str(ln.open_notices), cc), "", "", ""])
        t = Table(rows, colWidths=[20 * mm, 36 * mm, 22 * mm, 18 * mm, 18 * mm, 40 * mm, 20 * mm], repeatRows=1,
                  rowHeights=[None] + [24 * mm] * len(d.lines))
        t.setStyle(grid_style([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F0F0F0")),
                               ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]))
        out.append(t)
        out.append(Spacer(1, 3 * mm))
        out.append(self.p("发现违规当场制止，开具违规/整改通知单，并在系统中登记巡查结果。"))
        out.append(signature_line(["巡查人", "客服主管"]))
        return out


def render_spot_sheet(ctx, day=None) -> bytes:
    rv.require(ctx, "renovation.view")
    data = build_spot_sheet(ctx, day)
    if not data.lines:
        raise StateError(f"{data.day} 没有施工中的装修户，无需抽查")
    return SpotSheetForm(ctx.settings).render(data)


# ------------------------------------------------------------------ dispatch
FORMS = {
    # key: (label, builder, renderer, filename stem)
    "application": ("装修申请/审批表", build_application, ApplicationForm, "装修申请审批表"),
    "tests": ("闭水/打压确认单", build_tests, TestsForm, "闭水打压确认单"),
    "fire": ("防火责任书", build_fire, FireForm, "防火责任书"),
    "permit": ("装修许可证", build_permit, PermitForm, "装修许可证"),
    "passes": ("施工人员出入证", build_passes, PassCardsForm, "施工人员出入证"),
    "passes_a4": ("施工人员出入证（A4裁切）", build_passes, PassSheetForm, "施工人员出入证A4"),
    "patrol": ("装修巡查日志", build_patrol_log, PatrolLogForm, "装修巡查日志"),
    "completion": ("装修竣工验收表", build_completion, CompletionForm, "装修竣工验收表"),
    "refund": ("装修保证金退还单", build_refund, RefundForm, "装修保证金退还单"),
}


def render(ctx, form: str, reno_id, **kw) -> bytes:
    """PDF bytes of one renovation form (see FORMS); notices go through ``render_notice``."""
    rv.require(ctx, "renovation.view")
    _label, build, cls, _stem = FORMS[form]
    data = build(ctx, reno_id, **kw)
    r = _reno(reno_id)
    number = {"permit": r.permit_number}.get(form, r.number)
    return cls(ctx.settings, number).render(data)


def render_notice(ctx, notice_id) -> bytes:
    rv.require(ctx, "renovation.view")
    data = build_notice(ctx, notice_id)
    return NoticeForm(ctx.settings, data.number).render(data)
