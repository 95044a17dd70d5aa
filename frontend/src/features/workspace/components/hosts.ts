// The allowed-host rules the server checks (TenantSettings::check in
// shared/core/src/identity/tenants.rs), so a typo is caught as it is added.

export const MAX_HOSTS = 50;
export const MAX_HOST_CHARS = 253;

const LABEL = /^[a-z0-9-]{1,63}$/;

/** What was typed, as the server wants it: lowercase, and only the host of a pasted URL. */
export function normalizeHost(typed: string): string {
  const text = typed.trim().toLowerCase();
  if (text.includes('://')) {
    try {
      return new URL(text).hostname;
    } catch {
      return text;
    }
  }
  return text;
}

/** Why `host` cannot be added to `hosts`, or null when it can. */
export function hostProblem(host: string, hosts: readonly string[]): string | null {
  if (!host) return 'Type a host name, e.g. example.com or *.example.com.';
  if (hosts.includes(host)) return `${host} is in the list already.`;
  if (hosts.length >= MAX_HOSTS) return `At most ${MAX_HOSTS} hosts.`;
  if (host.length > MAX_HOST_CHARS) return `A host is at most ${MAX_HOST_CHARS} characters.`;
  const name = host.startsWith('*.') ? host.slice(2) : host;
  if (!name.split('.').every((label) => LABEL.test(label))) {
    return 'A host is letters, digits and hyphens between dots (e.g. api.example.com), optionally starting with *. for its subdomains.';
  }
  return null;
}
