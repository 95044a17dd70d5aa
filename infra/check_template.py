"""Holds template.yaml to the code.

Usage: check_template.py PATH_TO_PAAS_BINARY
- Tables: `paas tables schema` lists them; every table (and no other) must be
  in the template with its keys, indexes, TTL, on-demand billing,
  point-in-time recovery and encryption.
- Routes: `paas routes` lists what each function serves; each function's API
  events must be exactly its routes. The chat function streams through a
  Function URL in RESPONSE_STREAM mode instead, behind CloudFront.
- Authorizer: the REST API takes usage-plan keys from its Lambda REQUEST
  authorizer (the `authorizer` binary, which serves no route) as its default,
  with API keys required; an event opts out of both exactly when `paas
  openapi` gives its operation no security requirement (a public route).
- Browser defences: `paas browser-headers` lists the headers every answer
  carries; the CloudFront response headers policy must send exactly those,
  on every behaviour of the distribution. Error-to-200 rewrites (the web
  app's client-side routes) happen only on the site's default behaviour,
  never distribution-wide, so API errors keep their status and body.
- Viewer address: CloudFront sends the origin secret to the API and chat
  origins, and the functions get the same secret (PAAS_ORIGIN_SECRET).
- Least privilege: each function's Secrets Manager actions, and which
  functions may change API Gateway keys, are exactly what its binary calls
  (the `Needs` in each `functions/*/src/main.rs`).
Exits non-zero and names each difference.
"""

import fnmatch
import json
import subprocess
import sys
from pathlib import Path

from cfnlint.decode import decode

ROOT = Path(__file__).resolve().parent.parent


def expected_tables(binary):
    out = subprocess.run([binary, "tables", "schema"], check=True, capture_output=True, text=True).stdout
    return {t["name"]: t for t in json.loads(out)}


def key_schema(elements):
    return [(e["AttributeName"], e["KeyType"]) for e in elements]


def check_table(name, want, props):
    problems = []
    def expect(what, got, wanted):
        if got != wanted:
            problems.append(f"{name}: {what} is {got!r}, expected {wanted!r}")

    expect("KeySchema", key_schema(props.get("KeySchema", [])), [("pk", "HASH"), ("sk", "RANGE")])
    expect("BillingMode", props.get("BillingMode"), "PAY_PER_REQUEST")
    indexes = {i["IndexName"]: key_schema(i["KeySchema"]) for i in props.get("GlobalSecondaryIndexes", [])}
    wanted_indexes = {
        i["name"]: [(i["pk"], "HASH")] + ([(i["sk"], "RANGE")] if i["sk"] else []) for i in want["indexes"]
    }
    expect("GlobalSecondaryIndexes", indexes, wanted_indexes)
    for i in props.get("GlobalSecondaryIndexes", []):
        expect(f"projection of {i['IndexName']}", i.get("Projection", {}).get("ProjectionType"), "ALL")
    attrs = {a["AttributeName"]: a["AttributeType"] for a in props.get("AttributeDefinitions", [])}
    key_attrs = {"pk", "sk"} | {a for keys in wanted_indexes.values() for a, _ in keys}
    expect("AttributeDefinitions", attrs, {a: "S" for a in key_attrs})
    ttl = props.get("TimeToLiveSpecification", {})
    expect("TTL", (ttl.get("AttributeName"), ttl.get("Enabled")), (want["ttl"], True) if want["ttl"] else (None, None))
    pitr = props.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled")
    expect("point-in-time recovery", pitr, True)
    expect("encryption", props.get("SSESpecification", {}).get("SSEEnabled"), True)
    return problems


STREAMING_FUNCTIONS = {"chat"}
AUTHORIZER_FUNCTION = "authorizer"


def public_routes(binary):
    """(METHOD, path) of every operation without a security requirement."""
    spec = json.loads(subprocess.run([binary, "openapi"], check=True, capture_output=True, text=True).stdout)
    return {
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if not operation.get("security")
    }


