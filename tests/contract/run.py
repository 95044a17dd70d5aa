"""The API contract, fuzzed: schemathesis drives every operation of the local
runner's /openapi.json as each kind of caller and fails on any response the
spec does not describe (status, content type, body schema), on any 5xx, and
on a schema-valid request that is refused.

    .venv/bin/python tests/contract/run.py            # every role
    .venv/bin/python tests/contract/run.py viewer     # one role

It runs `target/debug/paas` (PAAS_BIN to change) on a fresh data directory
and 127.0.0.1; `scripts/python-tools` installs the pinned schemathesis.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from local_runner import OPERATOR, PASSWORD, REPO, api_key, call, signup, start  # noqa: E402

SCHEMATHESIS = str(REPO / ".venv" / "bin" / "schemathesis")
SCOPES = ["chat", "sessions:read", "sessions:write", "agents:manage", "admin"]
# Examples per operation, per role: enough to cover every constraint's edges,
# few enough that every role fits in a few minutes on 2 cores. A fixed seed
# makes a run repeatable; CONTRACT_SEED and CONTRACT_EXAMPLES explore further.
EXAMPLES = os.environ.get("CONTRACT_EXAMPLES", "30")


def credentials(url):
    """A bearer credential for each role the contract is checked as."""
    admin = signup(url, "contract")
    call(url, "POST", "/api/v1/users", {"email": "viewer@example.com", "role": "viewer", "password": PASSWORD}, admin)
    viewer = call(url, "POST", "/api/auth/login", {"email": "viewer@example.com", "password": PASSWORD})
    operator = call(url, "POST", "/api/auth/login", {"email": OPERATOR[0], "password": OPERATOR[1]})
    # In an order where no role's run can take away a later one's credential: the
    # admin key may revoke other keys, the admin may remove the viewer, and the
    # operator may suspend or delete the tenant.
    roles = {"viewer": viewer["access_token"]}
    for scope in SCOPES:
        roles[f"key:{scope}"] = api_key(url, admin, [scope])
    roles["admin"] = admin
    roles["operator"] = operator["access_token"]
    return roles


# Ends every session of the caller, so it runs last, apart, for each role.
SELF_REVOKING = "/api/auth/logout-all"


def fuzz(url, role, token, report_dir, only_self_revoking=False):
    scope = ["--include-path", SELF_REVOKING] if only_self_revoking else ["--exclude-path", SELF_REVOKING]
    if os.environ.get("CONTRACT_PATHS"):
        # Only the operations whose path matches this regex (while working on them).
        scope += ["--include-path-regex", os.environ["CONTRACT_PATHS"]]
    command = [
        SCHEMATHESIS,
        "run",
        f"{url}/openapi.json",
        *scope,
        "--checks",
        "all",
        "--max-examples",
        EXAMPLES,
        "--header",
        f"Authorization: Bearer {token}",
        "--seed",
        os.environ.get("CONTRACT_SEED", "1"),
        "--no-color",
        "--report",
        "junit",
        "--report-dir",
        str(report_dir / role.replace(":", "-")),
    ]
    print(f"\n==> schemathesis as {role}{' (log-out everywhere)' if only_self_revoking else ''}", flush=True)
    hooks = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "hooks",
        "PYTHONPATH": str(Path(__file__).parent),
        "CONTRACT_URL": url,
    }
    # schemathesis keeps its cache (past failures, replayed first) in the working directory.
    report_dir.mkdir(parents=True, exist_ok=True)
    return subprocess.run(command, env=hooks, cwd=report_dir).returncode


def main():
    wanted = sys.argv[1:]
    data_dir = tempfile.mkdtemp(prefix="paas-contract-")
    server, url = start(data_dir)
    failed = []
    try:
        roles = credentials(url)
        report_dir = REPO / "target" / "contract"
        for role, token in roles.items():
            if wanted and role not in wanted:
                continue
            if fuzz(url, role, token, report_dir) != 0:
                failed.append(role)
        for role, token in roles.items():
            if (not wanted or role in wanted) and not role.startswith("key:"):
                if fuzz(url, role, token, report_dir, only_self_revoking=True) != 0:
                    failed.append(f"{role} (log-out everywhere)")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(data_dir, ignore_errors=True)
    if failed:
        raise SystemExit(f"the API contract failed as: {', '.join(failed)}")


if __name__ == "__main__":
    main()
