"""PropertyDesk 物业前台 — domain services and workflows (no Qt widgets here)."""
__version__ = "0.1.0"
APP_NAME = "PropertyDesk"
APP_TITLE = "物业前台 PropertyDesk"
