"""Flower on shardwire: clients' fit results travel through secure aggregation, not in the clear.

Two lines change in a Flower app::

    strategy = SecureFedAvg(FedAvg(...), coordinator)                     # server
    fl.client.start_numpy_client(server_address=..., client=secure_client(MyClient(), participant))

Each round, :class:`SecureFedAvg` asks the sampled clients for their shardwire ids (Flower's
``get_properties``), starts a shardwire round for exactly those clients in the coordinator's
agent, and sends the round's memo in the fit config. :func:`secure_client` trains with the
wrapped client, flattens its parameters into one vector, contributes it through its agent with
``weight=num_examples`` and returns an *empty* parameter list to Flower, with num_examples and
metrics unchanged. The server strategy then receives only the aggregate: SecureFedAvg hands the
wrapped strategy one result per contributor, each carrying the same aggregate parameters, so
Flower's weighted average of them is the aggregate itself, and everything else — rounds,
evaluation, server-side optimisers that start from the weighted mean (FedAvgM, FedAdam, FedYogi,
FedAdagrad), metrics aggregation — stays Flower's. Strategies that look at individual updates
(Krum, Bulyan, median, trimmed mean) cannot work on secure aggregates.

Weighting: ``weightedMean`` with the clients' num_examples as weights (the session's
``maxWeight`` must be at least the largest num_examples). With a ``dp`` section in the session
config, weighted means are not available and the round is a plain mean (as in DP-FedAvg).
Needs Flower 1.7 and numpy.
"""

import secrets
from concurrent.futures import ThreadPoolExecutor
from logging import ERROR, INFO, WARNING
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from flwr.client import NumPyClient
from flwr.client.numpy_client import has_get_properties
from flwr.common import (
    EvaluateIns,
    EvaluateRes,
    FitIns,
    FitRes,
    GetPropertiesIns,
    NDArray,
    NDArrays,
    Parameters,
    Scalar,
    ndarrays_to_parameters,
    parameters_to_ndarrays,
)
from flwr.common.logger import log
from flwr.server.client_manager import ClientManager
from flwr.server.client_proxy import ClientProxy
from flwr.server.strategy import Strategy

from .coordinator import Coordinator, Round
from .errors import BadStateError, ShardwireError, UnsupportedError
from .participant import Participant

#: Fit-config keys SecureFedAvg adds (and secure_client removes before calling the wrapped client).
CONFIG_MEMO = "shardwire.memo"
CONFIG_OPERATION = "shardwire.operation"
#: Property a secure client reports (its shardwire participant id) and metric keys it adds.
PROPERTY_ID = "shardwire.id"
METRIC_ID = "shardwire.id"
METRIC_ERROR = "shardwire.error"

Layout = List[Tuple[Tuple[int, ...], "np.dtype[Any]"]]


def layout_of(arrays: NDArrays) -> Layout:
    """Shapes and dtypes of a model's arrays (what :func:`unflatten` restores)."""
    return [(tuple(a.shape), a.dtype) for a in arrays]


def flatten(arrays: NDArrays) -> NDArray:
    """All arrays as one vector, in order and in C order: float32 if every array is float32 (half
    the bytes to the agent), else float64 (exact for float32/float16 and integers below 2^53)."""
    if not arrays:
        raise ValueError("a model with no parameter arrays cannot be aggregated")
    dtype = np.float32 if all(a.dtype == np.float32 for a in arrays) else np.float64
    return np.concatenate([np.asarray(a, dtype=dtype).ravel() for a in arrays])


def unflatten(flat: NDArray, layout: Layout) -> NDArrays:
    """Splits a flat vector back into arrays of ``layout``: floating arrays get their dtype back,
    other types come back as float64 (an average of integers is not an integer).

    Raises:
        ValueError: when the sizes do not add up.
    """
    sizes = [int(np.prod(shape, dtype=np.int64)) for shape, _ in layout]
    if sum(sizes) != flat.size:
        raise ValueError(f"the aggregate has {flat.size} values, the model layout {sum(sizes)}")
    out: NDArrays = []
    at = 0
    for (shape, dtype), n in zip(layout, sizes):
        part = np.asarray(flat[at : at + n]).reshape(shape)
        out.append(part.astype(dtype if dtype.kind == "f" else np.float64, copy=True))
        at += n
    return out


