// SPDX-License-Identifier: GPL-2.0
// nvmetctl: command-line control of the NVMe-oF target through configfs.
//
// Only the command line (the one file with CLI11: it is slow to compile):
// each command's callback picks what commands.hpp runs once the whole line
// is parsed. Command words are resolved first (words.hpp: aliases, unique
// prefixes, "did you mean"), the same with every CLI11 version; every
// command-line error exits 2.
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "commands.hpp"
#include "compat/nvmetcli_compat.hpp"
#include "configfs/check.hpp"
#include "configfs/fake.hpp"
#include "configfs/ops.hpp"
#include "words.hpp"

namespace cfs = nvmet::configfs;
namespace ctl = nvmet::ctl;

namespace {

constexpr std::string_view legacy_fake = "--fake-configfs-at-root";

std::vector<ctl::Command> commands_of(const CLI::App *app)
{
	std::vector<ctl::Command> out;
	for (const auto *sub : app->get_subcommands([](const CLI::App *) { return true; }))
		out.push_back({sub->get_name(), sub->get_aliases()});
	return out;
}

const CLI::Option *find_option(const CLI::App *app, const std::string &name)
{
	for (; app != nullptr; app = app->get_parent())
		if (const auto *o = app->get_option_no_throw(name))
			return o;
	return nullptr;
}

// "unknown option '--jsno' (did you mean '--json'?)" for NAME, not an
// option of APP (named PATH) or of the apps above it.
std::string unknown_option(const CLI::App *app, const std::string &name, const std::string &path)
{
	std::vector<ctl::Command> known;
	for (const auto *a = app; a != nullptr; a = a->get_parent())
		for (const auto *o : a->get_options())
			for (const auto &l : o->get_lnames())
				if ("--" + l != legacy_fake)
					known.push_back({"--" + l, {}});
	const auto near = ctl::similar(name, known);
	return fmt::format("unknown option '{}' for '{}' ({})", name, path,
	                   near.empty() ? fmt::format("see '{} --help'", path)
	                                : fmt::format("did you mean '{}'?", fmt::join(near, "' or '")));
}

// ARGS (without the program name) with command words replaced by the
// commands' names and the old "--root DIR --fake-configfs" form marked;
// an error line for a word that names no command or a missing command.
nvmet::Result<std::vector<std::string>> resolve_words(CLI::App &app, std::vector<std::string> args)
{
	const CLI::App *cur = &app;
	std::string path = "nvmetctl";
	bool helped = false;
	for (std::size_t i = 0; i < args.size(); i++) {
		const std::string &a = args[i];
		if (a == "--")
			break;
		if (a == "-h" || a == "--help" || a == "--version")
			helped = true;
		if (a.size() > 1 && a[0] == '-') {
			if (a.find('=') != std::string::npos)
				continue;
			if (a == "--fake-configfs") {
				const bool flag = i + 1 >= args.size() || args[i + 1].rfind('-', 0) == 0 ||
				                  ctl::resolve(args[i + 1], commands_of(&app)).ok();
				if (flag)
					args[i] = std::string(legacy_fake);
				else
					i++;
				continue;
			}
			const auto *o = find_option(cur, a);
			if (o == nullptr && a.rfind("--", 0) == 0)
				return nvmet::Error{"find", {}, 0, unknown_option(cur, a, path)};
			if (o != nullptr && o->get_items_expected_max() > 0)
				i++;
			continue;
		}
		const auto subs = commands_of(cur);
		if (subs.empty())
			continue; // an argument of the command
		auto name = ctl::resolve(a, subs);
		if (!name)
			return nvmet::Error{"find",
			                    {},
			                    0,
			                    fmt::format("{}{}", cur == &app ? "" : path.substr(9) + ": ",
			                                name.error().detail)};
		args[i] = *name;
		cur = cur->get_subcommand(*name);
		path += " " + *name;
	}
	if (!helped && cur != &app && !commands_of(cur).empty()) {
		std::vector<std::string> names;
		for (const auto &c : commands_of(cur))
			names.push_back(c.name);
		return nvmet::Error{"find",
		                    {},
		                    0,
		                    fmt::format("{}: which command? ({}; see '{} --help')", path.substr(9),
		                                fmt::join(names, ", "), path)};
	}
	if (!helped && cur == &app)
		return nvmet::Error{"find", {}, 0, "no command given (see 'nvmetctl --help')"};
	return args;
}

// The flag every read verb has.
void json_flag(CLI::App *c, bool &as_json)
{
	c->add_flag("-j,--json", as_json, "print JSON (keys: see 'nvmetctl --help')");
}

} // namespace

