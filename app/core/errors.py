"""Errors a user can act on. Every message is Chinese and names the field and the problem."""


class UserError(Exception):
    """A refusal the user can understand and act on (bad input, wrong state, no permission)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return self.message


class ValidationError(UserError):
    """Bad input in one field: ``field`` is the Chinese field label shown to the user."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}：{problem}")
        self.field = field
        self.problem = problem


class PermissionDenied(UserError):
    pass


class NotFound(UserError):
    pass


class StateError(UserError):
    """The action is not allowed in the record's current state (e.g. a key already out)."""
