"""The paper archive of a household (domain.md §2, 000 item 13): the checklist codes."""
from __future__ import annotations

# (code, name, group)
ARCHIVE_DOCUMENTS = [
    ("movein_notice", "入住通知书", "入住资料"),
    ("purchase_invoice", "购房发票复印件", "入住资料"),
    ("movein_procedure", "入住手续书", "入住资料"),
    ("service_agreement", "前期物业管理协议", "入住资料"),
    ("owner_covenant", "业主公约/临时管理规约", "入住资料"),
    ("owner_info_form", "业主情况登记表", "个人资料"),
    ("id_copy_photo", "身份证复印件及照片", "个人资料"),
    ("reno_agreement", "装修管理协议", "装修资料"),
    ("reno_notes", "装修注意事项", "装修资料"),
    ("water_pressure_test", "闭水/打压通知(签证)单", "装修资料"),
    ("reno_application", "装修申请/审批表", "装修资料"),
    ("fire_undertaking", "防火责任书", "装修资料"),
    ("rectification_notice", "整改通知单", "装修资料"),
    ("inspection_form", "验房表", "验房维修资料"),
    ("repair_order", "工程质量维修单", "验房维修资料"),
]
DOC_NAMES = {code: name for code, name, _g in ARCHIVE_DOCUMENTS}
DOC_GROUPS = ["入住资料", "个人资料", "装修资料", "验房维修资料"]


def mark_document(ctx, home_id: int, doc_code: str, on_file: bool = True, notes: str = ""):
    """Tick (or untick) one archive item of a home. Call inside the caller's transaction."""
    from app.core.audit import record
    from models.archive import ArchiveDocument
    if doc_code not in DOC_NAMES:
        raise KeyError(doc_code)
    doc, _ = ArchiveDocument.get_or_create(home=home_id, doc_code=doc_code)
    before = doc.on_file
    doc.on_file = on_file
    doc.received_at = ctx.clock.today() if on_file else None
    doc.received_by = getattr(ctx.user, "id", None) if on_file else None
    if notes:
        doc.notes = notes
    doc.save()
    if before != on_file:
        record(ctx, "archive.document", "home", home_id, {doc_code: before}, {doc_code: on_file})
    return doc
