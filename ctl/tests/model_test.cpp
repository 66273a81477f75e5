// SPDX-License-Identifier: GPL-2.0
#include "catch.hpp"
#include "configfs/model.hpp"
#include "tmpdir.hpp"

using namespace nvmet::configfs;

namespace {

void add_ns(const TmpDir &t, const std::string &nqn, const std::string &nsid, const std::string &dev,
            const std::string &enable)
{
	const auto d = "subsystems/" + nqn + "/namespaces/" + nsid + "/";
	t.file(d + "device_path", dev + "\n");
	t.file(d + "enable", enable + "\n");
}

} // namespace

TEST_CASE("subsystems are read with namespaces in NSID order", "[model]")
{
	TmpDir t;
	t.file("subsystems/nqn.x/attr_allow_any_host", "0\n");
	t.dir("subsystems/nqn.x/allowed_hosts/nqn.host1");
	add_ns(t, "nqn.x", "10", "/dev/loop1", "0");
	add_ns(t, "nqn.x", "2", "/dev/loop0", "1");
	auto subs = read_subsystems(Tree(t.path()));
	REQUIRE(subs.ok());
	REQUIRE(subs->size() == 1);
	const auto &s = subs->front();
	CHECK(s.nqn == "nqn.x");
	CHECK_FALSE(s.allow_any_host);
	CHECK(s.allowed_hosts == std::vector<std::string>{"nqn.host1"});
	REQUIRE(s.namespaces.size() == 2);
	CHECK(s.namespaces[0].nsid == 2);
	CHECK(s.namespaces[0].enabled);
	CHECK(s.namespaces[1].nsid == 10);
	CHECK(s.namespaces[1].device_path == "/dev/loop1");
}

TEST_CASE("a namespace directory that is not a number is an error naming it", "[model]")
{
	TmpDir t;
	t.file("subsystems/nqn.x/attr_allow_any_host", "1\n");
	t.dir("subsystems/nqn.x/allowed_hosts");
	add_ns(t, "nqn.x", "abc", "/dev/loop0", "1");
	auto subs = read_subsystems(Tree(t.path()));
	REQUIRE_FALSE(subs.ok());
	CHECK(subs.error().message().find("'abc'") != std::string::npos);
}

TEST_CASE("ports are read with their address and linked subsystems", "[model]")
{
	TmpDir t;
	for (auto [f, v] : {std::pair{"addr_trtype", "tcp"},
	                    {"addr_adrfam", "ipv4"},
	                    {"addr_traddr", "127.0.0.1"},
	                    {"addr_trsvcid", "4420"}})
		t.file(std::string("ports/7/") + f, std::string(v) + "\n");
	t.dir("ports/7/subsystems/nqn.x");
	auto ports = read_ports(Tree(t.path()));
	REQUIRE(ports.ok());
	REQUIRE(ports->size() == 1);
	CHECK(ports->front().portid == 7);
	CHECK(ports->front().traddr == "127.0.0.1");
	CHECK(ports->front().subsystems == std::vector<std::string>{"nqn.x"});
	CHECK(read_ports(Tree(t.path() / "missing")).error().err == ENOENT);
}
