"""FeatureCloud app for bench/featurecloud.bench.ts: REPS times, a 3-site mean of DIM float64
values, once through SMPC (JSON, shardwire secure round) and once plain (pickle to the
coordinator, summed by the engine's aggregate_data), alternating, in the same run.

Each site records when it calls send_data_to_coordinator and when that call returns (the engine
serialises there); the coordinator records when aggregate_data returns (the engine deserialises
there) and checks the secure mean against the plain mean of the same data (every site's data is
seeded by its index, so the coordinator can rebuild it; for measurement only).
"""
import json
import os
import time

import numpy as np

from FeatureCloud.app.engine.app import AppState, Role, app_state

import fc_server

DIM = int(os.environ.get('FC_BENCH_DIM', '100000'))
REPS = int(os.environ.get('FC_BENCH_REPS', '3'))


def data(index, rep):
    return np.random.default_rng([index, rep, DIM]).standard_normal(DIM)


@app_state('initial', Role.BOTH)
class Bench(AppState):
    def register(self):
        self.register_transition('terminal', Role.BOTH)

    def run(self):
        self.configure_smpc(exponent=8, shards=0)
        index = self.clients.index(self.id)
        n = len(self.clients)
        records = []
        for rep in range(REPS):
            for mode in ('smpc', 'plain'):
                memo = f'{mode}-{rep}'
                self.update(message=f'{memo} ({DIM} values)')
                # every site starts together: the coordinator's go (a tiny pickle) is the barrier
                if self.is_coordinator:
                    self.broadcast_data('go', memo=f'go-{memo}')
                self.await_data(n=1, memo=f'go-{memo}')
                x = data(index, rep)
                start = time.time()
                self.send_data_to_coordinator(x, use_smpc=(mode == 'smpc'), memo=memo)
                sent = time.time()
                rec = {'memo': memo, 'mode': mode, 'start': start, 'sent': sent}
                if self.is_coordinator:
                    agg = np.array(self.aggregate_data(use_smpc=(mode == 'smpc'), memo=memo)) / n
                    rec['received'] = time.time()
                    plain = sum(data(i, rep) for i in range(n)) / n
                    rec['maxError'] = float(np.max(np.abs(agg - plain)))
                    if mode == 'smpc':
                        text = json.dumps(agg.tolist())
                        t = time.time()
                        json.loads(text)
                        rec['jsonLoadsSeconds'] = time.time() - t
                records.append(rec)
        fc_server.write_output(self.id, {'id': self.id, 'index': index, 'records': records})
        return 'terminal'


if __name__ == '__main__':
    fc_server.serve()
