// SPDX-License-Identifier: GPL-2.0
// apply: the differences between a configuration file and configfs, as
// steps in a safe order; the lock; the rollback.
#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <map>
#include <set>
#include <sys/file.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <fmt/format.h>

#include "common/integer.hpp"
#include "common/text.hpp"
#include "compat/apply.hpp"
#include "compat/nvmetcli_compat.hpp"

namespace nvmet::compat {

using configfs::Tree;
namespace fs = std::filesystem;

namespace {

constexpr long configfs_magic = 0x62656570; // CONFIGFS_MAGIC, linux/magic.h

// A value as nvmetcli writes it: str(value).
std::string text(const json &v)
{
	if (v.is_string())
		return v.get<std::string>();
	if (v.is_boolean())
		return v.get<bool>() ? "True" : "False";
	return v.dump();
}

// An ID (port, namespace, ANA group) as configfs names its directory:
// decimal, whether the file gave 7, "7" or "0x7".
std::string id_text(const json &v)
{
	if (v.is_number_integer())
		return std::to_string(v.get<long long>());
	auto n = parse_int<long long>(text(v), Base::prefixed);
	return n ? std::to_string(*n) : text(v);
}

// OBJ[KEY] when it is an array, else an empty one: a collection the file
// leaves out has nothing in it.
json list_of(const json &obj, const char *key)
{
	return obj.contains(key) && obj[key].is_array() ? obj[key] : json::array();
}

bool is_secret(const std::string &file)
{
	return file == "dhchap_key" || file == "dhchap_ctrl_key";
}

// Attribute files and the values the file gives them, in the order written.
using Files = std::vector<std::pair<std::string, std::string>>;

void set_file(Files &files, const std::string &file, const std::string &value)
{
	for (auto &[f, v] : files)
		if (f == file) {
			v = value;
			return;
		}
	files.emplace_back(file, value);
}

// The files <group>_<name> the GROUPS of OBJ give, FIRST in that order (the
// order the kernel takes them in), then the rest by name.
Files files_of(const json &obj, std::initializer_list<const char *> groups,
               std::initializer_list<const char *> first = {})
{
	Files all;
	for (const char *g : groups)
		if (obj.contains(g) && obj[g].is_object())
			for (const auto &[k, v] : obj[g].items())
				set_file(all, std::string(g) + "_" + k, text(v));
	Files out;
	for (const char *f : first)
		for (const auto &p : all)
			if (p.first == f)
				out.push_back(p);
	for (const auto &p : all)
		if (std::none_of(first.begin(), first.end(), [&](const char *f) { return p.first == f; }))
			out.push_back(p);
	return out;
}

const std::initializer_list<const char *> port_addr_order = {"addr_trtype",  "addr_adrfam", "addr_traddr",
                                                             "addr_trsvcid", "addr_tsas",   "addr_treq"};

Files namespace_files(const json &ns)
{
	Files f = files_of(ns, {"device", "ana", "resv"}, {"device_path", "device_uuid", "device_nguid"});
	if (ns.contains("ana_grpid"))
		set_file(f, "ana_grpid", text(ns["ana_grpid"]));
	// Beyond nvmetcli's format: the backend mode it does not save.
	if (ns.contains("buffered_io"))
		set_file(f, "buffered_io", text(ns["buffered_io"]));
	return f;
}

Files subsystem_files(const json &s)
{
	return files_of(s, {"attr"},
	                {"attr_version", "attr_serial", "attr_model", "attr_firmware", "attr_ieee_oui",
	                 "attr_vendor_id", "attr_subsys_vendor_id", "attr_cntlid_min", "attr_cntlid_max",
	                 "attr_qid_max", "attr_tbkas", "attr_pi_enable", "attr_allow_any_host"});
}

Files passthru_files(const json &p)
{
	Files f = files_of(p, {"device"});
	for (const char *k : {"clear_ids", "admin_timeout", "io_timeout", "forward_all_admin"})
		if (p.contains(k))
			set_file(f, k, text(p[k]));
	return f;
}

// Writes VALUE to FILE unless it holds it already: an unchanged attribute
// is never written. An empty DH-HMAC-CHAP key removes the key.
Status put(const Tree &tree, const fs::path &file, const std::string &value)
{
	auto cur = tree.read(file);
	if (cur && trim(*cur) == trim(value))
		return nvmet::ok();
	if (!is_secret(file.filename().string()))
		return tree.write(file, value);
	if (!value.empty())
		return configfs::write_secret(tree, file, value);
	// A newline clears a key; nvmet refuses it on some kernels and takes
	// a lone NUL byte instead (a write of nothing never reaches nvmet).
	auto st = configfs::write_secret(tree, file, "\n");
	if (!st && st.error().err == EINVAL)
		st = configfs::write_secret(tree, file, std::string_view("\0", 1));
	return st;
}

// FILES of a new object in DIR. Attributes this kernel lacks are skipped
// with a warning, except a DH-HMAC-CHAP key: without it the host would
// connect unauthenticated.
Status put_all(const Tree &tree, const fs::path &dir, const Files &files, std::vector<std::string> &warnings)
{
	for (const auto &[f, v] : files) {
		if (!tree.exists(dir / f)) {
			if (is_secret(f) && !v.empty()) {
				Error e{"write", tree.abs(dir / f), EOPNOTSUPP, "a secret to"};
				e.hint = "this target has no in-band authentication: load an nvmet module "
				         "with "
				         "DH-HMAC-CHAP, or remove the key from the file";
				return e;
			}
			warnings.push_back(
			        fmt::format("this kernel has no {}, skipped", tree.abs(dir / f).string()));
			continue;
		}
		if (is_secret(f) && v.empty())
			continue; // a new host has no key
		if (auto st = put(tree, dir / f, v); !st)
			return st;
	}
	return nvmet::ok();
}

bool enabled(const Tree &tree, const fs::path &file)
{
	auto v = tree.read(file);
	return v && trim(*v) == "1";
}

Status disable(const Tree &tree, const fs::path &file)
{
	return enabled(tree, file) ? tree.write(file, "0") : nvmet::ok();
}

Status remove_namespace(const Tree &tree, const fs::path &dir)
{
	if (auto st = disable(tree, dir / "enable"); !st)
		return st;
	return tree.rmdir(dir);
}

// Entries of DIR, sorted; none when DIR is missing.
Result<std::vector<std::string>> entries(const Tree &tree, const fs::path &dir)
{
	if (!tree.is_dir(dir))
		return std::vector<std::string>{};
	return tree.list(dir);
}

// One attribute that differs: FILE holds OLD, the file wants VALUE.
struct Change {
	std::string file, old, value;
};

std::string describe(const Change &c)
{
	if (is_secret(c.file))
		return c.value.empty() ? fmt::format("{} removed", c.file)
		                       : fmt::format("{} set (secret)", c.file);
	return fmt::format("{} '{}' -> '{}'", c.file, c.old, c.value);
}

std::string list_text(const std::vector<std::string> &v)
{
	std::string out;
	for (const auto &s : v)
		out += (out.empty() ? "" : ", ") + s;
	return out;
}

using Run = std::function<Status(std::vector<std::string> &)>;

class Planner {
public:
	Planner(const Tree &tree, const json &want) : tree_(tree), want_(want) {}

