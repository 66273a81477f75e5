// SPDX-License-Identifier: GPL-2.0
#include "commands.hpp"

#include <cerrno>
#include <cstdio>
#include <iostream>
#include <sys/stat.h>
#include <termios.h>
#include <tuple>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "auth/key_input.hpp"
#include "compat/apply.hpp"
#include "compat/nvmetcli_compat.hpp"
#include "configfs/ids.hpp"
#include "configfs/model.hpp"
#include "netlink/format.hpp"
#include "netlink/genl.hpp"
#include "view.hpp"

namespace nvmet::ctl {

namespace cfs = nvmet::configfs;
namespace fs = std::filesystem;

std::string explain(const Error &e, const fs::path &root, bool is_root)
{
	Error shown = e;
	if (e.err == ENOENT && !fs::exists(root))
		shown.hint = fmt::format("{} does not exist: load the target with 'modprobe nvmet' and check "
		                         "that configfs is mounted, or pass --root",
		                         root.string());
	else if ((e.err == EACCES || e.err == EPERM) && e.hint.empty() && !is_root)
		shown.hint = "configfs needs root: run nvmetctl as root";
	return shown.message();
}

int report(const cfs::Tree &tree, const Error &e)
{
	fmt::print(stderr, "nvmetctl: {}\n", explain(e, tree.root(), ::geteuid() == 0));
	return exit_failed;
}

int done(const cfs::Tree &tree, const Status &st)
{
	return st ? exit_ok : report(tree, st.error());
}

namespace {

void print_json(const json &j)
{
	fmt::print("{}\n", j.dump(2));
}

int no_such(const std::string &what, const std::string &name, const char *list_cmd)
{
	fmt::print(stderr, "nvmetctl: no {} {} (list them with 'nvmetctl {}')\n", what, name, list_cmd);
	return exit_failed;
}

// "set" or "unset", or the key itself WITH_SECRETS; "?" when not READABLE.
std::string key_state(bool readable, bool set, const std::string &key, bool with_secrets)
{
	return !readable ? "? (root only)" : !set ? "unset" : with_secrets ? key : "set";
}

} // namespace

int subsystem_list(const cfs::Tree &tree, bool as_json)
{
	auto subs = cfs::read_subsystems(tree);
	if (!subs)
		return report(tree, subs.error());
	auto ports = cfs::read_ports(tree);
	if (!ports)
		return report(tree, ports.error());
	if (as_json) {
		json out = json::array();
		for (const auto &s : *subs)
			out.push_back(subsystem_json(s, *ports));
		print_json(out);
		return exit_ok;
	}
	for (const auto &s : *subs) {
		fmt::print("{}  hosts: {}  namespaces: {}\n", s.nqn,
		           s.allow_any_host          ? std::string("any")
		           : s.allowed_hosts.empty() ? std::string("none")
		                                     : fmt::format("{}", fmt::join(s.allowed_hosts, ", ")),
		           s.namespaces.size());
		for (const auto &ns : s.namespaces)
			fmt::print("  nsid {}  {}  {}\n", ns.nsid, ns.device_path,
			           ns.enabled ? "enabled" : "disabled");
	}
	return exit_ok;
}

int subsystem_show(const cfs::Tree &tree, const std::string &nqn, bool as_json)
{
	auto subs = cfs::read_subsystems(tree);
	if (!subs)
		return report(tree, subs.error());
	auto ports = cfs::read_ports(tree);
	if (!ports)
		return report(tree, ports.error());
	for (const auto &s : *subs)
		if (s.nqn == nqn) {
			if (as_json)
				print_json(subsystem_json(s, *ports));
			else
				fmt::print("{}", subsystem_text(s, *ports));
			return exit_ok;
		}
	return no_such("subsystem", nqn, "subsystem list");
}

int port_list(const cfs::Tree &tree, bool as_json)
{
	auto ports = cfs::read_ports(tree);
	if (!ports)
		return report(tree, ports.error());
	if (as_json) {
		json out = json::array();
		for (const auto &p : *ports)
			out.push_back(port_json(p));
		print_json(out);
		return exit_ok;
	}
	for (const auto &p : *ports) {
		// TCP ports say whether hosts must use TLS.
		std::string tls;
		if (p.trtype == "tcp")
			tls = p.tsas != "tls1.3"         ? "  tls: no"
			      : p.treq == "not required" ? "  tls: yes (hosts without TLS too)"
			                                 : "  tls: required";
		fmt::print("port {}  {} {} {}{}  subsystems: {}\n", p.portid, p.trtype, p.adrfam,
		           address(p.adrfam, p.traddr, p.trsvcid), tls,
		           p.subsystems.empty() ? std::string("-")
		                                : fmt::format("{}", fmt::join(p.subsystems, ", ")));
	}
	return exit_ok;
}

int port_show(const cfs::Tree &tree, std::uint16_t portid, bool as_json)
{
	auto ports = cfs::read_ports(tree);
	if (!ports)
		return report(tree, ports.error());
	for (const auto &p : *ports)
		if (p.portid == portid) {
			if (as_json)
				print_json(port_json(p));
			else
				fmt::print("{}", port_text(p));
			return exit_ok;
		}
	return no_such("port", std::to_string(portid), "port list");
}

int host_list(const cfs::Tree &tree, bool as_json, bool with_secrets)
{
	auto hosts = cfs::read_hosts(tree, with_secrets);
	if (!hosts)
		return report(tree, hosts.error());
	if (as_json) {
		json out = json::array();
		for (const auto &h : *hosts)
			out.push_back(host_json(h, with_secrets));
		print_json(out);
		return exit_ok;
	}
	for (const auto &h : *hosts) {
		if (!h.dhchap) {
			fmt::print("{}  dhchap: not in this target\n", h.nqn);
			continue;
		}
		const auto &a = *h.dhchap;
		fmt::print("{}  dhchap key: {}  ctrl key: {}  hash: {}  dhgroup: {}\n", h.nqn,
		           key_state(a.readable, a.key_set, a.key, with_secrets),
		           key_state(a.readable, a.ctrl_key_set, a.ctrl_key, with_secrets), a.hash,
		           a.dhgroup);
	}
	return exit_ok;
}

int host_show(const cfs::Tree &tree, const std::string &nqn, bool as_json, bool with_secrets)
{
	auto hosts = cfs::read_hosts(tree, with_secrets);
	if (!hosts)
		return report(tree, hosts.error());
	for (const auto &h : *hosts) {
		if (h.nqn != nqn)
			continue;
		if (as_json) {
			print_json(host_json(h, with_secrets));
			return exit_ok;
		}
		fmt::print("host {}\n", h.nqn);
		if (h.dhchap) {
			const auto &a = *h.dhchap;
			fmt::print("  dhchap key: {}\n",
			           key_state(a.readable, a.key_set, a.key, with_secrets));
			fmt::print("  dhchap ctrl key: {}\n",
			           key_state(a.readable, a.ctrl_key_set, a.ctrl_key, with_secrets));
			fmt::print("  dhchap hash: {}\n  dhchap dhgroup: {}\n", a.hash, a.dhgroup);
			fmt::print("  authentication: {}\n", !a.readable      ? "? (root only)"
			                                     : a.ctrl_key_set ? "bidirectional"
			                                     : a.key_set      ? "host"
			                                                      : "none");
		} else {
			fmt::print("  dhchap: not in this target (no in-band authentication)\n");
		}
		fmt::print("  allowed by: {}\n", h.allowed_by.empty()
		                                         ? std::string("-")
		                                         : fmt::format("{}", fmt::join(h.allowed_by, ", ")));
		return exit_ok;
	}
	return no_such("host", nqn, "host list");
}

int show(const cfs::Tree &tree, bool as_json)
{
	auto c = read_configuration(tree);
	if (!c)
		return report(tree, c.error());
	if (as_json)
		print_json(configuration_json(*c));
	else
		fmt::print("{}", tree_text(*c));
	return exit_ok;
}

// status: controllers, namespaces and their counters, from the kernel's
// nvmet_oot netlink family (not from configfs).
int status(bool as_json)
{
	auto genl = nvmet::netlink::Genl::open();
	if (!genl) {
		fmt::print(stderr, "nvmetctl: {}\n", genl.error().message());
		return exit_failed;
	}
	auto ctrls = (*genl)->controllers();
	auto nss = ctrls ? (*genl)->namespaces() : ctrls.error();
	if (!ctrls || !nss) {
		fmt::print(stderr, "nvmetctl: {}\n", (ctrls ? nss.error() : ctrls.error()).message());
		return exit_failed;
	}
	if (as_json)
		print_json(nvmet::netlink::status_json(*ctrls, *nss));
	else
		fmt::print("{}", nvmet::netlink::status_text(*ctrls, *nss));
	return exit_ok;
}

int save(const cfs::Tree &tree, const std::string &file)
{
	auto config = nvmet::compat::save(tree);
	if (!config)
		return report(tree, config.error());
	if (auto st = nvmet::compat::write_file(*config, file); !st) {
		fmt::print(stderr, "nvmetctl: {}\n", st.error().message());
		return exit_failed;
	}
	return exit_ok;
}

int restore(const cfs::Tree &tree, const std::string &file, bool check_only)
{
	auto config = nvmet::compat::read_file(file);
	if (!config) {
		fmt::print(stderr, "nvmetctl: {}\n", config.error().message());
		return exit_failed;
	}
	const auto problems = nvmet::compat::validate(*config);
	for (const auto &p : problems)
		fmt::print(stderr, "nvmetctl: {}: {}: {}\n", file, p.where, p.what);
	if (!problems.empty()) {
		fmt::print(stderr, "nvmetctl: {}: {} problem(s); nothing changed\n", file, problems.size());
		return exit_failed;
	}
	if (check_only)
		return exit_ok;
	auto out = nvmet::compat::restore(tree, *config);
	if (!out)
		return report(tree, out.error());
	for (const auto &w : out->warnings)
		fmt::print(stderr, "nvmetctl: warning: {}\n", w);
	return exit_ok;
}

int apply(const cfs::Tree &tree, const std::string &file, bool dry_run, bool wait)
{
	auto config = compat::read_file(file);
	auto out = config ? compat::apply(tree, *config, {.dry_run = dry_run, .wait = wait})
	                  : Result<compat::ApplyOutcome>(config.error());
	if (!out)
		return report(tree, out.error());
	for (const auto &w : out->warnings)
		fmt::print(stderr, "nvmetctl: warning: {}\n", w);
	for (const auto &s : out->steps)
		fmt::print("{}{}\n", dry_run ? "would: " : "done: ", s);
	if (out->steps.empty()) {
		fmt::print("nothing to change\n");
		return exit_ok;
	}
	fmt::print("{} {} step(s){}\n", dry_run ? "would take" : "took", out->steps.size(),
	           out->disturbing.empty()
	                   ? std::string()
	                   : fmt::format(", {} of them disturbing connected hosts for a moment (they say so)",
	                                 out->disturbing.size()));
	return exit_ok;
}

int clear(const cfs::Tree &tree)
{
	return done(tree, nvmet::compat::clear(tree));
}

namespace {

// Turns the terminal's echo off on standard input while it lives.
class NoEcho {
public:
	NoEcho()
	{
		if (::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &saved_) == 0) {
			termios quiet = saved_;
			quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
			active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
		}
	}
	NoEcho(const NoEcho &) = delete;
	NoEcho &operator=(const NoEcho &) = delete;
	~NoEcho()
	{
		if (active_) {
			::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
			std::fputc('\n', stderr);
		}
	}

private:
	termios saved_{};
	bool active_ = false;
};

// The key KA names (nothing when it names none), warnings printed. From a
// terminal it is asked for without echo.
Result<std::optional<std::string>> read_key(const KeyArg &ka, const std::string &label)
{
	auto src = nvmet::auth::key_source(ka.key_flag, ka.key, ka.file_flag, ka.file);
	if (!src)
		return src.error();
	if (src->from == nvmet::auth::KeySource::From::nowhere)
		return std::optional<std::string>();
	Result<nvmet::auth::KeyText> text = Error{};
	if (src->from == nvmet::auth::KeySource::From::standard_input && ::isatty(STDIN_FILENO)) {
		fmt::print(stderr, "{} (not shown): ", label);
		const NoEcho quiet;
		text = nvmet::auth::read_key(*src, std::cin);
	} else {
		text = nvmet::auth::read_key(*src, std::cin);
	}
	if (!text)
		return text.error();
	for (const auto &w : text->warnings)
		fmt::print(stderr, "nvmetctl: warning: {}\n", w);
	return std::optional<std::string>(text->secret);
}

} // namespace

