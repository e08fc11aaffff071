"""The import wizard (导入向导): file → sheets and columns → preview → dry run → import.

Step 1 picks the workbook (.xlsx, .xls, .csv). Step 2 lists its sheets with the role each plays
(proposed from a saved or shipped mapping the workbook fits, else from the header names) and, for the
chosen sheet, each column of its header with the field it goes to — the user corrects both; the links
between sheets are stated (owner number; building + unit + room → room code). Step 3 shows the first
rows exactly as they will be stored, step 4 the dry run's row-level report, step 5 imports in one
transaction and saves the mapping by name. The dry run (下一步 from ③) and the import run on the
background runner (ui.common.progress.ProgressRun: a progress bar with 取消 after 0.6 s; the window stays
responsive, its buttons wait); a cancelled dry run stays on ③ and says nothing was written.
"""
from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import UserError
from ui.common.icons import icon
from ui.common.progress import ProgressRun
from ui.common.tables import fill_table

STEPS = ("① 选择文件", "② 工作表与列", "③ 预览", "④ 试导入", "⑤ 导入")
PREVIEW_STEP, DRY_RUN_STEP = 2, 3
NOT_USED = "（不导入）"
PREVIEW_HEADERS = ["工作表", "行", "房号", "面积(㎡)", "房屋类型", "业主", "联系电话", "待核对"]
LINKS = ("关联方式：业主表与房屋表、车位表按“业主编号”关联；房号由楼栋、单元、房间号组成（1 + 2 + 1001 → 1-2-1001）；"
         "数据右侧空列之后的说明列不导入。")


def _red(text: str) -> str:
    return f"<span style='color:#C62828'>{text}</span>"


