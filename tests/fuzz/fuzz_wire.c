// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kernel/wire: plays a byte stream through the checks a
 * target's NVMe/TCP receive path makes, the way tcp.c does: queue limits from
 * the first bytes, then PDUs one after another. The same bytes also go
 * through rdma.c's checks: an RDMA_CM request's private data, and each
 * command's SGL as an RDMA capsule would carry it; and through fc.c's: the
 * whole input as an FC-NVMe link service, its first 96 bytes as an FCP CMD
 * IU, answered the way fc.c answers them. Every buffer handed to wire/
 * is a heap copy of exactly the size the caller guarantees, so AddressSanitizer
 * catches any read beyond it; invariants of accepted PDUs are asserted.
 */
#include <stdlib.h>
#include <string.h>

#include "wire/tcp-pdu.h"
#include "wire/cmd.h"
#include "wire/auth.h"
#include "wire/rdma.h"
#include "wire/fc.h"

#define INVARIANT(c) do { if (!(c)) __builtin_trap(); } while (0)

static u8 *dup_exact(const u8 *p, size_t n)
{
	u8 *d = malloc(n ? n : 1);

	if (n)
		memcpy(d, p, n);
	return d;
}

/*
 * An Authentication Send's message, as auth.c will check it: the header,
 * then the message its id names, with a hash length and DH value length
 * taken from the message itself (any value the target could expect).
 */
static void auth_msg(const u8 *d, u32 len)
{
	struct nvmet_wire_auth_negotiate neg;
	struct nvmet_wire_auth_reply r;
	struct nvmet_wire_auth_hdr h;
	u8 rc, exp;

	if (nvmet_wire_parse_auth_hdr(d, len, &h))
		return;
	if (!nvmet_wire_parse_auth_negotiate(d, len, &neg))
		INVARIANT(neg.nr_hashes <= NVMET_WIRE_AUTH_MAX_IDS &&
			  neg.nr_dhgroups <= NVMET_WIRE_AUTH_MAX_IDS);
	if (len > 11 && !nvmet_wire_parse_auth_reply(d, len, d[6], d[10] | d[11] << 8, &r)) {
		INVARIANT(r.dhv + r.dhvlen <= d + len);
		INVARIANT(r.c2 == r.rval + r.hl && r.dhv == r.c2 + r.hl);
	}
	nvmet_wire_parse_auth_failure(d, len, &rc, &exp);
	/* Not from the wire (the keyring's), but parsed with the same care. */
	{
		const char *host;
		u32 hl;

		if (nvmet_wire_psk_identity_host((const char *)d, len, &host, &hl))
			INVARIANT(hl && host > (const char *)d &&
				  host + hl <= (const char *)d + len);
	}
}

/* An SQE as an RDMA capsule with INCAPSULE bytes of data after it. */
static void rdma_sgl(const u8 *sqe, u32 incapsule)
{
	struct nvmet_wire_rdma_sgl sgl;
	u16 st = nvmet_wire_rdma_parse_sgl(sqe, incapsule, 1 << 20, &sgl);

	if (st) {
		INVARIANT(st & NVME_STATUS_DNR);
		return;
	}
	if (sgl.kind == NVMET_WIRE_SGL_INCAPSULE)
		INVARIANT(sgl.length && (u64)sgl.offset + sgl.length <= incapsule);
	if (sgl.kind == NVMET_WIRE_SGL_TRANSPORT)
		INVARIANT(sgl.length && sgl.length <= 1 << 20);
}

static void rdma_cm_req(const u8 *p, size_t n)
{
	struct nvmet_wire_rdma_cm_req req;
	u8 *d = dup_exact(p, n);

	if (!nvmet_wire_rdma_parse_cm_req(d, (u32)n, 256, &req))
		INVARIANT(req.entries >= 2 && req.entries <= (req.qid ? 256 : 32) &&
			  req.hrqsize);
	free(d);
}

/* An FC-NVMe link service from the host, and the answer fc.c builds. */
#define FC_MAX_QID	8
#define FC_ADMIN_SQSIZE	31
#define FC_IO_SQSIZE	127

