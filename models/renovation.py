"""Models of the renovation area (filled in by its issue)."""
MODELS = []
