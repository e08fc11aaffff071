"""Front-desk register prints: the goods-out pass with its stub (物品放行条 / 存根) on one A4 sheet
cut along the dashed line, and the registers' daily lists (代收快递登记表 with the collectors'
signature column, 来访人员登记表, 物品放行登记表) as landscape tables. Pure renderers:
app.frontdesk.prints builds the data."""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from app.printing.base import FormRenderer, esc, grid_style, label_value_table
from app.printing.key_forms import KeyListData, KeyListForm, signature_row


@dataclass(frozen=True)
class GoodsPassData:
    number: str
    room_code: str
    consent: str          # 业主本人到场 / 电话确认（138****1234）
    consent_by: str
    consent_at: str
    items: tuple          # (name, quantity, unit)
    carrier: str
    plate: str
    valid_date: str
    issued_at: str
    issued_by: str
    status: str
    office_hours: str


class CutLine(Flowable):
    """A dashed line across the page with 沿此线剪开 in its middle."""

    def __init__(self, width):
        super().__init__()
        self.width, self.height = width, 8 * mm

    def draw(self):
        c = self.canv
        c.saveState()
        c.setDash(4, 3)
        c.setLineWidth(0.6)
        y = self.height / 2
        c.line(0, y, self.width / 2 - 18 * mm, y)
        c.line(self.width / 2 + 18 * mm, y, self.width, y)
        c.setFont("CJK", 8)
        c.drawCentredString(self.width / 2, y - 1.2 * mm, "沿此线剪开")
        c.restoreState()


class GoodsPassForm(FormRenderer):
    title = "物品放行条"

    def _part(self, d: GoodsPassData, heading: str, note: str, signers):
        w = 174 * mm
        state = "" if d.status == "已开具" else f"　　（补打：本条{d.status}）"
        out = [Paragraph(esc(heading), self.st["title"]),
               Paragraph(esc(f"编号：{d.number}　　开具时间：{d.issued_at}{state}"), self.st["small"]),
               Spacer(1, 2 * mm)]
        rows = [["房号", d.room_code, "业主同意", f"{d.consent_by}　{d.consent}"],
                ["搬运人", d.carrier, "车牌", d.plate or "—"],
                ["有效期至", d.valid_date, "经办人", d.issued_by]]
        out.append(label_value_table(rows, [w * 0.14, w * 0.36, w * 0.14, w * 0.36]))
        head = [Paragraph(esc(h), self.st["cell_c"]) for h in ("序号", "物品名称", "数量", "单位")]
        body = [[str(i), Paragraph(esc(n), self.st["cell"]), str(q), u] for i, (n, q, u) in enumerate(d.items, 1)]
        t = Table([head] + body, colWidths=[w * 0.1, w * 0.6, w * 0.15, w * 0.15], repeatRows=1)
        t.setStyle(grid_style([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F0F0F0")),
                               ("ALIGN", (0, 1), (0, -1), "CENTER"), ("ALIGN", (2, 1), (3, -1), "CENTER")]))
        out += [Spacer(1, 2 * mm), t, Spacer(1, 2 * mm), Paragraph(esc(note), self.st["body"]),
                signature_row(signers, w)]
        return out

    def story(self, d: GoodsPassData):
        stub = self._part(d, "物品放行条 存根", "存根由客服中心留存备查。", ["业主签字", "经办人签字"])
        hours = f"客服中心办公时间：{d.office_hours}。" if d.office_hours else ""
        main = self._part(d, "物品放行条", "请门岗核对物品、数量与本条相符后放行，并收回本条交客服中心。"
                          f"本条有效期至{d.valid_date}，涂改无效。{hours}", ["门岗查验签字", "放行时间"])
        return [*stub, Spacer(1, 3 * mm), CutLine(174 * mm), Spacer(1, 3 * mm), *main]


def render_goods_pass(settings, data: GoodsPassData) -> bytes:
    """物品放行条 with its 存根 on one A4 page, as PDF bytes."""
    form = GoodsPassForm(settings, data.number)
    form.count_pages = False
    return form.render(data)


PARCEL_HEADERS = ("单号", "房号", "收件人", "快递公司", "快递单号", "存放", "收件时间", "状态", "领取时间", "保管费",
                  "领取人签字")
