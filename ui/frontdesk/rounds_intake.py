"""转报修…: the service intake (ui.service.intake.IntakeDialog) opened from a finding of the rounds,
prefilled with what was found where, the channel fixed to 巡查; 受理 takes the request in and closes
the finding with its number (app.frontdesk.rounds_service.to_service, one transaction)."""
from __future__ import annotations

from app.frontdesk import rounds_service
from ui.service.intake import IntakeDialog


class RoundIntakeDialog(IntakeDialog):
    def __init__(self, ctx, entry, parent=None):
        self.entry = entry
        super().__init__(ctx, parent)
        self.setWindowTitle(f"转报修：{entry.number} {entry.place}")
        defaults = rounds_service.intake_defaults(entry)
        self.channel.setCurrentText(defaults["channel"])
        self.channel.setEnabled(False)                  # a finding of the rounds is always 巡查
        self.kind.setCurrentText(defaults["kind"])
        self.caller.setText(defaults["caller"])
        self.content.setPlainText(defaults["content"])

    def call(self):
        entry, request = rounds_service.to_service(self.ctx, self.entry.id, self.values())
        self.entry = entry
        return request
