"""The one error type users can cause; every door turns it into a clear message."""

from typing import Any


class RefdeskError(Exception):
    """A problem the user can fix: bad input, an illegal step, a rule refused."""

    status_code = 400

    def __init__(self, message: str, *, details: Any = None):
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(RefdeskError):
    """The input does not satisfy a rule; `details` maps field names to reasons."""

    status_code = 422


class NotFound(RefdeskError):
    status_code = 404


class Forbidden(RefdeskError):
    status_code = 403


class Conflict(RefdeskError):
    """The thing already exists, or changed under you."""

    status_code = 409


class IllegalTransition(RefdeskError):
    """A workflow step that is not allowed from the current status."""

    status_code = 409
