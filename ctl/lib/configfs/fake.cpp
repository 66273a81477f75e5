// SPDX-License-Identifier: GPL-2.0
#include "configfs/fake.hpp"
#include "auth/dhchap.hpp"
#include "common/integer.hpp"
#include "configfs/values.hpp"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace nvmet::configfs {

namespace fs = std::filesystem;

namespace {

struct FileSpec {
	const char *name;
	mode_t mode;
	const char *value;
};

// What mkdir makes for each kind of object: attribute files and default groups.
enum class Kind { host, subsystem, ns, port, referral, ana_group, none };

const std::vector<FileSpec> subsystem_files = {
        {"attr_allow_any_host", 0644, "0"},
        {"attr_version", 0644, "2.1"},
        {"attr_serial", 0644, "6f1b2c3d4e5f6a7b"},
        {"attr_cntlid_min", 0644, "1"},
        {"attr_cntlid_max", 0644, "65519"},
        {"attr_vendor_id", 0644, "0x0"},
        {"attr_subsys_vendor_id", 0644, "0x0"},
        {"attr_model", 0644, "Linux"},
        {"attr_qid_max", 0644, "128"},
        {"attr_ieee_oui", 0644, "0x000000"},
        {"attr_firmware", 0644, "7.2.13"},
        {"attr_pi_enable", 0644, "0"},
};
const std::vector<FileSpec> passthru_files = {
        {"device_path", 0644, ""}, {"enable", 0644, "0"},    {"admin_timeout", 0644, "0"},
        {"io_timeout", 0644, "0"}, {"clear_ids", 0644, "1"}, {"forward_all_admin", 0644, "0"},
};
const std::vector<FileSpec> ns_files = {
        {"device_path", 0644, ""},
        {"device_nguid", 0644, "00000000-0000-0000-0000-000000000000"},
        {"device_uuid", 0644, "0b8d6f3e-6a1f-4d7e-9c55-3f2a1e0d0001"},
        {"ana_grpid", 0644, "1"},
        {"enable", 0644, "0"},
        {"buffered_io", 0644, "0"},
        {"revalidate_size", 0200, ""},
        {"resv_enable", 0644, "0"},
        {"resv_ptpl_file", 0644, ""},
};
const std::vector<FileSpec> port_files = {
        {"addr_adrfam", 0644, ""},
        {"addr_treq", 0644, "not specified"},
        {"addr_traddr", 0644, ""},
        {"addr_trsvcid", 0644, ""},
        {"addr_trtype", 0644, ""},
        {"addr_tsas", 0644, ""}, // as the transport type says; none for TCP
        {"param_inline_data_size", 0644, "-1"},
        {"param_max_queue_size", 0644, "-1"},
        {"param_mdts", 0644, "-1"},
        {"param_pi_enable", 0644, "0"},
};
const std::vector<FileSpec> host_dhchap_files = {
        {"dhchap_key", 0600, ""},
        {"dhchap_ctrl_key", 0600, ""},
        {"dhchap_hash", 0644, "hmac(sha256)"},
        {"dhchap_dhgroup", 0644, "null"},
};
const std::vector<FileSpec> referral_files = {
        {"addr_adrfam", 0644, ""}, {"addr_portid", 0644, "0"}, {"addr_treq", 0644, "not specified"},
        {"addr_traddr", 0644, ""}, {"addr_trsvcid", 0644, ""}, {"addr_trtype", 0644, ""},
        {"enable", 0644, "0"},
};

using values::adrfams;
using values::ana_states;
using values::treqs;
using values::trtypes;

std::vector<std::string> parts(const fs::path &rel)
{
	std::vector<std::string> out;
	for (const auto &p : rel.lexically_normal())
		if (!p.empty() && p != ".")
			out.push_back(p.string());
	return out;
}

// What the kernel's kstrto*(s, 0, ...) takes: 0x hex, 0 octal, in [LO, HI].
bool number(const std::string &s, long long lo, long long hi)
{
	return parse_int(s, lo, hi, Base::prefixed).ok();
}

Kind kind_of(const std::vector<std::string> &p)
{
	if (p.size() == 2 && p[0] == "hosts")
		return Kind::host;
	if (p.size() == 2 && p[0] == "subsystems")
		return Kind::subsystem;
	if (p.size() == 4 && p[0] == "subsystems" && p[2] == "namespaces")
		return Kind::ns;
	if (p.size() == 2 && p[0] == "ports")
		return Kind::port;
	if (p.size() == 4 && p[0] == "ports" && p[2] == "referrals")
		return Kind::referral;
	if (p.size() == 4 && p[0] == "ports" && p[2] == "ana_groups")
		return Kind::ana_group;
	return Kind::none;
}

void put(const fs::path &file, mode_t mode, const std::string &value)
{
	std::ofstream(file) << value << (mode & S_IRUSR ? "\n" : "");
	fs::permissions(file, static_cast<fs::perms>(mode), fs::perm_options::replace);
}

void make_dir(const fs::path &dir)
{
	fs::create_directory(dir);
	fs::permissions(dir, static_cast<fs::perms>(0755), fs::perm_options::replace);
}

void make_files(const fs::path &dir, const std::vector<FileSpec> &files)
{
	for (const auto &f : files)
		put(dir / f.name, f.mode, f.value);
}

Error fail(const char *op, const fs::path &p, int err, std::string detail = {})
{
	return Error{op, p, err, std::move(detail)};
}

bool has_entries(const fs::path &dir)
{
	std::error_code ec;
	return fs::exists(dir, ec) && !fs::is_empty(dir, ec);
}

} // namespace

