"""Command-line subcommands of the security area (see app/cli.py)."""


def register(sub, groups):
    pass
