"""房态图: the grid of a 33-floor tower (floors top-down × entrances' homes), its legend counts, the
arrears bands from the ledger, the A4 landscape page (colours sampled from pdftoppm's rendering),
and the dialog reached from the site tree's building menu, a click on a home opening its household."""
from __future__ import annotations

import datetime as dt
import subprocess
import time

import pytest
from PIL import Image
from PySide6.QtCore import Qt

from app.archives.room_state import position_on_floor, room_state_grid
from app.archives.structure import create_building, create_cluster, create_entrance
from app.ledger.billing import post_charge
from app.office.room_state import room_state, room_state_pdf
from app.printing.room_state import ARREARS_COLOURS, OWING, OWING_LONG, STATE_COLOURS
from models.property import HOME_STATES, Home
from tests.helpers.pdf import pdf_reader, pdf_text

FLOORS, ENTRANCES, PER_FLOOR = 33, 2, 2
DPI = 80
TOLERANCE = 12          # colour distance allowed after anti-aliasing and JPEG-free PNG rounding
FAST = 0.5              # seconds for the 33-floor tower's grid


def state_of(floor: int, k: int) -> str:
    return HOME_STATES[(floor + k) % len(HOME_STATES)]


@pytest.fixture
def tower(ctx):
    """9号楼 of A组团: 33 floors × 2 entrances × 2 homes (9-1-3301 … 9-2-102), states in turn."""
    c = create_cluster(ctx, "A", "高层区")
    b = create_building(ctx, c.id, "9", floors=FLOORS)
    rows = []
    for e in range(1, ENTRANCES + 1):
        ent = create_entrance(ctx, b.id, str(e))
        for floor in range(1, FLOORS + 1):
            for k in range(1, PER_FLOOR + 1):
                rows.append({"entrance": ent.id, "building": b.id, "cluster": c.id, "floor": floor,
                             "room_code": f"9-{e}-{floor}{k:02d}", "area_x100": 9000, "house_type": "高层",
                             "state": state_of(floor, k)})
    Home.insert_many(rows).execute()
    homes = {h.room_code: h for h in Home.select()}
    return {"building": b, "homes": homes}


def owe(ctx, home, periods):
    for p in periods:
        y, m = map(int, p.split("-"))
        post_charge(ctx, home.id, "property_fee", 25000, period=p, due_date=dt.date(y, m, 28))


def test_position_on_floor():
    assert position_on_floor("5-1-302", 3) == "02"
    assert position_on_floor("9-2-3301", 33) == "01"
    assert position_on_floor("16-101", 1) == "01"
    assert position_on_floor("A座-商铺", 1) == ""


def test_grid_of_a_33_floor_tower_is_fast_and_top_down(ctx, tower):
    started = time.perf_counter()
    d = room_state(ctx, tower["building"].id)
    assert time.perf_counter() - started < FAST
    assert d.floors[0] == "33层" and d.floors[-1] == "1层" and len(d.rows) == FLOORS
    assert d.entrances == ("1单元", "1单元", "2单元", "2单元") and d.positions == ("01", "02", "01", "02")
    assert [c.room_code for c in d.rows[0]] == ["9-1-3301", "9-1-3302", "9-2-3301", "9-2-3302"]
    assert [c.room_code for c in d.rows[-1]] == ["9-1-101", "9-1-102", "9-2-101", "9-2-102"]
    assert d.rows[0][0].number == "3301" and d.rows[0][0].state == state_of(33, 1)
    assert d.homes == FLOORS * ENTRANCES * PER_FLOOR
    expected = {s: sum(1 for h in tower["homes"].values() if h.state == s) for s in HOME_STATES}
    assert dict(d.legend) == expected and sum(expected.values()) == d.homes


def test_gaps_stay_empty_and_odd_codes_keep_their_order(ctx, tower):
    Home.delete().where(Home.room_code == "9-2-3302").execute()
    d = room_state_grid(ctx, tower["building"].id)
    assert d.rows[0][3] is None and d.homes == FLOORS * ENTRANCES * PER_FLOOR - 1


def test_arrears_bands(ctx, tower):
    h = tower["homes"]
    owe(ctx, h["9-1-3301"], ["2026-10"])                              # one month
    owe(ctx, h["9-2-101"], ["2026-07", "2026-08", "2026-09"])          # three months
    d = room_state(ctx, tower["building"].id, "arrears")
    assert d.rows[0][0].arrears == OWING and d.rows[0][0].owed_fen == 25000 and d.rows[0][0].months == 1
    assert d.rows[-1][2].arrears == OWING_LONG and d.rows[-1][2].months == 3
    assert dict(d.legend) == {"无欠费": d.homes - 2, OWING: 1, OWING_LONG: 1}


def _render(pdf: bytes, tmp_path) -> Image.Image:
    src = tmp_path / "map.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", "1", "-l", "1", str(src), str(tmp_path / "p")],
                   check=True)
    return Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")


def _positions(pdf: bytes) -> dict[str, tuple[float, float]]:
    """Where each room number's text starts on page 1, in PDF points from the bottom left."""
    out = {}

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            out.setdefault(text.strip(), (x, y))

    pdf_reader(pdf).pages[0].extract_text(visitor_text=visit)
    return out


