"""车卡办理登记表 (seed 000 车卡办理): the form the clerk fills after checking the owner's
identity. It states that the card only proves the space is rented (or owned) and is not custody
of the car, and sends the owner to the cashier; identity number and phone are masked."""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from app.printing.base import FormRenderer, esc, label_value_table
from app.printing.key_forms import signature_row

NOT_CUSTODY = ("本车卡仅为租用（使用）上述车位的凭证，不作为车辆看管、保管凭证；物业服务企业不承担车辆及车内物品的"
               "保管责任。车辆进出请服从道口管理，车内请勿存放贵重物品。")
STEPS = ("办理流程：车主申请 → 客服员审核业主身份并填写本表 → 到财务内勤处缴费并取得交款凭证 → "
         "由秩序主管或财务内勤到道口岗充值（开通）后生效。")


@dataclass(frozen=True)
class CarCardForm:
    number: str
    card_number: str
    room_code: str
    owner_name: str
    id_text: str
    driver_name: str
    phone: str
    plate: str
    brand: str
    color: str
    space_code: str
    level: str
    kind: str
    monthly_fee: str
    valid_from: str
    valid_until: str
    identity_checked: bool
    issued_by: str
    issued_at: str
    status: str
    notes: str


class CarCardRenderer(FormRenderer):
    title = "车卡办理登记表"

    def story(self, d: CarCardForm):
        w = 174 * mm
        cw = [w * 0.16, w * 0.34, w * 0.16, w * 0.34]
        rows = [["房号", d.room_code, "业主姓名", d.owner_name],
                ["证件号码", d.id_text or "—", "身份核验", "已核验身份证原件" if d.identity_checked else "未核验"],
                ["车主姓名", d.driver_name, "联系电话", d.phone],
                ["车牌号", d.plate, "品牌型号 / 颜色", " / ".join(x for x in (d.brand, d.color) if x) or "—"],
                ["车位编号", f"{d.space_code}（{d.level}）", "车位性质", d.kind],
                ["车卡号", d.card_number, "车位费", f"{d.monthly_fee} 元/月"],
                ["有效期", f"{d.valid_from} 至 {d.valid_until}", "状态", d.status],
                ["经办人", d.issued_by, "办理时间", d.issued_at],
                ["备注", d.notes or "", "", ""]]
        last = len(rows) - 1
        notes_cell = [("SPAN", (1, last), (3, last)), ("BACKGROUND", (1, last), (3, last), colors.white)]
        t = label_value_table(rows, cw, notes_cell)
        out = self.title_block(f"登记表编号：{d.number}")
        out.append(t)
        out.append(Spacer(1, 5 * mm))
        out.append(Paragraph("<b>" + esc("声明") + "</b>", self.st["h2"]))
        out.append(Paragraph(esc(NOT_CUSTODY), self.st["body"]))
        out.append(Spacer(1, 2 * mm))
        out.append(Paragraph(esc(STEPS), self.st["body"]))
        out.append(Spacer(1, 8 * mm))
        out.append(signature_row(["车主签字", "客服员签字"], w))
        out.append(signature_row(["财务内勤签字", "道口充值人签字"], w))
        return out


def render_car_card(settings, data: CarCardForm) -> bytes:
    """The form as PDF bytes (the parking area builds ``data``: app.parking.cards.car_card_pdf)."""
    return CarCardRenderer(settings, data.number).render(data)
