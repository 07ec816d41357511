"""Serves one FeatureCloud app for shardwire's interoperability tests.

The app itself uses only the upstream engine API (FeatureCloud.app.engine.app, unmodified); this
file mounts the engine's `api_server` under /api exactly as FeatureCloud app templates do, but on
a free port that it prints as the first stdout line ({"port": N}), so tests can run several apps
side by side. FC_TERMINAL_WAIT, FC_TRANSITION_WAIT and FC_DATA_POLL_INTERVAL override the
engine's module constants of the same names (10 s, 1 s and 0.1 s upstream) to keep tests short.
"""
import json
import os
from wsgiref.simple_server import WSGIRequestHandler, make_server

from bottle import Bottle

import FeatureCloud.app.engine.app as engine
from FeatureCloud.app.api.http_ctrl import api_server


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def serve():
    for name in ('TERMINAL_WAIT', 'TRANSITION_WAIT', 'DATA_POLL_INTERVAL'):
        value = os.environ.get('FC_' + name)
        if value:
            setattr(engine, name, float(value))
    engine.app.register()
    server = Bottle()
    server.mount('/api', api_server)
    httpd = make_server('127.0.0.1', int(os.environ.get('FC_PORT', '0')), server, handler_class=_QuietHandler)
    print(json.dumps({'port': httpd.server_port}), flush=True)
    httpd.serve_forever()


def write_output(app_id, result):
    """Writes what this site sent and received to $FC_OUT/<id>.json for the test to check."""
    out = os.environ.get('FC_OUT')
    if out:
        with open(os.path.join(out, f'{app_id}.json.tmp'), 'w') as f:
            json.dump(result, f)
        os.replace(os.path.join(out, f'{app_id}.json.tmp'), os.path.join(out, f'{app_id}.json'))


def to_list(value):
    """numpy values (nested) as plain lists, for the output file."""
    if hasattr(value, 'tolist'):
        return value.tolist()
    if isinstance(value, dict):
        return {k: to_list(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_list(v) for v in value]
    return value