FakeTree::FakeTree(fs::path root, FakeFeatures features) : Tree(std::move(root)), features_(features)
{
	for (const char *d : {"hosts", "ports", "subsystems"})
		make_dir(abs(d));
	if (!exists("discovery_nqn"))
		put(abs("discovery_nqn"), 0644, "nqn.2014-08.org.nvmexpress.discovery");
}

void FakeTree::refuse(const fs::path &rel, int err)
{
	refusals_[rel.lexically_normal().string()] = err;
}

Status FakeTree::record(const char *op, const fs::path &rel) const
{
	const auto name = rel.lexically_normal().string();
	ops_.push_back(std::string(op) + " " + name);
	auto it = refusals_.find(name);
	if (it == refusals_.end())
		return ok();
	const int err = it->second;
	refusals_.erase(it);
	return fail(op, abs(rel), err);
}

Status FakeTree::mkdir(const fs::path &rel) const
{
	if (auto st = record("mkdir", rel); !st)
		return st;
	const auto p = parts(rel);
	const auto dir = abs(rel);
	const Kind k = kind_of(p);
	if (k == Kind::none || !is_dir(fs::path(rel).parent_path()))
		return fail("create", dir, k == Kind::none ? EPERM : ENOENT);
	if (exists(rel))
		return fail("create", dir, EEXIST);
	switch (k) {
	case Kind::subsystem:
		if (p[1].size() > 223 || p[1] == "nqn.2014-08.org.nvmexpress.discovery")
			return fail("create", dir, EINVAL);
		break;
	case Kind::ns:
		if (!number(p[3], 1, 0xfffffffeLL))
			return fail("create", dir, EINVAL);
		break;
	case Kind::port:
		if (!number(p[1], 0, 0xffff))
			return fail("create", dir, EINVAL);
		break;
	case Kind::ana_group:
		if (!number(p[3], 2, 128))
			return fail("create", dir, EINVAL);
		break;
	default:
		break;
	}
	make_dir(dir);
	switch (k) {
	case Kind::host:
		if (features_.dhchap)
			make_files(dir, host_dhchap_files);
		break;
	case Kind::subsystem:
		make_files(dir, subsystem_files);
		for (const char *d : {"namespaces", "allowed_hosts", "passthru"})
			make_dir(dir / d);
		make_files(dir / "passthru", passthru_files);
		break;
	case Kind::ns:
		make_files(dir, ns_files);
		break;
	case Kind::port:
		make_files(dir, port_files);
		for (const char *d : {"subsystems", "referrals", "ana_groups", "ana_groups/1"})
			make_dir(dir / d);
		put(dir / "ana_groups/1/ana_state", 0644, "optimized");
		break;
	case Kind::referral:
		make_files(dir, referral_files);
		break;
	case Kind::ana_group:
		put(dir / "ana_state", 0644, "inaccessible");
		break;
	default:
		break;
	}
	return ok();
}

