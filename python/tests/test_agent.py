"""The Python package against a real agent and relay: rounds, weights, dropouts, errors, tokens."""

import os
import subprocess
import sys
import tempfile
import time
import unittest
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import List, Tuple

import numpy as np

import shardwire
from shardwire import Agent, Coordinator, Participant

from ._support import Identities, Relay, cli, config


class AgentRounds(unittest.TestCase):
    relay: Relay
    ids: Identities
    coord_agent: Agent
    agent: Agent

    @classmethod
    def setUpClass(cls) -> None:
        cls.relay = Relay()
        cls.ids = Identities(4)
        cls.coord_agent = Agent.start(cli=cli())
        cls.agent = Agent.start(cli=cli())

    @classmethod
    def tearDownClass(cls) -> None:
        cls.agent.close()
        cls.coord_agent.close()
        cls.relay.close()
        cls.ids.close()

    def session(self, n: int = 3, **over: object) -> Tuple[Coordinator, List[Participant]]:
        name = f"py-{uuid.uuid4().hex[:12]}"
        cfg = config(**over)
        roster = self.ids.public[1 : n + 1]
        c = self.coord_agent.start_session(self.relay.url, name, self.ids.files[0], roster, cfg)
        coordinator = self.ids.public[0]
        ps = [self.agent.join(self.relay.url, name, self.ids.files[i], coordinator, cfg) for i in range(1, n + 1)]
        self.assertEqual(sorted(c.wait_for_participants(n, timeout_ms=10000)), sorted(p.id for p in roster))
        self.addCleanup(c.close)
        for p in ps:
            self.addCleanup(_leave, p)
        return c, ps

    def contribute_all(self, ps: List[Participant], xs: List[object], **kw: object) -> list:
        # contributions run concurrently: a contribution may only return once the round is done
        with ThreadPoolExecutor(len(ps)) as pool:
            return list(pool.map(lambda px: px[0].contribute(px[1], **kw), zip(ps, xs)))

    def test_mean_of_three(self) -> None:
        c, ps = self.session()
        dim = 2000
        xs = [((np.arange(dim) * 7 + i * 13) % 128 - 64) / 64 for i in range(3)]
        rnd = c.start_round(dim, "mean")
        sent = self.contribute_all(ps, [xs[0].astype(np.float32), xs[1], list(xs[2])])
        self.assertTrue(all(s.memo == rnd.memo and s.bytes_sent >= dim * 4 for s in sent))
        r = rnd.result(timeout=30)
        self.assertEqual(r.memo, rnd.memo)
        self.assertIsInstance(r.aggregate, np.ndarray)
        np.testing.assert_allclose(r.aggregate, sum(xs) / 3, rtol=0, atol=1e-6)
        self.assertEqual(sorted(r.contributors), sorted(p.id for p in ps))
        self.assertEqual(r.dropped, [])
        self.assertIsNone(r.epsilon_spent)
        self.assertEqual(r.report["closing"]["minClients"], 2)
        self.assertIn("rosterHash", ps[0].status()["warnings"][0])  # no pinned roster in this config

    def test_ledger_path_keeps_each_participants_privacy_ledger(self) -> None:
        name = f"py-{uuid.uuid4().hex[:12]}"
        cfg = config(
            smpc={"shards": 0, "exponent": 4},
            clip={"norm": "l2", "bound": 1},
            dp={"noisetype": "gauss", "epsilon": 1, "delta": 1e-5, "clippingVal": 1, "mode": "distributed"},
            privacyBudget={"epsilon": 10, "delta": 1e-4},
        )
        roster = self.ids.public[1:3]
        c = self.coord_agent.start_session(self.relay.url, name, self.ids.files[0], roster, cfg)
        self.addCleanup(c.close)
        with tempfile.TemporaryDirectory() as d:
            paths = [os.path.join(d, f"ledger-{i}.json") for i in (1, 2)]
            ps = [self.agent.join(self.relay.url, name, self.ids.files[i], self.ids.public[0], cfg, ledger_path=paths[i - 1]) for i in (1, 2)]
            for p in ps:
                self.addCleanup(_leave, p)
            c.wait_for_participants(2, timeout_ms=10000)
            rnd = c.start_round(8)
            sent = self.contribute_all(ps, [np.full(8, 0.01)] * 2)
            r = rnd.result(timeout=30)
            for s, path in zip(sent, paths):
                self.assertIsNotNone(s.privacy)
                self.assertEqual(s.privacy["epsilonTotal"], r.epsilon_spent)
                self.assertEqual(s.privacy["coordinatorEpsilonTotal"], r.epsilon_spent)
                self.assertTrue(os.path.exists(path))
            self.assertEqual(ps[0].status()["ledger"]["where"], paths[0])

    def test_weighted_mean_with_a_dropout_and_2d_float32(self) -> None:
        c, ps = self.session(maxWeight=1000)
        shape = (20, 5)
        xs = [np.full(shape, i + 1, dtype=np.float32) / 4 for i in range(3)]
        ps[2].leave()
        for _ in range(200):  # until the relay has told the coordinator
            if ps[2].id not in c.status()["ready"]:
                break
            time.sleep(0.02)
        r_handle = c.start_round(100, "weightedMean", participants=[p.id for p in ps], wait_ms=200, timeout_ms=4000)
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda i: ps[i].contribute(xs[i], weight=[50, 150][i]), [0, 1]))
        r = r_handle.result(timeout=30)
        np.testing.assert_allclose(r.aggregate, ((50 * xs[0] + 150 * xs[1]) / 200).ravel(), rtol=0, atol=1e-6)
        self.assertEqual(len(r.contributors), 2)
        self.assertEqual(r.report["closing"]["notReady"], [ps[2].id])

    def test_dropout_during_the_round_leaves_the_exact_mean_of_the_others(self) -> None:
        c, ps = self.session()
        xs = [np.linspace(-1, 1, 50) * (i + 1) for i in range(3)]
        rnd = c.start_round(50, "mean", timeout_ms=1500)
        self.contribute_all(ps[:2], xs[:2])
        r = rnd.result(timeout=30)  # the third never contributes: dropped at the timeout
        np.testing.assert_allclose(r.aggregate, (xs[0] + xs[1]) / 2, rtol=0, atol=1e-6)
        self.assertEqual(r.dropped, [ps[2].id])

    def test_round_result_timeout_then_result(self) -> None:
        c, ps = self.session(2)
        rnd = c.start_round(4, "sum")
        with self.assertRaises(shardwire.ShardwireTimeoutError):
            rnd.result(timeout=0.2)
        self.contribute_all(ps, [np.ones(4), np.ones(4)])
        np.testing.assert_array_equal(rnd.result(timeout=30).aggregate, np.full(4, 2.0))

    def test_errors_are_their_codes_and_the_agent_keeps_serving(self) -> None:
        c, ps = self.session(2)
        with self.assertRaises(shardwire.BadArgumentError):
            c.start_round(4, buffer_size=1)
        with self.assertRaises(shardwire.BadArgumentError):
            c.start_round(4, operation="median")
        rnd = c.start_round(4, "sum", timeout_ms=8000)
        with self.assertRaises(shardwire.BadStateError) as cm:
            c.start_round(4)
        self.assertEqual(cm.exception.status, 409)
        with self.assertRaises(shardwire.BadVectorError):
            ps[0].contribute(np.ones(5))
        with self.assertRaises(shardwire.BadVectorError):
            ps[0].contribute(np.ones((2, 3), dtype=np.float32))
        with self.assertRaises(shardwire.BadArgumentError):
            ps[1].contribute(np.ones(4), weight=2.0)  # a sum round takes no weight
        # refused calls do not take the round: the same participants contribute to it
        self.contribute_all(ps, [np.arange(4, dtype=np.float32).reshape(2, 2), np.ones(4)])
        np.testing.assert_array_equal(rnd.result(timeout=30).aggregate, [1.0, 2.0, 3.0, 4.0])
        ps[1].leave()
        with self.assertRaises(shardwire.BadStateError):
            ps[1].contribute(np.ones(4))
        with self.assertRaises(shardwire.BadVectorError):
            ps[0].contribute("not a vector")
        self.assertEqual(self.agent.status()["api"], "v1")

    def test_buffer_size_closes_the_round_at_k_contributions(self) -> None:
        c, ps = self.session(3)
        xs = [np.linspace(0, 1, 32) + i for i in range(3)]
        rnd = c.start_round(32, "mean", buffer_size=2, timeout_ms=20000)
        t0 = time.monotonic()
        self.contribute_all(ps[:2], xs[:2])
        r = rnd.result(timeout=30)
        self.assertLess(time.monotonic() - t0, 10, "the round waited for its timeout instead of closing at K")
        np.testing.assert_allclose(r.aggregate, (xs[0] + xs[1]) / 2, rtol=0, atol=1e-6)
        self.assertEqual(sorted(r.contributors), sorted(p.id for p in ps[:2]))
        self.assertEqual(r.dropped, [ps[2].id])
        self.assertEqual(r.report["closing"]["bufferSize"], 2)
        # the participant left out contributes to the next round (naming it: a call without a memo
        # made before the closed round's result reached its client would be dropped from that round)
        r2 = c.start_round(32, "mean", timeout_ms=20000)
        self.contribute_all(ps, xs, memo=r2.memo)
        np.testing.assert_allclose(r2.result(timeout=30).aggregate, sum(xs) / 3, rtol=0, atol=1e-6)

    def test_pinned_roster(self) -> None:
        roster = self.ids.public[1:3]
        c, ps = self.session(2, rosterHash=shardwire.roster_hash(roster))
        self.assertEqual(c.status()["config"]["rosterHash"], shardwire.roster_hash(roster))
        self.assertEqual(ps[0].status()["warnings"], [])
        rnd = c.start_round(3, "sum")
        self.contribute_all(ps, [np.ones(3), np.full(3, 2.0)])
        np.testing.assert_array_equal(rnd.result(timeout=30).aggregate, np.full(3, 3.0))
        name = f"py-{uuid.uuid4().hex[:12]}"
        other = config(rosterHash=shardwire.roster_hash(self.ids.public[1:4]))
        with self.assertRaises(shardwire.RosterMismatchError):
            self.coord_agent.start_session(self.relay.url, name, self.ids.files[0], roster, other)

    def test_join_errors(self) -> None:
        name = f"py-{uuid.uuid4().hex[:12]}"
        c = self.coord_agent.start_session(self.relay.url, name, self.ids.files[0], self.ids.public[1:3], config())
        self.addCleanup(c.close)
        with self.assertRaises(shardwire.ConfigMismatchError):
            other = config(minClients=3)
            self.agent.join(self.relay.url, name, self.ids.files[1], self.ids.public[0], other, timeout_ms=5000)
        with self.assertRaises(shardwire.NotInSessionError):
            self.agent.join(self.relay.url, name, self.ids.files[3], self.ids.public[0], config(), timeout_ms=5000)
        with self.assertRaises(shardwire.BadConfigError):
            self.agent.join(self.relay.url, name, self.ids.files[1], self.ids.public[0], config(minClient=2))
        os.chmod(self.ids.files[2], 0o644)
        try:
            with self.assertRaises(shardwire.BadStateError):
                self.agent.join(self.relay.url, name, self.ids.files[2], self.ids.public[0], config())
        finally:
            os.chmod(self.ids.files[2], 0o600)
        with self.assertRaises(shardwire.SessionExistsError):
            self.coord_agent.start_session(self.relay.url, name, self.ids.files[0], self.ids.public[1:3], config())


