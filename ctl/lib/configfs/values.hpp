// SPDX-License-Identifier: GPL-2.0
// The names nvmet's configfs accepts for enumerated attributes.
#pragma once

#include <set>
#include <string>

namespace nvmet::configfs::values {

inline const std::set<std::string> trtypes = {"rdma", "fc", "tcp", "pci", "loop"};
inline const std::set<std::string> adrfams = {"ipv4", "ipv6", "ib", "fc", "pci", "loop"};
inline const std::set<std::string> treqs = {"not specified", "required", "not required"};
// addr_tsas of a TCP port (an RDMA port takes "connected" only).
inline const std::set<std::string> tcp_tsas = {"none", "tls1.3"};
inline const std::set<std::string> ana_states = {"optimized", "non-optimized", "inaccessible",
                                                 "persistent-loss", "change"};

} // namespace nvmet::configfs::values
