// SPDX-License-Identifier: GPL-2.0
// validate() and restore(): a configuration file checked as a whole, then
// applied in an order the kernel accepts, and undone if the kernel refuses.
#include <algorithm>
#include <array>
#include <cerrno>
#include <map>
#include <set>

#include <fmt/format.h>

#include "auth/dhchap.hpp"
#include "common/integer.hpp"
#include "compat/nvmetcli_compat.hpp"
#include "configfs/ids.hpp"
#include "configfs/values.hpp"

namespace nvmet::compat {

using configfs::Tree;
namespace fs = std::filesystem;

namespace {

// --- validation -------------------------------------------------------------

constexpr std::size_t nqn_max = 223; // NVMe Base: NQNs are at most 223 bytes

using configfs::values::adrfams;
using configfs::values::ana_states;
using configfs::values::treqs;
using configfs::values::trtypes;

class Checker {
public:
	std::vector<Problem> problems;

	void add(const std::string &where, std::string what) { problems.push_back({where, std::move(what)}); }

	// OBJ[KEY], when present, must have type T ("object", "array", ...).
	bool typed(const json &obj, const std::string &key, const std::string &where, json::value_t t,
	           const char *tname)
	{
		if (!obj.contains(key))
			return false;
		if (obj[key].type() != t) {
			add(where + "." + key, fmt::format("must be {}", tname));
			return false;
		}
		return true;
	}

	// An integer, or a string holding one (nvmetcli writes str(value)).
	std::optional<long long> integer(const json &v, const std::string &where)
	{
		if (v.is_number_integer())
			return v.get<long long>();
		if (v.is_string()) {
			if (auto n = parse_int<long long>(v.get_ref<const std::string &>(), Base::prefixed))
				return *n;
		}
		add(where, "must be an integer");
		return std::nullopt;
	}

	void nqn(const json &obj, const std::string &where)
	{
		if (!obj.contains("nqn")) {
			add(where, "has no \"nqn\"");
			return;
		}
		if (!obj["nqn"].is_string()) {
			add(where + ".nqn", "must be a string");
			return;
		}
		const auto &n = obj["nqn"].get_ref<const std::string &>();
		if (n.empty() || n.size() > nqn_max || n.find('/') != std::string::npos)
			add(where + ".nqn",
			    fmt::format("'{}' is not an NQN (1 to {} bytes, no '/')", n, nqn_max));
	}

	// An attribute group: an object of scalar values.
	void group(const json &obj, const std::string &name, const std::string &where)
	{
		if (!typed(obj, name, where, json::value_t::object, "an object"))
			return;
		for (const auto &[k, v] : obj[name].items())
			if (!v.is_string() && !v.is_number() && !v.is_boolean())
				add(where + "." + name + "." + k, "must be a string or a number");
	}

	void one_of(const json &obj, const std::string &grp, const std::string &key,
	            const std::set<std::string> &allowed, const std::string &where)
	{
		if (!obj.contains(grp) || !obj[grp].is_object() || !obj[grp].contains(key) ||
		    !obj[grp][key].is_string())
			return;
		const auto &v = obj[grp][key].get_ref<const std::string &>();
		if (!allowed.count(v)) {
			std::string list;
			for (const auto &a : allowed)
				list += (list.empty() ? "" : ", ") + a;
			add(where + "." + grp + "." + key, fmt::format("'{}' is not one of: {}", v, list));
		}
	}

	void address(const json &obj, const std::string &where)
	{
		one_of(obj, "addr", "trtype", trtypes, where);
		one_of(obj, "addr", "adrfam", adrfams, where);
		one_of(obj, "addr", "treq", treqs, where);
	}

	// A port's transport security: TLS 1.3 on TCP only, and a TLS port
	// says whether hosts without TLS may connect.
	void security(const json &p, const std::string &where)
	{
		if (!p.contains("addr") || !p["addr"].is_object())
			return;
		const json &a = p["addr"];
		auto str = [&](const char *k) {
			return a.contains(k) && a[k].is_string() ? a[k].get<std::string>() : std::string();
		};
		const auto trtype = str("trtype"), tsas = str("tsas");
		if (trtype == "tcp" && !tsas.empty())
			one_of(p, "addr", "tsas", configfs::values::tcp_tsas, where);
		if (tsas == "tls1.3" && trtype != "tcp")
			add(where + ".addr.tsas", "tls1.3 is for trtype tcp only");
		if (tsas == "tls1.3" && str("treq") == "not specified")
			add(where + ".addr.treq", "a TLS port takes 'required' (TLS hosts only) or 'not "
			                          "required' (hosts without TLS too)");
	}

