// SPDX-License-Identifier: GPL-2.0
// kernel/wire/tcp-pdu.c: NVMe/TCP PDU header checks and builders.
#include <array>
#include <vector>

#include "catch.hpp"

extern "C" {
#include "wire/tcp-pdu.h"
}

namespace {

nvmet_wire_tcp_limits connected(bool hdgst = false, bool ddgst = false)
{
	nvmet_wire_tcp_limits l{};
	l.ic_done = true;
	l.hdgst = hdgst;
	l.ddgst = ddgst;
	l.cpda = 0;
	l.max_incapsule = 8192;
	l.maxh2cdata = 0x400000;
	return l;
}

std::array<u8, 8> ch(u8 type, u8 flags, u8 hlen, u8 pdo, u32 plen)
{
	return {type, flags, hlen, pdo, u8(plen), u8(plen >> 8), u8(plen >> 16), u8(plen >> 24)};
}

struct Checked {
	int rc;
	nvmet_wire_tcp_pdu pdu;
	nvmet_wire_tcp_err err;
};

Checked check(const std::array<u8, 8> &h, const nvmet_wire_tcp_limits &l)
{
	Checked c{};
	c.rc = nvmet_wire_tcp_check_hdr(h.data(), &l, &c.pdu, &c.err);
	return c;
}

} // namespace

TEST_CASE("ICReq is accepted first and only first", "[tcp]")
{
	nvmet_wire_tcp_limits l{};
	auto c = check(ch(nvme_tcp_icreq, 0, 128, 0, 128), l);
	REQUIRE(c.rc == 0);
	CHECK(c.pdu.hdr_len == 128);
	CHECK(c.pdu.data_len == 0);

	c = check(ch(nvme_tcp_icreq, 0, 128, 0, 128), connected());
	REQUIRE(c.rc == -EPROTO);
	CHECK(c.err.fes == NVME_TCP_FES_PDU_SEQ_ERR);

	c = check(ch(nvme_tcp_cmd, 0, 72, 0, 72), l);
	REQUIRE(c.rc == -EPROTO);
	CHECK(c.err.fes == NVME_TCP_FES_PDU_SEQ_ERR);
}

TEST_CASE("ICReq with a wrong length names the field", "[tcp]")
{
	nvmet_wire_tcp_limits l{};
	auto c = check(ch(nvme_tcp_icreq, 0, 128, 0, 4096), l);
	REQUIRE(c.rc == -EPROTO);
	CHECK(c.err.fes == NVME_TCP_FES_INVALID_PDU_HDR);
	CHECK(c.err.fei == 4);
	c = check(ch(nvme_tcp_icreq, 0, 127, 0, 128), l);
	CHECK(c.err.fei == 2);
	c = check(ch(nvme_tcp_icreq, NVME_TCP_F_HDGST, 128, 0, 128), l);
	CHECK(c.err.fei == 1);
}

TEST_CASE("controller-to-host and unknown PDU types are invalid headers", "[tcp]")
{
	for (u8 t : {u8(nvme_tcp_icresp), u8(nvme_tcp_c2h_term), u8(nvme_tcp_rsp), u8(nvme_tcp_c2h_data),
		     u8(nvme_tcp_r2t), u8(0x08), u8(0x0a), u8(0xff)}) {
		auto c = check(ch(t, 0, 24, 0, 24), connected());
		REQUIRE(c.rc == -EPROTO);
		CHECK(c.err.fes == NVME_TCP_FES_INVALID_PDU_HDR);
		CHECK(c.err.fei == 0);
	}
}

TEST_CASE("CapsuleCmd without data, with and without header digest", "[tcp]")
{
	auto c = check(ch(nvme_tcp_cmd, 0, 72, 0, 72), connected());
	REQUIRE(c.rc == 0);
	CHECK(c.pdu.hdr_len == 72);
	CHECK(c.pdu.data_len == 0);

	c = check(ch(nvme_tcp_cmd, NVME_TCP_F_HDGST, 72, 0, 76), connected(true));
	REQUIRE(c.rc == 0);
	CHECK(c.pdu.hdr_len == 76);

	// Digest flag must match what was negotiated, both ways.
	CHECK(check(ch(nvme_tcp_cmd, 0, 72, 0, 72), connected(true)).rc == -EPROTO);
	CHECK(check(ch(nvme_tcp_cmd, NVME_TCP_F_HDGST, 72, 0, 76), connected()).rc == -EPROTO);
	// PLEN shorter than the header.
	c = check(ch(nvme_tcp_cmd, 0, 72, 0, 71), connected());
	REQUIRE(c.rc == -EPROTO);
	CHECK(c.err.fei == 4);
}

