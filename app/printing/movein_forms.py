"""Move-in forms: 入住通知书 (batch per cluster), 入住手续书, 验房单, 房屋交接书,
key hand-over list, 工程质量维修单. Each renders the frozen data app.movein.prints builds."""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Spacer, Table

from app.core.money import daxie, fmt_fen
from app.printing.base import FormRenderer, esc, grid_style, label_value_table, signature_line

PROCEDURE = ("身份核验 → 签署《临时管理规约》《前期物业服务协议》《装修管理协议》 → 缴纳物业费 → "
             "会同维修人员验房、签署房屋交接书 → 领取钥匙及《商品住宅使用说明书》《商品住宅质量保证书》")


@dataclass(frozen=True)
class HomeInfo:
    room_code: str
    cluster: str
    building: str
    entrance: str
    area: str
    house_type: str
    owner_name: str
    owner_phone: str      # masked
    owner_id: str         # masked


# ---------------------------------------------------------------- 入住通知书
@dataclass(frozen=True)
class NoticeData:
    site: str
    event_name: str
    start: str
    end: str
    place: str
    homes: tuple[tuple[HomeInfo, int], ...]   # (home, one year's property fee in fen)
    service_phone: str
    issued: str


class MoveInNotice(FormRenderer):
    title = "入住通知书"

    def story(self, data: NoticeData):
        out = []
        for i, (home, fee) in enumerate(data.homes):
            if i:
                out.append(PageBreak())
            out += self.title_block()
            b = self.st["body"]
            out.append(Paragraph(esc(f"尊敬的 {home.owner_name or '业主'} 先生/女士："), b))
            out.append(Spacer(1, 3 * mm))
            out.append(Paragraph(esc(
                f"您购买的{data.site} {home.cluster} {home.building}{home.entrance} {home.room_code} 号房屋"
                f"（建筑面积 {home.area} ㎡，{home.house_type}）已具备交付条件。请您于 {data.start} 至 {data.end} "
                f"期间，到{data.place or '客户服务中心'}办理入住手续。"), b))
            out.append(Spacer(1, 3 * mm))
            out.append(Paragraph("办理入住时请携带：", self.st["h2"]))
            for line in ("1. 业主本人身份证原件及复印件，一寸照片两张；委托他人办理的，另带委托书及受托人身份证；",
                         "2. 购房合同、购房发票复印件；",
                         f"3. 一年物业服务费 {fmt_fen(fee)} 元（{daxie(fee)}），可用现金、银行卡或转账缴纳。"):
                out.append(Paragraph(esc(line), b))
            out.append(Paragraph("办理流程：", self.st["h2"]))
            out.append(Paragraph(esc(PROCEDURE), b))
            out.append(Spacer(1, 6 * mm))
            if data.service_phone:
                out.append(Paragraph(esc(f"咨询电话：{data.service_phone}"), b))
            out.append(Spacer(1, 10 * mm))
            out.append(Paragraph(esc(f"{data.site} 客户服务中心"), b))
            out.append(Paragraph(esc(data.issued), b))
        return out


# ---------------------------------------------------------------- per hand-over forms
@dataclass(frozen=True)
class HandoverData:
    home: HomeInfo
    kind: str
    steps: tuple[tuple[str, str, str, str, str], ...]   # name, desc, done_at, done_by, notes
    defects: tuple[tuple[str, str, str, str, str], ...]  # number, room, kind, description, status
    receipt_number: str
    handover_doc_number: str
    keys: tuple[tuple[str, str], ...]                    # key name, copies
    gifts: str
    date: str


def _home_table(r: FormRenderer, home: HomeInfo):
    w = 170 * mm
    return label_value_table([
        ["房号", home.room_code, "组团/楼栋", f"{home.cluster} {home.building}{home.entrance}"],
        ["业主", home.owner_name, "联系电话", home.owner_phone],
        ["建筑面积", f"{home.area} ㎡", "户型", home.house_type],
    ], [w * 0.15, w * 0.3, w * 0.15, w * 0.4])


class ProcedureForm(FormRenderer):
    title = "入住手续书"

    def story(self, data: HandoverData):
        out = self.title_block(f"交付方式：{data.kind}")
        out.append(_home_table(self, data.home))
        out.append(Spacer(1, 4 * mm))
        c = self.st["cell"]
        head = ("序号", "手续", "内容", "办理时间", "经办人", "业主确认")
        rows = [[Paragraph(esc(x), self.st["cell_c"]) for x in head]]
        for i, (name, desc, done_at, by, _notes) in enumerate(data.steps, 1):
            rows.append([Paragraph(str(i), self.st["cell_c"]), Paragraph(esc(name), c), Paragraph(esc(desc), c),
                         Paragraph(esc(done_at), c), Paragraph(esc(by), c), ""])
        t = Table(rows, colWidths=[12 * mm, 24 * mm, 66 * mm, 24 * mm, 20 * mm, 24 * mm], repeatRows=1)
        t.setStyle(grid_style())
        out.append(t)
        out.append(Spacer(1, 4 * mm))
        if data.receipt_number:
            out.append(Paragraph(esc(f"物业费收据号：{data.receipt_number}"), self.st["body"]))
        out.append(Spacer(1, 8 * mm))
        out.append(signature_line(["业主签字", "客服经办人", "日期"]))
        return out


