// SPDX-License-Identifier: GPL-2.0
// kernel/wire/rdma.c: RDMA_CM private data and the NVMe/RDMA data descriptor.
#include <array>
#include <vector>

#include "catch.hpp"

extern "C" {
#include "wire/rdma.h"
}

namespace {

using Sqe = std::array<u8, NVMET_WIRE_SQE_LEN>;

void put16(u8 *p, u16 v)
{
	p[0] = u8(v);
	p[1] = u8(v >> 8);
}

std::vector<u8> cm_req(u16 recfmt, u16 qid, u16 hrqsize, u16 hsqsize, size_t len = 32)
{
	std::vector<u8> p(len);
	if (len >= 10) {
		put16(&p[0], recfmt);
		put16(&p[2], qid);
		put16(&p[4], hrqsize);
		put16(&p[6], hsqsize);
		put16(&p[8], 0xffff);
	}
	return p;
}

u16 parse(const std::vector<u8> &p, nvmet_wire_rdma_cm_req &r, u32 max_io = 256)
{
	return nvmet_wire_rdma_parse_cm_req(p.data(), u32(p.size()), max_io, &r);
}

// A keyed SGL data block: address, 24-bit length, key, type.
Sqe keyed(u8 opcode, u8 subtype, u64 addr, u32 len, u32 key)
{
	Sqe s{};
	s[0] = opcode;
	for (int i = 0; i < 8; i++)
		s[24 + i] = u8(addr >> (8 * i));
	for (int i = 0; i < 3; i++)
		s[32 + i] = u8(len >> (8 * i));
	for (int i = 0; i < 4; i++)
		s[35 + i] = u8(key >> (8 * i));
	s[39] = u8(NVME_KEY_SGL_FMT_DATA_DESC << 4 | subtype);
	return s;
}

Sqe incapsule(u8 opcode, u64 off, u32 len)
{
	Sqe s{};
	s[0] = opcode;
	for (int i = 0; i < 8; i++)
		s[24 + i] = u8(off >> (8 * i));
	for (int i = 0; i < 4; i++)
		s[32 + i] = u8(len >> (8 * i));
	s[39] = NVME_SGL_FMT_DATA_DESC << 4 | NVME_SGL_FMT_OFFSET;
	return s;
}

constexpr u8 nvm_write = 0x01, nvm_read = 0x02;
constexpr u16 bad = NVME_STATUS_DNR;

} // namespace

TEST_CASE("RDMA_CM request: the Linux host's admin and I/O queues are accepted", "[rdma]")
{
	nvmet_wire_rdma_cm_req r{};
	REQUIRE(parse(cm_req(0, 0, 32, 31), r) == 0);
	CHECK(r.qid == 0);
	CHECK(r.entries == 32);
	CHECK(r.hrqsize == 32);
	CHECK(r.cntlid == 0xffff);
	REQUIRE(parse(cm_req(0, 3, 128, 127), r) == 0);
	CHECK(r.qid == 3);
	CHECK(r.entries == 128);
	// The CM may deliver more private data than the binding defines.
	CHECK(parse(cm_req(0, 1, 256, 255, 56), r) == 0);
}

TEST_CASE("RDMA_CM request: each bad field has its rejection status", "[rdma]")
{
	nvmet_wire_rdma_cm_req r{};
	CHECK(parse(cm_req(0, 0, 32, 31, 31), r) == NVME_RDMA_CM_INVALID_LEN);
	CHECK(nvmet_wire_rdma_parse_cm_req(nullptr, 0, 256, &r) == NVME_RDMA_CM_INVALID_LEN);
	CHECK(parse(cm_req(1, 0, 32, 31), r) == NVME_RDMA_CM_INVALID_RECFMT);
	// Admin queue deeper than 32 entries; I/O queue deeper than the limit.
	CHECK(parse(cm_req(0, 0, 33, 32), r) == NVME_RDMA_CM_INVALID_HSQSIZE);
	CHECK(parse(cm_req(0, 1, 257, 256), r) == NVME_RDMA_CM_INVALID_HSQSIZE);
	CHECK(parse(cm_req(0, 1, 1024, 1023), r, 1024) == 0);
	CHECK(parse(cm_req(0, 1, 0xffff, 0xffff), r, 1024) == NVME_RDMA_CM_INVALID_HSQSIZE);
	// A one-entry queue, and a host that cannot receive a response.
	CHECK(parse(cm_req(0, 1, 1, 0), r) == NVME_RDMA_CM_INVALID_HSQSIZE);
	CHECK(parse(cm_req(0, 1, 0, 127), r) == NVME_RDMA_CM_INVALID_HRQSIZE);
}

TEST_CASE("RDMA_CM accept and reject private data", "[rdma]")
{
	std::array<u8, NVMET_WIRE_RDMA_CM_REP_LEN> rep;
	rep.fill(0xaa);
	nvmet_wire_rdma_build_cm_rep(rep.data(), 128);
	CHECK(rep[0] == 0);
	CHECK(rep[1] == 0);
	CHECK(rep[2] == 128);
	CHECK(rep[3] == 0);
	for (size_t i = 4; i < rep.size(); i++)
		CHECK(rep[i] == 0);
	std::array<u8, NVMET_WIRE_RDMA_CM_REJ_LEN> rej;
	rej.fill(0xaa);
	nvmet_wire_rdma_build_cm_rej(rej.data(), NVME_RDMA_CM_NO_RSC);
	CHECK(rej == std::array<u8, 4>{0, 0, NVME_RDMA_CM_NO_RSC, 0});
}

