"""The written reply to a complaint (投诉处理回复函 / 复函), A4.

Addressed to the complainant (name, room, masked phone): the complaint as received (date,
number, content), the investigation, the outcome, the apology and measures as entered, the
office's contact, its signature/seal line and date, and a receipt slip (回执) for a letter
handed over in person. A pure renderer: app.service.forms builds the frozen data (the letter,
the masked phone, the dates as text) and offers complaint_reply_pdf(ctx, …).
"""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from app.printing.base import FONT_NAME, FormRenderer, esc

CN_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class ComplaintReplyData:
    number: str                 # FH2026-000001
    request_number: str         # FW2026-000001
    site: str
    office: str                 # 天伦庄园客户服务中心
    company: str
    complainant: str
    room_code: str
    phone_masked: str
    channel: str
    received_on: str            # 2026年11月23日
    complaint_class: str
    subject: str
    content: str
    investigation: str
    outcome: str
    measures: str
    contact_name: str
    contact_phone: str
    letter_date: str            # the date on the letter (sent, or today for a draft)
    sent: str                   # "2026-11-25 邮寄" once sent, else ""


class ComplaintReplyForm(FormRenderer):
    title = "投诉处理回复函"

    def story(self, d: ComplaintReplyData):
        w = 174 * mm
        body = ParagraphStyle("letter", parent=self.st["body"], fontSize=11, leading=19, firstLineIndent=22)
        plain = ParagraphStyle("letter0", parent=body, firstLineIndent=0)
        head = ParagraphStyle("letter_h", parent=self.st["h2"], fontSize=11.5, leading=18)
        right = ParagraphStyle("letter_r", parent=plain, alignment=TA_RIGHT)
        way = {"信函": "来信", "电话": "来电", "来访": "来访"}.get(d.channel, "向我中心")   # 巡查: no channel of theirs
        out = self.title_block(f"复函编号 {d.number}　（投诉受理编号 {d.request_number}）")
        phone = f"，联系电话 {d.phone_masked}" if d.phone_masked else ""
        out.append(Paragraph(esc(f"尊敬的{d.complainant}（{d.room_code}）："), plain))
        out.append(Paragraph(esc(
            f"您于{d.received_on}{way}反映的{d.complaint_class}类问题（{d.subject}）"
            f"{phone}，我中心已收悉，并已进行调查处理。现将有关情况函复如下："), body))
        sections = [("您反映的问题", d.content), ("调查情况", d.investigation), ("处理结果", d.outcome)]
        if d.measures.strip():
            sections.append(("致歉及整改措施", d.measures))
        for i, (title, text) in enumerate(sections):
            out.append(KeepTogether([Paragraph(esc(f"{CN_NUMERALS[i]}、{title}"), head),
                                     Paragraph(esc(text), body)]))
        contact = "、".join(x for x in (d.contact_name, f"电话 {d.contact_phone}" if d.contact_phone else "") if x)
        closing = "感谢您对我们工作的关心、监督与支持。如您对上述处理结果仍有疑问，欢迎与我们联系"
        closing += f"（联系人：{contact}）。" if contact else "。"
        out.append(Spacer(1, 2 * mm))
        out.append(Paragraph(esc(closing), body))
        out.append(Paragraph(esc("特此函复。"), body))
        sign = [Spacer(1, 12 * mm), Paragraph(esc(f"{d.office}（盖章）"), right)]
        if d.company:
            sign.append(Paragraph(esc(d.company), right))
        sign += [Paragraph(esc(d.letter_date), right), Spacer(1, 4 * mm)]
        people = Table([[Paragraph(esc(f"经办人：{d.contact_name}"), plain),
                         Paragraph(esc("负责人签字：________________"), right)]], colWidths=[w * 0.5, w * 0.5])
        people.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT_NAME), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                    ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
        sign.append(people)
        out.append(KeepTogether(sign))
        # receipt slip for a letter handed over in person: cut along the dashed line
        slip = Table([[Paragraph(esc(
            f"回　执　　复函编号 {d.number}（投诉受理编号 {d.request_number}），{d.room_code} {d.complainant}："
            "本人已收到上述投诉处理回复函。"), self.st["body"])],
            [Paragraph(esc("收件人签字：________________　　　　日期：______年____月____日"), self.st["body"])]],
            colWidths=[w])
        slip.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
                                  ("LINEABOVE", (0, 0), (-1, 0), 0.6, "black", None, (3, 3)),
                                  ("TOPPADDING", (0, 0), (-1, 0), 10), ("TOPPADDING", (0, 1), (-1, 1), 10)]))
        out += [Spacer(1, 10 * mm), KeepTogether([slip])]
        return out


def render_complaint_reply(settings, d: ComplaintReplyData) -> bytes:
    return ComplaintReplyForm(settings, d.number).render(d)
