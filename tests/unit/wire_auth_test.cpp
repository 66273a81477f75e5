// SPDX-License-Identifier: GPL-2.0
// kernel/wire/auth.c: Authentication Send/Receive fields and DH-HMAC-CHAP messages.
#include <array>
#include <vector>

#include "catch.hpp"

extern "C" {
#include "wire/auth.h"
#include "wire/cmd.h"
}

namespace {

using Bytes = std::vector<u8>;

std::array<u8, NVMET_WIRE_SQE_LEN> auth_sqe(u8 fctype, u8 secp, u8 spsp0, u8 spsp1, u32 len)
{
	std::array<u8, NVMET_WIRE_SQE_LEN> s{};
	s[0] = 0x7f;
	s[4] = fctype;
	s[41] = spsp0;
	s[42] = spsp1;
	s[43] = secp;
	for (int i = 0; i < 4; i++)
		s[44 + i] = u8(len >> (8 * i));
	return s;
}

// An AUTH_Negotiate as a Linux host sends it: every hash, every group.
Bytes negotiate(u16 tid, u8 napd = 1, u8 halen = 3, u8 dhlen = 6)
{
	Bytes m(NVMET_WIRE_AUTH_NEGOTIATE_LEN + NVMET_WIRE_AUTH_DESC_LEN);
	m[0] = NVME_AUTH_COMMON_MESSAGES;
	m[1] = NVME_AUTH_DHCHAP_MESSAGE_NEGOTIATE;
	m[4] = u8(tid);
	m[5] = u8(tid >> 8);
	m[7] = napd;
	m[8] = NVME_AUTH_DHCHAP_AUTH_ID;
	m[10] = halen;
	m[11] = dhlen;
	for (u8 i = 0; i < 3; i++)
		m[12 + i] = i + 1;
	for (u8 i = 0; i < 6; i++)
		m[12 + 30 + i] = i;
	return m;
}

Bytes reply(u16 tid, u8 hl, u16 dhvlen, bool cvalid, u32 seq)
{
	Bytes m(NVMET_WIRE_AUTH_REPLY_LEN + 2 * hl + dhvlen);
	m[0] = NVME_AUTH_DHCHAP_MESSAGES;
	m[1] = NVME_AUTH_DHCHAP_MESSAGE_REPLY;
	m[4] = u8(tid);
	m[6] = hl;
	m[8] = cvalid;
	m[10] = u8(dhvlen);
	m[11] = u8(dhvlen >> 8);
	for (int i = 0; i < 4; i++)
		m[12 + i] = u8(seq >> (8 * i));
	for (std::size_t i = 16; i < m.size(); i++)
		m[i] = u8(i);
	return m;
}

} // namespace

TEST_CASE("Authentication Send/Receive fields")
{
	u32 len = 0;
	u16 at = 0;

	auto ok = auth_sqe(0x05, 0xe9, 1, 1, 1024);
	REQUIRE(nvmet_wire_parse_auth_cmd(ok.data(), true, &len, &at) == 0);
	CHECK(len == 1024);

	auto bad_secp = auth_sqe(0x05, 0xea, 1, 1, 1024);
	CHECK(nvmet_wire_parse_auth_cmd(bad_secp.data(), true, &len, &at) ==
	      (NVME_SC_INVALID_FIELD | NVME_STATUS_DNR));
	CHECK(at == 43);
	auto bad_spsp0 = auth_sqe(0x05, 0xe9, 0, 1, 1024);
	CHECK(nvmet_wire_parse_auth_cmd(bad_spsp0.data(), true, &len, &at) != 0);
	CHECK(at == 41);
	auto bad_spsp1 = auth_sqe(0x06, 0xe9, 1, 2, 1024);
	CHECK(nvmet_wire_parse_auth_cmd(bad_spsp1.data(), false, &len, &at) != 0);
	CHECK(at == 42);
	for (u32 n : {0u, u32(NVMET_WIRE_AUTH_MAX_LEN + 1), 0xffffffffu}) {
		auto s = auth_sqe(0x05, 0xe9, 1, 1, n);
		CHECK(nvmet_wire_parse_auth_cmd(s.data(), true, &len, &at) != 0);
		CHECK(at == 44);
	}
	auto max = auth_sqe(0x06, 0xe9, 1, 1, NVMET_WIRE_AUTH_MAX_LEN);
	CHECK(nvmet_wire_parse_auth_cmd(max.data(), false, &len, &at) == 0);
	// A Receive buffer too small for even a Failure1.
	auto tiny = auth_sqe(0x06, 0xe9, 1, 1, NVMET_WIRE_AUTH_FAILURE_LEN - 1);
	CHECK(nvmet_wire_parse_auth_cmd(tiny.data(), false, &len, &at) != 0);
	auto tiny_send = auth_sqe(0x05, 0xe9, 1, 1, NVMET_WIRE_AUTH_FAILURE_LEN - 1);
	CHECK(nvmet_wire_parse_auth_cmd(tiny_send.data(), true, &len, &at) == 0);
}

