// SPDX-License-Identifier: GPL-2.0
#include <algorithm>
#include <iterator>
#include <cerrno>
#include <cstdio>
#include <fstream>

#include "catch.hpp"
#include "configfs/fake.hpp"
#include "configfs/tree.hpp"
#include "tmpdir.hpp"

using nvmet::configfs::FakeTree;
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

// FakeTree lays objects out as configfs does: compared with the listing the
// lab captured from our modules in a guest (tests/scenarios/configfs-layout.sh,
// artifact "layout": kind, mode and path of every entry).
TEST_CASE("FakeTree's layout is the one captured from the guest", "[fake]")
{
	const std::string nqn = "SUBNQN", host = "HOSTNQN";
	TmpDir t;
	FakeTree tree(t.path());
	REQUIRE(tree.mkdir("hosts/" + host).ok());
	REQUIRE(tree.mkdir("subsystems/" + nqn).ok());
	REQUIRE(tree.link("hosts/" + host, "subsystems/" + nqn + "/allowed_hosts/" + host).ok());
	REQUIRE(tree.mkdir("subsystems/" + nqn + "/namespaces/1").ok());
	REQUIRE(tree.write("subsystems/" + nqn + "/namespaces/1/device_path", "/dev/loop0").ok());
	REQUIRE(tree.write("subsystems/" + nqn + "/namespaces/1/enable", "1").ok());
	REQUIRE(tree.mkdir("ports/1").ok());
	REQUIRE(tree.write("ports/1/addr_trtype", "tcp").ok());
	REQUIRE(tree.write("ports/1/addr_adrfam", "ipv4").ok());
	REQUIRE(tree.write("ports/1/addr_traddr", "127.0.0.1").ok());
	REQUIRE(tree.write("ports/1/addr_trsvcid", "4420").ok());
	REQUIRE(tree.mkdir("ports/1/referrals/ref1").ok());
	REQUIRE(tree.mkdir("ports/1/ana_groups/2").ok());
	REQUIRE(tree.link("subsystems/" + nqn, "ports/1/subsystems/" + nqn).ok());

	std::vector<std::string> got;
	for (const auto &e : std::filesystem::recursive_directory_iterator(t.path())) {
		const auto st = e.symlink_status();
		const char kind = std::filesystem::is_symlink(st)     ? 'l'
		                  : std::filesystem::is_directory(st) ? 'd'
		                                                      : 'f';
		const auto mode = static_cast<unsigned>(st.permissions()) & 07777U;
		char m[8];
		std::snprintf(m, sizeof(m), "0%o", mode);
		got.push_back(std::string(1, kind) + " " + m + " " +
		              e.path().lexically_relative(t.path()).string());
	}
	std::vector<std::string> want;
	std::ifstream in(std::string(NVMET_FIXTURES) + "/configfs-layout.txt");
	REQUIRE(in.good());
	for (std::string line; std::getline(in, line);)
		if (!line.empty())
			want.push_back(line);
	auto by_path = [](const std::string &a, const std::string &b) {
		return a.substr(a.find(' ', 2) + 1) < b.substr(b.find(' ', 2) + 1);
	};
	std::sort(got.begin(), got.end(), by_path);
	std::sort(want.begin(), want.end(), by_path);
	std::vector<std::string> missing, extra;
	std::set_difference(want.begin(), want.end(), got.begin(), got.end(), std::back_inserter(missing),
	                    by_path);
	std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(extra),
	                    by_path);
	std::string report;
	for (const auto &m : missing)
		report += "\n  only in the guest: " + m;
	for (const auto &e : extra)
		report += "\n  only in the fake:  " + e;
	INFO(report);
	CHECK(missing.empty());
	CHECK(extra.empty());
	CHECK(got == want); // same paths, and the same kinds and modes
}

