"""前台登记 tab: one page per register of the front desk — 代收快递, 来访登记, 物品放行条,
通讯录 —, 项目概况, 交接班记录, 租售登记 and 巡查记录.
Widgets call app.frontdesk; no queries here."""
from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from ui.common.icons import icon
from ui.common.runner import NewsFollower
from ui.common.tables import save_columns
from ui.frontdesk.contacts_page import ContactsPage, SiteFactsPage
from ui.frontdesk.letting_page import LettingPage
from ui.frontdesk.parcels_page import ParcelsPage
from ui.frontdesk.passes_page import PassesPage
from ui.frontdesk.rounds_page import RoundsPage
from ui.frontdesk.shifts_page import ShiftsPage
from ui.frontdesk.visitors_page import VisitorsPage

NEWS = frozenset({"frontdesk"})


class Tab(QWidget):
    def __init__(self, ctx, main_window=None):
        super().__init__(main_window)
        self.ctx = ctx
        self.main_window = main_window
        self.parcels = ParcelsPage(ctx, self)
        self.visitors = VisitorsPage(ctx, self)
        self.passes = PassesPage(ctx, self)
        self.shifts = ShiftsPage(ctx, self)
        self.letting = LettingPage(ctx, self)
        self.rounds = RoundsPage(ctx, self)
        self.contacts = ContactsPage(ctx, self)
        self.site_facts = SiteFactsPage(ctx, self)
        self.inner = QTabWidget(self)
        self.inner.addTab(self.parcels, icon("frontdesk"), "代收快递")
        self.inner.addTab(self.visitors, icon("visit"), "来访登记")
        self.inner.addTab(self.passes, icon("out"), "物品放行条")
        self.inner.addTab(self.contacts, icon("user"), "通讯录")
        self.inner.addTab(self.site_facts, icon("archives"), "项目概况")
        self.inner.addTab(self.shifts, icon("edit"), "交接班记录")
        self.inner.addTab(self.letting, icon("archives"), "租售登记")
        self.inner.addTab(self.rounds, icon("visit"), "巡查记录")
        self.inner.currentChanged.connect(lambda _i: self.refresh())
        QVBoxLayout(self).addWidget(self.inner)
        self.news = NewsFollower(self, NEWS, self.refresh)

    def pages(self):
        return (self.parcels, self.visitors, self.passes, self.shifts, self.letting, self.rounds, self.contacts)

    def refresh(self):
        self.inner.currentWidget().refresh()

    def on_data_changed(self, kinds, source):
        self.news.follow(kinds, source)

    def save_state(self):
        save_columns(*(p.table for p in self.pages()), self.letting.seeker_table)
