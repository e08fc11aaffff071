"""Two notices printed from live data: the fee standards poster (收费标准公示: every charge item
with its rate and legal basis, and the paid-service price list) and the monthly work report for
owners (项目月度工作报告: work done, requests handled, collection rate, next month's plans). Both
carry the board's coloured heading (通告 green), the issuing office, the seal line and the office
hours. Pure renderers: app.notices.posters builds the data."""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from app.printing.base import FormRenderer, esc, grid_style
from app.printing.notice import PAGES, heading_band, notice_styles
from app.printing.notice_body import Block


@dataclass(frozen=True)
class FeePoster:
    standards: tuple[tuple[str, str, str, str, str], ...]    # item, variant, rate, unit, basis
    services: tuple[tuple[str, str, str, str], ...]           # service, owner price, market price, unit
    office: str
    issue_date: str
    office_hours: str
    service_phone: str
    paper: str = "A4"


@dataclass(frozen=True)
class MonthlyReport:
    month_text: str                                          # 2026年11月
    work: tuple[Block, ...]                                  # 本月主要工作
    requests: tuple[tuple[str, ...], ...]                    # heading row then rows
    kpis: tuple[tuple[str, ...], ...]                        # heading row then rows
    collection: tuple[tuple[str, ...], ...]                  # heading row then rows
    collection_note: str
    plans: tuple[Block, ...]                                 # 下月工作计划
    office: str
    issue_date: str
    office_hours: str
    service_phone: str
    paper: str = "A4"


MARKS = "①②③④⑤⑥⑦⑧⑨⑩"
INTRO = "根据有关规定，现将本小区物业服务及代收费用的收费标准公示如下，欢迎广大业主监督。"


class _BoardPoster(FormRenderer):
    """A board poster: no site header; the office hours at the foot."""
    count_pages = False
    band_text = ""

    def __init__(self, settings, paper: str):
        super().__init__(settings)
        self.pagesize = PAGES.get(paper, PAGES["A4"])
        self.scale = 1.41 if paper == "A3" else 1.0
        s = self.scale
        self.margins = (18 * mm * s, 18 * mm * s, 14 * mm * s, 14 * mm * s)
        self.nst = notice_styles(s)
        self.nst["band"] = ParagraphStyle("poster_band", parent=self.nst["band"], fontSize=24 * s, leading=28 * s)
        self.nst["small_cell"] = ParagraphStyle("small_cell", parent=self.nst["cell"], fontSize=9.5 * s, leading=11 * s)
        self.nst["sign"] = ParagraphStyle("poster_sign", parent=self.nst["sign"], fontSize=11 * s, leading=16 * s)
        self.width = self.pagesize[0] - self.margins[0] - self.margins[1]

    def _decorate(self, canvas, doc, total=None):
        return None

    def table(self, rows, widths, header=True, small=False):
        st = self.nst["small_cell" if small else "cell"]
        t = Table([[Paragraph(esc(c), st) for c in r] for r in rows], colWidths=[w * self.width for w in widths],
                  repeatRows=1 if header else 0)
        pad = [("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)] if small else []
        t.setStyle(grid_style([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE"))] * header + pad))
        return t

    def h2(self, text):
        return Paragraph(esc(text), self.nst["greeting"])

    def tail(self, d, note: str = "") -> list:
        """Office hours and phone on the left, the issuing office, date and seal line on the right."""
        lines = [f"办公时间：{d.office_hours}"] + ([f"客服中心电话：{d.service_phone}"] if d.service_phone else [])
        left = [Paragraph(esc(x), self.nst["foot"]) for x in ([note] if note else []) + lines]
        right = [Paragraph(esc(x), self.nst["sign"]) for x in (d.office, d.issue_date, "（盖章）______________")]
        t = Table([[left, right]], colWidths=[self.width * 0.55, self.width * 0.45])
        t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        return [Spacer(1, 2 * mm), KeepTogether([t])]


class FeePosterForm(_BoardPoster):
    title = "收费标准公示"

    def story(self, d: FeePoster):
        st = self.nst
        out = [heading_band("通告", "收费标准公示", self.width, st["band"]), Spacer(1, 3 * mm),
               Paragraph(esc(INTRO), st["body"]),
               self.h2("一、收费项目及标准")]
        bases = list(dict.fromkeys(r[4] for r in d.standards if r[4]))
        rows = [(*r[:4], MARKS[bases.index(r[4])] if r[4] else "") for r in d.standards]
        out += [self.table([("收费项目", "类别", "收费标准（元）", "单位", "收费依据")] + rows,
                           (0.34, 0.17, 0.17, 0.17, 0.15), small=True),
                *[Paragraph(esc(f"{MARKS[i]} {b}"), st["foot"]) for i, b in enumerate(bases)],
                Spacer(1, 3 * mm), self.h2("二、有偿服务价格"),
                self.table([("服务项目", "业主价（元）", "市场价（元）", "单位")] + list(d.services),
                           (0.34, 0.22, 0.22, 0.22), small=True),
                ]
        return out + self.tail(d, "以上收费均开具正式收据。如对收费有疑问，请到客服中心咨询。")


class MonthlyReportForm(_BoardPoster):
    title = "项目月度工作报告"

    def __init__(self, settings, paper: str):
        super().__init__(settings, paper)
        s = self.scale
        for key, lead in (("body", 17), ("greeting", 17), ("item", 16)):   # a month's report fits one page
            self.nst[key] = ParagraphStyle(f"report_{key}", parent=self.nst[key], fontSize=11.5 * s, leading=lead * s)

    def story(self, d: MonthlyReport):
        from app.printing.notice import body_flowables
        st = self.nst
        out = [heading_band("通告", f"{d.month_text}项目工作报告", self.width, st["band"]), Spacer(1, 3 * mm),
               Paragraph(esc("尊敬的业主/住户："), st["greeting"]),
               Paragraph(esc(f"感谢您对物业服务工作的支持，现将{d.month_text}的主要工作汇报如下："),
                         st["body"]),
               self.h2("一、本月主要工作")]
        out += body_flowables(d.work, st, self.width)
        out += [self.h2("二、报事报修与投诉处理"), self.table(d.requests, (0.25, 0.25, 0.25, 0.25), small=True),
                Spacer(1, 2 * mm)]
        if len(d.kpis) > 1:
            out += [self.table(d.kpis, (0.4, 0.2, 0.2, 0.2), small=True), Spacer(1, 1 * mm)]
        out += [self.h2("三、物业费收缴情况"), self.table(d.collection, (0.4, 0.2, 0.2, 0.2), small=True),
                Paragraph(esc(d.collection_note), st["foot"]), self.h2("四、下月工作计划")]
        out += body_flowables(d.plans, st, self.width)
        out.append(Paragraph(esc("欢迎各位业主对我们的工作提出宝贵意见和建议。"), st["body"]))
        return out + self.tail(d)


def render_fee_poster(settings, data: FeePoster) -> bytes:
    return FeePosterForm(settings, data.paper).render(data)


def render_monthly_report(settings, data: MonthlyReport) -> bytes:
    return MonthlyReportForm(settings, data.paper).render(data)
