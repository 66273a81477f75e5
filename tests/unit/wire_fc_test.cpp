// SPDX-License-Identifier: GPL-2.0
// kernel/wire/fc.c: FC-NVMe link services, CMD IU, ERSP IU, the ERSP rule.
#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "catch.hpp"

extern "C" {
#include "wire/fc.h"
}

namespace {

using Bytes = std::vector<u8>;

void be16(u8 *p, u16 v)
{
	p[0] = u8(v >> 8);
	p[1] = u8(v);
}

void be32(u8 *p, u32 v)
{
	be16(p, u16(v >> 16));
	be16(p + 2, u16(v));
}

void be64(u8 *p, u64 v)
{
	be32(p, u32(v >> 32));
	be32(p + 4, u32(v));
}

u32 get32(const u8 *p)
{
	return u32(p[0]) << 24 | u32(p[1]) << 16 | u32(p[2]) << 8 | p[3];
}

u64 get64(const u8 *p)
{
	return u64(get32(p)) << 32 | get32(p + 4);
}

constexpr u16 rjt(u8 rc, u8 exp)
{
	return u16(rc << 8 | exp);
}

constexpr u16 max_qid = 8, admin_max = 31, io_max = 127;

const std::string hostnqn = "nqn.2014-08.org.nvmexpress:uuid:6b1c2a10-5e0c-4a58-9d4f-1a2b3c4d5e6f";
const std::string subnqn = "nqn.2026-11.org.nvmet-oot:fc";

// Create Association as the Linux host sends it: a 1024-byte request whose
// descriptor list is the 1016-byte command descriptor. LIST and DESC give
// the two length fields, LEN the buffer handed over.
struct CreateAssoc {
	u16 ersp_ratio = 6;
	u16 sqsize = 31;
	u16 cntlid = 0xffff;
	std::string host = hostnqn;
	std::string sub = subnqn;
	u32 list = 1016;
	u32 desc = 1008;
	size_t len = 1024;
	u32 tag = 3;

	Bytes build() const
	{
		Bytes b(std::max<size_t>(len, 1024));
		b[0] = 3;
		be32(&b[4], list);
		be32(&b[8], tag);
		be32(&b[12], desc);
		be16(&b[16], ersp_ratio);
		be16(&b[56], cntlid);
		be16(&b[58], sqsize);
		for (int i = 0; i < 16; i++)
			b[64 + i] = u8(0xa0 + i);
		std::memcpy(&b[80], host.data(), std::min<size_t>(host.size(), 256));
		std::memcpy(&b[336], sub.data(), std::min<size_t>(sub.size(), 256));
		b.resize(len);
		return b;
	}
};

// Create Connection: association ID descriptor, then the command descriptor.
struct CreateConn {
	u64 assoc = 0x1234567890ab0000ull;
	u16 ersp_ratio = 25;
	u16 sqsize = 127;
	u16 qid = 1;
	u32 list = 72;
	u32 id_tag = 7, id_len = 8;
	u32 cmd_tag = 4, cmd_len = 48;
	size_t len = 80;

	Bytes build() const
	{
		Bytes b(std::max<size_t>(len, 80));
		b[0] = 4;
		be32(&b[4], list);
		be32(&b[8], id_tag);
		be32(&b[12], id_len);
		be64(&b[16], assoc);
		be32(&b[24], cmd_tag);
		be32(&b[28], cmd_len);
		be16(&b[32], ersp_ratio);
		be16(&b[72], qid);
		be16(&b[74], sqsize);
		b.resize(len);
		return b;
	}
};

Bytes disconn_rqst(u64 assoc)
{
	Bytes b(NVMET_WIRE_FC_LS_RSP_MAX);
	b.resize(nvmet_wire_fc_build_disconn_assoc_rqst(b.data(), assoc));
	return b;
}

u16 parse(const Bytes &b, nvmet_wire_fc_ls &ls)
{
	return nvmet_wire_fc_parse_ls(b.data(), u32(b.size()), max_qid, admin_max, io_max, &ls);
}

// What the Linux host checks of an LS_ACC header: list length, request
// descriptor (tag, length 8, the command answered).
void check_acc_hdr(const Bytes &b, u8 cmd)
{
	CHECK(b[0] == NVMET_WIRE_FC_LS_ACC);
	CHECK(b[1] == 0);
	CHECK(get32(&b[4]) == b.size() - 8);
	CHECK(get32(&b[8]) == NVMET_WIRE_FC_DESC_RQST);
	CHECK(get32(&b[12]) == 8);
	CHECK(b[16] == cmd);
	for (size_t i = 17; i < 24; i++)
		CHECK(b[i] == 0);
}

} // namespace

