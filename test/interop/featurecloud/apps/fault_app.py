"""FeatureCloud test app that misbehaves on purpose at one site (FC_FAULT_SITE, default 1) in the
way FC_FAULT names, so that the test can check every controller ends with a clear typed error:

  nonnumeric   SMPC data with a string in it          nonfinite  SMPC data with NaN in it
  shapes       SMPC data of another length            destination  data to a client that does not exist
  raise        the app crashes after a good round
  slow         every site sleeps FC_SLOW seconds after a good round (a window to kill a controller)
  none         behaves
"""
import os
import time

from FeatureCloud.app.engine.app import AppState, Role, app_state

import fc_server

FAULT = os.environ.get('FC_FAULT', 'none')
FAULT_SITE = int(os.environ.get('FC_FAULT_SITE', '1'))


@app_state('initial', Role.BOTH)
class Initial(AppState):
    def register(self):
        self.register_transition('second', Role.BOTH)
        self.register_transition('terminal', Role.BOTH)

    def run(self):
        faulty = self.clients.index(self.id) == FAULT_SITE
        data = [1.0, 2.0, 3.0]
        if faulty and FAULT == 'nonnumeric':
            data = [1.0, 'two', 3.0]
        if faulty and FAULT == 'nonfinite':
            data = [1.0, float('nan'), 3.0]
        if faulty and FAULT == 'shapes':
            data = [1.0, 2.0]
        if faulty and FAULT == 'destination':
            self.send_data_to_participant(data, 'no-such-client', memo='x')
        else:
            self.send_data_to_coordinator(data, use_smpc=True, memo='first')
        if self.is_coordinator:
            self.store('first', self.aggregate_data(use_smpc=True, memo='first'))
            if FAULT in ('raise', 'slow'):
                self.broadcast_data('first round done', memo='first-done')
        return 'second' if FAULT in ('raise', 'slow') else 'terminal'


@app_state('second', Role.BOTH)
class Second(AppState):
    def register(self):
        self.register_transition('terminal', Role.BOTH)

    def run(self):
        self.await_data(n=1, memo='first-done')  # the engine drops queued data when it crashes
        if FAULT == 'raise' and self.clients.index(self.id) == FAULT_SITE:
            raise RuntimeError('planned crash of the test app')
        if FAULT == 'slow':
            time.sleep(float(os.environ.get('FC_SLOW', '3')))
        self.send_data_to_coordinator([4.0, 5.0, 6.0], use_smpc=True, memo='second')
        if self.is_coordinator:
            self.aggregate_data(use_smpc=True, memo='second')
        return 'terminal'


if __name__ == '__main__':
    fc_server.serve()
