"""The command line: ``propertydesk`` (or ``python -m propertydesk``).

With no subcommand it opens the main window. Each area registers its subcommands in its own
module under propertydesk/commands/ (``register(sub, groups)``, listed in ``command_modules()``);
``groups`` holds the shared ``print``, ``import`` and ``export`` sub-parsers. A handler is
``handler(args, ctx) -> int``; a parser that sets ``needs_context=False`` gets ``ctx=None`` and opens
what it needs itself.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys

from app import __version__
from app.core.errors import UserError
from propertydesk import argparse_zh
from propertydesk.acting import cli_user, sign_in  # noqa: F401  (cli_user: the benchmarks act as a manager)

# Top-level options that take a value: the word after them is not the command.
VALUE_OPTIONS = frozenset({"--data-dir", "--database", "--user"})


def command_word(argv) -> str | None:
    """The subcommand the command line names, or None (no command, or help/version asked at the top)."""
    args = iter(argv)
    for word in args:
        if word in VALUE_OPTIONS:
            next(args, None)
        elif word in ("-h", "--help", "--version"):
            return None
        elif not word.startswith("-"):
            return word
    return None


class _Skipped:
    """A sub-parser that is not built because the command line names another command: every call on
    it (add_argument, set_defaults, add_subparsers, add_mutually_exclusive_group …) returns it."""

    def __getattr__(self, name):
        return self

    def __call__(self, *args, **kwargs):
        return self


SKIPPED = _Skipped()


class _OnlyCommand:
    """The top-level sub-parsers, building only the named command's parser (93 parsers with 350
    options cost about 0.1 s of every command's start; one costs a millisecond)."""

    def __init__(self, sub, wanted: str):
        self.sub, self.wanted, self.built = sub, wanted, False

    def add_parser(self, name, **kwargs):
        if name != self.wanted and self.wanted not in kwargs.get("aliases", ()):
            return SKIPPED
        self.built = True
        return self.sub.add_parser(name, **kwargs)


def build_parser(argv=None) -> argparse.ArgumentParser:
    """The parser; given the command line, only the parser of the command it names is built (the
    whole tree for --help, no command or a word that is no command, so argparse lists the choices)."""
    wanted = command_word(sys.argv[1:] if argv is None else argv)
    if wanted is not None:
        parser, only = _build(wanted)
        if only.built:
            return parser
    return _build(None)[0]


def _build(wanted: str | None):
    argparse_zh.install()

    def common_options(default):
        p = argparse.ArgumentParser(add_help=False)
        p.add_argument("--data-dir", default=default, help="数据目录（默认：用户数据目录）")
        p.add_argument("--database", default=default, help="数据库URL（默认：sqlite:///<数据目录>/propertydesk.db）")
        p.add_argument("--user", default=default,
                       help="以该账号身份运行命令（或环境变量 PROPERTYDESK_USER）；密码在提示时输入，"
                            "脚本用环境变量 PROPERTYDESK_PASSWORD")
        return p

    # Sub-parsers must not overwrite options given before the subcommand: SUPPRESS their defaults.
    common = common_options(argparse.SUPPRESS)
    parser = argparse.ArgumentParser(prog="propertydesk", description="物业前台 PropertyDesk",
                                     parents=[common_options(None)])
    parser.add_argument("--version", action="version", version=f"PropertyDesk {__version__}",
                        help="显示版本号并退出")
    real = parser.add_subparsers(dest="command", metavar="COMMAND")
    only = _OnlyCommand(real, wanted) if wanted is not None else None
    sub = only or real
    groups = {}
    for name, help_text in (("print", "打印表单到PDF"), ("import", "从Excel导入"), ("export", "导出到Excel")):
        p = sub.add_parser(name, help=help_text, parents=[common])
        groups[name] = p.add_subparsers(dest="what", metavar="WHAT", required=True)
    groups["common"] = common
    for module in command_modules():
        module.register(sub, groups)
    if groups["print"] is not SKIPPED:
        add_printer_options(groups["print"])
    add_printer_to_pdf_commands(real)
    return parser, only


def add_printer_args(p) -> None:
    p.add_argument("--printer", help="打印到该打印机（系统打印机名称），按实际尺寸 100%% 打印")
    p.add_argument("--copies", type=int, default=1, help="份数（默认 1）")


def add_printer_options(print_group) -> None:
    """Every ``propertydesk print …`` takes --printer NAME and --copies N besides --out FILE.pdf;
    with --printer, --out may be left out (the PDF goes to a temporary file, then to the printer)."""
    for p in print_group.choices.values():
        for action in p._actions:
            if "--out" in action.option_strings:
                action.required = False
        add_printer_args(p)


def add_printer_to_pdf_commands(sub) -> None:
    """Commands outside the print group that write a PDF with --out declare the form kind it prints as
    (``set_defaults(pdf_kind="notice")``, "" for the kind by page size); they take --printer and --copies
    too and run through :func:`run_print`."""
    for p in set(sub.choices.values()):
        if p.get_default("pdf_kind") is not None:
            add_printer_args(p)


def prints_pdf(args) -> bool:
    return args.command == "print" or getattr(args, "pdf_kind", None) is not None


