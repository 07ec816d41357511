"""Exception classes for the shardwire error codes.

Generated from src/errors.ts by scripts/python-error-codes.mjs (`npm run python:errors`); do not
edit by hand.
"""

from typing import Dict, Type

from ._error_base import ShardwireError


class BadArgumentError(ShardwireError):
    """E_BAD_ARGUMENT: Check the argument named in the message against the TSDoc of the function
    you called.
    """

    code = "E_BAD_ARGUMENT"


class BadVectorError(ShardwireError):
    """E_BAD_VECTOR: Pass a Float32Array/Float64Array (or the ring vector type named) of the
    expected length with finite values only.
    """

    code = "E_BAD_VECTOR"


class BadConfigError(ShardwireError):
    """E_BAD_CONFIG: Fix the configuration field named in the message; see README §Configuration
    and bit budget.
    """

    code = "E_BAD_CONFIG"


class UnsupportedError(ShardwireError):
    """E_UNSUPPORTED: The requested feature is not available in this version; the message names the
    alternative.
    """

    code = "E_UNSUPPORTED"


class RingOverflowError(ShardwireError):
    """E_RING_OVERFLOW: Lower the exponent, the clipping bound or the number of clients to the
    values named in the message.
    """

    code = "E_RING_OVERFLOW"


class KernelError(ShardwireError):
    """E_KERNEL: The WebAssembly kernel failed to load (the message names the file or URL) or
    reported an internal error: in a checkout rebuild with `npm run asbuild`, reinstall an
    installed package, serve kernel-*.wasm to browsers; report a bug if it persists.
    """

    code = "E_KERNEL"


class BadFrameError(ShardwireError):
    """E_BAD_FRAME: The frame does not follow the wire format (docs/RELAY.md, "Wire format"); fix
    the sender.
    """

    code = "E_BAD_FRAME"


class BadPayloadError(ShardwireError):
    """E_BAD_PAYLOAD: The frame text was not valid UTF-8/JSON."""

    code = "E_BAD_PAYLOAD"


class FrameTooLargeError(ShardwireError):
    """E_FRAME_TOO_LARGE: Send smaller frames or raise the relay's --max-payload."""

    code = "E_FRAME_TOO_LARGE"


class AuthError(ShardwireError):
    """E_AUTH: Sign the relay challenge with the identity key registered in the session roster."""

    code = "E_AUTH"


class NotInSessionError(ShardwireError):
    """E_NOT_IN_SESSION: Join the session first, or ask the coordinator to add this identity to the
    roster.
    """

    code = "E_NOT_IN_SESSION"


class SessionExistsError(ShardwireError):
    """E_SESSION_EXISTS: Choose a new session id."""

    code = "E_SESSION_EXISTS"


class SessionExpiredError(ShardwireError):
    """E_SESSION_EXPIRED: The session was idle past its expiry; create a new one."""

    code = "E_SESSION_EXPIRED"


class RateLimitedError(ShardwireError):
    """E_RATE_LIMITED: Slow down: the connection exceeded its message or byte rate."""

    code = "E_RATE_LIMITED"


class BackpressureError(ShardwireError):
    """E_BACKPRESSURE: The recipient is not reading fast enough; retry later or send less."""

    code = "E_BACKPRESSURE"


class ShuttingDownError(ShardwireError):
    """E_SHUTTING_DOWN: The relay is shutting down; reconnect to another relay."""

    code = "E_SHUTTING_DOWN"


class ConfigMismatchError(ShardwireError):
    """E_CONFIG_MISMATCH: All parties must use the same configuration (same configHash); fetch the
    coordinator's config again.
    """

    code = "E_CONFIG_MISMATCH"


class TooFewContributorsError(ShardwireError):
    """E_TOO_FEW_CONTRIBUTORS: Fewer than minClients contributed; nothing was released. Retry the
    round or lower minClients.
    """

    code = "E_TOO_FEW_CONTRIBUTORS"


class ShardwireTimeoutError(ShardwireError, TimeoutError):
    """E_TIMEOUT: A phase did not finish in time; raise the timeout or check the peers'
    connectivity.
    """

    code = "E_TIMEOUT"


