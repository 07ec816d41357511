"""The local shardwire agent: start one as a subprocess, or connect to a running one.

The agent (``shardwire agent``, a Node.js process) holds the identities, the relay connections
and the WebAssembly kernel; this package only talks HTTP to it. A started agent gets a private
token file and ``--exit-on-stdin-eof``, so it stops with this process even if it is killed.
"""

import json
import os
import queue
import shutil
import socket
import subprocess
import tempfile
import threading
from typing import IO, Any, Dict, Mapping, Optional, Sequence, Union

from ._transport import Transport
from .coordinator import Coordinator
from .errors import AgentStartError
from .identity import PublicIdentity, cli_command
from .participant import Participant

Peer = Union[PublicIdentity, Mapping[str, str]]


def _peer_json(p: Peer) -> Dict[str, str]:
    if isinstance(p, PublicIdentity):
        return p.to_json()
    return {"id": str(p["id"]), "publicKey": str(p.get("publicKey", p.get("public_key", "")))}


class Agent:
    """A connection to a shardwire agent. Use :meth:`start` or :meth:`connect`.

    Example::

        with Agent.start() as agent:
            p = agent.join(relay_url, "study-7", "me.identity.json", coordinator, config)
            p.contribute(weights, weight=n_examples)
    """

    def __init__(
        self,
        transport: Transport,
        *,
        process: Optional["subprocess.Popen[bytes]"] = None,
        state_dir: Optional[str] = None,
        url: Optional[str] = None,
        socket_path: Optional[str] = None,
    ) -> None:
        self._t = transport
        self._process = process
        self._state_dir = state_dir
        self.url = url
        self.socket_path = socket_path

    @classmethod
    def connect(cls, url: Optional[str] = None, *, socket_path: Optional[str] = None, token_file: str) -> "Agent":
        """Connects to a running agent by its URL (``http://127.0.0.1:PORT``) or Unix socket, with
        the token from its token file."""
        with open(token_file, "r", encoding="utf-8") as f:
            token = f.read().strip()
        return cls(Transport(url, socket_path, token), url=url, socket_path=socket_path)

    @classmethod
    def start(
        cls,
        *,
        cli: Optional[Sequence[str]] = None,
        transport: str = "auto",
        socket_path: Optional[str] = None,
        max_body: Optional[str] = None,
        log_level: str = "warn",
        startup_timeout: float = 60.0,
        stderr: Optional[IO[Any]] = None,
        env: Optional[Mapping[str, str]] = None,
    ) -> "Agent":
        """Starts ``<cli> agent`` as a subprocess, on a Unix socket in a private directory (or a
        free loopback port) and waits until it is ready.

        Args:
            cli: the shardwire CLI command (default: ``$SHARDWIRE_CLI`` or ``npx --no-install
                shardwire``; from a checkout: ``["node", "bin/shardwire.mjs"]``).
            transport: ``"unix"`` (a socket in the agent's private 0700 directory: no port, and
                faster than TCP loopback — 4 MB bodies in about half the time, measured), ``"tcp"``
                (a free loopback port), or ``"auto"`` (default: unix where the platform has it).
            socket_path: listen on this Unix socket (implies ``"unix"``).
            max_body: the agent's largest request body, e.g. ``"512MiB"``.
            log_level: the agent's stderr log level.
            startup_timeout: seconds to wait for the agent's ready line.
            stderr: where the agent's log goes (default: this process's stderr).
            env: environment of the agent process (default: this one's).

        Raises:
            AgentStartError: the agent exited or did not get ready in time (its last output is
                in the message).
        """
        if transport not in ("auto", "unix", "tcp"):
            raise ValueError(f"transport expected 'auto', 'unix' or 'tcp', got {transport!r}")
        state_dir = tempfile.mkdtemp(prefix="shardwire-agent-")  # mode 0700
        token_file = os.path.join(state_dir, "agent.token")
        private_socket = os.path.join(state_dir, "agent.sock")
        # AF_UNIX paths are limited to ~104 bytes; "auto" falls back to TCP past that
        unix_ok = hasattr(socket, "AF_UNIX") and len(private_socket.encode()) < 100
        if socket_path is None and (transport == "unix" or (transport == "auto" and unix_ok)):
            if not unix_ok:
                shutil.rmtree(state_dir, ignore_errors=True)
                raise ValueError(f"transport 'unix' is not available here (no AF_UNIX, or {private_socket} too long)")
            socket_path = private_socket
        cmd = [*cli_command(cli), "agent", "--token-file", token_file, "--exit-on-stdin-eof", "--log-level", log_level]
        if socket_path is not None:
            cmd += ["--socket", socket_path]
        if max_body is not None:
            cmd += ["--max-body", max_body]
        try:
            process = subprocess.Popen(
                cmd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                env=dict(env) if env is not None else None,
            )
        except OSError as e:
            shutil.rmtree(state_dir, ignore_errors=True)
            raise AgentStartError(f"cannot run {cmd[0]!r}: {e}") from e
        lines: "queue.Queue[bytes]" = queue.Queue()

        def pump() -> None:  # reads stdout to the end so the agent never blocks on a full pipe
            assert process.stdout is not None
            for line in process.stdout:
                lines.put(line)
            lines.put(b"")

        threading.Thread(target=pump, name="shardwire-agent-stdout", daemon=True).start()
        try:
            line = lines.get(timeout=startup_timeout)
            ready = json.loads(line.decode("utf-8")) if line else None
        except (queue.Empty, ValueError):
            ready = None
        if not isinstance(ready, dict) or ready.get("event") != "ready":
            process.kill()
            process.wait()
            shutil.rmtree(state_dir, ignore_errors=True)
            raise AgentStartError(
                f"the agent ({' '.join(cmd[:3])} ...) did not report ready within {startup_timeout} s "
                f"(exit code {process.returncode}); see its stderr"
            )
        with open(token_file, "r", encoding="utf-8") as f:
            token = f.read().strip()
        url = ready.get("url") if socket_path is None else None
        client = Transport(url, socket_path, token)
        return cls(client, process=process, state_dir=state_dir, url=url, socket_path=socket_path)

    def status(self) -> Dict[str, Any]:
        """The agent's status: API version, limits, sessions, request and error counters."""
        return self._t.request("GET", "/v1/status").json()

    def join(
        self,
        relay_url: str,
        session: str,
        identity_file: str,
        coordinator: Peer,
        config: Mapping[str, Any],
        *,
        timeout_ms: Optional[int] = None,
        ledger_path: Optional[str] = None,
    ) -> Participant:
        """Joins ``session`` as the participant of ``identity_file`` (mode 0600) and completes the
        key exchange with the coordinator.

        Args:
            coordinator: the coordinator's public identity (id and public key).
            config: the session configuration, the same the coordinator uses.
            ledger_path: DP sessions: the file where this participant keeps its own privacy
                ledger (one file per session); without it the ledger lives in the agent's memory
                and starts at zero if the agent restarts.

        Raises:
            ConfigMismatchError, AuthError, NotInSessionError, ShardwireTimeoutError,
            BadArgumentError, BadStateError (identity file readable by others, or a ledger file
            of another session), StateTamperedError (a ledger file that was altered).
        """
        body: Dict[str, Any] = {
            "relayUrl": relay_url,
            "session": session,
            "identityFile": os.path.abspath(identity_file),
            "coordinator": _peer_json(coordinator),
            "config": dict(config),
        }
        if timeout_ms is not None:
            body["timeoutMs"] = timeout_ms
        if ledger_path is not None:
            body["ledgerPath"] = os.path.abspath(ledger_path)
        return Participant(self._t, self._t.request("POST", "/v1/participants", json_body=body).json())

    def start_session(
        self,
        relay_url: str,
        session: str,
        identity_file: str,
        roster: Sequence[Peer],
        config: Mapping[str, Any],
        *,
        max_dim: Optional[int] = None,
        accountant_state: Optional[str] = None,
    ) -> Coordinator:
        """Creates ``session`` on the relay as its coordinator, with the participants' public
        identities as the roster.

        Raises:
            BadConfigError, BadDpConfigError, RingOverflowError, SessionExistsError, AuthError.
        """
        body: Dict[str, Any] = {
            "relayUrl": relay_url,
            "session": session,
            "identityFile": os.path.abspath(identity_file),
            "roster": [_peer_json(p) for p in roster],
            "config": dict(config),
        }
        if max_dim is not None:
            body["maxDim"] = max_dim
        if accountant_state is not None:
            body["accountantState"] = accountant_state
        return Coordinator(self._t, self._t.request("POST", "/v1/coordinators", json_body=body).json())

    def close(self, timeout: float = 10.0) -> None:
        """Stops the agent if this object started it (every session is left), else does nothing."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            self._t.request("POST", "/v1/shutdown", timeout=timeout)
            process.wait(timeout=timeout)
        except Exception:  # noqa: BLE001 - stopping must not fail; fall back to a signal
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        finally:
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    pipe.close()
            if self._state_dir is not None:
                shutil.rmtree(self._state_dir, ignore_errors=True)

    def __enter__(self) -> "Agent":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
