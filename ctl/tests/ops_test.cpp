// SPDX-License-Identifier: GPL-2.0
// nvmetctl's object verbs against FakeTree.
#include <cerrno>

#include "catch.hpp"
#include "configfs/fake.hpp"
#include "configfs/model.hpp"
#include "configfs/ops.hpp"
#include "tmpdir.hpp"

using namespace nvmet::configfs;

namespace {

const std::string nqn = "nqn.2026-11.org.nvmet-oot:ops";
const std::string host = "nqn.2014-08.org.nvmexpress:uuid:1a2b3c4d-0000-4000-8000-000000000001";

std::string value(const Tree &tree, const std::filesystem::path &rel)
{
	auto v = tree.read(rel);
	return v ? *v : "<" + v.error().message() + ">";
}

PortSpec tcp_port(std::uint16_t id)
{
	PortSpec p;
	p.portid = id;
	p.trtype = "tcp";
	p.adrfam = "ipv4";
	p.traddr = "10.0.0.1";
	p.trsvcid = "4420";
	return p;
}

} // namespace

TEST_CASE("a subsystem with a namespace exported on a port, and taken down again", "[ops]")
{
	TmpDir t;
	FakeTree tree(t.path());
	SubsystemSpec s;
	s.nqn = nqn;
	s.serial = "0123456789";
	REQUIRE(subsystem_add(tree, s).ok());
	CHECK(value(tree, "subsystems/" + nqn + "/attr_serial") == "0123456789");
	CHECK(value(tree, "subsystems/" + nqn + "/attr_allow_any_host") == "0");

	NamespaceSpec ns;
	ns.subsys = nqn;
	ns.nsid = 3;
	ns.device_path = "/dev/loop3";
	ns.buffered_io = true;
	REQUIRE(namespace_add(tree, ns).ok());
	CHECK(value(tree, "subsystems/" + nqn + "/namespaces/3/enable") == "1");
	CHECK(value(tree, "subsystems/" + nqn + "/namespaces/3/buffered_io") == "1");
	REQUIRE(namespace_enable(tree, nqn, 3, false).ok());
	CHECK(value(tree, "subsystems/" + nqn + "/namespaces/3/enable") == "0");
	REQUIRE(namespace_enable(tree, nqn, 3, true).ok());
	REQUIRE(namespace_resize(tree, nqn, 3).ok());

	REQUIRE(port_add(tree, tcp_port(1)).ok());
	REQUIRE(port_link(tree, 1, nqn).ok());
	auto ports = read_ports(tree);
	REQUIRE(ports.ok());
	REQUIRE(ports->size() == 1);
	CHECK(ports->front().subsystems == std::vector<std::string>{nqn});

	// Enabled port: its address is fixed; the error says what to do.
	auto st = port_set(tree, 1, "addr_traddr", "10.0.0.2");
	REQUIRE_FALSE(st.ok());
	CHECK(st.error().err == EACCES);
	CHECK(st.error().message().find("unlink its subsystems first") != std::string::npos);

	// Deleting what is in use needs --force, and says why.
	auto busy = subsystem_del(tree, nqn, false);
	REQUIRE_FALSE(busy.ok());
	CHECK(busy.error().err == EBUSY);
	CHECK(busy.error().message().find("ports 1 export it") != std::string::npos);
	REQUIRE(subsystem_del(tree, nqn, true).ok());
	CHECK_FALSE(tree.exists("subsystems/" + nqn));
	CHECK_FALSE(tree.exists("ports/1/subsystems/" + nqn));
	REQUIRE(port_del(tree, 1, false).ok());
}

TEST_CASE("a failed namespace add leaves no half-made namespace", "[ops]")
{
	TmpDir t;
	FakeTree tree(t.path());
	SubsystemSpec s;
	s.nqn = nqn;
	REQUIRE(subsystem_add(tree, s).ok());
	NamespaceSpec ns;
	ns.subsys = nqn;
	ns.nsid = 1;
	ns.device_path = "/dev/loop0";
	ns.ana_grpid = 200; // out of range: the kernel refuses it
	auto st = namespace_add(tree, ns);
	REQUIRE_FALSE(st.ok());
	CHECK(st.error().err == EINVAL);
	CHECK(st.error().message().find("namespace 1 of subsystem " + nqn) != std::string::npos);
	CHECK_FALSE(tree.exists("subsystems/" + nqn + "/namespaces/1"));

	NamespaceSpec no_sub = ns;
	no_sub.subsys = "nqn.2026-11.org.nvmet-oot:none";
	auto m = namespace_add(tree, no_sub);
	REQUIRE_FALSE(m.ok());
	CHECK(m.error().err == ENOENT);
	CHECK(m.error().message().find("nvmetctl subsystem add") != std::string::npos);
}

