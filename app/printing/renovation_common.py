"""What the renovation forms share (domain.md §4, §8): the head of every form (home, applicant,
contractor) and the form base class. The forms themselves: renovation_application (装修申请/审批表,
闭水/打压确认单, 防火责任书), renovation_permit (装修许可证, 施工人员出入证), renovation_patrol
(装修巡查日志, 违规/整改通知单, 日常抽查单), renovation_completion (装修竣工验收表, 装修保证金退还单).
Each renders the frozen data that app.renovation.prints builds."""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph

from app.core.money import fmt_fen
from app.printing.base import FormRenderer, esc

W = 174 * mm  # usable width of an A4 page with the base margins


def yuan(fen) -> str:
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


def head_rows(h: RenoHead):
    return [["房号", h.home.room_code, "位置", h.home.place],
            ["户型", h.home.house_type, "建筑面积", f"{h.home.area} ㎡"],
            ["申请人", h.applicant, "联系电话", h.applicant_phone],
            ["施工单位", h.contractor, "负责人 / 电话", f"{h.contractor_person}  {h.contractor_phone}"]]


COLS4 = [26 * mm, 61 * mm, 26 * mm, 61 * mm]


class RenovationForm(FormRenderer):
    def h2(self, text):
        return Paragraph(esc(text), self.st["h2"])

    def p(self, text, style="body"):
        return Paragraph(esc(text), self.st[style])
