"""Driver of bench/python.bench.ts: Python participants that contribute through their own agents.

Reads one JSON command per line on stdin, answers one JSON line on stdout:
  {"cmd": "join", "name", "transport", ...} → {"ok": true, "id": ...}  (one agent per join)
  {"cmd": "contribute", "names", "memo", "file", "opened"}
      → {"ok": true, "<name>": {"ms": <wall time of contribute()>, "sdkMs": <the agent's time
         inside the SDK>, "readMs", "computeMs": <the SDK's own work>}, ...}
      (the named participants contribute at the same time, one thread each: a contribution
      returns only when the round is released)
  {"cmd": "bare", "port", "file"}           → {"ok": true, "ms": <POST of the same bytes to a bare server>}
  {"cmd": "exit"}
Before timing, it waits until the agent has seen the round open (status roundsOpened), so the
time is the contribution alone: numpy array → HTTP body → agent → SDK client.aggregate → answer.
"""

import http.client
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from shardwire import Agent, PublicIdentity


def main() -> None:
    agents = []
    participants = {}
    vectors = {}
    for line in sys.stdin:
        cmd = json.loads(line)
        try:
            if cmd["cmd"] == "join":
                agent = Agent.start(cli=cmd["cli"], transport=cmd["transport"])
                agents.append(agent)
                coordinator = PublicIdentity(cmd["coordinator"]["id"], cmd["coordinator"]["publicKey"])
                participant = agent.join(cmd["relay"], cmd["session"], cmd["identity"], coordinator, cmd["config"])
                participants[cmd["name"]] = participant
                reply = {"ok": True, "id": participant.id}
            elif cmd["cmd"] == "contribute":
                x = vectors.get(cmd["file"])
                if x is None:
                    x = vectors[cmd["file"]] = np.fromfile(cmd["file"], dtype="<f4")

                def one(name: str, x: "np.ndarray" = x, cmd: dict = cmd) -> dict:
                    participant = participants[name]
                    while participant.status()["roundsOpened"] < cmd["opened"]:
                        time.sleep(0.002)
                    t0 = time.perf_counter()
                    c = participant.contribute(x, memo=cmd["memo"])
                    ms = (time.perf_counter() - t0) * 1000
                    return {"ms": ms, **{k: c.timings[k] for k in ("sdkMs", "readMs", "computeMs")}}

                with ThreadPoolExecutor(len(cmd["names"])) as pool:
                    done = dict(zip(cmd["names"], pool.map(one, cmd["names"])))
                reply = {"ok": True, **done}
            elif cmd["cmd"] == "bare":
                x = vectors.get(cmd["file"])
                if x is None:
                    x = vectors[cmd["file"]] = np.fromfile(cmd["file"], dtype="<f4")
                t0 = time.perf_counter()
                conn = http.client.HTTPConnection("127.0.0.1", cmd["port"])
                conn.request("POST", "/", body=x.data.cast("B"), headers={"Content-Type": "application/octet-stream"})
                conn.getresponse().read()
                conn.close()
                reply = {"ok": True, "ms": (time.perf_counter() - t0) * 1000}
            else:
                break
        except Exception as e:  # noqa: BLE001 - reported to the bench, which fails
            reply = {"ok": False, "error": repr(e)}
        print(json.dumps(reply), flush=True)
    for agent in agents:
        agent.close()


if __name__ == "__main__":
    main()