class InspectionForm(FormRenderer):
    title = "验房单"

    def story(self, data: HandoverData):
        out = self.title_block()
        out.append(_home_table(self, data.home))
        out.append(Spacer(1, 4 * mm))
        c = self.st["cell"]
        rows = [[Paragraph(esc(x), self.st["cell_c"]) for x in ("维修单号", "部位", "类别", "问题描述", "状态")]]
        for number, room, kind, desc, status in data.defects:
            rows.append([Paragraph(esc(number), c), Paragraph(esc(room), c), Paragraph(esc(kind), c),
                         Paragraph(esc(desc), c), Paragraph(esc(status), c)])
        for _ in range(max(0, 12 - len(data.defects))):
            rows.append(["", "", "", "", ""])
        t = Table(rows, colWidths=[28 * mm, 20 * mm, 18 * mm, 84 * mm, 20 * mm], repeatRows=1,
                  rowHeights=[None] + [8 * mm] * (len(rows) - 1))
        t.setStyle(grid_style())
        out.append(t)
        out.append(Spacer(1, 4 * mm))
        out.append(Paragraph(esc(f"共发现问题 {len(data.defects)} 项。"
                                 "以上问题已如实记录，由物业转交施工单位限期整改。"),
                             self.st["body"]))
        out.append(Spacer(1, 8 * mm))
        out.append(signature_line(["业主签字", "验房人员", "日期"]))
        return out


class HandoverDocForm(FormRenderer):
    title = "房屋交接书"

    def story(self, data: HandoverData):
        out = self.title_block()
        if data.handover_doc_number:
            self.doc_number = data.handover_doc_number
        out.append(_home_table(self, data.home))
        out.append(Spacer(1, 5 * mm))
        b = self.st["body"]
        text = (f"业主 {data.home.owner_name} 已于 {data.date} 会同物业服务中心对 {data.home.room_code} "
                "号房屋进行验收。"
                f"验房发现问题 {len(data.defects)} 项，已记入验房单并以工程质量维修单转施工单位整改，"
                "整改期间业主予以配合。"
                "自本交接书签署之日起，业主接收该房屋，房屋的使用、装修及安全由业主负责，物业费按《前期物业服务协议》计收。")
        out.append(Paragraph(esc(text), b))
        out.append(Spacer(1, 4 * mm))
        out.append(Paragraph(esc("随房交付：全部钥匙、《商品住宅使用说明书》、《商品住宅质量保证书》" +
                                 (f"，礼品：{data.gifts}" if data.gifts else "") + "。"), b))
        out.append(Spacer(1, 12 * mm))
        out.append(signature_line(["业主（签字）", "物业服务中心（盖章）"]))
        out.append(signature_line(["日期", "日期"]))
        return out


class KeyListForm(FormRenderer):
    title = "钥匙移交清单"

    def story(self, data: HandoverData):
        out = self.title_block()
        out.append(_home_table(self, data.home))
        out.append(Spacer(1, 4 * mm))
        c = self.st["cell"]
        rows = [[Paragraph(esc(x), self.st["cell_c"]) for x in ("序号", "钥匙名称", "数量", "业主核对")]]
        for i, (name, copies) in enumerate(data.keys, 1):
            rows.append([Paragraph(str(i), self.st["cell_c"]), Paragraph(esc(name), c), Paragraph(esc(copies), c), ""])
        for _ in range(max(0, 6 - len(data.keys))):
            rows.append(["", "", "", ""])
        t = Table(rows, colWidths=[15 * mm, 95 * mm, 25 * mm, 35 * mm], rowHeights=[None] + [8 * mm] * (len(rows) - 1))
        t.setStyle(grid_style())
        out.append(t)
        out.append(Spacer(1, 4 * mm))
        out.append(Paragraph(esc("同时交付：《商品住宅使用说明书》《商品住宅质量保证书》各一份。"), self.st["body"]))
        out.append(Spacer(1, 8 * mm))
        out.append(signature_line(["领取人签字", "移交人", "日期"]))
        return out


# ---------------------------------------------------------------- 工程质量维修单
@dataclass(frozen=True)
class RepairOrderData:
    number: str
    home: HomeInfo
    room: str
    kind: str
    description: str
    recorded_at: str
    builder: str
    status: str
    sent_at: str
    fixed_at: str
    closed_at: str


class RepairOrderForm(FormRenderer):
    title = "工程质量维修单"

    def story(self, d: RepairOrderData):
        self.doc_number = d.number
        out = self.title_block()
        w = 170 * mm
        out.append(label_value_table([
            ["维修单号", d.number, "登记时间", d.recorded_at],
            ["房号", d.home.room_code, "业主", d.home.owner_name],
            ["联系电话", d.home.owner_phone, "部位/类别", f"{d.room} / {d.kind}"],
            ["施工单位", d.builder, "状态", d.status],
            ["派单时间", d.sent_at, "修复时间", d.fixed_at],
        ], [w * 0.15, w * 0.35, w * 0.15, w * 0.35]))
        out.append(Spacer(1, 4 * mm))
        t = label_value_table([["问题描述", d.description], ["维修情况", ""], ["业主验收意见", ""]],
                              [w * 0.15, w * 0.85])
        t._argH = [None, 30 * mm, 25 * mm]
        out.append(t)
        out.append(Spacer(1, 8 * mm))
        out.append(signature_line(["施工单位签字", "业主签字", "客服签字"]))
        return out
