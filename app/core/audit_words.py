"""Words, not codes: the Chinese for the audit log's action codes, entities and recorded fields, and
the change of one row as 字段：修改前 → 修改后 lines. Unknown codes and fields show as they are."""
from __future__ import annotations

import json

from app.core.audit_personal import unseal_tree

# every action code that app/ records (tests/system/test_audit_words.py keeps this list complete)
ACTION_LABELS: dict[str, str] = {
    # archives and structure
    "archive.document": "登记档案资料", "archive.export": "导出业主档案", "archive.import": "导入业主档案",
    "archive.scan": "上传档案扫描件", "owner.anonymise": "业主资料匿名化", "owner.create": "新建业主",
    "owner.link": "关联业主与房屋", "owner.photo": "更新业主照片", "owner.primary": "设为主业主",
    "owner.remove": "解除业主与房屋关联", "owner.update": "修改业主资料", "resident.create": "新增住户",
    "resident.delete": "删除住户", "resident.update": "修改住户", "home.handover": "房屋交付",
    "home.state": "变更房屋状态", "home.update": "修改房屋资料", "visit.create": "新建拜访计划",
    "visit.record": "登记拜访", "familiarity.create": "熟知率检查",
    "structure.building.create": "新建楼栋", "structure.building.delete": "删除楼栋",
    "structure.building.manager": "指定楼栋管理员", "structure.cluster.create": "新建组团",
    "structure.cluster.delete": "删除组团", "structure.entrance.create": "新建单元",
    "structure.entrance.delete": "删除单元", "structure.home.create": "新建房屋",
    "structure.home.delete": "删除房屋", "structure.home.update": "修改房屋",
    # personal data
    "pii.print_full": "打印完整个人信息", "pii.reveal_id": "查看完整身份证号", "pii.reveal_phone": "查看完整电话",
    # keys and loans
    "keys.create": "新增钥匙", "keys.update": "修改钥匙", "keys.hand_over": "移交钥匙",
    "keys.inspection": "空置房巡查", "keys.register_door_keys": "登记房门钥匙", "keys.return": "归还钥匙",
    "keys.sign_out": "借出钥匙", "loans.item_active": "启用/停用借用物品", "loans.item_create": "新增借用物品",
    "loans.item_update": "修改借用物品", "loans.lend": "借出物品", "loans.return": "归还物品",
    # front-desk registers
    "parcels.check_in": "代收快递", "parcels.refuse": "拒收快递", "parcels.pick_up": "领取快递",
    "visitors.enter": "来访登记", "visitors.leave": "访客离开", "passes.issue": "开具物品放行条",
    "passes.use": "物品放行", "passes.cancel": "作废物品放行条", "frontdesk.export": "导出前台登记",
    "contacts.create": "新增通讯录联系人", "contacts.update": "修改通讯录联系人",
    "contacts.active": "停用/启用通讯录联系人",
    "shiftlog.hand_over": "交接班", "shiftlog.correct": "更正交接班记录",
    "letting.list": "登记租售房源", "letting.withdraw": "撤回租售房源", "letting.seek": "登记求租求购",
    "letting.viewing": "预约看房", "letting.deal": "租售成交",
    "rounds.record": "记录巡查", "rounds.handle": "巡查问题已处理", "rounds.to_service": "巡查转报修",
    # ledger and dunning
    "ledger.arrears_flags": "更新欠费标记", "ledger.bill_month": "月度计费", "ledger.charge": "登记收费",
    "ledger.bill_print": "打印缴费通知单",
    "ledger.charge_item_add": "新增收费项目", "ledger.charge_item_edit": "修改收费项目",
    "ledger.demo_payments": "演示数据：收款", "ledger.demo_readings": "演示数据：抄表", "ledger.export": "导出台账",
    "ledger.pay": "收款开票", "ledger.prepay": "预交费用", "ledger.reading": "录入抄表读数",
    "ledger.shared_reading": "录入公摊表金额",
    "ledger.item_count": "设定计费数量", "ledger.item_count_import": "导入计费数量",
    "ledger.refund": "退款", "ledger.reprint": "补打收据", "ledger.subscribe": "登记订用",
    "ledger.sync_items": "同步收费标准", "ledger.unsubscribe": "停止订用", "ledger.void": "作废收据",
    "ledger.waive": "减免费用", "ledger.reduce_propose": "申请减免", "ledger.reduce_approve": "批准减免",
    "ledger.reduce_reject": "驳回减免", "dunning.phone": "电话催缴", "dunning.notice2": "发出二次催缴通知",
    "dunning.notice3": "发出三次催缴通知",
    "dunning.visit": "上门催缴", "dunning.escalate": "催缴问题转经理", "dunning.override": "经理特批发出三次通知",
    # move-in
    "movein.booking": "预约搬家", "movein.booking.gate": "搬家放行", "movein.cancel": "取消入住办理",
    "movein.defect": "登记交房缺陷", "movein.developer_confirmed": "确认开发商手续",
    "movein.event.create": "新建集中交房活动", "movein.start": "开始入住办理", "movein.identity": "入住：核验身份",
    "movein.agreements": "入住：签署协议", "movein.payment": "入住：缴费", "movein.inspection": "入住：验房",
    "movein.keys": "入住：领取钥匙", "defect.close": "关闭缺陷", "defect.fixed": "缺陷已整改",
    "defect.send": "缺陷转交开发商",
    # parking
    "parking.card": "办理车卡", "parking.card_cancel": "注销车卡", "parking.card_renew": "车卡续期",
    "parking.forget_owner": "清除车主资料", "parking.release": "收回车位", "parking.rent": "出租车位",
    "parking.sell": "登记车位售出", "parking.space_create": "新增车位", "parking.space_delete": "删除车位",
    "parking.space_update": "修改车位", "parking.subscription_billed": "车位订用计费",
    "parking.subscription_end_billed": "车位订用结束计费", "parking.unwaive": "撤销减免",
    # renovation
    "renovation.abandon": "放弃装修", "renovation.apply": "装修申请", "renovation.approve": "批准装修",
    "renovation.attach": "上传装修资料", "renovation.finish": "装修完工", "renovation.fire": "动火审批",
    "renovation.first_inspection": "装修初验", "renovation.notice": "发出整改通知",
    "renovation.notice_close": "整改完成", "renovation.pass_extend": "出入证延期",
    "renovation.pass_issue": "发放出入证", "renovation.pass_refund": "退出入证押金",
    "renovation.pass_return": "交回出入证", "renovation.patrol": "装修巡查", "renovation.permit": "发放装修许可证",
    "renovation.refund": "退装修押金", "renovation.reject": "驳回装修申请", "renovation.second_inspection": "装修复验",
    "renovation.tests": "闭水与打压试验", "renovation.worker": "登记装修工人",
    "renovation.worker_photo": "更新工人照片",
    # service requests
    "service.arrive": "到场", "service.attach": "上传附件", "service.classify": "投诉定性",
    "service.complete": "完成处理",
    "service.contact": "联系报事人", "service.dispatch": "派工", "service.edit": "更正报事投诉",
    "service.escalate": "升级处理", "service.export": "导出报事投诉", "service.intake": "受理报事投诉",
    "service.regrade": "调整等级", "service.reply": "答复", "service.reply_letter": "起草回复函",
    "service.reply_letter_sent": "寄出回复函", "service.report": "上报", "service.schedule_visit": "安排回访",
    "service.visit": "回访",
    # notices for the board
    "notice.create": "起草公告", "notice.update": "修改公告", "notice.approve": "审批公告",
    "notice.print": "打印公告", "notice.post": "张贴公告", "notice.take_down": "撤下公告",
    "notice.attach": "上传公告附件", "notice.export": "导出公告登记", "notice.template_update": "修改公告模板",
    "notice.template_create": "新建公告模板",
    # system
    "audit.reseal": "审计日志密钥封存",
    "site_key.print_sheet": "打印站点密钥恢复单",
    "auth.fail": "登录失败", "auth.login": "登录", "backup.create": "备份", "backup.restore": "恢复数据库",
    "restore.fail": "恢复时经理密码错误", "backup.seal": "旧备份整体加密",
    "settings.update": "修改站点设置", "settings.site_upgrade": "站点文件更新（升级）",
    "user.change_password": "修改密码", "user.create": "新建账号",
    "user.create_first_manager": "创建首个经理账号", "user.reset_password": "重置密码", "user.update": "修改账号",
    # going live (imports and the 待核对 worklist)
    "golive.import": "导入上线数据", "golive.balances": "导入期初余额", "golive.register": "导入登记资料",
    "golive.signoff": "上线检查签字", "golive.mapping": "保存导入映射", "golive.history": "导入缴费历史",
    "worklist.flag": "登记待核对",
    "worklist.resolve": "核对待核对事项", "worklist.export": "导出待核对清单",
    "demo.build": "生成演示数据", "demo.build_large": "生成大型演示数据", "demo.service": "演示数据：报事投诉",
}

