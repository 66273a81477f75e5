// SPDX-License-Identifier: GPL-2.0
/*
 * NVMe/TCP PDU validation and construction for the controller side.
 * Pure functions over byte buffers: see types.h.
 */
#include "tcp-pdu.h"
#include "cmd.h"

/* Offsets of header fields, reported as FEI for an invalid field. */
#define CH_FLAGS	1
#define CH_HLEN		2
#define CH_PDO		3
#define CH_PLEN		4
#define IC_PFV		8
#define IC_HPDA		10	/* HPDA in ICReq, CPDA in ICResp */
#define IC_DGST		11
#define IC_MAXR2T	12	/* MAXR2T in ICReq, MAXH2CDATA in ICResp */
#define DATA_CCCID	8
#define DATA_TTAG	10
#define DATA_DATAO	12
#define DATA_DATAL	16
#define TERM_FES	8
#define TERM_FEI	10

#define SGL_ADDR	(NVMET_WIRE_SQE_DPTR + 0)
#define SGL_LENGTH	(NVMET_WIRE_SQE_DPTR + 8)
#define SGL_TYPE	(NVMET_WIRE_SQE_DPTR + 15)

static int wire_fail(struct nvmet_wire_tcp_err *err, u16 fes, u32 fei)
{
	err->fes = fes;
	err->fei = fei;
	return -EPROTO;
}

/* HLEN of each PDU type a host may send; 0 for any other type. */
static u32 host_pdu_hlen(u8 type)
{
	switch (type) {
	case nvme_tcp_icreq:
		return NVMET_WIRE_TCP_IC_LEN;
	case nvme_tcp_h2c_term:
		return NVMET_WIRE_TCP_TERM_HLEN;
	case nvme_tcp_cmd:
		return NVMET_WIRE_TCP_CMD_HLEN;
	case nvme_tcp_h2c_data:
		return NVMET_WIRE_TCP_DATA_HLEN;
	default:
		return 0;
	}
}

/*
 * Checks the 8-byte common header of a PDU from the host against the queue's
 * state and limits, and tells how much header to read and where the data is.
 * Everything after it (digests, PDU-specific fields) is checked once read.
 */
int nvmet_wire_tcp_check_hdr(const u8 *ch, const struct nvmet_wire_tcp_limits *lim,
			     struct nvmet_wire_tcp_pdu *pdu,
			     struct nvmet_wire_tcp_err *err)
{
	bool is_icreq, digest_capable, hdgst, ddgst;
	u32 expected_hlen, align, limit, tail;

	memset(pdu, 0, sizeof(*pdu));
	pdu->type = ch[0];
	pdu->flags = ch[CH_FLAGS];
	pdu->hlen = ch[CH_HLEN];
	pdu->pdo = ch[CH_PDO];
	pdu->plen = wire_le32(ch + CH_PLEN);

	expected_hlen = host_pdu_hlen(pdu->type);
	if (!expected_hlen)
		return wire_fail(err, NVME_TCP_FES_INVALID_PDU_HDR, 0);
	/* ICReq comes first and only once; nothing else comes before it. */
	is_icreq = pdu->type == nvme_tcp_icreq;
	if (is_icreq == lim->ic_done)
		return wire_fail(err, NVME_TCP_FES_PDU_SEQ_ERR, 0);
	if (pdu->hlen != expected_hlen)
		return wire_fail(err, NVME_TCP_FES_INVALID_PDU_HDR, CH_HLEN);

	/* Digests cover CapsuleCmd and H2CData only, and only once negotiated. */
	digest_capable = pdu->type == nvme_tcp_cmd || pdu->type == nvme_tcp_h2c_data;
	hdgst = pdu->flags & NVME_TCP_F_HDGST;
	ddgst = pdu->flags & NVME_TCP_F_DDGST;
	if (hdgst != (digest_capable && lim->hdgst))
		return wire_fail(err, NVME_TCP_FES_INVALID_PDU_HDR, CH_FLAGS);
	pdu->hdr_len = pdu->hlen + (hdgst ? NVME_TCP_DIGEST_LENGTH : 0);

