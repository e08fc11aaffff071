"""app.core.imports.scan_extent reads each 1 MB chunk of a sheet's XML with one findall (issue 20): the
plain pattern where it provably sees every cell, the full one elsewhere. A cell with a value beyond the
limits is refused by name wherever it is and however its tag is written; a formatting-only cell is not
a value."""
from __future__ import annotations

import zipfile

import pytest

from app.core import imports
from app.core.errors import ValidationError

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ROWS = 30_000            # about 1.5 MB of XML: the odd cell lands in a middle chunk
ODD_ROW = 15_000


def _book(path, odd: str = "", prefix: str = ""):
    """A workbook of ROWS rows x 2 columns written as Excel does, *odd* put inside row ODD_ROW."""
    rows = []
    for r in range(1, ROWS + 1):
        cells = f'<{prefix}c r="A{r}" t="n"><{prefix}v>{r}</{prefix}v></{prefix}c><{prefix}c r="B{r}" t="inlineStr">' \
                f"<{prefix}is><{prefix}t>业主{r}</{prefix}t></{prefix}is></{prefix}c>"
        rows.append(f'<{prefix}row r="{r}">{cells}{odd if r == ODD_ROW else ""}</{prefix}row>')
    xmlns = f'xmlns:x="{NS}"' if prefix else f'xmlns="{NS}"'
    sheet = f'<{prefix}worksheet {xmlns}><{prefix}sheetData>{"".join(rows)}</{prefix}sheetData></{prefix}worksheet>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{NS}" xmlns:r="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships"><sheets><sheet name="台账" sheetId="1" r:id="rId1"/>'
                   "</sheets></workbook>")
        z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
                   '2006/relationships"><Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="x"/>'
                   "</Relationships>")
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def test_plain_sheet_extent(tmp_path):
    assert imports.scan_extent(_book(tmp_path / "a.xlsx"), ROWS, 5) == (ROWS, 2)
    with pytest.raises(ValidationError, match=f"A{ROWS} 单元格有内容，超出导入上限"):
        imports.scan_extent(_book(tmp_path / "b.xlsx"), ROWS - 2, 5)


@pytest.mark.parametrize(("odd", "prefix", "cell"), [
    ('<c r="IV15000"><v>1</v></c>', "", "IV15000"),                     # plain tag, far column
    ('<c s="1" r="XFD15000"><v>1</v></c>', "", "XFD15000"),             # reference not first
    ('<c r="Z15000" s="1"/><c r="XFD15000" t="n"><v>1</v></c>', "", "XFD15000"),   # beside a self-closing one
    ('<x:c r="XFD15000"><x:v>1</x:v></x:c>', "x:", "XFD15000"),         # namespaced sheet
])
def test_far_value_refused_by_name_in_a_middle_chunk(tmp_path, odd, prefix, cell):
    with pytest.raises(ValidationError, match=f"{cell} 单元格有内容，超出导入上限"):
        imports.scan_extent(_book(tmp_path / "far.xlsx", odd, prefix), ROWS, 20)


def test_formatting_only_cell_is_not_a_value(tmp_path):
    path = _book(tmp_path / "fmt.xlsx", '<c r="XFD15000" s="3"/>')
    assert imports.scan_extent(path, ROWS, 20) == (ROWS, 2)
    path = _book(tmp_path / "fmt2.xlsx", '<c r="E15000" s="3"></c>')     # open and closed: counted, as before
    assert imports.scan_extent(path, ROWS, 20) == (ROWS, 5)
