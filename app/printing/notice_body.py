"""The notice body's plain markup, read into blocks the printed notice lays out: paragraphs,
bullets ("- " or "• "), numbered steps ("1. ", "1、", "（1）"), tables (lines holding "|", the first
line the heading) and blank lines between paragraphs."""
from __future__ import annotations

import re
from dataclasses import dataclass

NUMBERED = re.compile(r"^\s*(\d{1,2}[.、．]|（\d{1,2}）|\(\d{1,2}\))\s*")
BULLET = re.compile(r"^\s*[-•·]\s+")


@dataclass(frozen=True)
class Block:
    kind: str                              # "p", "bullet", "num", "table"
    text: str = ""
    label: str = ""                        # the step's own number ("1.")
    rows: tuple[tuple[str, ...], ...] = ()


def _cells(line: str) -> tuple[str, ...]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    return tuple(c.strip() for c in s.split("|"))


def parse_body(text: str) -> tuple[Block, ...]:
    blocks: list[Block] = []
    table: list[tuple[str, ...]] = []

    def flush():
        if table:
            width = max(len(r) for r in table)
            blocks.append(Block("table", rows=tuple(r + ("",) * (width - len(r)) for r in table)))
            table.clear()

    for raw in (text or "").replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        if "|" in line:
            if set(line.replace("|", "").strip()) <= set("-: "):   # a markdown rule line |---|---|
                continue
            table.append(_cells(line))
            continue
        flush()
        if not line.strip():
            continue
        m = NUMBERED.match(line)
        if m:
            blocks.append(Block("num", line[m.end():].strip(), label=m.group(1)))
        elif BULLET.match(line):
            blocks.append(Block("bullet", BULLET.sub("", line, count=1).strip()))
        else:
            blocks.append(Block("p", line.strip()))
    flush()
    return tuple(blocks)
