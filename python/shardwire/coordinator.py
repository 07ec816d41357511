"""A session this process coordinates, through the agent: rounds and their results."""

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence

from ._vectors import open_envelope
from .errors import error_for

if TYPE_CHECKING:
    from ._transport import Transport

#: Longest single wait the client asks the agent for; longer waits are several requests.
_POLL_MS = 30_000


@dataclass
class RoundResult:
    """A released aggregate and the coordinator's report.

    Attributes:
        memo: the round's memo.
        aggregate: float64 values (a numpy array when numpy is present, else ``array.array("d")``).
        report: the SDK's round report: contributors, dropped, bytesReceived, timings, ``dp``
            (ε of the round and in total, in DP sessions) and ``closing`` (the rules applied).
    """

    memo: str
    aggregate: Any
    report: Dict[str, Any]

    @property
    def contributors(self) -> List[str]:
        """Ids whose contributions are in the aggregate."""
        return list(self.report.get("contributors", []))

    @property
    def dropped(self) -> List[str]:
        """Ids that were asked but are not in the aggregate."""
        return list(self.report.get("dropped", []))

    @property
    def epsilon_spent(self) -> Optional[float]:
        """ε spent by the session so far (DP sessions), else None."""
        dp = self.report.get("dp")
        return float(dp["epsilonTotal"]) if isinstance(dp, dict) else None


class Round:
    """A round running in the agent. Get it from :meth:`Coordinator.start_round`."""

    def __init__(self, transport: "Transport", handle: str, memo: str) -> None:
        self._t = transport
        self._handle = handle
        self.memo = memo

    def result(self, timeout: Optional[float] = None) -> RoundResult:
        """Waits for the round to finish and returns its result.

        Raises:
            TooFewContributorsError: fewer than minClients contributed; nothing was released.
            ShardwireTimeoutError: the round did not finish within ``timeout`` seconds (it keeps
                running in the agent; call again), or one of its phases timed out.
            BudgetExhaustedError, AbortedError, ...: the round's own error.
        """
        end = None if timeout is None else time.monotonic() + timeout
        while True:
            left_ms = _POLL_MS if end is None else int(max(0.0, end - time.monotonic()) * 1000)
            wait_ms = min(_POLL_MS, left_ms)
            answer = self._t.request(
                "GET",
                f"/v1/coordinators/{self._handle}/rounds/{self.memo}?waitMs={wait_ms}",
                timeout=wait_ms / 1000 + 30,
            )
            if answer.status == 200:
                meta, data = open_envelope(answer.body)
                return RoundResult(meta["memo"], data, meta["report"])
            if end is not None and time.monotonic() >= end:
                raise error_for(
                    "E_TIMEOUT", f"round {self.memo} is still running after {timeout} s (it goes on in the agent)"
                )


class Coordinator:
    """A coordinated session. Create with :meth:`shardwire.Agent.start_session`.

    Attributes:
        handle: the agent's handle for this session.
        session: the session id.
        config: the validated session configuration (defaults filled in).
    """

    def __init__(self, transport: "Transport", status: Dict[str, Any]) -> None:
        self._t = transport
        self.handle: str = status["handle"]
        self.session: str = status["session"]
        self.config: Dict[str, Any] = status["config"]
        self.config_hash: str = status["configHash"]

    def status(self) -> Dict[str, Any]:
        """Roster, ready participants, rounds and (DP sessions) the privacy spent so far."""
        return self._t.request("GET", f"/v1/coordinators/{self.handle}").json()

    def wait_for_participants(self, count: Optional[int] = None, timeout_ms: Optional[int] = None) -> List[str]:
        """Waits until ``count`` participants (default: the whole roster) are ready; returns their ids.

        Raises:
            ShardwireTimeoutError: fewer joined within ``timeout_ms`` (default: the config's joinMs).
        """
        body: Dict[str, Any] = {}
        if count is not None:
            body["count"] = count
        if timeout_ms is not None:
            body["timeoutMs"] = timeout_ms
        answer = self._t.request("POST", f"/v1/coordinators/{self.handle}/participants/wait", json_body=body)
        return list(answer.json()["ready"])

    def start_round(
        self,
        dim: int,
        operation: Optional[str] = None,
        *,
        memo: Optional[str] = None,
        participants: Optional[Sequence[str]] = None,
        broadcast: Optional[bool] = None,
        timeout_ms: Optional[int] = None,
        buffer_size: Optional[int] = None,
        min_clients: Optional[int] = None,
        wait_ms: Optional[int] = None,
    ) -> Round:
        """Starts a round in the agent and returns at once (the participants can then be told to
        contribute); get the outcome with :meth:`Round.result`.

        Args:
            dim: the vector size every participant contributes.
            operation: ``"sum"``, ``"mean"`` or ``"weightedMean"`` (participants pass ``weight``);
                in a session with ``smpc.operation`` ``"multiply"``, ``"multiply"`` (the exact
                element-wise product). Default: the session's first (``"sum"`` or ``"multiply"``).
            memo: the round's id (default: a random one); never reused in a session.
            participants: ids to ask (default: every ready participant).
            broadcast: send the result to the participants too.
            timeout_ms: how long partials are collected (FEDn round_timeout); missing ones are
                dropped through dropout recovery.
            buffer_size: close the round as soon as this many partials arrived (FEDn buffer_size).
            min_clients: wait until this many participants are ready before opening (FEDn
                clients_required); at least the session's minClients.
            wait_ms: how long to wait for them (default: the config's joinMs).

        Raises:
            BadArgumentError: a bad dim, operation or rule; BadStateError: a round is running.
        """
        body: Dict[str, Any] = {"dim": int(dim)}
        for key, value in (
            ("operation", operation),
            ("memo", memo),
            ("participants", list(participants) if participants is not None else None),
            ("broadcast", broadcast),
            ("timeoutMs", timeout_ms),
            ("bufferSize", buffer_size),
            ("minClients", min_clients),
            ("waitMs", wait_ms),
        ):
            if value is not None:
                body[key] = value
        answer = self._t.request("POST", f"/v1/coordinators/{self.handle}/rounds", json_body=body)
        return Round(self._t, self.handle, answer.json()["memo"])

    def run_round(self, dim: int, operation: Optional[str] = None, **rules: Any) -> RoundResult:
        """Runs one round and returns the aggregate with its report (``start_round`` + ``result``).

        Example::

            r = coordinator.run_round(len(w), operation="weightedMean", buffer_size=8)
            print(r.aggregate[:5], r.contributors, r.epsilon_spent)
        """
        return self.start_round(dim, operation, **rules).result()

    def close(self) -> None:
        """Closes the session (a running round aborts) and wipes its keys."""
        self._t.request("DELETE", f"/v1/coordinators/{self.handle}")