Status FakeTree::rmdir(const fs::path &rel) const
{
	if (auto st = record("rmdir", rel); !st)
		return st;
	const auto p = parts(rel);
	const auto dir = abs(rel);
	const Kind k = kind_of(p);
	if (!is_dir(rel))
		return fail("remove", dir, ENOENT);
	if (k == Kind::none || (k == Kind::ana_group && p[3] == "1"))
		return fail("remove", dir, EPERM); // a default group
	// User-made children (objects or links) keep the object.
	const std::vector<const char *> groups =
	        k == Kind::subsystem ? std::vector<const char *>{"namespaces", "allowed_hosts"}
	        : k == Kind::port    ? std::vector<const char *>{"subsystems", "referrals"}
	                             : std::vector<const char *>{};
	for (const char *g : groups)
		if (has_entries(dir / g))
			return fail("remove", dir, ENOTEMPTY);
	if (k == Kind::port) {
		auto grps = list(rel / "ana_groups");
		if (grps && grps->size() > 1)
			return fail("remove", dir, ENOTEMPTY);
	}
	std::error_code ec;
	fs::remove_all(dir, ec);
	if (ec)
		return fail("remove", dir, ec.value());
	return ok();
}

Status FakeTree::link(const fs::path &target, const fs::path &link) const
{
	if (auto st = record("link", link); !st)
		return st;
	const auto lp = parts(link), tp = parts(target);
	const auto l = abs(link);
	const bool port_link = lp.size() == 4 && lp[0] == "ports" && lp[2] == "subsystems" &&
	                       tp.size() == 2 && tp[0] == "subsystems" && tp[1] == lp[3];
	const bool host_link = lp.size() == 4 && lp[0] == "subsystems" && lp[2] == "allowed_hosts" &&
	                       tp.size() == 2 && tp[0] == "hosts" && tp[1] == lp[3];
	if (!port_link && !host_link)
		return fail("link", l, EPERM, "to " + abs(target).string() + " at");
	if (!is_dir(target) || !is_dir(fs::path(link).parent_path()))
		return fail("link", l, ENOENT, "to " + abs(target).string() + " at");
	if (exists(link))
		return fail("link", l, EEXIST, "to " + abs(target).string() + " at");
	if (host_link) {
		auto any = read(fs::path("subsystems") / lp[1] / "attr_allow_any_host");
		if (any && *any == "1")
			return fail("link", l, EINVAL, "to " + abs(target).string() + " at");
	} else {
		auto tr = read(fs::path("ports") / lp[1] / "addr_trtype");
		if (!tr || !trtypes.count(*tr))
			return fail("link", l, EINVAL, "to " + abs(target).string() + " at");
	}
	std::error_code ec;
	fs::create_directory_symlink(abs(target), l, ec);
	if (ec)
		return fail("link", l, ec.value());
	return ok();
}

Status FakeTree::unlink(const fs::path &rel) const
{
	if (auto st = record("unlink", rel); !st)
		return st;
	const auto p = parts(rel);
	const auto l = abs(rel);
	const bool linkdir = p.size() == 4 && ((p[0] == "ports" && p[2] == "subsystems") ||
	                                       (p[0] == "subsystems" && p[2] == "allowed_hosts"));
	if (!linkdir)
		return fail("unlink", l, EPERM);
	if (!fs::is_symlink(l))
		return fail("unlink", l, ENOENT);
	fs::remove(l);
	return ok();
}

