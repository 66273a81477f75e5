// SPDX-License-Identifier: GPL-2.0
// The nvmet configuration as read from configfs: subsystems with their
// namespaces and allowed hosts, ports with their linked subsystems.
#pragma once

#include <cstdint>
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

struct Port {
	std::uint16_t portid = 0;
	std::string trtype, adrfam, traddr, trsvcid;
	std::vector<std::string> subsystems; // linked subsystem NQNs
};

[[nodiscard]] Result<std::vector<Subsystem>> read_subsystems(const Tree &tree);
[[nodiscard]] Result<std::vector<Port>> read_ports(const Tree &tree);

} // namespace nvmet::configfs
