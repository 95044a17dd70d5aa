//! Outbound URL guard: a tenant-supplied URL (an LLM `base_url`, later HTTP tools) must not let a
//! tenant make our servers reach internal networks (SSRF), e.g. the cloud metadata endpoint.
//!
//! [`check_url`] judges the addresses a host resolves to, not its name, and hands them back so the
//! connection can be [`pin`]ned to them: a second lookup at connect time could answer differently
//! (DNS rebinding).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::{ClientBuilder, Url, redirect};

use paas_core::Config;

/// A slow resolver must not hold an API request for long.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// Which targets an outbound request may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetPolicy {
    /// Private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, 198.18/15, fc00::/7): for an operator
    /// whose model server lives on their own network.
    pub allow_private: bool,
    /// Loopback (127/8, ::1): a local Ollama or a test server.
    pub allow_loopback: bool,
    /// Refuse plain `http`, except to loopback when that is allowed (traffic that never leaves
    /// the machine cannot be sniffed).
    pub require_https: bool,
}

impl NetPolicy {
    /// Lambda: https to public addresses only.
    pub const fn cloud() -> Self {
        Self { allow_private: false, allow_loopback: false, require_https: true }
    }

    /// The local runner: also loopback, over http or https.
    pub const fn local() -> Self {
        Self { allow_private: false, allow_loopback: true, require_https: true }
    }
}

/// The operator's policy (`PAAS_ALLOW_LOOPBACK_URLS`, `PAAS_ALLOW_PRIVATE_URLS`); https stays
/// required except to loopback.
pub fn policy(config: &Config) -> NetPolicy {
    NetPolicy {
        allow_private: config.allow_private_urls,
        allow_loopback: config.allow_loopback_urls,
        require_https: true,
    }
}

/// Why a URL was refused; the messages are written for the API user (422). They never include
/// the resolved addresses, which would map internal DNS for whoever asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NetGuardError {
    #[error("the URL could not be parsed")]
    Unparsable,
    #[error("only https URLs are allowed")]
    HttpsRequired,
    #[error("the URL must not contain a user name or password")]
    Userinfo,
    #[error("the host could not be resolved")]
    Unresolvable,
    #[error("this host resolves to a private, loopback or link-local address")]
    Forbidden,
}

/// A URL that passed [`check_url`], with the addresses it was checked against. Only
/// [`check_url`] makes one, so holding one proves the check ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedUrl {
    url: Url,
    addrs: Vec<SocketAddr>,
}

impl CheckedUrl {
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Every address the host resolved to, all allowed; never empty.
    pub fn addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }
}

/// Parses `url`, resolves its host and refuses it if any address is forbidden by `policy`: the
/// pinned client may connect to any of them, and a tenant's DNS can mix a public decoy with an
/// internal target.
/// The shape of a URL [`check_url`] may accept, as a field's schema (`null`
/// accepted): where it leads is checked only when it is given.
pub fn url_schema() -> utoipa::openapi::Schema {
    let schema = serde_json::json!({ "type": ["string", "null"], "format": "uri", "pattern": "^https?://" });
    serde_json::from_value(schema).expect("a valid schema")
}

pub async fn check_url(url: &str, policy: &NetPolicy) -> Result<CheckedUrl, NetGuardError> {
    let url = Url::parse(url).map_err(|_| NetGuardError::Unparsable)?;
    let plain_http = match url.scheme() {
        "https" => false,
        "http" => true,
        _ => return Err(NetGuardError::HttpsRequired),
    };
    let http_needs_loopback = plain_http && policy.require_https;
    if http_needs_loopback && !policy.allow_loopback {
        return Err(NetGuardError::HttpsRequired);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(NetGuardError::Userinfo);
    }
    // Both are always present for http(s) URLs that parsed.
    let (host, port) = url.host_str().zip(url.port_or_known_default()).ok_or(NetGuardError::Unparsable)?;
    let addrs = match literal_ip(host) {
        Some(ip) => allowed(vec![SocketAddr::new(ip, port)], policy)?,
        None => resolve(host, port, policy).await?,
    };
    if http_needs_loopback && !addrs.iter().all(|addr| reach(addr.ip()) == Reach::Loopback) {
        return Err(NetGuardError::HttpsRequired);
    }
    Ok(CheckedUrl { url, addrs })
}

