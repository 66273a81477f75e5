// SPDX-License-Identifier: GPL-2.0
// Changes to the nvmet configuration, one verb per function, over a Tree:
// what nvmetctl's object commands do. Each checks what it can before
// touching configfs, orders its writes the way the kernel accepts them, and
// undoes its own partial work when the kernel refuses a step, so a failed
// command leaves the configuration as it was. Errors say which object and
// what to do.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "configfs/tree.hpp"

namespace nvmet::configfs {

// --- hosts
// The NQN is checked first (check_nqn), as for subsystem_add.
[[nodiscard]] Status host_add(const Tree &tree, const std::string &nqn);
// FORCE: also remove the host from every subsystem's allowed_hosts.
[[nodiscard]] Status host_del(const Tree &tree, const std::string &nqn, bool force);

// DH-HMAC-CHAP of a host: what is set is written, the rest kept. Keys are
// checked (auth::parse_secret) and names spelled as configfs wants them
// before anything is written; a controller key needs a host key (given or
// already set). When the kernel refuses a step, what was written is put back.
struct HostKeySpec {
	std::string nqn{};
	std::optional<std::string> key{}; // the host's secret: the host must authenticate
	std::optional<std::string> ctrl_key{}; // the controller's: bidirectional
	std::optional<std::string> hash{}; // "hmac(sha256)" or "sha256", ...
	std::optional<std::string> dhgroup{}; // "null", "ffdhe2048", ...
};
[[nodiscard]] Status host_set_key(const Tree &tree, const HostKeySpec &spec);
// Removes the controller key and, unless CTRL_ONLY, the host key: the host
// then connects without authenticating. Hash and DH group stay.
[[nodiscard]] Status host_clear_key(const Tree &tree, const std::string &nqn, bool ctrl_only);

// --- subsystems
struct SubsystemSpec {
	std::string nqn;
	bool allow_any_host = false;
	std::optional<std::string> serial, model, version;
};
[[nodiscard]] Status subsystem_add(const Tree &tree, const SubsystemSpec &spec);
// FORCE: unlink it from ports and remove its namespaces and allowed hosts first.
[[nodiscard]] Status subsystem_del(const Tree &tree, const std::string &nqn, bool force);
// attr_<ATTR> of the subsystem, e.g. "serial", "model", "allow_any_host".
[[nodiscard]] Status subsystem_set(const Tree &tree, const std::string &nqn, const std::string &attr,
                                   const std::string &value);
[[nodiscard]] Status subsystem_allow_host(const Tree &tree, const std::string &nqn, const std::string &host);
[[nodiscard]] Status subsystem_disallow_host(const Tree &tree, const std::string &nqn,
                                             const std::string &host);

// --- namespaces
struct NamespaceSpec {
	std::string subsys;
	std::uint32_t nsid = 0;
	std::string device_path;
	std::optional<std::string> uuid, nguid;
	std::optional<std::uint32_t> ana_grpid;
	bool buffered_io = false;
	bool enable = true;
};
[[nodiscard]] Status namespace_add(const Tree &tree, const NamespaceSpec &spec);
[[nodiscard]] Status namespace_del(const Tree &tree, const std::string &subsys, std::uint32_t nsid);
[[nodiscard]] Status namespace_enable(const Tree &tree, const std::string &subsys, std::uint32_t nsid,
                                      bool on);
// The backing device or file changed size: tell the namespace (and hosts).
[[nodiscard]] Status namespace_resize(const Tree &tree, const std::string &subsys, std::uint32_t nsid);

// --- ports
struct PortSpec {
	std::uint16_t portid = 0;
	std::string trtype, adrfam, traddr, trsvcid;
	// treq: "not specified", "required", "not required" (or with '-' for
	// the blanks); tsas: "none", "tls1.3" (TCP)
	std::optional<std::string> treq, tsas;
	// TLS 1.3 (TCP only): tsas "tls1.3" and treq "required" unless treq
	// says "not required" (hosts without TLS accepted too).
	bool tls = false;
	std::optional<int> inline_data_size, max_queue_size;
};
// NVMe/TCP's and NVMe/RDMA's I/O port (IANA); 8009 is discovery's.
inline constexpr std::string_view default_trsvcid = "4420";
// Defaults for TCP and RDMA: adrfam from traddr, traddr 0.0.0.0 (:: for
// ipv6: every address; "[addr]" taken as addr), trsvcid 4420. Checked
// first (check_address): the transport, family and address; --tls only on
// TCP, and not with a tsas or treq that contradicts it.
[[nodiscard]] Status port_add(const Tree &tree, const PortSpec &spec);
// FORCE: unlink its subsystems and remove its referrals and ANA groups first.
[[nodiscard]] Status port_del(const Tree &tree, std::uint16_t portid, bool force);
[[nodiscard]] Status port_link(const Tree &tree, std::uint16_t portid, const std::string &subsys);
[[nodiscard]] Status port_unlink(const Tree &tree, std::uint16_t portid, const std::string &subsys);
// addr_<ATTR> or param_<ATTR> (e.g. "addr_traddr", "param_inline_data_size");
// the port must have no subsystem linked (the kernel refuses otherwise).
[[nodiscard]] Status port_set(const Tree &tree, std::uint16_t portid, const std::string &attr,
                              const std::string &value);

// --- ANA groups of a port (group 1 always exists)
[[nodiscard]] Status ana_set(const Tree &tree, std::uint16_t portid, std::uint32_t grpid,
                             const std::string &state);
[[nodiscard]] Status ana_del(const Tree &tree, std::uint16_t portid, std::uint32_t grpid);

// --- referrals of a port
struct ReferralSpec {
	std::uint16_t portid = 0;
	std::string name;
	std::string trtype, adrfam, traddr, trsvcid;
	std::uint16_t remote_portid = 0;
};
[[nodiscard]] Status referral_add(const Tree &tree, const ReferralSpec &spec);
[[nodiscard]] Status referral_del(const Tree &tree, std::uint16_t portid, const std::string &name);

} // namespace nvmet::configfs