ENTITY_LABELS: dict[str, str] = {
    "audit_log": "审计日志",
    "pending_check": "待核对事项", "import_mapping": "导入映射",
    "register_import": "上线登记导入", "go_live_signoff": "上线检查签字",
    "charge_item": "收费项目", "payment_history": "缴费历史", "shift_log": "交接班记录",
    "backup": "备份", "billing": "月度计费", "building": "楼栋", "charge": "费用", "charge_standard": "收费标准",
    "cluster": "组团", "defect": "缺陷", "dunning": "催缴通知", "entrance": "单元",
    "familiarity_check": "熟知率检查", "handover": "入住办理", "handover_event": "集中交房活动", "home": "房屋",
    "key": "钥匙", "key_loan": "钥匙借用", "ledger": "台账", "loan": "物品借用", "loan_item": "借用物品",
    "meter_reading": "抄表读数", "moving_booking": "搬家预约", "owner": "业主", "owner_export": "业主档案导出",
    "owner_import": "业主档案导入", "parking_space": "车位", "phone": "电话", "receipt": "收据",
    "renovation": "装修", "renovation_notice": "整改通知", "renovation_patrol": "装修巡查",
    "parcel": "代收快递", "visitor": "来访登记", "goods_pass": "物品放行条", "contact": "通讯录",
    "renovation_worker": "装修工人", "resident": "住户", "service_request": "报事投诉", "settings": "站点设置",
    "site": "小区", "subscription": "订用", "user": "账号", "vacant_inspection": "空置房巡查", "vehicle": "车辆",
    "visit": "拜访", "notice": "公告", "notice_template": "公告模板", "notice_register": "公告登记",
    "reduction": "减免申请",
    "item_count": "计费数量",
    "letting_listing": "租售房源", "letting_seeker": "求租求购登记", "letting_viewing": "看房预约",
    "round_entry": "巡查记录",
}

