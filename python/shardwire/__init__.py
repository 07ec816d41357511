"""shardwire for Python: secure aggregation (and exact differential privacy) through a local agent.

A Python program starts or connects to a shardwire agent (:class:`Agent`), joins sessions as a
:class:`Participant` and contributes vectors, or coordinates a session (:class:`Coordinator`)
and runs rounds. Standard library only; numpy is used when present. Errors are
:class:`ShardwireError` subclasses named after the stable codes (:mod:`shardwire.errors`).
Flower integration: :mod:`shardwire.flower`.
"""

from .agent import Agent
from .coordinator import Coordinator, Round, RoundResult
from .errors import *  # noqa: F401,F403
from .errors import AgentStartError, ShardwireError
from .errors import __all__ as _errors_all
from .identity import PublicIdentity, cli_command, keygen, read_public_identity, roster_hash
from .participant import Contribution, Participant

__version__ = "0.1.0"

__all__ = [
    "Agent",
    "Participant",
    "Contribution",
    "Coordinator",
    "Round",
    "RoundResult",
    "PublicIdentity",
    "keygen",
    "read_public_identity",
    "roster_hash",
    "cli_command",
    *_errors_all,
]
