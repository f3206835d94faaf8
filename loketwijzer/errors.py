"""Errors that service functions raise and every interface (API, pages, CLI) renders."""

from __future__ import annotations


class ActionError(Exception):
    """A problem the user can act on; ``message`` is Dutch at B1 level."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None,
                 suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.suggestions = suggestions or []

    def to_dict(self) -> dict:
        body: dict = {"code": self.code, "message": self.message}
        if self.suggestions:
            body["suggestions"] = self.suggestions
        return {"error": body}


class NotFound(ActionError):
    status = 404
    code = "not_found"


class InvalidInput(ActionError):
    status = 400
    code = "invalid_input"


class Forbidden(ActionError):
    """The actor may not do this (checked in the action layer, not only in a view)."""

    status = 403
    code = "forbidden"
