"""Shipped import mappings (TOML), read by app.golive.mapping."""