# the recorded fields: model columns and the keys that services write into the log
FIELD_LABELS: dict[str, str] = {
    # charge items of the office (ChargeRule), payment history, go-live imports and sign-offs
    "bill_month": "计费月份", "cycle": "收费周期", "due_day": "缴费日", "formula": "计费方式", "meter_kind": "表类",
    "scope": "适用范围", "scope_values": "适用房屋", "tiers": "阶梯单价", "valid_to": "有效期至",
    "billed_fen": "应收金额", "paid_on": "缴费日期", "period_from": "起始月份", "period_to": "截止月份",
    "counts": "数量", "signed_at": "签字时间", "signed_by": "签字人", "summary": "摘要",
    "file_name": "文件名", "file_sha256": "文件校验值", "imported_at": "导入时间", "imported_by": "导入人",
    # front desk: shift log, letting, rounds
    "shift": "班次", "shift_date": "班次日期", "hours": "班次时间", "slot": "班次", "open_items": "未结事项",
    "cash_fen": "抽屉现金", "float_fen": "备用金", "receipts_fen": "当日收款", "cash_receipts_fen": "当日现金收款",
    "handed_at": "交接时间", "handed_name": "交班人", "taken_by": "接班人", "taken_name": "接班人",
    "corrects": "更正的记录", "price_fen": "租金/售价", "available_from": "可入住日期", "terms": "业主条件",
    "listed_at": "登记时间", "listed_by": "登记人", "needs": "需求", "budget_fen": "预算", "listing": "房源",
    "seeker": "求租人", "at": "时间", "guide": "带看人", "agreement_signed_at": "签订服务费协议时间",
    "fee_rate": "代理费标准", "fee_pct": "代理费比例", "water_reading": "水表读数", "power_reading": "电表读数",
    "concluded_at": "成交时间", "concluded_by": "成交经办人", "found": "发现情况", "follow_up": "跟进措施",
    "patrolled_by": "巡查人", "handled_at": "处理时间",
    # common
    "label": "字段名称", "raw_text": "原始内容", "raw_enc": "原始内容（加密）", "resolved_at": "核对时间",
    "resolved_by": "核对人", "resolution": "处理说明", "saved_at": "保存时间", "saved_by": "保存人",
    "id": "编号", "name": "名称", "code": "代码", "kind": "类别", "state": "状态", "status": "状态", "note": "备注",
    # reductions (减免)
    "mode": "减免方式", "percent": "减免比例", "applied_fen": "实际减免金额", "proposed_fen": "申请减免金额",
    "reduced_fen": "减免金额", "proposed_by": "申请人", "proposed_at": "申请时间", "decided_at": "审批时间",
    "notes": "备注", "memo": "摘要", "reason": "原因", "text": "内容", "content": "内容", "description": "描述",
    "created_at": "创建时间", "created_by": "创建人", "updated_at": "修改时间", "added_at": "添加时间",
    "added_by": "添加人", "date": "日期", "count": "数量", "number": "编号", "numbers": "编号范围", "value": "值",
    "active": "启用", "ok": "合格", "valid": "有效", "result": "结果", "source": "来源", "source_id": "来源编号",
    "file": "文件", "doc": "资料", "form": "表单", "field": "字段", "set": "新标记户数", "from": "原值", "to": "新值",
    "start": "开始", "last": "最后", "since": "起始", "until": "截止", "month": "月份", "year": "年份",
    "rows": "行数", "size": "大小", "sha256": "校验值", "seed": "随机种子", "dry_run": "试算", "events": "活动数",
    "pending": "待办", "cleared": "解除标记户数", "by_item": "各项笔数", "prepaid_lines": "预交抵扣笔数",
    "prepaid_fen": "预交抵扣金额", "attachment": "附件", "stored_path": "存放位置",
    "original_name": "原文件名", "variant": "版本", "sort_order": "排序", "plan": "计划", "purpose": "用途",
    # people and accounts
    "username": "用户名", "display_name": "姓名", "role": "角色", "phone": "电话", "phone2": "电话2",
    "locked_until": "锁定至", "last_login": "最近登录", "failed_logins": "登录失败次数",
    "must_change_password": "须修改密码", "password_hash": "密码", "user": "用户", "staff": "经办人",
    "owner": "业主", "owners": "业主", "owner_name": "业主姓名", "gender": "性别", "birth_date": "出生日期",
    "id_type": "证件类型", "id_masked": "证件号（遮蔽）", "id_tail": "证件号后四位", "id_hash": "证件号摘要",
    "id_enc": "证件号（加密）", "masked": "遮蔽显示", "full_pii": "完整个人信息", "name_pinyin": "姓名拼音",
    "native_place": "籍贯", "education": "学历", "employer": "工作单位", "work_address": "单位地址",
    "spouse_name": "配偶姓名", "spouse_phone": "配偶电话", "spouse_employer": "配偶单位",
    "family_structure": "家庭结构", "residents_count": "居住人数", "residents_info": "住户情况",
    "relation": "关系", "is_primary": "主业主", "is_tenant": "租户", "is_key_customer": "重点客户",
    "key_customer_tags": "重点客户标签", "anonymised": "已匿名化", "on_file": "已存档",
    "identity_checked": "已核验身份",
    "occupancy": "居住情况", "lease_from": "租期起", "lease_to": "租期止", "move_in_date": "入住日期",
    "arrears_flag": "欠费标记", "arrears_reason": "欠费原因", "arrears_complaint": "欠费投诉", "lawsuit": "诉讼",
    "special_requests": "特殊要求", "suggestions": "建议", "opinion": "意见", "opinions": "意见",
    "satisfaction": "满意度", "score": "得分", "questions": "问题", "knew_name": "知道姓名",
    "knew_family": "知道家庭", "knew_employer": "知道单位", "knew_payment": "知道缴费",
    "owner_knows_manager": "业主认识管家", "visitor": "拜访人", "visit_date": "拜访日期", "visited_at": "回访时间",
    "visits": "拜访数", "updated_owners": "更新业主数", "created_owners": "新增业主数", "created_homes": "新增房屋数",
    "imported": "导入条数", "rejected": "拒绝条数",
    # property structure
    "home": "房屋", "homes": "房屋数", "room": "房号", "room_code": "房号", "room_codes": "房号",
    "building": "楼栋", "building_id": "楼栋", "cluster": "组团", "entrance": "单元", "unit": "单元",
    "floor": "楼层", "floors": "层数", "area": "面积", "area_x100": "面积（m²）", "house_type": "房屋类型",
    "handover_date": "交付日期", "area_manager": "楼栋管理员", "builder": "施工单位", "doc_code": "资料代码",
    # ledger
    "charge": "费用", "charge_id": "费用编号", "item": "收费项目", "item_code": "收费项目", "category": "费用类别",
    "period": "所属月份", "bill_period": "计费月份", "bill_ref": "计费依据", "quantity": "数量",
    "quantity_milli": "数量", "unit_price_fen": "单价", "rate_fen": "标准", "amount_fen": "金额",
    "paid_fen": "已收", "refunded_fen": "已退", "owed_fen": "欠费", "late_fee_fen": "滞纳金",
    "home_id": "房屋", "open_count": "未结笔数", "oldest_due": "最早到期日", "newest_due": "最近到期日",
    "total_fen": "合计", "monthly_fen": "每月金额", "waived_fen": "减免金额", "charge_fen": "收费金额",
    "fee_fen": "费用", "deposit_fen": "押金", "refund_fen": "退款金额", "deposit_refund_fen": "退还押金",
    "rubbish_fen": "垃圾清运费", "due_date": "缴费期限", "receipt": "收据", "receipt_number": "收据号",
    "receipts": "收据数", "method": "付款方式", "payer": "付款人", "reference": "凭证号", "cashier": "收款人",
    "cashier_name": "收款人", "lines": "明细", "months": "月数", "paid_ahead": "预交", "waived": "减免",
    "billed_now": "本次计费", "reprint_count": "补打次数", "void_reason": "作废原因", "voided_at": "作废时间",
    "voided_by": "作废人", "refund": "退款", "reading": "读数", "readings": "读数", "reading_x100": "读数",
    "usage_x100": "用量",
    "reading_date": "抄表日期", "new_meter": "新表", "standards": "收费标准", "basis": "收费依据",
    "charge_memo": "费用摘要", "deposit_charge_id": "押金费用编号", "fee_charge_id": "费用编号",
    "rubbish_charge_id": "垃圾清运费编号", "deposit_receipt": "押金收据", "refund_payment_id": "退款记录",
    "refund_voucher": "退款凭证", "as_of": "截至", "stage": "催缴阶段", "outcome": "结果",
    "record_date": "登记日期", "start_period": "起始月份", "end_period": "截止月份", "setting_key": "设置项",
    # keys and loans
    "key": "钥匙", "holder": "持有人", "holders": "持有人", "keeper_place": "存放位置", "keeper_person": "保管人",
    "place": "地点", "copies": "份数", "copy_no": "份号", "out_at": "借出时间", "returned_at": "归还时间",
    "returned_by": "归还人", "returned_on": "归还日期", "return_notes": "归还说明", "borrower_kind": "借用人类别",
    "borrower_name": "借用人", "borrower_signed": "借用人签字", "condition": "状况", "condition_in": "归还状况",
    "condition_out": "借出状况", "damage_notes": "损坏说明", "lost": "遗失", "deadline": "期限", "due_at": "应还时间",
    "handed_over_at": "移交时间", "handed_over_to": "移交给", "receiver": "领取人", "received_at": "收到时间",
    "received_by": "接收人", "received_user": "接收人", "needs_id": "需证件", "spot_check": "抽查",
    "inspector": "检查人", "inspected_on": "检查日期", "findings": "发现问题", "water_ok": "水正常",
    "pressure_ok": "打压合格",
    # move-in and defects
    "handover": "入住办理", "handover_doc_number": "交接书编号", "home_state_before": "原房屋状态", "step": "步骤",
    "done_at": "办理时间", "done_by": "办理人", "event": "交房活动", "developer_confirmed": "开发商手续已确认",
    "developer_confirmed_at": "确认时间", "developer_confirmed_by": "确认人", "developer_done": "开发商已办结",
    "gifts": "礼品", "owner_signed": "业主签字", "owner_confirmed": "业主确认", "intercom_explained": "已讲解对讲",
    "safety_advice_given": "已告知安全事项", "fixed_at": "整改时间", "sent_on": "送出日期", "sent_at": "送出时间",
    "sent_by": "送出人", "send_method": "送达方式", "closed_at": "关闭时间", "closed_by": "关闭人",
    "closed_on": "关闭日期", "closure_note": "关闭说明", "move_date": "搬家日期", "time_slot": "时段",
    "mover": "搬家公司", "driver_name": "司机", "group_size": "人数", "passed_to_gate": "已通知门岗",
    "planned_date": "计划日期", "cancel_reason": "取消原因", "cancelled_at": "取消时间",
    # parking
    "space": "车位", "spaces": "车位数", "level": "位置", "vehicle": "车辆", "vehicles": "车辆数", "plate": "车牌",
    "brand": "品牌", "color": "颜色", "card": "车卡", "card_number": "车卡号", "cards_cancelled": "注销车卡数",
    "valid_from": "有效期起", "valid_until": "有效期至", "validity_note": "有效期说明", "moved_aside": "移出",
    "start_date": "开始日期", "end_date": "结束日期",
    # renovation
    "renovation": "装修", "applicant": "申请人", "applicant_phone": "申请人电话", "applied_by": "申请经办人",
    "applied_on": "申请日期", "company": "装修公司", "contractor_name": "装修单位", "contractor_person": "负责人",
    "contractor_phone": "装修单位电话", "contact": "联系人", "contact_name": "联系人", "contact_phone": "联系电话",
    "planned_start": "计划开工", "planned_end": "计划完工", "decided_by": "审批人", "decided_on": "审批日期",
    "decision_note": "审批意见", "permit_number": "许可证号", "permit_by": "发证人", "permit_on": "发证日期",
    "fees_charged_by": "收费经办人", "fees_charged_on": "收费日期", "fire_recorded_by": "动火登记人",
    "fire_signed_by": "动火批准人", "fire_signed_on": "动火批准日期", "first_inspection_by": "初验人",
    "first_inspection_note": "初验意见", "first_inspection_ok": "初验合格", "first_inspection_on": "初验日期",
    "second_inspection_by": "复验人", "second_inspection_note": "复验意见", "second_inspection_ok": "复验合格",
    "second_inspection_on": "复验日期", "second_due": "复验期限", "tests_by": "试验人", "tests_note": "试验说明",
    "tests_on": "试验日期", "tests_signed_by": "试验签字人", "finished_by": "完工登记人", "finished_on": "完工日期",
    "abandon_reason": "放弃原因", "abandoned_by": "登记人", "abandoned_on": "放弃日期", "refunded_by": "退款人",
    "refunded_on": "退款日期", "pass_number": "出入证号", "issued_at": "发放时间", "issued_by": "发放人",
    "issued_on": "发放日期", "patrol_on": "巡查日期", "workers_present": "在场工人数", "measures": "措施",
    "requirement": "要求", "trade": "工种", "registered_by": "登记人", "registered_on": "登记日期",
    "signer_name": "签字人",
    # service requests
    "request": "报事投诉", "requests": "报事投诉数", "caller": "来电人", "channel": "受理渠道", "subject": "事由",
    "media": "媒介", "service_item": "服务项目", "order_number": "派工单号", "handler": "处理人",
    "dispatched_at": "派工时间", "arrived_at": "到场时间", "completed_at": "完成时间", "contacted_at": "联系时间",
    "scheduled_at": "预约时间", "replied_at": "答复时间", "reported_at": "上报时间", "classified_at": "定性时间",
    "complaint_class": "投诉定性", "grade": "等级", "grade_reason": "定级原因", "escalation_level": "升级级别",
    "investigation": "调查情况", "reply": "答复", "letter": "回复函", "drafted_at": "起草时间",
    "drafted_by": "起草人", "report_note": "上报说明", "recorded_at": "登记时间", "recorded_by": "登记人",
    "recorded_on": "登记日期", "read_back": "复述确认", "comment": "评价", "supply_method": "提供方式",
    "started_at": "开始时间", "checked_by": "检查人",
    # notices
    "body": "正文", "title": "标题", "buildings": "楼栋", "entrances": "单元", "scope_text": "张贴范围",
    "post_from": "张贴起", "post_to": "张贴止", "office": "发布单位", "issue_date": "发布日期",
    "approved_by": "审批人", "approved_at": "审批时间", "printed_at": "打印时间", "print_count": "打印份数",
    "paper": "纸张", "posted_at": "张贴时间", "posted_by": "张贴人", "taken_down_at": "撤下时间",
    "taken_down_by": "撤下人", "template": "模板", "days": "张贴天数",
    # front-desk registers
    "recipient": "收件人", "carrier": "快递公司/搬运人", "tracking_no": "快递单号", "refuse_reason": "拒收原因",
    "picked_at": "领取时间", "collector_name": "领取人", "collector_signed": "领取人签字", "handed_by": "交付人",
    "host": "被访人", "companions": "同行人数", "entered_at": "来访时间", "left_at": "离开时间",
    "consent": "业主同意方式", "consent_by": "同意人", "consent_phone": "业主电话", "consent_at": "同意时间",
    "items": "物品", "valid_date": "有效日期", "used_at": "放行时间", "person": "负责人", "address": "地址",
    # audit and system
    "chain": "校验方式", "legacy_head": "旧链头", "head": "审计链头",
    "check_digits": "校验码", "key_enc": "密钥（已加密）",
    "action": "操作", "entity": "对象", "entity_id": "对象编号", "before": "修改前", "after": "修改后",
    "ts": "时间", "seq": "序号", "hash": "哈希", "prev_hash": "前序哈希",
}