Status FakeTree::write(const fs::path &rel, std::string_view value) const
{
	if (auto st = record("write", rel); !st)
		return st;
	const auto p = parts(rel);
	const auto file = abs(rel);
	const std::string what = "'" + std::string(value) + "' to";
	struct stat st {};
	if (p.empty() || ::lstat(file.c_str(), &st) < 0 || !S_ISREG(st.st_mode))
		return fail("write", file, ENOENT, what);
	if (!(st.st_mode & S_IWUSR))
		return fail("write", file, EACCES, what);
	if (value.empty())
		return ok(); // configfs passes no empty write on to nvmet
	std::string v(value);
	while (!v.empty() && v.back() == '\n')
		v.pop_back();
	const std::string &name = p.back();
	const std::vector<std::string> obj(p.begin(), p.end() - 1);
	const Kind k = kind_of(obj);
	auto einval = [&] { return fail("write", file, EINVAL, what); };

	if (k == Kind::port || k == Kind::referral) {
		const bool enabled =
		        k == Kind::port && has_entries(abs(fs::path(rel).parent_path() / "subsystems"));
		if (enabled && (name.rfind("addr_", 0) == 0 || name.rfind("param_", 0) == 0))
			return fail("write", file, EACCES, what);
		if ((name == "addr_trtype" && !trtypes.count(v)) ||
		    (name == "addr_adrfam" && !adrfams.count(v)) ||
		    (name == "addr_treq" && !treqs.count(v)) ||
		    (name == "addr_portid" && !number(v, 0, 0xffff)))
			return einval();
		if (name.rfind("param_", 0) == 0 && !number(v, -1, 0x7fffffff))
			return einval();
		if (k == Kind::port && (name == "addr_trtype" || name == "addr_tsas" || name == "addr_treq"))
			if (auto st = write_port_security(rel, name, v); !st)
				return st;
	}
	if (k == Kind::host)
		return write_host(rel, name, v);
	if (k == Kind::ana_group && name == "ana_state" && !ana_states.count(v))
		return einval();
	if (k == Kind::subsystem) {
		const fs::path dir = fs::path(rel).parent_path();
		if (name == "attr_allow_any_host") {
			if (v != "0" && v != "1")
				return einval();
			if (v == "1" && has_entries(abs(dir / "allowed_hosts")))
				return einval();
		}
		if (name == "attr_serial" && (v.empty() || v.size() > 20))
			return einval();
		if (name == "attr_model" && (v.empty() || v.size() > 40))
			return einval();
		if (name == "attr_qid_max" && !number(v, 1, 128))
			return einval();
		if (name == "attr_cntlid_min" || name == "attr_cntlid_max") {
			auto other = read(
			        dir / (name == "attr_cntlid_min" ? "attr_cntlid_max" : "attr_cntlid_min"));
			auto n = parse_int(v, 1, 0xffef, Base::prefixed);
			if (!n || !other)
				return einval();
			auto o = parse_int<long long>(*other, Base::prefixed);
			if (!o)
				return einval();
			if ((name == "attr_cntlid_min" && *n > *o) || (name == "attr_cntlid_max" && *n < *o))
				return einval();
		}
	}
	if (k == Kind::ns) {
		const fs::path dir = fs::path(rel).parent_path();
		auto en = read(dir / "enable");
		const bool enabled = en && *en == "1";
		// A namespace may move between ANA groups while enabled.
		if (enabled && name != "enable" && name != "revalidate_size" && name != "ana_grpid")
			return fail("write", file, EBUSY, what);
		if (name == "enable") {
			if (v != "0" && v != "1")
				return einval();
			auto path = read(dir / "device_path");
			if (v == "1" && (!path || path->empty()))
				return fail("write", file, ENOENT, what);
			std::error_code ec;
			if (v == "1" && features_.devices_must_exist && !fs::exists(*path, ec))
				return fail("write", file, ENOENT, what);
		}
		if (name == "ana_grpid" && !number(v, 1, 128))
			return einval();
		if (name == "resv_enable" && v != "0" && v != "1")
			return einval();
		if (name == "resv_ptpl_file" && !v.empty() && v.front() != '/')
			return einval();
	}
	if (!(st.st_mode & S_IRUSR))
		return ok(); // an action, like revalidate_size: nothing to keep
	std::ofstream(file, std::ios::trunc) << v << "\n";
	return ok();
}

