// SPDX-License-Identifier: GPL-2.0
// Stable namespace identifiers: SHA-1 and RFC 9562 version 5 UUIDs against
// published vectors, the derivation's own vector (computed with Python's
// uuid.uuid5), and device identities from a fake sysfs.
#include <string>

#include <fmt/format.h>

#include "catch.hpp"
#include "configfs/ids.hpp"
#include "tmpdir.hpp"

using namespace nvmet::configfs;

namespace {

std::string hex(const std::array<std::uint8_t, 20> &d)
{
	std::string s;
	for (auto b : d)
		s += fmt::format("{:02x}", b);
	return s;
}

} // namespace

TEST_CASE("SHA-1: FIPS 180 vectors", "[ids]")
{
	CHECK(hex(sha1("")) == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	CHECK(hex(sha1("abc")) == "a9993e364706816aba3e25717850c26c9cd0d89d");
	CHECK(hex(sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
	      "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	CHECK(hex(sha1(std::string(1000000, 'a'))) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	// 55 and 56 bytes: the length does or does not fit the last block.
	CHECK(hex(sha1(std::string(55, 'a'))) == "c1c8bbdc22796e28c0e15163d20899b65621d65a");
	CHECK(hex(sha1(std::string(56, 'a'))) == "c2db330f6083854c99d4b5bfb6e8f29f201be699");
}

TEST_CASE("UUID version 5: RFC 9562's example", "[ids]")
{
	// The DNS name space, 6ba7b810-9dad-11d1-80b4-00c04fd430c8.
	const Uuid dns = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
	                  0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
	CHECK(format_uuid(dns) == "6ba7b810-9dad-11d1-80b4-00c04fd430c8");
	CHECK(format_uuid(uuid_v5(dns, "www.example.com")) == "2ed6657d-e927-568b-95e1-2665a8aea6a2");
}

TEST_CASE("stable namespace identifiers", "[ids]")
{
	const std::string nqn = "nqn.2026-12.org.nvmet-oot:ha";
	const std::string wwid = "wwid:naa.600140512345678901234567890abcde";
	const auto a = stable_ids(nqn, 1, wwid);
	// The derivation's vector: uuid.uuid5(name space, "NQN\nNSID\nIDENTITY").
	CHECK(a.uuid == "56338246-9341-51e4-a5e8-8ff892633a0a");
	CHECK(a.nguid == "bd5a4e88-d11d-5332-9999-fa5121b1196b");
	// The same input gives the same identifiers (another node, another boot).
	CHECK(stable_ids(nqn, 1, wwid).uuid == a.uuid);
	CHECK(stable_ids(nqn, 1, wwid).nguid == a.nguid);
	// Anything else differs.
	CHECK(stable_ids(nqn, 2, wwid).uuid != a.uuid);
	CHECK(stable_ids(nqn, 2, wwid).nguid != a.nguid);
	CHECK(stable_ids(nqn + "2", 1, wwid).uuid != a.uuid);
	CHECK(stable_ids(nqn, 1, "path:/dev/loop0").uuid != a.uuid);
	CHECK(a.uuid != a.nguid);
}

TEST_CASE("device identities from sysfs", "[ids]")
{
	TmpDir t;
	t.file("block/sda/wwid", "naa.6001405abcdef\n");
	CHECK(block_identity(t.path() / "block/sda") == "wwid:naa.6001405abcdef");
	t.file("block/nvme0n1/device/wwid", "  eui.0025388b71b04a12 \n");
	CHECK(block_identity(t.path() / "block/nvme0n1") == "wwid:eui.0025388b71b04a12");
	t.file("block/dm-3/dm/uuid", "LVM-abcDEF123\n");
	CHECK(block_identity(t.path() / "block/dm-3") == "dm:LVM-abcDEF123");
	t.file("block/sda/sda2/partition", "2\n");
	CHECK(block_identity(t.path() / "block/sda/sda2") == "wwid:naa.6001405abcdef-part2");
	t.dir("block/loop0");
	CHECK(block_identity(t.path() / "block/loop0").empty());
	// A file (or anything not a block device with an identity): its path.
	t.file("disk.img", "x");
	const auto img = (t.path() / "disk.img").string();
	CHECK(device_identity(img, t.path()) == "path:" + img);
	CHECK(device_identity("/nonexistent/dev", t.path()) == "path:/nonexistent/dev");
}

TEST_CASE("a late device is ready when it exists and, a block device, has sectors", "[ids]")
{
	TmpDir t;
	t.file("block/loop100/size", "0\n");
	CHECK_FALSE(block_ready(t.path() / "block/loop100")); // a loop device without its file
	t.file("block/loop7/size", "65536\n");
	CHECK(block_ready(t.path() / "block/loop7"));
	t.dir("block/odd");
	CHECK(block_ready(t.path() / "block/odd")); // says nothing: the kernel judges
	t.file("disk.img", "x");
	CHECK(device_ready((t.path() / "disk.img").string(), t.path()));
	CHECK_FALSE(device_ready((t.path() / "missing.img").string(), t.path()));
}