	// A host's DH-HMAC-CHAP settings: keys in the DHHC-1 form (an empty key
	// is no key), hash and group names configfs takes. Problems never
	// quote a key.
	void dhchap(const json &h, const std::string &where)
	{
		if (!h.contains("dhchap") || !h["dhchap"].is_object())
			return;
		const json &d = h["dhchap"];
		for (const char *k : {"key", "ctrl_key"}) {
			if (!d.contains(k))
				continue;
			const std::string w = where + ".dhchap." + k;
			if (!d[k].is_string()) {
				add(w, "must be a string");
				continue;
			}
			const auto &v = d[k].get_ref<const std::string &>();
			if (v.empty())
				continue;
			if (auto r = auth::parse_secret(v, "the key"); !r)
				add(w, "is not a DH-HMAC-CHAP secret: " + r.error().hint);
		}
		auto names = [&](const char *key, const auto &known) {
			std::set<std::string> s;
			for (const auto n : known)
				s.insert(std::string(n));
			one_of(h, "dhchap", key, s, where);
		};
		names("hash", auth::hashes);
		names("dhgroup", auth::dhgroups);
	}
};

std::string at(const std::string &base, std::size_t i)
{
	return fmt::format("{}[{}]", base, i);
}

// OBJ[KEY], when present, is an array of objects: EACH(element, its JSON path).
template <class F>
void objects(Checker &c, const json &obj, const std::string &key, const std::string &where, F each)
{
	if (!c.typed(obj, key, where, json::value_t::array, "an array"))
		return;
	const std::string base = where == "(top)" ? key : where + "." + key;
	for (std::size_t i = 0; i < obj[key].size(); i++) {
		if (!obj[key][i].is_object()) {
			c.add(at(base, i), "must be an object");
			continue;
		}
		each(obj[key][i], at(base, i));
	}
}

// OBJ[KEY], when present, is an array of names, each in KNOWN (a KIND).
void names(Checker &c, const json &obj, const std::string &key, const std::string &where,
           const std::set<std::string> &known, const char *kind, const char *list)
{
	if (!c.typed(obj, key, where, json::value_t::array, "an array"))
		return;
	for (std::size_t j = 0; j < obj[key].size(); j++) {
		const auto &n = obj[key][j];
		if (!n.is_string())
			c.add(at(where + "." + key, j), fmt::format("must be a {} NQN string", kind));
		else if (!known.count(n.get<std::string>()))
			c.add(at(where + "." + key, j),
			      fmt::format("{} '{}' is not in \"{}\"", kind, n.get<std::string>(), list));
	}
}

// A unique integer ID in [LO, HI] under KEY of OBJ.
void id(Checker &c, const json &obj, const char *key, const std::string &where, long long lo, long long hi,
        const char *what, std::set<long long> *seen)
{
	if (!obj.contains(key)) {
		c.add(where, fmt::format("has no \"{}\"", key));
		return;
	}
	auto v = c.integer(obj[key], where + "." + key);
	if (!v)
		return;
	if (*v < lo || *v > hi)
		c.add(where + "." + key, fmt::format("{} is not {} ({} to {})", *v, what, lo, hi));
	else if (seen && !seen->insert(*v).second)
		c.add(where + "." + key, "appears twice");
}

void unique_nqn(Checker &c, const json &obj, const std::string &where, std::set<std::string> &seen)
{
	c.nqn(obj, where);
	if (obj.contains("nqn") && obj["nqn"].is_string() &&
	    !seen.insert(obj["nqn"].get<std::string>()).second)
		c.add(where + ".nqn", "appears twice");
}

} // namespace

std::vector<Problem> validate(const json &config)
{
	Checker c;
	if (!config.is_object()) {
		c.add("(top)", "must be a JSON object");
		return c.problems;
	}
	c.group(config, "discovery", "(top)");

	std::set<std::string> host_nqns, subsys_nqns;
	objects(c, config, "hosts", "(top)", [&](const json &h, const std::string &w) {
		unique_nqn(c, h, w, host_nqns);
		c.group(h, "dhchap", w);
		c.dhchap(h, w);
	});

	objects(c, config, "subsystems", "(top)", [&](const json &s, const std::string &w) {
		unique_nqn(c, s, w, subsys_nqns);
		c.group(s, "attr", w);
		names(c, s, "allowed_hosts", w, host_nqns, "host", "hosts");
		std::set<long long> nsids;
		objects(c, s, "namespaces", w, [&](const json &ns, const std::string &nw) {
			id(c, ns, "nsid", nw, 1, 0xfffffffeLL, "a namespace ID", &nsids);
			for (const char *g : {"device", "ana", "resv"})
				c.group(ns, g, nw);
			if (ns.contains("enable"))
				c.integer(ns["enable"], nw + ".enable");
			if (ns.contains("ana_grpid"))
				id(c, ns, "ana_grpid", nw, 1, 128, "an ANA group", nullptr);
		});
		if (s.contains("passthru") && s["passthru"].is_array() && s["passthru"].size() > 1)
			c.add(w + ".passthru", "has more than one element");
		objects(c, s, "passthru", w, [&](const json &p, const std::string &pw) {
			c.group(p, "device", pw);
			for (const char *k :
			     {"enable", "clear_ids", "admin_timeout", "io_timeout", "forward_all_admin"})
				if (p.contains(k))
					c.integer(p[k], pw + "." + k);
		});
	});

	std::set<long long> portids;
	objects(c, config, "ports", "(top)", [&](const json &p, const std::string &w) {
		id(c, p, "portid", w, 0, 0xffff, "a port ID", &portids);
		c.group(p, "addr", w);
		c.group(p, "param", w);
		c.address(p, w);
		c.security(p, w);
		names(c, p, "subsystems", w, subsys_nqns, "subsystem", "subsystems");
		objects(c, p, "ana_groups", w, [&](const json &a, const std::string &aw) {
			id(c, a, "grpid", aw, 1, 128, "an ANA group", nullptr);
			c.group(a, "ana", aw);
			c.one_of(a, "ana", "state", ana_states, aw);
		});
		objects(c, p, "referrals", w, [&](const json &r, const std::string &rw) {
			if (!r.contains("name") || !r["name"].is_string() ||
			    r["name"].get<std::string>().empty() ||
			    r["name"].get<std::string>().find('/') != std::string::npos)
				c.add(rw, "has no \"name\" usable as a directory name");
			c.group(r, "addr", rw);
			c.address(r, rw);
			if (r.contains("enable"))
				c.integer(r["enable"], rw + ".enable");
		});
	});
	return c.problems;
}

namespace {

// --- applying ---------------------------------------------------------------

// A value as nvmetcli writes it: str(value).
std::string text(const json &v)
{
	if (v.is_string())
		return v.get<std::string>();
	if (v.is_boolean())
		return v.get<bool>() ? "True" : "False";
	return v.dump();
}

// Applies a configuration; the first refusal ends it with the JSON path.
class Applier {
public:
	Applier(const Tree &tree, const RestoreOptions &opts, std::vector<std::string> &warnings,
	        std::vector<DeferredNamespace> &deferred)
	    : tree_(tree), opts_(opts), warnings_(warnings), deferred_(deferred)
	{}