class ReplayError(ShardwireError):
    """E_REPLAY: The message belongs to another round or was already received; it was ignored."""

    code = "E_REPLAY"


class AbortedError(ShardwireError):
    """E_ABORTED: The operation was cancelled through its AbortSignal."""

    code = "E_ABORTED"


class BadDpConfigError(ShardwireError):
    """E_BAD_DP_CONFIG: Fix the differential-privacy field named in the message (see README
    §Differential privacy).
    """

    code = "E_BAD_DP_CONFIG"


class BudgetExhaustedError(ShardwireError):
    """E_BUDGET_EXHAUSTED: This release would exceed the session's privacy budget; start a new
    session or raise the budget knowingly.
    """

    code = "E_BUDGET_EXHAUSTED"


class BadStateError(ShardwireError):
    """E_BAD_STATE: The call does not fit the current state (a round still running, a session
    already left or closed), or a saved state is corrupted or from another version/session: wait
    or start again, or restore a good copy instead of starting over.
    """

    code = "E_BAD_STATE"


class CryptoError(ShardwireError):
    """E_CRYPTO: Decryption or signature verification failed: the data was altered or the wrong key
    was used.
    """

    code = "E_CRYPTO"


class InconsistentError(ShardwireError):
    """E_INCONSISTENT: The coordinator showed this participant a view that contradicts its own or
    the other participants' signed view (or asked twice); nothing was revealed. Treat the
    coordinator as compromised.
    """

    code = "E_INCONSISTENT"


class BadShareError(ShardwireError):
    """E_BAD_SHARE: A share or a rebuilt secret failed verification; details.sender names the party
    that misbehaved. Remove it from the roster.
    """

    code = "E_BAD_SHARE"


class UndeliveredError(ShardwireError):
    """E_UNDELIVERED: This participant's partial could not be delivered (details.cause names why:
    the relay link closed, the relay refused a frame, no upload credit came); it was not
    counted. Check the relay and contribute again.
    """

    code = "E_UNDELIVERED"


class DroppedError(ShardwireError):
    """E_DROPPED: This participant's contribution was not part of the released aggregate (it
    arrived late or was excluded); contribute again in the next round.
    """

    code = "E_DROPPED"


class RosterMismatchError(ShardwireError):
    """E_ROSTER_MISMATCH: The roster differs from the one pinned by the config's rosterHash (or
    names an identity outside it); use the roster agreed out of band.
    """

    code = "E_ROSTER_MISMATCH"


class LinkLostError(ShardwireError):
    """E_LINK_LOST: The relay link dropped and did not come back within the reconnection window (or
    the relay refused it for good); check the relays, then join again.
    """

    code = "E_LINK_LOST"


class StateTamperedError(ShardwireError):
    """E_STATE_TAMPERED: A saved state (the coordinator's session state, a participant's privacy
    ledger) does not authenticate under this identity: it was altered, truncated or written by
    another identity. Restore a good copy; never start the session or the ledger over (the spent
    privacy budget would be forgotten).
    """

    code = "E_STATE_TAMPERED"


class NoisePlanMismatchError(ShardwireError):
    """E_NOISE_PLAN_MISMATCH: The coordinator announced a noise plan (mechanism, noise scale,
    minHonest, budget) other than the one this participant derives from the agreed config;
    nothing was contributed. Treat the coordinator as misconfigured or compromised.
    """

    code = "E_NOISE_PLAN_MISMATCH"


class LedgerMismatchError(ShardwireError):
    """E_LEDGER_MISMATCH: The coordinator's privacy accounting (its announced cumulative ε or its
    signed round report) disagrees with this participant's own ledger; details.reason says how.
    Stop contributing to the session and compare the ledgers.
    """

    code = "E_LEDGER_MISMATCH"


class AppError(ShardwireError):
    """E_APP: The FeatureCloud app crashed, did not answer, or broke the controller protocol (the
    message says which); read the app's log.
    """

    code = "E_APP"


class PeerFailedError(ShardwireError):
    """E_PEER_FAILED: Another site failed (the message names it and its own error code); fix that
    site, then restart the run on every site.
    """

    code = "E_PEER_FAILED"


class BadTokenError(ShardwireError):
    """E_BAD_TOKEN: Send the agent's bearer token (from the token file it wrote at start) in the
    Authorization header.
    """

    code = "E_BAD_TOKEN"


