"""Command-line subcommands of the loans area (see app/cli.py)."""


def register(sub, groups):
    pass