	switch (pdu->type) {
	case nvme_tcp_icreq:
		if (ddgst)
			return wire_fail(err, NVME_TCP_FES_INVALID_PDU_HDR, CH_FLAGS);
		if (pdu->plen != NVMET_WIRE_TCP_IC_LEN)
			return wire_fail(err, NVME_TCP_FES_INVALID_PDU_HDR, CH_PLEN);
		return 0;
	case nvme_tcp_h2c_term:
		if (ddgst)
			return wire_fail(err, NVME_TCP_FES_INVALID_PDU_HDR, CH_FLAGS);
		if (pdu->plen < NVME_TCP_MIN_C2HTERM_PLEN ||
		    pdu->plen > NVME_TCP_MAX_C2HTERM_PLEN)
			return wire_fail(err, NVME_TCP_FES_INVALID_PDU_HDR, CH_PLEN);
		pdu->data_off = pdu->hlen;
		pdu->data_len = pdu->plen - pdu->hlen;
		return 0;
	}

	/* CapsuleCmd or H2CData. */
	if (pdu->plen < pdu->hdr_len)
		return wire_fail(err, NVME_TCP_FES_INVALID_PDU_HDR, CH_PLEN);
	if (pdu->plen == pdu->hdr_len) {
		/* No data: a data digest flag or an H2CData without data is wrong. */
		if (ddgst)
			return wire_fail(err, NVME_TCP_FES_INVALID_PDU_HDR, CH_FLAGS);
		if (pdu->type == nvme_tcp_h2c_data)
			return wire_fail(err, NVME_TCP_FES_INVALID_PDU_HDR, CH_PLEN);
		return 0;
	}
	if (ddgst != lim->ddgst)
		return wire_fail(err, NVME_TCP_FES_INVALID_PDU_HDR, CH_FLAGS);
	align = ((u32)lim->cpda + 1) * 4;
	if (pdu->pdo < pdu->hdr_len || pdu->pdo % align)
		return wire_fail(err, NVME_TCP_FES_INVALID_PDU_HDR, CH_PDO);
	tail = ddgst ? NVME_TCP_DIGEST_LENGTH : 0;
	if ((u64)pdu->pdo + tail >= pdu->plen)
		return wire_fail(err, NVME_TCP_FES_INVALID_PDU_HDR, CH_PLEN);
	pdu->data_off = pdu->pdo;
	pdu->data_len = pdu->plen - pdu->pdo - tail;
	pdu->has_ddgst = ddgst;
	limit = pdu->type == nvme_tcp_cmd ? lim->max_incapsule : lim->maxh2cdata;
	if (pdu->data_len > limit)
		return wire_fail(err, NVME_TCP_FES_DATA_LIMIT_EXCEEDED, CH_PLEN);
	return 0;
}

/* ICReq after nvmet_wire_tcp_check_hdr() accepted its header (128 bytes). */
int nvmet_wire_tcp_parse_icreq(const u8 *pdu, struct nvmet_wire_tcp_icreq *ic,
			       struct nvmet_wire_tcp_err *err)
{
	if (wire_le16(pdu + IC_PFV) != NVME_TCP_PFV_1_0)
		return wire_fail(err, NVME_TCP_FES_UNSUPPORTED_PARAM, IC_PFV);
	/* HPDA is 0's based dwords, at most 31 (128 bytes). */
	if (pdu[IC_HPDA] > 31)
		return wire_fail(err, NVME_TCP_FES_INVALID_PDU_HDR, IC_HPDA);
	ic->hpda = pdu[IC_HPDA];
	ic->hdgst = pdu[IC_DGST] & NVME_TCP_HDR_DIGEST_ENABLE;
	ic->ddgst = pdu[IC_DGST] & NVME_TCP_DATA_DIGEST_ENABLE;
	ic->maxr2t = wire_le32(pdu + IC_MAXR2T);
	return 0;
}

void nvmet_wire_tcp_build_icresp(u8 *pdu, u8 cpda, bool hdgst, bool ddgst, u32 maxh2cdata)
{
	memset(pdu, 0, NVMET_WIRE_TCP_IC_LEN);
	pdu[0] = nvme_tcp_icresp;
	pdu[CH_HLEN] = NVMET_WIRE_TCP_IC_LEN;
	wire_put_le32(pdu + CH_PLEN, NVMET_WIRE_TCP_IC_LEN);
	wire_put_le16(pdu + IC_PFV, NVME_TCP_PFV_1_0);
	pdu[IC_HPDA] = cpda;
	pdu[IC_DGST] = (hdgst ? NVME_TCP_HDR_DIGEST_ENABLE : 0) |
		       (ddgst ? NVME_TCP_DATA_DIGEST_ENABLE : 0);
	wire_put_le32(pdu + IC_MAXR2T, maxh2cdata);
}

