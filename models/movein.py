"""Models of the movein area (filled in by its issue)."""
MODELS = []
