//! The guard against server-side request forgery: a rule's webhook URL is chosen by a
//! researcher, and the worker POSTing to it must not be turned against the deployment's
//! own network (the database, the broker, a cloud metadata service at 169.254.169.254).
//!
//! The check is made on the addresses actually connected to, after resolution — a name
//! that resolves to a private address is refused, however it is spelled, and a name whose
//! answer changes between a check and the connection (DNS rebinding) cannot slip through:
//! [`PublicOnlyResolver`] is the client's resolver. URLs with an address literal are
//! checked before sending ([`refused_literal`]), since those are not resolved.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Whether a webhook may not be sent to `ip`: loopback, private, link-local, unspecified,
/// shared (carrier-grade NAT), broadcast or multicast.
pub(crate) fn is_refused(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_refused_v4(v4),
        IpAddr::V6(v6) => is_refused_v6(v6),
    }
}

fn is_refused_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        // 0.0.0.0/8, "this network"; 100.64.0.0/10, shared address space (carrier NAT).
        || a == 0
        || (a == 100 && (64..128).contains(&b))
}

fn is_refused_v6(ip: Ipv6Addr) -> bool {
    // An IPv4 address in IPv6 clothing (`::ffff:127.0.0.1`, NAT64 `64:ff9b::10.0.0.1`) is
    // judged as the IPv4 address it reaches.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_refused_v4(v4);
    }
    let segments = ip.segments();
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [.., hi, lo] = segments;
        return is_refused_v4(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)));
    }
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // fc00::/7 unique local, fe80::/10 link-local, fec0::/10 (deprecated) site-local.
        || (segments[0] & 0xfe00) == 0xfc00
        || (segments[0] & 0xffc0) == 0xfe80
        || (segments[0] & 0xffc0) == 0xfec0
}

/// The address literal of a URL's host (`10.0.0.1`, `[::1]`) when it is refused.
pub(crate) fn refused_literal(host: &str) -> Option<IpAddr> {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.parse::<IpAddr>().ok().filter(|ip| is_refused(*ip))
}

/// Every address of the name was refused (the cause reqwest's error carries).
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves only to addresses webhooks may not reach ({first})")]
pub(crate) struct RefusedTarget {
    pub host: String,
    pub first: IpAddr,
}

/// The system resolver, keeping only the addresses webhooks may reach.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PublicOnlyResolver;

impl Resolve for PublicOnlyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = resolved
                .iter()
                .copied()
                .filter(|a| !is_refused(a.ip()))
                .collect();
            match (allowed.is_empty(), resolved.first()) {
                (true, Some(first)) => Err(Box::new(RefusedTarget {
                    host,
                    first: first.ip(),
                }) as _),
                _ => Ok(Box::new(allowed.into_iter()) as Addrs),
            }
        })
    }
}

/// Whether `error` (a reqwest error's chain) comes from [`PublicOnlyResolver`] refusing.
pub(crate) fn refused_by_resolver(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if let Some(refused) = e.downcast_ref::<RefusedTarget>() {
            return Some(refused.to_string());
        }
        cause = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn internal_addresses_are_refused_and_public_ones_are_not() {
        for refused in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.254",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "0.1.2.3",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "fc12::1",
            "fec0::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(is_refused(refused.parse().unwrap()), "{refused}");
        }
        for public in [
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "93.184.216.34",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(!is_refused(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn address_literals_are_checked_with_or_without_brackets() {
        assert!(refused_literal("127.0.0.1").is_some());
        assert!(refused_literal("[::1]").is_some());
        assert!(refused_literal("[fd00::2]").is_some());
        assert!(refused_literal("8.8.8.8").is_none());
        assert!(refused_literal("hooks.example.org").is_none());
    }

    #[tokio::test]
    async fn the_resolver_refuses_a_name_of_loopback_addresses_only() {
        let refused = PublicOnlyResolver
            .resolve("localhost".parse().unwrap())
            .await
            .err()
            .expect("localhost is refused");
        assert!(refused_by_resolver(refused.as_ref()).is_some(), "{refused}");
    }
}