/// Every address `host` resolves to, when `policy` allows them all.
async fn resolve(host: &str, port: u16, policy: &NetPolicy) -> Result<Vec<SocketAddr>, NetGuardError> {
    let addrs = tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host, port)))
        .await
        .map_err(|_| NetGuardError::Unresolvable)?
        .map_err(|_| NetGuardError::Unresolvable)?
        .collect();
    allowed(addrs, policy)
}

fn allowed(addrs: Vec<SocketAddr>, policy: &NetPolicy) -> Result<Vec<SocketAddr>, NetGuardError> {
    if addrs.is_empty() {
        return Err(NetGuardError::Unresolvable);
    }
    if addrs.iter().any(|addr| is_forbidden(addr.ip(), policy)) {
        return Err(NetGuardError::Forbidden);
    }
    Ok(addrs)
}

/// The client for tenant-supplied URLs under `policy`: one per process and
/// policy, so every turn to the same upstream draws on one connection pool
/// (a client per turn would also pay for TLS set-up and a new connection).
/// Its resolver applies `policy` to every lookup it makes when it opens a
/// connection, so a host that passed [`check_url`] and then rebinds to a
/// forbidden address is refused; literal addresses, which nothing resolves,
/// are judged by [`check_url`]. No proxy, no redirects, as for [`pin`].
pub fn shared_client(policy: NetPolicy, connect_timeout: Duration) -> reqwest::Client {
    static CLIENTS: Mutex<Vec<(NetPolicy, Duration, reqwest::Client)>> = Mutex::new(Vec::new());
    let mut clients = CLIENTS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, _, client)) = clients.iter().find(|(p, t, _)| *p == policy && *t == connect_timeout) {
        return client.clone();
    }
    paas_core::tls::install_provider();
    let client = reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .user_agent(concat!("agent-paas/", env!("CARGO_PKG_VERSION")))
        .no_proxy()
        .redirect(redirect::Policy::none())
        .dns_resolver(Arc::new(GuardedResolver(policy)))
        .build()
        .expect("the TLS backend initialises");
    clients.push((policy, connect_timeout, client.clone()));
    client
}

