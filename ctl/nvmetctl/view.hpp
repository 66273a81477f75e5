// SPDX-License-Identifier: GPL-2.0
// How nvmetctl shows the configuration: one JSON scheme for every read verb
// and the text tree of 'nvmetctl show'.
//
// The JSON keys are configfs's attribute names without their group prefix
// (addr_traddr is "traddr", attr_allow_any_host "allow_any_host"), objects
// are named by "nqn", "portid", "nsid", "grpid" or "name", and what an object
// holds is a list under the directory's name ("namespaces", "allowed_hosts",
// "subsystems", "referrals", "ana_groups"). 'X list --json' prints a list of
// the objects 'X show --json' prints one of, and 'show --json' prints
// {"hosts": [...], "ports": [...], "subsystems": [...]} of the same objects.
// (nvmetcli's own format, with "attr" and "addr" groups, is what 'save' writes.)
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "configfs/model.hpp"

namespace nvmet::ctl {

using nlohmann::json;

// "10.0.0.1:4420", "[::1]:4420" (IPv6 in brackets), or the address alone
// for a transport without a service ID.
[[nodiscard]] std::string address(const std::string &adrfam, const std::string &traddr,
                                  const std::string &trsvcid);

[[nodiscard]] json subsystem_json(const configfs::Subsystem &s, const std::vector<configfs::Port> &ports);
[[nodiscard]] json port_json(const configfs::Port &p);
// The keys only WITH_SECRETS.
[[nodiscard]] json host_json(const configfs::Host &h, bool with_secrets);

struct Configuration {
	std::vector<configfs::Host> hosts;
	std::vector<configfs::Port> ports;
	std::vector<configfs::Subsystem> subsystems;
};
[[nodiscard]] Result<Configuration> read_configuration(const configfs::Tree &tree);
[[nodiscard]] json configuration_json(const Configuration &c);

// As 'nvmetcli ls': hosts, ports with their subsystems, referrals and ANA
// groups, subsystems with their allowed hosts and namespaces, by name.
[[nodiscard]] std::string tree_text(const Configuration &c);
// One port's or subsystem's branch of it.
[[nodiscard]] std::string port_text(const configfs::Port &p);
[[nodiscard]] std::string subsystem_text(const configfs::Subsystem &s,
                                         const std::vector<configfs::Port> &ports);

} // namespace nvmet::ctl
