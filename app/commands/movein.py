"""Command-line subcommands of the movein area (see app/cli.py)."""


def register(sub, groups):
    pass