TEST_CASE("hosts: allowed, refused while allow_any_host, removed with --force", "[ops]")
{
	TmpDir t;
	FakeTree tree(t.path());
	SubsystemSpec s;
	s.nqn = nqn;
	REQUIRE(subsystem_add(tree, s).ok());
	auto none = subsystem_allow_host(tree, nqn, host);
	REQUIRE_FALSE(none.ok());
	CHECK(none.error().message().find("nvmetctl host add") != std::string::npos);
	REQUIRE(host_add(tree, host).ok());
	CHECK(host_add(tree, host).error().err == EEXIST);
	REQUIRE(subsystem_allow_host(tree, nqn, host).ok());
	CHECK(subsystem_set(tree, nqn, "allow_any_host", "1").error().err == EINVAL);
	CHECK(host_del(tree, host, false).error().err == EBUSY);
	REQUIRE(host_del(tree, host, true).ok());
	CHECK_FALSE(tree.exists("subsystems/" + nqn + "/allowed_hosts/" + host));
	REQUIRE(subsystem_set(tree, nqn, "allow_any_host", "1").ok());
	CHECK(subsystem_set(tree, nqn, "no_such", "1").error().message().find("attributes:") !=
	      std::string::npos);
}

TEST_CASE("ANA groups and referrals of a port", "[ops]")
{
	TmpDir t;
	FakeTree tree(t.path());
	REQUIRE(port_add(tree, tcp_port(2)).ok());
	REQUIRE(ana_set(tree, 2, 1, "non-optimized").ok());
	CHECK(value(tree, "ports/2/ana_groups/1/ana_state") == "non-optimized");
	REQUIRE(ana_set(tree, 2, 5, "inaccessible").ok());
	CHECK(value(tree, "ports/2/ana_groups/5/ana_state") == "inaccessible");
	CHECK_FALSE(ana_set(tree, 2, 6, "sideways").ok());
	CHECK_FALSE(tree.exists("ports/2/ana_groups/6"));
	CHECK(ana_del(tree, 2, 1).error().err == EPERM);
	REQUIRE(ana_del(tree, 2, 5).ok());

	ReferralSpec r;
	r.portid = 2;
	r.name = "peer";
	r.trtype = "tcp";
	r.adrfam = "ipv4";
	r.traddr = "10.0.0.9";
	r.trsvcid = "4420";
	r.remote_portid = 7;
	REQUIRE(referral_add(tree, r).ok());
	CHECK(value(tree, "ports/2/referrals/peer/addr_portid") == "7");
	CHECK(value(tree, "ports/2/referrals/peer/enable") == "1");
	REQUIRE(port_del(tree, 2, false).ok()); // referrals and groups go with it
	CHECK_FALSE(tree.exists("ports/2"));

	PortSpec bad = tcp_port(3);
	bad.trtype = "smoke-signals";
	REQUIRE_FALSE(port_add(tree, bad).ok());
	CHECK_FALSE(tree.exists("ports/3"));
}

TEST_CASE("a namespace directory that is not a number is an error, not an exception", "[ops]")
{
	TmpDir t;
	FakeTree tree(t.path());
	SubsystemSpec s;
	s.nqn = nqn;
	REQUIRE(subsystem_add(tree, s).ok());
	t.dir("subsystems/" + nqn + "/namespaces/x1"); // behind the fake's back
	nvmet::Status st = nvmet::ok();
	REQUIRE_NOTHROW(st = subsystem_del(tree, nqn, true));
	REQUIRE_FALSE(st.ok());
	CHECK(st.error().message() == "subsystem " + nqn +
	                                      ": cannot parse the directory name 'x1' as a number in " +
	                                      (t.path() / "subsystems" / nqn / "namespaces").string());
}

namespace {

const std::string key_a = "DHHC-1:00:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n:";
const std::string key_b =
        "DHHC-1:02:FSIvPElWY3B9ipeksb7L2OXy/wwZJjNATVpndIGOm6i1ws/c6fYDEB0qN0RRXmt4Knz36A==:";

// The FakeTree of a kernel that refuses every write to one attribute (the
// in-tree target without the crypto for a DH group, say).
class RefusingTree : public FakeTree {
public:
	RefusingTree(std::filesystem::path root, std::string file)
	    : FakeTree(std::move(root)), file_(std::move(file))
	{}
	nvmet::Status write(const std::filesystem::path &rel, std::string_view value) const override
	{
		if (rel.filename() == file_)
			return nvmet::Error{"write", abs(rel), EINVAL, "a value to"};
		return FakeTree::write(rel, value);
	}

private:
	std::string file_;
};

} // namespace