PARCEL_WIDTHS = (27, 18, 20, 20, 32, 16, 27, 22, 27, 16, 36)
VISITOR_HEADERS = ("访客姓名", "证件", "来访房号", "被访人", "事由", "同行", "车牌", "来访时间", "离开时间",
                   "访客签字")
VISITOR_WIDTHS = (22, 50, 20, 22, 30, 11, 24, 22, 22, 38)
PASS_HEADERS = ("编号", "房号", "业主同意", "物品", "搬运人", "车牌", "有效期", "状态", "放行时间", "查验人")
PASS_WIDTHS = (27, 18, 36, 60, 18, 22, 22, 16, 27, 15)
LETTING_HEADERS = ("编号", "房号", "租售", "租金/售价", "可入住", "业主", "业主条件", "登记时间")
LETTING_WIDTHS = (28, 20, 13, 32, 22, 18, 87, 37)
ROUNDS_HEADERS = ("编号", "巡查时间", "地点", "发现情况", "跟进措施", "状态", "巡查人", "处理结果")
ROUNDS_WIDTHS = (28, 27, 30, 60, 45, 16, 18, 53)
SIGN_ROW = 9 * mm   # room for a signature
REGISTERS = {"parcels": ("代收快递登记表", PARCEL_HEADERS, PARCEL_WIDTHS, SIGN_ROW),
             "visitors": ("来访人员登记表", VISITOR_HEADERS, VISITOR_WIDTHS, SIGN_ROW),
             "passes": ("物品放行登记表", PASS_HEADERS, PASS_WIDTHS, None),
             "parcels_overdue": ("超时未取包裹清单", PARCEL_HEADERS, PARCEL_WIDTHS, SIGN_ROW),
             "letting": ("租售房源登记表", LETTING_HEADERS, LETTING_WIDTHS, None),
             "rounds": ("巡查记录表", ROUNDS_HEADERS, ROUNDS_WIDTHS, None)}


def render_register(settings, kind: str, data: KeyListData) -> bytes:
    """A register's list (REGISTERS: parcels, visitors, passes, parcels_overdue, letting) as landscape PDF;
    rows of data.overdue_rows shaded."""
    title, headers, widths, height = REGISTERS[kind]
    return KeyListForm(settings, title, headers, widths, row_height=height).render(data)


@dataclass(frozen=True)
class PhoneListData:
    title_note: str
    rows: tuple          # (category, name, person, phone, phone2, address)
    service_phone: str
    office_hours: str = ""


