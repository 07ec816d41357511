"""A session this process takes part in, through the agent."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from ._vectors import open_envelope, vector_payload

if TYPE_CHECKING:
    from ._transport import Transport


@dataclass
class Contribution:
    """What one contribution returned.

    Attributes:
        memo: the round the vector went into.
        bytes_sent: size of the sealed partial this participant sent.
        contributors: the round's contributors, when the coordinator broadcasts the result.
        aggregate: the released aggregate, when the coordinator broadcasts it (else None).
        timings: milliseconds the agent spent reading the body (``readMs``) and in the SDK
            (``sdkMs``, from the body read to the answer; includes waiting for the round to open).
        privacy: DP sessions: the round as this participant's own ledger counts it
            (``epsilonRound``, ``epsilonTotal``, ``coordinatorEpsilonTotal``, ``delta``, ``budget``),
            checked against the coordinator's signed round report; else None.
    """

    memo: str
    bytes_sent: int
    contributors: List[str] = field(default_factory=list)
    aggregate: Any = None
    timings: Dict[str, float] = field(default_factory=dict)
    privacy: Optional[Dict[str, Any]] = None


class Participant:
    """A joined session. Create with :meth:`shardwire.Agent.join`.

    Attributes:
        handle: the agent's handle for this session.
        id: this participant's id (from its identity file).
        session: the session id.
    """

    def __init__(self, transport: "Transport", status: Dict[str, Any]) -> None:
        self._t = transport
        self.handle: str = status["handle"]
        self.id: str = status["id"]
        self.session: str = status["session"]

    def contribute(
        self,
        vector: Any,
        *,
        weight: Optional[float] = None,
        memo: Optional[str] = None,
        timeout_ms: Optional[int] = None,
    ) -> Contribution:
        """Contributes ``vector`` to the next round the coordinator opens (or to round ``memo``).

        The vector travels as raw float32/float64 bytes (numpy arrays of those types are not
        copied); any shape is accepted and flattened in C order, its size must be the round's dim.
        For a weightedMean round pass ``weight`` (e.g. the number of training examples, at most
        the session's ``maxWeight``). Blocks until the SDK's ``client.aggregate`` resolves.

        Raises:
            BadVectorError: wrong size or dtype, NaN or infinite values. A wrong size does not take
                the round: call again with a vector of the round's size.
            BadArgumentError: a missing, extra or out-of-range weight (the round stays open too).
            DroppedError: the round was released without this contribution (it came after the
                coordinator's ``buffer_size`` was reached, or late); contribute to the next round.
            InconsistentError, BadShareError, RosterMismatchError: the coordinator or another
                participant broke the protocol; nothing of this vector was revealed.
            ShardwireTimeoutError: no round opened within the timeout.
            BadStateError: after :meth:`leave`.

        Example::

            p.contribute(np.asarray(weights, dtype=np.float32), weight=len(train_set))
        """
        payload, dtype, shape = vector_payload(vector)
        headers = {
            "Content-Type": "application/octet-stream",
            "Shardwire-Dtype": dtype,
            "Shardwire-Shape": ",".join(str(n) for n in shape),
        }
        if weight is not None:
            headers["Shardwire-Weight"] = repr(float(weight))
        if memo is not None:
            headers["Shardwire-Memo"] = memo
        if timeout_ms is not None:
            headers["Shardwire-Timeout-Ms"] = str(int(timeout_ms))
        answer = self._t.request("POST", f"/v1/participants/{self.handle}/contributions", body=payload, headers=headers)
        if answer.content_type.startswith("application/vnd.shardwire.envelope"):
            meta, data = open_envelope(answer.body)
        else:
            meta, data = answer.json(), None
        contributors = list(meta.get("contributors", []))
        privacy = meta.get("privacy")
        return Contribution(meta["memo"], int(meta["bytesSent"]), contributors, data, dict(meta.get("timings", {})), dict(privacy) if privacy else None)

    def status(self) -> Dict[str, Any]:
        """The agent's view of this session: state, rounds opened, contributions, refused messages."""
        return self._t.request("GET", f"/v1/participants/{self.handle}").json()

    def leave(self) -> None:
        """Leaves the session (closes the relay connection, wipes the session keys).

        Leave only after the coordinator's round is over: a dropout recovery may still need
        this participant's seed reveals.
        """
        self._t.request("DELETE", f"/v1/participants/{self.handle}")