class NotFoundError(ShardwireError):
    """E_NOT_FOUND: The agent has no such route or handle; check the URL, the method and the handle
    returned by join/start.
    """

    code = "E_NOT_FOUND"


class BodyTooLargeError(ShardwireError):
    """E_BODY_TOO_LARGE: Send a smaller request body or start the agent with a larger --max-body."""

    code = "E_BODY_TOO_LARGE"


class InternalError(ShardwireError):
    """E_INTERNAL: A bug in shardwire: the agent logged it with a stack trace; report it with that
    log.
    """

    code = "E_INTERNAL"


#: Exception class per error code.
ERROR_CLASSES: Dict[str, Type[ShardwireError]] = {
    "E_BAD_ARGUMENT": BadArgumentError,
    "E_BAD_VECTOR": BadVectorError,
    "E_BAD_CONFIG": BadConfigError,
    "E_UNSUPPORTED": UnsupportedError,
    "E_RING_OVERFLOW": RingOverflowError,
    "E_KERNEL": KernelError,
    "E_BAD_FRAME": BadFrameError,
    "E_BAD_PAYLOAD": BadPayloadError,
    "E_FRAME_TOO_LARGE": FrameTooLargeError,
    "E_AUTH": AuthError,
    "E_NOT_IN_SESSION": NotInSessionError,
    "E_SESSION_EXISTS": SessionExistsError,
    "E_SESSION_EXPIRED": SessionExpiredError,
    "E_RATE_LIMITED": RateLimitedError,
    "E_BACKPRESSURE": BackpressureError,
    "E_SHUTTING_DOWN": ShuttingDownError,
    "E_CONFIG_MISMATCH": ConfigMismatchError,
    "E_TOO_FEW_CONTRIBUTORS": TooFewContributorsError,
    "E_TIMEOUT": ShardwireTimeoutError,
    "E_REPLAY": ReplayError,
    "E_ABORTED": AbortedError,
    "E_BAD_DP_CONFIG": BadDpConfigError,
    "E_BUDGET_EXHAUSTED": BudgetExhaustedError,
    "E_BAD_STATE": BadStateError,
    "E_CRYPTO": CryptoError,
    "E_INCONSISTENT": InconsistentError,
    "E_BAD_SHARE": BadShareError,
    "E_UNDELIVERED": UndeliveredError,
    "E_DROPPED": DroppedError,
    "E_ROSTER_MISMATCH": RosterMismatchError,
    "E_LINK_LOST": LinkLostError,
    "E_STATE_TAMPERED": StateTamperedError,
    "E_NOISE_PLAN_MISMATCH": NoisePlanMismatchError,
    "E_LEDGER_MISMATCH": LedgerMismatchError,
    "E_APP": AppError,
    "E_PEER_FAILED": PeerFailedError,
    "E_BAD_TOKEN": BadTokenError,
    "E_NOT_FOUND": NotFoundError,
    "E_BODY_TOO_LARGE": BodyTooLargeError,
    "E_INTERNAL": InternalError,
}

__all__ = [
    "BadArgumentError",
    "BadVectorError",
    "BadConfigError",
    "UnsupportedError",
    "RingOverflowError",
    "KernelError",
    "BadFrameError",
    "BadPayloadError",
    "FrameTooLargeError",
    "AuthError",
    "NotInSessionError",
    "SessionExistsError",
    "SessionExpiredError",
    "RateLimitedError",
    "BackpressureError",
    "ShuttingDownError",
    "ConfigMismatchError",
    "TooFewContributorsError",
    "ShardwireTimeoutError",
    "ReplayError",
    "AbortedError",
    "BadDpConfigError",
    "BudgetExhaustedError",
    "BadStateError",
    "CryptoError",
    "InconsistentError",
    "BadShareError",
    "UndeliveredError",
    "DroppedError",
    "RosterMismatchError",
    "LinkLostError",
    "StateTamperedError",
    "NoisePlanMismatchError",
    "LedgerMismatchError",
    "AppError",
    "PeerFailedError",
    "BadTokenError",
    "NotFoundError",
    "BodyTooLargeError",
    "InternalError",
    "ERROR_CLASSES",
]
