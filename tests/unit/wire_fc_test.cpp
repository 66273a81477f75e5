// SPDX-License-Identifier: GPL-2.0
// kernel/wire/fc.c: FC-NVMe link services, CMD IU, ERSP IU, the ERSP rule.
#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>
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

// A link service of SIZE zero bytes but for CMD and the list length LIST.
Bytes ls_hdr(u8 cmd, u32 list, size_t size)
{
	Bytes b(size);
	b[0] = cmd;
	be32(&b[4], list);
	return b;
}

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
		Bytes b = ls_hdr(3, list, 1024);
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
		Bytes b = ls_hdr(4, list, 80);
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

template <typename T>
std::string shown(const T &v)
{
	if constexpr (std::is_integral_v<T>)
		return std::to_string(u64(v));
	else
		return v;
}

template <typename T>
using Cases = std::initializer_list<std::pair<std::type_identity_t<T>, int>>;

// BASE with FIELD set to each value in turn: what ANSWER says of it.
template <typename Req, typename T, typename Answer>
void check_cases(const Req &base, T Req::*field, Cases<T> cases, Answer answer)
{
	for (const auto &[value, want] : cases) {
		Req r = base;
		r.*field = value;
		INFO("value " << shown(value));
		CHECK(answer(r) == want);
	}
}

// The same for a link service: what parse_ls answers.
template <typename Req, typename T>
void check_field(const Req &base, T Req::*field, Cases<T> cases)
{
	check_cases(base, field, cases, [](const Req &r) {
		nvmet_wire_fc_ls ls{};
		return int(parse(r.build(), ls));
	});
}

// B with the big-endian word at OFF replaced by V.
Bytes patched(Bytes b, size_t off, u32 v)
{
	be32(&b[off], v);
	return b;
}

const u16 inv_len = rjt(NVMET_WIRE_FC_RJT_RC_LOGIC, NVMET_WIRE_FC_RJT_EXP_INV_LEN);
const u16 logic = rjt(NVMET_WIRE_FC_RJT_RC_LOGIC, NVMET_WIRE_FC_RJT_EXP_NONE);
const u16 unsup = rjt(NVMET_WIRE_FC_RJT_RC_UNSUP, NVMET_WIRE_FC_RJT_EXP_NONE);

constexpr u16 param(u8 exp)
{
	return rjt(NVMET_WIRE_FC_RJT_RC_INV_PARAM, exp);
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
	// A larger buffer than the request: only the list length counts; one
	// byte short of what it says is refused.
	check_field(CreateAssoc{}, &CreateAssoc::len, {{2048, 0}, {1024, 0}, {1023, inv_len}});
	// The shortest accepted: the descriptor up to SUBNQN (older padding).
	CreateAssoc shortest;
	shortest.list = 584;
	shortest.desc = 576;
	shortest.len = 592;
	check_field(shortest, &CreateAssoc::len, {{592, 0}, {591, inv_len}});
	shortest.len = 1024;
	check_field(shortest, &CreateAssoc::list, {{583, inv_len}, {584, 0}});
	check_field(shortest, &CreateAssoc::desc, {{575, inv_len}, {576, 0}, {577, inv_len}});
	// The descriptor fills its list exactly, or overruns it; a list that
	// says more than any buffer holds.
	check_field(CreateAssoc{}, &CreateAssoc::desc, {{1008, 0}, {1009, inv_len}, {1000, 0}});
	check_field(CreateAssoc{}, &CreateAssoc::list,
		    {{1016, 0}, {1017, inv_len}, {0xfffffff8u, inv_len}, {0xffffffffu, inv_len}});
	// Only the 8-byte header, or less.
	nvmet_wire_fc_ls ls{};
	for (size_t n = 1; n <= 8; n++) {
		Bytes b = CreateAssoc{}.build();
		b.resize(n);
		CHECK(parse(b, ls) == inv_len);
		CHECK(ls.cmd == NVMET_WIRE_FC_LS_CREATE_ASSOC);
	}
}

TEST_CASE("Create Association: a wrong descriptor tag is a logical error", "[fc]")
{
	check_field(CreateAssoc{}, &CreateAssoc::tag,
		    {{0, logic}, {4, logic}, {0x03000000u, logic}, {3, 0}});
}