TEST_CASE("Create Association: the Linux host's request is accepted", "[fc]")
{
	nvmet_wire_fc_ls ls{};
	CreateAssoc ca;
	REQUIRE(parse(ca.build(), ls) == 0);
	CHECK(ls.cmd == NVMET_WIRE_FC_LS_CREATE_ASSOC);
	CHECK(ls.ersp_ratio == 6);
	CHECK(ls.sqsize == 31);
	CHECK(ls.cntlid == 0xffff);
	for (int i = 0; i < 16; i++)
		CHECK(ls.hostid[i] == 0xa0 + i);
	CHECK(ls.hostnqn == hostnqn);
	CHECK(ls.subnqn == subnqn);
	CHECK(ls.association_id == 0);
	CHECK(ls.qid == 0);
}

TEST_CASE("Create Association: lengths of the buffer, the list and the descriptor", "[fc]")
{
	nvmet_wire_fc_ls ls{};
	const u16 inv_len = rjt(NVMET_WIRE_FC_RJT_RC_LOGIC, NVMET_WIRE_FC_RJT_EXP_INV_LEN);
	CreateAssoc ca;
	// A larger buffer than the request: only the list length counts.
	ca.len = 2048;
	CHECK(parse(ca.build(), ls) == 0);
	// One byte short of what the list says.
	ca.len = 1023;
	CHECK(parse(ca.build(), ls) == inv_len);
	// The shortest accepted: the descriptor up to SUBNQN (older padding).
	ca.list = 584;
	ca.desc = 576;
	ca.len = 592;
	CHECK(parse(ca.build(), ls) == 0);
	CHECK(ls.subnqn == subnqn);
	ca.len = 591;
	CHECK(parse(ca.build(), ls) == inv_len);
	ca.len = 1024;
	ca.list = 583;
	CHECK(parse(ca.build(), ls) == inv_len);
	ca.list = 584;
	ca.desc = 575;
	CHECK(parse(ca.build(), ls) == inv_len);
	// The descriptor fills its list exactly, or overruns it by one.
	ca.list = 1016;
	ca.desc = 1008;
	CHECK(parse(ca.build(), ls) == 0);
	ca.desc = 1009;
	CHECK(parse(ca.build(), ls) == inv_len);
	// A list that says more than any buffer holds.
	ca.desc = 1008;
	ca.list = 0xffffffffu;
	CHECK(parse(ca.build(), ls) == inv_len);
	ca.list = 0xfffffff8u;
	CHECK(parse(ca.build(), ls) == inv_len);
	// Only the 8-byte header, or less.
	for (size_t n = 1; n <= 8; n++) {
		Bytes b = CreateAssoc{}.build();
		b.resize(n);
		CHECK(parse(b, ls) == inv_len);
		CHECK(ls.cmd == NVMET_WIRE_FC_LS_CREATE_ASSOC);
	}
}

TEST_CASE("Create Association: a wrong descriptor tag is a logical error", "[fc]")
{
	nvmet_wire_fc_ls ls{};
	CreateAssoc ca;
	for (u32 tag : {0u, 4u, 0x03000000u}) {
		ca.tag = tag;
		CHECK(parse(ca.build(), ls) ==
		      rjt(NVMET_WIRE_FC_RJT_RC_LOGIC, NVMET_WIRE_FC_RJT_EXP_NONE));
	}
}

TEST_CASE("Create Association: SQSIZE and ERSP_RATIO bounds", "[fc]")
{
	nvmet_wire_fc_ls ls{};
	const u16 bad_sq = rjt(NVMET_WIRE_FC_RJT_RC_INV_PARAM, NVMET_WIRE_FC_RJT_EXP_INV_SQSIZE);
	const u16 bad_ratio = rjt(NVMET_WIRE_FC_RJT_RC_INV_PARAM, NVMET_WIRE_FC_RJT_EXP_INV_ERSP_RAT);
	CreateAssoc ca;
	ca.ersp_ratio = 1;
	ca.sqsize = 0;
	CHECK(parse(ca.build(), ls) == bad_sq);
	ca.sqsize = 1;
	CHECK(parse(ca.build(), ls) == 0);
	ca.sqsize = admin_max;
	CHECK(parse(ca.build(), ls) == 0);
	ca.sqsize = admin_max + 1;
	CHECK(parse(ca.build(), ls) == bad_sq);
	// The I/O limit does not apply to the admin queue.
	ca.sqsize = io_max;
	CHECK(parse(ca.build(), ls) == bad_sq);
	ca.sqsize = 0xffff;
	CHECK(parse(ca.build(), ls) == bad_sq);
	// SQSIZE is checked first: both wrong reports SQSIZE.
	ca.sqsize = 0;
	ca.ersp_ratio = 0;
	CHECK(parse(ca.build(), ls) == bad_sq);

	ca.sqsize = 31;
	ca.ersp_ratio = 0;
	CHECK(parse(ca.build(), ls) == bad_ratio);
	ca.ersp_ratio = 31; // below the 32 entries (in-tree refuses this one)
	CHECK(parse(ca.build(), ls) == 0);
	CHECK(ls.ersp_ratio == 31);
	ca.ersp_ratio = 32;
	CHECK(parse(ca.build(), ls) == bad_ratio);
	ca.ersp_ratio = 0xffff;
	CHECK(parse(ca.build(), ls) == bad_ratio);
}