def _pixel_left_of(img, page_h, pos) -> tuple[int, int, int]:
    """The colour a little left of a room number, inside its cell (away from the text and the grid)."""
    x, y = pos
    scale = DPI / 72
    return img.getpixel((int((x - 4) * scale), int((page_h - y - 1.5) * scale)))


def _near(rgb, hex_colour) -> bool:
    want = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return all(abs(a - b) <= TOLERANCE for a, b in zip(rgb, want, strict=True))


def test_pdf_is_a4_landscape_with_cells_in_their_colours(ctx, tower, tmp_path):
    h = tower["homes"]
    owe(ctx, h["9-1-3301"], ["2026-10"])
    owe(ctx, h["9-2-101"], ["2026-07", "2026-08", "2026-09"])
    pdf = room_state_pdf(ctx, tower["building"].id)
    page = pdf_reader(pdf).pages[0]
    w, ht = float(page.mediabox.width), float(page.mediabox.height)
    assert abs(w - 841.9) < 1 and abs(ht - 595.3) < 1 and len(pdf_reader(pdf).pages) == 1
    text = pdf_text(pdf)
    assert "房态图" in text and "9号楼" in text and "按房屋状态着色" in text and "3301" in text
    img, pos = _render(pdf, tmp_path), _positions(pdf)
    # the first entrance's 01 home of floors 1-5 covers every state once (state_of cycles by floor)
    seen = set()
    for floor in range(1, len(HOME_STATES) + 1):
        state = state_of(floor, 1)
        rgb = _pixel_left_of(img, ht, pos[f"{floor}01"])
        assert _near(rgb, STATE_COLOURS[state]), (floor, state, rgb)
        seen.add(state)
    assert seen == set(HOME_STATES)
    pdf = room_state_pdf(ctx, tower["building"].id, "arrears")
    assert "按欠费情况着色" in pdf_text(pdf) and "欠费3个月以上 1 户" in pdf_text(pdf)
    (tmp_path / "arrears").mkdir()
    img, pos = _render(pdf, tmp_path / "arrears"), _positions(pdf)
    for number, band in (("3301", OWING), ("201", "无欠费")):
        assert _near(_pixel_left_of(img, ht, pos[number]), ARREARS_COLOURS[band]), number


# --------------------------------------------------------------------------- the dialog
@pytest.fixture
def tab(qtbot, ctx, tower):
    from ui.archives.tab import Tab
    t = Tab(ctx, None)
    qtbot.addWidget(t)
    t.resize(1300, 760)
    t.show()
    yield t
    t.wait_background()


def _building_item(tab):
    return tab.tree.topLevelItem(0).child(0).child(0)      # site → A组团 → 9号楼


def test_tree_menu_opens_the_map_and_a_click_opens_the_household(qtbot, tab, tower):
    item = _building_item(tab)
    menu = tab.structure.context_menu(item)
    action = next(a for a in menu.actions() if a.text().endswith("房态图…"))
    action.trigger()                                   # the menu item as the user picks it
    dlg = tab.structure.room_state_dialog
    qtbot.waitExposed(dlg)
    assert dlg.table.rowCount() == FLOORS and dlg.table.columnCount() == ENTRANCES * PER_FLOOR
    assert dlg.table.verticalHeaderItem(0).text() == "33层"
    assert "9号楼" in dlg.windowTitle() and any(f"{s} " in dlg.legend.itemAt(i).widget().text()
                                              for i in range(len(HOME_STATES)) for s in HOME_STATES)
    r, c = dlg.cell_at("9-2-1502")
    item = dlg.table.item(r, c)
    assert item.background().color().name().upper() == STATE_COLOURS[state_of(15, 2)]
    qtbot.mouseClick(dlg.by_arrears, Qt.MouseButton.LeftButton)
    assert dlg.mode == "arrears" and dlg.table.item(r, c).background().color().name().upper() == \
        ARREARS_COLOURS["无欠费"]
    dlg.table.scrollToItem(dlg.table.item(r, c))
    rect = dlg.table.visualItemRect(dlg.table.item(r, c))
    with qtbot.waitSignal(dlg.home_chosen) as sig:
        qtbot.mouseClick(dlg.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert sig.args == [tower["homes"]["9-2-1502"].id]
    qtbot.waitUntil(lambda: tab.pane.detail is not None and tab.pane.detail["room_code"] == "9-2-1502",
                    timeout=5000)
    assert not dlg.isVisible()


def test_map_prints_through_the_preview(qtbot, tab, monkeypatch):
    shown = []

    def record(preview_dialog):                        # the preview built, not shown on screen
        shown.append(preview_dialog)

    monkeypatch.setattr("ui.common.print_preview.PrintPreviewDialog.show", record)
    dlg = tab.structure.room_state(tab.tree.node(_building_item(tab))[1])
    qtbot.mouseClick(dlg.print_button, Qt.MouseButton.LeftButton)
    assert len(shown) == 1 and "房态图" in shown[0].windowTitle() and shown[0].document.pageCount() == 1


def test_front_desk_gets_the_map_but_no_structure_actions(qtbot, tab, users):
    tab.ctx = tab.ctx.with_user(users["frontdesk"])
    menu = tab.structure.context_menu(_building_item(tab))
    assert [a.text() for a in menu.actions()] == ["9号楼 房态图…"]
    assert tab.structure.context_menu(tab.tree.topLevelItem(0)) is None
