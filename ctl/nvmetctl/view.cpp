// SPDX-License-Identifier: GPL-2.0
#include "view.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace nvmet::ctl {

namespace cfs = nvmet::configfs;

namespace {

// Ports that export NQN.
std::vector<std::uint16_t> exported_on(const std::string &nqn, const std::vector<cfs::Port> &ports)
{
	std::vector<std::uint16_t> out;
	for (const auto &p : ports)
		for (const auto &s : p.subsystems)
			if (s == nqn)
				out.push_back(p.portid);
	return out;
}

std::string tls_text(const cfs::Port &p)
{
	if (p.trtype != "tcp")
		return "";
	return p.tsas != "tls1.3"         ? "  tls: no"
	       : p.treq == "not required" ? "  tls: yes (hosts without TLS too)"
	                                  : "  tls: required";
}

// LINES under a heading, each prefixed "o- " at DEPTH.
void branch(std::string &out, int depth, const std::string &line)
{
	out += fmt::format("{:{}}o- {}\n", "", depth * 2, line);
}

void port_branch(std::string &out, int depth, const cfs::Port &p)
{
	branch(out, depth,
	       fmt::format("{}  {} {}{}", p.portid, p.trtype, address(p.adrfam, p.traddr, p.trsvcid),
	                   tls_text(p)));
	branch(out, depth + 1, "subsystems");
	for (const auto &s : p.subsystems)
		branch(out, depth + 2, s);
	branch(out, depth + 1, "referrals");
	for (const auto &r : p.referrals)
		branch(out, depth + 2,
		       fmt::format("{}  {} {}  remote port {}{}", r.name, r.trtype,
		                   address(r.adrfam, r.traddr, r.trsvcid), r.portid,
		                   r.enabled ? "" : "  disabled"));
	if (!p.ana_groups.empty()) {
		branch(out, depth + 1, "ana_groups");
		for (const auto &g : p.ana_groups)
			branch(out, depth + 2, fmt::format("{}  {}", g.grpid, g.state));
	}
}

void subsystem_branch(std::string &out, int depth, const cfs::Subsystem &s,
                      const std::vector<cfs::Port> &ports)
{
	const auto on = exported_on(s.nqn, ports);
	branch(out, depth,
	       fmt::format("{}  {}  ports: {}", s.nqn, s.allow_any_host ? "any host" : "allowed hosts only",
	                   on.empty() ? std::string("-") : fmt::format("{}", fmt::join(on, ", "))));
	branch(out, depth + 1, "allowed_hosts");
	for (const auto &h : s.allowed_hosts)
		branch(out, depth + 2, h);
	branch(out, depth + 1, "namespaces");
	for (const auto &ns : s.namespaces)
		branch(out, depth + 2,
		       fmt::format("{}  {}  {}", ns.nsid, ns.device_path,
		                   ns.enabled ? "enabled" : "disabled"));
}

} // namespace

std::string address(const std::string &adrfam, const std::string &traddr, const std::string &trsvcid)
{
	const std::string addr = adrfam == "ipv6" ? "[" + traddr + "]" : traddr;
	return trsvcid.empty() ? addr : addr + ":" + trsvcid;
}

json subsystem_json(const cfs::Subsystem &s, const std::vector<cfs::Port> &ports)
{
	json nss = json::array();
	for (const auto &ns : s.namespaces)
		nss.push_back({{"nsid", ns.nsid}, {"device_path", ns.device_path}, {"enabled", ns.enabled}});
	return {{"nqn", s.nqn},
	        {"allow_any_host", s.allow_any_host},
	        {"allowed_hosts", s.allowed_hosts},
	        {"namespaces", nss},
	        {"ports", exported_on(s.nqn, ports)}};
}

json port_json(const cfs::Port &p)
{
	json refs = json::array();
	for (const auto &r : p.referrals)
		refs.push_back({{"name", r.name},
		                {"trtype", r.trtype},
		                {"adrfam", r.adrfam},
		                {"traddr", r.traddr},
		                {"trsvcid", r.trsvcid},
		                {"portid", r.portid},
		                {"enabled", r.enabled}});
	json groups = json::array();
	for (const auto &g : p.ana_groups)
		groups.push_back({{"grpid", g.grpid}, {"state", g.state}});
	return {{"portid", p.portid}, {"trtype", p.trtype},        {"adrfam", p.adrfam},
	        {"traddr", p.traddr}, {"trsvcid", p.trsvcid},      {"tsas", p.tsas},
	        {"treq", p.treq},     {"tls", p.tsas == "tls1.3"}, {"subsystems", p.subsystems},
	        {"referrals", refs},  {"ana_groups", groups}};
}

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

Result<Configuration> read_configuration(const cfs::Tree &tree)
{
	Configuration c;
	auto hosts = cfs::read_hosts(tree);
	if (!hosts)
		return hosts.error();
	auto ports = cfs::read_ports(tree);
	if (!ports)
		return ports.error();
	auto subs = cfs::read_subsystems(tree);
	if (!subs)
		return subs.error();
	c.hosts = *hosts;
	c.ports = *ports;
	c.subsystems = *subs;
	return c;
}

json configuration_json(const Configuration &c)
{
	json out = {{"hosts", json::array()}, {"ports", json::array()}, {"subsystems", json::array()}};
	for (const auto &h : c.hosts)
		out["hosts"].push_back(host_json(h, false));
	for (const auto &p : c.ports)
		out["ports"].push_back(port_json(p));
	for (const auto &s : c.subsystems)
		out["subsystems"].push_back(subsystem_json(s, c.ports));
	return out;
}

std::string tree_text(const Configuration &c)
{
	std::string out;
	branch(out, 0, "hosts");
	for (const auto &h : c.hosts)
		branch(out, 1, h.nqn);
	branch(out, 0, "ports");
	for (const auto &p : c.ports)
		port_branch(out, 1, p);
	branch(out, 0, "subsystems");
	for (const auto &s : c.subsystems)
		subsystem_branch(out, 1, s, c.ports);
	return out;
}

std::string port_text(const cfs::Port &p)
{
	std::string out;
	port_branch(out, 0, p);
	return out;
}

std::string subsystem_text(const cfs::Subsystem &s, const std::vector<cfs::Port> &ports)
{
	std::string out;
	subsystem_branch(out, 0, s, ports);
	return out;
}

} // namespace nvmet::ctl
