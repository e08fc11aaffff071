"""During the works: 装修巡查日志, 违规/整改通知单 and the daily spot-check sheet (装修日常抽查单)."""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table

from app.printing.base import esc, grid_style, label_value_table, signature_line
from app.printing.renovation_common import COLS4, RenoHead, RenovationForm, head_rows


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


class PatrolLogForm(RenovationForm):
    title = "装修巡查日志"

    def story(self, d: PatrolLogData):
        out = self.title_block(f"申请编号 {d.head.number}　装修许可证 {d.permit}")
        out.append(label_value_table(head_rows(d.head), COLS4))
        out.append(Spacer(1, 3 * mm))
        c = self.st["cell"]
        head = ("日期", "巡查人", "结果", "巡查情况（防水、结构、用电、消防、垃圾、噪音）", "在场人数", "备注")
        rows = [[Paragraph(x, self.st["cell_c"]) for x in head]]
        for ln in d.lines:
            rows.append([Paragraph(esc(v), c) for v in (ln.day, ln.inspector, ln.ok, ln.findings, ln.workers, ln.spot)])
        rows += [[""] * 6 for _ in range(d.blank_rows)]
        t = Table(rows, colWidths=[22 * mm, 18 * mm, 20 * mm, 76 * mm, 19 * mm, 19 * mm], repeatRows=1,
                  rowHeights=[None] * (1 + len(d.lines)) + [9 * mm] * d.blank_rows)
        t.setStyle(grid_style([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F0F0F0"))]))
        out.append(t)
        out.append(signature_line(["客服主管审核", "日期"]))
        return out


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


class NoticeForm(RenovationForm):
    title = "违规/整改通知单"

    def story(self, d: NoticeData):
        self.title = d.kind
        out = self.title_block(f"编号 {d.number}　开具日期 {d.issued_on}")
        out.append(self.p(f"{d.head.home.room_code} 业主 {d.head.applicant} / 施工单位 {d.head.contractor}："))
        out.append(Spacer(1, 2 * mm))
        out.append(label_value_table([["违规/问题事实", Paragraph(esc(d.content), self.st["cell"])],
                                      ["整改要求", Paragraph(esc(d.requirement or "立即停止违规行为，恢复原状"),
                                                             self.st["cell"])],
                                      ["整改期限", f"请于 {d.deadline} 前整改完毕，逾期将按《装修管理协议》处理，"
                                                   "并可从装修保证金中扣除相应费用"],
                                      ["开具人", d.issued_by]], [34 * mm, 140 * mm]))
        out.append(signature_line(["业主/施工负责人签收", "日期"]))
        out.append(self.h2("整改复查"))
        out.append(label_value_table([["复查结果", d.closed or ""]], [34 * mm, 140 * mm],
                                     [("TOPPADDING", (0, 0), (-1, -1), 10), ("BOTTOMPADDING", (0, 0), (-1, -1), 10)]))
        out.append(signature_line(["复查人", "日期"]))
        return out


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


class SpotSheetForm(RenovationForm):
    title = "装修日常抽查单"

    def story(self, d: SpotSheetData):
        out = self.title_block(f"抽查日期 {d.day}　施工中 {d.under_works} 户，今日抽查 {len(d.lines)} 户")
        c, cc = self.st["cell"], self.st["cell_c"]
        head = ["房号", "施工单位 / 负责人", "上次巡查", "未结通知", "到场时间",
                "检查情况（防水、结构、用电、消防、垃圾、噪音、出入证）", "施工方签字"]
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