static int run(int argc, char **argv)
{
	CLI::App app{"nvmetctl: configure and inspect the NVMe over Fabrics target (configfs)"};
	app.name("nvmetctl");
	app.set_version_flag("--version", std::string("nvmetctl ") + NVMET_OOT_VERSION);
	app.require_subcommand(1);
	// Global options are taken after a command too ('nvmetctl port ls --root DIR').
	app.fallthrough();
	std::string root(cfs::default_root);
	app.add_option("--root", root, "nvmet configfs root")->capture_default_str();
	std::string fake_dir;
	auto *fake_opt = app.add_option("--fake-configfs", fake_dir,
	                                "try nvmetctl without a target: DIR (created) is a plain directory "
	                                "that behaves like nvmet's configfs; save and restore default to "
	                                "DIR/config.json. '--root DIR --fake-configfs' is the same");
	fake_opt->type_name("DIR");
	bool fake_at_root = false;
	app.add_flag(std::string(legacy_fake), fake_at_root)->group("");

	// The chosen command, run once the whole line is parsed (--root included).
	std::function<int(const cfs::Tree &)> action;
	bool as_json = false, force = false;
	std::string nqn, host, attr, value, name, state;
	std::uint32_t nsid = 0, grpid = 0;
	std::uint16_t portid = 0;
	auto verb = [](CLI::App *parent, const char *verb_name, const char *help,
	               std::initializer_list<const char *> aliases = {}) {
		auto *v = parent->add_subcommand(verb_name, help);
		for (const char *a : aliases)
			v->alias(a);
		return v;
	};
	auto object = [&](const char *object_name, const char *help,
	                  std::initializer_list<const char *> aliases) {
		auto *o = verb(&app, object_name, help, aliases);
		o->require_subcommand(1);
		return o;
	};
	auto del = [&](CLI::App *parent, const char *help) {
		return verb(parent, "del", help, {"delete", "rm"});
	};
	auto list = [&](CLI::App *parent, const char *help) { return verb(parent, "list", help, {"ls"}); };

	// --- host
	auto *host_cmd =
	        object("host", "host NQNs (for allowed_hosts) and their DH-HMAC-CHAP keys", {"hosts"});
	auto *c = verb(host_cmd, "add", "create a host entry");
	c->add_option("nqn", host, "host NQN")->required();
	c->callback(
	        [&] { action = [&](const cfs::Tree &t) { return ctl::done(t, cfs::host_add(t, host)); }; });
	c = del(host_cmd, "remove a host entry");
	c->add_option("nqn", host, "host NQN")->required();
	c->add_flag("--force", force, "also remove it from every subsystem's allowed hosts");
	c->callback([&] {
		action = [&](const cfs::Tree &t) { return ctl::done(t, cfs::host_del(t, host, force)); };
	});
	bool show_secrets = false;
	c = list(host_cmd, "list host entries and their DH-HMAC-CHAP state");
	json_flag(c, as_json);
	c->add_flag("--show-secrets", show_secrets, "print the DH-HMAC-CHAP keys themselves");
	c->callback([&] {
		action = [&](const cfs::Tree &t) { return ctl::host_list(t, as_json, show_secrets); };
	});
	c = verb(host_cmd, "show", "one host: DH-HMAC-CHAP state, subsystems that allow it");
	c->add_option("nqn", host, "host NQN")->required();
	json_flag(c, as_json);
	c->add_flag("--show-secrets", show_secrets, "print the DH-HMAC-CHAP keys themselves");
	c->callback([&] {
		action = [&](const cfs::Tree &t) { return ctl::host_show(t, host, as_json, show_secrets); };
	});
	cfs::HostKeySpec kspec;
	ctl::KeyArg key{"--key", "--key-file", {}, {}}, ctrl_key{"--ctrl-key", "--ctrl-key-file", {}, {}};
	std::string hash, dhgroup;
	c = verb(host_cmd, "set-key",
	         "set a host's DH-HMAC-CHAP key: it must then authenticate (in-band); with a controller "
	         "key the target authenticates to it too");
	c->add_option("nqn", kspec.nqn, "host NQN")->required();
	c->add_option("--key", key.key,
	              "the host's key (DHHC-1:NN:...:, from 'nvme gen-dhchap-key'), or - to read it from "
	              "standard input; a key given here is visible to other users in ps");
	c->add_option("--key-file", key.file, "a file holding the host's key");
	c->add_option("--ctrl-key", ctrl_key.key,
	              "the controller's key (bidirectional authentication), or -");
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
			return ctl::host_set_key(t, kspec, key, ctrl_key);
		};
	});
	bool ctrl_only = false;
	c = verb(host_cmd, "clear-key",
	         "remove a host's DH-HMAC-CHAP keys: it connects without authenticating");
	c->add_option("nqn", host, "host NQN")->required();
	c->add_flag("--ctrl-only", ctrl_only,
	            "remove the controller key only (no bidirectional authentication)");
	c->callback([&] {
		action = [&](const cfs::Tree &t) {
			return ctl::done(t, cfs::host_clear_key(t, host, ctrl_only));
		};
	});

	// --- subsystem
	auto *sub = object("subsystem", "NVM subsystems", {"subsystems", "subsys"});
	cfs::SubsystemSpec sspec;
	std::string serial, model, version;
	c = verb(sub, "add", "create a subsystem");
	c->add_option("nqn", sspec.nqn, "subsystem NQN: nqn.YYYY-MM.reverse-domain:name, at most 223 bytes")
	        ->required();
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
			return ctl::done(t, cfs::subsystem_add(t, sspec));
		};
	});
	c = del(sub, "remove a subsystem");
	c->add_option("nqn", nqn, "subsystem NQN")->required();
	c->add_flag("--force", force, "also unlink it from ports and remove its namespaces");
	c->callback([&] {
		action = [&](const cfs::Tree &t) { return ctl::done(t, cfs::subsystem_del(t, nqn, force)); };
	});
	c = verb(sub, "set", "set an attribute (attr_<name>)");
	c->add_option("nqn", nqn, "subsystem NQN")->required();
	c->add_option("attribute", attr, "e.g. serial, model, allow_any_host, qid_max")->required();
	c->add_option("value", value, "new value")->required();
	c->callback([&] {
		action = [&](const cfs::Tree &t) {
			return ctl::done(t, cfs::subsystem_set(t, nqn, attr, value));
		};
	});
	c = verb(sub, "allow", "let a host connect (allowed_hosts)");
	c->add_option("nqn", nqn, "subsystem NQN")->required();
	c->add_option("host", host, "host NQN (see 'nvmetctl host add')")->required();
	c->callback([&] {
		action = [&](const cfs::Tree &t) {
			return ctl::done(t, cfs::subsystem_allow_host(t, nqn, host));
		};
	});
	c = verb(sub, "disallow", "remove a host from allowed_hosts");
	c->add_option("nqn", nqn, "subsystem NQN")->required();
	c->add_option("host", host, "host NQN")->required();
	c->callback([&] {
		action = [&](const cfs::Tree &t) {
			return ctl::done(t, cfs::subsystem_disallow_host(t, nqn, host));
		};
	});
	c = list(sub, "list subsystems, their allowed hosts and namespaces");
	json_flag(c, as_json);
	c->callback([&] { action = [&](const cfs::Tree &t) { return ctl::subsystem_list(t, as_json); }; });
	c = verb(sub, "show", "one subsystem: allowed hosts, namespaces, ports");
	c->add_option("nqn", nqn, "subsystem NQN")->required();
	json_flag(c, as_json);
	c->callback(
	        [&] { action = [&](const cfs::Tree &t) { return ctl::subsystem_show(t, nqn, as_json); }; });

	// --- namespace
	auto *ns = object("namespace", "namespaces of a subsystem", {"namespaces", "ns"});
	cfs::NamespaceSpec nspec;
	std::string uuid, nguid;
	std::uint32_t ana_group = 0;
	bool disabled = false;
	c = verb(ns, "add", "add a namespace on a block device or file, enabled");
	c->add_option("nqn", nspec.subsys, "subsystem NQN")->required();
	c->add_option("nsid", nspec.nsid, "namespace ID (1-4294967294)")->required();
	c->add_option("device", nspec.device_path, "block device or file (must exist; made absolute)")
	        ->required();
	bool no_stable_ids = false;
	c->add_option("--uuid", uuid,
	              "namespace UUID (default: derived from the NQN, NSID and the device's WWID or path)");
	c->add_option("--nguid", nguid, "namespace NGUID (default: derived like the UUID)");
	c->add_flag("--no-stable-ids", no_stable_ids,
	            "let the kernel pick a random UUID (and no NGUID) instead of deriving them");
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
			return ctl::namespace_add(t, nspec, !no_stable_ids);
		};
	});
	auto ns_verb = [&](CLI::App *v, const std::function<nvmet::Status(const cfs::Tree &)> &op) {
		v->add_option("nqn", nqn, "subsystem NQN")->required();
		v->add_option("nsid", nsid, "namespace ID")->required();
		v->callback(
		        [&action, op] { action = [op](const cfs::Tree &t) { return ctl::done(t, op(t)); }; });
	};
	ns_verb(del(ns, "remove a namespace (disabled first)"),
	        [&](const cfs::Tree &t) { return cfs::namespace_del(t, nqn, nsid); });
	ns_verb(verb(ns, "enable", "enable a namespace"),
	        [&](const cfs::Tree &t) { return cfs::namespace_enable(t, nqn, nsid, true); });
	ns_verb(verb(ns, "disable", "disable a namespace (hosts lose it)"),
	        [&](const cfs::Tree &t) { return cfs::namespace_enable(t, nqn, nsid, false); });
	ns_verb(verb(ns, "resize", "pick up a new size of the device or file (hosts are told)"),
	        [&](const cfs::Tree &t) { return cfs::namespace_resize(t, nqn, nsid); });

	// --- port
	auto *port = object("port", "transport ports", {"ports"});
	cfs::PortSpec pspec;
	pspec.trtype = "tcp";
	std::string treq, tsas;
	int inline_size = -2, queue_size = -2;
	c = verb(port, "add",
	         "create a port (link a subsystem to enable it); checked before configfs is touched");
	c->add_option("portid", pspec.portid, "port ID (0-65535)")->required();
	c->add_option("--trtype", pspec.trtype, "tcp (default), rdma, fc, pci or loop");
	c->add_option("--traddr", pspec.traddr,
	              "transport address (TCP, RDMA: default 0.0.0.0, or :: with --adrfam ipv6: every "
	              "address; FC: nn-0x...:pn-0x...)");
	c->add_option("--trsvcid", pspec.trsvcid, "service ID (TCP, RDMA: port number, default 4420)");
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
			if (!treq.empty())
				pspec.treq = treq;
			if (!tsas.empty())
				pspec.tsas = tsas;
			if (inline_size != -2)
				pspec.inline_data_size = inline_size;
			if (queue_size != -2)
				pspec.max_queue_size = queue_size;
			return ctl::done(t, cfs::port_add(t, pspec));
		};
	});
	c = del(port, "remove a port");
	c->add_option("portid", portid, "port ID")->required();
	c->add_flag("--force", force, "also unlink its subsystems");
	c->callback([&] {
		action = [&](const cfs::Tree &t) { return ctl::done(t, cfs::port_del(t, portid, force)); };
	});
	c = verb(port, "link", "export a subsystem on the port (enables it); warns when no host may connect");
	c->add_option("portid", portid, "port ID")->required();
	c->add_option("nqn", nqn, "subsystem NQN")->required();
	c->callback([&] { action = [&](const cfs::Tree &t) { return ctl::port_link(t, portid, nqn); }; });
	c = verb(port, "unlink", "stop exporting a subsystem on the port");
	c->add_option("portid", portid, "port ID")->required();
	c->add_option("nqn", nqn, "subsystem NQN")->required();
	c->callback([&] {
		action = [&](const cfs::Tree &t) { return ctl::done(t, cfs::port_unlink(t, portid, nqn)); };
	});
	c = verb(port, "set", "set an attribute (addr_* or param_*) of a port with nothing linked");
	c->add_option("portid", portid, "port ID")->required();
	c->add_option("attribute", attr, "e.g. addr_traddr, param_inline_data_size")->required();
	c->add_option("value", value, "new value")->required();
	c->callback([&] {
		action = [&](const cfs::Tree &t) {
			return ctl::done(t, cfs::port_set(t, portid, attr, value));
		};
	});
	c = list(port, "list ports and the subsystems they export");
	json_flag(c, as_json);
	c->callback([&] { action = [&](const cfs::Tree &t) { return ctl::port_list(t, as_json); }; });
	c = verb(port, "show", "one port: subsystems, referrals, ANA groups");
	c->add_option("portid", portid, "port ID")->required();
	json_flag(c, as_json);
	c->callback([&] { action = [&](const cfs::Tree &t) { return ctl::port_show(t, portid, as_json); }; });

	// --- ana
	auto *ana = object("ana", "ANA groups of a port", {});
	c = verb(ana, "set", "set a group's state (creating the group)");
	c->add_option("portid", portid, "port ID")->required();
	c->add_option("grpid", grpid, "ANA group (1-128)")->required();
	c->add_option("state", state, "optimized, non-optimized, inaccessible, persistent-loss, change")
	        ->required();
	c->callback([&] {
		action = [&](const cfs::Tree &t) {
			return ctl::done(t, cfs::ana_set(t, portid, grpid, state));
		};
	});
	c = del(ana, "remove a group (not group 1)");
	c->add_option("portid", portid, "port ID")->required();
	c->add_option("grpid", grpid, "ANA group")->required();
	c->callback([&] {
		action = [&](const cfs::Tree &t) { return ctl::done(t, cfs::ana_del(t, portid, grpid)); };
	});

	// --- referral
	auto *ref = object("referral", "discovery referrals of a port", {"referrals"});
	cfs::ReferralSpec rspec;
	rspec.trtype = "tcp";
	rspec.trsvcid = "8009";
	c = verb(ref, "add", "point hosts discovering this port at another discovery service");
	c->add_option("portid", rspec.portid, "port ID")->required();
	c->add_option("name", rspec.name, "a name for the referral")->required();
	c->add_option("--trtype", rspec.trtype, "tcp (default), rdma, fc");
	c->add_option("--traddr", rspec.traddr, "its address")->required();
	c->add_option("--trsvcid", rspec.trsvcid, "its service ID (default 8009, discovery's)");
	c->add_option("--adrfam", rspec.adrfam, "default: from --traddr");
	c->add_option("--remote-portid", rspec.remote_portid, "its port ID");
	c->callback([&] {
		action = [&](const cfs::Tree &t) {
			if (rspec.adrfam.empty())
				rspec.adrfam = cfs::guess_adrfam(rspec.trtype, rspec.traddr);
			return ctl::done(t, cfs::referral_add(t, rspec));
		};
	});
	c = del(ref, "remove a referral");
	c->add_option("portid", portid, "port ID")->required();
	c->add_option("name", name, "referral name")->required();
	c->callback([&] {
		action = [&](const cfs::Tree &t) { return ctl::done(t, cfs::referral_del(t, portid, name)); };
	});

	// --- whole configuration
	c = verb(&app, "show", "the whole configuration as a tree: hosts, ports, subsystems", {"ls"});
	json_flag(c, as_json);
	c->callback([&] { action = [&](const cfs::Tree &t) { return ctl::show(t, as_json); }; });
	std::string file;
	bool check_only = false;
	c = verb(&app, "save", "save the configuration in nvmetcli's JSON format");
	auto *save_file = c->add_option("file", file,
	                                "where to save (- for standard output; default "
	                                "/etc/nvmet/config.json, with --fake-configfs DIR/config.json)");
	c->callback([&] { action = [&](const cfs::Tree &t) { return ctl::save(t, file); }; });
	c = verb(&app, "restore",
	         "replace the configuration with a saved one (nvmetcli's JSON format); on any error "
	         "nothing changes");
	auto *restore_file = c->add_option("file", file,
	                                   "the saved configuration (- for standard input; default "
	                                   "/etc/nvmet/config.json, with --fake-configfs DIR/config.json)");
	c->add_flag("--check", check_only, "only validate the file");
	c->callback([&] { action = [&](const cfs::Tree &t) { return ctl::restore(t, file, check_only); }; });
	// --- apply: the file's configuration, changing only what differs.
	std::string apply_file;
	bool apply_dry_run = false, apply_wait = false;
	c = verb(&app, "apply",
	         "change the live configuration into FILE's (nvmetcli's JSON format), touching only "
	         "what differs; undone on failure");
	c->add_option("file", apply_file, "the configuration (- for standard input)")->required();
	c->add_flag("--dry-run", apply_dry_run, "print the steps, one a line, and change nothing");
	c->add_flag("--wait", apply_wait, "wait while another apply runs (default: fail at once)");
	c->callback([&] {
		action = [&](const cfs::Tree &t) {
			return ctl::apply(t, apply_file, apply_dry_run, apply_wait);
		};
	});
	c = verb(&app, "status", "connected controllers and I/O counters (nvmet-oot's module)");
	json_flag(c, as_json);
	c->callback([&] { action = [&](const cfs::Tree &) { return ctl::status(as_json); }; });
	c = verb(&app, "clear", "remove every port, subsystem and host");
	c->callback([&] { action = [&](const cfs::Tree &t) { return ctl::clear(t); }; });

	// Set last: subcommands made before would inherit it.
	app.footer("Command words may be shortened to a unique prefix ('sub ls'); 'del' is also 'delete' "
	           "and 'rm', 'list' also 'ls'. JSON of list, show and status: configfs's attribute names "
	           "without their group prefix (traddr, allow_any_host), objects named by nqn, portid, "
	           "nsid, grpid or name; 'X list --json' is a list of what 'X show --json' prints, and "
	           "'show --json' is {hosts, ports, subsystems} of the same objects. Exit status: 0 done, "
	           "1 the operation failed, 2 the command line is wrong.");
	auto args = resolve_words(app, std::vector<std::string>(argv + 1, argv + argc));
	if (!args) {
		fmt::print(stderr, "nvmetctl: {}\n", args.error().detail);
		return ctl::exit_usage;
	}
	try {
		std::vector<std::string> reversed(args->rbegin(), args->rend());
		app.parse(reversed);
	} catch (const CLI::ParseError &e) {
		if (e.get_exit_code() == 0)
			return app.exit(e); // --help, --version
		fmt::print(stderr, "nvmetctl: {} (see 'nvmetctl --help', or a command's --help)\n", e.what());
		return ctl::exit_usage;
	}
	if (!action)
		return ctl::exit_usage;

	const bool fake = fake_opt->count() > 0 || fake_at_root;
	if (fake_opt->count() > 0)
		root = fake_dir;
	if (save_file->count() == 0 && restore_file->count() == 0)
		file = fake ? (std::filesystem::path(root) / "config.json").string()
		            : nvmet::compat::default_file;
	if (fake) {
		std::error_code ec;
		std::filesystem::create_directories(root, ec);
		if (ec) {
			fmt::print(stderr, "nvmetctl: cannot create the fake configfs directory {}: {}\n",
			           root, ec.message());
			return ctl::exit_failed;
		}
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
		return ctl::exit_failed;
	}
}
