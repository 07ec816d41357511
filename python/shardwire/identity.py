"""Identities: creating identity files with the shardwire CLI and reading their public part.

An identity file holds an Ed25519 secret key (mode 0600). Only its public part — the id and the
public key — is shared: participants need the coordinator's, the coordinator needs everyone's
(its roster). The secret key stays in the file; the agent reads it itself.
"""

import base64
import hashlib
import json
import os
import shlex
import subprocess
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence

from .errors import error_for


def cli_command(cli: Optional[Sequence[str]] = None) -> List[str]:
    """The command that runs the shardwire CLI: ``cli`` if given, else ``$SHARDWIRE_CLI`` (split
    like a shell would), else ``npx --no-install shardwire``.

    Example: ``SHARDWIRE_CLI="node /path/to/shardwire/bin/shardwire.mjs"``.
    """
    if cli is not None:
        return list(cli)
    env = os.environ.get("SHARDWIRE_CLI")
    if env:
        return shlex.split(env)
    return ["npx", "--no-install", "shardwire"]


@dataclass(frozen=True)
class PublicIdentity:
    """The public part of an identity: its id and its Ed25519 public key (unpadded base64url, as
    ``shardwire keygen`` and ``shardwire pubkey`` print it)."""

    id: str
    public_key: str

    def to_json(self) -> Dict[str, str]:
        """The ``{"id", "publicKey"}`` form the agent takes."""
        return {"id": self.id, "publicKey": self.public_key}


def keygen(
    path: str, *, force: bool = False, cli: Optional[Sequence[str]] = None, timeout: float = 60.0
) -> PublicIdentity:
    """Creates an identity file at ``path`` (mode 0600) with ``shardwire keygen`` and returns its
    public part.

    Raises:
        BadArgumentError: when the file exists and ``force`` is false, or the CLI fails.

    Example::

        me = keygen("me.identity.json")
        print(me.id, me.public_key)
    """
    cmd = [*cli_command(cli), "keygen", "--out", path, "--json"] + (["--force"] if force else [])
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise error_for("E_BAD_ARGUMENT", f"shardwire keygen failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    return PublicIdentity(out["id"], out["publicKey"])


def read_public_identity(path: str) -> PublicIdentity:
    """The id and public key of an identity file (the secret key is not kept).

    Raises:
        BadStateError: when the file is not a shardwire identity file.
    """
    with open(path, "r", encoding="utf-8") as f:
        o = json.load(f)
    if not isinstance(o, dict) or o.get("type") != "shardwire-identity":
        raise error_for("E_BAD_STATE", f"{path} is not a shardwire identity file")
    return PublicIdentity(str(o["id"]), str(o["publicKey"]))


def roster_hash(roster: Iterable[PublicIdentity]) -> str:
    """The config's ``rosterHash`` for ``roster`` (the participants' public identities): pins the
    session's participants, so that participants refuse any identity the coordinator adds.

    The same value as the TypeScript SDK's ``rosterHash()``: lower-case hex of BLAKE2b-256 over
    the canonical JSON of ``{"context": "shardwire/roster/v1", "roster": [{"id", "publicKey"}]}``
    with the members sorted by id and the keys in unpadded base64url.

    Raises:
        BadArgumentError: for a key that is not 32 bytes of base64, or an id listed twice.

    Example::

        config["rosterHash"] = roster_hash(participants)   # the same config on every side
    """
    members = []
    for p in roster:
        text = p.public_key.rstrip("=").replace("-", "+").replace("_", "/")
        try:
            key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        except ValueError:
            key = b""
        if len(key) != 32:
            raise error_for("E_BAD_ARGUMENT", f"roster entry {p.id}: the public key is not 32 bytes of base64")
        members.append({"id": p.id, "publicKey": base64.urlsafe_b64encode(key).decode("ascii").rstrip("=")})
    if len({m["id"] for m in members}) != len(members):
        raise error_for("E_BAD_ARGUMENT", "the roster lists an id twice")
    members.sort(key=lambda m: m["id"].encode("utf-16-be"))
    text = json.dumps({"context": "shardwire/roster/v1", "roster": members}, separators=(",", ":"),
                      sort_keys=True, ensure_ascii=False)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=32).hexdigest()
