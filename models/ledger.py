"""Models of the ledger area (filled in by its issue)."""
MODELS = []