TEST_CASE("Create Association: CNTLID, HOSTNQN and SUBNQN", "[fc]")
{
	nvmet_wire_fc_ls ls{};
	const u8 param = NVMET_WIRE_FC_RJT_RC_INV_PARAM;
	CreateAssoc ca;
	ca.cntlid = 1;
	CHECK(parse(ca.build(), ls) == rjt(param, NVMET_WIRE_FC_RJT_EXP_INV_CTLR_ID));
	ca.cntlid = 0;
	CHECK(parse(ca.build(), ls) == rjt(param, NVMET_WIRE_FC_RJT_EXP_INV_CTLR_ID));
	ca.cntlid = 0xffff;

	const std::string s255(255, 'h'), s256(256, 'h');
	ca.host = s255; // exactly 255 characters and the NUL
	REQUIRE(parse(ca.build(), ls) == 0);
	CHECK(ls.hostnqn == s255);
	ca.host = s256; // no NUL in the field
	CHECK(parse(ca.build(), ls) == rjt(param, NVMET_WIRE_FC_RJT_EXP_INV_HOSTNQN));
	ca.host = "";
	CHECK(parse(ca.build(), ls) == rjt(param, NVMET_WIRE_FC_RJT_EXP_INV_HOSTNQN));
	// HOSTNQN is checked before SUBNQN.
	ca.sub = "";
	CHECK(parse(ca.build(), ls) == rjt(param, NVMET_WIRE_FC_RJT_EXP_INV_HOSTNQN));

	ca.host = hostnqn;
	CHECK(parse(ca.build(), ls) == rjt(param, NVMET_WIRE_FC_RJT_EXP_INV_SUBNQN));
	ca.sub = s256;
	CHECK(parse(ca.build(), ls) == rjt(param, NVMET_WIRE_FC_RJT_EXP_INV_SUBNQN));
	ca.sub = s255;
	REQUIRE(parse(ca.build(), ls) == 0);
	CHECK(ls.subnqn == s255);
	CHECK(std::strlen(ls.subnqn) == 255);
	// In the shortest request SUBNQN ends the buffer: its NUL is the last byte.
	ca.list = 584;
	ca.desc = 576;
	ca.len = 592;
	CHECK(parse(ca.build(), ls) == 0);
	ca.sub = s256;
	CHECK(parse(ca.build(), ls) == rjt(param, NVMET_WIRE_FC_RJT_EXP_INV_SUBNQN));
}

TEST_CASE("LS command codes: unknown, responses, Disconnect Connection, nothing", "[fc]")
{
	nvmet_wire_fc_ls ls{};
	for (u8 cmd : {0, 1, 2, 7, 0x40, 0xff}) {
		Bytes b = CreateAssoc{}.build();
		b[0] = cmd;
		CHECK(parse(b, ls) == rjt(NVMET_WIRE_FC_RJT_RC_INVAL, NVMET_WIRE_FC_RJT_EXP_NONE));
		CHECK(ls.cmd == cmd);
		b.resize(1);
		CHECK(parse(b, ls) == rjt(NVMET_WIRE_FC_RJT_RC_INVAL, NVMET_WIRE_FC_RJT_EXP_NONE));
	}
	Bytes b = CreateConn{}.build();
	b[0] = NVMET_WIRE_FC_LS_DISCONN_CONN;
	CHECK(parse(b, ls) == rjt(NVMET_WIRE_FC_RJT_RC_UNSUP, NVMET_WIRE_FC_RJT_EXP_NONE));
	CHECK(ls.cmd == NVMET_WIRE_FC_LS_DISCONN_CONN);
	u8 one = 3;
	CHECK(nvmet_wire_fc_parse_ls(&one, 0, max_qid, admin_max, io_max, &ls) ==
	      rjt(NVMET_WIRE_FC_RJT_RC_LOGIC, NVMET_WIRE_FC_RJT_EXP_INV_LEN));
	CHECK(ls.cmd == 0);
	CHECK(nvmet_wire_fc_parse_ls(nullptr, 0, max_qid, admin_max, io_max, &ls) ==
	      rjt(NVMET_WIRE_FC_RJT_RC_LOGIC, NVMET_WIRE_FC_RJT_EXP_INV_LEN));
	// The word 0 bytes after the command code are not looked at.
	b = CreateConn{}.build();
	b[1] = b[2] = b[3] = 0xff;
	CHECK(parse(b, ls) == 0);
}

