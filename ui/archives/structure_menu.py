"""业主档案: the structure actions (new cluster/building/entrance/home, delete, edit the selected home,
车位管理), offered by the tree's context menu and the 结构 button of the archives tab; a building's
房态图 (ui.archives.room_state), offered by the tree's context menu to every role."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from app.archives.structure import delete_building, delete_cluster, delete_entrance, delete_home
from ui.archives.forms import new_home_form, structure_form
from ui.common.ops import confirm, run_action

NODE_KINDS = ("cluster", "building", "entrance")
CHILD_OF = {"cluster": ("building", "楼栋"), "building": ("entrance", "单元"), "entrance": ("home", "房屋")}
DELETERS = {"cluster": delete_cluster, "building": delete_building, "entrance": delete_entrance}


class StructureActions:
    """The structure actions of one archives tab (which reloads its tree and list after each)."""

    def __init__(self, tab):
        self.tab = tab
        self.room_state_dialog = None    # the last 房态图 opened (tests)

    def menu(self, item, menu: QMenu | None = None, with_home: bool = False) -> QMenu:
        """Actions for a tree node (and, from the 结构 button, the selected home)."""
        tab = self.tab
        menu = menu or QMenu(tab)
        menu.clear()
        kind, pk = tab.tree.node(item) if item is not None else (None, None)
        label = item.text(0) if item is not None else ""
        if kind == "building":
            menu.addAction(f"{label} 房态图…", lambda: self.room_state(pk))
            menu.addSeparator()
        menu.addAction("新增组团…", lambda: self.add("cluster", None, ""))
        if kind in CHILD_OF:
            child, name = CHILD_OF[kind]
            menu.addAction(f"在 {label} 新增{name}…", lambda: self.add(child, pk, label))
        if kind in NODE_KINDS:
            menu.addSeparator()
            menu.addAction(f"删除 {label}", lambda: self.delete(kind, pk, label))
        if with_home and tab.pane.detail:
            room = tab.pane.detail["room_code"]
            menu.addSeparator()
            menu.addAction(f"修改房屋 {room}（房号、面积、户型）…", self.edit_home)
            menu.addAction(f"删除房屋 {room}", self.delete_home)
        menu.addSeparator()
        menu.addAction("车位管理…", tab.open_parking)
        if kind not in NODE_KINDS:
            menu.addAction("在左侧结构树中选中组团、楼栋或单元可新增下级").setEnabled(False)
        return menu

    def context_menu(self, item) -> QMenu | None:
        """The tree's context menu: the structure actions for roles that edit the structure; for the
        others a building's 房态图 only (None where there is nothing to offer)."""
        tab = self.tab
        if tab.can("structure.edit"):
            return self.menu(item)
        kind, pk = tab.tree.node(item) if item is not None else (None, None)
        if kind != "building":
            return None
        menu = QMenu(tab)
        menu.addAction(f"{item.text(0)} 房态图…", lambda: self.room_state(pk))
        return menu

    def room_state(self, building_id):
        """The building's 房态图 (non-modal); a click on a home closes it and opens that household."""
        from ui.archives.room_state import RoomStateDialog
        tab = self.tab
        dlg = RoomStateDialog(tab.ctx, building_id, tab)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.home_chosen.connect(lambda hid: (dlg.accept(), tab.show_home(hid)))
        dlg.show()
        self.room_state_dialog = dlg
        return dlg

    def add(self, kind, parent_id, label):
        tab = self.tab
        dlg = (new_home_form(tab.ctx, parent_id, label, tab) if kind == "home"
               else structure_form(tab.ctx, kind, parent_id, label, tab))
        if dlg.exec():
            tab.structure_changed()
        return dlg

    def delete(self, kind, pk, label):
        tab = self.tab
        if confirm(tab, f"删除 {label}？"):
            run_action(tab, DELETERS[kind], tab.ctx, pk)
            tab.structure_changed()

    def edit_home(self):
        from ui.archives.forms import edit_home_form
        tab = self.tab
        d = tab.pane.detail
        if d and edit_home_form(tab.ctx, d, tab).exec():
            tab.structure_changed(d["id"])

    def delete_home(self):
        tab = self.tab
        d = tab.pane.detail
        if d and confirm(tab, f"删除房屋 {d['room_code']}？（仅限误录入、无业主和住户的房屋）") \
                and run_action(tab, delete_home, tab.ctx, d["id"], title="无法删除") is None:
            tab.pane.load(None)
            tab.structure_changed()
