// SPDX-License-Identifier: GPL-2.0
// nvmetctl: command-line control of the NVMe-oF target through configfs.
#include <cerrno>
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "configfs/model.hpp"

namespace cfs = nvmet::configfs;
using nlohmann::json;

namespace {

// Exit codes: 0 ok, 1 the operation failed, 2 bad command line (CLI11).
constexpr int exit_failed = 1;

int report(const cfs::Tree &tree, const cfs::Error &e)
{
	std::string hint;
	if (e.err == ENOENT && !std::filesystem::exists(tree.root()))
		hint = fmt::format(" ({} does not exist: load the target with 'modprobe nvmet' "
				   "and check that configfs is mounted, or pass --root)",
				   tree.root().string());
	else if (e.err == EACCES || e.err == EPERM)
		hint = " (configfs needs root: run nvmetctl as root)";
	fmt::print(stderr, "nvmetctl: {}{}\n", e.message(), hint);
	return exit_failed;
}

int subsystem_list(const cfs::Tree &tree, bool as_json)
{
	auto subs = cfs::read_subsystems(tree);
	if (!subs)
		return report(tree, subs.error());
	if (as_json) {
		json out = json::array();
		for (const auto &s : *subs) {
			json nss = json::array();
			for (const auto &ns : s.namespaces)
				nss.push_back({{"nsid", ns.nsid}, {"device_path", ns.device_path},
					       {"enabled", ns.enabled}});
			out.push_back({{"nqn", s.nqn}, {"allow_any_host", s.allow_any_host},
				       {"allowed_hosts", s.allowed_hosts}, {"namespaces", nss}});
		}
		fmt::print("{}\n", out.dump(2));
		return 0;
	}
	for (const auto &s : *subs) {
		fmt::print("{}  hosts: {}  namespaces: {}\n", s.nqn,
			   s.allow_any_host ? std::string("any") : fmt::format("{}", s.allowed_hosts.size()),
			   s.namespaces.size());
		for (const auto &ns : s.namespaces)
			fmt::print("  nsid {}  {}  {}\n", ns.nsid, ns.device_path,
				   ns.enabled ? "enabled" : "disabled");
	}
	return 0;
}

int port_list(const cfs::Tree &tree, bool as_json)
{
	auto ports = cfs::read_ports(tree);
	if (!ports)
		return report(tree, ports.error());
	if (as_json) {
		json out = json::array();
		for (const auto &p : *ports)
			out.push_back({{"portid", p.portid}, {"trtype", p.trtype}, {"adrfam", p.adrfam},
				       {"traddr", p.traddr}, {"trsvcid", p.trsvcid},
				       {"subsystems", p.subsystems}});
		fmt::print("{}\n", out.dump(2));
		return 0;
	}
	for (const auto &p : *ports)
		fmt::print("port {}  {} {} {}:{}  subsystems: {}\n", p.portid, p.trtype, p.adrfam,
			   p.traddr, p.trsvcid, p.subsystems.size());
	return 0;
}

} // namespace

int main(int argc, char **argv)
{
	CLI::App app{"nvmetctl: configure and inspect the NVMe over Fabrics target"};
	app.set_version_flag("--version", std::string("nvmetctl ") + NVMET_OOT_VERSION);
	app.require_subcommand(1);
	std::string root(cfs::default_root);
	app.add_option("--root", root, "nvmet configfs root")->capture_default_str();
	bool as_json = false;

	auto *subsystem = app.add_subcommand("subsystem", "NVM subsystems");
	subsystem->require_subcommand(1);
	auto *subsystem_ls = subsystem->add_subcommand("list", "list subsystems and their namespaces");
	subsystem_ls->add_flag("--json", as_json, "print JSON");

	auto *port = app.add_subcommand("port", "transport ports");
	port->require_subcommand(1);
	auto *port_ls = port->add_subcommand("list", "list ports and their linked subsystems");
	port_ls->add_flag("--json", as_json, "print JSON");

	CLI11_PARSE(app, argc, argv);

	const cfs::Tree tree{root};
	if (*subsystem_ls)
		return subsystem_list(tree, as_json);
	if (*port_ls)
		return port_list(tree, as_json);
	return exit_failed;
}
