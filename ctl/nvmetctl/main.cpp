// SPDX-License-Identifier: GPL-2.0
// nvmetctl: command-line control of the NVMe-oF target through configfs.
#include <cerrno>
#include <cstdint>
#include <functional>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <tuple>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "auth/key_input.hpp"
#include "common/error.hpp"
#include "configfs/fake.hpp"
#include "configfs/model.hpp"
#include "configfs/ops.hpp"
#include "netlink/format.hpp"
#include "netlink/genl.hpp"
#include "compat/apply.hpp"
#include "compat/nvmetcli_compat.hpp"

namespace cfs = nvmet::configfs;
using nlohmann::json;

namespace {

// Exit codes: 0 ok, 1 the operation failed, 2 bad command line (CLI11).
constexpr int exit_failed = 1;

int report(const cfs::Tree &tree, const nvmet::Error &e)
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
			               {"tsas", p.tsas},
			               {"treq", p.treq},
			               {"tls", p.tsas == "tls1.3"},
			               {"subsystems", p.subsystems}});
		fmt::print("{}\n", out.dump(2));
		return 0;
	}
	for (const auto &p : *ports) {
		// TCP ports say whether hosts must use TLS.
		std::string tls;
		if (p.trtype == "tcp")
			tls = p.tsas != "tls1.3"         ? "  tls: no"
			      : p.treq == "not required" ? "  tls: yes (hosts without TLS too)"
			                                 : "  tls: required";
		fmt::print("port {}  {} {} {}:{}{}  subsystems: {}\n", p.portid, p.trtype, p.adrfam, p.traddr,
		           p.trsvcid, tls, p.subsystems.size());
	}
	return 0;
}

// save: the configuration in nvmetcli's format, to FILE ("-": stdout).
int save(const cfs::Tree &tree, const std::string &file)
{
	auto config = nvmet::compat::save(tree);
	if (!config)
		return report(tree, config.error());
	if (auto st = nvmet::compat::write_file(*config, file); !st) {
		fmt::print(stderr, "nvmetctl: {}\n", st.error().message());
		return exit_failed;
	}
	return 0;
}

// restore: FILE ("-": stdin) replaces the configuration; with CHECK_ONLY it
// is only validated.
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
		return 0;
	auto out = nvmet::compat::restore(tree, *config);
	if (!out)
		return report(tree, out.error());
	for (const auto &w : out->warnings)
		fmt::print(stderr, "nvmetctl: warning: {}\n", w);
	return 0;
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
		fmt::print("{}\n", nvmet::netlink::status_json(*ctrls, *nss).dump(2));
	else
		fmt::print("{}", nvmet::netlink::status_text(*ctrls, *nss));
	return 0;
}

int clear(const cfs::Tree &tree)
{
	if (auto st = nvmet::compat::clear(tree); !st)
		return report(tree, st.error());
	return 0;
}

int done(const cfs::Tree &tree, const nvmet::Status &st)
{
	return st ? 0 : report(tree, st.error());
}

// The object under KEY == VALUE in the saved configuration, nvmetcli's shape.
int show(const cfs::Tree &tree, const char *array, const char *key, const json &value)
{
	auto config = nvmet::compat::save(tree, nvmet::compat::SaveOptions{.secrets = false});
	if (!config)
		return report(tree, config.error());
	for (const auto &o : (*config)[array])
		if (o[key] == value) {
			fmt::print("{}\n", o.dump(2));
			return 0;
		}
	fmt::print(stderr, "nvmetctl: no {} {} (list them with 'nvmetctl {} list')\n",
	           std::string(array).substr(0, std::string(array).size() - 1), value.dump(),
	           std::string(array).substr(0, std::string(array).size() - 1));
	return exit_failed;
}