TEST_CASE("Create Connection: accepted, and each length and tag", "[fc]")
{
	nvmet_wire_fc_ls ls{};
	const u16 inv_len = rjt(NVMET_WIRE_FC_RJT_RC_LOGIC, NVMET_WIRE_FC_RJT_EXP_INV_LEN);
	const u16 logic = rjt(NVMET_WIRE_FC_RJT_RC_LOGIC, NVMET_WIRE_FC_RJT_EXP_NONE);
	CreateConn cc;
	REQUIRE(parse(cc.build(), ls) == 0);
	CHECK(ls.cmd == NVMET_WIRE_FC_LS_CREATE_CONN);
	CHECK(ls.association_id == 0x1234567890ab0000ull);
	CHECK(ls.qid == 1);
	CHECK(ls.sqsize == 127);
	CHECK(ls.ersp_ratio == 25);
	CHECK(ls.hostnqn[0] == 0);

	cc.len = 96;
	CHECK(parse(cc.build(), ls) == 0);
	cc.len = 79;
	CHECK(parse(cc.build(), ls) == inv_len);
	cc.len = 80;
	for (u32 list : {0u, 71u, 73u, 1016u}) {
		cc.list = list;
		CHECK(parse(cc.build(), ls) == inv_len);
	}
	cc.list = 72;
	cc.id_tag = 6;
	CHECK(parse(cc.build(), ls) == logic);
	cc.id_tag = 7;
	cc.id_len = 9;
	CHECK(parse(cc.build(), ls) == inv_len);
	cc.id_len = 7;
	CHECK(parse(cc.build(), ls) == inv_len);
	cc.id_len = 8;
	cc.cmd_tag = 3;
	CHECK(parse(cc.build(), ls) == logic);
	cc.cmd_tag = 4;
	cc.cmd_len = 49;
	CHECK(parse(cc.build(), ls) == inv_len);
	cc.cmd_len = 47;
	CHECK(parse(cc.build(), ls) == inv_len);
	// A tag is checked before its length.
	cc.cmd_tag = 5;
	CHECK(parse(cc.build(), ls) == logic);
}

TEST_CASE("Create Connection: QID, SQSIZE and ERSP_RATIO bounds", "[fc]")
{
	nvmet_wire_fc_ls ls{};
	const u8 param = NVMET_WIRE_FC_RJT_RC_INV_PARAM;
	CreateConn cc;
	cc.qid = 0;
	CHECK(parse(cc.build(), ls) == rjt(param, NVMET_WIRE_FC_RJT_EXP_INV_QUEUE_ID));
	cc.qid = max_qid;
	CHECK(parse(cc.build(), ls) == 0);
	cc.qid = max_qid + 1;
	CHECK(parse(cc.build(), ls) == rjt(param, NVMET_WIRE_FC_RJT_EXP_INV_QUEUE_ID));
	cc.qid = 0xffff;
	CHECK(parse(cc.build(), ls) == rjt(param, NVMET_WIRE_FC_RJT_EXP_INV_QUEUE_ID));
	// QID before SQSIZE.
	cc.sqsize = 0;
	CHECK(parse(cc.build(), ls) == rjt(param, NVMET_WIRE_FC_RJT_EXP_INV_QUEUE_ID));

	cc.qid = 2;
	cc.ersp_ratio = 1;
	CHECK(parse(cc.build(), ls) == rjt(param, NVMET_WIRE_FC_RJT_EXP_INV_SQSIZE));
	cc.sqsize = 1;
	CHECK(parse(cc.build(), ls) == 0);
	cc.sqsize = io_max;
	CHECK(parse(cc.build(), ls) == 0);
	cc.sqsize = io_max + 1;
	CHECK(parse(cc.build(), ls) == rjt(param, NVMET_WIRE_FC_RJT_EXP_INV_SQSIZE));

	cc.sqsize = 63;
	cc.ersp_ratio = 0;
	CHECK(parse(cc.build(), ls) == rjt(param, NVMET_WIRE_FC_RJT_EXP_INV_ERSP_RAT));
	cc.ersp_ratio = 63;
	CHECK(parse(cc.build(), ls) == 0);
	cc.ersp_ratio = 64;
	CHECK(parse(cc.build(), ls) == rjt(param, NVMET_WIRE_FC_RJT_EXP_INV_ERSP_RAT));
}

