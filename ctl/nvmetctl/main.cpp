// SPDX-License-Identifier: GPL-2.0
// nvmetctl: command-line control of the NVMe-oF target through configfs.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "configfs/model.hpp"
#include "nvmetcli_compat.hpp"

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
				nss.push_back({{"nsid", ns.nsid},
				               {"device_path", ns.device_path},
				               {"enabled", ns.enabled}});
			out.push_back({{"nqn", s.nqn},
			               {"allow_any_host", s.allow_any_host},
			               {"allowed_hosts", s.allowed_hosts},
			               {"namespaces", nss}});
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
			out.push_back({{"portid", p.portid},
			               {"trtype", p.trtype},
			               {"adrfam", p.adrfam},
			               {"traddr", p.traddr},
			               {"trsvcid", p.trsvcid},
			               {"subsystems", p.subsystems}});
		fmt::print("{}\n", out.dump(2));
		return 0;
	}
	for (const auto &p : *ports)
		fmt::print("port {}  {} {} {}:{}  subsystems: {}\n", p.portid, p.trtype, p.adrfam, p.traddr,
		           p.trsvcid, p.subsystems.size());
	return 0;
}

// save: the configuration in nvmetcli's format, to FILE ("-": stdout). The
// file is replaced atomically and readable by root only, as nvmetcli does.
int save(const cfs::Tree &tree, const std::string &file)
{
	auto config = nvmet::compat::save(tree);
	if (!config)
		return report(tree, config.error());
	const auto text = nvmet::compat::to_text(*config);
	if (file == "-") {
		fmt::print("{}", text);
		return 0;
	}
	const std::filesystem::path path(file);
	std::error_code ec;
	if (path.has_parent_path())
		std::filesystem::create_directories(path.parent_path(), ec);
	const auto tmp = path.string() + ".temp";
	{
		std::ofstream out(tmp, std::ios::trunc);
		::chmod(tmp.c_str(), S_IRUSR | S_IWUSR);
		out << text;
		out.flush();
		if (!out) {
			fmt::print(stderr,
			           "nvmetctl: cannot write {}: {} (check the directory exists and is "
			           "writable)\n",
			           tmp, std::strerror(errno));
			return exit_failed;
		}
	}
	std::filesystem::rename(tmp, path, ec);
	if (ec) {
		fmt::print(stderr, "nvmetctl: cannot rename {} to {}: {}\n", tmp, file, ec.message());
		return exit_failed;
	}
	return 0;
}

// restore: FILE ("-": stdin) replaces the configuration; with CHECK_ONLY it
// is only validated.
int restore(const cfs::Tree &tree, const std::string &file, bool check_only)
{
	std::string text;
	if (file == "-") {
		text.assign(std::istreambuf_iterator<char>(std::cin), {});
	} else {
		std::ifstream in(file);
		if (!in) {
			fmt::print(stderr,
			           "nvmetctl: cannot read {}: {} (give the file saved by "
			           "'nvmetctl save' or 'nvmetcli save')\n",
			           file, std::strerror(errno));
			return exit_failed;
		}
		text.assign(std::istreambuf_iterator<char>(in), {});
	}
	json config;
	try {
		config = json::parse(text);
	} catch (const json::parse_error &e) {
		fmt::print(stderr, "nvmetctl: {} is not JSON: {}; nothing changed\n", file, e.what());
		return exit_failed;
	}
	const auto problems = nvmet::compat::validate(config);
	for (const auto &p : problems)
		fmt::print(stderr, "nvmetctl: {}: {}: {}\n", file, p.where, p.what);
	if (!problems.empty()) {
		fmt::print(stderr, "nvmetctl: {}: {} problem(s); nothing changed\n", file, problems.size());
		return exit_failed;
	}
	if (check_only)
		return 0;
	auto out = nvmet::compat::restore(tree, config);
	if (!out)
		return report(tree, out.error());
	for (const auto &w : out->warnings)
		fmt::print(stderr, "nvmetctl: warning: {}\n", w);
	return 0;
}

int clear(const cfs::Tree &tree)
{
	if (auto st = nvmet::compat::clear(tree); !st)
		return report(tree, st.error());
	return 0;
}

} // namespace

static int run(int argc, char **argv)
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

	std::string file = nvmet::compat::default_file;
	bool check_only = false;
	auto *save_cmd = app.add_subcommand("save", "save the configuration in nvmetcli's JSON format");
	save_cmd->add_option("file", file, "where to save (- for standard output)")->capture_default_str();
	auto *restore_cmd = app.add_subcommand(
	        "restore", "replace the configuration with a saved one (nvmetcli's JSON format); "
	                   "on any error nothing changes");
	restore_cmd->add_option("file", file, "the saved configuration (- for standard input)")
	        ->capture_default_str();
	restore_cmd->add_flag("--check", check_only, "only validate the file");
	auto *clear_cmd = app.add_subcommand("clear", "remove every port, subsystem and host");

	CLI11_PARSE(app, argc, argv);

	const cfs::Tree tree{root};
	if (*subsystem_ls)
		return subsystem_list(tree, as_json);
	if (*port_ls)
		return port_list(tree, as_json);
	if (*save_cmd)
		return save(tree, file);
	if (*restore_cmd)
		return restore(tree, file, check_only);
	if (*clear_cmd)
		return clear(tree);
	return exit_failed;
}

int main(int argc, char **argv)
{
	try {
		return run(argc, argv);
	} catch (const std::exception &e) {
		std::fprintf(stderr, "nvmetctl: unexpected error: %s\n", e.what());
		return exit_failed;
	}
}