TEST_CASE("CapsuleCmd with in-capsule data: PDO, data digest, limit", "[tcp]")
{
	auto c = check(ch(nvme_tcp_cmd, 0, 72, 72, 72 + 4096), connected());
	REQUIRE(c.rc == 0);
	CHECK(c.pdu.data_off == 72);
	CHECK(c.pdu.data_len == 4096);
	CHECK_FALSE(c.pdu.has_ddgst);

	c = check(ch(nvme_tcp_cmd, NVME_TCP_F_HDGST | NVME_TCP_F_DDGST, 72, 76, 76 + 512 + 4),
		  connected(true, true));
	REQUIRE(c.rc == 0);
	CHECK(c.pdu.data_len == 512);
	CHECK(c.pdu.has_ddgst);

	// PDO inside the header, or not aligned to CPDA.
	CHECK(check(ch(nvme_tcp_cmd, 0, 72, 64, 72 + 512), connected()).err.fei == 3);
	auto l = connected();
	l.cpda = 1; // 8-byte alignment
	CHECK(check(ch(nvme_tcp_cmd, 0, 72, 76, 76 + 512), l).err.fei == 3);
	CHECK(check(ch(nvme_tcp_cmd, 0, 72, 72, 72 + 512), l).rc == 0);
	// PDO beyond PLEN.
	CHECK(check(ch(nvme_tcp_cmd, 0, 72, 200, 100), connected()).err.fei == 4);
	// Data digest flag without negotiated data digest.
	CHECK(check(ch(nvme_tcp_cmd, NVME_TCP_F_DDGST, 72, 72, 72 + 512 + 4), connected()).err.fei == 1);
	// More in-capsule data than the queue accepts.
	c = check(ch(nvme_tcp_cmd, 0, 72, 72, 72 + 8193), connected());
	REQUIRE(c.rc == -EPROTO);
	CHECK(c.err.fes == NVME_TCP_FES_DATA_LIMIT_EXCEEDED);
}

TEST_CASE("PLEN near 4 GiB cannot wrap the data length", "[tcp]")
{
	auto c = check(ch(nvme_tcp_h2c_data, 0, 24, 24, 0xffffffffu), connected());
	REQUIRE(c.rc == -EPROTO);
	CHECK(c.err.fes == NVME_TCP_FES_DATA_LIMIT_EXCEEDED);
	auto l = connected(false, true);
	c = check(ch(nvme_tcp_h2c_data, NVME_TCP_F_DDGST, 24, 24, 27), l);
	REQUIRE(c.rc == -EPROTO); // 24 + 4-byte digest leaves no data
	CHECK(c.err.fei == 4);
	c = check(ch(nvme_tcp_h2c_data, NVME_TCP_F_DDGST, 24, 24, 28), l);
	REQUIRE(c.rc == -EPROTO); // exactly PDO + digest: zero data bytes
	CHECK(c.err.fei == 4);
	c = check(ch(nvme_tcp_cmd, 0, 72, 76, 76), connected());
	REQUIRE(c.rc == -EPROTO); // padding up to PDO but no data
	CHECK(c.err.fei == 4);
}

TEST_CASE("H2CData must carry data, in order and in range", "[tcp]")
{
	CHECK(check(ch(nvme_tcp_h2c_data, 0, 24, 0, 24), connected()).rc == -EPROTO);
	auto c = check(ch(nvme_tcp_h2c_data, NVME_TCP_F_DATA_LAST, 24, 24, 24 + 8192), connected());
	REQUIRE(c.rc == 0);

	std::vector<u8> pdu(24, 0);
	pdu[1] = NVME_TCP_F_DATA_LAST;
	pdu[8] = 0x34; pdu[9] = 0x12;             // CCCID
	pdu[10] = 7;                               // TTAG
	pdu[13] = 0x10;                            // DATAO 4096
	pdu[17] = 0x20;                            // DATAL 8192
	nvmet_wire_tcp_h2c h{};
	nvmet_wire_tcp_parse_h2c(pdu.data(), &h);
	CHECK(h.command_id == 0x1234);
	CHECK(h.ttag == 7);
	CHECK(h.offset == 4096);
	CHECK(h.length == 8192);
	CHECK(h.last);

	nvmet_wire_tcp_err err{};
	CHECK(nvmet_wire_tcp_check_h2c(&h, &c.pdu, 4096, 12288, &err) == 0);
	CHECK(nvmet_wire_tcp_check_h2c(&h, &c.pdu, 0, 12288, &err) == -EPROTO);
	CHECK(err.fes == NVME_TCP_FES_DATA_OUT_OF_RANGE);
	CHECK(nvmet_wire_tcp_check_h2c(&h, &c.pdu, 4096, 8192, &err) == -EPROTO);
	CHECK(err.fes == NVME_TCP_FES_DATA_OUT_OF_RANGE);
	h.length = 4096; // disagrees with PLEN
	CHECK(nvmet_wire_tcp_check_h2c(&h, &c.pdu, 4096, 12288, &err) == -EPROTO);
	CHECK(err.fei == 16);
}

