"""业主档案, left pane: the site tree (site → clusters → buildings → entrances, entrances made when a
building is first expanded) and the filter box under it."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.archives.customers import CATEGORIES
from app.archives.listing import NOT_MOVED_IN
from app.archives.structure import structure_tree
from models.property import HOME_STATES
from ui.archives.household import ID_ROLE

ALL = "全部"
KIND_ROLE = Qt.ItemDataRole.UserRole
EXPAND_ALL_CLUSTERS = 12     # at most this many clusters: all of them open at start
MIN_TREE_WIDTH = 200         # building names stay readable however narrow the splitter was left


class SiteTree(QTreeWidget):
    """The structure of the site with the number of homes of each node."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self._pending_entrances: dict[int, list] = {}
        self.setHeaderLabels(["小区结构", "户数"])
        self.setMinimumWidth(MIN_TREE_WIDTH)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.itemExpanded.connect(self.add_entrances)

    @staticmethod
    def _item(label, homes, kind, pk=None) -> QTreeWidgetItem:
        item = QTreeWidgetItem([label, str(homes)])
        item.setData(0, KIND_ROLE, kind)
        if pk is not None:
            item.setData(0, ID_ROLE, pk)
        return item

    def reload(self):
        """Rebuild from app.archives.structure (signals blocked; the site node is selected)."""
        self.blockSignals(True)
        self.clear()
        self._pending_entrances = {}
        data = structure_tree(self.ctx)
        root = self._item(self.ctx.settings.get("site.name"), sum(c["homes"] for c in data), "site")
        self.addTopLevelItem(root)
        for c in data:
            ci = self._item(c["label"], c["homes"], "cluster", c["id"])
            root.addChild(ci)
            for b in c["buildings"]:
                bi = self._item(b["label"], b["homes"], "building", b["id"])
                ci.addChild(bi)
                if b["entrances"]:   # entrance items are made when the building is expanded
                    self._pending_entrances[id(bi)] = b["entrances"]
                    bi.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
        root.setExpanded(True)
        if len(data) <= EXPAND_ALL_CLUSTERS:
            for i in range(root.childCount()):
                root.child(i).setExpanded(True)
        self.setCurrentItem(root)
        self.blockSignals(False)

    def add_entrances(self, item):
        for e in self._pending_entrances.pop(id(item), None) or []:
            item.addChild(self._item(e["label"], e["homes"], "entrance", e["id"]))

    def select(self, kind: str, pk: int | None = None):
        """Select the node of a cluster/building/entrance (or the site)."""
        stack = [self.topLevelItem(0)]
        while stack:
            node = stack.pop()
            if node.data(0, KIND_ROLE) == kind and (pk is None or node.data(0, ID_ROLE) == pk):
                self.setCurrentItem(node)
                return
            if kind == "entrance" and node.data(0, KIND_ROLE) == "building":
                self.add_entrances(node)
            stack.extend(node.child(i) for i in range(node.childCount()))

    def node(self, item=None) -> tuple[str, int | None]:
        """(kind, id) of *item* (default: the current one); ("site", None) when none."""
        item = item if item is not None else self.currentItem()
        if item is None:
            return "site", None
        return item.data(0, KIND_ROLE), item.data(0, ID_ROLE)


class FilterBox(QGroupBox):
    """筛选: house state, customer category, key customers, arrears, incomplete archives."""

    def __init__(self, on_change, parent=None):
        super().__init__("筛选", parent)
        self.state_box = QComboBox()
        self.state_box.addItems([ALL, *HOME_STATES])
        self.category_box = QComboBox()
        self.category_box.addItems([ALL, *CATEGORIES, NOT_MOVED_IN])
        self.key_box = QCheckBox("仅重点客户")
        self.arrears_box = QCheckBox("仅欠费户")
        self.incomplete_box = QCheckBox("仅档案不全")
        for w in self.combos():
            w.currentIndexChanged.connect(on_change)
        for w in self.checks():
            w.toggled.connect(on_change)
        form = QFormLayout(self)
        form.addRow("房屋状态", self.state_box)
        form.addRow("客户类别", self.category_box)
        for w in self.checks():
            form.addRow(w)
        self.reset_button = QPushButton("清除筛选")
        form.addRow(self.reset_button)

    def combos(self):
        return (self.state_box, self.category_box)

    def checks(self):
        return (self.key_box, self.arrears_box, self.incomplete_box)

    def clear_quietly(self):
        """Back to 全部 / unchecked without a signal per widget."""
        for w in self.combos():
            w.blockSignals(True)
            w.setCurrentIndex(0)
            w.blockSignals(False)
        for w in self.checks():
            w.blockSignals(True)
            w.setChecked(False)
            w.blockSignals(False)

    def fill(self, f):
        """Copy the widgets' choices into a HomeFilter."""
        f.state = "" if self.state_box.currentText() == ALL else self.state_box.currentText()
        f.category = "" if self.category_box.currentText() == ALL else self.category_box.currentText()
        f.key_customer = self.key_box.isChecked()
        f.arrears = self.arrears_box.isChecked()
        f.incomplete = self.incomplete_box.isChecked()


def left_pane(tree: SiteTree, filters: FilterBox) -> QWidget:
    w = QWidget()
    lay = QVBoxLayout(w)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addWidget(tree, 1)
    lay.addWidget(filters)
    return w