class SecureFedAvg(Strategy):
    """A Flower strategy that aggregates fit results with shardwire secure aggregation.

    Args:
        strategy: the Flower strategy to wrap (FedAvg or one that starts from its weighted mean).
        coordinator: the session's :class:`shardwire.Coordinator` (through the server's agent).
        weighted: weight by num_examples (``weightedMean``); default: yes, unless the session has
            differential privacy (then a plain mean).
        buffer_size: close a round as soon as this many clients contributed (FEDn buffer_size).
        min_clients: open a round only once this many clients are ready (FEDn clients_required).
        round_timeout_ms: how long a round collects contributions (FEDn round_timeout).
        properties_timeout: seconds to wait for a client's shardwire id.

    Example::

        strategy = SecureFedAvg(FedAvg(min_fit_clients=3, initial_parameters=init), coordinator)
        fl.server.start_server(server_address="0.0.0.0:8080", strategy=strategy, config=cfg)
    """

    def __init__(
        self,
        strategy: Strategy,
        coordinator: Coordinator,
        *,
        weighted: Optional[bool] = None,
        buffer_size: Optional[int] = None,
        min_clients: Optional[int] = None,
        round_timeout_ms: Optional[int] = None,
        properties_timeout: float = 30.0,
    ) -> None:
        super().__init__()
        dp = coordinator.config.get("dp") is not None
        if weighted and dp:
            raise UnsupportedError(
                "weighted means are not available in DP sessions (weights scale each client's sensitivity); "
                "use weighted=False"
            )
        self.strategy = strategy
        self.coordinator = coordinator
        self.operation = "mean" if (dp or weighted is False) else "weightedMean"
        self.buffer_size = buffer_size
        self.min_clients = min_clients
        self.round_timeout_ms = round_timeout_ms
        self.properties_timeout = properties_timeout
        self._run = secrets.token_hex(4)
        self._ids: Dict[str, str] = {}
        self._rounds: Dict[int, Tuple[Round, Layout]] = {}

    def __repr__(self) -> str:
        return f"SecureFedAvg({self.strategy!r}, operation={self.operation})"

    def initialize_parameters(self, client_manager: ClientManager) -> Optional[Parameters]:
        """The wrapped strategy's initial parameters (give it ``initial_parameters``: otherwise
        Flower asks one client for its initial model, in the clear)."""
        return self.strategy.initialize_parameters(client_manager)

    def _shardwire_ids(self, proxies: Sequence[ClientProxy]) -> Dict[str, str]:
        def ask(proxy: ClientProxy) -> Tuple[str, Optional[str]]:
            if proxy.cid in self._ids:
                return proxy.cid, self._ids[proxy.cid]
            try:
                res = proxy.get_properties(GetPropertiesIns(config={}), timeout=self.properties_timeout)
                sid = res.properties.get(PROPERTY_ID)
                return proxy.cid, sid if isinstance(sid, str) else None
            except Exception as e:  # noqa: BLE001 - a client that cannot answer is left out
                log(WARNING, "shardwire: client %s did not report its shardwire id (%s)", proxy.cid, e)
                return proxy.cid, None

        with ThreadPoolExecutor(max_workers=max(1, min(32, len(proxies)))) as pool:
            found = dict(pool.map(ask, proxies))
        ids = {cid: sid for cid, sid in found.items() if sid is not None}
        self._ids.update(ids)
        for cid in found:
            if cid not in ids:
                log(WARNING, "shardwire: client %s is not a secure_client; it is left out of the round", cid)
        return ids

    def configure_fit(
        self, server_round: int, parameters: Parameters, client_manager: ClientManager
    ) -> List[Tuple[ClientProxy, FitIns]]:
        """The wrapped strategy's fit instructions, for secure clients only, with the memo of a
        shardwire round started for exactly those clients."""
        instructions = self.strategy.configure_fit(server_round, parameters, client_manager)
        if not instructions:
            return instructions
        ids = self._shardwire_ids([proxy for proxy, _ in instructions])
        layout = layout_of(parameters_to_ndarrays(instructions[0][1].parameters))
        dim = sum(int(np.prod(shape, dtype=np.int64)) for shape, _ in layout)
        try:
            secure_round = self.coordinator.start_round(
                dim,
                self.operation,
                memo=f"flwr-{self._run}-r{server_round}",
                participants=list(ids.values()),
                timeout_ms=self.round_timeout_ms,
                buffer_size=self.buffer_size,
                min_clients=self.min_clients,
            )
        except ShardwireError as e:
            log(ERROR, "shardwire: round %s not started: %s", server_round, e)
            return []
        self._rounds[server_round] = (secure_round, layout)
        extra: Dict[str, Scalar] = {CONFIG_MEMO: secure_round.memo, CONFIG_OPERATION: self.operation}
        return [
            (proxy, FitIns(ins.parameters, {**ins.config, **extra}))
            for proxy, ins in instructions
            if proxy.cid in ids
        ]

    def aggregate_fit(
        self,
        server_round: int,
        results: List[Tuple[ClientProxy, FitRes]],
        failures: List[Union[Tuple[ClientProxy, FitRes], BaseException]],
    ) -> Tuple[Optional[Parameters], Dict[str, Scalar]]:
        """Waits for the shardwire round and gives the wrapped strategy one result per
        contributor, each with the aggregate as its parameters (never a client's own)."""
        started = self._rounds.pop(server_round, None)
        if started is None:
            return None, {}
        secure_round, layout = started
        try:
            released = secure_round.result()
        except ShardwireError as e:
            log(ERROR, "shardwire: round %s released nothing: %s", server_round, e)
            return None, {"shardwire_error": e.code}
        contributors = set(released.contributors)
        shared = ndarrays_to_parameters(unflatten(np.asarray(released.aggregate), layout))
        kept: List[Tuple[ClientProxy, FitRes]] = []
        left_out: List[Union[Tuple[ClientProxy, FitRes], BaseException]] = list(failures)
        for proxy, res in results:
            if res.metrics.get(METRIC_ID, self._ids.get(proxy.cid)) in contributors and METRIC_ERROR not in res.metrics:
                metrics = {k: v for k, v in res.metrics.items() if not k.startswith("shardwire.")}
                kept.append((proxy, FitRes(res.status, shared, res.num_examples, metrics)))
            else:
                left_out.append((proxy, res))
        if kept:
            parameters, metrics = self.strategy.aggregate_fit(server_round, kept, left_out)
        else:  # the aggregate exists but no Flower result names its contributors
            parameters, metrics = shared, {}
        metrics = dict(metrics)
        metrics["shardwire_contributors"] = len(contributors)
        metrics["shardwire_dropped"] = len(released.dropped)
        if released.epsilon_spent is not None:
            metrics["shardwire_epsilon"] = released.epsilon_spent
        log(INFO, "shardwire: round %s aggregated %s contributors securely", server_round, len(contributors))
        return parameters, metrics

    def configure_evaluate(
        self, server_round: int, parameters: Parameters, client_manager: ClientManager
    ) -> List[Tuple[ClientProxy, EvaluateIns]]:
        """The wrapped strategy's (evaluation is not secure-aggregated: only losses travel)."""
        return self.strategy.configure_evaluate(server_round, parameters, client_manager)

    def aggregate_evaluate(
        self,
        server_round: int,
        results: List[Tuple[ClientProxy, EvaluateRes]],
        failures: List[Union[Tuple[ClientProxy, EvaluateRes], BaseException]],
    ) -> Tuple[Optional[float], Dict[str, Scalar]]:
        """The wrapped strategy's."""
        return self.strategy.aggregate_evaluate(server_round, results, failures)

    def evaluate(self, server_round: int, parameters: Parameters) -> Optional[Tuple[float, Dict[str, Scalar]]]:
        """The wrapped strategy's (centralised evaluation on the aggregate)."""
        return self.strategy.evaluate(server_round, parameters)


