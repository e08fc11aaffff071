"""Models of the service area (filled in by its issue)."""
MODELS = []