class AgentProcess(unittest.TestCase):
    def test_bad_token(self) -> None:
        with Agent.start(cli=cli(), transport="tcp") as agent, tempfile.TemporaryDirectory() as d:
            self.assertTrue(agent.url is not None and agent.url.startswith("http://127.0.0.1:"))
            wrong = os.path.join(d, "token")
            with open(wrong, "w") as f:
                f.write("A" * 43)
            intruder = Agent.connect(agent.url, token_file=wrong)
            with self.assertRaises(shardwire.BadTokenError) as cm:
                intruder.status()
            self.assertEqual(cm.exception.status, 401)
            self.assertEqual(agent.status()["errors"]["E_BAD_TOKEN"], 1)

    def test_oversized_body_is_refused_and_the_agent_keeps_serving(self) -> None:
        with Agent.start(cli=cli(), max_body="64KiB") as agent:
            p = shardwire.Participant(agent._t, {"handle": "p-000000000000", "id": "x", "session": "s"})
            with self.assertRaises(shardwire.BodyTooLargeError) as cm:
                p.contribute(np.zeros(100_000))
            self.assertEqual(cm.exception.status, 413)
            with self.assertRaises(shardwire.NotFoundError):
                p.contribute(np.zeros(10))
            self.assertEqual(agent.status()["errors"], {"E_BODY_TOO_LARGE": 1, "E_NOT_FOUND": 1})

    def test_unix_socket(self) -> None:
        with Agent.start(cli=cli()) as agent:  # the default where AF_UNIX exists
            self.assertIsNotNone(agent.socket_path)
            self.assertIsNone(agent.url)
            self.assertEqual(agent.status()["api"], "v1")
        with tempfile.TemporaryDirectory() as d:
            sock = os.path.join(d, "agent.sock")
            with Agent.start(cli=cli(), socket_path=sock) as agent:
                self.assertEqual(os.stat(sock).st_mode & 0o777, 0o600)
                self.assertEqual(agent.status()["api"], "v1")
            self.assertFalse(os.path.exists(sock))

    def test_the_agent_stops_when_its_parent_dies(self) -> None:
        script = (
            "import os, sys; from shardwire import Agent; "
            f"a = Agent.start(cli={cli()!r}); print(a.status()['pid'], flush=True); os._exit(3)"
        )
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
        pid = int(out.stdout.strip())
        for _ in range(100):
            if not _alive(pid):
                break
            time.sleep(0.1)
        self.assertFalse(_alive(pid), "the agent outlived the process that started it")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not yet reaped by init) counts as gone
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def _leave(p: Participant) -> None:
    try:
        p.leave()
    except shardwire.ShardwireError:
        pass


if __name__ == "__main__":
    unittest.main()