	Status run(const json &config);

private:
	const Tree &tree_;
	const RestoreOptions &opts_;
	std::vector<std::string> &warnings_;
	std::vector<DeferredNamespace> &deferred_;

	// The failure of OP at JSON path WHERE.
	static Status at(Status st, const std::string &where)
	{
		if (st)
			return st;
		auto e = st.error();
		e.context = where;
		return e;
	}

	Status write(const fs::path &file, const json &value, const std::string &where)
	{
		if (!tree_.exists(file)) {
			if (opts_.skip_missing_attributes) {
				warnings_.push_back(fmt::format("{}: this kernel has no {}, skipped", where,
				                                tree_.abs(file).string()));
				return nvmet::ok();
			}
			return Error{"write", tree_.abs(file), ENOENT, fmt::format("'{}' to", text(value)),
			             where};
		}
		// What the attribute holds already is not written again: the
		// in-tree nvmet shows param_mdts -1 on a port never enabled, and
		// refuses to be written -1.
		if (auto cur = tree_.read(file); cur && *cur == text(value))
			return nvmet::ok();
		return at(tree_.write(file, text(value)), where);
	}

	// Writes GROUP's attributes of OBJ into DIR, FIRST in that order, then the rest.
	Status group(const fs::path &dir, const json &obj, const std::string &grp, const std::string &where,
	             std::initializer_list<const char *> first = {})
	{
		if (!obj.contains(grp))
			return nvmet::ok();
		const json &g = obj[grp];
		std::vector<std::string> order(first.begin(), first.end());
		for (const auto &[k, v] : g.items())
			if (std::find(order.begin(), order.end(), k) == order.end())
				order.push_back(k);
		for (const auto &k : order) {
			if (!g.contains(k))
				continue;
			if (auto st = write(dir / (grp + "_" + k), g[k], where + "." + grp + "." + k); !st)
				return st;
		}
		return nvmet::ok();
	}

