"""Domain errors: a rule refused an action. They say why, in words for the person, and
what they are about, but nothing of HTTP or of forms: the web layer maps the kind of
error to a status and `about` to a form field."""


class DomainError(Exception):
    """A refusal; `about` names the detail of the request it concerns (e.g. "email")."""

    def __init__(self, message: str, about: str | None = None):
        super().__init__(message)
        self.about = about


class Invalid(DomainError):
    """What was sent cannot be accepted as it is."""


class Conflict(DomainError):
    """The thing has moved on: already done, full, closed or changed by someone else."""


class NotFound(DomainError):
    """Not there, as far as this person can tell (out of scope included)."""


class NotPermitted(DomainError):
    """The person may see this, but not do this to it."""
