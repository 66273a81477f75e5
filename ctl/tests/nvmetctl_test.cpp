// SPDX-License-Identifier: GPL-2.0
// nvmetctl's parts without CLI11: command words, hints, views, warnings.
#include <cerrno>
#include <string>

#include "catch.hpp"
#include "commands.hpp"
#include "configfs/fake.hpp"
#include "configfs/ops.hpp"
#include "tmpdir.hpp"
#include "view.hpp"
#include "words.hpp"

using namespace nvmet::ctl;

namespace {

const std::vector<Command> verbs = {
        {"add", {}}, {"del", {"delete", "rm"}}, {"set", {}}, {"list", {"ls"}}, {"show", {}}, {"status", {}}};

std::string line(const nvmet::Result<std::string> &r)
{
	return r ? "= " + *r : r.error().detail;
}

} // namespace

TEST_CASE("command words: names, aliases, unique prefixes, suggestions", "[nvmetctl]")
{
	CHECK(line(resolve("list", verbs)) == "= list");
	CHECK(line(resolve("ls", verbs)) == "= list");
	CHECK(line(resolve("rm", verbs)) == "= del");
	CHECK(line(resolve("delete", verbs)) == "= del");
	CHECK(line(resolve("a", verbs)) == "= add");
	CHECK(line(resolve("sho", verbs)) == "= show");
	CHECK(line(resolve("s", verbs)) == "ambiguous command 's' (it could be set, show, status)");
	CHECK(line(resolve("lsit", verbs)) == "unknown command 'lsit' (did you mean 'list'?)");
	CHECK(line(resolve("remove", {{"del", {}}, {"add", {}}})) ==
	      "unknown command 'remove' (commands: del, add)");
	CHECK(line(resolve("deleted", verbs)) == "unknown command 'deleted' (did you mean 'del'?)");
	CHECK(line(resolve("stat", {{"status", {}}, {"set", {}}, {"start", {}}})) == "= status");
	CHECK(similar("shwo", verbs) == std::vector<std::string>{"show"});
	CHECK(similar("xyzzy", verbs).empty());
}

TEST_CASE("hints fit the error", "[nvmetctl]")
{
	TmpDir t;
	const auto &root = t.path();
	nvmet::Error denied{"write", root / "ports/1/addr_traddr", EACCES};
	CHECK(explain(denied, root, false).find("configfs needs root") != std::string::npos);
	CHECK(explain(denied, root, true).find("needs root") == std::string::npos);
	denied.hint = "the port is enabled";
	CHECK(explain(denied, root, false).find("needs root") == std::string::npos);
	const nvmet::Error gone{"mkdir", root / "absent/hosts/x", ENOENT};
	CHECK(explain(gone, root / "absent", false).find("modprobe nvmet") != std::string::npos);
	CHECK(explain(gone, root, false).find("modprobe") == std::string::npos);
}

TEST_CASE("views: addresses, the tree, one JSON scheme", "[nvmetctl]")
{
	CHECK(address("ipv6", "::", "4420") == "[::]:4420");
	CHECK(address("ipv4", "10.0.0.1", "4420") == "10.0.0.1:4420");
	CHECK(address("fc", "nn-0x1:pn-0x2", "") == "nn-0x1:pn-0x2");

	TmpDir t;
	nvmet::configfs::FakeTree tree(t.path());
	const std::string nqn = "nqn.2026-11.org.nvmet-oot:view";
	nvmet::configfs::SubsystemSpec s;
	s.nqn = nqn;
	REQUIRE(nvmet::configfs::subsystem_add(tree, s));
	nvmet::configfs::PortSpec p;
	p.portid = 3;
	p.trtype = "tcp";
	p.traddr = "::";
	REQUIRE(nvmet::configfs::port_add(tree, p));
	// No host may connect yet: linking says so.
	CHECK(unreachable(tree, nqn).find("allows no host") != std::string::npos);
	REQUIRE(nvmet::configfs::port_link(tree, 3, nqn));
	REQUIRE(nvmet::configfs::subsystem_set(tree, nqn, "allow_any_host", "1"));
	CHECK(unreachable(tree, nqn).empty());

	auto c = read_configuration(tree);
	REQUIRE(c);
	const auto text = tree_text(*c);
	CHECK(text.find("o- 3  tcp [::]:4420  tls: no\n    o- subsystems\n      o- " + nqn + "\n") !=
	      std::string::npos);
	CHECK(text.find("o- " + nqn + "  any host  ports: 3\n") != std::string::npos);
	const auto j = configuration_json(*c);
	CHECK(j["ports"][0] == port_json(c->ports[0]));
	CHECK(j["subsystems"][0]["ports"] == json::array({3}));
	CHECK(j["ports"][0]["traddr"] == "::");
}

TEST_CASE("a namespace's device must exist and is made absolute", "[nvmetctl]")
{
	TmpDir t;
	t.file("disk.img", "");
	auto ok = namespace_device((t.path() / "." / "disk.img").string(), "namespace 1");
	REQUIRE(ok);
	CHECK(*ok == (t.path() / "disk.img").string());
	auto missing = namespace_device((t.path() / "none.img").string(), "namespace 1");
	REQUIRE_FALSE(missing);
	CHECK(missing.error().message().find("give a block device or a file that exists") !=
	      std::string::npos);
	auto dir = namespace_device(t.path().string(), "namespace 1");
	REQUIRE_FALSE(dir);
	CHECK(dir.error().message().find("neither a block device nor a regular file") != std::string::npos);
}