HIDDEN_FIELDS = frozenset({"updated_at", "name_pinyin", "id_hash", "id_enc", "password_hash", "hash", "prev_hash"})
EMPTY = "（空）"


# Where a charge or payment came from (Charge.source / Payment.source): the desk that wrote it.
SOURCE_WORDS = {"billing": "月度计费", "prepay": "预交物业费", "parking": "车位管理", "loan": "借用登记",
                "renovation": "装修管理", "service": "报事投诉", "movein": "入住办理",
                "parcel": "代收快递", "opening": "上线期初余额", "reduction": "减免",
                "letting": "租售登记"}


def action_label(code: str) -> str:
    """The Chinese for an action code; an unknown code as it is."""
    return ACTION_LABELS.get(code, code)


def entity_label(entity: str) -> str:
    return ENTITY_LABELS.get(entity, entity)


def field_label(name) -> str:
    """A recorded field in Chinese: the label map, a site setting's own label, else the name."""
    name = str(name)
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    from app.core.settings import BY_KEY
    setting = BY_KEY.get(name)
    return setting.label if setting is not None else name


def value_text(name, value) -> str:  # noqa: PLR0911 - one return per kind of value
    """One recorded value as a clerk reads it: money in yuan, areas in m², 是/否, roles in Chinese."""
    from app.core.money import fmt_fen
    name = str(name)
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        inner = "fen" if name == "lines" else ""
        return "，".join(f"{_key_text(name, k)} {value_text(inner or k, v)}" for k, v in value.items())
    if name in ("item", "item_code"):
        return item_name(str(value))
    if name == "lines" and isinstance(value, int):
        return f"{value} 笔"
    if isinstance(value, list | tuple):
        return "、".join(value_text(name, v) for v in value)
    if isinstance(value, int) and (name.endswith("_fen") or name == "fen"):
        return fmt_fen(value, symbol=True)
    if isinstance(value, int) and name.endswith("_x100"):
        return f"{value / 100:g}"
    if isinstance(value, int) and name == "quantity_milli":
        return f"{value / 1000:g}"
    if name == "role":
        from models.users import ROLES
        return ROLES.get(str(value), str(value))
    if name == "method":
        from models.ledger import PAY_METHODS
        return PAY_METHODS.get(str(value), str(value))
    if name == "source":
        return SOURCE_WORDS.get(str(value), str(value))
    return str(value)


