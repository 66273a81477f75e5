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

// One registration of a namespace: a host and its reservation key.
struct Registrant {
	std::string host_id; // host identifier, UUID text
	std::uint64_t key = 0;
};

// The reservation state of an enabled namespace with resv_enable=1.
struct ResvState {
	std::uint32_t generation = 0; // PRGEN
	std::uint8_t type = 0; // NVMe reservation type 1-6, 0: none; see resv_type_name()
	bool ptpl = false; // Persist Through Power Loss
	// The holder's host identifier (types 1-4); empty when there is no
	// reservation or every registrant holds it (types 5-6: see all_registrants()).
	std::string holder;
	std::vector<Registrant> registrants;
};

// Reservations of a namespace (family version 3).
struct Reservation {
	bool enabled = false; // resv_enable
	// Only for an enabled namespace with resv_enable=1; none otherwise.
	std::optional<ResvState> state;
};

struct Ns {
	std::string subsys_nqn, device_path;
	std::uint32_t nsid = 0;
	std::uint64_t size = 0; // bytes, 0 while disabled
	bool enabled = false;
	std::optional<Stats> stats;
	// Family version 3; none when the module does not report it.
	std::optional<Reservation> resv;
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
	ns_resv, // version 3: a namespace's reservation or registrations changed
	unknown, // from a newer module: logged by number, otherwise ignored
};

// One multicast event: which object it is about is given by its kind.
struct Event {
	EventKind kind = EventKind::unknown;
	unsigned cmd = 0; // the raw event number
	Ctrl ctrl; // ctrl_*, kato_expired, auth_failure, fatal_error
	Ns ns; // ns_* (ns_resv: with its reservation state)
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
// "Write Exclusive", "Exclusive Access", "Write Exclusive - Registrants
// Only", "Exclusive Access - Registrants Only", "Write Exclusive - All
// Registrants", "Exclusive Access - All Registrants" for the NVMe
// reservation types 1-6; "none" for 0; "type N" for others (a newer module).
std::string resv_type_name(std::uint8_t type);
// Whether every registrant holds a reservation of this type (types 5-6).
bool all_registrants(std::uint8_t type);

} // namespace nvmet::netlink
