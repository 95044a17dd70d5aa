"""moto's DynamoDB emulator, serving one request at a time.

DynamoDB applies every request atomically: a conditional update cannot
interleave with another write to the item, and a transaction is all or
nothing. moto's stock server handles requests on parallel threads without a
lock, so concurrent conditional writes can both pass their check. Serving
requests one at a time (connections stay concurrent) restores the semantics
the store contract tests.

Usage: dynamodb_emulator.py HOST PORT
"""

import os
import sys
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple


def one_at_a_time(app):
    lock = threading.Lock()

    def serve(environ, start_response):
        with lock:
            return list(app(environ, start_response))

    return serve


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, one_at_a_time(app), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