	Result<Plan> run();

private:
	const Tree &tree_;
	const json &want_;
	Plan plan_;

	void step(std::string what, Run fn, bool disturbs = false)
	{
		plan_.steps.push_back(Step{std::move(what), disturbs, std::move(fn)});
	}

	// The attributes of FILES that differ from DIR's live values (those
	// this kernel lacks are skipped with a warning).
	Result<std::vector<Change>> diff(const fs::path &dir, const Files &files, const std::string &obj);
	// A step per change: a write of the new value.
	void writes(const std::string &obj, const fs::path &dir, const std::vector<Change> &changes);

	Status hosts();
	Status subsystem(const json &s);
	Status name_space(const std::string &nqn, const json &ns);
	Status passthru(const std::string &nqn, const json &p);
	Status port(const json &p);
	void new_port(const json &p);
	Status port_children(const std::string &id, const json &p, bool is_new);
};

Result<std::vector<Change>> Planner::diff(const fs::path &dir, const Files &files, const std::string &obj)
{
	std::vector<Change> out;
	for (const auto &[f, v] : files) {
		if (!tree_.exists(dir / f)) {
			plan_.warnings.push_back(fmt::format("{}: this kernel has no {}, skipped", obj,
			                                     tree_.abs(dir / f).string()));
			continue;
		}
		auto cur = tree_.read(dir / f);
		if (!cur)
			return cur.error();
		if (trim(*cur) != trim(v))
			out.push_back({f, trim(*cur), v});
	}
	return out;
}

// Identify data nvmet freezes once a host has read it (subsys_discovered).
bool frozen_once_identified(const std::string &file)
{
	return file == "attr_serial" || file == "attr_model" || file == "attr_firmware" ||
	       file == "attr_ieee_oui" || file == "attr_version";
}

void Planner::writes(const std::string &obj, const fs::path &dir, const std::vector<Change> &changes)
{
	const bool subsystem = dir.parent_path() == "subsystems";
	for (const auto &c : changes)
		step(fmt::format("{}: {}", obj, describe(c)),
		     [t = &tree_, file = dir / c.file, v = c.value,
		      frozen = subsystem &&
		               frozen_once_identified(c.file)](std::vector<std::string> &) -> Status {
			     auto st = put(*t, file, v);
			     if (st || !frozen || st.error().err != EINVAL)
				     return st;
			     Error e = st.error();
			     e.hint = "the kernel keeps a subsystem's serial, model, firmware, IEEE OUI and "
			              "version once a host has identified it: to change it, apply a file "
			              "without the subsystem, then one with it (its hosts lose it meanwhile)";
			     return e;
		     });
}

Status Planner::hosts()
{
	auto live = entries(tree_, "hosts");
	if (!live)
		return live.error();
	for (const auto &h : list_of(want_, "hosts")) {
		const auto nqn = h["nqn"].get<std::string>();
		const fs::path dir = fs::path("hosts") / nqn;
		Files files = files_of(h, {"dhchap"},
		                       {"dhchap_hash", "dhchap_dhgroup", "dhchap_key", "dhchap_ctrl_key"});
		if (std::find(live->begin(), live->end(), nqn) == live->end()) {
			step(fmt::format("add host {}", nqn),
			     [t = &tree_, dir, files](std::vector<std::string> &warnings) -> Status {
				     if (auto st = t->mkdir(dir); !st)
					     return st;
				     return put_all(*t, dir, files, warnings);
			     });
			continue;
		}
		auto changes = diff(dir, files, "host " + nqn);
		if (!changes)
			return changes.error();
		writes("host " + nqn, dir, *changes);
	}
	return nvmet::ok();
}

Status Planner::name_space(const std::string &nqn, const json &ns)
{
	const std::string nsid = id_text(ns["nsid"]);
	const fs::path dir = fs::path("subsystems") / nqn / "namespaces" / nsid;
	const std::string obj = fmt::format("namespace {} nsid {}", nqn, nsid);
	const Files files = namespace_files(ns);
	const bool has_enable = ns.contains("enable");
	const bool want_on = has_enable && text(ns["enable"]) != "0";
	if (!tree_.is_dir(dir)) {
		std::string device;
		for (const auto &[f, v] : files)
			if (f == "device_path")
				device = v;
		step(fmt::format("add {} ({}{})", obj, device.empty() ? "no device" : device,
		                 want_on ? ", enabled" : ", disabled"),
		     [t = &tree_, dir, files, want_on](std::vector<std::string> &warnings) -> Status {
			     if (auto st = t->mkdir(dir); !st)
				     return st;
			     if (auto st = put_all(*t, dir, files, warnings); !st)
				     return st;
			     return want_on ? t->write(dir / "enable", "1") : nvmet::ok();
		     });
		return nvmet::ok();
	}
	auto changes = diff(dir, files, obj);
	if (!changes)
		return changes.error();
	const bool on = enabled(tree_, dir / "enable");
	const bool keep_on = has_enable ? want_on : on;
	// The kernel changes only the ANA group of an enabled namespace.
	std::vector<std::string> blocked;
	for (const auto &c : *changes)
		if (c.file != "ana_grpid")
			blocked.push_back(c.file);
	const fs::path en = dir / "enable";
	auto set_enable = [t = &tree_, en](const char *v) {
		return [t, en, v](std::vector<std::string> &) { return t->write(en, v); };
	};
	const bool off_for_change = on && !blocked.empty();
	if (off_for_change)
		step(fmt::format(
		             "{}: disable, to change {} (the kernel allows it only on a disabled namespace; "
		             "hosts lose the namespace until it is enabled again)",
		             obj, list_text(blocked)),
		     set_enable("0"), keep_on);
	else if (on && !keep_on)
		step(obj + ": disable", set_enable("0"));
	writes(obj, dir, *changes);
	if (keep_on && (!on || off_for_change))
		step(obj + (on ? ": enable again" : ": enable"), set_enable("1"), on);
	return nvmet::ok();
}

Status Planner::passthru(const std::string &nqn, const json &p)
{
	const fs::path dir = fs::path("subsystems") / nqn / "passthru";
	const std::string obj = "passthru of subsystem " + nqn;
	if (!tree_.is_dir(dir)) {
		plan_.warnings.push_back(obj + ": this kernel has no passthru, skipped");
		return nvmet::ok();
	}
	Files files = passthru_files(p);
	// Beyond nvmetcli, saved only when 1: a file without it means 0 here.
	if (!p.contains("forward_all_admin") && tree_.exists(dir / "forward_all_admin"))
		set_file(files, "forward_all_admin", "0");
	auto changes = diff(dir, files, obj);
	if (!changes)
		return changes.error();
	const bool on = tree_.exists(dir / "enable") && enabled(tree_, dir / "enable");
	const bool keep_on = p.contains("enable") ? text(p["enable"]) != "0" : on;
	const fs::path en = dir / "enable";
	auto set_enable = [t = &tree_, en](const char *v) {
		return [t, en, v](std::vector<std::string> &) { return t->write(en, v); };
	};
	if (on && (!changes->empty() || !keep_on))
		step(obj + (changes->empty() ? ": disable"
		                             : ": disable, to change it (hosts lose the controller)"),
		     set_enable("0"), keep_on);
	writes(obj, dir, *changes);
	if (keep_on && (!on || !changes->empty()))
		step(obj + (on ? ": enable again" : ": enable"), set_enable("1"), on);
	return nvmet::ok();
}

Status Planner::subsystem(const json &s)
{
	const auto nqn = s["nqn"].get<std::string>();
	const fs::path dir = fs::path("subsystems") / nqn;
	const std::string obj = "subsystem " + nqn;
	Files files = subsystem_files(s);
	const auto want_hosts = list_of(s, "allowed_hosts").get<std::vector<std::string>>();
	const bool is_new = !tree_.is_dir(dir);
	if (is_new) {
		// Its passthru settings (a saved file has them for every
		// subsystem) with it; enabling passthru is a step of its own.
		const auto pts = list_of(s, "passthru");
		const Files pt_files = pts.empty() ? Files{} : passthru_files(pts[0]);
		step("add " + obj,
		     [t = &tree_, dir, files, pt_files](std::vector<std::string> &warnings) -> Status {
			     if (auto st = t->mkdir(dir); !st)
				     return st;
			     if (auto st = put_all(*t, dir, files, warnings); !st)
				     return st;
			     return pt_files.empty() ? nvmet::ok()
			                             : put_all(*t, dir / "passthru", pt_files, warnings);
		     });
	} else {
		auto diffs = diff(dir, files, obj);
		if (!diffs)
			return diffs.error();
		std::vector<Change> changes = *diffs;
		// A range that moves above the current one: its end first.
		auto at = [&](const char *f) {
			return std::find_if(changes.begin(), changes.end(),
			                    [&](const Change &c) { return c.file == f; });
		};
		auto lo = at("attr_cntlid_min"), hi = at("attr_cntlid_max");
		if (lo != changes.end() && hi != changes.end()) {
			auto new_lo = parse_int<long long>(lo->value, Base::prefixed);
			auto old_hi = parse_int<long long>(hi->old, Base::prefixed);
			if (new_lo && old_hi && *new_lo > *old_hi)
				std::iter_swap(lo, hi);
		}
		writes(obj, dir, changes);
	}
	for (const auto &ns : list_of(s, "namespaces"))
		if (auto st = name_space(nqn, ns); !st)
			return st;
	for (const auto &p : list_of(s, "passthru")) {
		if (!is_new) {
			if (auto st = passthru(nqn, p); !st)
				return st;
		} else if (p.contains("enable") && text(p["enable"]) != "0") {
			step("passthru of " + obj + ": enable",
			     [t = &tree_, en = dir / "passthru" / "enable"](std::vector<std::string> &) {
				     return t->write(en, "1");
			     });
		}
	}
	auto live_hosts = entries(tree_, dir / "allowed_hosts");
	if (!live_hosts)
		return live_hosts.error();
	for (const auto &h : want_hosts)
		if (std::find(live_hosts->begin(), live_hosts->end(), h) == live_hosts->end())
			step(fmt::format("{}: allow host {}", obj, h),
			     [t = &tree_, dir, h](std::vector<std::string> &) {
				     return t->link(fs::path("hosts") / h, dir / "allowed_hosts" / h);
			     });
	return nvmet::ok();
}

Status Planner::port_children(const std::string &id, const json &p, bool is_new)
{
	const fs::path dir = fs::path("ports") / id;
	const std::string obj = "port " + id;
	// A new port's group 1 is made with the port: its state is written
	// like a new group's.
	auto live_groups = is_new ? Result<std::vector<std::string>>(std::vector<std::string>{})
	                          : entries(tree_, dir / "ana_groups");
	auto live_refs = is_new ? Result<std::vector<std::string>>(std::vector<std::string>{})
	                        : entries(tree_, dir / "referrals");
	if (!live_groups)
		return live_groups.error();
	if (!live_refs)
		return live_refs.error();
	auto has = [](const std::vector<std::string> &v, const std::string &n) {
		return std::find(v.begin(), v.end(), n) != v.end();
	};

	std::set<std::string> want_groups, want_refs;
	for (const auto &a : list_of(p, "ana_groups"))
		want_groups.insert(id_text(a["grpid"]));
	for (const auto &r : list_of(p, "referrals"))
		want_refs.insert(r["name"].get<std::string>());
	for (const auto &g : *live_groups)
		if (g != "1" && !want_groups.count(g))
			step(fmt::format("{}: remove ANA group {}", obj, g),
			     [t = &tree_, d = dir / "ana_groups" / g](std::vector<std::string> &) {
				     return t->rmdir(d);
			     });
	for (const auto &r : *live_refs)
		if (!want_refs.count(r))
			step(fmt::format("{}: remove referral {}", obj, r),
			     [t = &tree_, d = dir / "referrals" / r](std::vector<std::string> &) {
				     return t->rmdir(d);
			     });

	for (const auto &a : list_of(p, "ana_groups")) {
		const auto g = id_text(a["grpid"]);
		const fs::path gdir = dir / "ana_groups" / g;
		const Files files = files_of(a, {"ana"});
		if (!has(*live_groups, g)) {
			std::string state;
			for (const auto &[f, v] : files)
				if (f == "ana_state")
					state = " (" + v + ")";
			step(fmt::format("{}: {} ANA group {}{}", obj, g == "1" ? "set" : "add", g, state),
			     [t = &tree_, gdir, files](std::vector<std::string> &warnings) -> Status {
				     if (!t->is_dir(gdir))
					     if (auto st = t->mkdir(gdir); !st)
						     return st;
				     return put_all(*t, gdir, files, warnings);
			     });
			continue;
		}
		auto changes = diff(gdir, files, fmt::format("{} ANA group {}", obj, g));
		if (!changes)
			return changes.error();
		writes(fmt::format("{} ANA group {}", obj, g), gdir, *changes);
	}

	for (const auto &r : list_of(p, "referrals")) {
		const auto name = r["name"].get<std::string>();
		const fs::path rdir = dir / "referrals" / name;
		const std::string robj = fmt::format("{} referral {}", obj, name);
		const Files files = files_of(r, {"addr"},
		                             {"addr_trtype", "addr_adrfam", "addr_traddr", "addr_trsvcid",
		                              "addr_portid", "addr_tsas", "addr_treq"});
		const bool has_enable = r.contains("enable");
		const bool want_on = has_enable && text(r["enable"]) != "0";
		if (!has(*live_refs, name)) {
			step(fmt::format("{}: add referral {}", obj, name),
			     [t = &tree_, rdir, files,
			      want_on](std::vector<std::string> &warnings) -> Status {
				     if (auto st = t->mkdir(rdir); !st)
					     return st;
				     if (auto st = put_all(*t, rdir, files, warnings); !st)
					     return st;
				     return want_on ? t->write(rdir / "enable", "1") : nvmet::ok();
			     });
			continue;
		}
		auto changes = diff(rdir, files, robj);
		if (!changes)
			return changes.error();
		const bool on = enabled(tree_, rdir / "enable");
		const bool keep_on = has_enable ? want_on : on;
		auto set_enable = [t = &tree_, en = rdir / "enable"](const char *v) {
			return [t, en, v](std::vector<std::string> &) { return t->write(en, v); };
		};
		if (on && (!changes->empty() || !keep_on))
			step(robj + (changes->empty() ? ": disable" : ": disable, to change its address"),
			     set_enable("0"));
		writes(robj, rdir, *changes);
		if (keep_on && (!on || !changes->empty()))
			step(robj + (on ? ": enable again" : ": enable"), set_enable("1"));
	}
	return nvmet::ok();
}

void Planner::new_port(const json &p)
{
	const auto id = id_text(p["portid"]);
	const fs::path dir = fs::path("ports") / id;
	const Files files = files_of(p, {"addr", "param"}, port_addr_order);
	auto addr = [&](const char *k) {
		return p.contains("addr") && p["addr"].contains(k) ? text(p["addr"][k]) : std::string("-");
	};
	step(fmt::format("add port {} ({} {} {}:{})", id, addr("trtype"), addr("adrfam"), addr("traddr"),
	                 addr("trsvcid")),
	     [t = &tree_, dir, files](std::vector<std::string> &warnings) -> Status {
		     if (auto st = t->mkdir(dir); !st)
			     return st;
		     return put_all(*t, dir, files, warnings);
	     });
}

Status Planner::port(const json &p)
{
	const auto id = id_text(p["portid"]);
	const fs::path dir = fs::path("ports") / id;
	const std::string obj = "port " + id;
	auto changes = diff(dir, files_of(p, {"addr", "param"}, port_addr_order), obj);
	if (!changes)
		return changes.error();
	// The kernel changes a port's address and parameters only while no
	// subsystem is linked: the links that stay are taken down for the
	// time of the change (the links the file drops are gone by now).
	std::vector<std::string> relink;
	if (!changes->empty()) {
		auto live = entries(tree_, dir / "subsystems");
		if (!live)
			return live.error();
		const auto want = list_of(p, "subsystems").get<std::vector<std::string>>();
		for (const auto &s : *live)
			if (std::find(want.begin(), want.end(), s) != want.end())
				relink.push_back(s);
	}
	std::vector<std::string> what;
	for (const auto &c : *changes)
		what.push_back(c.file);
	for (const auto &s : relink)
		step(
		        fmt::format("{}: unlink {}, to change {} (the kernel allows it only on a port with "
		                    "nothing "
		                    "linked; hosts connected through port {} lose their connections and "
		                    "reconnect)",
		                    obj, s, list_text(what), id),
		        [t = &tree_, l = dir / "subsystems" / s](std::vector<std::string> &) {
			        return t->unlink(l);
		        },
		        true);
	writes(obj, dir, *changes);
	for (const auto &s : relink)
		step(
		        fmt::format("{}: link {} again", obj, s),
		        [t = &tree_, dir, s](std::vector<std::string> &) {
			        return t->link(fs::path("subsystems") / s, dir / "subsystems" / s);
		        },
		        true);
	return port_children(id, p, false);
}

Result<Plan> Planner::run()
{
	auto live_subs = entries(tree_, "subsystems");
	auto live_ports = entries(tree_, "ports");
	auto live_hosts = entries(tree_, "hosts");
	if (!live_subs)
		return live_subs.error();
	if (!live_ports)
		return live_ports.error();
	if (!live_hosts)
		return live_hosts.error();
	std::map<std::string, json> want_subs, want_ports;
	std::set<std::string> want_hosts;
	for (const auto &s : list_of(want_, "subsystems"))
		want_subs[s["nqn"].get<std::string>()] = s;
	for (const auto &p : list_of(want_, "ports"))
		want_ports[id_text(p["portid"])] = p;
	for (const auto &h : list_of(want_, "hosts"))
		want_hosts.insert(h["nqn"].get<std::string>());
	auto wanted = [](const json &obj, const char *key, const std::string &name) {
		const auto v = list_of(obj, key);
		return std::find(v.begin(), v.end(), json(name)) != v.end();
	};

	// The discovery NQN, and hosts new or changed: they are what allowed
	// hosts link to.
	if (want_.contains("discovery")) {
		auto changes = diff(".", files_of(want_, {"discovery"}), "discovery");
		if (!changes)
			return changes.error();
		writes("discovery", ".", *changes);
	}
	if (auto st = hosts(); !st)
		return st.error();

	// Links the file drops, before what they point at.
	for (const auto &id : *live_ports) {
		auto links = entries(tree_, fs::path("ports") / id / "subsystems");
		if (!links)
			return links.error();
		const auto w = want_ports.find(id);
		for (const auto &s : *links)
			if (w == want_ports.end() || !wanted(w->second, "subsystems", s))
				step(fmt::format("port {}: unlink {} (no longer exported there)", id, s),
				     [t = &tree_, l = fs::path("ports") / id / "subsystems" / s](
				             std::vector<std::string> &) { return t->unlink(l); });
	}
	// Subsystems and ports the file drops, with what is in them.
	for (const auto &nqn : *live_subs)
		if (!want_subs.count(nqn))
			step("remove subsystem " + nqn + " (its namespaces and allowed hosts with it)",
			     [t = &tree_, d = fs::path("subsystems") / nqn](std::vector<std::string> &) {
				     return remove_subsystem(*t, d);
			     });
	for (const auto &id : *live_ports)
		if (!want_ports.count(id))
			step("remove port " + id + " (its referrals and ANA groups with it)",
			     [t = &tree_, d = fs::path("ports") / id](std::vector<std::string> &) {
				     return remove_port(*t, d);
			     });
	// In the subsystems that stay: hosts no longer allowed, namespaces gone.
	for (const auto &nqn : *live_subs) {
		const auto w = want_subs.find(nqn);
		if (w == want_subs.end())
			continue;
		const fs::path dir = fs::path("subsystems") / nqn;
		auto allowed = entries(tree_, dir / "allowed_hosts");
		if (!allowed)
			return allowed.error();
		for (const auto &h : *allowed)
			if (!wanted(w->second, "allowed_hosts", h))
				step(fmt::format("subsystem {}: disallow host {}", nqn, h),
				     [t = &tree_, l = dir / "allowed_hosts" / h](std::vector<std::string> &) {
					     return t->unlink(l);
				     });
		auto nss = entries(tree_, dir / "namespaces");
		if (!nss)
			return nss.error();
		std::set<std::string> want_nsids;
		for (const auto &ns : list_of(w->second, "namespaces"))
			want_nsids.insert(id_text(ns["nsid"]));
		for (const auto &n : *nss)
			if (!want_nsids.count(n))
				step(fmt::format("remove namespace {} nsid {}", nqn, n),
				     [t = &tree_, d = dir / "namespaces" / n](std::vector<std::string> &) {
					     return remove_namespace(*t, d);
				     });
	}
	for (const auto &h : *live_hosts)
		if (!want_hosts.count(h))
			step("remove host " + h, [t = &tree_, d = fs::path("hosts") / h](
			                                 std::vector<std::string> &) { return t->rmdir(d); });

	// Subsystems with their namespaces and allowed hosts, then ports, then
	// the links that export the subsystems on them.
	for (const auto &s : list_of(want_, "subsystems"))
		if (auto st = subsystem(s); !st)
			return st.error();
	for (const auto &p : list_of(want_, "ports")) {
		const auto id = id_text(p["portid"]);
		if (std::find(live_ports->begin(), live_ports->end(), id) != live_ports->end()) {
			if (auto st = port(p); !st)
				return st.error();
		} else {
			new_port(p);
			if (auto st = port_children(id, p, true); !st)
				return st.error();
		}
	}
	for (const auto &p : list_of(want_, "ports")) {
		const auto id = id_text(p["portid"]);
		auto links = entries(tree_, fs::path("ports") / id / "subsystems");
		if (!links)
			return links.error();
		for (const auto &s : list_of(p, "subsystems")) {
			const auto nqn = s.get<std::string>();
			if (std::find(links->begin(), links->end(), nqn) == links->end())
				step(fmt::format("port {}: link {} (export it)", id, nqn),
				     [t = &tree_, dir = fs::path("ports") / id,
				      nqn](std::vector<std::string> &) {
					     return t->link(fs::path("subsystems") / nqn,
					                    dir / "subsystems" / nqn);
				     });
		}
	}
	return std::move(plan_);
}

// The configuration under TREE with what save() leaves out but apply may
// change, so that a rollback puts it back too.
Result<json> snapshot(const Tree &tree)
{
	auto before = save(tree);
	if (!before)
		return before;
	json out = std::move(before).value();
	for (auto &s : out["subsystems"]) {
		const fs::path dir = fs::path("subsystems") / s["nqn"].get<std::string>();
		for (auto &ns : s["namespaces"]) {
			const fs::path f = dir / "namespaces" / id_text(ns["nsid"]) / "buffered_io";
			if (auto v = tree.read(f); v && tree.exists(f))
				ns["buffered_io"] = trim(*v);
		}
		if (s.contains("passthru") && tree.exists(dir / "passthru" / "enable"))
			s["passthru"][0]["enable"] = enabled(tree, dir / "passthru" / "enable") ? 1 : 0;
	}
	return out;
}

// Runs the plan back to BEFORE; what it says about the outcome.
std::string roll_back(const Tree &tree, const json &before, std::size_t done)
{
	auto back = plan(tree, before);
	if (!back)
		return "the previous configuration could not be planned back: " + back.error().message();
	std::size_t failed = 0;
	std::vector<std::string> ignored;
	for (const auto &s : back->steps)
		if (!s.run(ignored))
			failed++;
	auto left = plan(tree, before);
	if (left && left->steps.empty())
		return fmt::format("rolled back: the {} step(s) done before it and its own partial work were "
		                   "undone, the previous configuration is back in place",
		                   done);
	return fmt::format("the rollback is incomplete ({} of {} undo step(s) failed, {} difference(s) "
	                   "left): compare 'nvmetctl save -' with the file and fix by hand",
	                   failed, back->steps.size(), left ? left->steps.size() : 0);
}

} // namespace

Result<Plan> plan(const Tree &tree, const json &config)
{
	if (auto st = validated(tree, config, "apply", "to"); !st)
		return st.error();
	Planner p(tree, config);
	return p.run();
}

fs::path lock_path(const Tree &tree)
{
	struct statfs fs_info {};
	if (tree.root() == configfs::default_root || (::statfs(tree.root().c_str(), &fs_info) == 0 &&
	                                              static_cast<long>(fs_info.f_type) == configfs_magic))
		return "/run/nvmetctl.lock";
	return tree.root() / ".nvmetctl.lock";
}

Result<Lock> Lock::take(const fs::path &file, bool shared, bool wait)
{
	// /run may be missing in a minimal root (an initramfs).
	std::error_code ec;
	if (file.has_parent_path())
		fs::create_directories(file.parent_path(), ec);
	const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		Error e{"open the lock file", file, errno};
		e.hint = "apply needs root for /run/nvmetctl.lock";
		return e;
	}
	int rc;
	do {
		rc = ::flock(fd, (shared ? LOCK_SH : LOCK_EX) | (wait ? 0 : LOCK_NB));
	} while (rc < 0 && errno == EINTR);
	if (rc < 0) {
		const int err = errno;
		::close(fd);
		Error e{"lock", file, err};
		if (err == EWOULDBLOCK)
			e.hint = "another 'nvmetctl apply' is changing the configuration: try again when "
			         "it is done, or pass --wait";
		return e;
	}
	return Lock(fd);
}