// The transport type decides what addr_tsas takes; TLS decides which
// addr_treq values are allowed and makes "required" the default.
Status FakeTree::write_port_security(const fs::path &rel, const std::string &name, const std::string &v) const
{
	const fs::path dir = fs::path(rel).parent_path();
	const auto file = abs(rel);
	const std::string what = "'" + v + "' to";
	auto current = [&](const char *f) {
		auto r = read(dir / f);
		return r ? *r : std::string();
	};
	auto store = [&](const char *f, const std::string &value) { put(abs(dir / f), 0644, value); };
	if (name == "addr_trtype") {
		store("addr_tsas", v == "tcp" ? "none" : v == "rdma" ? "connected" : "");
		return ok();
	}
	const std::string trtype = current("addr_trtype");
	const std::string tsas = current("addr_tsas");
	if (name == "addr_treq")
		return trtype == "tcp" && tsas == "tls1.3" && v == "not specified"
		               ? fail("write", file, EINVAL, what)
		               : ok();
	// addr_tsas
	if (trtype == "rdma")
		return v == "connected" ? ok() : fail("write", file, EINVAL, what);
	if (trtype != "tcp" || !values::tcp_tsas.count(v) || (v == "tls1.3" && !features_.tls))
		return fail("write", file, EINVAL, what);
	const std::string treq = current("addr_treq");
	if (v != "tls1.3")
		store("addr_treq", "not specified");
	else if (treq == "not specified")
		store("addr_treq", "required");
	return ok();
}

// hosts/<nqn>/dhchap_*: the kernel's checks, and the names it shows.
Status FakeTree::write_host(const fs::path &rel, const std::string &name, const std::string &v) const
{
	const auto file = abs(rel);
	auto einval = [&](const std::string &what) { return fail("write", file, EINVAL, what); };
	auto store = [&](const std::string &value) {
		std::ofstream(file, std::ios::trunc) << value << "\n";
		return ok();
	};
	// nvmet looks names up by prefix: "hmac(sha256)\n" is hmac(sha256).
	auto lookup = [&](const auto &names) -> std::optional<std::string> {
		for (const auto n : names)
			if (v.compare(0, n.size(), n) == 0)
				return std::string(n);
		return std::nullopt;
	};
	if (name == "dhchap_key" || name == "dhchap_ctrl_key") {
		const auto first = v.find_first_not_of(std::string(" \t\n\0", 4));
		if (first == std::string::npos)
			return store(""); // no key: the host need not authenticate
		// nvmet takes "DHHC-1:<n>:" with n up to 3 and checks the rest at Connect.
		const std::string key = v.substr(first);
		const std::string head = "DHHC-1:";
		const auto colon = key.find(':', head.size());
		auto n = colon == std::string::npos
		                 ? Result<long long>(Error{})
		                 : parse_int(std::string_view(key).substr(head.size(), colon - head.size()),
		                             0, 3);
		if (key.compare(0, head.size(), head) != 0 || !n)
			return einval("a secret to");
		return store(key);
	}
	if (name == "dhchap_hash") {
		auto h = lookup(auth::hashes);
		return h ? store(*h) : einval("'" + v + "' to");
	}
	if (name == "dhchap_dhgroup") {
		auto g = lookup(auth::dhgroups);
		return g ? store(*g) : einval("'" + v + "' to");
	}
	return einval("'" + v + "' to");
}

} // namespace nvmet::configfs