// A host as JSON: its DH-HMAC-CHAP state, the keys only WITH_SECRETS.
json host_json(const cfs::Host &h, bool with_secrets)
{
	json o = {{"nqn", h.nqn}, {"allowed_by", h.allowed_by}};
	if (!h.dhchap) {
		o["dhchap"] = nullptr; // the target has no DH-HMAC-CHAP
		return o;
	}
	const auto &a = *h.dhchap;
	// null: not known (the key files are root's).
	o["dhchap"] = {{"key_set", a.readable ? json(a.key_set) : json(nullptr)},
	               {"ctrl_key_set", a.readable ? json(a.ctrl_key_set) : json(nullptr)},
	               {"hash", a.hash},
	               {"dhgroup", a.dhgroup}};
	if (with_secrets) {
		o["dhchap"]["key"] = a.key;
		o["dhchap"]["ctrl_key"] = a.ctrl_key;
	}
	return o;
}

// "set" or "unset", or the key itself WITH_SECRETS; "?" when not READABLE.
std::string key_state(bool readable, bool set, const std::string &key, bool with_secrets)
{
	return !readable ? "? (root only)" : !set ? "unset" : with_secrets ? key : "set";
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
		fmt::print("{}\n", out.dump(2));
		return 0;
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
	return 0;
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
			fmt::print("{}\n", host_json(h, with_secrets).dump(2));
			return 0;
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
		return 0;
	}
	fmt::print(stderr, "nvmetctl: no host {} (list them with 'nvmetctl host list')\n", nqn);
	return exit_failed;
}

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

// The options that give one key: --NAME KEY|- and --NAME-file FILE.
struct KeyOptions {
	std::string key, file;
	CLI::Option *key_opt = nullptr, *file_opt = nullptr;

	[[nodiscard]] bool given() const { return key_opt->count() > 0 || file_opt->count() > 0; }
	[[nodiscard]] bool from_stdin() const { return key_opt->count() > 0 && key == "-"; }
};

// The key KO names (nothing when it names none), warnings printed. From a
// terminal it is asked for without echo.
nvmet::Result<std::optional<std::string>> read_key(const KeyOptions &ko, const std::string &label)
{
	auto src = nvmet::auth::key_source(
	        ko.key_opt->get_name(),
	        ko.key_opt->count() ? std::optional<std::string>(ko.key) : std::nullopt,
	        ko.file_opt->get_name(),
	        ko.file_opt->count() ? std::optional<std::string>(ko.file) : std::nullopt);
	if (!src)
		return src.error();
	if (src->from == nvmet::auth::KeySource::From::nowhere)
		return std::optional<std::string>();
	nvmet::Result<nvmet::auth::KeyText> text = nvmet::Error{};
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

int host_set_key(const cfs::Tree &tree, cfs::HostKeySpec spec, const KeyOptions &key, const KeyOptions &ctrl)
{
	if (key.from_stdin() && ctrl.from_stdin()) {
		fmt::print(stderr, "nvmetctl: --key - and --ctrl-key - cannot both read standard input: "
		                   "give one of them with --key-file or --ctrl-key-file\n");
		return exit_failed;
	}
	for (auto [ko, field, label] :
	     {std::tuple{&key, &spec.key, "DH-HMAC-CHAP key of " + spec.nqn},
	      {&ctrl, &spec.ctrl_key, "DH-HMAC-CHAP controller key for " + spec.nqn}}) {
		auto k = read_key(*ko, label);
		if (!k) {
			fmt::print(stderr, "nvmetctl: host {}: {}\n", spec.nqn, k.error().message());
			return exit_failed;
		}
		*field = *k;
	}
	return done(tree, cfs::host_set_key(tree, spec));
}

// ipv6 when the address has a colon, for the IP transports; fc for FC.
std::string guess_adrfam(const std::string &trtype, const std::string &traddr)
{
	if (trtype == "fc")
		return "fc";
	if (trtype == "loop")
		return "loop";
	return traddr.find(':') != std::string::npos ? "ipv6" : "ipv4";
}

} // namespace

