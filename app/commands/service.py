"""Command-line subcommands of the service area (see app/cli.py)."""


def register(sub, groups):
    pass
