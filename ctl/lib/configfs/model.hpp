// SPDX-License-Identifier: GPL-2.0
// The nvmet configuration as read from configfs: subsystems with their
// namespaces and allowed hosts, ports with their linked subsystems.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "configfs/tree.hpp"

namespace nvmet::configfs {

struct Namespace {
	std::uint32_t nsid = 0;
	std::string device_path;
	bool enabled = false;
};

struct Subsystem {
	std::string nqn;
	bool allow_any_host = false;
	std::vector<Namespace> namespaces; // by NSID
	std::vector<std::string> allowed_hosts; // host NQNs
};

// A discovery referral of a port (ports/<id>/referrals/<name>).
struct Referral {
	std::string name;
	std::string trtype, adrfam, traddr, trsvcid;
	std::uint16_t portid = 0; // the remote port's ID (addr_portid)
	bool enabled = false;
};

// An ANA group of a port (ports/<id>/ana_groups/<grpid>).
struct AnaGroup {
	std::uint32_t grpid = 0;
	std::string state;
};

struct Port {
	std::uint16_t portid = 0;
	std::string trtype, adrfam, traddr, trsvcid;
	std::string tsas, treq; // "tls1.3" and "required": TLS only
	std::vector<std::string> subsystems; // linked subsystem NQNs
	std::vector<Referral> referrals; // by name
	std::vector<AnaGroup> ana_groups; // by group ID; empty without ANA
};

// A host's DH-HMAC-CHAP settings (hosts/<nqn>/dhchap_*).
struct HostAuth {
	bool key_set = false; // the host must authenticate
	bool ctrl_key_set = false; // and the controller too (bidirectional)
	std::string hash, dhgroup;
	// The secrets themselves, only when asked for (read_hosts' WITH_SECRETS).
	std::string key, ctrl_key;
	// False when the key files could not be read (not root on nvmet-oot,
	// where they are 0600): key_set and ctrl_key_set say nothing then.
	bool readable = true;
};

struct Host {
	std::string nqn;
	std::optional<HostAuth> dhchap; // none: the target has no DH-HMAC-CHAP
	std::vector<std::string> allowed_by; // subsystems with it in allowed_hosts
};

[[nodiscard]] Result<std::vector<Subsystem>> read_subsystems(const Tree &tree);
[[nodiscard]] Result<std::vector<Port>> read_ports(const Tree &tree);
// Hosts by NQN. The secrets are read to tell whether they are set, and kept
// in HostAuth only WITH_SECRETS.
[[nodiscard]] Result<std::vector<Host>> read_hosts(const Tree &tree, bool with_secrets = false);

} // namespace nvmet::configfs
