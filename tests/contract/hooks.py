"""What schemathesis cannot read from the spec: values whose validity depends
on the platform's state (what exists, what time it is, where a host name
leads) or on lists too long to state there (common passwords). In a case
generated as valid, each such value is replaced by one that is valid now;
a case generated as invalid is sent as it is."""

import os
import re
import secrets

import schemathesis
from hypothesis import strategies as st
from schemathesis.core.parameters import ParameterLocation

# A cursor is valid only as this API issued it for one list, so no generated
# value is a valid one: positive cases leave it out, negative ones send
# anything and expect 422.
schemathesis.openapi.format("cursor", st.nothing())

# Tools that exist in every tenant; an agent naming another gets 422.
BUILT_IN_TOOLS = ("calculator", "current_time", "http_get")
# Where a URL the platform checks (a tool's endpoint, a provider's base URL)
# may lead: the runner itself, on loopback, which the local policy allows. A
# generated host would fail to resolve.
REACHABLE = os.environ["CONTRACT_URL"] + "/contract"
PASSWORD_FIELDS = ("password", "new_password")
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", re.I)


def _mapped(body):
    for field in PASSWORD_FIELDS:
        # A generated password may be a common one, which the server refuses.
        value = body.get(field)
        if isinstance(value, str) and 10 <= len(value) <= 128:
            body[field] = "contract " + secrets.token_hex(8)
    for field in ("endpoint", "base_url"):
        value = body.get(field)
        if isinstance(value, str) and re.match(r"^https?://", value):
            body[field] = REACHABLE
    parameters = body.get("parameters")
    if isinstance(parameters, dict) and isinstance(parameters.get("properties"), dict):
        # A required argument must be one the schema describes.
        required = parameters.get("required")
        if isinstance(required, list) and all(isinstance(name, str) for name in required):
            parameters["required"] = [name for name in required if name in parameters["properties"]]
        # The generator can miss that an argument's `enum` is never empty.
        for argument in parameters["properties"].values():
            if isinstance(argument, dict) and argument.get("enum") == []:
                del argument["enum"]
    expires_at = body.get("expires_at")
    if isinstance(expires_at, str) and DATE_TIME.match(expires_at):
        # A key must expire in the future.
        body["expires_at"] = "2999-01-01T00:00:00Z"
    messages = body.get("messages")
    if isinstance(messages, list) and messages and all(isinstance(m, dict) for m in messages):
        # An OpenAI-style conversation ends with the user's new message, which has text.
        last = messages[-1]
        if last.get("role") != "user" or not isinstance(last.get("content"), str) or not last["content"].strip():
            messages[-1] = {"role": "user", "content": "What is 2+2?"}
    tools = body.get("tools")
    if isinstance(tools, list) and all(isinstance(tool, str) for tool in tools):
        body["tools"] = [tool if tool in BUILT_IN_TOOLS else "calculator" for tool in tools]


@schemathesis.hook
def before_call(context, case, kwargs):
    body_is_valid = case.meta is None or not case.meta.is_negative_at(ParameterLocation.BODY)
    if isinstance(case.body, dict) and body_is_valid:
        _mapped(case.body)
