// SPDX-License-Identifier: GPL-2.0
// What a value must look like before it goes to configfs: NQNs (NVMe Base
// specification, 4.7 "NVMe Qualified Names") and transport addresses. Each
// check returns an error that says what is wrong and what would be right,
// so nothing is written for a value the kernel would refuse or misread.
#pragma once

#include <string>

#include "common/error.hpp"

namespace nvmet::configfs {

// An NQN: "nqn.YYYY-MM.<reverse domain>:<name>" or
// "nqn.2014-08.org.nvmexpress:uuid:<UUID>", at most 223 bytes, no '/'
// (it names a configfs directory). WHAT says whose NQN it is ("host",
// "subsystem"); the discovery NQN is no subsystem's.
[[nodiscard]] Status check_nqn(const std::string &nqn, const std::string &what);

// A transport address as a port or referral takes it.
struct Address {
	std::string trtype, adrfam, traddr, trsvcid;
};

// trtype and adrfam are names configfs takes and fit each other; an IP
// traddr parses as the family's address (inet_pton); an FC traddr is
// nn-0x<16 hex>:pn-0x<16 hex>; an IP trsvcid is a port number 1-65535.
// OBJECT names what the address is for ("port 1").
[[nodiscard]] Status check_address(const Address &a, const std::string &object);

// The address family of TRADDR for TRTYPE when none is given: ipv6 for an
// IP address with a ':', fc and loop for those transports, else ipv4.
[[nodiscard]] std::string guess_adrfam(const std::string &trtype, const std::string &traddr);

} // namespace nvmet::configfs
