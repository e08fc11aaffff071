"""房态图 of a building with its arrears: app.archives.room_state lays the homes out, the ledger's
app.ledger.arrears says who owes and for how many months. This lives in app/office because the
archives area may not import the ledger (the ledger imports the archives)."""
from __future__ import annotations

from app.archives.room_state import room_state_grid
from app.core.permissions import require
from app.ledger.arrears import home_arrears
from app.printing.room_state import RoomStateData, arrears_level, render_room_state


def building_arrears(ctx, building_id: int) -> dict[int, tuple[str, int, int]]:
    """Home id → (arrears band, owed fen, months owed) of the building's homes in arrears today."""
    require(ctx, "ledger.view")
    return {a.home_id: (arrears_level(a.months), a.owed_fen, a.months)
            for a in home_arrears(ctx, building_id=building_id)}


def room_state(ctx, building_id: int, mode: str = "state") -> RoomStateData:
    """The 房态图 of a building coloured by house state (mode "state") or by arrears ("arrears").
    Arrears are looked up in either mode, so a cell's tooltip can tell both."""
    return room_state_grid(ctx, building_id, mode, building_arrears(ctx, building_id))


def room_state_pdf(ctx, building_id: int, mode: str = "state") -> bytes:
    """The 房态图 on A4 landscape as PDF bytes (the dialog's 打印… and the command line)."""
    return render_room_state(ctx.settings, room_state(ctx, building_id, mode))
