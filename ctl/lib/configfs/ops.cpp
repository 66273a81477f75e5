// SPDX-License-Identifier: GPL-2.0
#include "configfs/ops.hpp"

#include "common/integer.hpp"

#include <cerrno>
#include <functional>

#include <fmt/format.h>

namespace nvmet::configfs {

namespace fs = std::filesystem;

namespace {

fs::path subsys_dir(const std::string &nqn)
{
	return fs::path("subsystems") / nqn;
}
fs::path ns_dir(const std::string &nqn, std::uint32_t nsid)
{
	return subsys_dir(nqn) / "namespaces" / std::to_string(nsid);
}
fs::path port_dir(std::uint16_t id)
{
	return fs::path("ports") / std::to_string(id);
}

// ST with the object it was about and, when none is set, HINT.
Status about(Status st, const std::string &object, const std::string &hint = {})
{
	if (st)
		return st;
	Error e = st.error();
	e.context = object;
	if (e.hint.empty())
		e.hint = hint;
	return e;
}

Error missing(const Tree &tree, const fs::path &rel, const std::string &object, const std::string &hint)
{
	Error e{"find", tree.abs(rel), ENOENT};
	e.context = object;
	e.hint = hint;
	return e;
}

Error exists_already(const Tree &tree, const fs::path &rel, const std::string &object)
{
	Error e{"create", tree.abs(rel), EEXIST};
	e.context = object;
	return e;
}

// Runs STEPS in order; on the first failure runs UNDO (best effort) and
// returns that failure.
Status steps(std::initializer_list<std::function<Status()>> list, const std::function<void()> &undo)
{
	for (const auto &step : list) {
		if (auto st = step(); !st) {
			undo();
			return st;
		}
	}
	return ok();
}

// Ports that link NQN.
std::vector<std::string> ports_linking(const Tree &tree, const std::string &nqn)
{
	std::vector<std::string> out;
	if (auto ports = tree.list("ports"))
		for (const auto &p : *ports)
			if (tree.exists(fs::path("ports") / p / "subsystems" / nqn))
				out.push_back(p);
	return out;
}

std::string join(const std::vector<std::string> &v)
{
	std::string s;
	for (const auto &x : v)
		s += (s.empty() ? "" : ", ") + x;
	return s;
}

} // namespace

// --- hosts

Status host_add(const Tree &tree, const std::string &nqn)
{
	const auto dir = fs::path("hosts") / nqn;
	if (tree.exists(dir))
		return exists_already(tree, dir, "host " + nqn);
	return about(tree.mkdir(dir), "host " + nqn, "a host NQN is at most 223 bytes, without '/'");
}

Status host_del(const Tree &tree, const std::string &nqn, bool force)
{
	const auto dir = fs::path("hosts") / nqn;
	const std::string obj = "host " + nqn;
	if (!tree.exists(dir))
		return missing(tree, dir, obj, "'nvmetctl host list' shows the hosts");
	std::vector<std::string> users;
	if (auto subs = tree.list("subsystems"))
		for (const auto &s : *subs)
			if (tree.exists(subsys_dir(s) / "allowed_hosts" / nqn))
				users.push_back(s);
	if (!users.empty() && !force) {
		Error e{"remove", tree.abs(dir), EBUSY};
		e.context = obj;
		e.hint =
		        fmt::format("subsystems {} allow it: 'nvmetctl subsystem disallow' first, or --force",
		                    join(users));
		return e;
	}
	for (const auto &s : users)
		if (auto st = about(tree.unlink(subsys_dir(s) / "allowed_hosts" / nqn), obj); !st)
			return st;
	return about(tree.rmdir(dir), obj);
}

// --- subsystems

Status subsystem_add(const Tree &tree, const SubsystemSpec &spec)
{
	const auto dir = subsys_dir(spec.nqn);
	const std::string obj = "subsystem " + spec.nqn;
	if (tree.exists(dir))
		return exists_already(tree, dir, obj);
	if (auto st = about(tree.mkdir(dir), obj,
	                    "an NQN is at most 223 bytes, without '/', and not the discovery NQN");
	    !st)
		return st;
	auto set = [&](const char *attr, const std::optional<std::string> &v) {
		return [&tree, &dir, &obj, attr, v]() {
			return v ? about(tree.write(dir / (std::string("attr_") + attr), *v), obj) : ok();
		};
	};
	return steps(
	        {set("serial", spec.serial), set("model", spec.model), set("version", spec.version),
	         set("allow_any_host", spec.allow_any_host ? std::optional<std::string>("1") : std::nullopt)},
	        [&] { (void)tree.rmdir(dir); });
}

Status subsystem_del(const Tree &tree, const std::string &nqn, bool force)
{
	const auto dir = subsys_dir(nqn);
	const std::string obj = "subsystem " + nqn;
	if (!tree.exists(dir))
		return missing(tree, dir, obj, "'nvmetctl subsystem list' shows the subsystems");
	const auto ports = ports_linking(tree, nqn);
	auto nss = tree.list(dir / "namespaces");
	auto hosts = tree.list(dir / "allowed_hosts");
	if (!nss)
		return nss.error();
	if (!hosts)
		return hosts.error();
	if (!force && (!ports.empty() || !nss->empty())) {
		Error e{"remove", tree.abs(dir), EBUSY};
		e.context = obj;
		e.hint = ports.empty() ? fmt::format("it has namespaces {}: remove them first, or --force",
		                                     join(*nss))
		                       : fmt::format("ports {} export it: unlink it first, or --force",
		                                     join(ports));
		return e;
	}
	for (const auto &p : ports)
		if (auto st = about(tree.unlink(fs::path("ports") / p / "subsystems" / nqn), obj); !st)
			return st;
	for (const auto &n : *nss) {
		auto nsid = parse_int<std::uint32_t>(n);
		if (!nsid) {
			Error e{"parse", tree.abs(dir / "namespaces"), 0,
			        "the directory name '" + n + "' as a number in"};
			e.context = obj;
			return e;
		}
		if (auto st = namespace_del(tree, nqn, *nsid); !st)
			return st;
	}
	for (const auto &h : *hosts)
		if (auto st = about(tree.unlink(dir / "allowed_hosts" / h), obj); !st)
			return st;
	return about(tree.rmdir(dir), obj);
}

Status subsystem_set(const Tree &tree, const std::string &nqn, const std::string &attr,
                     const std::string &value)
{
	const auto dir = subsys_dir(nqn);
	const std::string obj = "subsystem " + nqn;
	if (!tree.exists(dir))
		return missing(tree, dir, obj, "'nvmetctl subsystem list' shows the subsystems");
	const auto file = dir / ("attr_" + attr);
	if (!tree.exists(file))
		return missing(
		        tree, file, obj,
		        "attributes: allow_any_host, serial, model, firmware, version, ieee_oui, cntlid_min, "
		        "cntlid_max, qid_max, vendor_id, subsys_vendor_id, pi_enable");
	return about(tree.write(file, value), obj,
	             attr == "allow_any_host" ? "allow_any_host=1 needs an empty allowed_hosts" : "");
}

Status subsystem_allow_host(const Tree &tree, const std::string &nqn, const std::string &host)
{
	const std::string obj = "subsystem " + nqn;
	if (!tree.exists(subsys_dir(nqn)))
		return missing(tree, subsys_dir(nqn), obj, "'nvmetctl subsystem list' shows the subsystems");
	if (!tree.exists(fs::path("hosts") / host))
		return missing(tree, fs::path("hosts") / host, "host " + host,
		               "create it first with 'nvmetctl host add'");
	return about(tree.link(fs::path("hosts") / host, subsys_dir(nqn) / "allowed_hosts" / host), obj,
	             "a subsystem with allow_any_host=1 takes no allowed hosts: set allow_any_host 0 first");
}

Status subsystem_disallow_host(const Tree &tree, const std::string &nqn, const std::string &host)
{
	const auto link = subsys_dir(nqn) / "allowed_hosts" / host;
	if (!tree.exists(link))
		return missing(tree, link, "subsystem " + nqn, "that host is not in its allowed_hosts");
	return about(tree.unlink(link), "subsystem " + nqn);
}

// --- namespaces

Status namespace_add(const Tree &tree, const NamespaceSpec &spec)
{
	const auto dir = ns_dir(spec.subsys, spec.nsid);
	const std::string obj = fmt::format("namespace {} of subsystem {}", spec.nsid, spec.subsys);
	if (!tree.exists(subsys_dir(spec.subsys)))
		return missing(tree, subsys_dir(spec.subsys), "subsystem " + spec.subsys,
		               "create it first with 'nvmetctl subsystem add'");
	if (tree.exists(dir))
		return exists_already(tree, dir, obj);
	if (auto st = about(tree.mkdir(dir), obj, "a namespace ID is 1 to 4294967294"); !st)
		return st;
	auto write = [&](const char *file, const std::optional<std::string> &v) {
		return [&tree, &dir, &obj, file, v]() {
			return v ? about(tree.write(dir / file, *v), obj) : ok();
		};
	};
	return steps({write("device_path", spec.device_path), write("device_uuid", spec.uuid),
	              write("device_nguid", spec.nguid),
	              write("ana_grpid", spec.ana_grpid
	                                         ? std::optional<std::string>(std::to_string(*spec.ana_grpid))
	                                         : std::nullopt),
	              write("buffered_io", spec.buffered_io ? std::optional<std::string>("1") : std::nullopt),
	              [&] {
		              return spec.enable
		                             ? about(tree.write(dir / "enable", "1"), obj,
		                                     "check that the device or file exists and is not in use")
		                             : ok();
	              }},
	             [&] { (void)tree.rmdir(dir); });
}

Status namespace_del(const Tree &tree, const std::string &subsys, std::uint32_t nsid)
{
	const auto dir = ns_dir(subsys, nsid);
	const std::string obj = fmt::format("namespace {} of subsystem {}", nsid, subsys);
	if (!tree.exists(dir))
		return missing(tree, dir, obj, "'nvmetctl subsystem list' shows the namespaces");
	if (auto en = tree.read(dir / "enable"); en && *en != "0")
		if (auto st = about(tree.write(dir / "enable", "0"), obj); !st)
			return st;
	return about(tree.rmdir(dir), obj);
}

Status namespace_enable(const Tree &tree, const std::string &subsys, std::uint32_t nsid, bool on)
{
	const auto dir = ns_dir(subsys, nsid);
	const std::string obj = fmt::format("namespace {} of subsystem {}", nsid, subsys);
	if (!tree.exists(dir))
		return missing(tree, dir, obj, "'nvmetctl subsystem list' shows the namespaces");
	return about(tree.write(dir / "enable", on ? "1" : "0"), obj,
	             on ? "check that its device_path exists and is not in use" : "");
}

Status namespace_resize(const Tree &tree, const std::string &subsys, std::uint32_t nsid)
{
	const auto dir = ns_dir(subsys, nsid);
	const std::string obj = fmt::format("namespace {} of subsystem {}", nsid, subsys);
	if (!tree.exists(dir))
		return missing(tree, dir, obj, "'nvmetctl subsystem list' shows the namespaces");
	return about(tree.write(dir / "revalidate_size", "1"), obj, "the namespace must be enabled");
}

// --- ports

Status port_add(const Tree &tree, const PortSpec &spec)
{
	const auto dir = port_dir(spec.portid);
	const std::string obj = fmt::format("port {}", spec.portid);
	if (tree.exists(dir))
		return exists_already(tree, dir, obj);
	if (auto st = about(tree.mkdir(dir), obj); !st)
		return st;
	auto write = [&](const char *file, const std::optional<std::string> &v) {
		return [&tree, &dir, &obj, file, v]() {
			return v ? about(tree.write(dir / file, *v), obj) : ok();
		};
	};
	auto num = [](const std::optional<int> &v) {
		return v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt;
	};
	// trtype first: it decides how tsas and treq are read.
	return steps({write("addr_trtype", spec.trtype), write("addr_adrfam", spec.adrfam),
	              write("addr_traddr", spec.traddr), write("addr_trsvcid", spec.trsvcid),
	              write("addr_tsas", spec.tsas), write("addr_treq", spec.treq),
	              write("param_inline_data_size", num(spec.inline_data_size)),
	              write("param_max_queue_size", num(spec.max_queue_size))},
	             [&] { (void)tree.rmdir(dir); });
}

Status port_del(const Tree &tree, std::uint16_t portid, bool force)
{
	const auto dir = port_dir(portid);
	const std::string obj = fmt::format("port {}", portid);
	if (!tree.exists(dir))
		return missing(tree, dir, obj, "'nvmetctl port list' shows the ports");
	auto subs = tree.list(dir / "subsystems");
	auto refs = tree.list(dir / "referrals");
	if (!subs)
		return subs.error();
	if (!refs)
		return refs.error();
	if (!force && !subs->empty()) {
		Error e{"remove", tree.abs(dir), EBUSY};
		e.context = obj;
		e.hint = fmt::format("it exports {}: 'nvmetctl port unlink' first, or --force", join(*subs));
		return e;
	}
	if (auto st = tree.each(
	            dir / "subsystems",
	            [&](const std::string &s) { return about(tree.unlink(dir / "subsystems" / s), obj); });
	    !st)
		return st;
	if (auto st = tree.each(
	            dir / "referrals",
	            [&](const std::string &r) { return about(tree.rmdir(dir / "referrals" / r), obj); });
	    !st)
		return st;
	if (tree.is_dir(dir / "ana_groups"))
		if (auto st = tree.each(dir / "ana_groups",
		                        [&](const std::string &g) {
			                        return g == "1" ? ok()
			                                        : about(tree.rmdir(dir / "ana_groups" / g),
			                                                obj);
		                        });
		    !st)
			return st;
	return about(tree.rmdir(dir), obj);
}

Status port_link(const Tree &tree, std::uint16_t portid, const std::string &subsys)
{
	const std::string obj = fmt::format("port {}", portid);
	if (!tree.exists(port_dir(portid)))
		return missing(tree, port_dir(portid), obj, "create it first with 'nvmetctl port add'");
	if (!tree.exists(subsys_dir(subsys)))
		return missing(tree, subsys_dir(subsys), "subsystem " + subsys,
		               "create it first with 'nvmetctl subsystem add'");
	return about(tree.link(subsys_dir(subsys), port_dir(portid) / "subsystems" / subsys), obj,
	             "linking enables the port: check its address, and the kernel log for why the transport "
	             "refused");
}

Status port_unlink(const Tree &tree, std::uint16_t portid, const std::string &subsys)
{
	const auto link = port_dir(portid) / "subsystems" / subsys;
	if (!tree.exists(link))
		return missing(tree, link, fmt::format("port {}", portid),
		               "that subsystem is not linked to it");
	return about(tree.unlink(link), fmt::format("port {}", portid));
}

Status port_set(const Tree &tree, std::uint16_t portid, const std::string &attr, const std::string &value)
{
	const auto dir = port_dir(portid);
	const std::string obj = fmt::format("port {}", portid);
	if (!tree.exists(dir))
		return missing(tree, dir, obj, "'nvmetctl port list' shows the ports");
	if (!tree.exists(dir / attr) || (attr.rfind("addr_", 0) != 0 && attr.rfind("param_", 0) != 0))
		return missing(tree, dir / attr, obj,
		               "attributes: addr_trtype, addr_adrfam, addr_traddr, addr_trsvcid, addr_treq, "
		               "addr_tsas, param_inline_data_size, param_max_queue_size, param_mdts, "
		               "param_pi_enable");
	auto subs = tree.list(dir / "subsystems");
	if (subs && !subs->empty()) {
		Error e{"write", tree.abs(dir / attr), EACCES, fmt::format("'{}' to", value)};
		e.context = obj;
		e.hint = fmt::format("the port is enabled (it exports {}): unlink its subsystems first",
		                     join(*subs));
		return e;
	}
	return about(tree.write(dir / attr, value), obj);
}

// --- ANA groups

Status ana_set(const Tree &tree, std::uint16_t portid, std::uint32_t grpid, const std::string &state)
{
	const auto dir = port_dir(portid) / "ana_groups" / std::to_string(grpid);
	const std::string obj = fmt::format("ANA group {} of port {}", grpid, portid);
	if (!tree.exists(port_dir(portid)))
		return missing(tree, port_dir(portid), fmt::format("port {}", portid),
		               "'nvmetctl port list' shows the ports");
	const bool made = !tree.exists(dir);
	if (made)
		if (auto st = about(tree.mkdir(dir), obj, "ANA groups are 1 to 128"); !st)
			return st;
	auto st = about(tree.write(dir / "ana_state", state), obj,
	                "states: optimized, non-optimized, inaccessible, persistent-loss, change");
	if (!st && made)
		(void)tree.rmdir(dir);
	return st;
}

Status ana_del(const Tree &tree, std::uint16_t portid, std::uint32_t grpid)
{
	const auto dir = port_dir(portid) / "ana_groups" / std::to_string(grpid);
	const std::string obj = fmt::format("ANA group {} of port {}", grpid, portid);
	if (grpid == 1) {
		Error e{"remove", tree.abs(dir), EPERM};
		e.context = obj;
		e.hint = "group 1 always exists; set its state instead";
		return e;
	}
	if (!tree.exists(dir))
		return missing(tree, dir, obj, "'nvmetctl port show' lists the groups");
	return about(tree.rmdir(dir), obj);
}

// --- referrals

Status referral_add(const Tree &tree, const ReferralSpec &spec)
{
	const auto dir = port_dir(spec.portid) / "referrals" / spec.name;
	const std::string obj = fmt::format("referral {} of port {}", spec.name, spec.portid);
	if (!tree.exists(port_dir(spec.portid)))
		return missing(tree, port_dir(spec.portid), fmt::format("port {}", spec.portid),
		               "create it first with 'nvmetctl port add'");
	if (tree.exists(dir))
		return exists_already(tree, dir, obj);
	if (auto st = about(tree.mkdir(dir), obj); !st)
		return st;
	auto write = [&](const char *file, const std::string &v) {
		return [&tree, &dir, &obj, file, v]() { return about(tree.write(dir / file, v), obj); };
	};
	return steps({write("addr_trtype", spec.trtype), write("addr_adrfam", spec.adrfam),
	              write("addr_traddr", spec.traddr), write("addr_trsvcid", spec.trsvcid),
	              write("addr_portid", std::to_string(spec.remote_portid)), write("enable", "1")},
	             [&] { (void)tree.rmdir(dir); });
}

Status referral_del(const Tree &tree, std::uint16_t portid, const std::string &name)
{
	const auto dir = port_dir(portid) / "referrals" / name;
	const std::string obj = fmt::format("referral {} of port {}", name, portid);
	if (!tree.exists(dir))
		return missing(tree, dir, obj, "'nvmetctl port show' lists the referrals");
	return about(tree.rmdir(dir), obj);
}

} // namespace nvmet::configfs