int host_set_key(const cfs::Tree &tree, cfs::HostKeySpec spec, const KeyArg &key, const KeyArg &ctrl)
{
	if (key.from_stdin() && ctrl.from_stdin()) {
		fmt::print(stderr, "nvmetctl: --key - and --ctrl-key - cannot both read standard input: "
		                   "give one of them with --key-file or --ctrl-key-file\n");
		return exit_failed;
	}
	for (auto [ka, field, label] :
	     {std::tuple{&key, &spec.key, "DH-HMAC-CHAP key of " + spec.nqn},
	      {&ctrl, &spec.ctrl_key, "DH-HMAC-CHAP controller key for " + spec.nqn}}) {
		auto k = read_key(*ka, label);
		if (!k) {
			fmt::print(stderr, "nvmetctl: host {}: {}\n", spec.nqn, k.error().message());
			return exit_failed;
		}
		*field = *k;
	}
	return done(tree, cfs::host_set_key(tree, spec));
}

Result<std::string> namespace_device(const std::string &path, const std::string &object)
{
	std::error_code ec;
	const fs::path abs = fs::absolute(path, ec);
	const auto st = fs::status(abs, ec);
	if (ec || (!fs::is_block_file(st) && !fs::is_regular_file(st))) {
		Error e{"use", abs, ec ? ec.value() : 0, "the device"};
		e.context = object;
		e.hint = ec ? "give a block device or a file that exists"
		            : "it is neither a block device nor a regular file";
		return e;
	}
	return abs.lexically_normal().string();
}

