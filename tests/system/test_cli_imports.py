"""Building the command line's parser imports nothing heavy (issue 20: a read-only command starts in
≤ 0.3 s): ``propertydesk --help`` and the help of every area run in a fresh process (a real
subprocess, not timed — the time is benchmarks/bench_scale.py's ``cli`` group) and leave no peewee,
reportlab, openpyxl, PySide6, psycopg2, model or service module in ``sys.modules``. The few choices
the parser spells itself stay equal to the services' own."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("peewee", "playhouse", "reportlab", "openpyxl", "PySide6", "psycopg2", "models", "ui")

PROBE = r"""
import contextlib, io, json, runpy, sys
argv, heavy = json.loads(sys.argv[1]), json.loads(sys.argv[2])
sys.argv = ["propertydesk", *argv]
out = io.StringIO()
code = None
with contextlib.redirect_stdout(out):
    try:
        runpy.run_module("propertydesk", run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = exc.code
loaded = sorted(m for m in sys.modules if m.split(".")[0] in heavy
                or (m.startswith("app.") and m not in ("app.core", "app.core.errors")))
print(json.dumps({"code": code, "help": out.getvalue(), "loaded": loaded}))
"""


def run_probe(*argv):
    env = {**os.environ, "COLUMNS": "400"}   # help lines unwrapped
    r = subprocess.run([sys.executable, "-c", PROBE, json.dumps(list(argv)), json.dumps(HEAVY)], cwd=ROOT, env=env,
                       capture_output=True, text=True, encoding="utf-8", timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_help_imports_no_heavy_module():
    result = run_probe("--help")
    assert result["code"] == 0
    assert "物业前台 PropertyDesk" in result["help"]
    assert "settings" in result["help"] and "dunning" in result["help"]
    assert result["loaded"] == []


@pytest.mark.parametrize("argv, shown", [
    (("notices", "--help"), "{通告,重要通告,紧急通告,温馨提示}"),
    (("dunning", "--help"), "上门结果：承诺缴费、当场缴费、未遇业主、拒缴、有投诉、其他"),
    (("print", "notice", "--help"), "{A4,A3}"),
    (("settings", "--help"), "--data-dir"),
])
def test_area_help_imports_no_heavy_module(argv, shown):
    result = run_probe(*argv)
    assert result["code"] == 0
    assert shown in result["help"]
    assert result["loaded"] == []


def test_choices_spelled_by_the_parser_equal_the_services():
    from app.ledger.dunning import VISIT_OUTCOMES
    from models.notices import GRADES, PAPERS
    from propertydesk.commands import dunning as dunning_cmd
    from propertydesk.commands import notices as notices_cmd
    assert tuple(notices_cmd.GRADES) == tuple(GRADES)
    assert tuple(notices_cmd.PAPERS) == tuple(PAPERS)
    assert tuple(dunning_cmd.VISIT_OUTCOMES) == tuple(VISIT_OUTCOMES)
