"""Issue 19 in the window: 站点设置 says where each value comes from, and the first start after an
upgrade lists the site file's changes (old → new) for the manager, once."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from app.core.settings import APPLIED_SITE_FILE, Settings
from app.system.site_settings import acknowledge_site_changes
from models.users import AuditLog

RATE = "fee.property_rate.洋房"


def _site(tmp_path, name, rate):
    path = tmp_path / f"{name}.toml"
    path.write_text(f'[site]\nname = "天伦庄园"\n\n[fee.property_rate]\n"洋房" = {rate}\n', encoding="utf-8")
    return path


def test_settings_dialog_names_each_values_source_and_saves_only_the_change(qtbot, ctx, tmp_path, box_texts):
    from ui.system.settings_dialog import SettingsDialog
    ctx.settings = Settings.load(ctx.data_dir, site_file=_site(tmp_path, "v1", 188))
    dlg = SettingsDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.sources[RATE].text() == "站点文件"
    assert dlg.sources["billing.due_day"].text() == "程序默认"
    assert "站点文件的值：1.88" in dlg.edits[RATE].toolTip() and "程序默认值：1.78" in dlg.edits[RATE].toolTip()
    phone = dlg.edits["site.service_phone"]
    phone.clear()
    qtbot.keyClicks(phone, "0371-60000001")
    save = dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert box_texts == ["已保存 1 项设置。"]
    saved = (ctx.data_dir / "settings.toml").read_text(encoding="utf-8")
    assert saved.strip() == '[site]\nservice_phone = "0371-60000001"'
    again = SettingsDialog(ctx)
    qtbot.addWidget(again)
    assert again.sources["site.service_phone"].text() == "本处修改"


def test_first_start_after_an_upgrade_shows_the_changes_to_the_manager_once(qtbot, ctx, tmp_path):
    from ui.main_window import MainWindow
    ctx.settings = Settings.load(ctx.data_dir, site_file=_site(tmp_path, "v1", 178))
    acknowledge_site_changes(ctx)                 # the site values seen at the last start
    ctx.settings = Settings.load(ctx.data_dir, site_file=_site(tmp_path, "v2", 188))
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.site_changes_dialog is not None)
    dlg = w.site_changes_dialog
    assert dlg.windowTitle() == "站点文件已更新"
    cells = [dlg.table.item(0, c).text() for c in range(4)]
    assert cells == ["物业费 洋房（元/㎡·月）", "1.78", "1.88", "1.88"]
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    assert not dlg.isVisible()
    assert AuditLog.select().where(AuditLog.action == "settings.site_upgrade").count() == 1
    assert "188" in (ctx.data_dir / APPLIED_SITE_FILE).read_text(encoding="utf-8")
    w2 = MainWindow(ctx)                          # the next start: nothing to show
    qtbot.addWidget(w2)
    w2.show()
    qtbot.wait(1200)
    assert w2.site_changes_dialog is None


def test_later_keeps_the_list_for_the_next_start_and_a_clerk_never_sees_it(qtbot, ctx, tmp_path):
    from models.users import User
    from ui.main_window import MainWindow
    ctx.settings = Settings.load(ctx.data_dir, site_file=_site(tmp_path, "v1", 178))
    acknowledge_site_changes(ctx)
    ctx.settings = Settings.load(ctx.data_dir, site_file=_site(tmp_path, "v2", 188))
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.site_changes_dialog is not None)
    qtbot.mouseClick(w.site_changes_dialog.later_button, Qt.MouseButton.LeftButton)
    assert "178" in (ctx.data_dir / APPLIED_SITE_FILE).read_text(encoding="utf-8")   # still to be shown
    clerk = ctx.with_user(User.create(username="clerk1", display_name="前台小李", role="frontdesk"))
    w2 = MainWindow(clerk)
    qtbot.addWidget(w2)
    w2.show()
    qtbot.wait(1200)
    assert w2.site_changes_dialog is None