static void fc_ls(const u8 *p, size_t n)
{
	u8 *d = dup_exact(p, n), *rsp = malloc(NVMET_WIRE_FC_LS_RSP_MAX);
	struct nvmet_wire_fc_ls ls, back;
	u16 st;
	u32 len;

	st = nvmet_wire_fc_parse_ls(d, (u32)n, FC_MAX_QID, FC_ADMIN_SQSIZE, FC_IO_SQSIZE, &ls);
	nvmet_wire_fc_check_disconn_assoc_rsp(d, (u32)n);
	free(d);
	if (st) {
		INVARIANT(NVMET_WIRE_FC_RJT_REASON(st));
		len = nvmet_wire_fc_build_ls_rjt(rsp, ls.cmd, NVMET_WIRE_FC_RJT_REASON(st),
						 NVMET_WIRE_FC_RJT_EXPLAN(st));
		INVARIANT(len == NVMET_WIRE_FC_RJT_LEN);
		free(rsp);
		return;
	}
	switch (ls.cmd) {
	case NVMET_WIRE_FC_LS_CREATE_ASSOC:
		INVARIANT(ls.sqsize >= 1 && ls.sqsize <= FC_ADMIN_SQSIZE);
		INVARIANT(ls.ersp_ratio >= 1 && ls.ersp_ratio <= ls.sqsize);
		INVARIANT(ls.cntlid == NVME_CNTLID_DYNAMIC);
		INVARIANT(strlen(ls.hostnqn) && strlen(ls.hostnqn) < NVMET_WIRE_FC_NQN_LEN);
		INVARIANT(strlen(ls.subnqn) && strlen(ls.subnqn) < NVMET_WIRE_FC_NQN_LEN);
		len = nvmet_wire_fc_build_create_assoc_acc(rsp, nvmet_wire_fc_assoc_id(n),
							   nvmet_wire_fc_assoc_id(n));
		break;
	case NVMET_WIRE_FC_LS_CREATE_CONN:
		INVARIANT(ls.qid >= 1 && ls.qid <= FC_MAX_QID);
		INVARIANT(ls.sqsize >= 1 && ls.sqsize <= FC_IO_SQSIZE);
		INVARIANT(ls.ersp_ratio >= 1 && ls.ersp_ratio <= ls.sqsize);
		len = nvmet_wire_fc_build_create_conn_acc(rsp, nvmet_wire_fc_conn_id(ls.association_id,
										 ls.qid));
		break;
	default:
		INVARIANT(ls.cmd == NVMET_WIRE_FC_LS_DISCONN_ASSOC);
		len = nvmet_wire_fc_build_disconn_assoc_acc(rsp);
		INVARIANT(!nvmet_wire_fc_check_disconn_assoc_rsp(rsp, len));
		/* The target's own request for it parses back the same. */
		len = nvmet_wire_fc_build_disconn_assoc_rqst(rsp, ls.association_id);
		INVARIANT(!nvmet_wire_fc_parse_ls(rsp, len, 0, 0, 0, &back) &&
			  back.association_id == ls.association_id);
		break;
	}
	INVARIANT(len <= NVMET_WIRE_FC_LS_RSP_MAX);
	free(rsp);
}