class PhoneListForm(FormRenderer):
    """常用电话表: the contacts by category (a shaded heading row per category)."""
    title = "客服中心常用电话表"

    def story(self, d: PhoneListData):
        w = 174 * mm
        cell = self.st["cell"]
        head = [Paragraph(esc(h), self.st["cell_c"]) for h in ("单位", "负责人", "电话", "备用电话", "地址")]
        body, shade, last = [head], [], None
        for category, name, person, phone, phone2, address in d.rows:
            if category != last:
                shade.append(len(body))
                body.append([Paragraph(esc(category), self.st["cell"]), "", "", "", ""])
                last = category
            body.append([Paragraph(esc(name), cell), Paragraph(esc(person), cell), phone, phone2,
                         Paragraph(esc(address), cell)])
        t = Table(body, colWidths=[w * 0.30, w * 0.16, w * 0.17, w * 0.17, w * 0.20], repeatRows=1)
        extra = [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E0E0E0"))]
        for i in shade:
            extra += [("SPAN", (0, i), (-1, i)), ("BACKGROUND", (0, i), (-1, i), colors.HexColor("#F0F0F0"))]
        t.setStyle(grid_style(extra))
        out = self.title_block(d.title_note)
        line = "　　".join(x for x in (f"客服中心电话：{d.service_phone}" if d.service_phone else "",
                                        f"办公时间：{d.office_hours}" if d.office_hours else "") if x)
        if line:
            out.append(Paragraph(esc(line), self.st["body"]))
            out.append(Spacer(1, 2 * mm))
        return out + [t]


@dataclass(frozen=True)
class SiteFactsData:
    site_name: str
    facts: tuple          # (label, value)


class SiteFactsForm(FormRenderer):
    title = "项目概况"

    def story(self, d: SiteFactsData):
        w = 174 * mm
        pairs = [(label, value or "—") for label, value in d.facts]
        rows = [[*pairs[i], *(pairs[i + 1] if i + 1 < len(pairs) else ("", ""))] for i in range(0, len(pairs), 2)]
        return self.title_block(d.site_name) + [label_value_table(rows, [w * 0.18, w * 0.32, w * 0.18, w * 0.32])]


def render_phone_list(settings, data: PhoneListData) -> bytes:
    return PhoneListForm(settings).render(data)


def render_site_facts(settings, data: SiteFactsData) -> bytes:
    return SiteFactsForm(settings).render(data)


@dataclass(frozen=True)
class ShiftEntry:
    number: str
    kind: str             # 交接 / 更正
    shift: str
    hours: str
    events: str
    pending: str
    items: tuple          # (label, count, unit)
    cash: str             # counted in the drawer ("" when not counted)
    expected: str         # float + the day's cash receipts
    receipts: str         # the day's receipts total
    diff: str             # 相符 / 多 x / 少 x
    handed_name: str
    taken_name: str
    handed_at: str
    corrects: str         # the number a correction corrects


@dataclass(frozen=True)
class ShiftDayData:
    day: str
    entries: tuple        # ShiftEntry


class ShiftDayForm(FormRenderer):
    """交接班记录 of one day on A4: a block per hand-over (shift, what happened, what is handed over,
    the open items counted, the drawer against the day's receipts, both clerks' signatures), the
    corrections after the entry they correct."""
    title = "交接班记录"

    def _entry(self, e: ShiftEntry, w):
        cell = self.st["cell"]
        if e.kind == "更正":
            head = f"更正 {e.number}（更正 {e.corrects}，{e.shift}）　{e.handed_at}　{e.handed_name}"
            rows = [["更正内容", Paragraph(esc(e.events).replace("\n", "<br/>"), cell)]]
            if e.cash:
                rows.append(["更正后现金", f"{e.cash} 元"])
            return [Paragraph(esc(head), self.st["body"]), label_value_table(rows, [w * 0.16, w * 0.84]),
                    Spacer(1, 3 * mm)]
        items = "；".join(f"{label} {n} {unit}" for label, n, unit in e.items) or "—"
        money = (f"抽屉现金 {e.cash} 元，应有 {e.expected} 元（备用金＋当日现金收款），{e.diff}"
                 if e.cash else f"未清点现金；应有 {e.expected} 元") + f"；当日收款合计 {e.receipts} 元"
        rows = [["班次", f"{e.shift}（{e.hours}）", "编号", e.number],
                ["交班人", e.handed_name, "接班人", e.taken_name],
                ["交接时间", e.handed_at, "", ""],
                ["值班记事", Paragraph(esc(e.events).replace("\n", "<br/>"), cell), "", ""],
                ["移交事项", Paragraph(esc(e.pending or "—").replace("\n", "<br/>"), cell), "", ""],
                ["未结事项", Paragraph(esc(items), cell), "", ""],
                ["现金与收款", Paragraph(esc(money), cell), "", ""]]
        spans = [("SPAN", (1, i), (3, i)) for i in range(2, 7)]
        t = label_value_table(rows, [w * 0.16, w * 0.44, w * 0.12, w * 0.28],
                              spans + [("BACKGROUND", (1, i), (3, i), colors.white) for i in range(2, 7)])
        return [t, signature_row(["交班人签字", "接班人签字"], w), Spacer(1, 4 * mm)]

    def story(self, d: ShiftDayData):
        w = 174 * mm
        out = self.title_block(f"日期：{d.day}　共 {sum(1 for e in d.entries if e.kind != '更正')} 个班次")
        if not d.entries:
            out.append(Paragraph("当日无交接班记录。", self.st["body"]))
        for e in d.entries:
            out += self._entry(e, w)
        return out


def render_shift_day(settings, data: ShiftDayData) -> bytes:
    """交接班记录 of a day (A4) as PDF bytes."""
    return ShiftDayForm(settings).render(data)