class ImportWizard(QDialog):
    def __init__(self, ctx, parent=None, path: str = ""):
        super().__init__(parent)
        from app.golive import fields
        self.ctx, self.fields = ctx, fields
        self.sheets: list = []
        self.specs: dict[str, dict] = {}       # sheet name → {"role": str, "columns": {field: header}}
        self.result_value = None
        self.setWindowTitle("导入向导 — 业主、房屋与车位")
        self.resize(1100, 640)
        self.step_label = QLabel()
        self.stack = QStackedWidget()
        for build in (self._file_page, self._mapping_page, self._preview_page, self._dry_page, self._import_page):
            self.stack.addWidget(build())
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.back_button = QPushButton("上一步")
        self.back_button.clicked.connect(self.back)
        self.next_button = QPushButton("下一步")
        self.next_button.clicked.connect(self.next)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        for b in (self.back_button, self.next_button, close):
            bottom.addWidget(b)
        lay = QVBoxLayout(self)
        lay.addWidget(self.step_label)
        lay.addWidget(self.stack, 1)
        lay.addLayout(bottom)
        self.path.setText(path)
        self._show_step(0)

    # pages --------------------------------------------------------------------------------
    def _file_page(self) -> QWidget:
        w = QWidget()
        self.path = QLineEdit()
        self.path.setPlaceholderText("业主台账或其他物业系统导出的工作簿（.xlsx、.xls、.csv）")
        browse = QPushButton("浏览…")
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        lay = QVBoxLayout(w)
        lay.addLayout(row)
        lay.addWidget(QLabel("支持办公室自己的业主台账（单表），以及其他物业系统导出的多表工作簿（楼栋单元、业主、房屋、车位）。\n"
                             "电话或身份证号有误的行照常导入，错误内容列入“待核对”清单。"))
        lay.addStretch(1)
        return w

    def _mapping_page(self) -> QWidget:
        w = QWidget()
        self.sheet_table = QTableWidget(0, 3)
        self.sheet_table.setHorizontalHeaderLabels(["工作表", "用作", "表头所在行"])
        self.sheet_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.sheet_table.verticalHeader().setVisible(False)
        self.sheet_table.currentCellChanged.connect(lambda r, *_: self._show_columns(r))
        self.column_table = QTableWidget(0, 3)
        self.column_table.setHorizontalHeaderLabels(["列", "表头", "导入为"])
        self.column_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.column_table.verticalHeader().setVisible(False)
        self.mapping_label = QLabel()
        links = QLabel(LINKS)
        links.setWordWrap(True)
        row = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(QLabel("工作表："))
        left.addWidget(self.sheet_table, 1)
        right = QVBoxLayout()
        right.addWidget(QLabel("各列（请核对“导入为”）："))
        right.addWidget(self.column_table, 1)
        row.addLayout(left, 2)
        row.addLayout(right, 3)
        lay = QVBoxLayout(w)
        lay.addWidget(self.mapping_label)
        lay.addLayout(row, 1)
        lay.addWidget(links)
        return w

    def _preview_page(self) -> QWidget:
        w = QWidget()
        self.preview_table = QTableWidget(0, 8)
        self.preview_table.setHorizontalHeaderLabels(PREVIEW_HEADERS)
        self.preview_table.horizontalHeader().setSectionResizeMode(7, QHeaderView.ResizeMode.Stretch)
        self.preview_table.verticalHeader().setVisible(False)
        lay = QVBoxLayout(w)
        lay.addWidget(QLabel("前20行导入后的样子（电话、身份证号有误的，该项留空并列入待核对）："))
        lay.addWidget(self.preview_table, 1)
        return w

    def _dry_page(self) -> QWidget:
        w = QWidget()
        self.dry_text = QPlainTextEdit()
        self.dry_text.setReadOnly(True)
        lay = QVBoxLayout(w)
        lay.addWidget(QLabel("试导入结果（未写入）：逐行列出拒绝的行和待核对的内容"))
        lay.addWidget(self.dry_text, 1)
        return w

    def _import_page(self) -> QWidget:
        w = QWidget()
        self.import_button = QPushButton(icon("import"), "导入")
        self.import_button.clicked.connect(self.do_import)
        self.import_text = QPlainTextEdit()
        self.import_text.setReadOnly(True)
        self.mapping_name = QLineEdit()
        self.mapping_name.setPlaceholderText("映射名称，如：老系统导出")
        self.save_button = QPushButton("保存映射")
        self.save_button.clicked.connect(self.save_mapping)
        row = QHBoxLayout()
        row.addWidget(self.import_button)
        row.addStretch(1)
        row.addWidget(QLabel("把本次的工作表与列的对应保存为："))
        row.addWidget(self.mapping_name)
        row.addWidget(self.save_button)
        lay = QVBoxLayout(w)
        lay.addLayout(row)
        lay.addWidget(self.import_text, 1)
        return w

    # navigation ---------------------------------------------------------------------------
    def _show_step(self, i: int):
        self.stack.setCurrentIndex(i)
        self.step_label.setText("　".join(f"<b>{s}</b>" if k == i else s for k, s in enumerate(STEPS)))
        self.back_button.setEnabled(i > 0)
        self.next_button.setEnabled(i < len(STEPS) - 1)

    def back(self):
        self._show_step(max(0, self.stack.currentIndex() - 1))

    def busy(self) -> bool:
        """A dry run is running (the navigation waits for it)."""
        run = getattr(self, "dry_run", None)
        return run is not None and not run.done()

    def next(self):
        i = self.stack.currentIndex()
        self.message.setText("")
        if i == PREVIEW_STEP:
            self._start_dry_run()
            return
        step = (self._load, self._to_preview, None, lambda: True)[i]   # ③ → ④: _start_dry_run
        try:
            ok = step()
        except UserError as exc:
            self.message.setText(_red(str(exc)))
            return
        if ok:
            self._show_step(i + 1)

    def browse(self):
        path, _ = QFileDialog.getOpenFileName(self, "选择工作簿", "", "Excel 或 CSV 文件 (*.xlsx *.xls *.csv)")
        if path:
            self.path.setText(path)

    # step 1 → 2: read the workbook, propose the mapping -------------------------------------
    def _load(self) -> bool:
        from app.golive import mapping as maps
        from app.golive.readers import read_workbook
        path = self.path.text().strip()
        if not path:
            self.message.setText(_red("文件：请先选择要导入的工作簿"))
            return False
        self.sheets = read_workbook(path)
        found = maps.recognise(self.sheets)
        remembered = maps.remembered_headers()
        self.specs = {}
        if found is not None:
            for b in maps.bind(found, self.sheets, remembered):
                self.specs[b.sheet.name] = {"role": b.spec.role, "row": b.header_row,
                                            "columns": {k: b.names[j] for k, j in b.columns.items()}}
        for s in self.sheets:
            if s.name not in self.specs:
                guess = self.fields.guess_role(s.rows)
                if guess is not None:
                    role, h = guess
                    self.specs[s.name] = {"role": role, "row": h.row, "columns": {k: h.names[j]
                                                                                  for k, j in h.proposal.items()}}
        used = found.title if found is not None else "按表头名称推测"
        self.mapping_label.setText(f"识别为：{used}。请核对每个工作表的用途和各列的对应。")
        self._fill_sheets()
        return True

    def _fill_sheets(self):
        roles = self.fields.ROLE_WORDS
        self.sheet_table.setRowCount(len(self.sheets))
        for r, s in enumerate(self.sheets):
            self.sheet_table.setItem(r, 0, QTableWidgetItem(s.name))
            combo = QComboBox()
            combo.addItems([NOT_USED, *roles.values()])
            spec = self.specs.get(s.name)
            combo.setCurrentText(roles[spec["role"]] if spec else NOT_USED)
            combo.currentTextChanged.connect(lambda text, name=s.name: self._role_changed(name, text))
            self.sheet_table.setCellWidget(r, 1, combo)
            self.sheet_table.setItem(r, 2, QTableWidgetItem(str(spec["row"] + 1) if spec else ""))
        if self.sheets:
            self.sheet_table.setCurrentCell(0, 0)
            self._show_columns(0)

    def _role_changed(self, name: str, text: str):
        role = next((k for k, v in self.fields.ROLE_WORDS.items() if v == text), None)
        if role is None:
            self.specs.pop(name, None)
        else:
            sheet = next(s for s in self.sheets if s.name == name)
            h = self.fields.find_header(sheet.rows, role)
            row = h.row if h else 0
            names = h.names if h else self.fields.table_columns(sheet.rows[0] if sheet.rows else ())
            self.specs[name] = {"role": role, "row": row,
                                "columns": {k: names[j] for k, j in (h.proposal if h else {}).items()}}
        self._show_columns(self.sheet_table.currentRow())

    def _show_columns(self, r: int):
        self.column_table.setRowCount(0)
        if not 0 <= r < len(self.sheets):
            return
        sheet = self.sheets[r]
        spec = self.specs.get(sheet.name)
        if spec is None:
            return
        from app.core.imports import column_name
        names = self.fields.table_columns(sheet.rows[spec["row"]]) if sheet.rows else {}
        by_header = {h: k for k, h in spec["columns"].items()}
        options = [NOT_USED] + [self.fields.LABELS[k] for k in self.fields.ROLE_FIELDS[spec["role"]]]
        self.column_table.setRowCount(len(names))
        for i, (j, text) in enumerate(names.items()):
            self.column_table.setItem(i, 0, QTableWidgetItem(column_name(j)))
            self.column_table.setItem(i, 1, QTableWidgetItem(text))
            combo = QComboBox()
            combo.addItems(options)
            key = by_header.get(text)
            combo.setCurrentText(self.fields.LABELS[key] if key else NOT_USED)
            combo.currentTextChanged.connect(lambda label, name=sheet.name, header=text:
                                             self._column_changed(name, header, label))
            self.column_table.setCellWidget(i, 2, combo)

    def _column_changed(self, sheet: str, header: str, label: str):
        columns = self.specs[sheet]["columns"]
        for k in [k for k, h in columns.items() if h == header]:
            del columns[k]
        key = next((k for k, v in self.fields.LABELS.items() if v == label), None)
        if key:
            columns[key] = header

    def mapping(self):
        """The mapping as the user corrected it."""
        from app.golive.mapping import Mapping, SheetMap
        specs = [SheetMap(v["role"], name, False, dict(v["columns"]),
                          {"house_type": "高层"} if v["role"] == "homes" and "house_type" not in v["columns"] else {})
                 for name, v in self.specs.items()]
        return Mapping("向导", "导入向导中的对应", specs, "file")

    # steps 3–5 ----------------------------------------------------------------------------
    def _to_preview(self) -> bool:
        from app.golive.owners_import import preview
        rows = preview(self.ctx, self.path.text().strip(), self.mapping())
        fill_table(self.preview_table, [
            (r["sheet"], r["row"], r["room"], f"{r['home']['area_x100'] / 100:.2f}" if "area_x100" in r["home"] else "",
             r["home"].get("house_type", ""), r["owner"].get("name", ""), r["owner"].get("phone", ""),
             "；".join(r["pending"])) for r in rows])
        return True

    def _start_dry_run(self):
        """Step ③ → ④ on the background runner: the full import rolled back, with progress and 取消."""
        from app.golive.owners_import import import_owners
        try:
            mapping = self.mapping()
        except UserError as exc:
            self.message.setText(_red(str(exc)))
            return
        self.back_button.setEnabled(False)
        self.next_button.setEnabled(False)
        self.message.setText("正在试导入…")
        self.dry_run = (ProgressRun(self, self.ctx, "正在试导入业主档案…", import_owners, self.ctx,
                                    self.path.text().strip(), mapping, dry_run=True, write=True, title="试导入未完成")
                        .success(self._dry_done).failure(self._dry_failed).run())
        self.last_run = self.dry_run

    def _dry_done(self, rep):
        self.dry_text.setPlainText("\n".join(rep.lines()))
        self.message.setText(rep.summary())
        self._show_step(DRY_RUN_STEP)

    def _dry_failed(self, exc):
        from app.core.progress import Cancelled
        self._show_step(PREVIEW_STEP)
        text = "试导入已取消，未写入任何数据。" if isinstance(exc, Cancelled) else str(exc)
        self.message.setText(_red(text))

    def do_import(self):
        from app.golive.owners_import import import_owners
        self.import_button.setEnabled(False)
        self.last_run = (ProgressRun(self, self.ctx, "正在导入业主档案…", import_owners, self.ctx,
                                     self.path.text().strip(), self.mapping(), write=True, title="导入未完成")
                         .changes("archives").success(self._imported).failure(self._failed).run())

    def _imported(self, rep):
        self.result_value = rep
        self.import_text.setPlainText("\n".join(rep.lines()))
        self.message.setText(rep.summary())

    def _failed(self, exc):
        self.import_button.setEnabled(True)
        self.message.setText(_red(str(exc)))

    def save_mapping(self):
        from app.golive.mapping import save
        try:
            save(self.ctx, self.mapping(), self.mapping_name.text())
        except UserError as exc:
            self.message.setText(_red(str(exc)))
            return
        self.message.setText(f"映射已保存为“{self.mapping_name.text().strip()}”，下次导入同样的工作簿会自动识别")
