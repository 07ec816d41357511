"""The base class of every error the agent reports (see :mod:`shardwire.errors`)."""

from typing import Any, Dict, Mapping, Optional


class ShardwireError(Exception):
    """An error with a stable shardwire code, as the agent answered it.

    Catch a subclass (``TooFewContributorsError``) or compare :attr:`code`; never parse the
    message. :attr:`hint` says what to do, :attr:`details` holds structured context (never
    secrets), :attr:`status` the HTTP status the agent used (``None`` for local errors).
    """

    code: str = "E_INTERNAL"

    def __init__(
        self,
        message: str,
        *,
        code: Optional[str] = None,
        hint: str = "",
        details: Optional[Mapping[str, Any]] = None,
        status: Optional[int] = None,
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.hint = hint
        self.details: Dict[str, Any] = dict(details or {})
        self.status = status

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"