TEST_CASE("keyed SGL: address, 24-bit length, key, invalidation", "[rdma]")
{
	nvmet_wire_rdma_sgl sgl{};
	auto s = keyed(nvm_read, NVME_SGL_FMT_ADDRESS, 0x1122334455667788ull, 0x100000, 0xdeadbeef);
	REQUIRE(nvmet_wire_rdma_parse_sgl(s.data(), 0, 1 << 20, &sgl) == 0);
	CHECK(sgl.kind == NVMET_WIRE_SGL_TRANSPORT);
	CHECK(sgl.addr == 0x1122334455667788ull);
	CHECK(sgl.length == 0x100000);
	CHECK(sgl.key == 0xdeadbeef);
	CHECK_FALSE(sgl.invalidate);

	s = keyed(nvm_write, NVME_SGL_FMT_INVALIDATE, 0x1000, 4096, 7);
	REQUIRE(nvmet_wire_rdma_parse_sgl(s.data(), 0, 1 << 20, &sgl) == 0);
	CHECK(sgl.invalidate);
	CHECK(sgl.key == 7);

	// Zero length: no data. Longer than the controller's limit: refused.
	s = keyed(nvm_read, NVME_SGL_FMT_ADDRESS, 0, 0, 1);
	REQUIRE(nvmet_wire_rdma_parse_sgl(s.data(), 0, 1 << 20, &sgl) == 0);
	CHECK(sgl.kind == NVMET_WIRE_SGL_NONE);
	s = keyed(nvm_read, NVME_SGL_FMT_ADDRESS, 0, 0x100001, 1);
	CHECK(nvmet_wire_rdma_parse_sgl(s.data(), 0, 1 << 20, &sgl) == (NVME_SC_SGL_INVALID_DATA | bad));
	// The key's top byte is not part of the length.
	s = keyed(nvm_read, NVME_SGL_FMT_ADDRESS, 0, 512, 0xff000000);
	REQUIRE(nvmet_wire_rdma_parse_sgl(s.data(), 0, 1 << 20, &sgl) == 0);
	CHECK(sgl.length == 512);
	// Subtypes other than address and invalidate.
	s = keyed(nvm_read, NVME_SGL_FMT_OFFSET, 0, 512, 1);
	CHECK(nvmet_wire_rdma_parse_sgl(s.data(), 0, 1 << 20, &sgl) == (NVME_SC_INVALID_FIELD | bad));
}

TEST_CASE("in-capsule SGL: only data the capsule brought, only for writes", "[rdma]")
{
	nvmet_wire_rdma_sgl sgl{};
	auto s = incapsule(nvm_write, 0, 4096);
	REQUIRE(nvmet_wire_rdma_parse_sgl(s.data(), 4096, 1 << 20, &sgl) == 0);
	CHECK(sgl.kind == NVMET_WIRE_SGL_INCAPSULE);
	CHECK(sgl.offset == 0);
	CHECK(sgl.length == 4096);
	// Described beyond what arrived (in-tree checks the buffer size only).
	CHECK(nvmet_wire_rdma_parse_sgl(s.data(), 4095, 1 << 20, &sgl) ==
	      (NVME_SC_SGL_INVALID_OFFSET | bad));
	s = incapsule(nvm_write, 1ull << 32, 16);
	CHECK(nvmet_wire_rdma_parse_sgl(s.data(), 8192, 1 << 20, &sgl) ==
	      (NVME_SC_SGL_INVALID_OFFSET | bad));
	s = incapsule(nvm_write, 4000, 0xffffffffu);
	CHECK(nvmet_wire_rdma_parse_sgl(s.data(), 8192, 1 << 20, &sgl) ==
	      (NVME_SC_SGL_INVALID_OFFSET | bad));
	// A read cannot take in-capsule data.
	s = incapsule(nvm_read, 0, 512);
	CHECK(nvmet_wire_rdma_parse_sgl(s.data(), 512, 1 << 20, &sgl) == (NVME_SC_INVALID_FIELD | bad));
	// Zero length: no data, whatever the offset within the capsule.
	s = incapsule(nvm_read, 0, 0);
	REQUIRE(nvmet_wire_rdma_parse_sgl(s.data(), 0, 1 << 20, &sgl) == 0);
	CHECK(sgl.kind == NVMET_WIRE_SGL_NONE);
}

TEST_CASE("other SGL types are refused", "[rdma]")
{
	nvmet_wire_rdma_sgl sgl{};
	auto s = incapsule(nvm_write, 0, 512);
	s[39] = NVME_SGL_FMT_DATA_DESC << 4 | NVME_SGL_FMT_ADDRESS;
	CHECK(nvmet_wire_rdma_parse_sgl(s.data(), 512, 1 << 20, &sgl) == (NVME_SC_INVALID_FIELD | bad));
	s[39] = NVME_TRANSPORT_SGL_DATA_DESC << 4 | NVME_SGL_FMT_TRANSPORT_A; // NVMe/TCP's
	CHECK(nvmet_wire_rdma_parse_sgl(s.data(), 512, 1 << 20, &sgl) == (NVME_SC_SGL_INVALID_TYPE | bad));
	s[39] = 0x20; // segment descriptor
	CHECK(nvmet_wire_rdma_parse_sgl(s.data(), 512, 1 << 20, &sgl) == (NVME_SC_SGL_INVALID_TYPE | bad));
}
