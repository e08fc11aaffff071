"""Buttons that other ledger features add to the 收费台账 tab without growing ``ui/ledger/tab.py``.

``home_buttons(tab)`` returns the buttons for the 费用明细 bar (they act on ``tab.home_id``);
``billing_buttons(tab)`` those for the 月度计费与收费标准 bar. Each feature module offers a function
``buttons(tab) -> list[QPushButton]`` (or ``billing_buttons(tab)``) and is listed here by one line.
"""
from __future__ import annotations

from ui.ledger import bill_actions, charge_items_dialog, count_dialog, history_page, prepay_dialog, reductions_dialog

# feature modules whose buttons go on the 费用明细 bar, in order
HOME_FEATURES: tuple = (bill_actions, prepay_dialog, reductions_dialog, count_dialog, history_page)
# feature modules whose buttons go on the 月度计费与收费标准 bar, in order
BILLING_FEATURES: tuple = (bill_actions, charge_items_dialog)


def home_buttons(tab) -> list:
    return [b for feature in HOME_FEATURES for b in feature.buttons(tab)]


def billing_buttons(tab) -> list:
    return [b for feature in BILLING_FEATURES for b in feature.billing_buttons(tab)]
