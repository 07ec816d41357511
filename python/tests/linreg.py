"""A small real model for the Flower tests: multi-output linear regression trained by full-batch
gradient descent on synthetic data, with three parameter arrays of different shapes (a 4×2
weight matrix, a bias vector and a 0-d log-variance estimate). Deterministic for a client index.
"""

import os
from typing import Dict, List, Optional, Tuple

import numpy as np
from flwr.client import NumPyClient

SAMPLES = (50, 80, 120)
STEPS = 5
LEARNING_RATE = 0.1
_W_TRUE = np.array([[1.0, -2.0], [0.5, 0.0], [-1.5, 1.0], [2.0, 0.25]])
_B_TRUE = np.array([0.3, -0.7])


def initial_parameters() -> List[np.ndarray]:
    """The global model before round 1."""
    return [np.zeros((4, 2)), np.zeros(2), np.array(0.0)]


def client_data(index: int) -> Tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(100 + index)
    x = rng.normal(size=(SAMPLES[index], 4)) + index * 0.2  # clients see shifted features
    y = x @ _W_TRUE + _B_TRUE + 0.1 * rng.normal(size=(SAMPLES[index], 2))
    return x, y


class LinRegClient(NumPyClient):
    """Trains locally for a few steps; exits abruptly at the start of ``drop_round`` (a crash)."""

    def __init__(self, index: int, drop_round: Optional[int] = None) -> None:
        self.index = index
        self.drop_round = drop_round
        self.x, self.y = client_data(index)

    def get_parameters(self, config: Dict[str, object]) -> List[np.ndarray]:
        return initial_parameters()

    def fit(
        self, parameters: List[np.ndarray], config: Dict[str, object]
    ) -> Tuple[List[np.ndarray], int, Dict[str, float]]:
        if self.drop_round is not None and config.get("server_round") == self.drop_round:
            os._exit(17)  # the process dies mid-round: no answer to Flower, no partial to shardwire
        w, b = parameters[0].copy(), parameters[1].copy()
        n = len(self.x)
        for _ in range(STEPS):
            r = self.x @ w + b - self.y
            w -= LEARNING_RATE * (self.x.T @ r) / n
            b -= LEARNING_RATE * r.mean(axis=0)
        mse = float(np.mean((self.x @ w + b - self.y) ** 2))
        return [w, b, np.array(np.log(mse))], n, {"loss": mse}

    def evaluate(self, parameters: List[np.ndarray], config: Dict[str, object]) -> Tuple[float, int, Dict[str, float]]:
        w, b = parameters[0], parameters[1]
        mse = float(np.mean((self.x @ w + b - self.y) ** 2))
        return mse, len(self.x), {"mse": mse}