def check_authorizer(binary, template):
    resources = template["Resources"]
    problems = []
    by_binary = {
        r["Metadata"]["BuildProperties"]["Binary"]: logical_id
        for logical_id, r in resources.items()
        if r["Type"] == "AWS::Serverless::Function"
    }
    authorizer_id = by_binary.get(AUTHORIZER_FUNCTION)
    if authorizer_id is None:
        return [f"template.yaml has no function built from the {AUTHORIZER_FUNCTION} binary"]
    apis = {logical_id: r["Properties"] for logical_id, r in resources.items() if r["Type"] == "AWS::Serverless::Api"}
    for api_id, api in apis.items():
        if api.get("ApiKeySourceType") != "AUTHORIZER":
            problems.append(f"{api_id}: ApiKeySourceType must be AUTHORIZER (usage-plan keys come from the authorizer)")
        auth = api.get("Auth", {})
        if auth.get("ApiKeyRequired") is not True:
            problems.append(f"{api_id}: Auth.ApiKeyRequired must be true (every authorized route is metered)")
        default = auth.get("DefaultAuthorizer")
        authorizer = auth.get("Authorizers", {}).get(default)
        if authorizer is None:
            problems.append(f"{api_id}: Auth.DefaultAuthorizer must name one of its Authorizers")
        else:
            if authorizer.get("FunctionPayloadType") != "REQUEST":
                problems.append(f"{api_id}: {default} must be a REQUEST authorizer")
            if authorizer.get("FunctionArn") != {"Fn::GetAtt": [authorizer_id, "Arn"]}:
                problems.append(f"{api_id}: {default} must call {authorizer_id}")
    public = public_routes(binary)
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for name, event in resource["Properties"].get("Events", {}).items():
            if event["Type"] != "Api":
                continue
            props = event["Properties"]
            route = (props["Method"].upper(), props["Path"])
            auth = props.get("Auth", {})
            opted_out = auth.get("Authorizer") == "NONE" and auth.get("ApiKeyRequired") is False
            if route in public and not opted_out:
                problems.append(
                    f"{logical_id}.{name}: {route[0]} {route[1]} is public; it needs Auth: {{Authorizer: NONE, ApiKeyRequired: false}}"
                )
            elif route not in public and auth:
                problems.append(f"{logical_id}.{name}: {route[0]} {route[1]} needs a credential; it must keep the default Auth")
    return problems


# API Gateway's own refusals that must answer problem+json like the functions do.
GATEWAY_RESPONSES = [
    "UNAUTHORIZED", "ACCESS_DENIED", "THROTTLED", "QUOTA_EXCEEDED", "MISSING_AUTHENTICATION_TOKEN",
    "INVALID_API_KEY", "REQUEST_TOO_LARGE", "DEFAULT_4XX", "DEFAULT_5XX",
]


def check_gateway_responses(template):
    problems = []
    for api_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Api":
            continue
        responses = resource["Properties"].get("GatewayResponses", {})
        for kind in GATEWAY_RESPONSES:
            response = responses.get(kind)
            if response is None:
                problems.append(f"{api_id}: GatewayResponses.{kind} is missing (API Gateway would answer its own JSON)")
                continue
            content_type = response.get("ResponseParameters", {}).get("Headers", {}).get("Content-Type")
            if content_type != "'application/problem+json'":
                problems.append(f"{api_id}: GatewayResponses.{kind} must set Content-Type application/problem+json")
            body = response.get("ResponseTemplates", {}).get("application/json", "")
            try:
                problem = json.loads(body.replace("$context.requestId", "req"))
            except ValueError as err:
                problems.append(f"{api_id}: GatewayResponses.{kind} body is not JSON: {err}")
                continue
            missing = {"type", "title", "detail", "code", "request_id"} - problem.keys()
            if missing:
                problems.append(f"{api_id}: GatewayResponses.{kind} body lacks {sorted(missing)}")
            status = response.get("StatusCode")
            if status is not None and problem.get("status") != int(status):
                problems.append(f"{api_id}: GatewayResponses.{kind} body status differs from its StatusCode {status}")
    return problems


def reaches_origin(template, path, origin):
    """Whether the first CloudFront behaviour whose pattern matches `path` targets `origin`."""
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::CloudFront::Distribution":
            continue
        for behaviour in resource["Properties"]["DistributionConfig"].get("CacheBehaviors", []):
            if fnmatch.fnmatchcase(path, behaviour["PathPattern"]):
                return behaviour["TargetOriginId"] == origin
    return False


def check_routes(binary, template):
    served = json.loads(subprocess.run([binary, "routes"], check=True, capture_output=True, text=True).stdout)
    functions = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            functions[resource["Metadata"]["BuildProperties"]["Binary"]] = resource["Properties"]
    problems = []
    for name in sorted(set(served) | set(functions)):
        if name not in functions:
            problems.append(f"function {name} serves routes but is not in template.yaml")
            continue
        props = functions[name]
        events = {
            (e["Properties"]["Method"].upper(), e["Properties"]["Path"])
            for e in props.get("Events", {}).values()
            if e["Type"] == "Api"
        }
        routes = {(method, path) for method, path in served.get(name, [])}
        if name in STREAMING_FUNCTIONS:
            mode = props.get("FunctionUrlConfig", {}).get("InvokeMode")
            if mode != "RESPONSE_STREAM":
                problems.append(f"{name}: a streaming function needs a Function URL with InvokeMode RESPONSE_STREAM")
            if events:
                problems.append(f"{name}: streams through its Function URL, so it has no API events: {sorted(events)}")
            for method, path in sorted(routes):
                if not reaches_origin(template, path, name):
                    problems.append(f"{name} serves {method} {path}, which no CloudFront behaviour sends to its origin")
            continue
        for missing in sorted(routes - events):
            problems.append(f"{name} serves {missing[0]} {missing[1]}, which template.yaml does not route to it")
        for extra in sorted(events - routes):
            problems.append(f"template.yaml routes {extra[0]} {extra[1]} to {name}, which does not serve it")
    return problems, sum(len(r) for r in served.values())