static int run(int argc, char **argv)
{
	CLI::App app{"nvmetctl: configure and inspect the NVMe over Fabrics target (configfs)"};
	app.set_version_flag("--version", std::string("nvmetctl ") + NVMET_OOT_VERSION);
	app.require_subcommand(1);
	std::string root(cfs::default_root);
	app.add_option("--root", root, "nvmet configfs root")->capture_default_str();
	bool fake = false;
	// For tests: --root is a plain directory that FakeTree runs with configfs's rules.
	app.add_flag("--fake-configfs", fake)->group("");

	// The chosen command, run once the whole line is parsed (--root included).
	std::function<int(const cfs::Tree &)> action;
	bool as_json = false, force = false;
	std::string nqn, host, attr, value, device, name, state;
	std::uint32_t nsid = 0, grpid = 0;
	std::uint16_t portid = 0;

	// --- host
	auto *host_cmd = app.add_subcommand("host", "host NQNs (for allowed_hosts)");
	host_cmd->require_subcommand(1);
	auto *c = host_cmd->add_subcommand("add", "create a host entry");
	c->add_option("nqn", host, "host NQN")->required();
	c->callback([&] { action = [&](const cfs::Tree &t) { return done(t, cfs::host_add(t, host)); }; });
	c = host_cmd->add_subcommand("del", "remove a host entry");
	c->add_option("nqn", host, "host NQN")->required();
	c->add_flag("--force", force, "also remove it from every subsystem's allowed hosts");
	c->callback(
	        [&] { action = [&](const cfs::Tree &t) { return done(t, cfs::host_del(t, host, force)); }; });
	bool show_secrets = false;
	c = host_cmd->add_subcommand("list", "list host entries and their DH-HMAC-CHAP state");
	c->add_flag("--json", as_json, "print JSON");
	c->add_flag("--show-secrets", show_secrets, "print the DH-HMAC-CHAP keys themselves");
	c->callback(
	        [&] { action = [&](const cfs::Tree &t) { return host_list(t, as_json, show_secrets); }; });
	c = host_cmd->add_subcommand("show", "one host: DH-HMAC-CHAP state, subsystems that allow it");
	c->add_option("nqn", host, "host NQN")->required();
	c->add_flag("--json", as_json, "print JSON");
	c->add_flag("--show-secrets", show_secrets, "print the DH-HMAC-CHAP keys themselves");
	c->callback([&] {
		action = [&](const cfs::Tree &t) { return host_show(t, host, as_json, show_secrets); };
	});
	cfs::HostKeySpec kspec;
	KeyOptions key, ctrl_key;
	std::string hash, dhgroup;
	c = host_cmd->add_subcommand("set-key",
	                             "set a host's DH-HMAC-CHAP key: it must then authenticate (in-band); "
	                             "with a controller key the target authenticates to it too");
	c->add_option("nqn", kspec.nqn, "host NQN")->required();
	key.key_opt =
	        c->add_option("--key", key.key,
	                      "the host's key (DHHC-1:NN:...:, from 'nvme gen-dhchap-key'), or - to read "
	                      "it from standard input; a key given here is visible to other users in ps");
	key.file_opt = c->add_option("--key-file", key.file, "a file holding the host's key");
	ctrl_key.key_opt = c->add_option("--ctrl-key", ctrl_key.key,
	                                 "the controller's key (bidirectional authentication), or -");
	ctrl_key.file_opt =
	        c->add_option("--ctrl-key-file", ctrl_key.file, "a file holding the controller's key");
	auto *hash_opt = c->add_option("--hash", hash, "hmac(sha256) (default), hmac(sha384), hmac(sha512)");
	auto *dhgroup_opt = c->add_option("--dhgroup", dhgroup,
	                                  "null (default: no DH exchange), ffdhe2048, ffdhe3072, ffdhe4096, "
	                                  "ffdhe6144, ffdhe8192");
	c->callback([&, hash_opt, dhgroup_opt] {
		action = [&, hash_opt, dhgroup_opt](const cfs::Tree &t) {
			if (hash_opt->count())
				kspec.hash = hash;
			if (dhgroup_opt->count())
				kspec.dhgroup = dhgroup;
			return host_set_key(t, kspec, key, ctrl_key);
		};
	});
	bool ctrl_only = false;
	c = host_cmd->add_subcommand("clear-key",
	                             "remove a host's DH-HMAC-CHAP keys: it connects without authenticating");
	c->add_option("nqn", host, "host NQN")->required();
	c->add_flag("--ctrl-only", ctrl_only,
	            "remove the controller key only (no bidirectional authentication)");
	c->callback([&] {
		action = [&](const cfs::Tree &t) { return done(t, cfs::host_clear_key(t, host, ctrl_only)); };
	});

	// --- subsystem
	auto *sub = app.add_subcommand("subsystem", "NVM subsystems");
	sub->require_subcommand(1);
	cfs::SubsystemSpec sspec;
	std::string serial, model, version;
	c = sub->add_subcommand("add", "create a subsystem");
	c->add_option("nqn", sspec.nqn, "subsystem NQN")->required();
	c->add_flag("--allow-any-host", sspec.allow_any_host,
	            "any host may connect (else: allowed hosts only)");
	c->add_option("--serial", serial, "serial number (up to 20 characters)");
	c->add_option("--model", model, "model number (up to 40 characters)");
	c->add_option("--version", version, "NVMe version it reports, e.g. 2.1");
	c->callback([&] {
		action = [&](const cfs::Tree &t) {
			if (!serial.empty())
				sspec.serial = serial;
			if (!model.empty())
				sspec.model = model;
			if (!version.empty())
				sspec.version = version;
			return done(t, cfs::subsystem_add(t, sspec));
		};
	});
	c = sub->add_subcommand("del", "remove a subsystem");
	c->add_option("nqn", nqn, "subsystem NQN")->required();
	c->add_flag("--force", force, "also unlink it from ports and remove its namespaces");
	c->callback([&] {
		action = [&](const cfs::Tree &t) { return done(t, cfs::subsystem_del(t, nqn, force)); };
	});
	c = sub->add_subcommand("set", "set an attribute (attr_<name>)");
	c->add_option("nqn", nqn, "subsystem NQN")->required();
	c->add_option("attribute", attr, "e.g. serial, model, allow_any_host, qid_max")->required();
	c->add_option("value", value, "new value")->required();
	c->callback([&] {
		action = [&](const cfs::Tree &t) { return done(t, cfs::subsystem_set(t, nqn, attr, value)); };
	});
	c = sub->add_subcommand("allow", "let a host connect (allowed_hosts)");
	c->add_option("nqn", nqn, "subsystem NQN")->required();
	c->add_option("host", host, "host NQN (see 'nvmetctl host add')")->required();
	c->callback([&] {
		action = [&](const cfs::Tree &t) { return done(t, cfs::subsystem_allow_host(t, nqn, host)); };
	});
	c = sub->add_subcommand("disallow", "remove a host from allowed_hosts");
	c->add_option("nqn", nqn, "subsystem NQN")->required();
	c->add_option("host", host, "host NQN")->required();
	c->callback([&] {
		action = [&](const cfs::Tree &t) {
			return done(t, cfs::subsystem_disallow_host(t, nqn, host));
		};
	});
	c = sub->add_subcommand("list", "list subsystems and their namespaces");
	c->add_flag("--json", as_json, "print JSON");
	c->callback([&] { action = [&](const cfs::Tree &t) { return subsystem_list(t, as_json); }; });
	c = sub->add_subcommand("show", "everything about one subsystem (JSON, nvmetcli's shape)");
	c->add_option("nqn", nqn, "subsystem NQN")->required();
	c->callback([&] { action = [&](const cfs::Tree &t) { return show(t, "subsystems", "nqn", nqn); }; });

	// --- namespace
	auto *ns = app.add_subcommand("namespace", "namespaces of a subsystem");
	ns->require_subcommand(1);
	cfs::NamespaceSpec nspec;
	std::string uuid, nguid;
	std::uint32_t ana_group = 0;
	bool disabled = false;
	c = ns->add_subcommand("add", "add a namespace on a block device or file, enabled");
	c->add_option("nqn", nspec.subsys, "subsystem NQN")->required();
	c->add_option("nsid", nspec.nsid, "namespace ID (1-4294967294)")->required();
	c->add_option("device", nspec.device_path, "block device or file")->required();
	c->add_option("--uuid", uuid, "namespace UUID (default: generated)");
	c->add_option("--nguid", nguid, "namespace NGUID");
	c->add_option("--ana-group", ana_group, "ANA group (1-128)");
	c->add_flag("--buffered", nspec.buffered_io, "file backend through the page cache");
	c->add_flag("--disabled", disabled, "create it disabled");
	c->callback([&] {
		action = [&](const cfs::Tree &t) {
			if (!uuid.empty())
				nspec.uuid = uuid;
			if (!nguid.empty())
				nspec.nguid = nguid;
			if (ana_group)
				nspec.ana_grpid = ana_group;
			nspec.enable = !disabled;
			return done(t, cfs::namespace_add(t, nspec));
		};
	});
	auto ns_verb = [&](const char *verb, const char *help,
	                   const std::function<nvmet::Status(const cfs::Tree &)> &op) {
		auto *v = ns->add_subcommand(verb, help);
		v->add_option("nqn", nqn, "subsystem NQN")->required();
		v->add_option("nsid", nsid, "namespace ID")->required();
		v->callback([&action, op] { action = [op](const cfs::Tree &t) { return done(t, op(t)); }; });
	};
	ns_verb("del", "remove a namespace (disabled first)",
	        [&](const cfs::Tree &t) { return cfs::namespace_del(t, nqn, nsid); });
	ns_verb("enable", "enable a namespace",
	        [&](const cfs::Tree &t) { return cfs::namespace_enable(t, nqn, nsid, true); });
	ns_verb("disable", "disable a namespace (hosts lose it)",
	        [&](const cfs::Tree &t) { return cfs::namespace_enable(t, nqn, nsid, false); });
	ns_verb("resize", "pick up a new size of the device or file (hosts are told)",
	        [&](const cfs::Tree &t) { return cfs::namespace_resize(t, nqn, nsid); });

	// --- port
	auto *port = app.add_subcommand("port", "transport ports");
	port->require_subcommand(1);
	cfs::PortSpec pspec;
	std::string treq, tsas;
	int inline_size = -2, queue_size = -2;
	c = port->add_subcommand("add", "create a port (link a subsystem to enable it)");
	c->add_option("portid", pspec.portid, "port ID (0-65535)")->required();
	c->add_option("--trtype", pspec.trtype, "tcp, rdma, fc, pci or loop")->required();
	c->add_option("--traddr", pspec.traddr, "transport address, e.g. 0.0.0.0 or ::");
	c->add_option("--trsvcid", pspec.trsvcid, "service ID, e.g. 4420");
	c->add_option("--adrfam", pspec.adrfam, "ipv4, ipv6, ib, fc, pci, loop (default: from --traddr)");
	c->add_option("--treq", treq,
	              "required, not-required, not-specified (with --tls: required, the default, or "
	              "not-required to let hosts without TLS in too)");
	c->add_option("--tsas", tsas, "transport security (TCP: none or tls1.3)");
	c->add_flag("--tls", pspec.tls,
	            "TLS 1.3 (TCP): tsas tls1.3, hosts must use TLS unless --treq not-required");
	c->add_option("--inline-data-size", inline_size, "in-capsule data bytes");
	c->add_option("--max-queue-size", queue_size, "largest I/O queue a host may create");
	c->callback([&] {
		action = [&](const cfs::Tree &t) {
			if (pspec.adrfam.empty())
				pspec.adrfam = guess_adrfam(pspec.trtype, pspec.traddr);
			if (!treq.empty())
				pspec.treq = treq;
			if (!tsas.empty())
				pspec.tsas = tsas;
			if (inline_size != -2)
				pspec.inline_data_size = inline_size;
			if (queue_size != -2)
				pspec.max_queue_size = queue_size;
			return done(t, cfs::port_add(t, pspec));
		};
	});
	c = port->add_subcommand("del", "remove a port");
	c->add_option("portid", portid, "port ID")->required();
	c->add_flag("--force", force, "also unlink its subsystems");
	c->callback([&] {
		action = [&](const cfs::Tree &t) { return done(t, cfs::port_del(t, portid, force)); };
	});
	c = port->add_subcommand("link", "export a subsystem on the port (enables it)");
	c->add_option("portid", portid, "port ID")->required();
	c->add_option("nqn", nqn, "subsystem NQN")->required();
	c->callback([&] {
		action = [&](const cfs::Tree &t) { return done(t, cfs::port_link(t, portid, nqn)); };
	});
	c = port->add_subcommand("unlink", "stop exporting a subsystem on the port");
	c->add_option("portid", portid, "port ID")->required();
	c->add_option("nqn", nqn, "subsystem NQN")->required();
	c->callback([&] {
		action = [&](const cfs::Tree &t) { return done(t, cfs::port_unlink(t, portid, nqn)); };
	});
	c = port->add_subcommand("set", "set an attribute (addr_* or param_*) of a port with nothing linked");
	c->add_option("portid", portid, "port ID")->required();
	c->add_option("attribute", attr, "e.g. addr_traddr, param_inline_data_size")->required();
	c->add_option("value", value, "new value")->required();
	c->callback([&] {
		action = [&](const cfs::Tree &t) { return done(t, cfs::port_set(t, portid, attr, value)); };
	});
	c = port->add_subcommand("list", "list ports and their linked subsystems");
	c->add_flag("--json", as_json, "print JSON");
	c->callback([&] { action = [&](const cfs::Tree &t) { return port_list(t, as_json); }; });
	c = port->add_subcommand("show", "everything about one port (JSON, nvmetcli's shape)");
	c->add_option("portid", portid, "port ID")->required();
	c->callback([&] { action = [&](const cfs::Tree &t) { return show(t, "ports", "portid", portid); }; });

	// --- ana
	auto *ana = app.add_subcommand("ana", "ANA groups of a port");
	ana->require_subcommand(1);
	c = ana->add_subcommand("set", "set a group's state (creating the group)");
	c->add_option("portid", portid, "port ID")->required();
	c->add_option("grpid", grpid, "ANA group (1-128)")->required();
	c->add_option("state", state, "optimized, non-optimized, inaccessible, persistent-loss, change")
	        ->required();
	c->callback([&] {
		action = [&](const cfs::Tree &t) { return done(t, cfs::ana_set(t, portid, grpid, state)); };
	});
	c = ana->add_subcommand("del", "remove a group (not group 1)");
	c->add_option("portid", portid, "port ID")->required();
	c->add_option("grpid", grpid, "ANA group")->required();
	c->callback([&] {
		action = [&](const cfs::Tree &t) { return done(t, cfs::ana_del(t, portid, grpid)); };
	});

	// --- referral
	auto *ref = app.add_subcommand("referral", "discovery referrals of a port");
	ref->require_subcommand(1);
	cfs::ReferralSpec rspec;
	c = ref->add_subcommand("add", "point hosts discovering this port at another discovery service");
	c->add_option("portid", rspec.portid, "port ID")->required();
	c->add_option("name", rspec.name, "a name for the referral")->required();
	c->add_option("--trtype", rspec.trtype, "tcp, rdma, fc")->required();
	c->add_option("--traddr", rspec.traddr, "its address")->required();
	c->add_option("--trsvcid", rspec.trsvcid, "its service ID, e.g. 8009")->required();
	c->add_option("--adrfam", rspec.adrfam, "default: from --traddr");
	c->add_option("--remote-portid", rspec.remote_portid, "its port ID");
	c->callback([&] {
		action = [&](const cfs::Tree &t) {
			if (rspec.adrfam.empty())
				rspec.adrfam = guess_adrfam(rspec.trtype, rspec.traddr);
			return done(t, cfs::referral_add(t, rspec));
		};
	});
	c = ref->add_subcommand("del", "remove a referral");
	c->add_option("portid", portid, "port ID")->required();
	c->add_option("name", name, "referral name")->required();
	c->callback([&] {
		action = [&](const cfs::Tree &t) { return done(t, cfs::referral_del(t, portid, name)); };
	});

	// --- whole configuration
	std::string file = nvmet::compat::default_file;
	bool check_only = false;
	c = app.add_subcommand("save", "save the configuration in nvmetcli's JSON format");
	c->add_option("file", file, "where to save (- for standard output)")->capture_default_str();
	c->callback([&] { action = [&](const cfs::Tree &t) { return save(t, file); }; });
	c = app.add_subcommand("restore",
	                       "replace the configuration with a saved one (nvmetcli's JSON format); "
	                       "on any error nothing changes");
	c->add_option("file", file, "the saved configuration (- for standard input)")->capture_default_str();
	c->add_flag("--check", check_only, "only validate the file");
	c->callback([&] { action = [&](const cfs::Tree &t) { return restore(t, file, check_only); }; });
	// --- apply: the file's configuration, changing only what differs
	// (lib/compat/apply.hpp does the work; this prints its plan or error).
	std::string apply_file;
	bool apply_dry_run = false, apply_wait = false;
	c = app.add_subcommand("apply", "change the live configuration into FILE's (nvmetcli's JSON format), "
	                                "touching only what differs; undone on failure");
	c->add_option("file", apply_file, "the configuration (- for standard input)")->required();
	c->add_flag("--dry-run", apply_dry_run, "print the steps, one a line, and change nothing");
	c->add_flag("--wait", apply_wait, "wait while another apply runs (default: fail at once)");
	c->callback([&] {
		action = [&](const cfs::Tree &t) {
			auto config = nvmet::compat::read_file(apply_file);
			auto out =
			        config ? nvmet::compat::apply(t, *config,
			                                      {.dry_run = apply_dry_run, .wait = apply_wait})
			               : nvmet::Result<nvmet::compat::ApplyOutcome>(config.error());
			if (!out)
				return report(t, out.error());
			for (const auto &w : out->warnings)
				fmt::print(stderr, "nvmetctl: warning: {}\n", w);
			for (const auto &s : out->steps)
				fmt::print("{}{}\n", apply_dry_run ? "would: " : "done: ", s);
			if (out->steps.empty())
				fmt::print("nothing to change\n");
			else
				fmt::print("{} {} step(s){}\n", apply_dry_run ? "would take" : "took",
				           out->steps.size(),
				           out->disturbing.empty()
				                   ? std::string()
				                   : fmt::format(", {} of them disturbing connected hosts "
				                                 "for a moment (they say so)",
				                                 out->disturbing.size()));
			return 0;
		};
	});
	c = app.add_subcommand("status", "connected controllers and I/O counters (nvmet-oot's module)");
	c->add_flag("--json", as_json, "print JSON");
	c->callback([&] { action = [&](const cfs::Tree &) { return status(as_json); }; });
	c = app.add_subcommand("clear", "remove every port, subsystem and host");
	c->callback([&] { action = [&](const cfs::Tree &t) { return clear(t); }; });

	CLI11_PARSE(app, argc, argv);
	if (!action)
		return exit_failed;
	if (fake) {
		const cfs::FakeTree tree{root};
		return action(tree);
	}
	const cfs::Tree tree{root};
	return action(tree);
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
