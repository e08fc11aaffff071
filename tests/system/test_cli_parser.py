"""The command line's parser: built only for the command named (issue 20: every command's start pays
for one parser, not 93), the same parser as in the whole tree, and argparse's own words in Chinese."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from propertydesk import cli

ROOT = Path(__file__).resolve().parents[2]
ENGLISH = ("usage:", "positional arguments", "options:", "show this help", "show program's", "error:",
           "the following arguments", "invalid choice", "unrecognized arguments")


def subparsers(parser):
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def every_parser(parser, path=()):
    yield path, parser
    action = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
    for name, child in (action.choices.items() if action else ()):
        yield from every_parser(child, (*path, name))


def test_the_command_named_gets_the_same_parser_as_in_the_whole_tree():
    full = cli.build_parser(["--help"])
    names = list(subparsers(full).choices)
    assert len(names) > 30 and "settings" in names and "print" in names
    for name in names:
        only = cli.build_parser([name])
        assert list(subparsers(only).choices) == [name], name
        a, b = subparsers(full).choices[name], subparsers(only).choices[name]
        assert a.format_help() == b.format_help(), name
        assert [x.dest for x in a._actions] == [x.dest for x in b._actions], name


def test_options_before_the_command_and_unknown_words():
    only = cli.build_parser(["--data-dir", "settings", "backups"])   # "settings" is the folder's name here
    assert list(subparsers(only).choices) == ["backups"]
    assert cli.command_word(["--user", "manager", "--data-dir=/x", "check"]) == "check"
    assert cli.command_word(["--version"]) is None and cli.command_word([]) is None
    # a word that is no command builds the whole tree, so argparse can list the choices
    assert len(subparsers(cli.build_parser(["bogus"])).choices) == len(subparsers(cli.build_parser([])).choices)


def test_print_commands_keep_printer_options_when_built_alone():
    only = cli.build_parser(["print", "bill", "--help"])
    bill = subparsers(subparsers(only).choices["print"]).choices["bill"]
    options = {o for a in bill._actions for o in a.option_strings}
    assert {"--printer", "--copies", "--out"} <= options
    args = only.parse_args(["print", "bill", "--room", "1-1-101", "--month", "2026-12", "--printer", "PDF"])
    assert args.printer == "PDF" and args.command == "print"


def test_every_help_is_chinese():
    full = cli.build_parser(["--help"])
    seen = 0
    for path, parser in every_parser(full):
        text = parser.format_help()
        seen += 1
        assert not [w for w in ENGLISH if w in text], (path, text[:400])
        assert "用法：" in text and "显示本帮助并退出" in text, path
    assert seen > 80
    assert "显示版本号并退出" in full.format_help()


def run(*argv):
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "propertydesk", *argv], cwd=ROOT, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=120, check=False)


def test_mistakes_on_the_command_line_are_told_in_chinese():
    r = run("bogus")
    assert r.returncode == 2
    assert "propertydesk：错误：参数 COMMAND：无效的选择 'bogus'" in r.stderr and "settings" in r.stderr
    r = run("print")
    assert r.returncode == 2 and "缺少必需的参数：WHAT" in r.stderr
    r = run("settings", "--nope")
    assert r.returncode == 2 and "无法识别的参数：--nope" in r.stderr
    assert not [w for w in ENGLISH if w in r.stderr]
