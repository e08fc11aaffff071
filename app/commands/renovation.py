"""Command-line subcommands of the renovation area (see app/cli.py)."""


def register(sub, groups):
    pass
