//! The client's address, for throttling and logs. Taken from the connection,
//! or — behind a reverse proxy — from the one header the configuration names
//! as set by that proxy. Any other forwarding header is ignored: a client can
//! write whatever it likes into headers the proxy does not overwrite.

use std::net::{IpAddr, Ipv4Addr};

use poem::Request;

use super::WebConfig;

/// The address requests are attributed to.
pub fn client_ip(req: &Request, config: &WebConfig) -> IpAddr {
    if let Some(header) = config.trusted_proxy_header.as_deref() {
        if let Some(ip) = req.header(header).and_then(from_header) {
            return ip;
        }
    }
    req.remote_addr().as_socket_addr().map(|a| a.ip()).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// The address a proxy header names: the last entry of a list (the one the
/// trusted proxy itself appended to `X-Forwarded-For`), with or without a port.
fn from_header(value: &str) -> Option<IpAddr> {
    let last = value.rsplit(',').next()?.trim();
    if let Ok(ip) = last.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(socket) = last.parse::<std::net::SocketAddr>() {
        return Some(socket.ip());
    }
    last.trim_start_matches('[').split(']').next().and_then(|ip| ip.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxy_appended_address_is_taken() {
        assert_eq!(from_header("203.0.113.7"), Some(IpAddr::from([203, 0, 113, 7])));
        assert_eq!(from_header("1.2.3.4, 198.51.100.2"), Some(IpAddr::from([198, 51, 100, 2])));
        assert_eq!(from_header("198.51.100.2:5555"), Some(IpAddr::from([198, 51, 100, 2])));
        assert_eq!(from_header("[2001:db8::1]:443"), "2001:db8::1".parse().ok());
        assert_eq!(from_header("unknown"), None);
    }
}
