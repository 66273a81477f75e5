// SPDX-License-Identifier: GPL-2.0
// DH-HMAC-CHAP secrets: the DHHC-1 format check, the names configfs takes,
// and where nvmetctl reads a key from.
#include <sstream>
#include <sys/stat.h>

#include "auth/dhchap.hpp"
#include "auth/key_input.hpp"
#include "catch.hpp"
#include "tmpdir.hpp"

using namespace nvmet::auth;

namespace {

// Made with a 32/48/64 byte key and zlib's crc32, as nvme gen-dhchap-key does.
const std::string key32 = "DHHC-1:00:BxQhLjtIVWJvfImWo7C9ytfk8f4LGCUyP0xZZnOAjZrjLq4w:";
const std::string key32_sha256 = "DHHC-1:01:DhsoNUJPXGl2g5CdqrfE0d7r+AUSHyw5RlNgbXqHlKE81vDW:";
const std::string key48 =
        "DHHC-1:02:FSIvPElWY3B9ipeksb7L2OXy/wwZJjNATVpndIGOm6i1ws/c6fYDEB0qN0RRXmt4Knz36A==:";
const std::string key64 = "DHHC-1:03:HCk2Q1BdaneEkZ6ruMXS3+z5BhMgLTpHVGFue4iVoq+8ydbj8P0KFyQxPktYZXJ/"
                          "jJmms8DN2uf0AQ4bKDVCT8Gpe44=:";
// From the kernel's and blktests' examples.
const std::string blktests_key = "DHHC-1:00:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n:";

std::string why(const std::string &text)
{
	auto r = parse_secret(text, "the key");
	return r ? std::string("ok") : r.error().message();
}

} // namespace

TEST_CASE("well-formed DH-HMAC-CHAP secrets are accepted with what they say", "[auth]")
{
	for (const auto &[k, transform, bytes] : {std::tuple{key32, 0U, 32U},
	                                          {key32_sha256, 1U, 32U},
	                                          {key48, 2U, 48U},
	                                          {key64, 3U, 64U},
	                                          {blktests_key, 0U, 32U}}) {
		INFO(k);
		auto r = parse_secret(k, "the key");
		REQUIRE(r);
		CHECK(r->transform == transform);
		CHECK(r->key_bytes == bytes);
	}
}

TEST_CASE("malformed secrets are refused with the reason, never the secret", "[auth]")
{
	CHECK(why("").find("it is empty") != std::string::npos);
	CHECK(why("DHHC-2:00:" + key32.substr(10)).find("does not start with 'DHHC-1:'") !=
	      std::string::npos);
	CHECK(why("DHHC-1:04:" + key32.substr(10)).find("00, 01, 02 or 03") != std::string::npos);
	CHECK(why("DHHC-1:1:" + key32.substr(10)).find("00, 01, 02 or 03") != std::string::npos);
	// The trailing ':' lost in a copy.
	CHECK(why(key32.substr(0, key32.size() - 1)).find("does not end with ':'") != std::string::npos);
	// A character changed: still base64, wrong CRC.
	std::string flipped = key32;
	flipped[12] = flipped[12] == 'A' ? 'B' : 'A';
	const auto crc = why(flipped);
	CHECK(crc.find("CRC-32 does not match") != std::string::npos);
	CHECK(crc.find(flipped.substr(10, 20)) == std::string::npos); // no part of the secret
	// Not base64, and base64 of the wrong length.
	CHECK(why("DHHC-1:00:not*base64*at*all*:").find("not base64") != std::string::npos);
	CHECK(why("DHHC-1:00:QUJDRA==:").find("holds 4 bytes, not 36, 52 or 68") != std::string::npos);
	// '=' padding is required (Linux 7.2 refuses keys without it).
	CHECK(why(key48.substr(0, key48.size() - 3) + ":").find("not base64") != std::string::npos);
	CHECK(why(key32 + key32.substr(10)).find("':' inside") != std::string::npos);
	CHECK(why(" " + key32).find("does not start") != std::string::npos);
	// Every error says how to get a good key.
	CHECK(why("x").find("nvme gen-dhchap-key") != std::string::npos);
}