/// Name resolution that refuses what `policy` forbids.
struct GuardedResolver(NetPolicy);

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.0;
        Box::pin(async move {
            // The connector sets the port; 0 is a placeholder.
            let addrs = resolve(name.as_str(), 0, &policy).await?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// Makes a client connect only to the checked addresses: directly, because a proxy would resolve
/// the name again itself, and without following redirects, which lead to URLs nobody checked.
pub fn pin(builder: ClientBuilder, checked: &CheckedUrl) -> ClientBuilder {
    paas_core::tls::install_provider();
    let builder = builder.no_proxy().redirect(redirect::Policy::none());
    match checked.url.host_str() {
        // A literal IP is connected to as is; there is nothing to resolve.
        Some(host) if literal_ip(host).is_none() => builder.resolve_to_addrs(host, &checked.addrs),
        _ => builder,
    }
}

/// The host as an IP address if it is a literal one; the parser has already normalised IPv4
/// spellings (`2130706433`, `0x7f.1`) and brackets IPv6.
fn literal_ip(host: &str) -> Option<IpAddr> {
    host.strip_prefix('[').and_then(|inner| inner.strip_suffix(']')).unwrap_or(host).parse().ok()
}

/// Whether `policy` forbids connecting to `ip`. Link-local (the metadata endpoint), unspecified,
/// multicast, broadcast, documentation and reserved addresses are forbidden under every policy.
pub fn is_forbidden(ip: IpAddr, policy: &NetPolicy) -> bool {
    match reach(ip) {
        Reach::Public => false,
        Reach::Loopback => !policy.allow_loopback,
        Reach::Private => !policy.allow_private,
        Reach::Never => true,
    }
}

/// What connecting to an address would reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    Public,
    Loopback,
    Private,
    Never,
}

fn reach(ip: IpAddr) -> Reach {
    match ip {
        IpAddr::V4(ip) => reach_v4(ip),
        IpAddr::V6(ip) => reach_v6(ip),
    }
}

fn reach_v4(ip: Ipv4Addr) -> Reach {
    match ip.octets() {
        [127, ..] => Reach::Loopback,
        [10, ..] | [172, 16..=31, ..] | [192, 168, ..] => Reach::Private,
        // Carrier-grade NAT (also Tailscale), benchmarking: not public, but someone's network.
        [100, 64..=127, ..] | [198, 18..=19, ..] => Reach::Private,
        // "This network" (incl. 0.0.0.0), link-local (incl. 169.254.169.254), IETF protocol
        // assignments, documentation, multicast, reserved and broadcast.
        [0, ..]
        | [169, 254, ..]
        | [192, 0, 0, _]
        | [192, 0, 2, _]
        | [198, 51, 100, _]
        | [203, 0, 113, _]
        | [224..=255, ..] => Reach::Never,
        _ => Reach::Public,
    }
}

fn reach_v6(ip: Ipv6Addr) -> Reach {
    if ip.is_loopback() {
        return Reach::Loopback;
    }
    if ip.is_unspecified() {
        return Reach::Never;
    }
    if let Some(v4) = embedded_v4(ip) {
        return reach_v4(v4);
    }
    let segments = ip.segments();
    match segments {
        // Unique local fc00::/7 and the deprecated site-local fec0::/10.
        [0xfc00..=0xfdff, ..] | [0xfec0..=0xfeff, ..] => Reach::Private,
        // Only global unicast 2000::/3 can be public: this excludes link-local, multicast,
        // discard-only and the reserved rest.
        [first, ..] if first & 0xe000 != 0x2000 => Reach::Never,
        // IETF protocol assignments 2001::/23 (incl. Teredo), documentation 2001:db8::/32 and 3fff::/20.
        [0x2001, 0..=0x01ff, ..] | [0x2001, 0x0db8, ..] | [0x3fff, 0..=0x0fff, ..] => Reach::Never,
        _ => Reach::Public,
    }
}

/// The IPv4 address an IPv6 one stands for, which is what the packets end up reaching.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let [.., a, b, c, d] = ip.octets();
    match ip.segments() {
        // IPv4-mapped ::ffff:0:0/96, IPv4-compatible ::/96 (loopback and unspecified are handled
        // before) and NAT64 64:ff9b::/96.
        [0, 0, 0, 0, 0, 0xffff, _, _] | [0, 0, 0, 0, 0, 0, _, _] | [0x64, 0xff9b, 0, 0, 0, 0, _, _] => {
            Some(Ipv4Addr::new(a, b, c, d))
        }
        // 6to4 2002::/16 carries the IPv4 address in bits 16..48.
        [0x2002, high, low, ..] => Some(Ipv4Addr::from((u32::from(high) << 16) | u32::from(low))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVERYTHING: NetPolicy = NetPolicy { allow_private: true, allow_loopback: true, require_https: false };

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn classifies_ipv4_ranges() {
        for (addr, expected) in [
            ("127.0.0.1", Reach::Loopback),
            ("127.255.255.254", Reach::Loopback),
            ("10.0.0.1", Reach::Private),
            ("172.16.0.1", Reach::Private),
            ("172.31.255.255", Reach::Private),
            ("192.168.1.1", Reach::Private),
            ("100.64.0.1", Reach::Private),
            ("100.127.255.255", Reach::Private),
            ("198.18.0.1", Reach::Private),
            ("198.19.255.255", Reach::Private),
            ("169.254.169.254", Reach::Never),
            ("169.254.0.1", Reach::Never),
            ("0.0.0.0", Reach::Never),
            ("0.1.2.3", Reach::Never),
            ("192.0.0.8", Reach::Never),
            ("192.0.2.1", Reach::Never),
            ("198.51.100.1", Reach::Never),
            ("203.0.113.1", Reach::Never),
            ("224.0.0.1", Reach::Never),
            ("239.255.255.250", Reach::Never),
            ("240.0.0.1", Reach::Never),
            ("255.255.255.255", Reach::Never),
            ("93.184.216.34", Reach::Public),
            ("8.8.8.8", Reach::Public),
            ("172.15.255.255", Reach::Public),
            ("172.32.0.0", Reach::Public),
            ("100.63.255.255", Reach::Public),
            ("100.128.0.0", Reach::Public),
            ("198.17.255.255", Reach::Public),
            ("198.20.0.0", Reach::Public),
        ] {
            assert_eq!(reach(ip(addr)), expected, "{addr}");
        }
    }

    #[test]
    fn classifies_ipv6_ranges_and_embedded_ipv4() {
        for (addr, expected) in [
            ("::1", Reach::Loopback),
            ("::", Reach::Never),
            ("fc00::1", Reach::Private),
            ("fd12:3456::1", Reach::Private),
            ("fec0::1", Reach::Private),
            ("fe80::1", Reach::Never),
            ("febf::1", Reach::Never),
            ("ff02::1", Reach::Never),
            ("100::1", Reach::Never),
            ("2001:db8::1", Reach::Never),
            ("3fff::1", Reach::Never),
            ("2001::1", Reach::Never),
            ("::ffff:0:7f00:1", Reach::Never),
            ("::ffff:127.0.0.1", Reach::Loopback),
            ("::ffff:10.0.0.1", Reach::Private),
            ("::ffff:169.254.169.254", Reach::Never),
            ("::ffff:0.0.0.0", Reach::Never),
            ("::ffff:93.184.216.34", Reach::Public),
            ("::127.0.0.1", Reach::Loopback),
            ("::169.254.169.254", Reach::Never),
            ("::192.168.0.1", Reach::Private),
            ("64:ff9b::127.0.0.1", Reach::Loopback),
            ("64:ff9b::a9fe:a9fe", Reach::Never),
            ("64:ff9b::93.184.216.34", Reach::Public),
            ("2002:7f00:1::", Reach::Loopback),
            ("2002:a9fe:a9fe::1", Reach::Never),
            ("2002:c0a8:101::", Reach::Private),
            ("2002:5db8:d822::1", Reach::Public),
            ("2606:2800:220:1:248:1893:25c8:1946", Reach::Public),
            ("2001:4860:4860::8888", Reach::Public),
        ] {
            assert_eq!(reach(ip(addr)), expected, "{addr}");
        }
    }

    #[test]
    fn default_config_is_the_local_policy() {
        assert_eq!(policy(&Config::default()), NetPolicy::local());
    }

    #[test]
    fn policies_open_only_their_ranges() {
        let (cloud, local) = (NetPolicy::cloud(), NetPolicy::local());
        let private_only = NetPolicy { allow_private: true, ..cloud };
        assert!(is_forbidden(ip("127.0.0.1"), &cloud));
        assert!(!is_forbidden(ip("127.0.0.1"), &local));
        assert!(!is_forbidden(ip("::ffff:127.0.0.1"), &local));
        assert!(is_forbidden(ip("10.0.0.1"), &local));
        assert!(!is_forbidden(ip("10.0.0.1"), &private_only));
        assert!(is_forbidden(ip("::1"), &private_only));
        for never in ["169.254.169.254", "fe80::1", "0.0.0.0", "::", "224.0.0.1", "255.255.255.255", "192.0.2.1"] {
            assert!(is_forbidden(ip(never), &EVERYTHING), "{never}");
        }
        assert!(!is_forbidden(ip("93.184.216.34"), &cloud));
    }

    #[tokio::test]
    async fn public_literal_ip_needs_no_dns() {
        let checked = check_url("https://93.184.216.34/v1", &NetPolicy::cloud()).await.unwrap();
        assert_eq!(checked.addrs(), [SocketAddr::from(([93, 184, 216, 34], 443))]);
        assert_eq!(checked.url().path(), "/v1");
        let checked = check_url("https://[2001:4860:4860::8888]:8443/", &NetPolicy::cloud()).await.unwrap();
        assert_eq!(checked.addrs()[0].port(), 8443);
    }

    #[tokio::test]
    async fn forbidden_literals_in_any_spelling() {
        for url in [
            "https://169.254.169.254/latest/meta-data/",
            "https://127.0.0.1/",
            "https://2130706433/",
            "https://0x7f.1/",
            "https://[::ffff:169.254.169.254]/",
            "https://[::ffff:7f00:1]/",
            "https://[64:ff9b::a9fe:a9fe]/",
            "https://[2002:a9fe:a9fe::]/",
            "https://[fe80::1]/",
            "https://10.1.2.3/",
        ] {
            assert_eq!(check_url(url, &NetPolicy::cloud()).await, Err(NetGuardError::Forbidden), "{url}");
        }
    }

    #[tokio::test]
    async fn localhost_is_refused_in_the_cloud_and_allowed_locally() {
        let cloud = NetPolicy::cloud();
        assert_eq!(check_url("https://localhost/", &cloud).await, Err(NetGuardError::Forbidden));
        assert_eq!(check_url("http://localhost:11434/", &cloud).await, Err(NetGuardError::HttpsRequired));
        let checked = check_url("http://localhost:11434/v1", &NetPolicy::local()).await.unwrap();
        assert!(checked.addrs().iter().all(|addr| addr.ip().is_loopback() && addr.port() == 11434));
    }

    #[tokio::test]
    async fn plain_http_only_to_loopback() {
        let http = "http://93.184.216.34/";
        assert_eq!(check_url(http, &NetPolicy::cloud()).await, Err(NetGuardError::HttpsRequired));
        assert_eq!(check_url(http, &NetPolicy::local()).await, Err(NetGuardError::HttpsRequired));
        assert!(check_url(http, &EVERYTHING).await.is_ok());
        assert!(check_url("http://[::1]:8080/", &NetPolicy::local()).await.is_ok());
    }

    #[tokio::test]
    async fn refuses_userinfo_other_schemes_and_garbage() {
        let cloud = NetPolicy::cloud();
        for url in ["https://user:pass@93.184.216.34/", "https://user@93.184.216.34/", "https://:pass@93.184.216.34/"] {
            assert_eq!(check_url(url, &cloud).await, Err(NetGuardError::Userinfo), "{url}");
        }
        for url in ["ftp://93.184.216.34/", "file:///etc/passwd", "localhost:11434"] {
            assert_eq!(check_url(url, &EVERYTHING).await, Err(NetGuardError::HttpsRequired), "{url}");
        }
        for url in ["not a url", "https://", "https://[::1/", "https://999.1.1.1/"] {
            assert_eq!(check_url(url, &cloud).await, Err(NetGuardError::Unparsable), "{url}");
        }
    }

    /// The pinned client connects to the checked address although the name resolves nowhere, and
    /// hands a redirect back instead of following it.
    #[tokio::test]
    async fn pinned_client_uses_checked_addrs_and_ignores_redirects() {
        use std::io::{Read, Write};

        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let _ = stream.read(&mut [0; 1024]).unwrap();
            let response = "HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/\r\nContent-Length: 0\r\n\r\n";
            stream.write_all(response.as_bytes()).unwrap();
        });
        let checked = CheckedUrl {
            url: Url::parse(&format!("http://rebind.invalid:{}/", addr.port())).unwrap(),
            addrs: vec![addr],
        };
        let client = pin(reqwest::Client::builder(), &checked).build().unwrap();
        let response = client.get(checked.url().clone()).send().await.unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::FOUND);
        server.join().unwrap();
    }

    /// The shared client's resolver judges every name it resolves: `localhost` is refused under
    /// the cloud policy at connect time, whatever was checked before, and reached under the local one.
    #[tokio::test]
    async fn shared_client_refuses_forbidden_names_when_it_connects() {
        use std::io::{Read, Write};

        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://localhost:{}/", listener.local_addr().unwrap().port());
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let _ = stream.read(&mut [0; 1024]).unwrap();
            stream.write_all(b"HTTP/1.1 204 No Content\r\n\r\n").unwrap();
        });
        let timeout = Duration::from_secs(5);
        let refused = shared_client(NetPolicy::cloud(), timeout).get(&url).send().await.unwrap_err();
        assert!(refused.is_connect(), "{refused:?}");
        let local = NetPolicy { allow_loopback: true, ..NetPolicy::cloud() };
        let response = shared_client(local, timeout).get(&url).send().await.unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::NO_CONTENT);
        server.join().unwrap();
    }
}