# What a chat turn's bookkeeping (stored answer, settled tokens, released lease,
# last frames) may take after the turn's deadline, before Lambda's timeout.
BOOKKEEPING_SECS = 15


def check_chat_limits(template):
    """The chat turn's deadline ends early enough for its bookkeeping, and
    chat has reserved concurrency so it cannot starve the other functions."""
    props = template["Resources"]["ChatFunction"]["Properties"]
    problems = []
    turn = int(props.get("Environment", {}).get("Variables", {}).get("PAAS_TURN_MAX_SECS", "120"))
    timeout = props.get("Timeout", template["Globals"]["Function"]["Timeout"])
    if turn + BOOKKEEPING_SECS > timeout:
        problems.append(
            f"ChatFunction: PAAS_TURN_MAX_SECS {turn} leaves less than {BOOKKEEPING_SECS} s before its Timeout {timeout}"
        )
    if "ReservedConcurrentExecutions" not in props:
        problems.append("ChatFunction: needs ReservedConcurrentExecutions, so chat cannot starve the other functions")
    return problems


def policy_headers(config):
    """The response headers a CloudFront ResponseHeadersPolicyConfig sends, as name -> value."""
    security = config.get("SecurityHeadersConfig", {})
    headers = {}
    if "ContentSecurityPolicy" in security:
        headers["content-security-policy"] = " ".join(security["ContentSecurityPolicy"]["ContentSecurityPolicy"].split())
    if "StrictTransportSecurity" in security:
        hsts = security["StrictTransportSecurity"]
        value = f"max-age={hsts['AccessControlMaxAgeSec']}"
        value += "; includeSubDomains" if hsts.get("IncludeSubdomains") else ""
        value += "; preload" if hsts.get("Preload") else ""
        headers["strict-transport-security"] = value
    if "ContentTypeOptions" in security:
        headers["x-content-type-options"] = "nosniff"
    if "ReferrerPolicy" in security:
        headers["referrer-policy"] = security["ReferrerPolicy"]["ReferrerPolicy"]
    if "FrameOptions" in security:
        headers["x-frame-options"] = security["FrameOptions"]["FrameOption"]
    for name, setting in security.items():
        if isinstance(setting, dict) and setting.get("Override") is not True:
            headers[name] = "(not overriding the origin's header)"
    for custom in config.get("CustomHeadersConfig", {}).get("Items", []):
        headers[custom["Header"].lower()] = custom["Value"]
    return headers


def check_distribution(binary, template):
    wanted = json.loads(subprocess.run([binary, "browser-headers"], check=True, capture_output=True, text=True).stdout)
    resources = template["Resources"]
    problems = []
    for dist_id, resource in resources.items():
        if resource["Type"] != "AWS::CloudFront::Distribution":
            continue
        config = resource["Properties"]["DistributionConfig"]
        behaviours = [("default", config["DefaultCacheBehavior"])]
        behaviours += [(b["PathPattern"], b) for b in config.get("CacheBehaviors", [])]
        for name, behaviour in behaviours:
            ref = behaviour.get("ResponseHeadersPolicyId", {})
            policy = resources.get(ref.get("Ref", "") if isinstance(ref, dict) else "", {})
            if policy.get("Type") != "AWS::CloudFront::ResponseHeadersPolicy":
                problems.append(f"{dist_id}: behaviour {name} has no response headers policy of this template")
                continue
            got = policy_headers(policy["Properties"]["ResponseHeadersPolicyConfig"])
            if got != wanted:
                problems.append(f"{dist_id}: behaviour {name} sends {got}, expected `paas browser-headers` {wanted}")
        for error in config.get("CustomErrorResponses", []):
            if str(error.get("ResponseCode", "")) == "200" or "ResponsePagePath" in error:
                problems.append(
                    f"{dist_id}: CustomErrorResponses rewrite {error['ErrorCode']} distribution-wide, /api/* included;"
                    " rewrite client-side routes on the site's behaviour instead"
                )
        if not config["DefaultCacheBehavior"].get("FunctionAssociations"):
            problems.append(f"{dist_id}: the site's behaviour needs its viewer-request function for client-side routes")
        for origin in config["Origins"]:
            if "CustomOriginConfig" not in origin:
                continue
            headers = {h["HeaderName"].lower(): h["HeaderValue"] for h in origin.get("OriginCustomHeaders", [])}
            if headers.get("x-origin-secret") != ORIGIN_SECRET_VALUE:
                problems.append(f"{dist_id}: origin {origin['Id']} must send X-Origin-Secret (the OriginSecret secret)")
    env = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    if env.get("PAAS_ORIGIN_SECRET") != ORIGIN_SECRET_VALUE:
        problems.append("Globals: the functions need PAAS_ORIGIN_SECRET, the value CloudFront sends in X-Origin-Secret")
    return problems


