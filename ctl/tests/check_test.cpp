// SPDX-License-Identifier: GPL-2.0
// What a value must look like before it reaches configfs (configfs/check.hpp),
// and port_add's defaults.
#include <string>

#include "catch.hpp"
#include "configfs/check.hpp"
#include "configfs/fake.hpp"
#include "configfs/model.hpp"
#include "configfs/ops.hpp"
#include "tmpdir.hpp"

using namespace nvmet::configfs;

namespace {

// The message of ST, or "ok".
std::string said(const nvmet::Status &st)
{
	return st ? "ok" : st.error().message();
}

bool contains(const std::string &s, const std::string &part)
{
	return s.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("NQNs in the specification's two forms pass, others say why not", "[check]")
{
	CHECK(check_nqn("nqn.2026-11.org.nvmet-oot:disk1", "subsystem"));
	CHECK(check_nqn("nqn.2014-08.org.nvmexpress:uuid:9f8e7d6c-0000-4000-8000-000000000001", "host"));
	CHECK(check_nqn("nqn.1992-01.com.example:a:b.c", "subsystem"));
	CHECK(contains(said(check_nqn("testnqn", "subsystem")), "does not start with nqn.YYYY-MM."));
	CHECK(contains(said(check_nqn("nqn.2026-13.com.example:x", "subsystem")), "month"));
	CHECK(contains(said(check_nqn("nqn.2026-11.com.example", "subsystem")), "no ':name'"));
	CHECK(contains(said(check_nqn("nqn.2026-11.:x", "subsystem")), "no reverse domain"));
	CHECK(contains(said(check_nqn("nqn.2026-11.com.exa_mple:x", "host")), "has a '_'"));
	CHECK(contains(said(check_nqn("nqn.2026-11.com.example:a/b", "host")), "'/'"));
	CHECK(contains(said(check_nqn("nqn.2026-11.com.example:a b", "host")), "white space"));
	CHECK(contains(said(check_nqn("nqn.2014-08.org.nvmexpress:uuid:1234", "host")), "not a UUID"));
	const std::string prefix = "nqn.2026-11.com.example:";
	CHECK(check_nqn(prefix + std::string(223 - prefix.size(), 'x'), "host"));
	CHECK(contains(said(check_nqn(prefix + std::string(224 - prefix.size(), 'x'), "host")), "224 bytes"));
	CHECK(contains(said(check_nqn("nqn.2014-08.org.nvmexpress.discovery", "subsystem")),
	               "discovery NQN"));
	// Every refusal shows the form and names the object.
	const auto m = said(check_nqn("testnqn", "host"));
	CHECK(m.rfind("host testnqn: ", 0) == 0);
	CHECK(contains(m, "nqn.2014-08.org.nvmexpress:uuid:<UUID>, at most 223 bytes"));
}

TEST_CASE("addresses: transport, family, address and service ID", "[check]")
{
	CHECK(check_address({"tcp", "ipv4", "0.0.0.0", "4420"}, "port 1"));
	CHECK(check_address({"tcp", "ipv6", "fe80::1", "8009"}, "port 1"));
	CHECK(check_address({"rdma", "ib", "whatever", "4420"}, "port 1"));
	CHECK(check_address({"fc", "fc", "nn-0x1000000044001123:pn-0x2000000055001123", ""}, "port 1"));
	CHECK(check_address({"loop", "loop", "", ""}, "port 1"));
	CHECK(contains(said(check_address({"tpc", "ipv4", "0.0.0.0", "4420"}, "port 1")),
	               "transport types: fc, loop, pci, rdma, tcp"));
	CHECK(contains(said(check_address({"tcp", "inet", "0.0.0.0", "4420"}, "port 1")),
	               "address families: fc, ib, ipv4, ipv6, loop, pci"));
	CHECK(contains(said(check_address({"tcp", "ib", "0.0.0.0", "4420"}, "port 1")),
	               "TCP takes ipv4 or ipv6"));
	CHECK(contains(said(check_address({"tcp", "ipv4", "::", "4420"}, "port 1")),
	               "it is an IPv6 address: give --adrfam ipv6"));
	CHECK(contains(said(check_address({"tcp", "ipv6", "10.0.0.1", "4420"}, "port 1")),
	               "it is an IPv4 address"));
	CHECK(contains(said(check_address({"tcp", "ipv4", "10.0.0", "4420"}, "port 1")),
	               "not an IPv4 address"));
	CHECK(contains(said(check_address({"tcp", "ipv4", "10.0.0.1", "0"}, "port 1")), "1 to 65535"));
	CHECK(contains(said(check_address({"tcp", "ipv4", "10.0.0.1", "65536"}, "port 1")), "1 to 65535"));
	CHECK(contains(said(check_address({"tcp", "ipv4", "10.0.0.1", "nvme"}, "port 1")), "1 to 65535"));
	CHECK(contains(said(check_address({"fc", "fc", "nn-0x1:pn-0x2", ""}, "port 1")), "nn-0x<WWNN"));
	CHECK(guess_adrfam("tcp", "::1") == "ipv6");
	CHECK(guess_adrfam("tcp", "") == "ipv4");
	CHECK(guess_adrfam("fc", "") == "fc");
}

TEST_CASE("port_add: TCP defaults, refusals touch nothing", "[check][ops]")
{
	TmpDir t;
	FakeTree tree(t.path());
	PortSpec p;
	p.portid = 1;
	p.trtype = "tcp";
	REQUIRE(port_add(tree, p));
	auto ports = read_ports(tree);
	REQUIRE(ports);
	REQUIRE(ports->size() == 1);
	CHECK(ports->front().adrfam == "ipv4");
	CHECK(ports->front().traddr == "0.0.0.0");
	CHECK(ports->front().trsvcid == "4420");
	p.portid = 2;
	p.adrfam = "ipv6";
	REQUIRE(port_add(tree, p));
	CHECK(tree.read("ports/2/addr_traddr").value() == "::");
	p.portid = 4;
	p.adrfam = "";
	p.traddr = "[fe80::1]";
	REQUIRE(port_add(tree, p));
	CHECK(tree.read("ports/4/addr_traddr").value() == "fe80::1");
	CHECK(tree.read("ports/4/addr_adrfam").value() == "ipv6");
	p.portid = 3;
	p.adrfam = "ipv4";
	p.traddr = "::1";
	CHECK_FALSE(port_add(tree, p));
	CHECK_FALSE(tree.exists("ports/3"));

	// Referrals and ANA groups are read with the port.
	ReferralSpec r{2, "peer", "tcp", "ipv4", "10.0.0.9", "8009", 4};
	REQUIRE(referral_add(tree, r));
	r.name = "bad";
	r.traddr = "10.0.0";
	CHECK_FALSE(referral_add(tree, r));
	CHECK_FALSE(tree.exists("ports/2/referrals/bad"));
	REQUIRE(ana_set(tree, 2, 3, "inaccessible"));
	ports = read_ports(tree);
	REQUIRE(ports);
	const auto &two = ports->at(1);
	REQUIRE(two.referrals.size() == 1);
	CHECK(two.referrals[0].traddr == "10.0.0.9");
	CHECK(two.referrals[0].portid == 4);
	CHECK(two.referrals[0].enabled);
	REQUIRE(two.ana_groups.size() == 2);
	CHECK(two.ana_groups[1].grpid == 3);
	CHECK(two.ana_groups[1].state == "inaccessible");
}

TEST_CASE("host and subsystem NQNs are checked before configfs", "[check][ops]")
{
	TmpDir t;
	FakeTree tree(t.path());
	CHECK(contains(said(host_add(tree, "testhost")), "not start with nqn."));
	CHECK_FALSE(tree.exists("hosts/testhost"));
	SubsystemSpec s;
	s.nqn = "testnqn";
	CHECK_FALSE(subsystem_add(tree, s));
	CHECK_FALSE(tree.exists("subsystems/testnqn"));
}
