/**
 * The network rules the server holds an endpoint to (shared/llm/src/net_guard.rs),
 * in plain words: the form cannot check where a host resolves, the server does.
 */
export function EndpointRules({ id }: { id: string }) {
  return (
    <div id={id} className="endpoint-rules muted">
      <p>The server accepts an endpoint only when:</p>
      <ul>
        <li>
          it is an <strong>https</strong> address (plain http only to this machine, where the operator allows it);
        </li>
        <li>
          its host resolves to <strong>public</strong> addresses only: private networks (10.x, 172.16–31.x, 192.168.x),
          loopback (127.x, localhost) and link-local addresses are refused, unless the platform’s operator allows
          private or loopback addresses;
        </li>
        <li>it holds no user name or password: send credentials in the secret header below.</li>
      </ul>
      <p>Each call is a POST with the arguments as JSON. Redirects are not followed, and the answer must be text.</p>
    </div>
  );
}
