// SPDX-License-Identifier: GPL-2.0
// Parsing of nvmet_oot messages: pure functions over one netlink message, no
// socket, so they are unit-tested with messages built in memory. Attributes
// this version does not know are ignored; missing ones keep their defaults.
#pragma once

#include <linux/netlink.h>

#include "common/error.hpp"
#include "netlink/types.hpp"

namespace nvmet::netlink {

Result<Ctrl> parse_ctrl(const nlmsghdr *nlh);
Result<Ns> parse_ns(const nlmsghdr *nlh);
Result<Event> parse_event(const nlmsghdr *nlh);
Result<std::string> parse_module_version(const nlmsghdr *nlh);

} // namespace nvmet::netlink