TEST_CASE("base64 and CRC-32 as RFC 4648 and zlib define them", "[auth]")
{
	auto v = base64_decode("Zm9vYmFy");
	REQUIRE(v);
	CHECK(std::string(v->begin(), v->end()) == "foobar");
	v = base64_decode("Zm9vYg==");
	REQUIRE(v);
	CHECK(std::string(v->begin(), v->end()) == "foob");
	CHECK_FALSE(base64_decode("Zm9vYh==")); // non-zero bits under the padding
	CHECK_FALSE(base64_decode("Zm=vYg==")); // padding in the middle
	CHECK_FALSE(base64_decode("Zm9vYg=")); // not a multiple of 4
	const std::string check = "123456789";
	CHECK(crc32({reinterpret_cast<const std::uint8_t *>(check.data()), check.size()}) == 0xcbf43926U);
}

TEST_CASE("hash and DH group names as configfs spells them", "[auth]")
{
	CHECK(hash_name("sha384") == "hmac(sha384)");
	CHECK(hash_name("HMAC(SHA512)") == "hmac(sha512)");
	CHECK(hash_name("hmac(sha256)") == "hmac(sha256)");
	CHECK_FALSE(hash_name("md5"));
	CHECK(dhgroup_name("ffdhe4096") == "ffdhe4096");
	CHECK(dhgroup_name("none") == "null");
	CHECK_FALSE(dhgroup_name("ffdhe1024"));
}

TEST_CASE("a key is read from a file, standard input or the command line", "[auth]")
{
	TmpDir t;
	t.file("key", key32 + "\n");
	::chmod((t.path() / "key").c_str(), 0600);
	std::istringstream none;

	auto src = key_source("--key", std::nullopt, "--key-file", (t.path() / "key").string());
	REQUIRE(src);
	auto k = read_key(*src, none);
	REQUIRE(k);
	CHECK(k->secret == key32);
	CHECK(k->warnings.empty());

	::chmod((t.path() / "key").c_str(), 0644);
	k = read_key(*src, none);
	REQUIRE(k);
	REQUIRE(k->warnings.size() == 1);
	CHECK(k->warnings[0].find("can be read by other users (mode 0644)") != std::string::npos);

	std::istringstream in("  " + key48 + "  \nsecond line\n");
	src = key_source("--ctrl-key", std::string("-"), "--ctrl-key-file", std::nullopt);
	REQUIRE(src);
	CHECK(src->from == KeySource::From::standard_input);
	k = read_key(*src, in);
	REQUIRE(k);
	CHECK(k->secret == key48);

	src = key_source("--key", key64, "--key-file", std::nullopt);
	REQUIRE(src);
	k = read_key(*src, none);
	REQUIRE(k);
	CHECK(k->secret == key64);
	REQUIRE(k->warnings.size() == 1);
	CHECK(k->warnings[0].find("other users (ps") != std::string::npos);
	CHECK(k->warnings[0].find("--key-file FILE or --key -") != std::string::npos);
}

TEST_CASE("a key source that gives nothing usable is an error", "[auth]")
{
	TmpDir t;
	auto both = key_source("--key", key32, "--key-file", std::string("/x"));
	REQUIRE_FALSE(both);
	CHECK(both.error().message().find("both --key and --key-file") != std::string::npos);

	std::istringstream empty;
	auto src = key_source("--key", std::string("-"), "--key-file", std::nullopt);
	REQUIRE(src);
	auto k = read_key(*src, empty);
	REQUIRE_FALSE(k);
	CHECK(k.error().message().find("standard input") != std::string::npos);

	src = key_source("--key", std::nullopt, "--key-file", (t.path() / "absent").string());
	REQUIRE(src);
	k = read_key(*src, empty);
	REQUIRE_FALSE(k);
	CHECK(k.error().err == ENOENT);
	CHECK(k.error().message().find((t.path() / "absent").string()) != std::string::npos);

	t.file("blank", "\n\n");
	src = key_source("--key", std::nullopt, "--key-file", (t.path() / "blank").string());
	REQUIRE(src);
	k = read_key(*src, empty);
	REQUIRE_FALSE(k);
	CHECK(k.error().message().find("clear-key") != std::string::npos);
}
