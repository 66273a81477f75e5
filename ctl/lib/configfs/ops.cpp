// SPDX-License-Identifier: GPL-2.0
#include "configfs/ops.hpp"

#include "auth/dhchap.hpp"
#include "configfs/check.hpp"
#include "common/integer.hpp"
#include "configfs/values.hpp"

#include <algorithm>
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

// ST with the object it was about and, for a refusal with errno ERR only,
// HINT (e.g. a name's format for EINVAL, not for a missing parent).
Status about_err(Status st, const std::string &object, int err, const std::string &hint)
{
	if (st || st.error().err == err)
		return about(std::move(st), object, hint);
	return about(std::move(st), object);
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
	if (auto st = check_nqn(nqn, "host"); !st)
		return st;
	if (tree.exists(dir))
		return exists_already(tree, dir, "host " + nqn);
	return about_err(tree.mkdir(dir), "host " + nqn, EINVAL,
	                 "the kernel refused the NQN: check the kernel log");
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

// --- DH-HMAC-CHAP of hosts

namespace {

// The host exists and has the DH-HMAC-CHAP attributes.
Status host_with_dhchap(const Tree &tree, const std::string &nqn)
{
	const auto dir = fs::path("hosts") / nqn;
	const std::string obj = "host " + nqn;
	if (!tree.exists(dir))
		return missing(tree, dir, obj, "create it first with 'nvmetctl host add'");
	for (const char *f : {"dhchap_key", "dhchap_ctrl_key", "dhchap_hash", "dhchap_dhgroup"})
		if (!tree.exists(dir / f))
			return missing(
			        tree, dir / f, obj,
			        "this target has no in-band authentication (DH-HMAC-CHAP): load an nvmet "
			        "module built with it (in-tree: CONFIG_NVME_TARGET_AUTH)");
	return ok();
}

// Removes the secret in FILE. nvmet-oot takes an empty line; the in-tree
// nvmet refuses that (EINVAL) and takes a lone NUL byte instead (a write
// of nothing never reaches the kernel). Read back to be sure it is gone.
Status clear_secret(const Tree &tree, const fs::path &file, const std::string &obj)
{
	auto st = write_secret(tree, file, "\n");
	if (!st && st.error().err == EINVAL)
		st = write_secret(tree, file, std::string_view("\0", 1));
	if (!st)
		return about(st, obj);
	auto left = tree.read(file);
	if (!left)
		return about(Status(left.error()), obj);
	if (!left->empty()) {
		Error e{"remove the key in", tree.abs(file)};
		e.context = obj;
		e.hint = "the kernel kept it: check the kernel log";
		return e;
	}
	return ok();
}

// FILE back to VALUE (a secret when SECRET), best effort: for undoing.
void put_back(const Tree &tree, const fs::path &file, const std::string &value, bool secret,
              const std::string &obj)
{
	if (secret && value.empty())
		(void)clear_secret(tree, file, obj);
	else if (secret)
		(void)write_secret(tree, file, value);
	else
		(void)tree.write(file, value);
}

Error bad_value(const std::string &obj, const std::string &what, const std::string &hint)
{
	Error e{"use", {}, 0, what};
	e.context = obj;
	e.hint = hint;
	return e;
}

} // namespace

Status host_set_key(const Tree &tree, const HostKeySpec &spec)
{
	const auto dir = fs::path("hosts") / spec.nqn;
	const std::string obj = "host " + spec.nqn;
	if (auto st = host_with_dhchap(tree, spec.nqn); !st)
		return st;
	if (!spec.key && !spec.ctrl_key && !spec.hash && !spec.dhgroup) {
		Error e{"set", {}, 0, "a key"};
		e.context = obj;
		e.hint = "nothing given: give --key, --key-file, --ctrl-key, --hash or --dhgroup";
		return e;
	}

	// Everything is checked before the first write.
	std::optional<std::string> hash, dhgroup;
	if (spec.hash && !(hash = auth::hash_name(*spec.hash)))
		return bad_value(
		        obj, "the hash '" + *spec.hash + "'",
		        "hashes: hmac(sha256), the default, hmac(sha384), hmac(sha512); sha384 stands for "
		        "hmac(sha384)");
	if (spec.dhgroup && !(dhgroup = auth::dhgroup_name(*spec.dhgroup)))
		return bad_value(
		        obj, "the DH group '" + *spec.dhgroup + "'",
		        "groups: null (no Diffie-Hellman exchange, the default), ffdhe2048, ffdhe3072, "
		        "ffdhe4096, ffdhe6144, ffdhe8192");
	if (spec.key)
		if (auto k = auth::parse_secret(*spec.key, "the DH-HMAC-CHAP key"); !k)
			return about(Status(k.error()), obj);
	if (spec.ctrl_key)
		if (auto k = auth::parse_secret(*spec.ctrl_key, "the DH-HMAC-CHAP controller key"); !k)
			return about(Status(k.error()), obj);
	if (spec.ctrl_key && !spec.key) {
		auto cur = tree.read(dir / "dhchap_key");
		if (!cur)
			return about(Status(cur.error()), obj);
		if (cur->empty())
			return bad_value(
			        obj, "a controller key alone",
			        "bidirectional authentication needs the host's key too: give --key as well");
	}

	// In this order, each with what it held before (to put back).
	struct Change {
		const char *file;
		std::string value;
		bool secret;
		std::string before;
	};
	std::vector<Change> changes;
	auto want = [&](const char *file, const std::optional<std::string> &value, bool secret) -> Status {
		if (!value)
			return ok();
		auto cur = tree.read(dir / file);
		if (!cur)
			return about(Status(cur.error()), obj);
		changes.push_back({file, *value, secret, *cur});
		return ok();
	};
	for (auto st : {want("dhchap_hash", hash, false), want("dhchap_dhgroup", dhgroup, false),
	                want("dhchap_key", spec.key, true), want("dhchap_ctrl_key", spec.ctrl_key, true)})
		if (!st)
			return st;
	for (std::size_t i = 0; i < changes.size(); i++) {
		const auto &c = changes[i];
		const auto file = dir / c.file;
		auto st = c.secret ? write_secret(tree, file, c.value) : tree.write(file, c.value);
		if (!st) {
			for (std::size_t j = i; j-- > 0;)
				put_back(tree, dir / changes[j].file, changes[j].before, changes[j].secret,
				         obj);
			return about(st, obj,
			             c.secret ? "the kernel refused the key: check the kernel log"
			                      : "the kernel lacks that algorithm: check the kernel log");
		}
	}
	return ok();
}

Status host_clear_key(const Tree &tree, const std::string &nqn, bool ctrl_only)
{
	const auto dir = fs::path("hosts") / nqn;
	const std::string obj = "host " + nqn;
	if (auto st = host_with_dhchap(tree, nqn); !st)
		return st;
	if (auto st = clear_secret(tree, dir / "dhchap_ctrl_key", obj); !st)
		return st;
	return ctrl_only ? ok() : clear_secret(tree, dir / "dhchap_key", obj);
}

// --- subsystems

Status subsystem_add(const Tree &tree, const SubsystemSpec &spec)
{
	const auto dir = subsys_dir(spec.nqn);
	const std::string obj = "subsystem " + spec.nqn;
	if (auto st = check_nqn(spec.nqn, "subsystem"); !st)
		return st;
	if (tree.exists(dir))
		return exists_already(tree, dir, obj);
	if (auto st = about_err(tree.mkdir(dir), obj, EINVAL,
	                        "the kernel refused the NQN: check the kernel log");
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
	return about_err(tree.write(file, value), obj, EINVAL,
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
	const auto link = subsys_dir(nqn) / "allowed_hosts" / host;
	if (tree.exists(link)) {
		Error e = exists_already(tree, link, obj);
		e.hint = "that host is allowed already";
		return e;
	}
	return about_err(
	        tree.link(fs::path("hosts") / host, link), obj, EINVAL,
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
	if (auto st = about_err(tree.mkdir(dir), obj, EINVAL, "a namespace ID is 1 to 4294967294"); !st)
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

namespace {

// SPEC with TLS spelled out (tsas, treq) and treq as configfs takes it;
// an error for what the kernel would refuse.
Result<PortSpec> port_security(PortSpec spec)
{
	const std::string obj = fmt::format("port {}", spec.portid);
	auto refuse = [&](const std::string &what, const std::string &hint) {
		Error e{"use", {}, 0, what};
		e.context = obj;
		e.hint = hint;
		return e;
	};
	if (spec.treq) {
		std::replace(spec.treq->begin(), spec.treq->end(), '-', ' ');
		if (!values::treqs.count(*spec.treq))
			return refuse("--treq '" + *spec.treq + "'",
			              "values: required, not-required, not-specified");
	}
	if (spec.tsas && spec.trtype == "tcp" && !values::tcp_tsas.count(*spec.tsas))
		return refuse("--tsas '" + *spec.tsas + "'",
		              "a TCP port takes none or tls1.3 (or use --tls)");
	if (spec.tls) {
		if (spec.trtype != "tcp")
			return refuse("--tls with --trtype " + spec.trtype, "TLS is for TCP ports only");
		if (spec.tsas && *spec.tsas != "tls1.3")
			return refuse("--tls with --tsas " + *spec.tsas,
			              "--tls means tsas tls1.3: drop --tsas");
		spec.tsas = "tls1.3";
		if (!spec.treq)
			spec.treq = "required";
	}
	if (spec.tsas == "tls1.3" && spec.treq == "not specified")
		return refuse(
		        "TLS with treq 'not specified'",
		        "a TLS port takes --treq required (TLS hosts only, the default) or not-required "
		        "(hosts without TLS too)");
	return spec;
}

// The port of SPEC, checked, made and set up; undone if the kernel refuses.
Status port_create(const Tree &tree, const PortSpec &spec)
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
	// trtype first: it decides how tsas and treq are read; tsas then makes
	// treq "required" for TLS, and treq says what it should be.
	auto tsas = [&] {
		return spec.tsas ? about(tree.write(dir / "addr_tsas", *spec.tsas), obj,
		                         *spec.tsas == "tls1.3"
		                                 ? "the kernel refused TLS: nvmet-tcp needs TLS support "
		                                   "(CONFIG_NVME_TARGET_TCP_TLS) and the NVMe keyring "
		                                   "(nvme-keyring, loaded before the port was made); see the "
		                                   "kernel log"
		                                 : "")
		                 : ok();
	};
	return steps({write("addr_trtype", spec.trtype), write("addr_adrfam", spec.adrfam),
	              write("addr_traddr", spec.traddr), write("addr_trsvcid", spec.trsvcid), tsas,
	              write("addr_treq", spec.treq),
	              write("param_inline_data_size", num(spec.inline_data_size)),
	              write("param_max_queue_size", num(spec.max_queue_size))},
	             [&] { (void)tree.rmdir(dir); });
}

} // namespace

Status port_add(const Tree &tree, const PortSpec &spec)
{
	PortSpec full = spec;
	const bool ip = spec.trtype == "tcp" || spec.trtype == "rdma";
	// "[::1]" as 'nvmetctl show' prints IPv6 addresses: configfs takes "::1".
	if (ip && full.traddr.size() > 2 && full.traddr.front() == '[' && full.traddr.back() == ']')
		full.traddr = full.traddr.substr(1, full.traddr.size() - 2);
	if (full.adrfam.empty())
		full.adrfam = guess_adrfam(full.trtype, full.traddr);
	if (ip && full.traddr.empty())
		full.traddr = full.adrfam == "ipv6" ? "::" : "0.0.0.0";
	if (ip && full.trsvcid.empty())
		full.trsvcid = std::string(default_trsvcid);
	if (auto st = check_address({full.trtype, full.adrfam, full.traddr, full.trsvcid},
	                            fmt::format("port {}", spec.portid));
	    !st)
		return st;
	auto checked = port_security(full);
	if (!checked)
		return checked.error();
	return port_create(tree, *checked);
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
	if (tree.exists(port_dir(portid) / "subsystems" / subsys)) {
		Error e = exists_already(tree, port_dir(portid) / "subsystems" / subsys, obj);
		e.hint = "the port exports that subsystem already";
		return e;
	}
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
		if (auto st = about_err(tree.mkdir(dir), obj, EINVAL, "ANA groups are 1 to 128"); !st)
			return st;
	auto st = about_err(tree.write(dir / "ana_state", state), obj, EINVAL,
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
	if (auto st = check_address({spec.trtype, spec.adrfam, spec.traddr, spec.trsvcid}, obj); !st)
		return st;
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
