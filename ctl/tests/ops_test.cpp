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
