"""Entering the site key from the recovery sheet (站点密钥恢复单): at start when this PC has no key
for the site's encrypted data, and from the 安全 menu. Printing the sheet is in the 安全 menu too."""
from __future__ import annotations

from ui.common.forms import Field, FormDialog

INTRO = ("本机没有（或不是）本站点的数据加密密钥。请取出经理保管的《站点密钥恢复单》，"
         "输入其中的密钥（44个字符，空格可省略）和6位校验码。")


def key_import_dialog(parent, data_dir, url, intro: str = INTRO) -> FormDialog:
    """The dialog; ``exec()`` is true when the key was checked and kept (``result_value`` says where)."""
    from app.archives.key_sheet import import_site_key

    fields = [Field("key", "站点密钥", "text", "", required=True, placeholder="44个字符，区分大小写，空格可省略"),
              Field("check", "校验码", "text", "", required=True, placeholder="6位数字")]
    dlg = FormDialog("输入站点密钥", fields, lambda v: import_site_key(data_dir, url, v["key"], v["check"]),
                     parent, intro, ok_text="核对并保存", error_title="密钥未保存", inline_errors=True)
    dlg.setObjectName("key_import_dialog")
    return dlg


def print_key_sheet(window):
    from app.archives.key_sheet import recovery_sheet_pdf
    from ui.common.ops import run_action
    from ui.common.print_preview import preview
    pdf = run_action(window, recovery_sheet_pdf, window.ctx, title="恢复单未生成")
    if pdf is not None:
        return preview(window, pdf, "站点密钥恢复单", "站点密钥恢复单.pdf", kind="a4")
    return None


def enter_key(window):
    from ui.common.ops import info
    ctx = window.ctx
    dlg = key_import_dialog(window, ctx.data_dir, ctx.url,
                            "在本机输入《站点密钥恢复单》上的密钥（例如核对恢复单是否抄写正确，或本机凭据被清除后）。")
    if dlg.exec():
        info(window, f"站点密钥已核对并保存到{dlg.result_value}", "站点密钥")
