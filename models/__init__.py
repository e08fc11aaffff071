"""peewee models, one module per area. ALL_MODELS lists them in dependency order."""
from importlib import import_module

MODEL_MODULES = [
    "users", "system", "property", "people", "archive",
    "ledger", "keys", "loans", "movein", "renovation", "service", "service_reply", "parking",
    "frontdesk",
    "golive", "golive_opening",
    "notices",
    "reductions",
    "payhistory",
    "shared_meter",
    "item_counts",
    "balances",
]

# Every table the models define. Start-up compares it with the database's tables so that it
# need not import every model module (about 30 ms) before the main window is painted; a test
# keeps it equal to the models' own table names.
TABLES = frozenset({
    "archive_document", "attachment", "audit_log", "building", "charge", "charge_item", "complaint_reply",
    "charge_standard", "charge_rule", "cluster", "defect", "dunning_record", "entrance", "familiarity_check",
    "handover", "handover_event", "handover_step", "home", "home_owner", "home_search", "key",
    "key_loan", "loan", "loan_item", "meta", "meter_reading", "moving_booking", "owner",
    "parking_owner", "parking_space", "payment", "personal_key", "receipt", "renovation", "renovation_deduction",
    "renovation_notice", "renovation_patrol", "renovation_worker", "resident", "return_visit",
    "sequence", "service_event", "service_request", "subscription", "user", "vacant_inspection",
    "vehicle", "visit",
    "contact", "goods_pass", "parcel", "visitor", "shift_log",
    "letting_listing", "letting_seeker", "letting_viewing", "letting_deal", "round_entry",
    "import_mapping", "pending_check", "register_import", "go_live_signoff",
    "notice", "notice_template",
    "reduction",
    "payment_history",
    "shared_meter_reading",
    "item_count",
    "charge_balance", "charge_balance_month",
})


def all_models():
    models = []
    for name in MODEL_MODULES:
        models.extend(import_module(f"models.{name}").MODELS)
    return models
