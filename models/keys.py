"""Models of the keys area (filled in by its issue)."""
MODELS = []
