"""The OpenAI-compatible API driven by OpenAI's own Python SDK (pinned in
`scripts/python-tools`), against `paas serve`: plain and streamed
completions, usage, the model list, a wrong key, a quota refusal, an
unknown model, and a client that stops reading mid-stream.

    .venv/bin/python tests/openai_sdk/test_python.py
"""

import http.server
import json
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import openai

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from local_runner import OPERATOR, api_key, call, signup, start  # noqa: E402

QUESTION = [{"role": "user", "content": "What is 12*(3+4)?"}]


class SlowProvider(http.server.BaseHTTPRequestHandler):
    """An OpenAI-compatible provider that streams a word every 50 ms for a
    minute: long enough for a client to stop reading in the middle."""

    def do_POST(self):
        self.rfile.read(int(self.headers["content-length"]))
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.end_headers()
        try:
            for i in range(1200):
                chunk = {"choices": [{"index": 0, "delta": {"content": f"word{i} "}, "finish_reason": None}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass  # the platform hung up: the turn was cancelled

    def log_message(self, *args):
        pass


def plain_and_streamed_completions_usage_and_models(url, client, admin):
    reply = client.chat.completions.create(model="agent", messages=QUESTION)
    assert "84" in reply.choices[0].message.content, reply
    assert reply.choices[0].finish_reason == "stop"
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens > 0

    stream = client.chat.completions.create(
        model="agent", messages=QUESTION, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "84" in text, text
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["stop"]
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 0

    ids = [model.id for model in client.models.list()]
    assert ids[:2] == ["assistant", "agent"], ids


def refusals_are_the_sdks_exceptions(url, client, admin):
    wrong = openai.OpenAI(base_url=f"{url}/v1", api_key="paas_not_a_key", max_retries=0)
    try:
        wrong.chat.completions.create(model="agent", messages=QUESTION)
        raise AssertionError("a wrong key was accepted")
    except openai.AuthenticationError as err:
        assert err.code == "invalid_api_key", err
    try:
        client.chat.completions.create(model="gpt-4o", messages=QUESTION)
        raise AssertionError("an unknown model was accepted")
    except openai.NotFoundError as err:
        assert err.code == "model_not_found", err

    operator = call(url, "POST", "/api/auth/login", {"email": OPERATOR[0], "password": OPERATOR[1]})["access_token"]
    tenant = call(url, "GET", "/api/v1/tenant", None, admin)["tenant_id"]
    call(url, "PATCH", f"/api/platform/tenants/{tenant}", {"quota_overrides": {"tokens_per_month": 10}}, operator)
    try:
        client.chat.completions.create(model="agent", messages=QUESTION)
        raise AssertionError("a turn past the token quota was accepted")
    except openai.RateLimitError as err:
        assert err.code == "insufficient_quota", err
        assert int(err.response.headers["retry-after"]) > 0
    call(url, "PATCH", f"/api/platform/tenants/{tenant}", {"quota_overrides": {}}, operator)


def a_client_that_stops_reading_cancels_the_turn(url, client, admin):
    provider = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowProvider)
    threading.Thread(target=provider.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{provider.server_address[1]}/v1"
        call(url, "PUT", "/api/v1/tenant/llm", {"provider": "openai_compatible", "model": "slow", "base_url": base}, admin)
        raw = client.chat.completions.with_raw_response.create(model="assistant", messages=QUESTION, stream=True)
        session = raw.headers["x-session-id"]
        pieces = 0
        stream = raw.parse()
        for chunk in stream:
            pieces += bool(chunk.choices and chunk.choices[0].delta.content)
            if pieces == 5:
                break
        stream.close()
        for _ in range(100):
            answer = call(url, "GET", f"/api/v1/sessions/{session}/messages", None, admin)["items"][0]
            if answer["role"] == "assistant":
                break
            time.sleep(0.1)
        assert answer["outcome"] == "cancelled" and answer["status"] == "partial", answer
        assert answer["content"].startswith("word0 word1 word2 word3 word4"), answer["content"][:80]
        assert answer["usage"]["output_tokens"] > 0, answer
    finally:
        provider.shutdown()


def main():
    data_dir = tempfile.mkdtemp(prefix="paas-openai-sdk-")
    server, url = start(data_dir)
    try:
        admin = signup(url, "sdk")
        client = openai.OpenAI(base_url=f"{url}/v1", api_key=api_key(url, admin, ["chat"]), max_retries=0)
        for test in (
            plain_and_streamed_completions_usage_and_models,
            refusals_are_the_sdks_exceptions,
            a_client_that_stops_reading_cancels_the_turn,
        ):
            test(url, client, admin)
            print(f"ok - {test.__name__.replace('_', ' ')}", flush=True)
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
