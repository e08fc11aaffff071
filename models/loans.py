"""Models of the loans area (filled in by its issue)."""
MODELS = []
