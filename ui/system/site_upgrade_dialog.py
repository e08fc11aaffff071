"""After an upgrade: what the new site file changed (old → new), shown once to the manager."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout

from app.system.site_settings import acknowledge_site_changes
from ui.common.ops import run_action
from ui.common.widgets import fit_to_screen

HEADERS = ("设置项", "原站点值", "新站点值", "现在使用")


class SiteChangesDialog(QDialog):
    """The changes of the installer's site file since the manager last saw it. 知道了 remembers them
    as seen (audited); closing the dialog otherwise shows it again at the next start."""

    def __init__(self, ctx, changes: list[dict], parent=None):
        super().__init__(parent)
        self.ctx, self.changes = ctx, changes
        self.setWindowTitle("站点文件已更新")
        lay = QVBoxLayout(self)
        kept = sum(1 for c in changes if c["overridden"])
        text = f"本次升级的站点文件修改了 {len(changes)} 项设置，新值已生效。"
        if kept:
            text += f"\n其中 {kept} 项本处已自行修改，仍使用本处的值（可在“站点设置”中查看来源）。"
        lay.addWidget(QLabel(text))
        self.table = QTableWidget(len(changes), len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        for r, c in enumerate(changes):
            now = c["now"] + ("（本处修改）" if c["overridden"] else "")
            for col, value in enumerate((c["label"], c["old"], c["new"], now)):
                self.table.setItem(r, col, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        lay.addWidget(self.table)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton("知道了", QDialogButtonBox.ButtonRole.AcceptRole)
        self.later_button = buttons.addButton("下次再看", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.acknowledge)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(760, 420)
        fit_to_screen(self)

    def acknowledge(self):
        if run_action(self, acknowledge_site_changes, self.ctx, self.changes, title="未能记录") is None:
            return
        self.accept()


def show_site_changes(window, ctx):
    """At start: remember the site values silently the first time; later, when the site file changed
    and the signed-in user may edit settings, show what changed. Returns the dialog shown, if any."""
    from app.core.permissions import allowed
    from app.system.site_settings import first_start_of_site_file, site_changes
    if first_start_of_site_file(ctx):
        return None
    role = getattr(getattr(ctx, "user", None), "role", None)
    if not allowed(role, "settings.edit"):
        return None
    changes = site_changes(ctx)
    if not changes:
        return None
    dlg = SiteChangesDialog(ctx, changes, window)
    dlg.show()
    return dlg