TEST_CASE("FakeTree refuses what configfs and nvmet refuse", "[fake]")
{
	TmpDir t;
	FakeTree tree(t.path());
	CHECK(tree.mkdir("elsewhere").error().err == EPERM);
	CHECK(tree.mkdir("ports/notanumber").error().err == EINVAL);
	REQUIRE(tree.mkdir("subsystems/nqn.a").ok());
	CHECK(tree.mkdir("subsystems/nqn.a").error().err == EEXIST);
	CHECK(tree.mkdir("subsystems/nqn.2014-08.org.nvmexpress.discovery").error().err == EINVAL);
	CHECK(tree.rmdir("subsystems/nqn.a/namespaces").error().err == EPERM);
	REQUIRE(tree.mkdir("subsystems/nqn.a/namespaces/1").ok());
	CHECK(tree.rmdir("subsystems/nqn.a").error().err == ENOTEMPTY);
	CHECK(tree.write("subsystems/nqn.a/namespaces/1/enable", "1").error().err == ENOENT);
	REQUIRE(tree.write("subsystems/nqn.a/namespaces/1/device_path", "/dev/x").ok());
	REQUIRE(tree.write("subsystems/nqn.a/namespaces/1/enable", "1").ok());
	CHECK(tree.write("subsystems/nqn.a/namespaces/1/device_path", "/dev/y").error().err == EBUSY);
	CHECK(tree.write("subsystems/nqn.a/attr_qid_max", "0").error().err == EINVAL);
	CHECK(tree.write("subsystems/nqn.a/no_such_attr", "1").error().err == ENOENT);
	REQUIRE(tree.mkdir("hosts/nqn.h").ok());
	REQUIRE(tree.write("subsystems/nqn.a/attr_allow_any_host", "1").ok());
	CHECK(tree.link("hosts/nqn.h", "subsystems/nqn.a/allowed_hosts/nqn.h").error().err == EINVAL);
	REQUIRE(tree.write("subsystems/nqn.a/attr_allow_any_host", "0").ok());
	REQUIRE(tree.link("hosts/nqn.h", "subsystems/nqn.a/allowed_hosts/nqn.h").ok());
	CHECK(tree.write("subsystems/nqn.a/attr_allow_any_host", "1").error().err == EINVAL);
	REQUIRE(tree.mkdir("ports/2").ok());
	CHECK(tree.link("subsystems/nqn.a", "ports/2/subsystems/nqn.a").error().err == EINVAL); // no trtype
	CHECK(tree.write("ports/2/addr_trtype", "carrier-pigeon").error().err == EINVAL);
	REQUIRE(tree.write("ports/2/addr_trtype", "tcp").ok());
	REQUIRE(tree.link("subsystems/nqn.a", "ports/2/subsystems/nqn.a").ok());
	CHECK(tree.write("ports/2/addr_traddr", "10.0.0.1").error().err == EACCES);
	CHECK(tree.rmdir("ports/2").error().err == ENOTEMPTY);
	CHECK(tree.rmdir("ports/2/ana_groups/1").error().err == EPERM);
	CHECK(tree.link("hosts/nqn.h", "ports/2/subsystems/nqn.h").error().err == EPERM);
	REQUIRE(tree.unlink("ports/2/subsystems/nqn.a").ok());
	REQUIRE(tree.rmdir("ports/2").ok());
	CHECK_FALSE(tree.exists("ports/2"));
}

