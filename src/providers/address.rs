//! Where the bot may send a provider request. A service URL is typed by a person, and the check's
//! answer comes back to them: without this guard it would scan the bot's own network. So every
//! address a request could reach is vetted before the first byte is sent: the URL's own host
//! (an IP literal, or a name resolved here), and every name the client resolves later (a DNS
//! answer may change between the check and the call).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use super::{InputProblem, ProviderError, ProviderSettings, ServiceSettings};

/// What the configuration allows besides the public internet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AddressPolicy {
    /// Loopback (and plain http to it): for the tests' fake services and a local proxy only;
    /// `ALLOW_LOOPBACK_PROVIDERS=1`, off by default.
    pub allow_loopback: bool,
}

/// Whether a request may go to `ip`.
pub fn ip_allowed(ip: IpAddr, policy: AddressPolicy) -> bool {
    // An IPv4 address written as IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it is.
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    };
    if ip.is_loopback() {
        return policy.allow_loopback;
    }
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => public_v6(v6),
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    let shared = a == 100 && (64..128).contains(&b); // 100.64.0.0/10, carrier-grade NAT
    let benchmarking = a == 198 && (b == 18 || b == 19); // 198.18.0.0/15
    let reserved = a >= 240; // 240.0.0.0/4 and the broadcast address
    !(ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || shared
        || benchmarking
        || reserved)
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    let unique_local = first & 0xfe00 == 0xfc00; // fc00::/7
    let link_local = first & 0xffc0 == 0xfe80; // fe80::/10
    let site_local = first & 0xffc0 == 0xfec0; // fec0::/10, deprecated but still routed inside
    let documentation = first == 0x2001 && ip.segments()[1] == 0x0db8; // 2001:db8::/32
    let nat64 = first == 0x0064 && ip.segments()[1] == 0xff9b; // 64:ff9b::/96 reaches IPv4 inside
    !(ip.is_unspecified()
        || ip.is_multicast()
        || unique_local
        || link_local
        || site_local
        || documentation
        || nat64
        || ip.to_ipv4().is_some_and(|v4| !public_v4(v4)))
}

/// Reads and vets a service URL: https (plain http only to loopback, when allowed), a host, no
/// credentials or query in it, and every address its host stands for allowed.
pub async fn vet_url(raw: &str, policy: AddressPolicy) -> Result<url::Url, ProviderError> {
    let url = url::Url::parse(raw.trim()).map_err(|_| InputProblem::BadBaseUrl)?;
    let plain = match url.scheme() {
        "https" => false,
        "http" => true,
        _ => return Err(InputProblem::BadBaseUrl.into()),
    };
    if url.query().is_some() || !url.username().is_empty() || url.password().is_some() {
        return Err(InputProblem::BadBaseUrl.into());
    }
    let host = url.host().ok_or(InputProblem::BadBaseUrl)?;
    let port = url.port_or_known_default().unwrap_or(443);
    let addresses: Vec<IpAddr> = match host {
        url::Host::Ipv4(ip) => vec![IpAddr::V4(ip)],
        url::Host::Ipv6(ip) => vec![IpAddr::V6(ip)],
        url::Host::Domain(name) => resolve(name, port).await?,
    };
    if addresses.is_empty() || !addresses.iter().all(|ip| ip_allowed(*ip, policy)) {
        return Err(InputProblem::InternalAddress.into());
    }
    // Plain http carries the credentials in the clear: only to this machine itself.
    if plain && !addresses.iter().all(IpAddr::is_loopback) {
        return Err(InputProblem::BadBaseUrl.into());
    }
    Ok(url)
}

async fn resolve(name: &str, port: u16) -> Result<Vec<IpAddr>, ProviderError> {
    let found = tokio::net::lookup_host((name, port)).await.map_err(|_| InputProblem::BadBaseUrl)?;
    Ok(found.map(|a| a.ip()).collect())
}