TEST_CASE("H2CTermReq length bounds", "[tcp]")
{
	CHECK(check(ch(nvme_tcp_h2c_term, 0, 24, 0, 24), connected()).rc == 0);
	auto c = check(ch(nvme_tcp_h2c_term, 0, 24, 0, 152), connected());
	REQUIRE(c.rc == 0);
	CHECK(c.pdu.data_len == 128);
	CHECK(check(ch(nvme_tcp_h2c_term, 0, 24, 0, 153), connected()).rc == -EPROTO);
	CHECK(check(ch(nvme_tcp_h2c_term, 0, 24, 0, 23), connected()).rc == -EPROTO);
}

TEST_CASE("ICReq fields and the ICResp built in answer", "[tcp]")
{
	std::array<u8, 128> req{};
	req[0] = nvme_tcp_icreq;
	req[2] = 128;
	req[4] = 128;
	req[10] = 3;
	req[11] = NVME_TCP_HDR_DIGEST_ENABLE | NVME_TCP_DATA_DIGEST_ENABLE;
	req[12] = 0xff;
	nvmet_wire_tcp_icreq ic{};
	nvmet_wire_tcp_err err{};
	REQUIRE(nvmet_wire_tcp_parse_icreq(req.data(), &ic, &err) == 0);
	CHECK(ic.hpda == 3);
	CHECK(ic.hdgst);
	CHECK(ic.ddgst);
	CHECK(ic.maxr2t == 0xff);

	req[8] = 1; // PFV 1 does not exist
	REQUIRE(nvmet_wire_tcp_parse_icreq(req.data(), &ic, &err) == -EPROTO);
	CHECK(err.fes == NVME_TCP_FES_UNSUPPORTED_PARAM);
	CHECK(err.fei == 8);
	req[8] = 0;
	req[10] = 32;
	REQUIRE(nvmet_wire_tcp_parse_icreq(req.data(), &ic, &err) == -EPROTO);
	CHECK(err.fei == 10);

	std::array<u8, 128> resp{};
	resp.fill(0xaa);
	nvmet_wire_tcp_build_icresp(resp.data(), 0, true, false, 0x400000);
	CHECK(resp[0] == nvme_tcp_icresp);
	CHECK(resp[2] == 128);
	CHECK(resp[4] == 128);
	CHECK(resp[10] == 0);
	CHECK(resp[11] == NVME_TCP_HDR_DIGEST_ENABLE);
	CHECK(resp[14] == 0x40);
	CHECK(resp[127] == 0);
}

TEST_CASE("C2HTermReq carries at most 128 bytes of the bad header", "[tcp]")
{
	std::array<u8, NVME_TCP_MAX_C2HTERM_PLEN + 16> buf{};
	buf.fill(0xee);
	std::array<u8, 200> bad{};
	bad.fill(0x5a);
	size_t n = nvmet_wire_tcp_build_term(buf.data(), NVME_TCP_FES_INVALID_PDU_HDR, 3, bad.data(), bad.size());
	CHECK(n == NVME_TCP_MAX_C2HTERM_PLEN);
	CHECK(buf[0] == nvme_tcp_c2h_term);
	CHECK(buf[2] == 24);
	CHECK(buf[4] == NVME_TCP_MAX_C2HTERM_PLEN);
	CHECK(buf[8] == NVME_TCP_FES_INVALID_PDU_HDR);
	CHECK(buf[10] == 3);
	CHECK(buf[24] == 0x5a);
	CHECK(buf[151] == 0x5a);
	CHECK(buf[152] == 0xee); // nothing written past the PDU

	n = nvmet_wire_tcp_build_term(buf.data(), NVME_TCP_FES_PDU_SEQ_ERR, 0, bad.data(), 8);
	CHECK(n == 32);
	CHECK(buf[4] == 32);
}