/* An FCP CMD IU, and its response: ERSP or zeros (the CQE from the bytes after). */
static void fc_cmd_iu(const u8 *p, size_t n)
{
	size_t iu_len = n < NVMET_WIRE_FC_CMD_IU_LEN ? n : NVMET_WIRE_FC_CMD_IU_LEN;
	u8 *d = dup_exact(p, iu_len), *ersp, cqe[NVMET_WIRE_CQE_LEN] = { 0 };
	struct nvmet_wire_fc_cmd_iu iu;
	u8 dir;

	if (nvmet_wire_fc_parse_cmd_iu(d, (u32)iu_len, 1 << 20, &iu)) {
		free(d);
		return;
	}
	dir = iu.flags & NVMET_WIRE_FC_CMD_DIR;
	INVARIANT(iu.sqe == d + NVMET_WIRE_FC_IU_SQE && iu.data_len <= 1 << 20);
	INVARIANT(dir != NVMET_WIRE_FC_CMD_DIR && !dir == !iu.data_len);
	if (dir)
		INVARIANT((dir == NVMET_WIRE_FC_CMD_WRITE) == nvmet_wire_sqe_is_write(iu.sqe));
	if (n >= iu_len + sizeof(cqe))
		memcpy(cqe, p + iu_len, sizeof(cqe));
	if (nvmet_wire_fc_need_ersp(cqe, iu.data_len, iu.data_len, iu.sqe, iu.csn,
				    (u16)iu.connection_id, iu.csn & 0xff, 128)) {
		ersp = malloc(NVMET_WIRE_FC_ERSP_LEN);
		nvmet_wire_fc_build_ersp(ersp, iu.csn, iu.data_len, cqe);
		INVARIANT(!memcmp(ersp + NVMET_WIRE_FC_ERSP_CQE, cqe, sizeof(cqe)));
		free(ersp);
	}
	free(d);
}

