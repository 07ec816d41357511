"""FeatureCloud test app: secure sums and means over several memos and states, mixed shapes,
a reused memo, plain (pickle) data gathered at the coordinator, a plain broadcast and
participant-to-participant messages.

Every number is k/256 for an integer k, so it is exact at exponent 8 (x·10^8 = k·390625) and the
test can check the aggregates exactly. Run with fc_server (see there).
"""
import os

import numpy as np

from FeatureCloud.app.engine.app import AppState, Role, app_state

import fc_server

SEED = int(os.environ.get('FC_SEED', '7'))
ROUNDS = 3


def data(index, salt, shape):
    rng = np.random.default_rng([SEED, index, salt])
    return rng.integers(-2 ** 20, 2 ** 20, size=shape) / 256.0


@app_state('initial', Role.BOTH)
class Initial(AppState):
    def register(self):
        self.register_transition('aggregate_mixed', Role.COORDINATOR)
        self.register_transition('rounds', Role.PARTICIPANT)

    def run(self):
        self.update(message='sending mixed shapes', progress=0.1)
        self.configure_smpc(exponent=8, shards=0)
        index = self.clients.index(self.id)
        mixed = [data(index, 100, (3, 4)), data(index, 101, (5,)), float(data(index, 102, ()))]
        self.store('index', index)
        self.store('inputs', {'mixed': fc_server.to_list(mixed), 'rounds': [], 'weights': []})
        self.send_data_to_coordinator(mixed, use_smpc=True, memo='mixed')
        return 'aggregate_mixed' if self.is_coordinator else 'rounds'


@app_state('aggregate_mixed', Role.COORDINATOR)
class AggregateMixed(AppState):
    def register(self):
        self.register_transition('rounds', Role.COORDINATOR)

    def run(self):
        self.update(message='aggregating mixed', progress=0.2)
        self.store('mixed', fc_server.to_list(self.aggregate_data(use_smpc=True, memo='mixed')))
        return 'rounds'


@app_state('rounds', Role.BOTH)
class Rounds(AppState):
    def register(self):
        self.register_transition('broadcast', Role.COORDINATOR)
        self.register_transition('receive', Role.PARTICIPANT)

    def run(self):
        index = self.load('index')
        inputs = self.load('inputs')
        means = []
        for r in range(ROUNDS):
            self.update(message=f'round {r + 1} of {ROUNDS}', progress=0.3 + 0.1 * r)
            v = data(index, r, (1000,))
            inputs['rounds'].append(v.tolist())
            self.send_data_to_coordinator(v, use_smpc=True)  # automatic memo GATHERROUND<n>
            if self.is_coordinator:
                means.append((np.array(self.aggregate_data(use_smpc=True)) / len(self.clients)).tolist())
        weights = []
        for r in range(2):  # the same memo twice, as apps do in loops
            w = data(index, 50 + r, (2, 3))
            inputs['weights'].append(w.tolist())
            self.send_data_to_coordinator(w, use_smpc=True, memo='weights')
            if self.is_coordinator:
                weights.append(fc_server.to_list(self.aggregate_data(use_smpc=True, memo='weights')))
        # plain data to the coordinator (pickle, numpy inside), collected with gather_data
        piece = {'site': index, 'array': data(index, 300, (2, 2)), 'text': f'plain from {index}'}
        inputs['plain'] = fc_server.to_list(piece)
        self.send_data_to_coordinator(piece, memo='plain')
        if self.is_coordinator:
            gathered = sorted(self.gather_data(memo='plain'), key=lambda p: p['site'])
            self.store('gathered', [fc_server.to_list(p) for p in gathered])
        self.store('means', means)
        self.store('weights', weights)
        return 'broadcast' if self.is_coordinator else 'receive'


@app_state('broadcast', Role.COORDINATOR)
class Broadcast(AppState):
    def register(self):
        self.register_transition('receive', Role.COORDINATOR)

    def run(self):
        self.update(message='broadcasting results', progress=0.7)
        results = {'mixed': self.load('mixed'), 'means': np.array(self.load('means')), 'weights': self.load('weights'),
                   'gathered': self.load('gathered')}
        self.broadcast_data(results, memo='results')  # pickle, numpy inside
        return 'receive'


@app_state('receive', Role.BOTH)
class Receive(AppState):
    def register(self):
        self.register_transition('terminal', Role.BOTH)

    def run(self):
        self.update(message='receiving results', progress=0.8)
        results = self.await_data(n=1, memo='results')
        index = self.load('index')
        n = len(self.clients)
        ring_value = {'from': self.id, 'array': data(index, 200, (4,)), 'text': f'hello from {index}'}
        self.send_data_to_participant(ring_value, self.clients[(index + 1) % n], memo='ring')
        received = self.await_data(n=1, memo='ring')
        fc_server.write_output(self.id, {
            'id': self.id, 'index': index, 'coordinator': self.is_coordinator, 'inputs': self.load('inputs'),
            'results': {'mixed': results['mixed'], 'means': results['means'].tolist(), 'weights': results['weights'],
                        'gathered': results['gathered']},
            'ring': {'sent': fc_server.to_list(ring_value), 'received': fc_server.to_list(received)},
        })
        self.update(message='done', progress=1.0)
        return 'terminal'


if __name__ == '__main__':
    fc_server.serve()