class _SecureNumPyClient(NumPyClient):
    def __init__(self, client: NumPyClient, participant: Participant, on_error: str) -> None:
        self.client = client
        self.participant = participant
        self.on_error = on_error

    def get_properties(self, config: Dict[str, Scalar]) -> Dict[str, Scalar]:
        props = dict(self.client.get_properties(config)) if has_get_properties(self.client) else {}
        props[PROPERTY_ID] = self.participant.id
        return props

    def get_parameters(self, config: Dict[str, Scalar]) -> NDArrays:
        return self.client.get_parameters(config)

    def fit(self, parameters: NDArrays, config: Dict[str, Scalar]) -> Tuple[NDArrays, int, Dict[str, Scalar]]:
        memo = config.get(CONFIG_MEMO)
        if not isinstance(memo, str):
            # the server does not run SecureFedAvg: refuse rather than send parameters in the clear
            raise BadStateError(
                "secure_client got a fit instruction without a shardwire round; the server must wrap its "
                "strategy in SecureFedAvg"
            )
        operation = config.get(CONFIG_OPERATION, "weightedMean")
        own = {k: v for k, v in config.items() if not k.startswith("shardwire.")}
        trained, num_examples, metrics = self.client.fit(parameters, own)
        try:
            self.participant.contribute(
                flatten(trained), weight=num_examples if operation == "weightedMean" else None, memo=memo
            )
        except ShardwireError as e:
            if self.on_error == "raise":
                raise
            log(ERROR, "shardwire: contribution to %s failed: %s", memo, e)
            return [], num_examples, {**metrics, METRIC_ERROR: e.code}
        return [], num_examples, {**metrics, METRIC_ID: self.participant.id}

    def evaluate(self, parameters: NDArrays, config: Dict[str, Scalar]) -> Tuple[float, int, Dict[str, Scalar]]:
        return self.client.evaluate(parameters, config)

    def get_context(self) -> Any:
        return self.client.get_context()

    def set_context(self, context: Any) -> None:
        self.client.set_context(context)


def secure_client(client: NumPyClient, participant: Participant, *, on_error: str = "report") -> NumPyClient:
    """Wraps a Flower NumPyClient so that its fit results go through shardwire.

    ``fit`` trains with ``client``, contributes the flattened parameters to the round named in
    the fit config (weight = num_examples for weighted rounds) and returns an empty parameter
    list with num_examples and metrics unchanged; evaluation and everything else pass through.

    Args:
        client: the app's NumPyClient.
        participant: this client's joined :class:`shardwire.Participant`.
        on_error: ``"report"`` (default) returns the error code in the metrics and keeps the
            client running (Flower 1.7 stops a client whose fit raises); ``"raise"`` raises it.

    Example::

        fl.client.start_numpy_client(server_address=addr, client=secure_client(MyClient(), participant))
    """
    if on_error not in ("report", "raise"):
        raise ValueError(f"on_error expected 'report' or 'raise', got {on_error!r}")
    return _SecureNumPyClient(client, participant, on_error)


__all__ = ["SecureFedAvg", "secure_client", "flatten", "unflatten", "layout_of"]
