"""Table models of the security dialogs (accounts, audit log, backups): lists of tuples."""
from __future__ import annotations

from operator import itemgetter

from ui.common.lists import ListModel


class TupleModel(ListModel):
    """Rows are tuples of display values; ``keys`` holds the id (or path) of each row."""
    parallel = ("keys",)   # a header sort moves each key with its row

    def __init__(self, headers, parent=None):
        super().__init__([(h, itemgetter(i)) for i, h in enumerate(headers)], parent=parent, tooltips=True,
                         money_right=False)
        self.keys: list = []

    def set_rows(self, rows, keys):
        self.keys = list(keys)
        super().set_rows(tuple(r) for r in rows)