int namespace_add(const cfs::Tree &tree, cfs::NamespaceSpec spec, bool stable_ids)
{
	auto dev = namespace_device(spec.device_path,
	                            fmt::format("namespace {} of subsystem {}", spec.nsid, spec.subsys));
	if (!dev)
		return report(tree, dev.error());
	spec.device_path = *dev;
	// Stable identifiers, derived from the absolute path's device: the same
	// on every node exporting it (configfs/ids.hpp); explicit ones win.
	if (stable_ids) {
		const auto ids =
		        cfs::stable_ids(spec.subsys, spec.nsid, cfs::device_identity(spec.device_path));
		if (!spec.uuid)
			spec.uuid = ids.uuid;
		if (!spec.nguid)
			spec.nguid = ids.nguid;
	}
	return done(tree, cfs::namespace_add(tree, spec));
}

std::string unreachable(const cfs::Tree &tree, const std::string &nqn)
{
	const fs::path dir = fs::path("subsystems") / nqn;
	auto any = tree.read(dir / "attr_allow_any_host");
	auto hosts = tree.list(dir / "allowed_hosts");
	if (!any || !hosts || *any == "1" || !hosts->empty())
		return {};
	return fmt::format("subsystem {} allows no host, so none can connect: allow one with "
	                   "'nvmetctl subsystem allow {} HOSTNQN' (or let any in with "
	                   "'nvmetctl subsystem set {} allow_any_host 1')",
	                   nqn, nqn, nqn);
}

int port_link(const cfs::Tree &tree, std::uint16_t portid, const std::string &nqn)
{
	if (auto st = cfs::port_link(tree, portid, nqn); !st)
		return report(tree, st.error());
	if (auto why = unreachable(tree, nqn); !why.empty())
		fmt::print(stderr, "nvmetctl: warning: {}\n", why);
	return exit_ok;
}

} // namespace nvmet::ctl