TEST_CASE("AUTH_Negotiate")
{
	struct nvmet_wire_auth_negotiate n {};
	auto m = negotiate(0x1234);

	REQUIRE(nvmet_wire_parse_auth_negotiate(m.data(), u32(m.size()), &n) == 0);
	CHECK(n.tid == 0x1234);
	CHECK(n.nr_hashes == 3);
	CHECK(n.nr_dhgroups == 6);
	CHECK(nvmet_wire_auth_offers(n.hashes, n.nr_hashes, 3));
	CHECK_FALSE(nvmet_wire_auth_offers(n.hashes, n.nr_hashes, 4));
	CHECK(nvmet_wire_auth_offers(n.dhgroups, n.nr_dhgroups, 0));
	CHECK(nvmet_wire_auth_offers(n.dhgroups, n.nr_dhgroups, 5));

	// Truncated: the descriptor must be whole.
	CHECK(nvmet_wire_parse_auth_negotiate(m.data(), u32(m.size() - 1), &n) ==
	      NVME_AUTH_DHCHAP_FAILURE_INCORRECT_PAYLOAD);
	CHECK(nvmet_wire_parse_auth_negotiate(m.data(), 0, &n) ==
	      NVME_AUTH_DHCHAP_FAILURE_INCORRECT_PAYLOAD);
	auto none = negotiate(1, 0);
	CHECK(nvmet_wire_parse_auth_negotiate(none.data(), u32(none.size()), &n) ==
	      NVME_AUTH_DHCHAP_FAILURE_HASH_UNUSABLE);
	auto two = negotiate(1, 2);
	CHECK(nvmet_wire_parse_auth_negotiate(two.data(), u32(two.size()), &n) ==
	      NVME_AUTH_DHCHAP_FAILURE_HASH_UNUSABLE);
	auto other = negotiate(1);
	other[8] = 0x02;
	CHECK(nvmet_wire_parse_auth_negotiate(other.data(), u32(other.size()), &n) ==
	      NVME_AUTH_DHCHAP_FAILURE_INCORRECT_PAYLOAD);
	auto long_list = negotiate(1, 1, 31, 6);
	CHECK(nvmet_wire_parse_auth_negotiate(long_list.data(), u32(long_list.size()), &n) ==
	      NVME_AUTH_DHCHAP_FAILURE_INCORRECT_PAYLOAD);
	auto long_dh = negotiate(1, 1, 3, 31);
	CHECK(nvmet_wire_parse_auth_negotiate(long_dh.data(), u32(long_dh.size()), &n) ==
	      NVME_AUTH_DHCHAP_FAILURE_INCORRECT_PAYLOAD);
}

TEST_CASE("DH-HMAC-CHAP_Reply")
{
	struct nvmet_wire_auth_reply r {};
	auto m = reply(7, 32, 256, true, 0x01020304);

	REQUIRE(nvmet_wire_parse_auth_reply(m.data(), u32(m.size()), 32, 256, &r) == 0);
	CHECK(r.tid == 7);
	CHECK(r.cvalid);
	CHECK(r.seqnum == 0x01020304);
	CHECK(r.rval == m.data() + 16);
	CHECK(r.c2 == m.data() + 48);
	CHECK(r.dhv == m.data() + 80);
	CHECK(r.dhv + r.dhvlen == m.data() + m.size());

	// One byte short of the DH value.
	CHECK(nvmet_wire_parse_auth_reply(m.data(), u32(m.size() - 1), 32, 256, &r) ==
	      NVME_AUTH_DHCHAP_FAILURE_INCORRECT_PAYLOAD);
	// Not the hash the Challenge named, not the group's value length.
	CHECK(nvmet_wire_parse_auth_reply(m.data(), u32(m.size()), 48, 256, &r) ==
	      NVME_AUTH_DHCHAP_FAILURE_INCORRECT_PAYLOAD);
	CHECK(nvmet_wire_parse_auth_reply(m.data(), u32(m.size()), 32, 384, &r) ==
	      NVME_AUTH_DHCHAP_FAILURE_INCORRECT_PAYLOAD);
	CHECK(nvmet_wire_parse_auth_reply(m.data(), 15, 32, 256, &r) ==
	      NVME_AUTH_DHCHAP_FAILURE_INCORRECT_PAYLOAD);
	// The largest lengths a header can claim, in a short message.
	auto huge = reply(7, 255, 0, false, 0);
	huge[10] = 0xff;
	huge[11] = 0xff;
	CHECK(nvmet_wire_parse_auth_reply(huge.data(), 64, 255, 0xffff, &r) ==
	      NVME_AUTH_DHCHAP_FAILURE_INCORRECT_PAYLOAD);

	auto null_group = reply(9, 64, 0, false, 0);
	REQUIRE(nvmet_wire_parse_auth_reply(null_group.data(), u32(null_group.size()), 64, 0, &r) == 0);
	CHECK_FALSE(r.cvalid);
	CHECK(r.dhvlen == 0);
}