TEST_CASE("Disconnect Association: ours parses back; lengths, tags and scope", "[fc]")
{
	nvmet_wire_fc_ls ls{};
	const u16 inv_len = rjt(NVMET_WIRE_FC_RJT_RC_LOGIC, NVMET_WIRE_FC_RJT_EXP_INV_LEN);
	const u16 logic = rjt(NVMET_WIRE_FC_RJT_RC_LOGIC, NVMET_WIRE_FC_RJT_EXP_NONE);
	Bytes b = disconn_rqst(0xfedcba9876540000ull);
	REQUIRE(b.size() == NVMET_WIRE_FC_DISCONN_RQST_LEN);
	REQUIRE(parse(b, ls) == 0);
	CHECK(ls.cmd == NVMET_WIRE_FC_LS_DISCONN_ASSOC);
	CHECK(ls.association_id == 0xfedcba9876540000ull);
	// As the Linux host builds it: list 40, ID descriptor, command descriptor of 16.
	CHECK(get32(&b[4]) == 40);
	CHECK(get32(&b[8]) == NVMET_WIRE_FC_DESC_ASSOC_ID);
	CHECK(get32(&b[12]) == 8);
	CHECK(get64(&b[16]) == 0xfedcba9876540000ull);
	CHECK(get32(&b[24]) == NVMET_WIRE_FC_DESC_DISCONN);
	CHECK(get32(&b[28]) == 16);
	for (size_t i = 32; i < 48; i++)
		CHECK(b[i] == 0);

	Bytes longer = b;
	longer.resize(64, 0xee);
	CHECK(parse(longer, ls) == 0);
	Bytes shorter(b.begin(), b.end() - 1);
	CHECK(parse(shorter, ls) == inv_len);

	Bytes w = b;
	be32(&w[4], 41);
	CHECK(parse(w, ls) == inv_len);
	w = b;
	be32(&w[8], NVMET_WIRE_FC_DESC_CONN_ID);
	CHECK(parse(w, ls) == logic);
	w = b;
	be32(&w[12], 16);
	CHECK(parse(w, ls) == inv_len);
	w = b;
	be32(&w[24], NVMET_WIRE_FC_DESC_CREATE_CONN);
	CHECK(parse(w, ls) == logic);
	w = b;
	be32(&w[28], 8);
	CHECK(parse(w, ls) == inv_len);
	// FC-NVMe-1's SCOPE (a single connection): not supported.
	w = b;
	w[35] = 1;
	CHECK(parse(w, ls) == rjt(NVMET_WIRE_FC_RJT_RC_UNSUP, NVMET_WIRE_FC_RJT_EXP_NONE));
	w = b;
	w[32] = 0x80;
	CHECK(parse(w, ls) == rjt(NVMET_WIRE_FC_RJT_RC_UNSUP, NVMET_WIRE_FC_RJT_EXP_NONE));
	// The other reserved words are not looked at.
	w = b;
	w[36] = w[44] = w[47] = 0xff;
	CHECK(parse(w, ls) == 0);
}

TEST_CASE("LS_RJT: header, the request answered, reason and explanation", "[fc]")
{
	Bytes b(NVMET_WIRE_FC_LS_RSP_MAX + 8, 0xaa);
	u32 n = nvmet_wire_fc_build_ls_rjt(b.data(), NVMET_WIRE_FC_LS_CREATE_CONN,
					   NVMET_WIRE_FC_RJT_RC_INV_PARAM,
					   NVMET_WIRE_FC_RJT_EXP_INV_QUEUE_ID);
	REQUIRE(n == 40);
	REQUIRE(n <= NVMET_WIRE_FC_LS_RSP_MAX);
	for (size_t i = n; i < b.size(); i++)
		CHECK(b[i] == 0xaa);
	b.resize(n);
	CHECK(b[0] == NVMET_WIRE_FC_LS_RJT);
	CHECK(get32(&b[4]) == 32);
	CHECK(get32(&b[8]) == NVMET_WIRE_FC_DESC_RQST);
	CHECK(get32(&b[12]) == 8);
	CHECK(b[16] == NVMET_WIRE_FC_LS_CREATE_CONN);
	CHECK(get32(&b[24]) == NVMET_WIRE_FC_DESC_RJT);
	CHECK(get32(&b[28]) == 8);
	CHECK(b[32] == 0);
	CHECK(b[33] == NVMET_WIRE_FC_RJT_RC_INV_PARAM);
	CHECK(b[34] == NVMET_WIRE_FC_RJT_EXP_INV_QUEUE_ID);
	CHECK(b[35] == 0);
	for (size_t i : {1, 2, 3, 17, 18, 19, 20, 21, 22, 23, 36, 37, 38, 39})
		CHECK(b[i] == 0);

	// What parse_ls refuses with goes straight into a reject.
	nvmet_wire_fc_ls ls{};
	CreateAssoc ca;
	ca.cntlid = 7;
	u16 st = parse(ca.build(), ls);
	nvmet_wire_fc_build_ls_rjt(b.data(), ls.cmd, NVMET_WIRE_FC_RJT_REASON(st),
				   NVMET_WIRE_FC_RJT_EXPLAN(st));
	CHECK(b[16] == NVMET_WIRE_FC_LS_CREATE_ASSOC);
	CHECK(b[33] == NVMET_WIRE_FC_RJT_RC_INV_PARAM);
	CHECK(b[34] == NVMET_WIRE_FC_RJT_EXP_INV_CTLR_ID);
}

