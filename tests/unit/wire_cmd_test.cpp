// SPDX-License-Identifier: GPL-2.0
// kernel/wire/cmd.c: SQE flags, the NVMe/TCP data descriptor, Connect.
#include <array>
#include <cstring>
#include <string>

#include "catch.hpp"

extern "C" {
#include "wire/tcp-pdu.h"
}

namespace {

using Sqe = std::array<u8, NVMET_WIRE_SQE_LEN>;

void put32(u8 *p, u32 v)
{
	for (int i = 0; i < 4; i++)
		p[i] = u8(v >> (8 * i));
}

Sqe sqe(u8 opcode, u8 sgl_type, u64 addr, u32 len)
{
	Sqe s{};
	s[0] = opcode;
	s[1] = NVME_CMD_SGL_METABUF;
	put32(&s[24], u32(addr));
	put32(&s[28], u32(addr >> 32));
	put32(&s[32], len);
	s[39] = sgl_type;
	return s;
}

constexpr u8 incapsule = NVME_SGL_FMT_DATA_DESC << 4 | NVME_SGL_FMT_OFFSET;
constexpr u8 transport = NVME_TRANSPORT_SGL_DATA_DESC << 4 | NVME_SGL_FMT_TRANSPORT_A;
constexpr u8 nvm_write = 0x01, nvm_read = 0x02;

} // namespace

TEST_CASE("SQE flags: SGL with metadata buffer, no fusing", "[cmd]")
{
	auto s = sqe(nvm_read, transport, 0, 4096);
	CHECK(nvmet_wire_sqe_check_flags(s.data()) == 0);
	s[1] = 0; // PRPs
	CHECK(nvmet_wire_sqe_check_flags(s.data()) == (NVME_SC_INVALID_FIELD | NVME_STATUS_DNR));
	s[1] = NVME_CMD_SGL_METABUF | NVME_CMD_FUSE_FIRST;
	CHECK(nvmet_wire_sqe_check_flags(s.data()) == (NVME_SC_INVALID_FIELD | NVME_STATUS_DNR));
}

TEST_CASE("in-capsule data descriptor", "[cmd]")
{
	nvmet_wire_sgl sgl{};
	auto s = sqe(nvm_write, incapsule, 0, 4096);
	REQUIRE(nvmet_wire_tcp_sgl(s.data(), 4096, 1 << 20, &sgl) == 0);
	CHECK(sgl.kind == NVMET_WIRE_SGL_INCAPSULE);
	CHECK(sgl.length == 4096);

	s = sqe(nvm_write, incapsule, 512, 512);
	REQUIRE(nvmet_wire_tcp_sgl(s.data(), 1024, 1 << 20, &sgl) == 0);
	CHECK(sgl.offset == 512);

	// Beyond what came in the capsule, also with offsets that would wrap.
	s = sqe(nvm_write, incapsule, 0, 4097);
	CHECK(nvmet_wire_tcp_sgl(s.data(), 4096, 1 << 20, &sgl) == (NVME_SC_SGL_INVALID_OFFSET | NVME_STATUS_DNR));
	s = sqe(nvm_write, incapsule, 0xffffffffffffff00ull, 0x200);
	CHECK(nvmet_wire_tcp_sgl(s.data(), 4096, 1 << 20, &sgl) == (NVME_SC_SGL_INVALID_OFFSET | NVME_STATUS_DNR));
	s = sqe(nvm_write, incapsule, 4000, 0xffffffffu);
	CHECK(nvmet_wire_tcp_sgl(s.data(), 4096, 1 << 20, &sgl) == (NVME_SC_SGL_INVALID_OFFSET | NVME_STATUS_DNR));
	// In-capsule data for a read makes no sense.
	s = sqe(nvm_read, incapsule, 0, 512);
	CHECK(nvmet_wire_tcp_sgl(s.data(), 512, 1 << 20, &sgl) == (NVME_SC_INVALID_FIELD | NVME_STATUS_DNR));
}

TEST_CASE("transport data descriptor (R2T / C2HData)", "[cmd]")
{
	nvmet_wire_sgl sgl{};
	auto s = sqe(nvm_read, transport, 0, 131072);
	REQUIRE(nvmet_wire_tcp_sgl(s.data(), 0, 131072, &sgl) == 0);
	CHECK(sgl.kind == NVMET_WIRE_SGL_TRANSPORT);
	CHECK(nvmet_wire_tcp_sgl(s.data(), 0, 131071, &sgl) == (NVME_SC_SGL_INVALID_DATA | NVME_STATUS_DNR));
	CHECK(nvmet_wire_tcp_sgl(s.data(), 512, 131072, &sgl) == (NVME_SC_SGL_INVALID_DATA | NVME_STATUS_DNR));
	s = sqe(nvm_read, transport, 0, 0);
	REQUIRE(nvmet_wire_tcp_sgl(s.data(), 0, 131072, &sgl) == 0);
	CHECK(sgl.kind == NVMET_WIRE_SGL_NONE);
}

TEST_CASE("other descriptor types are refused", "[cmd]")
{
	nvmet_wire_sgl sgl{};
	for (u8 t : {u8(0x00), u8(0x02), u8(0x40), u8(0x50), u8(0x5b), u8(0xff)}) {
		auto s = sqe(nvm_read, t, 0, 512);
		CHECK(nvmet_wire_tcp_sgl(s.data(), 0, 1 << 20, &sgl) == (NVME_SC_SGL_INVALID_TYPE | NVME_STATUS_DNR));
	}
}

