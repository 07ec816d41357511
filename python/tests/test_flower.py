"""A real Flower 1.7 server and three real Flower clients (gRPC, separate processes) train a
linear model for three rounds with SecureFedAvg. Checked: the global parameters after every round
equal plain FedAvg's to within the fixed-point error (10^-exponent per element); the server
strategy only ever receives the aggregate, never a client's own parameters; a client that
crashes in round 2 leaves the exact weighted average of the others; Flower's evaluation,
num_examples weighting and metrics aggregation keep working.

Needs the vendored Flower 1.7 on PYTHONPATH (npm run test:interop sets it up); fails, never
skips, when it is missing.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid
from typing import Dict, List, Optional, Tuple

try:
    import Crypto  # noqa: F401 - the vendored Flower's stand-in for pycryptodome; before flwr
    import flwr as fl
except ImportError as e:  # pragma: no cover - reported as a failure below
    fl = None
    _IMPORT_ERROR: Optional[str] = f"{e}; put the vendored Flower 1.7 (shims/ and the package) on PYTHONPATH"
else:
    _IMPORT_ERROR = None

import numpy as np

from shardwire import Agent

from ._support import Identities, Relay, cli, config

EXPONENT = 6
TOLERANCE = 10.0**-EXPONENT
ROUNDS = 3
DROP_ROUND = 2
DROPPER = 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_listening(port: int, timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the Flower server did not listen on {port}")


def _plain_fedavg() -> Tuple[Dict[int, List[np.ndarray]], Dict[int, List[List[np.ndarray]]], Dict[int, float]]:
    """Plain FedAvg of the same clients (Flower's own aggregate()), the dropper gone from round 2."""
    from flwr.server.strategy.aggregate import aggregate

    from .linreg import LinRegClient, initial_parameters

    clients = [LinRegClient(i) for i in range(3)]
    params = initial_parameters()
    globals_, individual, losses = {}, {}, {}
    for r in range(1, ROUNDS + 1):
        live = [c for c in clients if not (c.index == DROPPER and r >= DROP_ROUND)]
        fits = [c.fit(params, {"server_round": r}) for c in live]
        individual[r] = [p for p, _, _ in fits]
        losses[r] = sum(n * m["loss"] for _, n, m in fits) / sum(n for _, n, _ in fits)
        params = aggregate([(p, n) for p, n, _ in fits])
        globals_[r] = params
    return globals_, individual, losses


class FlowerOverShardwire(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        if _IMPORT_ERROR is not None:
            raise RuntimeError(f"Flower is not importable: {_IMPORT_ERROR}")
        from flwr.common import ndarrays_to_parameters, parameters_to_ndarrays
        from flwr.server.strategy import FedAvg

        from shardwire.flower import SecureFedAvg

        from .linreg import initial_parameters

        class RecordingFedAvg(FedAvg):
            """FedAvg that records what it receives and returns; waits for the expected clients."""

            expected = {1: 3, 2: 3, 3: 2}

            def __init__(self, **kw: object) -> None:
                super().__init__(**kw)
                self.received: Dict[int, List[List[np.ndarray]]] = {}
                self.returned: Dict[int, List[np.ndarray]] = {}

            def configure_fit(self, server_round, parameters, client_manager):  # type: ignore[no-untyped-def]
                client_manager.wait_for(self.expected[server_round], timeout=120)
                return super().configure_fit(server_round, parameters, client_manager)

            def aggregate_fit(self, server_round, results, failures):  # type: ignore[no-untyped-def]
                self.received[server_round] = [parameters_to_ndarrays(res.parameters) for _, res in results]
                out = super().aggregate_fit(server_round, results, failures)
                if out[0] is not None:
                    self.returned[server_round] = parameters_to_ndarrays(out[0])
                return out

        class ObservedSecureFedAvg(SecureFedAvg):
            """Records what Flower hands the secure strategy (the clients' raw fit results)."""

            raw: Dict[int, Tuple[List[Tuple[int, int]], int]] = {}

            def aggregate_fit(self, server_round, results, failures):  # type: ignore[no-untyped-def]
                seen = [(len(res.parameters.tensors), res.num_examples) for _, res in results]
                self.raw[server_round] = (seen, len(failures))
                return super().aggregate_fit(server_round, results, failures)

        def weighted_loss(metrics: List[Tuple[int, Dict[str, float]]]) -> Dict[str, float]:
            total = sum(n for n, _ in metrics)
            return {"loss": sum(n * m["loss"] for n, m in metrics) / total}

        cls.tmp = tempfile.mkdtemp(prefix="shardwire-flower-")
        cls.relay = Relay()
        cls.ids = Identities(4)
        cls.agent = Agent.start(cli=cli())
        session = f"flower-{uuid.uuid4().hex[:12]}"
        cfg = config(smpc={"shards": 0, "exponent": EXPONENT}, maxClients=3, minClients=2, maxWeight=200,
                     timeouts={"joinMs": 60000, "roundMs": 60000, "revealMs": 20000})
        coordinator = cls.agent.start_session(cls.relay.url, session, cls.ids.files[0], cls.ids.public[1:], cfg)
        cls.inner = RecordingFedAvg(
            fraction_fit=1.0, fraction_evaluate=1.0, min_fit_clients=2, min_evaluate_clients=2, min_available_clients=2,
            initial_parameters=ndarrays_to_parameters(initial_parameters()),
            on_fit_config_fn=lambda r: {"server_round": r}, fit_metrics_aggregation_fn=weighted_loss,
        )
        cls.strategy = ObservedSecureFedAvg(cls.inner, coordinator)
        port = _free_port()
        cls.history = None
        cls.server_error: Optional[BaseException] = None

        def serve() -> None:
            try:
                cls.history = fl.server.start_server(
                    server_address=f"127.0.0.1:{port}",
                    config=fl.server.ServerConfig(num_rounds=ROUNDS),
                    strategy=cls.strategy,
                )
            except BaseException as e:  # noqa: BLE001 - reported by the test
                cls.server_error = e

        server = threading.Thread(target=serve, name="flower-server", daemon=True)
        server.start()
        _wait_listening(port, 60)
        env = {**os.environ, "FLWR_TELEMETRY_ENABLED": "0", "PYTHONPATH": os.pathsep.join(sys.path)}
        cls.client_logs = [os.path.join(cls.tmp, f"client-{i}.log") for i in range(3)]
        cls.clients = []
        for i in range(3):
            args = {
                "cli": cli(), "relay": cls.relay.url, "session": session, "identity": cls.ids.files[i + 1],
                "coordinator": cls.ids.public[0].to_json(), "config": cfg, "index": i, "server": f"127.0.0.1:{port}",
                **({"dropRound": DROP_ROUND} if i == DROPPER else {}),
            }
            log = open(cls.client_logs[i], "w")
            cls.clients.append(subprocess.Popen(
                [sys.executable, "-m", "tests.flower_client", json.dumps(args)],
                cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            ))
            log.close()
        server.join(timeout=300)
        cls.exit_codes = [c.wait(timeout=120) for c in cls.clients]
        cls.server_alive = server.is_alive()
        cls.plain, cls.individual, cls.plain_loss = _plain_fedavg()

    @classmethod
    def tearDownClass(cls) -> None:
        for c in getattr(cls, "clients", []):
            if c.poll() is None:
                c.kill()
                c.wait()
        for name in ("agent", "relay", "ids"):
            if hasattr(cls, name):
                getattr(cls, name).close()

    def logs(self) -> str:
        out = []
        for path in self.client_logs:
            with open(path) as f:
                out.append(f"--- {path}\n" + "".join(f.readlines()[-30:]))
        return "\n".join(out)

    def test_0_the_run_completed(self) -> None:
        self.assertIsNone(self.server_error, self.logs())
        self.assertFalse(self.server_alive, "the Flower server did not finish")
        self.assertEqual(self.exit_codes[DROPPER], 17, self.logs())
        self.assertEqual([c for i, c in enumerate(self.exit_codes) if i != DROPPER], [0, 0], self.logs())
        self.assertEqual(sorted(self.inner.returned), [1, 2, 3], self.logs())

    def test_global_parameters_equal_plain_fedavg_to_within_the_fixed_point_error(self) -> None:
        for r in range(1, ROUNDS + 1):
            got, want = self.inner.returned[r], self.plain[r]
            self.assertEqual([a.shape for a in got], [(4, 2), (2,), ()])
            self.assertEqual([a.dtype for a in got], [np.float64] * 3)
            for g, w in zip(got, want):
                self.assertLessEqual(float(np.max(np.abs(g - w))), TOLERANCE, f"round {r}")

    def test_the_dropout_round_is_the_exact_weighted_average_of_the_others(self) -> None:
        from flwr.server.strategy.aggregate import aggregate

        from .linreg import SAMPLES

        others = [(p, SAMPLES[i]) for i, p in enumerate(self.individual[DROP_ROUND])]
        self.assertEqual(len(others), 2)
        for g, w in zip(self.inner.returned[DROP_ROUND], aggregate(others)):
            self.assertLessEqual(float(np.max(np.abs(g - w))), TOLERANCE)
        self.assertEqual(self.history.metrics_distributed_fit["shardwire_contributors"], [(1, 3), (2, 2), (3, 2)])
        self.assertEqual(self.history.metrics_distributed_fit["shardwire_dropped"], [(1, 0), (2, 1), (3, 0)])

    def test_the_server_never_sees_a_clients_parameters(self) -> None:
        for r in range(1, ROUNDS + 1):
            raw, failures = self.strategy.raw[r]
            self.assertTrue(all(tensors == 0 for tensors, _ in raw), f"round {r}: a client sent parameters to Flower")
            self.assertEqual(sorted(n for _, n in raw), sorted([50, 80, 120] if r == 1 else [50, 80]))
            if r == DROP_ROUND:
                self.assertGreaterEqual(failures, 1)
            received = self.inner.received[r]
            self.assertEqual(len(received), len(raw))
            for arrays in received:  # every result the wrapped strategy sees carries the aggregate
                for a, g in zip(arrays, self.inner.returned[r]):
                    self.assertLessEqual(float(np.max(np.abs(a - g))), 1e-12)
                for own in self.individual[r]:
                    self.assertGreater(max(float(np.max(np.abs(a - b))) for a, b in zip(arrays, own)), 1e-3)

    def test_flower_evaluation_and_metrics_still_work(self) -> None:
        self.assertEqual([r for r, _ in self.history.losses_distributed], [1, 2, 3])
        losses = [loss for _, loss in self.history.losses_distributed]
        self.assertLess(losses[-1], losses[0])
        # the clients' fit metrics, aggregated by the app's own fit_metrics_aggregation_fn
        fit_loss = dict(self.history.metrics_distributed_fit["loss"])
        self.assertEqual(sorted(fit_loss), [1, 2, 3])
        for r, loss in fit_loss.items():
            self.assertAlmostEqual(loss, self.plain_loss[r], delta=1e-5)


if __name__ == "__main__":
    unittest.main()
