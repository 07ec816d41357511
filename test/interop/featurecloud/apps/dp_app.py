"""FeatureCloud test app: DP noise by the controller, with SMPC (noise added in the kernel before
masking) and without (each site noises its own data), for FC_NOISE=laplace or gauss.

Laplace uses the engine's default dp settings (laplace, epsilon 1, clippingVal 10): upstream's
configure_dp refuses every Laplace configuration (it checks `delta <= 0` after setting delta to 0
for Laplace), so a Laplace app cannot call it. Gaussian calls configure_dp. The data is k/64 on
200 of DIM elements (|k| <= 1), exact at exponents 6 to 8 and far inside the clipping bound, so
the test can take aggregate - plain sum as the noise.
"""
import os

import numpy as np

from FeatureCloud.app.engine.app import AppState, DPNoisetype, Role, app_state

import fc_server

SEED = int(os.environ.get('FC_SEED', '11'))
NOISE = os.environ.get('FC_NOISE', 'gauss')
DIM = 20000


def data(index, salt):
    rng = np.random.default_rng([SEED, index, salt])
    v = np.zeros(DIM)
    v[:200] = rng.integers(-1, 2, size=200) / 64.0
    return v


@app_state('initial', Role.BOTH)
class Initial(AppState):
    def register(self):
        self.register_transition('aggregate', Role.COORDINATOR)
        self.register_transition('wait', Role.PARTICIPANT)

    def run(self):
        self.update(message=f'sending {NOISE} DP data', progress=0.2)
        self.configure_smpc(shards=0)  # FeatureCloud's default exponent 8
        if NOISE == 'gauss':
            self.configure_dp(epsilon=1.0, delta=1e-5, clippingVal=10.0, noisetype=DPNoisetype.GAUSS)
        index = self.clients.index(self.id)
        secure = data(index, 1)
        local = data(0, 2)  # the same at every site, so received - local is the noise
        self.store('inputs', {'secure': secure.tolist(), 'local': local.tolist()})
        self.send_data_to_coordinator(secure, use_smpc=True, use_dp=True, memo='dp-secure')
        self.send_data_to_coordinator(local, use_dp=True, memo='dp-local')
        return 'aggregate' if self.is_coordinator else 'wait'


@app_state('aggregate', Role.COORDINATOR)
class Aggregate(AppState):
    def register(self):
        self.register_transition('wait', Role.COORDINATOR)

    def run(self):
        self.update(message='aggregating', progress=0.5)
        secure = self.aggregate_data(use_smpc=True, use_dp=True, memo='dp-secure')
        local = self.gather_data(use_dp=True, memo='dp-local')
        self.store('received', {'secure': fc_server.to_list(secure), 'local': fc_server.to_list(local)})
        self.broadcast_data('done', memo='done')
        return 'wait'


@app_state('wait', Role.BOTH)
class Wait(AppState):
    def register(self):
        self.register_transition('terminal', Role.BOTH)

    def run(self):
        self.await_data(n=1, memo='done')
        fc_server.write_output(self.id, {'id': self.id, 'index': self.clients.index(self.id), 'inputs': self.load('inputs'), 'received': self.load('received')})
        self.update(message='done', progress=1.0)
        return 'terminal'


if __name__ == '__main__':
    fc_server.serve()
