"""peewee models, one module per area. ALL_MODELS lists them in dependency order."""
from importlib import import_module

MODEL_MODULES = [
    "users", "system", "property", "people", "archive",
    "ledger", "keys", "loans", "movein", "renovation", "service",
]


def all_models():
    models = []
    for name in MODEL_MODULES:
        models.extend(import_module(f"models.{name}").MODELS)
    return models