TEST_CASE("host set-key: keys, hash and group written, state read back without secrets", "[ops][dhchap]")
{
	TmpDir t;
	FakeTree tree(t.path());
	REQUIRE(host_add(tree, host).ok());
	SubsystemSpec s;
	s.nqn = nqn;
	REQUIRE(subsystem_add(tree, s).ok());
	REQUIRE(subsystem_allow_host(tree, nqn, host).ok());
	HostKeySpec k{.nqn = host, .key = key_a, .hash = "sha384", .dhgroup = "ffdhe2048"};
	REQUIRE(host_set_key(tree, k).ok());
	const auto dir = "hosts/" + host + "/";
	CHECK(value(tree, dir + "dhchap_key") == key_a);
	CHECK(value(tree, dir + "dhchap_hash") == "hmac(sha384)");
	CHECK(value(tree, dir + "dhchap_dhgroup") == "ffdhe2048");
	REQUIRE(host_set_key(tree, HostKeySpec{.nqn = host, .ctrl_key = key_b}).ok());
	CHECK(value(tree, dir + "dhchap_ctrl_key") == key_b);
	CHECK(value(tree, dir + "dhchap_key") == key_a); // kept

	auto hosts = read_hosts(tree);
	REQUIRE(hosts);
	REQUIRE(hosts->size() == 1);
	const auto &h = hosts->front();
	REQUIRE(h.dhchap);
	CHECK(h.dhchap->key_set);
	CHECK(h.dhchap->ctrl_key_set);
	CHECK(h.dhchap->key.empty()); // not asked for
	CHECK(h.dhchap->hash == "hmac(sha384)");
	CHECK(h.allowed_by == std::vector<std::string>{nqn});
	auto secret = read_hosts(tree, true);
	REQUIRE(secret);
	CHECK(secret->front().dhchap->ctrl_key == key_b);

	REQUIRE(host_clear_key(tree, host, true).ok());
	CHECK(value(tree, dir + "dhchap_ctrl_key").empty());
	CHECK(value(tree, dir + "dhchap_key") == key_a);
	REQUIRE(host_clear_key(tree, host, false).ok());
	CHECK(value(tree, dir + "dhchap_key").empty());
	CHECK(value(tree, dir + "dhchap_hash") == "hmac(sha384)"); // settings stay
	CHECK_FALSE(read_hosts(tree)->front().dhchap->key_set);
}

TEST_CASE("host set-key: everything checked before the first write", "[ops][dhchap]")
{
	TmpDir t;
	FakeTree tree(t.path());
	REQUIRE(host_add(tree, host).ok());
	const auto dir = "hosts/" + host + "/";
	auto msg = [&](const HostKeySpec &k) {
		auto st = host_set_key(tree, k);
		return st ? std::string("ok") : st.error().message();
	};
	std::string bad = key_a;
	bad.pop_back(); // the trailing ':' lost
	CHECK(msg({.nqn = host, .key = bad, .hash = "sha512"}).find("does not end with ':'") !=
	      std::string::npos);
	CHECK(msg({.nqn = host, .key = bad}).find(bad.substr(10, 16)) == std::string::npos); // never the key
	CHECK(msg({.nqn = host, .key = key_a, .dhgroup = "ffdhe1024"}).find("groups: null") !=
	      std::string::npos);
	CHECK(msg({.nqn = host, .key = key_a, .hash = "md5"}).find("hashes:") != std::string::npos);
	CHECK(msg({.nqn = host, .ctrl_key = key_b}).find("needs the host's key too") != std::string::npos);
	CHECK(msg({.nqn = host}).find("nothing given") != std::string::npos);
	CHECK(msg({.nqn = "nqn.none", .key = key_a}).find("nvmetctl host add") != std::string::npos);
	// Nothing was written by any of them.
	CHECK(value(tree, dir + "dhchap_key").empty());
	CHECK(value(tree, dir + "dhchap_hash") == "hmac(sha256)");
}