	Status mkdir(const fs::path &dir, const std::string &where)
	{
		if (tree_.is_dir(dir))
			return nvmet::ok(); // made by the kernel (ANA group 1)
		return at(tree_.mkdir(dir), where);
	}

	Status host(const json &h, const std::string &where);
	Status subsystem(const json &s, const std::string &where);
	Status name_space(const fs::path &sdir, const json &ns, const std::string &where);
	Status subsystem_attrs(const fs::path &dir, const json &s, const std::string &where);
	Status port(const json &p, const std::string &where);
};

Status Applier::host(const json &h, const std::string &where)
{
	const fs::path dir = fs::path("hosts") / h["nqn"].get<std::string>();
	if (auto st = mkdir(dir, where); !st)
		return st;
	if (!h.contains("dhchap"))
		return nvmet::ok();
	// Hash and group first, the keys last. An empty key is no key: the
	// host is new and has none (nvmetcli's write of nothing changes
	// nothing either).
	json rest = h["dhchap"];
	std::vector<std::pair<std::string, std::string>> keys;
	for (const char *k : {"key", "ctrl_key"}) {
		if (!rest.contains(k))
			continue;
		if (const auto v = text(rest[k]); !v.empty())
			keys.emplace_back(k, v);
		rest.erase(k);
	}
	if (auto st = group(dir, json{{"dhchap", rest}}, "dhchap", where, {"hash", "dhgroup"}); !st)
		return st;
	for (const auto &[k, v] : keys) {
		const fs::path file = dir / ("dhchap_" + k);
		const std::string w = where + ".dhchap." + k;
		// Skipping a key, as nvmetcli does, would let the host in
		// unauthenticated: a target without DH-HMAC-CHAP fails the restore.
		if (!tree_.exists(file)) {
			Error e{"restore", tree_.abs(dir), EOPNOTSUPP, "a DH-HMAC-CHAP key for", w};
			e.hint = "this target has no in-band authentication; without the key the host would "
			         "connect unauthenticated: load an nvmet module with DH-HMAC-CHAP (in-tree: "
			         "CONFIG_NVME_TARGET_AUTH), or remove the key from the file";
			return e;
		}
		if (auto st = at(configfs::write_secret(tree_, file, v), w); !st)
			return st;
	}
	return nvmet::ok();
}

Status Applier::name_space(const fs::path &sdir, const json &ns, const std::string &where)
{
	const fs::path dir = sdir / "namespaces" / text(ns["nsid"]);
	if (auto st = mkdir(dir, where); !st)
		return st;
	if (auto st = group(dir, ns, "device", where, {"path", "uuid", "nguid"}); !st)
		return st;
	const std::string device = ns.contains("device") && ns["device"].contains("path")
	                                   ? text(ns["device"]["path"])
	                                   : std::string();
	const auto nsid = parse_int<std::uint32_t>(text(ns["nsid"]), Base::prefixed);
	const bool has_device = ns.contains("device") && ns["device"].is_object();
	const bool fill_uuid =
	        opts_.stable_ids && !device.empty() && !(has_device && ns["device"].contains("uuid"));
	const bool fill_nguid =
	        opts_.stable_ids && !device.empty() && !(has_device && ns["device"].contains("nguid"));
	// Missing, or a block device without its size yet (configfs/ids.hpp).
	const bool missing = !device.empty() && !configfs::device_ready(device);
	if ((fill_uuid || fill_nguid) && !(missing && opts_.defer_missing_devices)) {
		const auto ids = configfs::stable_ids(sdir.filename().string(), nsid ? *nsid : 0,
		                                      configfs::device_identity(device));
		if (fill_uuid)
			if (auto st = write(dir / "device_uuid", ids.uuid, where + ".device.uuid"); !st)
				return st;
		if (fill_nguid)
			if (auto st = write(dir / "device_nguid", ids.nguid, where + ".device.nguid"); !st)
				return st;
	}
	if (auto st = group(dir, ns, "ana", where); !st)
		return st;
	if (ns.contains("ana_grpid"))
		if (auto st = write(dir / "ana_grpid", ns["ana_grpid"], where + ".ana_grpid"); !st)
			return st;
	if (auto st = group(dir, ns, "resv", where); !st)
		return st;
	// Beyond nvmetcli's format: the backend mode it does not save.
	if (ns.contains("buffered_io"))
		if (auto st = write(dir / "buffered_io", ns["buffered_io"], where + ".buffered_io"); !st)
			return st;
	if (!ns.contains("enable") || text(ns["enable"]) == "0")
		return nvmet::ok();
	const auto defer = [&] {
		deferred_.push_back(
		        {sdir.filename().string(), nsid ? *nsid : 0, device, where, fill_uuid, fill_nguid});
		return nvmet::ok();
	};
	if (opts_.defer_missing_devices && missing)
		return defer();
	auto st = write(dir / "enable", ns["enable"], where + ".enable");
	// Gone between the check and the enable: the kernel says ENOENT.
	if (!st && opts_.defer_missing_devices && st.error().err == ENOENT && !device.empty() &&
	    !configfs::device_ready(device))
		return defer();
	return st;
}

Status Applier::subsystem_attrs(const fs::path &dir, const json &s, const std::string &where)
{
	// The subsystem is new, with the kernel's cntlid range 1..65519: any
	// valid range can be set lower bound first.
	return group(dir, s, "attr", where,
	             {"version", "serial", "model", "firmware", "ieee_oui", "vendor_id", "subsys_vendor_id",
	              "cntlid_min", "cntlid_max", "qid_max", "tbkas", "pi_enable"});
}

Status Applier::subsystem(const json &s, const std::string &where)
{
	const fs::path dir = fs::path("subsystems") / s["nqn"].get<std::string>();
	if (auto st = mkdir(dir, where); !st)
		return st;
	if (s.contains("namespaces"))
		for (std::size_t i = 0; i < s["namespaces"].size(); i++)
			if (auto st = name_space(dir, s["namespaces"][i],
			                         fmt::format("{}.namespaces[{}]", where, i));
			    !st)
				return st;
	if (s.contains("allowed_hosts"))
		for (std::size_t i = 0; i < s["allowed_hosts"].size(); i++) {
			const auto nqn = s["allowed_hosts"][i].get<std::string>();
			if (auto st = at(tree_.link(fs::path("hosts") / nqn, dir / "allowed_hosts" / nqn),
			                 fmt::format("{}.allowed_hosts[{}]", where, i));
			    !st)
				return st;
		}
	if (s.contains("passthru"))
		for (std::size_t i = 0; i < s["passthru"].size(); i++) {
			const json &p = s["passthru"][i];
			const auto pw = fmt::format("{}.passthru[{}]", where, i);
			const fs::path pdir = dir / "passthru";
			if (auto st = group(pdir, p, "device", pw); !st)
				return st;
			for (const char *k : {"clear_ids", "admin_timeout", "io_timeout"})
				if (p.contains(k))
					if (auto st = write(pdir / k, p[k], pw + "." + k); !st)
						return st;
			// Ours, beyond nvmetcli: 0 is the default (and in-tree's
			// behaviour), so only 1 needs the file.
			if (p.contains("forward_all_admin") && text(p["forward_all_admin"]) != "0")
				if (auto st = write(pdir / "forward_all_admin", p["forward_all_admin"],
				                    pw + ".forward_all_admin");
				    !st)
					return st;
			if (p.contains("enable") && text(p["enable"]) != "0")
				if (auto st = write(pdir / "enable", p["enable"], pw + ".enable"); !st)
					return st;
		}
	auto attrs = s;
	if (attrs.contains("attr") && attrs["attr"].contains("allow_any_host"))
		attrs["attr"].erase("allow_any_host");
	if (auto st = subsystem_attrs(dir, attrs, where); !st)
		return st;
	if (s.contains("attr") && s["attr"].contains("allow_any_host"))
		return write(dir / "attr_allow_any_host", s["attr"]["allow_any_host"],
		             where + ".attr.allow_any_host");
	return nvmet::ok();
}

Status Applier::port(const json &p, const std::string &where)
{
	const fs::path dir = fs::path("ports") / text(p["portid"]);
	if (auto st = mkdir(dir, where); !st)
		return st;
	// The transport type decides how tsas is read, and tsas how treq is.
	if (auto st = group(dir, p, "addr", where, {"trtype", "adrfam", "traddr", "trsvcid", "tsas", "treq"});
	    !st)
		return st;
	if (auto st = group(dir, p, "param", where); !st)
		return st;
	if (p.contains("ana_groups"))
		for (std::size_t i = 0; i < p["ana_groups"].size(); i++) {
			const json &a = p["ana_groups"][i];
			const auto aw = fmt::format("{}.ana_groups[{}]", where, i);
			const fs::path adir = dir / "ana_groups" / text(a["grpid"]);
			if (auto st = mkdir(adir, aw); !st)
				return st;
			if (auto st = group(adir, a, "ana", aw); !st)
				return st;
		}
	if (p.contains("referrals"))
		for (std::size_t i = 0; i < p["referrals"].size(); i++) {
			const json &r = p["referrals"][i];
			const auto rw = fmt::format("{}.referrals[{}]", where, i);
			const fs::path rdir = dir / "referrals" / r["name"].get<std::string>();
			if (auto st = mkdir(rdir, rw); !st)
				return st;
			if (auto st = group(
			            rdir, r, "addr", rw,
			            {"trtype", "adrfam", "traddr", "trsvcid", "portid", "tsas", "treq"});
			    !st)
				return st;
			if (r.contains("enable") && text(r["enable"]) != "0")
				if (auto st = write(rdir / "enable", r["enable"], rw + ".enable"); !st)
					return st;
		}
	// Linking enables the port, after which its address cannot change.
	if (p.contains("subsystems"))
		for (std::size_t i = 0; i < p["subsystems"].size(); i++) {
			const auto nqn = p["subsystems"][i].get<std::string>();
			if (auto st = at(tree_.link(fs::path("subsystems") / nqn, dir / "subsystems" / nqn),
			                 fmt::format("{}.subsystems[{}]", where, i));
			    !st)
				return st;
		}
	return nvmet::ok();
}

Status Applier::run(const json &config)
{
	if (config.contains("discovery") && config["discovery"].contains("nqn")) {
		auto cur = tree_.read("discovery_nqn");
		if (!cur || *cur != text(config["discovery"]["nqn"]))
			if (auto st = write("discovery_nqn", config["discovery"]["nqn"], "discovery.nqn");
			    !st)
				return st;
	}
	if (config.contains("hosts"))
		for (std::size_t i = 0; i < config["hosts"].size(); i++)
			if (auto st = host(config["hosts"][i], fmt::format("hosts[{}]", i)); !st)
				return st;
	if (config.contains("subsystems"))
		for (std::size_t i = 0; i < config["subsystems"].size(); i++)
			if (auto st = subsystem(config["subsystems"][i], fmt::format("subsystems[{}]", i));
			    !st)
				return st;
	if (config.contains("ports"))
		for (std::size_t i = 0; i < config["ports"].size(); i++)
			if (auto st = port(config["ports"][i], fmt::format("ports[{}]", i)); !st)
				return st;
	return nvmet::ok();
}

} // namespace

Status validated(const Tree &tree, const json &config, const std::string &op, std::string_view prep)
{
	auto problems = validate(config);
	if (problems.empty())
		return nvmet::ok();
	std::string detail;
	for (const auto &p : problems)
		detail += fmt::format("\n  {}: {}", p.where, p.what);
	return Error{op, tree.root(), EINVAL,
	             fmt::format("a configuration with {} problem(s), nothing changed:{}\n{}",
	                         problems.size(), detail, prep)};
}

Result<RestoreOutcome> restore(const Tree &tree, const json &config, const RestoreOptions &opts)
{
	if (auto st = validated(tree, config, "restore", "in"); !st)
		return st.error();
	auto before = save(tree);
	if (!before)
		return before.error();
	if (auto st = clear(tree); !st)
		return st.error();

	RestoreOutcome out;
	Applier apply(tree, opts, out.warnings, out.deferred);
	auto st = apply.run(config);
	if (st)
		return out;

	// Undo: back to what was there before.
	auto err = st.error();
	std::vector<std::string> ignored;
	std::vector<DeferredNamespace> ignored_deferred;
	RestoreOptions lenient;
	lenient.defer_missing_devices = opts.defer_missing_devices;
	Applier back(tree, lenient, ignored, ignored_deferred);
	const bool restored = clear(tree) && back.run(*before);
	err.context = fmt::format("{} ({})", err.context,
	                          restored ? "nothing changed: the previous configuration is back in place"
	                                   : "the previous configuration could not be fully put back");
	return err;
}

} // namespace nvmet::compat
