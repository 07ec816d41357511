"""One Flower client process of test_flower: its own agent, a shardwire participant, and a real
``flwr.client.start_numpy_client`` around the secure wrapper. Arguments come as one JSON object."""

import json
import sys

import Crypto  # noqa: F401 - the vendored Flower's stand-in for pycryptodome; before flwr
import flwr as fl

from shardwire import Agent, PublicIdentity
from shardwire.flower import secure_client

from tests.linreg import LinRegClient


def main(o: dict) -> None:
    agent = Agent.start(cli=o["cli"])
    try:
        coordinator = PublicIdentity(o["coordinator"]["id"], o["coordinator"]["publicKey"])
        participant = agent.join(o["relay"], o["session"], o["identity"], coordinator, o["config"])
        client = secure_client(LinRegClient(o["index"], o.get("dropRound")), participant)
        fl.client.start_numpy_client(server_address=o["server"], client=client)
    finally:
        agent.close()


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