TEST_CASE("host set-key: a refused step puts back what was written", "[ops][dhchap]")
{
	TmpDir t;
	RefusingTree tree(t.path(), "dhchap_ctrl_key");
	REQUIRE(host_add(tree, host).ok());
	const auto dir = "hosts/" + host + "/";
	REQUIRE(host_set_key(tree, HostKeySpec{.nqn = host, .key = key_b}).ok());
	auto st = host_set_key(tree,
	                       HostKeySpec{.nqn = host, .key = key_a, .ctrl_key = key_b, .hash = "sha512"});
	REQUIRE_FALSE(st);
	CHECK(st.error().message().find("host " + host) == 0);
	CHECK(st.error().message().find(key_b.substr(10, 16)) == std::string::npos);
	CHECK(value(tree, dir + "dhchap_key") == key_b);
	CHECK(value(tree, dir + "dhchap_hash") == "hmac(sha256)");
}

TEST_CASE("host keys on a target without DH-HMAC-CHAP: refused, saying so", "[ops][dhchap]")
{
	TmpDir t;
	FakeTree tree(t.path(), FakeFeatures{.dhchap = false});
	REQUIRE(host_add(tree, host).ok());
	auto st = host_set_key(tree, HostKeySpec{.nqn = host, .key = key_a});
	REQUIRE_FALSE(st);
	CHECK(st.error().message().find("no in-band authentication") != std::string::npos);
	CHECK_FALSE(host_clear_key(tree, host, false));
	auto hosts = read_hosts(tree);
	REQUIRE(hosts);
	CHECK_FALSE(hosts->front().dhchap);
}

TEST_CASE("port add --tls: tsas tls1.3 and treq required unless told otherwise", "[ops][tls]")
{
	TmpDir t;
	FakeTree tree(t.path());
	PortSpec p = tcp_port(1);
	p.tls = true;
	REQUIRE(port_add(tree, p).ok());
	CHECK(value(tree, "ports/1/addr_tsas") == "tls1.3");
	CHECK(value(tree, "ports/1/addr_treq") == "required");
	p = tcp_port(2);
	p.tls = true;
	p.treq = "not-required";
	REQUIRE(port_add(tree, p).ok());
	CHECK(value(tree, "ports/2/addr_treq") == "not required");
	auto ports = read_ports(tree);
	REQUIRE(ports);
	CHECK(ports->at(1).tsas == "tls1.3");
	CHECK(ports->at(1).treq == "not required");

	auto refused = [&](const PortSpec &spec, const char *why) {
		auto st = port_add(tree, spec);
		REQUIRE_FALSE(st);
		CHECK(st.error().message().find(why) != std::string::npos);
		CHECK_FALSE(tree.exists("ports/" + std::to_string(spec.portid)));
	};
	p = tcp_port(3);
	p.tls = true;
	p.trtype = "rdma";
	refused(p, "TLS is for TCP ports only");
	p = tcp_port(3);
	p.tls = true;
	p.treq = "not specified";
	refused(p, "--treq required");
	p = tcp_port(3);
	p.tls = true;
	p.tsas = "none";
	refused(p, "drop --tsas");
	p = tcp_port(3);
	p.treq = "maybe";
	refused(p, "values: required, not-required");

	TmpDir u;
	FakeTree no_tls(u.path(), FakeFeatures{.tls = false});
	p = tcp_port(4);
	p.tls = true;
	auto st = port_add(no_tls, p);
	REQUIRE_FALSE(st);
	CHECK(st.error().message().find("CONFIG_NVME_TARGET_TCP_TLS") != std::string::npos);
	CHECK_FALSE(no_tls.exists("ports/4"));
}

namespace {

// nvmet-oot as another user sees it: the key files are root's (0600).
class NotRoot : public FakeTree {
public:
	using FakeTree::FakeTree;
	nvmet::Result<std::string> read(const std::filesystem::path &rel) const override
	{
		if (rel.filename().string().find("_key") != std::string::npos)
			return nvmet::Error{"read", abs(rel), EACCES};
		return FakeTree::read(rel);
	}
};

} // namespace

TEST_CASE("hosts read without root: key state unknown, the rest shown, secrets refused", "[ops][dhchap]")
{
	TmpDir t;
	NotRoot tree(t.path());
	REQUIRE(host_add(tree, host).ok());
	auto hosts = read_hosts(tree);
	REQUIRE(hosts);
	REQUIRE(hosts->front().dhchap);
	CHECK_FALSE(hosts->front().dhchap->readable);
	CHECK_FALSE(hosts->front().dhchap->key_set);
	CHECK(hosts->front().dhchap->hash == "hmac(sha256)");
	auto secrets = read_hosts(tree, true);
	REQUIRE_FALSE(secrets);
	CHECK(secrets.error().err == EACCES);
}
