"""Command-line subcommands of the archives area (see app/cli.py)."""


def register(sub, groups):
    pass