TEST_CASE("LS_ACC of Create Association, Create Connection, Disconnect Association", "[fc]")
{
	const u64 assoc = nvmet_wire_fc_assoc_id(0x0000123456789abcull);
	Bytes b(NVMET_WIRE_FC_LS_RSP_MAX + 8, 0xaa);
	u32 n = nvmet_wire_fc_build_create_assoc_acc(b.data(), assoc, nvmet_wire_fc_conn_id(assoc, 0));
	REQUIRE(n == 56);
	REQUIRE(n <= NVMET_WIRE_FC_LS_RSP_MAX);
	CHECK(b[n] == 0xaa);
	b.resize(n);
	check_acc_hdr(b, NVMET_WIRE_FC_LS_CREATE_ASSOC);
	CHECK(get32(&b[24]) == NVMET_WIRE_FC_DESC_ASSOC_ID);
	CHECK(get32(&b[28]) == 8);
	CHECK(get64(&b[32]) == 0x123456789abc0000ull);
	CHECK(get32(&b[40]) == NVMET_WIRE_FC_DESC_CONN_ID);
	CHECK(get32(&b[44]) == 8);
	CHECK(get64(&b[48]) == 0x123456789abc0000ull);

	b.assign(NVMET_WIRE_FC_LS_RSP_MAX + 8, 0xaa);
	n = nvmet_wire_fc_build_create_conn_acc(b.data(), nvmet_wire_fc_conn_id(assoc, 5));
	REQUIRE(n == 40);
	CHECK(b[n] == 0xaa);
	b.resize(n);
	check_acc_hdr(b, NVMET_WIRE_FC_LS_CREATE_CONN);
	CHECK(get32(&b[24]) == NVMET_WIRE_FC_DESC_CONN_ID);
	CHECK(get32(&b[28]) == 8);
	CHECK(get64(&b[32]) == 0x123456789abc0005ull);

	b.assign(NVMET_WIRE_FC_LS_RSP_MAX + 8, 0xaa);
	n = nvmet_wire_fc_build_disconn_assoc_acc(b.data());
	REQUIRE(n == 24);
	CHECK(b[n] == 0xaa);
	b.resize(n);
	check_acc_hdr(b, NVMET_WIRE_FC_LS_DISCONN_ASSOC);
}

TEST_CASE("the host's answer to our Disconnect Association", "[fc]")
{
	Bytes b(NVMET_WIRE_FC_LS_RSP_MAX);
	b.resize(nvmet_wire_fc_build_disconn_assoc_acc(b.data()));
	CHECK(nvmet_wire_fc_check_disconn_assoc_rsp(b.data(), u32(b.size())) == 0);
	// A buffer longer than the answer; one byte short.
	Bytes longer = b;
	longer.resize(64);
	CHECK(nvmet_wire_fc_check_disconn_assoc_rsp(longer.data(), 64) == 0);
	CHECK(nvmet_wire_fc_check_disconn_assoc_rsp(b.data(), 23) == -EPROTO);
	CHECK(nvmet_wire_fc_check_disconn_assoc_rsp(nullptr, 24) == -EPROTO);

	Bytes w = b;
	w[0] = NVMET_WIRE_FC_LS_RJT;
	CHECK(nvmet_wire_fc_check_disconn_assoc_rsp(w.data(), 24) == -EPROTO);
	w = b;
	be32(&w[4], 32);
	CHECK(nvmet_wire_fc_check_disconn_assoc_rsp(w.data(), 24) == -EPROTO);
	w = b;
	be32(&w[8], NVMET_WIRE_FC_DESC_RJT);
	CHECK(nvmet_wire_fc_check_disconn_assoc_rsp(w.data(), 24) == -EPROTO);
	w = b;
	be32(&w[12], 16);
	CHECK(nvmet_wire_fc_check_disconn_assoc_rsp(w.data(), 24) == -EPROTO);
	w = b;
	w[16] = NVMET_WIRE_FC_LS_CREATE_ASSOC;
	CHECK(nvmet_wire_fc_check_disconn_assoc_rsp(w.data(), 24) == -EPROTO);

	// A reject of it, and the accept of another command.
	Bytes r(NVMET_WIRE_FC_LS_RSP_MAX);
	u32 n = nvmet_wire_fc_build_ls_rjt(r.data(), NVMET_WIRE_FC_LS_DISCONN_ASSOC,
					   NVMET_WIRE_FC_RJT_RC_INV_ASSOC, 0);
	CHECK(nvmet_wire_fc_check_disconn_assoc_rsp(r.data(), n) == -EPROTO);
	n = nvmet_wire_fc_build_create_conn_acc(r.data(), 1);
	CHECK(nvmet_wire_fc_check_disconn_assoc_rsp(r.data(), n) == -EPROTO);
}

namespace {

// A CMD IU as the Linux host sends it.
struct CmdIu {
	u8 format = 0xfd, fc_id = 0x28;
	u16 iu_len = 24;
	u8 category = 0x08; // CSS flag, NVM command set
	u8 flags = NVMET_WIRE_FC_CMD_READ;
	u64 conn = 0x1234567890ab0003ull;
	u32 csn = 77;
	u32 data_len = 4096;
	u8 opcode = 0x02; // NVM Read
	u8 fctype = 0;
	size_t len = 96;

	Bytes build() const
	{
		Bytes b(std::max<size_t>(len, 96));
		b[0] = format;
		b[1] = fc_id;
		be16(&b[2], iu_len);
		b[6] = category;
		b[7] = flags;
		be64(&b[8], conn);
		be32(&b[16], csn);
		be32(&b[20], data_len);
		b[24] = opcode;
		b[24 + 1] = 0x40;
		b[24 + 4] = fctype;
		b.resize(len);
		return b;
	}
};

int parse_iu(const Bytes &b, nvmet_wire_fc_cmd_iu &iu, u32 max = 1 << 20)
{
	return nvmet_wire_fc_parse_cmd_iu(b.data(), u32(b.size()), max, &iu);
}

} // namespace