void nvmet_wire_tcp_parse_h2c(const u8 *pdu, struct nvmet_wire_tcp_h2c *h2c)
{
	h2c->command_id = wire_le16(pdu + DATA_CCCID);
	h2c->ttag = wire_le16(pdu + DATA_TTAG);
	h2c->offset = wire_le32(pdu + DATA_DATAO);
	h2c->length = wire_le32(pdu + DATA_DATAL);
	h2c->last = pdu[CH_FLAGS] & NVME_TCP_F_DATA_LAST;
}

/*
 * An H2CData PDU for a command expecting TRANSFER_LEN bytes, of which
 * EXPECTED_OFFSET have arrived: data must come in order and stay in range.
 */
int nvmet_wire_tcp_check_h2c(const struct nvmet_wire_tcp_h2c *h2c,
			     const struct nvmet_wire_tcp_pdu *pdu,
			     u32 expected_offset, u32 transfer_len,
			     struct nvmet_wire_tcp_err *err)
{
	if (h2c->length != pdu->data_len)
		return wire_fail(err, NVME_TCP_FES_INVALID_PDU_HDR, DATA_DATAL);
	if (h2c->offset != expected_offset)
		return wire_fail(err, NVME_TCP_FES_DATA_OUT_OF_RANGE, DATA_DATAO);
	if ((u64)h2c->offset + h2c->length > transfer_len)
		return wire_fail(err, NVME_TCP_FES_DATA_OUT_OF_RANGE, DATA_DATAL);
	return 0;
}

/*
 * A C2HTermReq for FES/FEI carrying back (up to the spec's limit) the header
 * of the PDU in error. BUF holds NVME_TCP_MAX_C2HTERM_PLEN bytes; returns the
 * PDU's length.
 */
size_t nvmet_wire_tcp_build_term(u8 *buf, u16 fes, u32 fei, const u8 *hdr, size_t hdr_len)
{
	size_t n = hdr_len < NVMET_WIRE_TCP_TERM_MAX_DATA ? hdr_len : NVMET_WIRE_TCP_TERM_MAX_DATA;

	memset(buf, 0, NVMET_WIRE_TCP_TERM_HLEN);
	buf[0] = nvme_tcp_c2h_term;
	buf[CH_HLEN] = NVMET_WIRE_TCP_TERM_HLEN;
	wire_put_le32(buf + CH_PLEN, NVMET_WIRE_TCP_TERM_HLEN + n);
	wire_put_le16(buf + TERM_FES, fes);
	wire_put_le32(buf + TERM_FEI, fei);
	if (n)
		memcpy(buf + NVMET_WIRE_TCP_TERM_HLEN, hdr, n);
	return NVMET_WIRE_TCP_TERM_HLEN + n;
}

/*
 * The data descriptor of a command received over NVMe/TCP, which came with
 * INCAPSULE_LEN bytes of in-capsule data; MAX_LEN is the largest transfer the
 * controller accepts.
 */
u16 nvmet_wire_tcp_sgl(const u8 *sqe, u32 incapsule_len, u32 max_len,
		       struct nvmet_wire_sgl *sgl)
{
	u8 type = sqe[SGL_TYPE];
	u64 addr = wire_le64(sqe + SGL_ADDR);
	u32 len = wire_le32(sqe + SGL_LENGTH);

	sgl->kind = NVMET_WIRE_SGL_NONE;
	sgl->offset = 0;
	sgl->length = len;

	if (type == (NVME_SGL_FMT_DATA_DESC << 4 | NVME_SGL_FMT_OFFSET)) {
		if (len && !nvmet_wire_sqe_is_write(sqe))
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		if (addr > incapsule_len || len > incapsule_len - addr)
			return NVME_SC_SGL_INVALID_OFFSET | NVME_STATUS_DNR;
		sgl->offset = (u32)addr;
		if (len)
			sgl->kind = NVMET_WIRE_SGL_INCAPSULE;
		return 0;
	}
	if (type == (NVME_TRANSPORT_SGL_DATA_DESC << 4 | NVME_SGL_FMT_TRANSPORT_A)) {
		/* Data announced for R2T/C2HData must not also be in the capsule. */
		if (incapsule_len)
			return NVME_SC_SGL_INVALID_DATA | NVME_STATUS_DNR;
		if (len > max_len)
			return NVME_SC_SGL_INVALID_DATA | NVME_STATUS_DNR;
		if (len)
			sgl->kind = NVMET_WIRE_SGL_TRANSPORT;
		return 0;
	}
	return NVME_SC_SGL_INVALID_TYPE | NVME_STATUS_DNR;
}
