"""Command-line subcommands of the ledger area (see app/cli.py)."""


def register(sub, groups):
    pass
