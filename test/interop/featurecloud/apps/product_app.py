"""FeatureCloud test app: SMPC multiply (configure_smpc(operation=MULTIPLY)). Every site sends a
vector with zeros, negatives and values k/8, the coordinator's aggregate_data(use_smpc=True)
returns the element-wise product, and every site writes its input (the coordinator also the
product) so that the test can check it exactly. Run with fc_server (see there).
"""
import os

import numpy as np

from FeatureCloud.app.engine.app import AppState, Role, SMPCOperation, app_state

import fc_server

SEED = int(os.environ.get('FC_SEED', '11'))


@app_state('initial', Role.BOTH)
class Initial(AppState):
    def register(self):
        self.register_transition('terminal', Role.BOTH)

    def run(self):
        self.configure_smpc(exponent=3, shards=0, operation=SMPCOperation.MULTIPLY)
        index = self.clients.index(self.id)
        rng = np.random.default_rng([SEED, index])
        values = rng.integers(-40, 41, size=(2, 5)) / 8.0
        values[0][index] = 0.0  # a zero at a different place per site: those products are exactly 0
        data = fc_server.to_list(values)
        self.send_data_to_coordinator(data, use_smpc=True, memo='product')
        result = {'input': data}
        if self.is_coordinator:
            result['product'] = fc_server.to_list(self.aggregate_data(use_smpc=True, memo='product'))
        fc_server.write_output(self.id, result)
        return 'terminal'


if __name__ == '__main__':
    fc_server.serve()
