"""The errors the shardwire agent reports, one exception class per stable code.

Every failure the agent answers with becomes a :class:`ShardwireError` subclass named after its
code (``E_TOO_FEW_CONTRIBUTORS`` → :class:`TooFewContributorsError`, ``E_TIMEOUT`` →
:class:`ShardwireTimeoutError`, which is also a builtin ``TimeoutError``), carrying the code, the
message, the hint, structured details and the HTTP status. Codes this version does not know yet
still arrive as a plain :class:`ShardwireError` with their code.

Example::

    try:
        result = coordinator.run_round(dim, operation="mean")
    except TooFewContributorsError as e:
        print("nothing released:", e.details)
"""

from typing import Any, Mapping, Optional

from ._error_base import ShardwireError
from ._error_codes import *  # noqa: F401,F403 (the generated classes)
from ._error_codes import ERROR_CLASSES, __all__ as _CODE_CLASSES


class AgentStartError(RuntimeError):
    """The agent process could not be started or did not become ready (not an agent answer)."""


def error_for(
    code: str,
    message: str,
    *,
    hint: str = "",
    details: Optional[Mapping[str, Any]] = None,
    status: Optional[int] = None,
) -> ShardwireError:
    """Builds the exception for ``code`` (its class, or ShardwireError for an unknown code).

    Example::

        raise error_for("E_BAD_VECTOR", "vector expected float32 or float64")
    """
    cls = ERROR_CLASSES.get(code, ShardwireError)
    return cls(message, code=code, hint=hint, details=details, status=status)


def error_from_answer(status: int, body: Mapping[str, Any]) -> ShardwireError:
    """The exception for an agent's JSON error answer ``{code, message, hint, details}``."""
    code = body.get("code")
    if not isinstance(code, str):
        return ShardwireError(f"the agent answered HTTP {status} without an error code", status=status)
    details = body.get("details")
    return error_for(
        code,
        str(body.get("message", code)),
        hint=str(body.get("hint", "")),
        details=details if isinstance(details, Mapping) else None,
        status=status,
    )


__all__ = ["ShardwireError", "AgentStartError", "error_for", "error_from_answer", *_CODE_CLASSES]
