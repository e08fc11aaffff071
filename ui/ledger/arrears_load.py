"""The 欠费 page of the ledger tab fills in the background (issue 20): switching the view (per home,
area manager, building, cluster, ageing) or a change elsewhere says 正在加载… and the runner brings
the owners' arrears flags up to date (for those who may bill) and reads the view's rows; only the
newest request's rows are shown. Columns keep their interactive widths (fitted on the first rows)."""
from __future__ import annotations

from app.core.money import fmt_fen
from app.core.permissions import allowed
from app.ledger import arrears
from ui.common.progress import PageLoad


def rows_of(ctx, kind: str, refresh_flags: bool) -> tuple[str, list]:
    """On the worker: the view's rows (charges fall due with the calendar: flags first)."""
    if refresh_flags:
        arrears.refresh_arrears_flags(ctx)
    if kind == "homes":
        return kind, [a.__dict__ for a in arrears.home_arrears(ctx)]
    if kind == "ageing":
        return kind, arrears.ageing(ctx)
    return kind, arrears.summary_by(ctx, kind)


def refresh(tab) -> None:
    """Load the chosen view of *tab* (ui.ledger.tab.Tab) in the background."""
    load = getattr(tab, "arrears_load", None)
    if load is None:
        load = tab.arrears_load = PageLoad(tab, tab.ctx, lambda result: show(tab, result), tab.arrears_total,
                                           write=True)
    may_bill = allowed(getattr(tab.ctx.user, "role", None), "ledger.bill")
    load.load(rows_of, tab.ctx, tab.arrears_kind.currentData(), may_bill)


def loading(tab) -> bool:
    load = getattr(tab, "arrears_load", None)
    return load is not None and load.busy()


def show(tab, result) -> None:
    kind, rows = result
    model = tab.arrears_models[kind]
    model.set_rows(rows)
    if tab.arrears_view.model() is not model:
        tab.arrears_view.setModel(model)
        tab.arrears_view.resizeColumnsToContents()   # the header measures its first 100 rows only
    total = sum(r["owed_fen"] for r in rows)
    homes = sum(r.get("homes", 1) for r in rows) if kind != "homes" else len(rows)
    today = tab.ctx.clock.today().isoformat()
    tab.arrears_total.setText(f"截至 {today}：欠费 {homes} 户，合计 ¥{fmt_fen(total)}")