TEST_CASE("header and Failure2")
{
	struct nvmet_wire_auth_hdr h {};
	u8 rc = 0, exp = 0;
	Bytes f{NVME_AUTH_COMMON_MESSAGES, NVME_AUTH_DHCHAP_MESSAGE_FAILURE2, 0, 0, 0x22, 0x11, 1, 4};

	REQUIRE(nvmet_wire_parse_auth_hdr(f.data(), u32(f.size()), &h) == 0);
	CHECK(h.type == NVME_AUTH_COMMON_MESSAGES);
	CHECK(h.id == NVME_AUTH_DHCHAP_MESSAGE_FAILURE2);
	CHECK(h.tid == 0x1122);
	CHECK(nvmet_wire_parse_auth_hdr(f.data(), 5, &h) == NVME_AUTH_DHCHAP_FAILURE_INCORRECT_PAYLOAD);
	REQUIRE(nvmet_wire_parse_auth_failure(f.data(), u32(f.size()), &rc, &exp) == 0);
	CHECK(rc == 1);
	CHECK(exp == 4);
	CHECK(nvmet_wire_parse_auth_failure(f.data(), 7, &rc, &exp) != 0);
}

TEST_CASE("the controller's messages")
{
	Bytes c1(48, 0xc1), dhv(384, 0xd4);
	Bytes buf(4096);

	u32 n = nvmet_wire_put_auth_challenge(buf.data(), u32(buf.size()), 0x0102, 2, 48, 0xa0b0c0d0,
					      c1.data(), 2, dhv.data(), 384);
	REQUIRE(n == 16 + 48 + 384);
	CHECK(buf[0] == NVME_AUTH_DHCHAP_MESSAGES);
	CHECK(buf[1] == NVME_AUTH_DHCHAP_MESSAGE_CHALLENGE);
	CHECK((buf[4] | buf[5] << 8) == 0x0102);
	CHECK(buf[6] == 48);
	CHECK(buf[8] == 2);
	CHECK(buf[9] == 2);
	CHECK((buf[10] | buf[11] << 8) == 384);
	CHECK(buf[12] == 0xd0);
	CHECK(buf[15] == 0xa0);
	CHECK(buf[16] == 0xc1);
	CHECK(buf[16 + 47] == 0xc1);
	CHECK(buf[16 + 48] == 0xd4);
	CHECK(nvmet_wire_put_auth_challenge(buf.data(), n - 1, 1, 2, 48, 0, c1.data(), 2, dhv.data(),
					    384) == 0);

	Bytes s(4096);
	CHECK(nvmet_wire_put_auth_success1(s.data(), 4096, 3, 32, nullptr) == 16);
	CHECK(s[1] == NVME_AUTH_DHCHAP_MESSAGE_SUCCESS1);
	CHECK(s[6] == 32);
	CHECK(s[8] == 0);
	Bytes rv(32, 0x55);
	CHECK(nvmet_wire_put_auth_success1(s.data(), 4096, 3, 32, rv.data()) == 48);
	CHECK(s[8] == NVME_AUTH_DHCHAP_RESPONSE_VALID);
	CHECK(s[16] == 0x55);
	CHECK(nvmet_wire_put_auth_success1(s.data(), 47, 3, 32, rv.data()) == 0);

	Bytes f(8);
	CHECK(nvmet_wire_put_auth_failure1(f.data(), 8, 0x0a0b, NVME_AUTH_DHCHAP_FAILURE_HASH_UNUSABLE) ==
	      8);
	CHECK(f[0] == NVME_AUTH_COMMON_MESSAGES);
	CHECK(f[1] == NVME_AUTH_DHCHAP_MESSAGE_FAILURE1);
	CHECK((f[4] | f[5] << 8) == 0x0a0b);
	CHECK(f[6] == NVME_AUTH_DHCHAP_FAILURE_REASON_FAILED);
	CHECK(f[7] == NVME_AUTH_DHCHAP_FAILURE_HASH_UNUSABLE);
	CHECK(nvmet_wire_put_auth_failure1(f.data(), 7, 1, 1) == 0);
}