namespace {

struct Connect {
	Sqe sqe{};
	std::array<u8, NVMET_WIRE_CONNECT_DATA_LEN> data{};

	Connect(u16 qid, u16 sqsize, u16 cntlid, const std::string &subnqn, const std::string &hostnqn)
	{
		sqe[0] = nvme_fabrics_command;
		sqe[1] = NVME_CMD_SGL_METABUF;
		sqe[4] = nvme_fabrics_type_connect;
		sqe[42] = u8(qid);
		sqe[43] = u8(qid >> 8);
		sqe[44] = u8(sqsize);
		sqe[45] = u8(sqsize >> 8);
		sqe[46] = NVME_CONNECT_DISABLE_SQFLOW;
		put32(&sqe[48], 15000);
		data[0] = 0x6b;
		data[16] = u8(cntlid);
		data[17] = u8(cntlid >> 8);
		std::memcpy(&data[256], subnqn.data(), subnqn.size());
		std::memcpy(&data[512], hostnqn.data(), hostnqn.size());
	}

	u16 parse(nvmet_wire_connect &c, nvmet_wire_loc &loc, u32 len = NVMET_WIRE_CONNECT_DATA_LEN)
	{
		return nvmet_wire_parse_connect(sqe.data(), data.data(), len, 127, &c, &loc);
	}
};

const std::string sub = "nqn.2026-11.org.nvmet-oot:t";
const std::string host = "nqn.2014-08.org.nvmexpress:uuid:6b1c2a10-5e0c-4a58-9d4f-1a2b3c4d5e6f";

} // namespace

TEST_CASE("Connect: admin queue, dynamic controller", "[connect]")
{
	Connect cmd(0, 31, NVME_CNTLID_DYNAMIC, sub, host);
	nvmet_wire_connect c{};
	nvmet_wire_loc loc{};
	REQUIRE(cmd.parse(c, loc) == 0);
	CHECK(c.qid == 0);
	CHECK(c.sqsize == 31);
	CHECK(c.kato == 15000);
	CHECK((c.cattr & NVME_CONNECT_DISABLE_SQFLOW) != 0);
	CHECK(c.hostid[0] == 0x6b);
	CHECK(std::string(c.subnqn) == sub);
	CHECK(std::string(c.hostnqn) == host);
}

TEST_CASE("Connect: each bad parameter names its place", "[connect]")
{
	nvmet_wire_connect c{};
	nvmet_wire_loc loc{};
	const u16 invalid = NVME_SC_CONNECT_INVALID_PARAM | NVME_STATUS_DNR;

	Connect fmt(0, 31, NVME_CNTLID_DYNAMIC, sub, host);
	fmt.sqe[40] = 1;
	CHECK(fmt.parse(c, loc) == (NVME_SC_CONNECT_FORMAT | NVME_STATUS_DNR));

	Connect zero(1, 0, 1, sub, host);
	CHECK(zero.parse(c, loc) == invalid);
	CHECK_FALSE(loc.in_data);
	CHECK(loc.offset == 44);

	Connect big(1, 128, 1, sub, host);
	CHECK(big.parse(c, loc) == invalid);

	Connect static_cntlid(0, 31, 1, sub, host);
	CHECK(static_cntlid.parse(c, loc) == invalid);
	CHECK(loc.in_data);
	CHECK(loc.offset == 16);

	Connect unterminated(0, 31, NVME_CNTLID_DYNAMIC, std::string(256, 'n'), host);
	CHECK(unterminated.parse(c, loc) == invalid);
	CHECK(loc.offset == 256);

	Connect empty_host(0, 31, NVME_CNTLID_DYNAMIC, sub, "");
	CHECK(empty_host.parse(c, loc) == invalid);
	CHECK(loc.offset == 512);

	Connect short_data(0, 31, NVME_CNTLID_DYNAMIC, sub, host);
	CHECK(short_data.parse(c, loc, 1023) == (NVME_SC_SGL_INVALID_DATA | NVME_STATUS_DNR));

	Connect io(3, 127, 1, sub, host);
	REQUIRE(io.parse(c, loc) == 0);
	CHECK(c.cntlid == 1);
	CHECK(c.qid == 3);
}

TEST_CASE("Disconnect: I/O queue only, record format 0", "[disconnect]")
{
	Sqe sqe{};
	sqe[0] = nvme_fabrics_command;
	sqe[1] = NVME_CMD_SGL_METABUF;
	sqe[4] = NVMET_WIRE_FCTYPE_DISCONNECT;
	u16 at = 0xffff;

	CHECK(nvmet_wire_parse_disconnect(sqe.data(), false, &at) == 0);
	CHECK(at == 0);

	CHECK(nvmet_wire_parse_disconnect(sqe.data(), true, &at) ==
	      (NVMET_WIRE_SC_DISCONNECT_INVALID_QTYPE | NVME_STATUS_DNR));
	CHECK(at == 4);

	sqe[41] = 1; // RECFMT 0100h
	CHECK(nvmet_wire_parse_disconnect(sqe.data(), false, &at) ==
	      (NVME_SC_CONNECT_FORMAT | NVME_STATUS_DNR));
	CHECK(at == 40);
	sqe[41] = 0;

	sqe[4] = nvme_fabrics_type_connect;
	CHECK(nvmet_wire_parse_disconnect(sqe.data(), false, &at) ==
	      (NVME_SC_INVALID_OPCODE | NVME_STATUS_DNR));
}
