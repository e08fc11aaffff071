"""Sign-in at start. (Replaced by the accounts issue: argon2 passwords, first-run manager.)"""
from __future__ import annotations


def sign_in(ctx):
    from app.cli import cli_user
    return cli_user()
