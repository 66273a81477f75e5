// SPDX-License-Identifier: GPL-2.0
#include "configfs/model.hpp"

#include "common/integer.hpp"

#include <algorithm>
#include <cerrno>

namespace nvmet::configfs {

namespace {

// A decimal configfs directory name (NSID, port ID) that fits in T.
template <class T> Result<T> parse_id(const std::filesystem::path &where, const std::string &s)
{
	auto v = parse_int<T>(s);
	if (!v)
		return Error{"parse", where, 0, "the directory name '" + s + "' as a number in"};
	return *v;
}

Result<Namespace> read_namespace(const Tree &tree, const std::filesystem::path &dir, const std::string &name)
{
	auto nsid = parse_id<std::uint32_t>(tree.abs(dir), name);
	if (!nsid)
		return nsid.error();
	Namespace ns;
	ns.nsid = *nsid;
	auto path = tree.read(dir / name / "device_path");
	if (!path)
		return path.error();
	ns.device_path = *path;
	auto en = tree.read(dir / name / "enable");
	if (!en)
		return en.error();
	ns.enabled = *en == "1";
	return ns;
}

Result<Referral> read_referral(const Tree &tree, const std::filesystem::path &dir, const std::string &name)
{
	Referral r;
	r.name = name;
	for (auto [file, field] : {std::pair{"addr_trtype", &r.trtype},
	                           {"addr_adrfam", &r.adrfam},
	                           {"addr_traddr", &r.traddr},
	                           {"addr_trsvcid", &r.trsvcid}}) {
		auto v = tree.read(dir / name / file);
		if (!v)
			return v.error();
		*field = *v;
	}
	if (tree.exists(dir / name / "addr_portid")) {
		auto v = tree.read(dir / name / "addr_portid");
		if (!v)
			return v.error();
		auto id = parse_int<std::uint16_t>(*v);
		r.portid = id ? *id : 0;
	}
	auto en = tree.read(dir / name / "enable");
	if (!en)
		return en.error();
	r.enabled = *en == "1";
	return r;
}

} // namespace

Result<std::vector<Subsystem>> read_subsystems(const Tree &tree)
{
	auto nqns = tree.list("subsystems");
	if (!nqns)
		return nqns.error();
	std::vector<Subsystem> out;
	for (const auto &nqn : *nqns) {
		const std::filesystem::path dir = std::filesystem::path("subsystems") / nqn;
		Subsystem s;
		s.nqn = nqn;
		auto any = tree.read(dir / "attr_allow_any_host");
		if (!any)
			return any.error();
		s.allow_any_host = *any == "1";
		auto nss = tree.list(dir / "namespaces");
		if (!nss)
			return nss.error();
		for (const auto &n : *nss) {
			auto ns = read_namespace(tree, dir / "namespaces", n);
			if (!ns)
				return ns.error();
			s.namespaces.push_back(*ns);
		}
		std::sort(s.namespaces.begin(), s.namespaces.end(),
		          [](const Namespace &a, const Namespace &b) { return a.nsid < b.nsid; });
		auto hosts = tree.list(dir / "allowed_hosts");
		if (!hosts)
			return hosts.error();
		s.allowed_hosts = *hosts;
		out.push_back(std::move(s));
	}
	return out;
}

Result<std::vector<Port>> read_ports(const Tree &tree)
{
	auto ids = tree.list("ports");
	if (!ids)
		return ids.error();
	std::vector<Port> out;
	for (const auto &id : *ids) {
		const std::filesystem::path dir = std::filesystem::path("ports") / id;
		auto portid = parse_id<std::uint16_t>(tree.abs("ports"), id);
		if (!portid)
			return portid.error();
		Port p;
		p.portid = *portid;
		for (auto [file, field] : {std::pair{"addr_trtype", &p.trtype},
		                           {"addr_adrfam", &p.adrfam},
		                           {"addr_traddr", &p.traddr},
		                           {"addr_trsvcid", &p.trsvcid}}) {
			auto v = tree.read(dir / file);
			if (!v)
				return v.error();
			*field = *v;
		}
		// Older trees may lack these; a port without them has no TLS.
		for (auto [file, field] : {std::pair{"addr_tsas", &p.tsas}, {"addr_treq", &p.treq}})
			if (tree.exists(dir / file)) {
				auto v = tree.read(dir / file);
				if (!v)
					return v.error();
				*field = *v;
			}
		auto subs = tree.list(dir / "subsystems");
		if (!subs)
			return subs.error();
		p.subsystems = *subs;
		// Older or hand-made trees may lack referrals/ (and ana_groups/).
		auto refs = tree.is_dir(dir / "referrals") ? tree.list(dir / "referrals")
		                                           : std::vector<std::string>{};
		if (!refs)
			return refs.error();
		for (const auto &r : *refs) {
			auto ref = read_referral(tree, dir / "referrals", r);
			if (!ref)
				return ref.error();
			p.referrals.push_back(*ref);
		}
		if (tree.is_dir(dir / "ana_groups")) {
			auto groups = tree.list(dir / "ana_groups");
			if (!groups)
				return groups.error();
			for (const auto &g : *groups) {
				auto grpid = parse_id<std::uint32_t>(tree.abs(dir / "ana_groups"), g);
				if (!grpid)
					return grpid.error();
				auto state = tree.read(dir / "ana_groups" / g / "ana_state");
				if (!state)
					return state.error();
				p.ana_groups.push_back({*grpid, *state});
			}
			std::sort(p.ana_groups.begin(), p.ana_groups.end(),
			          [](const AnaGroup &a, const AnaGroup &b) { return a.grpid < b.grpid; });
		}
		out.push_back(std::move(p));
	}
	std::sort(out.begin(), out.end(), [](const Port &a, const Port &b) { return a.portid < b.portid; });
	return out;
}

Result<std::vector<Host>> read_hosts(const Tree &tree, bool with_secrets)
{
	auto nqns = tree.list("hosts");
	if (!nqns)
		return nqns.error();
	auto subs = tree.list("subsystems");
	if (!subs)
		return subs.error();
	std::vector<Host> out;
	for (const auto &nqn : *nqns) {
		const std::filesystem::path dir = std::filesystem::path("hosts") / nqn;
		Host h;
		h.nqn = nqn;
		if (tree.exists(dir / "dhchap_key")) {
			HostAuth a;
			for (auto [file, field] : {std::pair{"dhchap_key", &a.key},
			                           {"dhchap_ctrl_key", &a.ctrl_key},
			                           {"dhchap_hash", &a.hash},
			                           {"dhchap_dhgroup", &a.dhgroup}}) {
				if (!tree.exists(dir / file))
					continue;
				auto v = tree.read(dir / file);
				// nvmet-oot lets root alone read the keys: without root
				// whether they are set is not known, unless asked for.
				const bool secret = field == &a.key || field == &a.ctrl_key;
				if (!v && secret && !with_secrets &&
				    (v.error().err == EACCES || v.error().err == EPERM)) {
					a.readable = false;
					continue;
				}
				if (!v)
					return v.error();
				*field = *v;
			}
			a.key_set = !a.key.empty();
			a.ctrl_key_set = !a.ctrl_key.empty();
			if (!with_secrets) {
				a.key.clear();
				a.ctrl_key.clear();
			}
			h.dhchap = std::move(a);
		}
		for (const auto &s : *subs)
			if (tree.exists(std::filesystem::path("subsystems") / s / "allowed_hosts" / nqn))
				h.allowed_by.push_back(s);
		out.push_back(std::move(h));
	}
	return out;
}

} // namespace nvmet::configfs
