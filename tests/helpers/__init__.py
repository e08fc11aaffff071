"""Shared test helpers: fixtures of sites per area, PDF text, message boxes."""
