"""Command-line subcommands of the keys area (see app/cli.py)."""


def register(sub, groups):
    pass
