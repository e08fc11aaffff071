"""Issue 19: the product's own icon — the window's, and the one the installer gives the exe and shortcuts."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_windows_carry_the_products_icon(qtbot):
    from PySide6.QtWidgets import QApplication, QDialog

    from ui.app import set_app_icon
    app = QApplication.instance()
    set_app_icon(app)
    sizes = {s.width() for s in app.windowIcon().availableSizes()}
    assert {16, 32, 48, 256} <= sizes
    dlg = QDialog()
    qtbot.addWidget(dlg)
    assert dlg.windowIcon().cacheKey() == app.windowIcon().cacheKey()


def test_the_icon_file_is_the_drawing_of_make_icon():
    from PIL import Image
    with Image.open(ROOT / "resources" / "app.ico") as ico:
        assert ico.format == "ICO" and (256, 256) in ico.info["sizes"]
        ico.size = (256, 256)
        px = ico.convert("RGBA").getpixel((20, 128))
    assert px[:3] == (31, 111, 178)
