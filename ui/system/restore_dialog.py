"""Restore a backup. The current database and its -wal/-shm files are moved aside, never deleted.

Two uses: from the menu (the site is open, the manager is signed in) and at start when the
database failed quick_check (nobody can sign in to it: a manager of the chosen backup signs in
with the password stored in that backup)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from app.system import backup
from ui.common.ops import confirm, info, run_action
from ui.common.tables import sortable
from ui.system.buttons import chinese_buttons
from ui.system.table_models import TupleModel

BACKUP_FILTER = "数据库备份 (*.db);;所有文件 (*)"


def _size(p: Path) -> str:
    try:
        return f"{p.stat().st_size / 1024 / 1024:.1f} MB"
    except OSError:
        return ""


class RestoreDialog(QDialog):
    HEADERS = ["备份时间", "类型", "大小", "位置"]

    def __init__(self, ctx=None, parent=None, *, data_dir=None, db_path=None, problem: str = "", settings=None):
        super().__init__(parent)
        self.ctx = ctx
        self.damaged = ctx is None
        self.data_dir = Path(data_dir if data_dir is not None else ctx.data_dir)
        self.db_path = Path(db_path) if db_path is not None else backup.db_file(ctx)
        self.settings = settings if settings is not None else getattr(ctx, "settings", None)
        self.restored = False
        self.setWindowTitle("从备份恢复数据库")
        lay = QVBoxLayout(self)
        if problem:
            warn = QLabel(problem)
            warn.setObjectName("problem")
            warn.setWordWrap(True)
            warn.setStyleSheet("color: #C0392B; font-weight: bold")
            lay.addWidget(warn)
        note = QLabel(f"当前数据库：{self.db_path}\n恢复时当前数据库文件及其日志文件会移到已替换文件夹 "
                      f"{self.db_path.parent / 'replaced'}，不会被删除。")
        note.setWordWrap(True)
        lay.addWidget(note)
        self.model = TupleModel(self.HEADERS, self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        sortable(self.view)
        lay.addWidget(self.view)
        other = QPushButton("选择其他备份文件…")
        other.clicked.connect(self.choose_file)
        row = QHBoxLayout()
        row.addWidget(other)
        row.addStretch(1)
        lay.addLayout(row)
        self.username = self.password = None
        if self.damaged:
            form = QFormLayout()
            self.username = QLineEdit()
            self.username.setObjectName("username")
            self.password = QLineEdit()
            self.password.setObjectName("password")
            self.password.setEchoMode(QLineEdit.EchoMode.Password)
            form.addRow(QLabel("请用所选备份中的经理账号确认："))
            form.addRow("经理登录名", self.username)
            form.addRow("密码", self.password)
            lay.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        chinese_buttons(buttons)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("恢复所选备份")
        buttons.accepted.connect(self.do_restore)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(720, 440)
        self.load()

    def folders(self) -> list[Path]:
        out = [self.data_dir / "backups"]
        second = str(self.settings.get("backup.second_folder") or "").strip() if self.settings else ""
        if second:
            out.append(Path(second))
        return out

    def load(self, extra: Path | None = None):
        entries = []
        for folder in self.folders():
            for when, reason, path in backup.list_backups(folder):
                entries.append((when, reason, path))
        entries.sort(key=lambda e: e[0], reverse=True)
        rows = [(f"{w:%Y-%m-%d %H:%M:%S}", backup.reason_text(r, p), _size(p), str(p.parent)) for w, r, p in entries]
        keys = [p for _w, _r, p in entries]
        if extra is not None:
            rows.insert(0, ("（所选文件）", extra.name, _size(extra), str(extra.parent)))
            keys.insert(0, extra)
        self.model.set_rows(rows, keys)
        if keys:
            self.view.selectRow(0)

    def choose_file(self):
        path, _ = QFileDialog.getOpenFileName(self, "选择备份文件", str(self.data_dir), BACKUP_FILTER)
        if path:
            self.load(Path(path))

    def selected_path(self) -> Path | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.keys[rows[0].row()] if rows else None

    def _restore_damaged(self, path: Path):
        from app.system.restore_guard import check_manager
        backup.check_backup_file(path)
        check_manager(self.data_dir, path, self.username.text().strip(), self.password.text())
        return backup.restore_file(self.db_path, path, check_lock=False)

    def do_restore(self, _checked=False, ask: bool = True):
        path = self.selected_path()
        if path is None:
            info(self, "请先选择一个备份。")
            return
        if ask and not confirm(self, f"用 {path.name} 替换当前数据库？\n当前数据库（及其日志文件）会移到已替换文件夹 "
                                     f"{self.db_path.parent / 'replaced'} 保存，不会被删除。"):
            return
        if self.damaged:
            moved = run_action(self, self._restore_damaged, path, title="未恢复")
        else:
            moved = run_action(self, backup.restore, self.ctx, path, own_lock=True, title="未恢复")
        if moved is None:
            return
        self.restored = True
        self.moved = moved
        if ask:
            info(self, "已恢复。原数据库文件已移到：\n" + "\n".join(str(p) for p in moved))
        self.accept()