TEST_CASE("Create Association: SQSIZE and ERSP_RATIO bounds", "[fc]")
{
	const u16 bad_sq = param(NVMET_WIRE_FC_RJT_EXP_INV_SQSIZE);
	const u16 bad_ratio = param(NVMET_WIRE_FC_RJT_EXP_INV_ERSP_RAT);
	CreateAssoc ca;
	ca.ersp_ratio = 1;
	// The admin limit, not the I/O one, applies.
	check_field(ca, &CreateAssoc::sqsize,
		    {{0, bad_sq}, {1, 0}, {admin_max, 0}, {admin_max + 1, bad_sq}, {io_max, bad_sq},
		     {0xffff, bad_sq}});
	// SQSIZE is checked first: both wrong reports SQSIZE.
	ca.ersp_ratio = 0;
	check_field(ca, &CreateAssoc::sqsize, {{0, bad_sq}, {1, bad_ratio}});
	// Below the 32 entries of SQSIZE 31 (in-tree refuses 31 too).
	ca.sqsize = 31;
	check_field(ca, &CreateAssoc::ersp_ratio,
		    {{0, bad_ratio}, {1, 0}, {31, 0}, {32, bad_ratio}, {0xffff, bad_ratio}});
}

TEST_CASE("Create Association: CNTLID, HOSTNQN and SUBNQN", "[fc]")
{
	const u16 bad_ctlr = param(NVMET_WIRE_FC_RJT_EXP_INV_CTLR_ID);
	const u16 bad_host = param(NVMET_WIRE_FC_RJT_EXP_INV_HOSTNQN);
	const u16 bad_sub = param(NVMET_WIRE_FC_RJT_EXP_INV_SUBNQN);
	const std::string s255(255, 'h'), s256(256, 'h');
	check_field(CreateAssoc{}, &CreateAssoc::cntlid, {{1, bad_ctlr}, {0, bad_ctlr}, {0xffff, 0}});
	// Exactly 255 characters and the NUL; 256 without a NUL; empty.
	check_field(CreateAssoc{}, &CreateAssoc::host, {{s255, 0}, {s256, bad_host}, {"", bad_host}});
	check_field(CreateAssoc{}, &CreateAssoc::sub, {{s255, 0}, {s256, bad_sub}, {"", bad_sub}});
	// HOSTNQN is checked before SUBNQN.
	CreateAssoc ca;
	ca.sub = "";
	check_field(ca, &CreateAssoc::host, {{"", bad_host}});

	nvmet_wire_fc_ls ls{};
	ca.host = s255;
	ca.sub = s255;
	REQUIRE(parse(ca.build(), ls) == 0);
	CHECK(ls.hostnqn == s255);
	CHECK(ls.subnqn == s255);
	CHECK(std::strlen(ls.subnqn) == 255);
	// In the shortest request SUBNQN ends the buffer: its NUL is the last byte.
	ca.list = 584;
	ca.desc = 576;
	ca.len = 592;
	check_field(ca, &CreateAssoc::sub, {{s255, 0}, {s256, bad_sub}});
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
	CHECK(parse(b, ls) == unsup);
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
	CreateConn cc;
	REQUIRE(parse(cc.build(), ls) == 0);
	CHECK(ls.cmd == NVMET_WIRE_FC_LS_CREATE_CONN);
	CHECK(ls.association_id == 0x1234567890ab0000ull);
	CHECK(ls.qid == 1);
	CHECK(ls.sqsize == 127);
	CHECK(ls.ersp_ratio == 25);
	CHECK(ls.hostnqn[0] == 0);

	check_field(cc, &CreateConn::len, {{96, 0}, {80, 0}, {79, inv_len}, {8, inv_len}});
	check_field(cc, &CreateConn::list,
		    {{0, inv_len}, {71, inv_len}, {73, inv_len}, {1016, inv_len}});
	check_field(cc, &CreateConn::id_tag, {{6, logic}, {4, logic}});
	check_field(cc, &CreateConn::id_len, {{7, inv_len}, {9, inv_len}});
	check_field(cc, &CreateConn::cmd_tag, {{3, logic}, {7, logic}});
	check_field(cc, &CreateConn::cmd_len, {{47, inv_len}, {49, inv_len}});
	// A tag is checked before its length.
	cc.cmd_len = 49;
	check_field(cc, &CreateConn::cmd_tag, {{5, logic}});
}