ORIGIN_SECRET_VALUE = {"Fn::Sub": "{{resolve:secretsmanager:${OriginSecret}}}"}


# The Secrets Manager calls each binary makes, as its main.rs opens Secrets Manager
# (AwsSecrets::read_only, read_write, read_write_delete, full; CreateSecret goes with a write).
READ = {"GetSecretValue"}
WRITE = READ | {"PutSecretValue", "CreateSecret"}
SECRET_CALLS = {
    "auth": WRITE,
    "admin": READ,
    "agents": WRITE | {"DeleteSecret"},
    # It deletes a tenant's secrets, listed by name; it writes none.
    "platform": READ | {"ListSecrets", "DeleteSecret"},
    "sessions": READ,
    "chat": READ,
    "authorizer": READ,
}
# The binaries that keep tenants' API Gateway keys in step (AppState::with_gateway_keys).
GATEWAY_KEY_FUNCTIONS = {"auth", "platform", "authorizer"}


def actions(policies, service):
    """The `service:` actions a list of SAM policies allows, without the prefix."""
    found = set()
    for policy in policies:
        if not isinstance(policy, dict):
            continue
        for statement in policy.get("Statement", []):
            listed = statement.get("Action", [])
            for action in listed if isinstance(listed, list) else [listed]:
                if action.startswith(f"{service}:"):
                    found.add(action.split(":", 1)[1])
    return found


def check_privileges(template):
    resources = template["Resources"]
    problems = []
    binaries = {}
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        name = resource["Metadata"]["BuildProperties"]["Binary"]
        binaries[f"{logical_id}Role"] = name
        got = actions(resource["Properties"].get("Policies", []), "secretsmanager")
        wanted = SECRET_CALLS.get(name)
        if wanted is None:
            problems.append(f"{logical_id}: no Secrets Manager calls are listed for the {name} binary")
        elif got != wanted:
            problems.append(f"{logical_id}: Secrets Manager actions {sorted(got)}, its binary calls {sorted(wanted)}")
    gateway = set()
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::IAM::Policy":
            continue
        if actions([resource["Properties"]["PolicyDocument"]], "apigateway"):
            gateway |= {binaries.get(role.get("Ref"), str(role)) for role in resource["Properties"].get("Roles", [])}
    if gateway != GATEWAY_KEY_FUNCTIONS:
        problems.append(f"API Gateway key rights go to {sorted(gateway)}, only {sorted(GATEWAY_KEY_FUNCTIONS)} use them")
    return problems


def main():
    wanted = expected_tables(sys.argv[1])
    template, matches = decode(str(ROOT / "template.yaml"))
    if matches:
        sys.exit(f"template.yaml does not parse: {matches}")
    route_problems, route_count = check_routes(sys.argv[1], template)
    found = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::DynamoDB::Table":
            name = resource["Properties"]["TableName"]["Fn::Sub"].split("}-", 1)[1]
            found[name] = resource["Properties"]
    problems = []
    for name in sorted(set(wanted) | set(found)):
        if name not in found:
            problems.append(f"table {name} is defined in code but missing from template.yaml")
        elif name not in wanted:
            problems.append(f"table {name} is in template.yaml but not defined in code")
        else:
            problems.extend(check_table(name, wanted[name], found[name]))
    problems.extend(route_problems)
    problems.extend(check_authorizer(sys.argv[1], template))
    problems.extend(check_gateway_responses(template))
    problems.extend(check_chat_limits(template))
    problems.extend(check_distribution(sys.argv[1], template))
    problems.extend(check_privileges(template))
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        sys.exit(1)
    print(
        f"template.yaml matches the {len(wanted)} table definitions and the {route_count} routes the functions serve,"
        " behind the authorizer except the public ones, API Gateway's refusals answer problem+json,"
        " chat's deadline and reserved concurrency fit its function, and"
        " CloudFront sends the browser headers and rewrites only the site's client-side routes"
    )


if __name__ == "__main__":
    main()
