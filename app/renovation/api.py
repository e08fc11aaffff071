"""The renovation area's public functions in one namespace, for callers that work across all the
stages (the tab, the demo sites, the tests): from app.renovation import api as rv. Each name
lives in the topic module named in its import; new code inside the package imports from there."""
from __future__ import annotations

from app.renovation.application import (
    apply,
    approve,
    attach_drawing,
    drawing_files,
    drawings_of,
    homes_for_application,
    issue_permit,
    owner_name,
    permit_blockers,
    permit_earliest,
    record_tests,
    reject,
    sign_fire_undertaking,
    tests_passed,
)
from app.renovation.closing import (
    abandon,
    refund_deposit,
)
from app.renovation.common import (
    ACTIVE_STATES,
    CLOSED_STATES,
    SOURCE,
    STAGES,
    get,
    may,
    user_name,
    user_names,
)
from app.renovation.fees import (
    charge_status,
    deposit_for,
    deposit_held,
    fee_lines,
    fees_of,
    fees_paid,
    rubbish_fee_for,
    unpaid_charge_ids,
    worker_deposit_held,
    worker_paid,
)
from app.renovation.lists import (
    DUE_CATEGORIES,
    DueItem,
    Row,
    SpotCheck,
    due_items,
    list_renovations,
    spot_checks,
    startup_reminders,
    todo,
)
from app.renovation.passes import (
    attach_worker_photo,
    extend_pass,
    issue_pass,
    pass_state,
    refund_pass_deposit,
    register_worker,
    return_pass,
    worker_photo,
    worker_rows,
    workers_of,
)
from app.renovation.progress import (
    NEXT_STEP_OF_STATE,
    Stage,
    next_step,
    stages,
)
from app.renovation.works import (
    close_notice,
    first_inspection,
    first_inspection_due,
    issue_notice,
    notice_rows,
    notices_of,
    open_notices,
    patrol_rows,
    patrols_of,
    record_completion,
    record_patrol,
    second_inspection,
)

__all__ = [
    "ACTIVE_STATES", "CLOSED_STATES", "DUE_CATEGORIES", "DueItem", "NEXT_STEP_OF_STATE", "Row", "SOURCE", "STAGES",
    "SpotCheck", "Stage", "abandon", "apply", "approve", "attach_drawing", "attach_worker_photo",
    "charge_status", "close_notice", "deposit_for", "deposit_held", "drawing_files",
    "drawings_of", "due_items", "extend_pass", "fee_lines", "fees_of", "fees_paid", "first_inspection",
    "first_inspection_due", "get", "homes_for_application", "issue_notice", "issue_pass",
    "issue_permit", "list_renovations", "may", "next_step", "notice_rows", "notices_of", "open_notices", "owner_name",
    "pass_state", "patrol_rows", "patrols_of", "permit_blockers", "permit_earliest", "record_completion",
    "record_patrol", "record_tests", "refund_deposit", "refund_pass_deposit",
    "register_worker", "reject", "return_pass", "rubbish_fee_for", "second_inspection",
    "sign_fire_undertaking", "spot_checks", "stages", "startup_reminders", "tests_passed", "todo",
    "unpaid_charge_ids", "user_name", "user_names", "worker_deposit_held", "worker_paid",
    "worker_photo", "worker_rows", "workers_of",
]