TEST_CASE("CMD IU: reads, writes, no data, admin category", "[fc]")
{
	nvmet_wire_fc_cmd_iu iu{};
	CmdIu c;
	Bytes b = c.build();
	REQUIRE(parse_iu(b, iu) == 0);
	CHECK(iu.connection_id == 0x1234567890ab0003ull);
	CHECK(nvmet_wire_fc_conn_qid(iu.connection_id) == 3);
	CHECK(iu.csn == 77);
	CHECK(iu.data_len == 4096);
	CHECK(iu.flags == NVMET_WIRE_FC_CMD_READ);
	CHECK_FALSE(iu.admin);
	CHECK(iu.sqe == b.data() + 24);

	c.flags = NVMET_WIRE_FC_CMD_WRITE;
	c.opcode = 0x01; // NVM Write
	CHECK(parse_iu(c.build(), iu) == 0);
	// A Fabrics Connect carries its data host to controller.
	c.opcode = 0x7f;
	c.fctype = 0x01;
	c.data_len = 1024;
	c.category = 0x01;
	CHECK(parse_iu(c.build(), iu) == 0);
	CHECK(iu.admin);
	// No data: Keep Alive.
	c.opcode = 0x18;
	c.fctype = 0;
	c.flags = 0;
	c.data_len = 0;
	CHECK(parse_iu(c.build(), iu) == 0);
	CHECK(iu.data_len == 0);
	// The category's upper nibble is reserved.
	c.category = 0xf1;
	CHECK(parse_iu(c.build(), iu) == 0);
	CHECK(iu.admin);
	// Other flag bits (PICWP) pass.
	c.flags = 0x04;
	CHECK(parse_iu(c.build(), iu) == 0);
	CHECK(iu.flags == 0x04);
}

TEST_CASE("CMD IU: length, format, FC_ID", "[fc]")
{
	nvmet_wire_fc_cmd_iu iu{};
	CmdIu c;
	c.len = 95;
	CHECK(parse_iu(c.build(), iu) == NVMET_WIRE_FC_IU_BAD_LEN);
	CHECK(iu.sqe == nullptr);
	c.len = 97;
	CHECK(parse_iu(c.build(), iu) == NVMET_WIRE_FC_IU_BAD_LEN);
	CHECK(nvmet_wire_fc_parse_cmd_iu(nullptr, 96, 1 << 20, &iu) == NVMET_WIRE_FC_IU_BAD_LEN);
	c.len = 96;
	for (u16 words : {0, 23, 25, 0x1800}) {
		c.iu_len = words;
		CHECK(parse_iu(c.build(), iu) == NVMET_WIRE_FC_IU_BAD_LEN);
		// Filled all the same, for the log.
		CHECK(iu.connection_id == c.conn);
	}
	c.iu_len = 24;
	c.format = 0xfe;
	CHECK(parse_iu(c.build(), iu) == NVMET_WIRE_FC_IU_BAD_FORMAT);
	c.format = 0xfd;
	c.fc_id = 0x08; // SCSI FCP
	CHECK(parse_iu(c.build(), iu) == NVMET_WIRE_FC_IU_BAD_FC_ID);
}

TEST_CASE("CMD IU: direction bits against DATA_LEN and the SQE, and the limit", "[fc]")
{
	nvmet_wire_fc_cmd_iu iu{};
	CmdIu c;
	c.flags = NVMET_WIRE_FC_CMD_DIR;
	CHECK(parse_iu(c.build(), iu) == NVMET_WIRE_FC_IU_BAD_DIR);
	// WRITE on a read, READ on a write.
	c.flags = NVMET_WIRE_FC_CMD_WRITE;
	CHECK(parse_iu(c.build(), iu) == NVMET_WIRE_FC_IU_BAD_DIR);
	c.opcode = 0x01;
	c.flags = NVMET_WIRE_FC_CMD_READ;
	CHECK(parse_iu(c.build(), iu) == NVMET_WIRE_FC_IU_BAD_DIR);
	// Data without a direction; a direction without data.
	c.flags = 0;
	CHECK(parse_iu(c.build(), iu) == NVMET_WIRE_FC_IU_BAD_DATA_LEN);
	c.flags = NVMET_WIRE_FC_CMD_WRITE;
	c.data_len = 0;
	CHECK(parse_iu(c.build(), iu) == NVMET_WIRE_FC_IU_BAD_DATA_LEN);
	c.opcode = 0x02;
	c.flags = NVMET_WIRE_FC_CMD_READ;
	CHECK(parse_iu(c.build(), iu) == NVMET_WIRE_FC_IU_BAD_DATA_LEN);
	// The transfer limit, and one byte above it.
	c.data_len = 1 << 20;
	CHECK(parse_iu(c.build(), iu) == 0);
	c.data_len = (1 << 20) + 1;
	CHECK(parse_iu(c.build(), iu) == NVMET_WIRE_FC_IU_TOO_LONG);
	c.data_len = 0xffffffffu;
	CHECK(parse_iu(c.build(), iu) == NVMET_WIRE_FC_IU_TOO_LONG);
	CHECK(iu.data_len == 0xffffffffu);
}

