// SPDX-License-Identifier: GPL-2.0
#include "netlink/format.hpp"

#include <fmt/format.h>

namespace nvmet::netlink {
namespace {

using nlohmann::json;

json port_json(const Port &p)
{
	return {{"portid", p.port_id},
	        {"trtype", trtype_name(p.trtype)},
	        {"traddr", p.traddr},
	        {"trsvcid", p.trsvcid}};
}

// A value for key=value: bare when it is one plain word, else quoted.
std::string kv_value(const std::string &v)
{
	if (!v.empty() && v.find_first_of(" \t\"\\=\n") == std::string::npos)
		return v;
	std::string out = "\"";
	for (char c : v) {
		if (c == '"' || c == '\\')
			out += '\\';
		if (c == '\n') {
			out += "\\n";
			continue;
		}
		out += c;
	}
	return out + "\"";
}

// " auth=... tls=..." for what the module reports (version 2), else nothing.
std::string security_fields(const Ctrl &c)
{
	std::string out;
	if (c.auth)
		out += " auth=" + auth_name(*c.auth);
	if (c.tls)
		out += *c.tls ? " tls=yes" : " tls=no";
	return out;
}

std::string ctrl_fields(const Ctrl &c)
{
	return fmt::format("cntlid={} subsys={} host={} hostid={} addr={} port={} trtype={}{}{}", c.cntlid,
	                   kv_value(c.subsys_nqn), kv_value(c.host_nqn), kv_value(c.host_id),
	                   kv_value(c.host_traddr), c.port.port_id, trtype_name(c.port.trtype),
	                   c.discovery ? " discovery" : "", security_fields(c));
}

// An authentication failure carries the subsystem, host, controller, port,
// queue and reason only: no host ID, address or transport.
std::string auth_failure_fields(const Event &ev)
{
	std::string out =
	        fmt::format("cntlid={} subsys={} host={} port={}", ev.ctrl.cntlid,
	                    kv_value(ev.ctrl.subsys_nqn), kv_value(ev.ctrl.host_nqn), ev.ctrl.port.port_id);
	if (ev.qid)
		out += fmt::format(" qid={}", *ev.qid);
	if (ev.auth_reason)
		out += fmt::format(" reason={} code={:#04x}", auth_reason_name(*ev.auth_reason),
		                   *ev.auth_reason);
	return out;
}

std::string port_fields(const Port &p)
{
	return fmt::format("port={} trtype={} traddr={} trsvcid={}", p.port_id, trtype_name(p.trtype),
	                   kv_value(p.traddr), kv_value(p.trsvcid));
}

std::string ns_fields(const Ns &n)
{
	return fmt::format("subsys={} nsid={} device={} size={}", kv_value(n.subsys_nqn), n.nsid,
	                   kv_value(n.device_path), n.size);
}

// The holder as shown: the host identifier, "all registrants" (types 5-6),
// "none" without a reservation, "?" when a holder is not reported.
std::string holder_text(const ResvState &s)
{
	if (s.type == 0)
		return "none";
	if (all_registrants(s.type))
		return "all registrants";
	return s.holder.empty() ? "?" : s.holder;
}

std::string key_hex(std::uint64_t key)
{
	return fmt::format("{:#018x}", key);
}

// " gen=4 type=\"Write Exclusive\" holder=... registrants=2 ptpl=no" for a
// namespace's reservation state; " resv=disabled" for a namespace without
// reservations, nothing when the module reports neither.
std::string resv_fields(const Ns &n)
{
	if (!n.resv || !n.resv->state)
		return n.resv && !n.resv->enabled ? " resv=disabled" : "";
	const auto &s = *n.resv->state;
	return fmt::format(" gen={} type={} holder={} registrants={} ptpl={}", s.generation,
	                   kv_value(resv_type_name(s.type)), kv_value(holder_text(s)), s.registrants.size(),
	                   s.ptpl ? "yes" : "no");
}

json resv_json(const Reservation &r)
{
	json o = {{"enabled", r.enabled}};
	if (!r.state)
		return o;
	const auto &s = *r.state;
	o["generation"] = s.generation;
	o["type"] = resv_type_name(s.type);
	o["rtype"] = s.type;
	// The holder's host identifier, or "all registrants" (types 5-6).
	if (all_registrants(s.type) || (s.type != 0 && !s.holder.empty()))
		o["holder"] = holder_text(s);
	o["ptpl"] = s.ptpl;
	json regs = json::array();
	for (const auto &reg : s.registrants)
		regs.push_back({{"hostid", reg.host_id}, {"key", key_hex(reg.key)}});
	o["registrants"] = regs;
	return o;
}

// The reservation lines of a namespace with reservations (resv_enable=1):
// its state, then one line per registrant; nothing for other namespaces.
std::string resv_text(const Ns &n)
{
	if (!n.resv || !n.resv->enabled)
		return "";
	if (!n.resv->state)
		return "    reservations: enabled\n";
	const auto &s = *n.resv->state;
	std::string out =
	        fmt::format("    reservation: {}  holder: {}  generation: {}  ptpl: {}  registrants: {}\n",
	                    resv_type_name(s.type), holder_text(s), s.generation, s.ptpl ? "yes" : "no",
	                    s.registrants.size());
	for (const auto &reg : s.registrants)
		out += fmt::format("      registrant: {}  key: {}\n", reg.host_id.empty() ? "?" : reg.host_id,
		                   key_hex(reg.key));
	return out;
}

// Label values: backslash, double quote and newline escaped.
std::string label(const std::string &v)
{
	std::string out;
	for (char c : v) {
		if (c == '\\' || c == '"')
			out += '\\';
		if (c == '\n') {
			out += "\\n";
			continue;
		}
		out += c;
	}
	return out;
}

struct Family {
	const char *name, *type, *help;
};

void family(std::string &out, const Family &f)
{
	out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", f.name, f.help, f.name, f.type);
}

// The per-class counters of one object, LABELS already formatted.
void stats_samples(std::string &out, const char *prefix, const std::string &labels, const Stats &s)
{
	const struct {
		const char *cls;
		std::uint64_t cmds, bytes, lat_ns;
	} rows[] = {{"read", s.read_cmds, s.read_bytes, s.read_lat_ns},
	            {"write", s.write_cmds, s.write_bytes, s.write_lat_ns},
	            {"other", s.other_cmds, 0, s.other_lat_ns}};
	for (const auto &r : rows)
		out += fmt::format("{}_commands_total{{{},class=\"{}\"}} {}\n", prefix, labels, r.cls,
		                   r.cmds);
	for (const auto &r : rows)
		if (std::string(r.cls) != "other")
			out += fmt::format("{}_bytes_total{{{},class=\"{}\"}} {}\n", prefix, labels, r.cls,
			                   r.bytes);
	for (const auto &r : rows)
		out += fmt::format("{}_latency_seconds_total{{{},class=\"{}\"}} {:.9f}\n", prefix, labels,
		                   r.cls, static_cast<double>(r.lat_ns) / 1e9);
	out += fmt::format("{}_errors_total{{{}}} {}\n", prefix, labels, s.errors);
}

} // namespace

json to_json(const Stats &s)
{
	return {{"read", {{"commands", s.read_cmds}, {"bytes", s.read_bytes}, {"latency_ns", s.read_lat_ns}}},
	        {"write",
	         {{"commands", s.write_cmds}, {"bytes", s.write_bytes}, {"latency_ns", s.write_lat_ns}}},
	        {"other", {{"commands", s.other_cmds}, {"latency_ns", s.other_lat_ns}}},
	        {"errors", s.errors}};
}

json status_json(const std::vector<Ctrl> &ctrls, const std::vector<Ns> &nss)
{
	json jc = json::array();
	for (const auto &c : ctrls) {
		json o = {
		        {"subsys", c.subsys_nqn}, {"cntlid", c.cntlid},          {"host", c.host_nqn},
		        {"hostid", c.host_id},    {"addr", c.host_traddr},       {"port", port_json(c.port)},
		        {"kato", c.kato},         {"io_queues", c.nr_io_queues}, {"discovery", c.discovery}};
		if (c.auth)
			o["auth"] = auth_name(*c.auth);
		if (c.tls)
			o["tls"] = *c.tls;
		if (c.stats)
			o["stats"] = to_json(*c.stats);
		jc.push_back(o);
	}
	json jn = json::array();
	for (const auto &n : nss) {
		json o = {{"subsys", n.subsys_nqn},
		          {"nsid", n.nsid},
		          {"device_path", n.device_path},
		          {"enabled", n.enabled},
		          {"size", n.size}};
		if (n.stats)
			o["stats"] = to_json(*n.stats);
		// Namespaces with reservations only (resv_enable=1).
		if (n.resv && n.resv->enabled)
			o["reservation"] = resv_json(*n.resv);
		jn.push_back(o);
	}
	return {{"controllers", jc}, {"namespaces", jn}};
}

std::string status_text(const std::vector<Ctrl> &ctrls, const std::vector<Ns> &nss)
{
	std::string out = fmt::format("controllers: {}\n", ctrls.size());
	for (const auto &c : ctrls) {
		// Authentication and TLS only when the module reports them.
		std::string security;
		if (c.auth)
			security += "  auth: " + auth_name(*c.auth);
		if (c.tls)
			security += *c.tls ? "  tls: yes" : "  tls: no";
		out += fmt::format(
		        "  {} ctrl {}{}  host {}  from {} via port {} ({})  {} I/O queues  kato {}s{}\n",
		        c.subsys_nqn, c.cntlid, c.discovery ? " (discovery)" : "", c.host_nqn,
		        c.host_traddr.empty() ? "?" : c.host_traddr, c.port.port_id,
		        trtype_name(c.port.trtype), c.nr_io_queues, c.kato, security);
		if (c.stats)
			out += fmt::format("    reads {} ({} B)  writes {} ({} B)  other {}  errors {}\n",
			                   c.stats->read_cmds, c.stats->read_bytes, c.stats->write_cmds,
			                   c.stats->write_bytes, c.stats->other_cmds, c.stats->errors);
	}
	out += fmt::format("namespaces: {}\n", nss.size());
	for (const auto &n : nss) {
		out += fmt::format("  {} nsid {}  {}  {}  {} B\n", n.subsys_nqn, n.nsid, n.device_path,
		                   n.enabled ? "enabled" : "disabled", n.size);
		if (n.stats) {
			auto mean_us = [](std::uint64_t ns, std::uint64_t cmds) {
				return cmds ? static_cast<double>(ns) / static_cast<double>(cmds) / 1000.0
				            : 0.0;
			};
			out += fmt::format(
			        "    reads {} ({} B, mean {:.1f} us)  writes {} ({} B, mean {:.1f} us)  "
			        "other {}  errors {}\n",
			        n.stats->read_cmds, n.stats->read_bytes,
			        mean_us(n.stats->read_lat_ns, n.stats->read_cmds), n.stats->write_cmds,
			        n.stats->write_bytes, mean_us(n.stats->write_lat_ns, n.stats->write_cmds),
			        n.stats->other_cmds, n.stats->errors);
		}
		out += resv_text(n);
	}
	return out;
}

std::string event_line(const Event &ev)
{
	switch (ev.kind) {
	case EventKind::ns_add:
	case EventKind::ns_remove:
	case EventKind::ns_resize:
		return fmt::format("{} {}", event_name(ev.kind), ns_fields(ev.ns));
	case EventKind::ns_resv:
		return fmt::format("{} subsys={} nsid={}{}", event_name(ev.kind), kv_value(ev.ns.subsys_nqn),
		                   ev.ns.nsid, resv_fields(ev.ns));
	case EventKind::port_enable:
	case EventKind::port_disable:
		return fmt::format("{} {}", event_name(ev.kind), port_fields(ev.port));
	case EventKind::ctrl_destroy: {
		std::string line = fmt::format("{} {}", event_name(ev.kind), ctrl_fields(ev.ctrl));
		if (ev.ctrl.stats)
			line += fmt::format(" reads={} writes={} errors={}", ev.ctrl.stats->read_cmds,
			                    ev.ctrl.stats->write_cmds, ev.ctrl.stats->errors);
		return line;
	}
	case EventKind::kato_expired:
		return fmt::format("{} {} kato={}", event_name(ev.kind), ctrl_fields(ev.ctrl), ev.ctrl.kato);
	case EventKind::auth_failure:
		return fmt::format("{} {}", event_name(ev.kind), auth_failure_fields(ev));
	case EventKind::unknown:
		return fmt::format("event {} (from a newer module; not decoded)", ev.cmd);
	default:
		return fmt::format("{} {}", event_name(ev.kind), ctrl_fields(ev.ctrl));
	}
}

std::string prometheus_text(const std::vector<Ctrl> &ctrls, const std::vector<Ns> &nss)
{
	std::string out;
	family(out, {"nvmet_controllers", "gauge", "Connected controllers (admin queue up)"});
	out += fmt::format("nvmet_controllers {}\n", ctrls.size());

	const Family ctrl_fams[] = {
	        {"nvmet_ctrl_commands_total", "counter", "Commands completed by a controller"},
	        {"nvmet_ctrl_bytes_total", "counter", "Data bytes read or written through a controller"},
	        {"nvmet_ctrl_latency_seconds_total", "counter", "Sum of command latencies of a controller"},
	        {"nvmet_ctrl_errors_total", "counter", "Commands of a controller completed with an error"},
	};
	const Family ns_fams[] = {
	        {"nvmet_ns_commands_total", "counter", "I/O commands completed on a namespace"},
	        {"nvmet_ns_bytes_total", "counter", "Data bytes read or written on a namespace"},
	        {"nvmet_ns_latency_seconds_total", "counter", "Sum of I/O command latencies on a namespace"},
	        {"nvmet_ns_errors_total", "counter", "I/O commands on a namespace completed with an error"},
	};
	// Families must not interleave: emit each family's samples together.
	std::string ctrl_samples, ns_samples;
	for (const auto &c : ctrls)
		if (c.stats)
			stats_samples(ctrl_samples, "nvmet_ctrl",
			              fmt::format("subsys=\"{}\",cntlid=\"{}\",host=\"{}\"",
			                          label(c.subsys_nqn), c.cntlid, label(c.host_nqn)),
			              *c.stats);
	for (const auto &n : nss)
		if (n.stats)
			stats_samples(ns_samples, "nvmet_ns",
			              fmt::format("subsys=\"{}\",nsid=\"{}\"", label(n.subsys_nqn), n.nsid),
			              *n.stats);
	auto regroup = [&](const Family(&fams)[4], const std::string &samples) {
		for (const auto &f : fams) {
			family(out, f);
			std::string prefix = std::string(f.name) + "{";
			size_t pos = 0;
			while (pos < samples.size()) {
				size_t eol = samples.find('\n', pos);
				if (samples.compare(pos, prefix.size(), prefix) == 0)
					out.append(samples, pos, eol - pos + 1);
				pos = eol + 1;
			}
		}
	};
	regroup(ctrl_fams, ctrl_samples);
	regroup(ns_fams, ns_samples);

	family(out, {"nvmet_ns_size_bytes", "gauge", "Namespace size (0 while disabled)"});
	for (const auto &n : nss)
		out += fmt::format("nvmet_ns_size_bytes{{subsys=\"{}\",nsid=\"{}\"}} {}\n",
		                   label(n.subsys_nqn), n.nsid, n.size);
	return out;
}

} // namespace nvmet::netlink
