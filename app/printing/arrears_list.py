"""欠费清单: the households in arrears on a day, one section per area manager or per building (each
section on its own pages, with its total), for the area managers by the 5th (domain.md §7)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Spacer, Table

from app.core.money import fmt_fen
from app.printing.base import FormRenderer, esc, grid_style, signature_line

HEADS = ("序号", "房号", "业主", "电话", "欠费月数", "最早应缴", "欠费（元）")


@dataclass(frozen=True)
class ArrearsLine:
    room_code: str
    owners: str
    phone: str          # masked
    months: int
    oldest_due: str
    owed_fen: int


@dataclass(frozen=True)
class ArrearsSection:
    title: str          # 客服管理员 张管家 / 3号楼
    lines: tuple[ArrearsLine, ...]

    @property
    def total_fen(self) -> int:
        return sum(x.owed_fen for x in self.lines)


@dataclass(frozen=True)
class ArrearsList:
    as_of: dt.date
    by: str             # 客服管理员 / 楼栋
    sections: tuple[ArrearsSection, ...]


class ArrearsListForm(FormRenderer):
    title = "欠费清单"

    def section(self, data, sec) -> list:
        st = self.st
        out = self.title_block(f"截至 {data.as_of:%Y-%m-%d}　{sec.title}　共 {len(sec.lines)} 户，"
                               f"合计 {fmt_fen(sec.total_fen)} 元")
        rows = [[Paragraph(esc(h), st["cell_c"]) for h in HEADS]]
        for i, x in enumerate(sec.lines, 1):
            rows.append([str(i), x.room_code, Paragraph(esc(x.owners), st["cell"]), x.phone, str(x.months),
                         x.oldest_due, fmt_fen(x.owed_fen)])
        rows.append(["", "合计", "", "", str(sum(x.months for x in sec.lines)), "", fmt_fen(sec.total_fen)])
        t = Table(rows, colWidths=[12 * mm, 24 * mm, 40 * mm, 28 * mm, 18 * mm, 24 * mm, 28 * mm], repeatRows=1)
        t.setStyle(grid_style([("ALIGN", (4, 1), (4, -1), "RIGHT"), ("ALIGN", (6, 1), (6, -1), "RIGHT")]))
        out += [t, Spacer(1, 8 * mm), signature_line(["客服管理员", "领取日期"])]
        return out

    def story(self, data):
        if not data.sections:
            return self.title_block(f"截至 {data.as_of:%Y-%m-%d}") + [Paragraph("没有欠费住户。", self.st["body"])]
        out = []
        for k, sec in enumerate(data.sections):
            if k:
                out.append(PageBreak())
            out += self.section(data, sec)
        return out


def render_arrears_list(settings, data: ArrearsList) -> bytes:
    return ArrearsListForm(settings).render(data)