TEST_CASE("ERSP IU: header fields big-endian, the CQE verbatim", "[fc]")
{
	std::array<u8, NVMET_WIRE_FC_ERSP_LEN + 4> b;
	b.fill(0xaa);
	std::array<u8, 16> cqe;
	for (size_t i = 0; i < cqe.size(); i++)
		cqe[i] = u8(0x10 + i);
	nvmet_wire_fc_build_ersp(b.data(), 0x01020304, 0x00100000, cqe.data());
	CHECK(b[0] == 0);
	CHECK(b[1] == 0);
	CHECK(b[2] == 0);
	CHECK(b[3] == 8);
	CHECK(get32(&b[4]) == 0x01020304);
	CHECK(get32(&b[8]) == 0x00100000);
	CHECK(get32(&b[12]) == 0);
	CHECK(std::memcmp(&b[16], cqe.data(), 16) == 0);
	for (size_t i = 32; i < b.size(); i++)
		CHECK(b[i] == 0xaa);
}

namespace {

struct Rsp {
	std::array<u8, 16> cqe{};
	std::array<u8, 64> sqe{};
	u32 xfrd = 4096, data = 4096;
	u32 count = 1;
	u16 ratio = 8;
	u32 used = 0, entries = 128;

	Rsp()
	{
		sqe[0] = 0x02;
		sqe[1] = 0x40;
	}

	bool need() const
	{
		return nvmet_wire_fc_need_ersp(cqe.data(), xfrd, data, sqe.data(), count, ratio,
					       used, entries);
	}
};

} // namespace

TEST_CASE("ERSP or the zeros RSP", "[fc]")
{
	Rsp r;
	CHECK_FALSE(r.need());
	// Every ratio-th response, counted from 1.
	for (u32 n = 1; n <= 24; n++) {
		r.count = n;
		CHECK(r.need() == (n % 8 == 0));
	}
	r.count = 1;
	r.ratio = 1;
	CHECK(r.need());
	r.ratio = 0;
	CHECK(r.need());
	r.ratio = 8;

	// Status: the phase bit alone does not count.
	r.cqe[14] = 0x01;
	CHECK_FALSE(r.need());
	r.cqe[14] = 0x02;
	CHECK(r.need());
	r.cqe[14] = 0;
	r.cqe[15] = 0x80; // DNR
	CHECK(r.need());
	r.cqe[15] = 0;
	// DW0 and DW1; SQHD, SQID and CID the host rebuilds.
	r.cqe[0] = 1;
	CHECK(r.need());
	r.cqe[0] = 0;
	r.cqe[7] = 1;
	CHECK(r.need());
	r.cqe[7] = 0;
	for (size_t i = 8; i < 14; i++)
		r.cqe[i] = 0xff;
	CHECK_FALSE(r.need());

	// Short transfer.
	r.xfrd = 2048;
	CHECK(r.need());
	r.xfrd = 4096;
	// Fused, either half.
	r.sqe[1] = 0x41;
	CHECK(r.need());
	r.sqe[1] = 0x42;
	CHECK(r.need());
	r.sqe[1] = 0x40;
	// Fabrics commands.
	r.sqe[0] = 0x7f;
	CHECK(r.need());
	r.sqe[0] = 0x02;

	// 90% of 128 entries is 115.2: 115 in use is not, 116 is.
	r.used = 115;
	CHECK_FALSE(r.need());
	r.used = 116;
	CHECK(r.need());
	r.entries = 32;
	r.used = 28;
	CHECK_FALSE(r.need());
	r.used = 29;
	CHECK(r.need());
	r.entries = 65536;
	r.used = 65535;
	CHECK(r.need());
	r.used = 0;
	CHECK_FALSE(r.need());
}

TEST_CASE("association and connection IDs", "[fc]")
{
	u64 a = nvmet_wire_fc_assoc_id(0xffffffffffffffffull);
	CHECK(a == 0xffffffffffff0000ull);
	CHECK(nvmet_wire_fc_assoc_id_valid(a));
	CHECK_FALSE(nvmet_wire_fc_assoc_id_valid(nvmet_wire_fc_assoc_id(0)));
	CHECK_FALSE(nvmet_wire_fc_assoc_id_valid(nvmet_wire_fc_assoc_id(1ull << 48)));
	CHECK_FALSE(nvmet_wire_fc_assoc_id_valid(a | 1));
	a = nvmet_wire_fc_assoc_id(0x0000a1b2c3d4e5f6ull);
	for (u16 qid : {0, 1, 255, 0xffff}) {
		u64 c = nvmet_wire_fc_conn_id(a, qid);
		CHECK(nvmet_wire_fc_conn_assoc(c) == a);
		CHECK(nvmet_wire_fc_conn_qid(c) == qid);
	}
	CHECK(nvmet_wire_fc_conn_id(a, 0) == a);
}
