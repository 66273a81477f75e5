// SPDX-License-Identifier: GPL-2.0
#include <cerrno>

#include "catch.hpp"
#include "configfs/tree.hpp"
#include "tmpdir.hpp"

using nvmet::configfs::Tree;

TEST_CASE("read strips the one trailing newline configfs adds", "[tree]")
{
	TmpDir t;
	t.file("subsystems/a/attr_model", "Linux\n");
	t.file("subsystems/a/attr_serial", "abc\n\n");
	Tree tree(t.path());
	auto model = tree.read("subsystems/a/attr_model");
	REQUIRE(model.ok());
	CHECK(*model == "Linux");
	CHECK(*tree.read("subsystems/a/attr_serial") == "abc\n");
}

TEST_CASE("a failed read says what, where and why", "[tree]")
{
	TmpDir t;
	Tree tree(t.path());
	auto r = tree.read("ports/1/addr_trtype");
	REQUIRE_FALSE(r.ok());
	CHECK(r.error().err == ENOENT);
	CHECK(r.error().path == t.path() / "ports/1/addr_trtype");
	CHECK(r.error().message() ==
	      "cannot read " + (t.path() / "ports/1/addr_trtype").string() + ": No such file or directory");
}

TEST_CASE("write replaces the value and reports the value on failure", "[tree]")
{
	TmpDir t;
	t.file("ports/1/addr_trtype", "rdma\n");
	Tree tree(t.path());
	REQUIRE(tree.write("ports/1/addr_trtype", "tcp").ok());
	CHECK(*tree.read("ports/1/addr_trtype") == "tcp");

	auto w = tree.write("ports/2/addr_trtype", "tcp");
	REQUIRE_FALSE(w.ok());
	CHECK(w.error().message().find("cannot write 'tcp' to ") == 0);
}

TEST_CASE("list is sorted and mkdir/rmdir/link/unlink map to the file system", "[tree]")
{
	TmpDir t;
	t.dir("subsystems");
	t.dir("ports/1/subsystems");
	Tree tree(t.path());
	REQUIRE(tree.mkdir("subsystems/nqn.b").ok());
	REQUIRE(tree.mkdir("subsystems/nqn.a").ok());
	auto names = tree.list("subsystems");
	REQUIRE(names.ok());
	CHECK(*names == std::vector<std::string>{"nqn.a", "nqn.b"});

	CHECK(tree.mkdir("subsystems/nqn.a").error().err == EEXIST);
	REQUIRE(tree.link("subsystems/nqn.a", "ports/1/subsystems/nqn.a").ok());
	CHECK(tree.exists("ports/1/subsystems/nqn.a"));
	REQUIRE(tree.unlink("ports/1/subsystems/nqn.a").ok());
	CHECK_FALSE(tree.exists("ports/1/subsystems/nqn.a"));
	REQUIRE(tree.rmdir("subsystems/nqn.b").ok());
	CHECK(tree.list("subsystems")->size() == 1);
	CHECK(tree.list("nope").error().err == ENOENT);
}
