"""The move-in area's public functions in one namespace, for callers that work across the whole
hand-over (the tab, the demo sites, the tests): from app.movein import api as movein. Each name
lives in the topic module named in its import."""
from __future__ import annotations

from app.movein.aftercare import (
    book_moving,
    bookings,
    close_defect,
    defect_fixed,
    open_defects,
    pass_booking_to_gate,
    record_visit,
    send_defect,
    startup_reminders,
    visits_due,
)
from app.movein.events import (
    Board,
    BoardRow,
    cluster_choices,
    create_event,
    events,
    progress_board,
)
from app.movein.steps import (
    AGREEMENTS,
    DEFECT_KINDS,
    DEFECT_ROOMS,
    DEFECT_STATES,
    METER_KINDS,
    STATES_AFTER,
    STEP_CODES,
    STEP_NAMES,
    STEPS,
    cancel_handover,
    complete_inspection,
    confirm_developer,
    current_step,
    do_agreements,
    do_identity,
    do_keys,
    do_payment,
    handover_detail,
    handover_for_home,
    next_step,
    owner_prefill,
    prepayment_amount,
    record_defect,
    start_handover,
    steps_done,
)

__all__ = [
    "AGREEMENTS", "Board", "BoardRow", "DEFECT_KINDS", "DEFECT_ROOMS", "DEFECT_STATES", "METER_KINDS", "STATES_AFTER",
    "STEPS", "STEP_CODES", "STEP_NAMES", "book_moving", "bookings", "cancel_handover", "close_defect",
    "cluster_choices", "complete_inspection", "confirm_developer", "create_event", "current_step", "defect_fixed",
    "do_agreements", "do_identity", "do_keys", "do_payment", "events", "handover_detail",
    "handover_for_home", "next_step", "open_defects", "owner_prefill", "pass_booking_to_gate",
    "prepayment_amount", "progress_board", "record_defect", "record_visit", "send_defect", "start_handover",
    "startup_reminders", "steps_done", "visits_due",
]
