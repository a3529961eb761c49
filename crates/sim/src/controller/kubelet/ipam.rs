//! Pod IPs, after the host-local IPAM CNI plugin (containernetworking/plugins, `plugins/ipam/host-local`): they
//! come from each node's podCIDR, the next free address after the last one handed out, so a recreated pod gets
//! a new IP.

use k8s_openapi::api::core::v1::Node;
use std::collections::BTreeSet;

use super::Kubelet;
use crate::object::ObjectKey;
use crate::store::Store;

/// host-local IPAM over one node's /24: addresses .2 to .254, handed out round-robin from the last one.
#[derive(Clone, Debug)]
pub(super) struct HostLocalIpam {
    prefix: String,
    last: u8,
    in_use: BTreeSet<u8>,
}

impl HostLocalIpam {
    fn new(cidr: &str) -> Self {
        let network = cidr.split('/').next().unwrap_or("10.244.0.0");
        let prefix = network
            .rsplit_once('.')
            .map_or("10.244.0", |(p, _)| p)
            .to_string();
        HostLocalIpam {
            prefix,
            last: 1,
            in_use: BTreeSet::new(),
        }
    }

    pub(super) fn allocate(&mut self) -> Option<String> {
        let candidates = (self.last as u16 + 1..=254)
            .chain(2..=self.last as u16)
            .map(|n| n as u8);
        let host = candidates.into_iter().find(|n| !self.in_use.contains(n))?;
        self.in_use.insert(host);
        self.last = host;
        Some(format!("{}.{host}", self.prefix))
    }

    pub(super) fn release(&mut self, ip: &str) {
        if let Some(host) = ip.rsplit_once('.').and_then(|(_, h)| h.parse::<u8>().ok()) {
            self.in_use.remove(&host);
        }
    }
}

impl Kubelet {
    pub(super) fn ipam_for(&mut self, store: &Store, node: &str) -> &mut HostLocalIpam {
        self.ipam.entry(node.to_string()).or_insert_with(|| {
            let cidr = store
                .get::<Node>(&ObjectKey::cluster(node))
                .and_then(|n| n.spec.as_ref())
                .and_then(|s| s.pod_cidr.clone())
                .unwrap_or_else(|| "10.244.0.0/24".into());
            HostLocalIpam::new(&cidr)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_local_ipam_hands_out_the_next_free_address() {
        let mut ipam = HostLocalIpam::new("10.244.2.0/24");
        assert_eq!(ipam.allocate().as_deref(), Some("10.244.2.2"));
        assert_eq!(ipam.allocate().as_deref(), Some("10.244.2.3"));
        ipam.release("10.244.2.2");
        // Round-robin: a freed address is reused only after the range wraps.
        assert_eq!(ipam.allocate().as_deref(), Some("10.244.2.4"));
    }
}