def _key_text(parent: str, key) -> str:
    if parent == "lines":
        return f"费用{key}"
    if parent == "by_item":
        return item_name(str(key))
    return field_label(key)


def item_name(code: str) -> str:
    """A charge item's Chinese name from the standards table (the code when it is not there)."""
    from models.ledger import ChargeItem
    row = ChargeItem.select(ChargeItem.name).where(ChargeItem.code == code).first()
    return row.name if row is not None else code


def _parsed(raw):
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        return raw
    try:
        return unseal_tree(json.loads(raw))   # personal fields sealed per owner (app.core.audit_personal)
    except ValueError:
        return raw


def change_lines(before, after) -> list[str]:
    """The change of one audit row as lines 字段：修改前 → 修改后 (a new row: 字段：值; a removed one:
    字段：值 → （删除）). *before*/*after* are the stored JSON texts or the values."""
    b, a = _parsed(before), _parsed(after)
    if not isinstance(b, dict) and not isinstance(a, dict):
        if b is None and a is None:
            return []
        return [f"{value_text('', b)} → {value_text('', a)}" if b is not None else value_text("", a)]
    b = b if isinstance(b, dict) else {}
    a = a if isinstance(a, dict) else {}
    out = []
    for key in list(a) + [k for k in b if k not in a]:
        if key in HIDDEN_FIELDS:
            continue
        label = field_label(key)
        if key in b and key in a:
            if b[key] != a[key]:
                out.append(f"{label}：{value_text(key, b[key])} → {value_text(key, a[key])}")
        elif key in a:
            if a[key] not in (None, ""):
                out.append(f"{label}：{value_text(key, a[key])}")
        elif b[key] not in (None, ""):
            out.append(f"{label}：{value_text(key, b[key])} → （删除）")
    return out


def room_of(before, after) -> str:
    """The room code the row names itself (``home`` or ``room_code`` as text), if any."""
    for raw in (after, before):
        d = _parsed(raw)
        if isinstance(d, dict):
            for key in ("room_code", "home"):
                if isinstance(d.get(key), str) and d[key]:
                    return d[key]
    return ""


def codes_matching(text: str) -> tuple[list[str], list[str]]:
    """Action and entity codes whose Chinese contains *text* (the log's filter takes Chinese too)."""
    text = (text or "").strip()
    if not text:
        return [], []
    return ([c for c, label in ACTION_LABELS.items() if text in label],
            [c for c, label in ENTITY_LABELS.items() if text in label])
