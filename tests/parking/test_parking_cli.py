"""Command line: propertydesk parking spaces / parking cards / print car-card (subprocess)."""
import subprocess
import sys
from pathlib import Path

import pytest

from app.parking import cards, spaces, tenancy
from models.property import ParkingSpace
from tests.helpers.ledger import make_site
from tests.helpers.pdf import pdf_pages

ROOT = Path(__file__).resolve().parents[2]


def run_cli(data_dir, *args):
    return subprocess.run([sys.executable, "-m", "propertydesk", *args, "--data-dir", str(data_dir)], cwd=ROOT,
                          check=False, capture_output=True, text=True, encoding="utf-8", timeout=120)


@pytest.fixture
def site(ctx, users):
    homes = make_site(ctx, users)
    s = spaces.create_space(ctx, "DX-009", "地下")
    tenancy.rent_space(ctx, s.id, "5-201")
    cards.register_card(ctx, {"space_id": s.id, "plate": "豫AD12345", "identity_checked": True})
    return homes


def test_cli_spaces_cards_and_print(ctx, site, data_dir, tmp_path):
    r = run_cli(data_dir, "parking", "spaces", "--level", "地下")
    assert r.returncode == 0, r.stderr
    assert "DX-009  地下  已租  5-201 业主3（租用） 138****0002  车牌 豫AD12345  240.00 元/月" in r.stdout
    assert "U-001" not in r.stdout and "共 2 个车位" in r.stdout
    r = run_cli(data_dir, "parking", "cards")
    assert r.returncode == 0, r.stderr
    assert "CK2026-000001  豫AD12345  5-201 业主3 138****0002  车位 DX-009" in r.stdout and "共 1 张车卡" in r.stdout
    out = tmp_path / "card.pdf"
    r = run_cli(data_dir, "print", "car-card", "--card", "豫ad12345", "--out", str(out))
    assert r.returncode == 0, r.stderr
    text = pdf_pages(out)[0]
    assert "车卡办理登记表" in text and "豫AD12345" in text and "13812340002" not in text
    r = run_cli(data_dir, "print", "car-card", "--card", "豫A·D12345", "--out", str(out))   # as on the plate
    assert r.returncode == 0, r.stdout
    r = run_cli(data_dir, "print", "car-card", "--card", "NOPE", "--out", str(out))
    assert r.returncode == 1 and "没有找到车卡" in r.stdout
    assert ParkingSpace.get(ParkingSpace.code == "DX-009").state == "已租"
