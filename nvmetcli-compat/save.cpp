// SPDX-License-Identifier: GPL-2.0
// save() and clear(): reading and removing the whole configuration.
#include <cctype>
#include <string_view>

#include "nvmetcli_compat.hpp"

namespace nvmet::compat {

using configfs::Error;
using configfs::Order;
using configfs::Result;
using configfs::Status;
using configfs::Tree;
namespace fs = std::filesystem;

namespace {

std::string strip(std::string s)
{
	auto sp = [](unsigned char c) { return std::isspace(c) != 0; };
	while (!s.empty() && sp(s.back()))
		s.pop_back();
	std::size_t i = 0;
	while (i < s.size() && sp(s[i]))
		i++;
	return s.substr(i);
}

Result<long long> read_int(const Tree &tree, const fs::path &rel)
{
	auto v = tree.read(rel);
	if (!v)
		return v.error();
	try {
		return std::stoll(strip(*v));
	} catch (const std::exception &) {
		return Error{"parse", tree.abs(rel), 0, "integer in"};
	}
}

// The attribute groups of the object in DIR: {"<group>": {"<name>": "value"}}
// for each writable file <group>_<name>, and "enable" when DIR has one and
// WITH_ENABLE (nvmetcli reads it for every object it looks up, not for the
// passthru group).
Status dump_groups(const Tree &tree, const fs::path &dir, std::initializer_list<std::string_view> groups,
                   json &out, bool with_enable = true)
{
	auto names = tree.list(dir);
	if (!names)
		return names.error();
	for (auto group : groups) {
		json attrs = json::object();
		const std::string prefix = std::string(group) + "_";
		for (const auto &name : *names) {
			if (name.compare(0, prefix.size(), prefix) != 0 || name.size() == prefix.size() ||
			    !tree.is_writable_file(dir / name))
				continue;
			auto v = tree.read(dir / name);
			if (!v)
				return v.error();
			attrs[name.substr(prefix.size())] = strip(*v);
		}
		out[std::string(group)] = attrs;
	}
	if (with_enable && tree.exists(dir / "enable")) {
		auto en = read_int(tree, dir / "enable");
		if (!en)
			return en.error();
		out["enable"] = *en;
	}
	return configfs::ok();
}

// Names in DIR as nvmetcli lists them (directory order); none if DIR is missing.
Result<std::vector<std::string>> children(const Tree &tree, const fs::path &dir, bool optional = false)
{
	if (optional && !tree.is_dir(dir))
		return std::vector<std::string>{};
	return tree.list(dir, Order::directory);
}

Result<json> dump_namespace(const Tree &tree, const fs::path &dir, const std::string &nsid)
{
	json ns = json::object();
	if (auto st = dump_groups(tree, dir, {"device", "ana", "resv"}, ns); !st)
		return st.error();
	try {
		ns["nsid"] = std::stoll(nsid);
	} catch (const std::exception &) {
		return Error{"parse", tree.abs(dir), 0, "namespace ID of"};
	}
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
	json nss = json::array();
	auto ids = children(tree, dir / "namespaces");
	if (!ids)
		return ids.error();
	for (const auto &id : *ids) {
		auto ns = dump_namespace(tree, dir / "namespaces" / id, id);
		if (!ns)
			return ns.error();
		nss.push_back(std::move(ns).value());
	}
	s["namespaces"] = std::move(nss);
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
	try {
		p["portid"] = std::stoll(id);
	} catch (const std::exception &) {
		return Error{"parse", tree.abs(dir), 0, "port ID of"};
	}
	auto subs = children(tree, dir / "subsystems");
	if (!subs)
		return subs.error();
	p["subsystems"] = *subs;

	json groups = json::array();
	auto grps = children(tree, dir / "ana_groups", true);
	if (!grps)
		return grps.error();
	for (const auto &g : *grps) {
		json a = json::object();
		if (auto st = dump_groups(tree, dir / "ana_groups" / g, {"ana"}, a); !st)
			return st.error();
		try {
			a["grpid"] = std::stoll(g);
		} catch (const std::exception &) {
			return Error{"parse", tree.abs(dir / "ana_groups" / g), 0, "ANA group ID of"};
		}
		groups.push_back(std::move(a));
	}
	p["ana_groups"] = std::move(groups);

	json refs = json::array();
	auto names = children(tree, dir / "referrals");
	if (!names)
		return names.error();
	for (const auto &n : *names) {
		json r = json::object();
		if (auto st = dump_groups(tree, dir / "referrals" / n, {"addr"}, r); !st)
			return st.error();
		r["name"] = n;
		refs.push_back(std::move(r));
	}
	p["referrals"] = std::move(refs);
	return p;
}

} // namespace

Result<json> save(const Tree &tree)
{
	json root = json::object();
	if (auto st = dump_groups(tree, ".", {"discovery"}, root); !st)
		return st.error();
	// dump_groups adds "enable" only where the file exists: the root has none.

	json subs = json::array();
	auto nqns = children(tree, "subsystems");
	if (!nqns)
		return nqns.error();
	for (const auto &nqn : *nqns) {
		auto s = dump_subsystem(tree, nqn);
		if (!s)
			return s.error();
		subs.push_back(std::move(s).value());
	}
	root["subsystems"] = std::move(subs);

	json ports = json::array();
	auto ids = children(tree, "ports");
	if (!ids)
		return ids.error();
	for (const auto &id : *ids) {
		auto p = dump_port(tree, id);
		if (!p)
			return p.error();
		ports.push_back(std::move(p).value());
	}
	root["ports"] = std::move(ports);

	json hosts = json::array();
	auto hnqns = children(tree, "hosts");
	if (!hnqns)
		return hnqns.error();
	for (const auto &nqn : *hnqns) {
		json h = json::object();
		if (auto st = dump_groups(tree, fs::path("hosts") / nqn, {"dhchap"}, h); !st)
			return st.error();
		h["nqn"] = nqn;
		hosts.push_back(std::move(h));
	}
	root["hosts"] = std::move(hosts);
	return root;
}

std::string to_text(const json &config)
{
	return config.dump(2, ' ', true) + "\n";
}

Status clear(const Tree &tree)
{
	auto ports = tree.list("ports");
	if (!ports)
		return ports.error();
	for (const auto &id : *ports) {
		const fs::path dir = fs::path("ports") / id;
		auto links = tree.list(dir / "subsystems");
		if (!links)
			return links.error();
		for (const auto &l : *links)
			if (auto st = tree.unlink(dir / "subsystems" / l); !st)
				return st;
		auto refs = tree.list(dir / "referrals");
		if (!refs)
			return refs.error();
		for (const auto &r : *refs)
			if (auto st = tree.rmdir(dir / "referrals" / r); !st)
				return st;
		if (tree.is_dir(dir / "ana_groups")) {
			auto grps = tree.list(dir / "ana_groups");
			if (!grps)
				return grps.error();
			for (const auto &g : *grps)
				if (g != "1")
					if (auto st = tree.rmdir(dir / "ana_groups" / g); !st)
						return st;
		}
		if (auto st = tree.rmdir(dir); !st)
			return st;
	}

	auto subs = tree.list("subsystems");
	if (!subs)
		return subs.error();
	for (const auto &nqn : *subs) {
		const fs::path dir = fs::path("subsystems") / nqn;
		auto hosts = tree.list(dir / "allowed_hosts");
		if (!hosts)
			return hosts.error();
		for (const auto &h : *hosts)
			if (auto st = tree.unlink(dir / "allowed_hosts" / h); !st)
				return st;
		auto nss = tree.list(dir / "namespaces");
		if (!nss)
			return nss.error();
		for (const auto &ns : *nss) {
			const fs::path nsdir = dir / "namespaces" / ns;
			auto en = tree.read(nsdir / "enable");
			if (en && strip(*en) != "0")
				if (auto st = tree.write(nsdir / "enable", "0"); !st)
					return st;
			if (auto st = tree.rmdir(nsdir); !st)
				return st;
		}
		if (tree.exists(dir / "passthru" / "enable")) {
			auto en = tree.read(dir / "passthru" / "enable");
			if (en && strip(*en) != "0")
				if (auto st = tree.write(dir / "passthru" / "enable", "0"); !st)
					return st;
		}
		if (auto st = tree.rmdir(dir); !st)
			return st;
	}

	auto hosts = tree.list("hosts");
	if (!hosts)
		return hosts.error();
	for (const auto &h : *hosts)
		if (auto st = tree.rmdir(fs::path("hosts") / h); !st)
			return st;
	return configfs::ok();
}

} // namespace nvmet::compat