TEST_CASE("base64 of the PSK digest: RFC 4648 vectors, padding, size", "[auth][concat]")
{
	const std::string in = "foobar";
	const auto *u = reinterpret_cast<const u8 *>(in.data());
	const std::pair<u32, const char *> want[] = {
		{ 0, "" }, { 1, "Zg==" }, { 2, "Zm8=" }, { 3, "Zm9v" }, { 4, "Zm9vYg==" },
		{ 5, "Zm9vYmE=" }, { 6, "Zm9vYmFy" },
	};
	for (const auto &[len, text] : want) {
		char out[16] = {};
		CHECK(nvmet_wire_base64(u, len, out, sizeof(out)) == std::string(text).size());
		CHECK(std::string(out) == text);
	}
	// A SHA-256 HMAC is 44 characters, a SHA-384 one 64 (NVMe/TCP 3.6.1.3).
	CHECK(NVMET_WIRE_BASE64_LEN(32) == 44);
	CHECK(NVMET_WIRE_BASE64_LEN(48) == 64);
	const Bytes high(32, 0xff);
	char d[45];
	CHECK(nvmet_wire_base64(high.data(), 32, d, sizeof(d)) == 44);
	CHECK(std::string(d) == "//////////////////////////////////////////8=");
	// The text and its NUL must fit.
	CHECK(nvmet_wire_base64(high.data(), 32, d, 44) == 0);
}

TEST_CASE("HKDF-Expand-Label input of the TLS PSK", "[auth][concat]")
{
	Bytes b(512);
	// L = 32, "tls13 nvme-tls-psk", context "01 abc", counter 01h.
	const Bytes want = { 0x00, 0x20, 0x12, 't', 'l', 's', '1', '3', ' ', 'n', 'v', 'm', 'e', '-',
			     't', 'l', 's', '-', 'p', 's', 'k', 0x06, '0', '1', ' ', 'a', 'b', 'c', 0x01 };
	const u32 n = nvmet_wire_tls_psk_info(b.data(), b.size(), 32, 1, "abc");
	REQUIRE(n == want.size());
	CHECK(Bytes(b.begin(), b.begin() + n) == want);
	CHECK(nvmet_wire_tls_psk_info(b.data(), n - 1, 32, 1, "abc") == 0);
	const std::string d64(64, 'A');
	const u32 m = nvmet_wire_tls_psk_info(b.data(), b.size(), 48, 2, d64.c_str());
	CHECK(m == 2 + 1 + 18 + 1 + 67 + 1);
	CHECK(b[1] == 48);
	CHECK(b[21] == 67);
	CHECK(b[22] == '0');
	CHECK(b[23] == '2');
	// A context longer than 255 bytes cannot be encoded.
	const std::string longd(253, 'x');
	CHECK(nvmet_wire_tls_psk_info(b.data(), b.size(), 32, 1, longd.c_str()) == 0);
}

TEST_CASE("TLS PSK identities: the host NQN of the standard forms only", "[auth][tls]")
{
	const auto host = [](const std::string &d) -> std::string {
		const char *h = nullptr;
		u32 n = 0;
		if (!nvmet_wire_psk_identity_host(d.data(), d.size(), &h, &n))
			return "-";
		return std::string(h, n);
	};
	CHECK(host("NVMe0R01 nqn.h nqn.s") == "nqn.h");
	CHECK(host("NVMe1R02 nqn.h nqn.s ZGlnZXN0") == "nqn.h");
	CHECK(host("NVMe1G01 nqn.2014-08.org.nvmexpress:uuid:1 nqn.s d==") ==
	      "nqn.2014-08.org.nvmexpress:uuid:1");
	// Version 1 needs its digest, version 0 has none.
	CHECK(host("NVMe1R01 nqn.h nqn.s") == "-");
	CHECK(host("NVMe0R01 nqn.h nqn.s extra") == "-");
	// Anything else is a name an administrator chose.
	CHECK(host("my-key") == "-");
	CHECK(host("NVMe2R01 nqn.h nqn.s") == "-");
	CHECK(host("NVMe0X01 nqn.h nqn.s") == "-");
	CHECK(host("NVMe0Rx1 nqn.h nqn.s") == "-");
	CHECK(host("NVMe0R01  nqn.h nqn.s") == "-");
	CHECK(host("NVMe0R01 nqn.h nqn.s ") == "-");
	CHECK(host("NVMe0R01nqn.h nqn.s") == "-");
	CHECK(host("NVMe0R01") == "-");
	CHECK(host("NVMe1R01 a b c d") == "-");
	// The length bounds the read: no NUL needed, nothing past it read.
	const std::string d = "NVMe0R01 nqn.h nqn.sXXXX";
	const char *h = nullptr;
	u32 n = 0;
	CHECK(nvmet_wire_psk_identity_host(d.data(), d.size() - 4, &h, &n));
	CHECK(std::string(h, n) == "nqn.h");
}