Lock::~Lock()
{
	if (fd_ >= 0)
		::close(fd_);
}

Result<ApplyOutcome> apply(const Tree &tree, const json &config, const ApplyOptions &opts)
{
	auto lock = Lock::take(lock_path(tree), opts.dry_run, opts.wait);
	if (!lock)
		return lock.error();
	auto before = snapshot(tree);
	if (!before)
		return before.error();
	auto p = plan(tree, config);
	if (!p)
		return p.error();
	ApplyOutcome out;
	out.warnings = p->warnings;
	if (opts.dry_run) {
		for (const auto &s : p->steps) {
			out.steps.push_back(s.what);
			if (s.disturbs)
				out.disturbing.push_back(s.what);
		}
		return out;
	}
	for (std::size_t i = 0; i < p->steps.size(); i++) {
		const Step &s = p->steps[i];
		auto st = s.run(out.warnings);
		if (!st) {
			Error e = st.error();
			e.context = fmt::format("step {} of {} ({})", i + 1, p->steps.size(), s.what);
			const auto back = roll_back(tree, *before, i);
			e.hint = e.hint.empty() ? back : e.hint + "; " + back;
			return e;
		}
		out.steps.push_back(s.what);
		if (s.disturbs)
			out.disturbing.push_back(s.what);
	}
	return out;
}

} // namespace nvmet::compat