def run_print(handler, args, ctx) -> int:
    """Run a print command: the PDF to --out, and with --printer through the one print path
    (the form kind: the command's ``pdf_kind``, else by the page size)."""
    from app.core.errors import ValidationError
    printer = getattr(args, "printer", None)
    if args.copies < 1:
        raise ValidationError("--copies", "份数须至少为 1")
    if not printer:
        if args.command == "print" and not getattr(args, "out", None):
            raise ValidationError("--out", "请指定输出PDF文件（--out）或打印机（--printer）")
        return int(handler(args, ctx) or 0)
    import tempfile
    from pathlib import Path
    temp = None
    if not getattr(args, "out", None):
        fd, temp = tempfile.mkstemp(suffix=".pdf", prefix="propertydesk-print-")
        os.close(fd)
        args.out = temp
        args.out_is_temporary = True
    out = Path(args.out)
    before = out.stat().st_mtime_ns if out.is_file() else None
    try:
        if temp:   # the command names the file it wrote: for a temporary one, name the printer instead
            import contextlib
            import io
            said = io.StringIO()
            with contextlib.redirect_stdout(said):
                rc = int(handler(args, ctx) or 0)
            print(said.getvalue().replace(temp, f"打印机“{printer}”"), end="")
        else:
            rc = int(handler(args, ctx) or 0)
        if rc:
            return rc
        written = out.is_file() and (temp or out.stat().st_mtime_ns != before)
        pdf = out.read_bytes() if written else b""
        if not pdf:  # the command had nothing to print (it said why); never an older file at --out
            print(f"没有要打印的表单，未发送到打印机“{printer}”")
            return 0
        from ui.common.printer import print_bytes
        n = print_bytes(pdf, printer, kind=getattr(args, "pdf_kind", None) or None, copies=args.copies)
        print(f"已发送到打印机“{printer}”：{n} 页 × {args.copies} 份（实际尺寸 100%）")
        return 0
    finally:
        if temp:
            Path(temp).unlink(missing_ok=True)


def run_command(handler, args, ctx) -> int:
    """Run the handler (a print command through run_print); a database locked by another desk is
    waited for and the command retried, like the GUI's writes (app.system.dbguard.run_write)."""
    run = run_print if prints_pdf(args) else (lambda h, a, c: int(h(a, c) or 0))
    if ctx is None:
        return run(handler, args, ctx)
    from app.system.dbguard import run_write
    return run_write(ctx, run, handler, args, ctx)


def command_modules() -> list:
    """The modules that register subcommands, in the order of ``propertydesk --help``."""
    from propertydesk.commands import (
        archives,
        bills,
        counts,
        dunning,
        frontdesk,
        golive,
        history,
        keys,
        ledger,
        loans,
        movein,
        notices,
        parking,
        renovation,
        reports,
        security,
        service,
        sitekey,
        system,
    )
    return [system, archives, golive, history, ledger, bills, counts, dunning, reports, keys, loans, movein, renovation,
            service, security, sitekey, parking, frontdesk, notices]


# Commands that change nothing but their own sign-in's audit row: the start checks only what a crash
# damages (app.system.checks.head_check), not the whole file; ``check`` checks the whole file itself.
READS_ONLY = frozenset({"settings", "backups", "check", "export", "users"})


def run_on_site(handler, args) -> int:
    """Check the file (a read-only command only what a crash damages), open the site, sign in, run,
    close and renew the clean-close mark."""
    from app.system.checks import preflight
    from app.system.context import default_data_dir, open_context
    data_dir = args.data_dir or default_data_dir()
    path = preflight(data_dir, args.database, full=args.command not in READS_ONLY, keep_mark=True)
    try:
        ctx = open_context(args.data_dir, args.database)
        ctx.user = sign_in(ctx, args)
        return run_command(handler, args, ctx)
    finally:
        renew_clean_mark(data_dir, path)


def renew_clean_mark(data_dir, path) -> bool:
    """After a command: close the database and renew the clean-close mark it found valid (or earned
    with a whole-file check), so a command never costs the next start its check. Never fails the command."""
    import datetime as dt

    from app.system.checks import mark_clean_close
    from models.db import close_database
    try:
        close_database()
        return mark_clean_close(data_dir, path, False, dt.date.today())
    except Exception:  # noqa: BLE001 - no mark: the next start checks the file
        return False


def _utf8_stdio():
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(encoding="utf-8", errors="replace")


def main(argv=None) -> int:
    _utf8_stdio()
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "database", None):
        # a PC that uses the office's PostgreSQL server may set it once in the environment
        args.database = os.environ.get("PROPERTYDESK_DATABASE") or None
    if not getattr(args, "command", None):
        from ui.app import run_gui
        return run_gui(args)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return run_on_site(handler, args) if getattr(args, "needs_context", True) else run_command(handler, args, None)
    except UserError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except Exception as exc:  # a defect or an environment problem: still a Chinese message
        from models.migrations import MigrationFailed, SchemaTooNew
        if isinstance(exc, (SchemaTooNew, MigrationFailed)):
            print(f"错误：{exc}", file=sys.stderr)
            return 2
        from app.system.dbguard import friendly_db_error
        friendly = friendly_db_error(exc, getattr(args, "data_dir", None), getattr(args, "database", None))
        if friendly:
            print(f"错误：{friendly}", file=sys.stderr)
            return 2
        print(f"错误：操作失败（{type(exc).__name__}: {exc}）", file=sys.stderr)
        return 1
