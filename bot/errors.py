"""Domain errors whose message is safe and friendly enough to show the person as it is."""

from __future__ import annotations


class DomainError(Exception):
    """Base: `str(error)` is a short sentence for the person who acted."""


class NotFound(DomainError):
    """The thing acted on does not exist (or not in this workspace)."""


class NotAllowed(DomainError):
    """The person may not do this."""


class StaleAction(DomainError):
    """The action was already done or no longer applies (a double click, a retry, an old button)."""