TEST_CASE("Create Connection: QID, SQSIZE and ERSP_RATIO bounds", "[fc]")
{
	const u16 bad_qid = param(NVMET_WIRE_FC_RJT_EXP_INV_QUEUE_ID);
	const u16 bad_sq = param(NVMET_WIRE_FC_RJT_EXP_INV_SQSIZE);
	const u16 bad_ratio = param(NVMET_WIRE_FC_RJT_EXP_INV_ERSP_RAT);
	CreateConn cc;
	check_field(cc, &CreateConn::qid,
		    {{0, bad_qid}, {1, 0}, {max_qid, 0}, {max_qid + 1, bad_qid}, {0xffff, bad_qid}});
	// QID is checked before SQSIZE.
	cc.sqsize = 0;
	check_field(cc, &CreateConn::qid, {{0, bad_qid}, {1, bad_sq}});

	cc.ersp_ratio = 1;
	check_field(cc, &CreateConn::sqsize,
		    {{0, bad_sq}, {1, 0}, {io_max, 0}, {io_max + 1, bad_sq}});
	cc.sqsize = 63;
	check_field(cc, &CreateConn::ersp_ratio,
		    {{0, bad_ratio}, {1, 0}, {63, 0}, {64, bad_ratio}});
}

TEST_CASE("Disconnect Association: ours parses back; lengths, tags and scope", "[fc]")
{
	nvmet_wire_fc_ls ls{};
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

	CHECK(parse(patched(b, 4, 41), ls) == inv_len);
	CHECK(parse(patched(b, 8, NVMET_WIRE_FC_DESC_CONN_ID), ls) == logic);
	CHECK(parse(patched(b, 12, 16), ls) == inv_len);
	CHECK(parse(patched(b, 24, NVMET_WIRE_FC_DESC_CREATE_CONN), ls) == logic);
	CHECK(parse(patched(b, 28, 8), ls) == inv_len);
	// FC-NVMe-1's SCOPE (a single connection): not supported.
	CHECK(parse(patched(b, 32, 1), ls) == unsup);
	CHECK(parse(patched(b, 32, 0x80000000u), ls) == unsup);
	// The other reserved words are not looked at.
	CHECK(parse(patched(patched(b, 36, ~0u), 44, ~0u), ls) == 0);
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

	auto check = [](const Bytes &w) {
		return nvmet_wire_fc_check_disconn_assoc_rsp(w.data(), u32(w.size()));
	};
	CHECK(check(patched(b, 0, u32(NVMET_WIRE_FC_LS_RJT) << 24)) == -EPROTO);
	CHECK(check(patched(b, 4, 32)) == -EPROTO);
	CHECK(check(patched(b, 8, NVMET_WIRE_FC_DESC_RJT)) == -EPROTO);
	CHECK(check(patched(b, 12, 16)) == -EPROTO);
	CHECK(check(patched(b, 16, u32(NVMET_WIRE_FC_LS_CREATE_ASSOC) << 24)) == -EPROTO);
	// The reserved bytes after the command answered are not looked at.
	CHECK(check(patched(b, 20, ~0u)) == 0);

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

template <typename T>
void check_iu(const CmdIu &base, T CmdIu::*field, Cases<T> cases)
{
	check_cases(base, field, cases, [](const CmdIu &c) {
		nvmet_wire_fc_cmd_iu iu{};
		return parse_iu(c.build(), iu);
	});
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
	check_iu(c, &CmdIu::len, {{95, NVMET_WIRE_FC_IU_BAD_LEN}, {97, NVMET_WIRE_FC_IU_BAD_LEN}});
	CHECK(nvmet_wire_fc_parse_cmd_iu(nullptr, 96, 1 << 20, &iu) == NVMET_WIRE_FC_IU_BAD_LEN);
	CHECK(iu.sqe == nullptr);
	check_iu(c, &CmdIu::iu_len,
		 {{0, NVMET_WIRE_FC_IU_BAD_LEN}, {23, NVMET_WIRE_FC_IU_BAD_LEN},
		  {25, NVMET_WIRE_FC_IU_BAD_LEN}, {0x1800, NVMET_WIRE_FC_IU_BAD_LEN}});
	// Filled all the same, for the log.
	c.iu_len = 0;
	CHECK(parse_iu(c.build(), iu) == NVMET_WIRE_FC_IU_BAD_LEN);
	CHECK(iu.connection_id == c.conn);
	c.iu_len = 24;
	check_iu(c, &CmdIu::format, {{0xfe, NVMET_WIRE_FC_IU_BAD_FORMAT}, {0, NVMET_WIRE_FC_IU_BAD_FORMAT}});
	// 08h: SCSI FCP.
	check_iu(c, &CmdIu::fc_id, {{0x08, NVMET_WIRE_FC_IU_BAD_FC_ID}, {0, NVMET_WIRE_FC_IU_BAD_FC_ID}});
}

TEST_CASE("CMD IU: direction bits against DATA_LEN and the SQE, and the limit", "[fc]")
{
	constexpr u8 write = NVMET_WIRE_FC_CMD_WRITE, read = NVMET_WIRE_FC_CMD_READ;
	CmdIu rd; // NVM Read of 4096 bytes
	CmdIu wr = rd;
	wr.opcode = 0x01;
	// Both bits; WRITE on a read; READ on a write; data without a direction.
	check_iu(rd, &CmdIu::flags,
		 {{NVMET_WIRE_FC_CMD_DIR, NVMET_WIRE_FC_IU_BAD_DIR}, {write, NVMET_WIRE_FC_IU_BAD_DIR},
		  {0, NVMET_WIRE_FC_IU_BAD_DATA_LEN}, {read, 0}});
	check_iu(wr, &CmdIu::flags,
		 {{NVMET_WIRE_FC_CMD_DIR, NVMET_WIRE_FC_IU_BAD_DIR}, {read, NVMET_WIRE_FC_IU_BAD_DIR},
		  {0, NVMET_WIRE_FC_IU_BAD_DATA_LEN}, {write, 0}});
	// A direction without data; the transfer limit, and one byte above it.
	const Cases<u32> lengths = {{0, NVMET_WIRE_FC_IU_BAD_DATA_LEN},
				    {1, 0},
				    {1 << 20, 0},
				    {(1 << 20) + 1, NVMET_WIRE_FC_IU_TOO_LONG},
				    {0xffffffffu, NVMET_WIRE_FC_IU_TOO_LONG}};
	check_iu(rd, &CmdIu::data_len, lengths);
	wr.flags = write;
	check_iu(wr, &CmdIu::data_len, lengths);
	nvmet_wire_fc_cmd_iu iu{};
	rd.data_len = 0xffffffffu;
	CHECK(parse_iu(rd.build(), iu) == NVMET_WIRE_FC_IU_TOO_LONG);
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
	auto need = [](const Rsp &r) { return int(r.need()); };
	CHECK_FALSE(Rsp{}.need());
	// Every ratio-th response, counted from 1; a ratio of 0 or 1: always.
	check_cases(Rsp{}, &Rsp::count, {{1, 0}, {7, 0}, {8, 1}, {9, 0}, {16, 1}, {24, 1}}, need);
	check_cases(Rsp{}, &Rsp::ratio, {{0, 1}, {1, 1}, {2, 0}}, need);
	// A transfer shorter than DATA_LEN.
	check_cases(Rsp{}, &Rsp::xfrd, {{2048, 1}, {0, 1}, {4096, 0}}, need);
	// 90% of 128 entries is 115.2: 115 in use is not, 116 is.
	check_cases(Rsp{}, &Rsp::used, {{0, 0}, {115, 0}, {116, 1}, {128, 1}}, need);
	Rsp small;
	small.entries = 32;
	check_cases(small, &Rsp::used, {{28, 0}, {29, 1}}, need);
	small.entries = 65536;
	check_cases(small, &Rsp::used, {{0, 0}, {58982, 0}, {58983, 1}, {65535, 1}}, need);

	// One byte of the CQE or the SQE changed.
	struct Byte {
		bool cqe;
		size_t at;
		u8 value;
		bool need;
	};
	for (const Byte &c : {
		     Byte{true, 14, 0x01, false}, // the phase bit alone
		     Byte{true, 14, 0x02, true},  // a status
		     Byte{true, 15, 0x80, true},  // DNR
		     Byte{true, 0, 1, true},      // DW0
		     Byte{true, 7, 1, true},      // DW1
		     Byte{true, 8, 0xff, false},  // SQHD, SQID, CID: the host rebuilds them
		     Byte{true, 11, 0xff, false},
		     Byte{true, 13, 0xff, false},
		     Byte{false, 1, 0x41, true}, // fused, first
		     Byte{false, 1, 0x42, true}, // fused, second
		     Byte{false, 0, 0x7f, true}, // Fabrics
		     Byte{false, 0, 0x01, false},
	     }) {
		Rsp r;
		(c.cqe ? r.cqe.data() : r.sqe.data())[c.at] = c.value;
		INFO((c.cqe ? "CQE byte " : "SQE byte ") << c.at);
		CHECK(r.need() == c.need);
	}
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
