"""The local runner for tests that drive it from Python: `paas serve` on a
fresh data directory and a free 127.0.0.1 port, with a platform operator,
and JSON calls to it. `target/debug/paas` unless PAAS_BIN says otherwise."""

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAAS = os.environ.get("PAAS_BIN", str(REPO / "target" / "debug" / "paas"))
OPERATOR = ("operator@example.com", "operator password 42")
PASSWORD = "contract password 42"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url, method, path, body=None, token=None):
    """A JSON call that must succeed; answers the parsed body."""
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request) as response:
            text = response.read()
    except urllib.error.HTTPError as err:
        raise SystemExit(f"{method} {path}: {err.code} {err.read().decode()}") from None
    return json.loads(text) if text else None


def start(data_dir):
    """Starts `paas serve`; answers the process and its base URL once healthy."""
    # The offline provider answers at once: these tests wait on answers, not pacing.
    env = {**os.environ, "PAAS_DATA_DIR": data_dir, "PAAS_LOG": "warn", "PAAS_OFFLINE_WORDS_PER_SECOND": "0"}
    subprocess.run(
        [PAAS, "operator", "create", "--email", OPERATOR[0]],
        env={**env, "PAAS_OPERATOR_PASSWORD": OPERATOR[1]},
        check=True,
        capture_output=True,
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([PAAS, "serve", "--bind", f"127.0.0.1:{port}"], env=env, stdout=subprocess.DEVNULL)
    for _ in range(400):
        if server.poll() is not None:
            raise SystemExit(f"paas serve exited with {server.returncode}")
        try:
            urllib.request.urlopen(url + "/healthz")
            return server, url
        except OSError:
            time.sleep(0.05)
    raise SystemExit("paas serve did not become healthy")


def signup(url, slug):
    """A new tenant; answers its admin's access token."""
    body = {"tenant_name": slug.title(), "tenant_slug": slug, "email": f"admin@{slug}.example", "password": PASSWORD}
    return call(url, "POST", "/api/auth/signup", body)["access_token"]


def api_key(url, admin, scopes):
    return call(url, "POST", "/api/v1/api-keys", {"name": "key " + " ".join(scopes), "scopes": scopes}, admin)["key"]
