"""Shared set-up of the Python tests: the repository's CLI, a relay process, identity files.

The tests run the real shardwire CLI of this checkout (``node bin/shardwire.mjs``, the compiled dist/
that ``npm run test:interop`` builds first; override with
``$SHARDWIRE_CLI``) and Debian's python3 (test/interop runs them; ``npm run test:interop``).
"""

import json
import os
import queue
import shlex
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import List, Optional

from shardwire import PublicIdentity, keygen

REPO = Path(__file__).resolve().parents[2]


def cli() -> List[str]:
    """The shardwire CLI of this checkout."""
    env = os.environ.get("SHARDWIRE_CLI")
    if env:
        return shlex.split(env)
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not on PATH; the tests need the shardwire CLI (set SHARDWIRE_CLI)")
    return [node, str(REPO / "bin" / "shardwire.mjs")]


class Relay:
    """``shardwire relay`` on a free port, stopped by :meth:`close`."""

    def __init__(self) -> None:
        # the JSON log lines go to stdout (discarded); the one human "listening on" line to stderr
        self.process = subprocess.Popen(
            [*cli(), "relay", "--port", "0", "--log-level", "info"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        lines: "queue.Queue[str]" = queue.Queue()

        def pump() -> None:
            assert self.process.stderr is not None
            for line in self.process.stderr:
                lines.put(line)
            lines.put("")

        threading.Thread(target=pump, daemon=True).start()
        self.url: Optional[str] = None
        while self.url is None:
            line = lines.get(timeout=60)
            if line == "":
                raise RuntimeError("the relay exited before it listened")
            if line.startswith("shardwire relay listening on "):
                self.url = line.split()[4]

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()


class Identities:
    """``n`` identity files (mode 0600) in a private temp directory."""

    def __init__(self, n: int) -> None:
        self.dir = tempfile.mkdtemp(prefix="shardwire-py-ids-")
        self.files = [os.path.join(self.dir, f"id-{i}.json") for i in range(n)]
        self.public: List[PublicIdentity] = [keygen(f, cli=cli()) for f in self.files]

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def config(**over: object) -> dict:
    """A small session config (S = 10^6, L∞ clip 10, short timeouts)."""
    base = {
        "smpc": {"shards": 0, "exponent": 6},
        "minClients": 2,
        "maxClients": 3,
        "clip": {"norm": "linf", "bound": 10},
        "timeouts": {"joinMs": 10000, "roundMs": 8000, "revealMs": 4000},
    }
    base.update(over)
    return base


def dumps(o: object) -> str:
    return json.dumps(o)