/// Vets every address a provider's settings name (the service URL, and the second hosts that
/// follow it: Telemost's Yandex ID, Zoom's OAuth server). The official addresses are public.
pub async fn vet_settings(settings: &ProviderSettings, policy: AddressPolicy) -> Result<(), ProviderError> {
    let second = match &settings.service {
        ServiceSettings::Telemost(s) => s.login_info_url.as_deref(),
        ServiceSettings::Zoom(s) => s.oauth_url.as_deref(),
        _ => None,
    };
    for url in settings.base_url.as_deref().into_iter().chain(second).filter(|u| !u.trim().is_empty()) {
        vet_url(url, policy).await?;
    }
    Ok(())
}

/// A resolver that hands the client only allowed addresses, so a name that resolves elsewhere
/// at call time than at check time still reaches nothing inside.
#[derive(Clone, Copy, Debug)]
pub struct GuardedResolver {
    policy: AddressPolicy,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy;
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let allowed: Vec<SocketAddr> = found.filter(|a| ip_allowed(a.ip(), policy)).collect();
            if allowed.is_empty() {
                return Err(format!("{} resolves to no public address", name.as_str()).into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

/// The one client for every provider call, with the guarded resolver.
pub fn guarded_client(policy: AddressPolicy) -> reqwest::Client {
    super::client_builder(super::CONNECT_TIMEOUT, super::TOTAL_TIMEOUT)
        .dns_resolver(Arc::new(GuardedResolver { policy }))
        .build()
        .expect("a client with static settings always builds")
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFF: AddressPolicy = AddressPolicy { allow_loopback: false };
    const ON: AddressPolicy = AddressPolicy { allow_loopback: true };

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn inside_addresses_are_refused_and_public_ones_pass() {
        for inside in [
            "10.0.0.1",
            "172.16.5.4",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "127.0.0.1",
            "127.8.8.8",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fc12:3456::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(!ip_allowed(ip(inside), OFF), "{inside}");
        }
        for public in ["8.8.8.8", "77.88.55.242", "2a02:6b8::2:242", "172.32.0.1", "100.128.0.1"] {
            assert!(ip_allowed(ip(public), OFF), "{public}");
        }
    }

    #[test]
    fn the_setting_opens_loopback_and_nothing_else() {
        assert!(ip_allowed(ip("127.0.0.1"), ON));
        assert!(ip_allowed(ip("::1"), ON));
        assert!(ip_allowed(ip("::ffff:127.0.0.1"), ON));
        for inside in ["10.0.0.1", "192.168.0.10", "169.254.1.1", "fd00::1", "fe80::1"] {
            assert!(!ip_allowed(ip(inside), ON), "{inside}");
        }
    }

    fn refused(result: Result<url::Url, ProviderError>) -> &'static str {
        match result {
            Err(err) => err.i18n().0,
            Ok(url) => panic!("{url} was let through"),
        }
    }

    #[tokio::test]
    async fn urls_are_vetted_before_any_request() {
        // IP literals need no lookup: nothing leaves the machine here.
        for url in [
            "https://10.1.2.3/api",
            "https://[fd00::5]/api",
            "https://169.254.169.254/latest",
            "https://[::ffff:192.168.0.1]/",
            "https://127.0.0.1:8443/",
            "http://127.0.0.1:8080/",
            "https://0.0.0.0/",
        ] {
            assert_eq!(refused(vet_url(url, OFF).await), "provider-input-internal-address", "{url}");
        }
        // A name that resolves to loopback, through /etc/hosts.
        assert_eq!(refused(vet_url("https://localhost:9/", OFF).await), "provider-input-internal-address");
        for url in ["ftp://example.org/", "https://user:pw@127.0.0.1/", "https://127.0.0.1/?a=1", "not a url"] {
            assert_eq!(refused(vet_url(url, ON).await), "provider-input-bad-base-url", "{url}");
        }
        assert!(vet_url("http://127.0.0.1:8080/v3", ON).await.is_ok());
        assert!(vet_url("https://[::1]:8443/v3", ON).await.is_ok());
        assert_eq!(refused(vet_url("https://10.0.0.1/", ON).await), "provider-input-internal-address");
    }
}
