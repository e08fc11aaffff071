"""装修申请/审批表, 闭水/打压试验确认单 and 装修防火安全责任书."""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from app.printing.base import esc, label_value_table, signature_line
from app.printing.renovation_common import COLS4, RenoHead, RenovationForm, head_rows


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


class ApplicationForm(RenovationForm):
    title = "装修申请/审批表"

    def story(self, d: ApplicationData):
        out = self.title_block(f"申请编号 {d.head.number}　申请日期 {d.applied_on}　经办 {d.applied_by}")
        plan_row = ["计划工期", d.head.planned, "图纸", "、".join(d.drawings) or "未附"]
        out.append(label_value_table([*head_rows(d.head), plan_row], COLS4))
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


class TestsForm(RenovationForm):
    title = "闭水/打压试验确认单"

    def story(self, d: TestsData):
        out = self.title_block(f"申请编号 {d.head.number}")
        out.append(label_value_table(head_rows(d.head), COLS4))
        out.append(Spacer(1, 3 * mm))
        out.append(label_value_table([["试验日期", d.tests_on, "经办", d.recorded_by],
                                      ["打压试验", f"{d.pressure}（给水管道）",
                                       "闭水试验", f"{d.water}（卫生间、厨房、阳台）"],
                                      ["说明", d.note or "—", "许可证可领", f"{d.permit_from} 起"]], COLS4))
        out.append(Spacer(1, 3 * mm))
        out.append(self.p("打压试验：给水管道试验压力不低于0.6MPa，稳压30分钟压降不超过0.05MPa；"
                          "闭水试验：蓄水深度不低于20mm，持续48小时，楼下无渗漏。业主已到场确认以上结果。"))
        out.append(self.p(f"业主确认人：{d.signed_by}"))
        out.append(signature_line(["业主签字", "施工负责人", "物业工程人员"]))
        return out


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


class FireForm(RenovationForm):
    title = "装修防火安全责任书"

    def story(self, d: FireData):
        out = self.title_block(f"申请编号 {d.head.number}")
        out.append(label_value_table(head_rows(d.head), COLS4))
        out.append(Spacer(1, 3 * mm))
        out.append(self.p(f"为确保{d.site}装修期间的消防安全，业主、施工单位与物业服务中心签订本责任书："))
        for i, c in enumerate(FIRE_CLAUSES, 1):
            out.append(self.p(f"{i}. {c}"))
        out.append(Spacer(1, 4 * mm))
        out.append(self.p(f"签署日期：{d.signed_on or '____年__月__日'}　签署人：{d.signed_by or ''}"))
        out.append(signature_line(["业主签字", "施工负责人签字"]))
        out.append(signature_line(["物业服务中心（盖章）", "日期"]))
        return out
