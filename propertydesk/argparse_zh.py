"""The command line's own words in Chinese: argparse's help titles, usage line and error messages.

argparse looks its words up through the module-level ``_`` and ``ngettext`` (gettext's default
domain), which finds no catalogue on an office PC whatever its language. :func:`install` replaces both
with a lookup in the table below (Python 3.12's argparse messages); a word not in it stays as argparse
wrote it. The ``--version`` help is passed explicitly where the option is added.
"""
from __future__ import annotations

import argparse

WORDS = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "subcommands": "子命令",
    "show this help message and exit": "显示本帮助并退出",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "参数 %s 中必须给出一个",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "多余的参数值 %r",
    "expected one argument": "需要一个参数值",
    "expected at most one argument": "最多一个参数值",
    "expected at least one argument": "至少一个参数值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是 %(matches)s",
    "unexpected option string: %s": "意外的选项：%s",
    "invalid %(type)s value: %(value)r": "无效的值 %(value)r（应为 %(type)s）",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择 %(value)r（可选：%(choices)s）",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "未知命令 %(parser_name)r（可选：%(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
}

PLURALS = {
    "expected %s argument": "需要 %s 个参数值",
    "conflicting option string: %s": "选项冲突：%s",
}


def _(message):
    return WORDS.get(message, message)


def ngettext(singular, plural, n):
    return PLURALS.get(singular, singular if n == 1 else plural)


def install() -> None:
    """Make argparse speak Chinese (idempotent; call before building a parser)."""
    argparse._ = _
    argparse.ngettext = ngettext