static void one_pdu(const u8 *p, size_t avail, struct nvmet_wire_tcp_limits *lim, size_t *used)
{
	struct nvmet_wire_tcp_pdu pdu;
	struct nvmet_wire_tcp_err err;
	u8 term[NVME_TCP_MAX_C2HTERM_PLEN];
	u8 *ch, *hdr, *data;
	size_t n;

	*used = avail;
	if (avail < NVMET_WIRE_TCP_CH_LEN)
		return;
	ch = dup_exact(p, NVMET_WIRE_TCP_CH_LEN);
	if (nvmet_wire_tcp_check_hdr(ch, lim, &pdu, &err)) {
		INVARIANT(err.fes >= NVME_TCP_FES_INVALID_PDU_HDR &&
			  err.fes <= NVME_TCP_FES_UNSUPPORTED_PARAM);
		n = nvmet_wire_tcp_build_term(term, err.fes, err.fei, p,
					      avail < NVMET_WIRE_TCP_MAX_HDR ? avail :
					      NVMET_WIRE_TCP_MAX_HDR);
		INVARIANT(n >= NVMET_WIRE_TCP_TERM_HLEN && n <= sizeof(term));
		free(ch);
		return;
	}
	free(ch);
	INVARIANT(pdu.hdr_len <= NVMET_WIRE_TCP_MAX_HDR && pdu.hdr_len <= pdu.plen);
	if (pdu.data_len) {
		INVARIANT((u64)pdu.data_off + pdu.data_len +
			  (pdu.has_ddgst ? NVME_TCP_DIGEST_LENGTH : 0) == pdu.plen);
		INVARIANT(pdu.data_off >= pdu.hlen);
	}
	if (avail < pdu.hdr_len)
		return;
	hdr = dup_exact(p, pdu.hdr_len);
	data = NULL;
	if (pdu.data_len && (u64)pdu.data_off + pdu.data_len <= avail)
		data = dup_exact(p + pdu.data_off, pdu.data_len);

	switch (pdu.type) {
	case nvme_tcp_icreq: {
		struct nvmet_wire_tcp_icreq ic;
		u8 resp[NVMET_WIRE_TCP_IC_LEN];

		if (!nvmet_wire_tcp_parse_icreq(hdr, &ic, &err)) {
			INVARIANT(ic.hpda <= 31);
			nvmet_wire_tcp_build_icresp(resp, lim->cpda, ic.hdgst, ic.ddgst,
						    lim->maxh2cdata);
			lim->ic_done = true;
			lim->hdgst = ic.hdgst;
			lim->ddgst = ic.ddgst;
		}
		break;
	}
	case nvme_tcp_cmd: {
		const u8 *sqe = hdr + NVMET_WIRE_TCP_CH_LEN;
		struct nvmet_wire_sgl sgl;
		u16 st;

		nvmet_wire_sqe_check_flags(sqe);
		if (sqe[NVMET_WIRE_SQE_OPCODE] == nvme_fabrics_command) {
			u16 at;

			u32 alen = 0;

			if (!nvmet_wire_parse_auth_cmd(sqe, sqe[NVMET_WIRE_SQE_FCTYPE] & 1, &alen, &at))
				INVARIANT(alen && alen <= NVMET_WIRE_AUTH_MAX_LEN);
			else
				INVARIANT(at < NVMET_WIRE_SQE_LEN);
			st = nvmet_wire_parse_disconnect(sqe, sqe[2] & 1, &at);
			INVARIANT(at < NVMET_WIRE_SQE_LEN);
			if (!st)
				INVARIANT(sqe[NVMET_WIRE_SQE_FCTYPE] == NVMET_WIRE_FCTYPE_DISCONNECT);
		}
		st = nvmet_wire_tcp_sgl(sqe, pdu.data_len, 1 << 20, &sgl);
		if (!st && sgl.kind == NVMET_WIRE_SGL_INCAPSULE)
			INVARIANT((u64)sgl.offset + sgl.length <= pdu.data_len);
		if (!st && sgl.kind == NVMET_WIRE_SGL_TRANSPORT)
			INVARIANT(sgl.length <= 1 << 20 && pdu.data_len == 0);
		rdma_sgl(sqe, pdu.data_len);
		if (data && !st && sgl.kind == NVMET_WIRE_SGL_INCAPSULE &&
		    sqe[NVMET_WIRE_SQE_OPCODE] == nvme_fabrics_command &&
		    sqe[NVMET_WIRE_SQE_FCTYPE] == 0x05) {
			u8 *m = dup_exact(data + sgl.offset, sgl.length);

			auth_msg(m, sgl.length);
			free(m);
		} else if (data && !st && sgl.kind == NVMET_WIRE_SGL_INCAPSULE &&
		    sqe[NVMET_WIRE_SQE_OPCODE] == nvme_fabrics_command) {
			struct nvmet_wire_connect c;
			struct nvmet_wire_loc loc;

			/* Connect data at its SGL offset, exactly as long as described. */
			if (!nvmet_wire_parse_connect(sqe, data + sgl.offset, sgl.length, 127,
						      &c, &loc)) {
				INVARIANT(strlen(c.subnqn) < NVMF_NQN_FIELD_LEN);
				INVARIANT(strlen(c.hostnqn) < NVMF_NQN_FIELD_LEN);
				INVARIANT(c.sqsize >= 1 && c.sqsize <= 127);
			}
		}
		break;
	}
	case nvme_tcp_h2c_data: {
		struct nvmet_wire_tcp_h2c h2c;

		nvmet_wire_tcp_parse_h2c(hdr, &h2c);
		if (!nvmet_wire_tcp_check_h2c(&h2c, &pdu, h2c.offset & ~4095u, 1 << 20, &err))
			INVARIANT((u64)h2c.offset + h2c.length <= 1 << 20);
		break;
	}
	}
	free(data);
	free(hdr);
	*used = pdu.plen < avail ? pdu.plen : avail;
}

int LLVMFuzzerTestOneInput(const u8 *buf, size_t len)
{
	struct nvmet_wire_tcp_limits lim = { 0 };
	size_t used;

	rdma_cm_req(buf, len < 64 ? len : 64);
	fc_ls(buf, len);
	fc_cmd_iu(buf, len);
	if (len < 4)
		return 0;
	lim.ic_done = buf[0] & 1;
	lim.hdgst = buf[0] & 2;
	lim.ddgst = buf[0] & 4;
	lim.cpda = buf[1] & 0x1f;
	lim.max_incapsule = (u32)buf[2] * 1024;
	lim.maxh2cdata = 4096u << (buf[3] & 7);
	buf += 4;
	len -= 4;
	while (len) {
		one_pdu(buf, len, &lim, &used);
		if (!used)
			break;
		buf += used;
		len -= used;
	}
	return 0;
}
