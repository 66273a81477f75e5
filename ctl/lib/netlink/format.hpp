// SPDX-License-Identifier: GPL-2.0
// How controllers, namespaces, counters and events are shown: nvmetctl
// status (text, JSON), nvmetd's log lines and its Prometheus exposition.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "netlink/types.hpp"

namespace nvmet::netlink {

nlohmann::json to_json(const Stats &s);
nlohmann::json status_json(const std::vector<Ctrl> &ctrls, const std::vector<Ns> &nss);
std::string status_text(const std::vector<Ctrl> &ctrls, const std::vector<Ns> &nss);

// One line, key=value, values with spaces or quotes quoted: e.g.
// "ctrl-create cntlid=1 subsys=nqn.x host=nqn.y addr=10.0.2.15 port=1 trtype=tcp".
std::string event_line(const Event &ev);

// Prometheus text exposition format 0.0.4.
std::string prometheus_text(const std::vector<Ctrl> &ctrls, const std::vector<Ns> &nss);

} // namespace nvmet::netlink
