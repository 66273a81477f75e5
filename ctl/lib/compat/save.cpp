// SPDX-License-Identifier: GPL-2.0
// save() and clear(): reading and removing the whole configuration.
#include <algorithm>
#include <cctype>
#include <string_view>
#include <vector>

#include "common/integer.hpp"
#include "common/text.hpp"
#include "compat/nvmetcli_compat.hpp"

namespace nvmet::compat {

using configfs::Order;
using configfs::Tree;
namespace fs = std::filesystem;

namespace {

Result<long long> read_int(const Tree &tree, const fs::path &rel)
{
	auto v = tree.read(rel);
	if (!v)
		return v.error();
	auto n = parse_int<long long>(trim(*v));
	if (!n)
		return Error{"parse", tree.abs(rel), 0, "integer in"};
	return *n;
}

// The attribute groups of the object in DIR: {"<group>": {"<name>": "value"}}
// for each writable file <group>_<name>, and "enable" when DIR has one and
// WITH_ENABLE (nvmetcli reads it for every object it looks up, not for the
// passthru group). Files named in SKIP are left out unread.
Status dump_groups(const Tree &tree, const fs::path &dir, std::initializer_list<std::string_view> groups,
                   json &out, bool with_enable = true, const std::vector<std::string_view> &skip = {})
{
	auto names = tree.list(dir);
	if (!names)
		return names.error();
	for (auto group : groups) {
		json attrs = json::object();
		const std::string prefix = std::string(group) + "_";
		for (const auto &name : *names) {
			if (name.compare(0, prefix.size(), prefix) != 0 || name.size() == prefix.size() ||
			    !tree.is_writable_file(dir / name) ||
			    std::find(skip.begin(), skip.end(), name) != skip.end())
				continue;
			auto v = tree.read(dir / name);
			if (!v)
				return v.error();
			attrs[name.substr(prefix.size())] = trim(*v);
		}
		out[std::string(group)] = attrs;
	}
	if (with_enable && tree.exists(dir / "enable")) {
		auto en = read_int(tree, dir / "enable");
		if (!en)
			return en.error();
		out["enable"] = *en;
	}
	return nvmet::ok();
}

// Names in DIR as nvmetcli lists them (directory order); none if DIR is missing.
Result<std::vector<std::string>> children(const Tree &tree, const fs::path &dir, bool optional = false)
{
	if (optional && !tree.is_dir(dir))
		return std::vector<std::string>{};
	return tree.list(dir, Order::directory);
}

// An array of DUMP(name) for the objects in DIR, in directory order.
template <class F> Result<json> dump_all(const Tree &tree, const fs::path &dir, bool optional, F dump)
{
	auto names = children(tree, dir, optional);
	if (!names)
		return names.error();
	json out = json::array();
	for (const auto &n : *names) {
		Result<json> one = dump(n);
		if (!one)
			return one.error();
		out.push_back(std::move(one).value());
	}
	return out;
}

// Sets OUT[KEY] to the integer an object's directory NAME holds.
Status int_name(const Tree &tree, const fs::path &dir, const std::string &name, const char *key, json &out)
{
	auto n = parse_int<long long>(name);
	if (!n)
		return Error{"parse", tree.abs(dir), 0, std::string(key) + " of"};
	out[key] = *n;
	return nvmet::ok();
}

Result<json> dump_namespace(const Tree &tree, const fs::path &dir, const std::string &nsid)
{
	json ns = json::object();
	if (auto st = dump_groups(tree, dir, {"device", "ana", "resv"}, ns); !st)
		return st.error();
	if (auto st = int_name(tree, dir, nsid, "nsid", ns); !st)
		return st.error();
	auto grp = read_int(tree, dir / "ana_grpid");
	if (!grp)
		return grp.error();
	ns["ana_grpid"] = *grp;
	return ns;
}

// A passthru attribute nvmetcli saves as an integer, 0 when the file is missing.
Result<long long> int_or_zero(const Tree &tree, const fs::path &rel)
{
	if (!tree.exists(rel))
		return 0LL;
	return read_int(tree, rel);
}

Result<json> dump_subsystem(const Tree &tree, const std::string &nqn)
{
	const fs::path dir = fs::path("subsystems") / nqn;
	json s = json::object();
	if (auto st = dump_groups(tree, dir, {"attr"}, s); !st)
		return st.error();
	s["nqn"] = nqn;
	auto nss = dump_all(tree, dir / "namespaces", false, [&](const std::string &id) {
		return dump_namespace(tree, dir / "namespaces" / id, id);
	});
	if (!nss)
		return nss.error();
	s["namespaces"] = std::move(nss).value();
	auto hosts = children(tree, dir / "allowed_hosts");
	if (!hosts)
		return hosts.error();
	s["allowed_hosts"] = *hosts;
	if (tree.is_dir(dir / "passthru")) {
		const fs::path pt_dir = dir / "passthru";
		json pt = json::object();
		if (auto st = dump_groups(tree, pt_dir, {"device"}, pt, false); !st)
			return st.error();
		for (const char *name : {"clear_ids", "admin_timeout", "io_timeout"}) {
			auto v = int_or_zero(tree, pt_dir / name);
			if (!v)
				return v.error();
			pt[name] = *v;
		}
		// Ours, beyond in-tree: saved only when set, so the file stays
		// nvmetcli's otherwise.
		if (tree.exists(pt_dir / "forward_all_admin")) {
			auto v = int_or_zero(tree, pt_dir / "forward_all_admin");
			if (!v)
				return v.error();
			if (*v)
				pt["forward_all_admin"] = *v;
		}
		s["passthru"] = json::array({std::move(pt)});
	}
	return s;
}

Result<json> dump_port(const Tree &tree, const std::string &id)
{
	const fs::path dir = fs::path("ports") / id;
	json p = json::object();
	if (auto st = dump_groups(tree, dir, {"addr", "param"}, p); !st)
		return st.error();
	if (auto st = int_name(tree, dir, id, "portid", p); !st)
		return st.error();
	auto subs = children(tree, dir / "subsystems");
	if (!subs)
		return subs.error();
	p["subsystems"] = *subs;

	auto groups = dump_all(tree, dir / "ana_groups", true, [&](const std::string &g) -> Result<json> {
		json a = json::object();
		if (auto st = dump_groups(tree, dir / "ana_groups" / g, {"ana"}, a); !st)
			return st.error();
		if (auto st = int_name(tree, dir / "ana_groups" / g, g, "grpid", a); !st)
			return st.error();
		return a;
	});
	if (!groups)
		return groups.error();
	p["ana_groups"] = std::move(groups).value();

	auto refs = dump_all(tree, dir / "referrals", false, [&](const std::string &n) -> Result<json> {
		json r = json::object();
		if (auto st = dump_groups(tree, dir / "referrals" / n, {"addr"}, r); !st)
			return st.error();
		r["name"] = n;
		return r;
	});
	if (!refs)
		return refs.error();
	p["referrals"] = std::move(refs).value();
	return p;
}

} // namespace

Result<json> save(const Tree &tree, const SaveOptions &opts)
{
	json root = json::object();
	if (auto st = dump_groups(tree, ".", {"discovery"}, root); !st)
		return st.error();
	// dump_groups adds "enable" only where the file exists: the root has none.

	auto subs = dump_all(tree, "subsystems", false,
	                     [&](const std::string &nqn) { return dump_subsystem(tree, nqn); });
	if (!subs)
		return subs.error();
	root["subsystems"] = std::move(subs).value();

	auto ports =
	        dump_all(tree, "ports", false, [&](const std::string &id) { return dump_port(tree, id); });
	if (!ports)
		return ports.error();
	root["ports"] = std::move(ports).value();

	auto hosts = dump_all(tree, "hosts", false, [&](const std::string &nqn) -> Result<json> {
		json h = json::object();
		// The keys are readable by root only on nvmet-oot (0600).
		std::vector<std::string_view> skip;
		if (!opts.secrets)
			skip = {"dhchap_key", "dhchap_ctrl_key"};
		if (auto st = dump_groups(tree, fs::path("hosts") / nqn, {"dhchap"}, h, true, skip); !st)
			return st.error();
		h["nqn"] = nqn;
		return h;
	});
	if (!hosts)
		return hosts.error();
	root["hosts"] = std::move(hosts).value();
	return root;
}

std::string to_text(const json &config)
{
	return config.dump(2, ' ', true) + "\n";
}

namespace {

// Writes 0 to an enable file that holds something else.
Status disable(const Tree &tree, const fs::path &file)
{
	auto en = tree.read(file);
	if (en && trim(*en) != "0")
		return tree.write(file, "0");
	return nvmet::ok();
}

} // namespace

Status remove_port(const Tree &tree, const fs::path &dir)
{
	if (auto st = tree.each(dir / "subsystems",
	                        [&](const std::string &l) { return tree.unlink(dir / "subsystems" / l); });
	    !st)
		return st;
	if (auto st = tree.each(dir / "referrals",
	                        [&](const std::string &r) { return tree.rmdir(dir / "referrals" / r); });
	    !st)
		return st;
	if (tree.is_dir(dir / "ana_groups"))
		if (auto st = tree.each(dir / "ana_groups",
		                        [&](const std::string &g) {
			                        return g == "1" ? nvmet::ok()
			                                        : tree.rmdir(dir / "ana_groups" / g);
		                        });
		    !st)
			return st;
	return tree.rmdir(dir);
}

Status remove_subsystem(const Tree &tree, const fs::path &dir)
{
	if (auto st = tree.each(dir / "allowed_hosts",
	                        [&](const std::string &h) { return tree.unlink(dir / "allowed_hosts" / h); });
	    !st)
		return st;
	if (auto st = tree.each(dir / "namespaces",
	                        [&](const std::string &ns) {
		                        const fs::path nsdir = dir / "namespaces" / ns;
		                        auto off = disable(tree, nsdir / "enable");
		                        return off ? tree.rmdir(nsdir) : off;
	                        });
	    !st)
		return st;
	if (tree.exists(dir / "passthru" / "enable"))
		if (auto st = disable(tree, dir / "passthru" / "enable"); !st)
			return st;
	return tree.rmdir(dir);
}

Status clear(const Tree &tree)
{
	if (auto st = tree.each(
	            "ports",
	            [&](const std::string &id) { return remove_port(tree, fs::path("ports") / id); });
	    !st)
		return st;
	if (auto st = tree.each("subsystems",
	                        [&](const std::string &nqn) {
		                        return remove_subsystem(tree, fs::path("subsystems") / nqn);
	                        });
	    !st)
		return st;
	return tree.each("hosts", [&](const std::string &h) { return tree.rmdir(fs::path("hosts") / h); });
}

} // namespace nvmet::compat
