// SPDX-License-Identifier: GPL-2.0
// What the nvmet_oot generic netlink family reports (kernel/uapi/nvmet-genl.h),
// as plain values: controllers, namespaces, ports, their counters and events.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nvmet::netlink {

// Counters of one controller or namespace (NVMET_STAT_*); latencies are sums.
struct Stats {
	std::uint64_t read_cmds = 0, read_bytes = 0, read_lat_ns = 0;
	std::uint64_t write_cmds = 0, write_bytes = 0, write_lat_ns = 0;
	std::uint64_t other_cmds = 0, other_lat_ns = 0;
	std::uint64_t errors = 0;
};

struct Port {
	std::uint16_t port_id = 0;
	std::uint8_t trtype = 0; // NVMF_TRTYPE_*
	std::string traddr, trsvcid;
};

struct Ctrl {
	std::string subsys_nqn, host_nqn, host_id, host_traddr;
	std::uint16_t cntlid = 0;
	std::uint32_t kato = 0; // seconds
	std::uint16_t nr_io_queues = 0;
	bool discovery = false;
	Port port;
	std::optional<Stats> stats;
	// Family version 2; none when the module does not report them.
	std::optional<std::uint8_t> auth; // NVMET_AUTH_*: see auth_name()
	std::optional<bool> tls; // the admin queue runs over TLS
};

struct Ns {
	std::string subsys_nqn, device_path;
	std::uint32_t nsid = 0;
	std::uint64_t size = 0; // bytes, 0 while disabled
	bool enabled = false;
	std::optional<Stats> stats;
};

enum class EventKind {
	ctrl_create,
	ctrl_destroy,
	kato_expired,
	auth_failure,
	ns_add,
	ns_remove,
	ns_resize,
	port_enable,
	port_disable,
	fatal_error,
	unknown, // from a newer module: logged by number, otherwise ignored
};

// One multicast event: which object it is about is given by its kind.
struct Event {
	EventKind kind = EventKind::unknown;
	unsigned cmd = 0; // the raw event number
	Ctrl ctrl; // ctrl_*, kato_expired, auth_failure, fatal_error
	Ns ns; // ns_*
	Port port; // port_*
	// auth_failure (version 2): the queue, and the DH-HMAC-CHAP failure
	// reason code explanation (see auth_reason_name()).
	std::optional<std::uint16_t> qid;
	std::optional<std::uint8_t> auth_reason;
};

// Whether an event reports a change of the configuration (worth a save).
bool changes_config(EventKind kind);
// "ctrl-create", "ns-add", ...: the name used in logs and docs.
const char *event_name(EventKind kind);
// "tcp", "rdma", ... for a trtype number; the number as text if unknown.
std::string trtype_name(std::uint8_t trtype);
// "none", "pending", "host", "bidirectional" for NVMET_A_AUTH; the number
// as text if unknown (a newer module).
std::string auth_name(std::uint8_t auth);
// "failed", "not-usable", "concat-mismatch", "hash-unusable",
// "dhgroup-unusable", "incorrect-payload", "incorrect-protocol-message"
// for the DH-HMAC-CHAP failure reason code explanations 01h..07h (NVMe
// Base 2.1, AUTH_Failure1); "unknown" for other codes.
std::string auth_reason_name(std::uint8_t reason);

} // namespace nvmet::netlink
