"""房态图 on A4 landscape: a building's homes as a grid (floors top-down × the entrances' home
positions across), each cell filled with the colour of its state or of its arrears, a legend with
the counts under the title. Frozen data in (app.archives.room_state builds it), PDF bytes out.

The palettes live here: the screen (ui.archives.room_state) paints with the same colours, so the
printed page and the window read alike.
"""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from app.printing.base import FONT_NAME, FormRenderer

NO_ARREARS, OWING, OWING_LONG = "无欠费", "欠费", "欠费3个月以上"
ARREARS_LEVELS = (NO_ARREARS, OWING, OWING_LONG)
LONG_ARREARS_MONTHS = 3           # owing this many months or more: 欠费3个月以上

STATE_COLOURS = {"未交付": "#9E9E9E", "空置": "#FFF59D", "装修中": "#FFB74D", "已入住": "#81C784",
                 "出租": "#64B5F6"}
ARREARS_COLOURS = {NO_ARREARS: "#C8E6C9", OWING: "#FFCC80", OWING_LONG: "#E57373"}
EMPTY_COLOUR = "#FFFFFF"
UNKNOWN_COLOUR = "#E0E0E0"        # a state outside HOME_STATES (typed in by hand long ago)

PAGE = landscape(A4)
MARGINS = (12 * mm, 12 * mm, 18 * mm, 14 * mm)
FLOOR_COL = 16 * mm
MAX_CELL_W = 30 * mm
MAX_ROW_H = 9 * mm
MIN_ROW_H = 3.2 * mm
HEADER_ROWS = 2
TITLE_SPACE = 34 * mm             # title, subtitle, legend and the gaps between them
FONT_OF_ROW = 0.55                # font size (pt) per point of row height
MAX_FONT = 10


@dataclass(frozen=True)
class RoomCell:
    home_id: int
    room_code: str
    state: str
    arrears: str = NO_ARREARS     # ARREARS_LEVELS
    owed_fen: int = 0
    months: int = 0

    @property
    def number(self) -> str:
        """The room number as a cell shows it: 5-1-302 → 302."""
        return self.room_code.rsplit("-", 1)[-1]


@dataclass(frozen=True)
class RoomStateData:
    site: str
    building: str
    mode: str                     # "state" or "arrears"
    mode_label: str
    entrances: tuple              # per column: its entrance (1单元)
    positions: tuple              # per column: the home's place on the floor (01, 02)
    floors: tuple                 # per row: 33层 … 1层
    rows: tuple                   # per floor: a RoomCell or None per column
    legend: tuple                 # (label, homes) in legend order
    homes: int
    printed_at: str


def arrears_level(months: int) -> str:
    """The 房态图's arrears band of a home owing *months* months (0: none)."""
    if months <= 0:
        return NO_ARREARS
    return OWING_LONG if months >= LONG_ARREARS_MONTHS else OWING


def palette(mode: str) -> dict[str, str]:
    return STATE_COLOURS if mode == "state" else ARREARS_COLOURS


def cell_colour(cell: RoomCell | None, mode: str) -> str:
    """The fill of a cell (hex) in *mode*."""
    if cell is None:
        return EMPTY_COLOUR
    key = cell.state if mode == "state" else cell.arrears
    return palette(mode).get(key, UNKNOWN_COLOUR)


def _spans(labels) -> list[tuple[int, int]]:
    """(first, last) column of each run of equal labels."""
    out, start = [], 0
    for i in range(1, len(labels) + 1):
        if i == len(labels) or labels[i] != labels[start]:
            out.append((start, i - 1))
            start = i
    return out


class RoomStateForm(FormRenderer):
    title = "房态图"
    pagesize = PAGE
    margins = MARGINS

    def story(self, d: RoomStateData):
        subtitle = f"{d.building}　按{d.mode_label}着色　共 {d.homes} 户　打印时间：{d.printed_at}"
        return [*self.title_block(subtitle), self.legend(d), Spacer(1, 3 * mm), self.grid(d)]

    def legend(self, d: RoomStateData) -> Table:
        colours = palette(d.mode)
        cells, style = [], [("FONTNAME", (0, 0), (-1, -1), FONT_NAME), ("FONTSIZE", (0, 0), (-1, -1), 9),
                            ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
        for i, (label, n) in enumerate(d.legend):
            cells += ["", f"{label} {n} 户"]
            style += [("BACKGROUND", (2 * i, 0), (2 * i, 0), colors.HexColor(colours.get(label, UNKNOWN_COLOUR))),
                      ("BOX", (2 * i, 0), (2 * i, 0), 0.5, colors.black)]
        t = Table([cells], colWidths=[8 * mm, 34 * mm] * len(d.legend), rowHeights=[6 * mm])
        t.setStyle(TableStyle(style))
        return t

    def grid(self, d: RoomStateData) -> Table:
        left, right, top, bottom = self.margins
        width = self.pagesize[0] - left - right
        height = self.pagesize[1] - top - bottom - TITLE_SPACE
        ncols = max(len(d.positions), 1)
        cell_w = min(MAX_CELL_W, (width - FLOOR_COL) / ncols)
        row_h = max(MIN_ROW_H, min(MAX_ROW_H, height / (len(d.rows) + HEADER_ROWS)))
        font = min(MAX_FONT, row_h * FONT_OF_ROW)
        data = [["", *d.entrances], ["楼层", *d.positions]]
        style = [("FONTNAME", (0, 0), (-1, -1), FONT_NAME), ("FONTSIZE", (0, 0), (-1, -1), font),
                 ("LEADING", (0, 0), (-1, -1), font * 1.1), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                 ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                 ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                 ("BACKGROUND", (0, 0), (-1, 1), colors.HexColor("#ECEFF1")),
                 ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#ECEFF1"))]
        for first, last in _spans(d.entrances):
            style.append(("SPAN", (first + 1, 0), (last + 1, 0)))
        for r, (floor, row) in enumerate(zip(d.floors, d.rows, strict=True), start=HEADER_ROWS):
            data.append([floor, *(c.number if c else "" for c in row)])
            for c, cell in enumerate(row, start=1):
                if cell is not None:
                    style.append(("BACKGROUND", (c, r), (c, r), colors.HexColor(cell_colour(cell, d.mode))))
        t = Table(data, colWidths=[FLOOR_COL] + [cell_w] * ncols, rowHeights=row_h, repeatRows=HEADER_ROWS)
        t.setStyle(TableStyle(style))
        return t


def render_room_state(settings, d: RoomStateData) -> bytes:
    return RoomStateForm(settings).render(d)
