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
        t = label_value_table(rows, cw, [("SPAN", (1, last), (3, last)), ("BACKGROUND", (1, last), (3, last), colors.white)])
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


def card_form_data(ctx, vehicle_id: int) -> CarCardForm:
    from app.core.errors import NotFound
    from app.core.money import fmt_fen
    from app.core.permissions import require
    from app.core.privacy import mask_phone
    from app.parking.parking import monthly_fee
    from models.parking import Vehicle
    from models.people import ParkingOwner
    require(ctx, "parking.view")
    x = Vehicle.get_or_none(Vehicle.id == vehicle_id)
    if x is None:
        raise NotFound(f"车卡登记不存在（编号 {vehicle_id}）")
    owner = x.owner if x.owner_id else None
    space = x.space if x.space_id else None
    kind = ""
    if space is not None:
        po = ParkingOwner.get_or_none(ParkingOwner.space == space.id)
        kind = po.kind if po else {"已售": "产权", "已租": "租用"}.get(space.state, "")
    id_text = f"{owner.id_type} {owner.id_masked}" if owner is not None and owner.id_masked else ""
    issued_by = x.created_by.display_name if x.created_by_id else ""
    expired = x.status == "有效" and x.valid_until < ctx.clock.today()
    return CarCardForm(
        number=x.number, card_number=x.card_number, room_code=x.home.room_code,
        owner_name=owner.name if owner is not None else "", id_text=id_text, driver_name=x.driver_name,
        phone=mask_phone(x.phone), plate=x.plate, brand=x.brand, color=x.color,
        space_code=space.code if space is not None else "—", level=space.level if space is not None else "",
        kind=kind or "—", monthly_fee=fmt_fen(monthly_fee(ctx, space.level)) if space is not None else "—",
        valid_from=f"{x.valid_from:%Y-%m-%d}", valid_until=f"{x.valid_until:%Y-%m-%d}",
        identity_checked=x.identity_checked, issued_by=issued_by, issued_at=f"{x.created_at:%Y-%m-%d %H:%M}",
        status="已过期" if expired else x.status, notes=x.notes)


def car_card_pdf(ctx, vehicle_id: int) -> bytes:
    d = card_form_data(ctx, vehicle_id)
    return CarCardRenderer(ctx.settings, d.number).render(d)