TEST_CASE("FakeTree: hosts' DH-HMAC-CHAP attributes as nvmet takes them", "[fake][dhchap]")
{
	const std::string key = "DHHC-1:00:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n:";
	TmpDir t;
	FakeTree tree(t.path());
	REQUIRE(tree.mkdir("hosts/nqn.h").ok());
	CHECK(tree.read("hosts/nqn.h/dhchap_key")->empty());
	CHECK(*tree.read("hosts/nqn.h/dhchap_hash") == "hmac(sha256)");
	CHECK(*tree.read("hosts/nqn.h/dhchap_dhgroup") == "null");
	REQUIRE(tree.write("hosts/nqn.h/dhchap_key", key + "\n").ok());
	CHECK(*tree.read("hosts/nqn.h/dhchap_key") == key);
	// nvmet checks "DHHC-1:<0..3>:" only; the rest at Connect.
	CHECK(tree.write("hosts/nqn.h/dhchap_key", "DHHC-1:07:abc:").error().err == EINVAL);
	CHECK(tree.write("hosts/nqn.h/dhchap_ctrl_key", "hunter2").error().err == EINVAL);
	CHECK(tree.write("hosts/nqn.h/dhchap_ctrl_key", "hunter2").error().message().find("hunter2") ==
	      std::string::npos);
	// A write of nothing never reaches nvmet; an empty line clears.
	REQUIRE(tree.write("hosts/nqn.h/dhchap_key", "").ok());
	CHECK(*tree.read("hosts/nqn.h/dhchap_key") == key);
	REQUIRE(tree.write("hosts/nqn.h/dhchap_key", "\n").ok());
	CHECK(tree.read("hosts/nqn.h/dhchap_key")->empty());
	REQUIRE(tree.write("hosts/nqn.h/dhchap_hash", "hmac(sha512)\n").ok());
	CHECK(*tree.read("hosts/nqn.h/dhchap_hash") == "hmac(sha512)");
	CHECK(tree.write("hosts/nqn.h/dhchap_hash", "sha512").error().err == EINVAL);
	REQUIRE(tree.write("hosts/nqn.h/dhchap_dhgroup", "ffdhe8192").ok());
	CHECK(tree.write("hosts/nqn.h/dhchap_dhgroup", "ffdhe1024").error().err == EINVAL);

	TmpDir u;
	FakeTree bare(u.path(), nvmet::configfs::FakeFeatures{.dhchap = false});
	REQUIRE(bare.mkdir("hosts/nqn.h").ok());
	CHECK_FALSE(bare.exists("hosts/nqn.h/dhchap_key"));
}

TEST_CASE("FakeTree: tsas follows trtype, TLS makes treq required", "[fake][tls]")
{
	TmpDir t;
	FakeTree tree(t.path());
	REQUIRE(tree.mkdir("ports/1").ok());
	CHECK(tree.read("ports/1/addr_tsas")->empty()); // no transport yet
	CHECK(tree.write("ports/1/addr_tsas", "tls1.3").error().err == EINVAL);
	REQUIRE(tree.write("ports/1/addr_trtype", "rdma").ok());
	CHECK(*tree.read("ports/1/addr_tsas") == "connected");
	CHECK(tree.write("ports/1/addr_tsas", "datagram").error().err == EINVAL);
	REQUIRE(tree.write("ports/1/addr_trtype", "tcp").ok());
	CHECK(*tree.read("ports/1/addr_tsas") == "none");
	REQUIRE(tree.write("ports/1/addr_tsas", "tls1.3").ok());
	CHECK(*tree.read("ports/1/addr_treq") == "required");
	CHECK(tree.write("ports/1/addr_treq", "not specified").error().err == EINVAL);
	REQUIRE(tree.write("ports/1/addr_treq", "not required").ok());
	REQUIRE(tree.write("ports/1/addr_tsas", "tls1.3").ok());
	CHECK(*tree.read("ports/1/addr_treq") == "not required"); // kept
	REQUIRE(tree.write("ports/1/addr_tsas", "none").ok());
	CHECK(*tree.read("ports/1/addr_treq") == "not specified");

	TmpDir u;
	FakeTree no_tls(u.path(), nvmet::configfs::FakeFeatures{.tls = false});
	REQUIRE(no_tls.mkdir("ports/1").ok());
	REQUIRE(no_tls.write("ports/1/addr_trtype", "tcp").ok());
	CHECK(no_tls.write("ports/1/addr_tsas", "tls1.3").error().err == EINVAL);
}
