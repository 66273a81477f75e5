// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-oot: NVMe over RDMA wire checks (see rdma.h). Pure: no allocation,
 * no kernel objects; unit-tested and fuzzed in user space.
 */
#include "rdma.h"

/* RDMA_CM private data fields (byte offsets). */
#define CM_RECFMT	0
#define CM_QID		2
#define CM_HRQSIZE	4	/* RDMA_CM_REQUEST */
#define CM_HSQSIZE	6
#define CM_CNTLID	8
#define CM_CRQSIZE	2	/* RDMA_CM_ACCEPT */
#define CM_STS		2	/* RDMA_CM_REJECT */

/* SGL descriptor fields in the SQE (byte offsets). */
#define SGL_ADDR	(NVMET_WIRE_SQE_DPTR + 0)
#define SGL_LENGTH	(NVMET_WIRE_SQE_DPTR + 8)	/* 4 bytes; keyed: 3 */
#define SGL_KEY		(NVMET_WIRE_SQE_DPTR + 11)	/* keyed only */
#define SGL_TYPE	(NVMET_WIRE_SQE_DPTR + 15)

u16 nvmet_wire_rdma_parse_cm_req(const u8 *priv, u32 len, u32 max_io_entries,
				 struct nvmet_wire_rdma_cm_req *req)
{
	u32 max;

	memset(req, 0, sizeof(*req));
	if (!priv || len < NVMET_WIRE_RDMA_CM_REQ_LEN)
		return NVME_RDMA_CM_INVALID_LEN;
	if (wire_le16(priv + CM_RECFMT) != NVME_RDMA_CM_FMT_1_0)
		return NVME_RDMA_CM_INVALID_RECFMT;
	req->qid = wire_le16(priv + CM_QID);
	req->hrqsize = wire_le16(priv + CM_HRQSIZE);
	req->hsqsize = wire_le16(priv + CM_HSQSIZE);
	req->cntlid = wire_le16(priv + CM_CNTLID);
	req->entries = (u32)req->hsqsize + 1;

	/* A queue holds at least two entries (SQSIZE is at least 1). */
	max = req->qid ? max_io_entries : NVMET_WIRE_RDMA_AQ_ENTRIES;
	if (!req->hsqsize || req->entries > max)
		return NVME_RDMA_CM_INVALID_HSQSIZE;
	/* The host must be able to receive at least one response. */
	if (!req->hrqsize)
		return NVME_RDMA_CM_INVALID_HRQSIZE;
	return 0;
}

void nvmet_wire_rdma_build_cm_rep(u8 *buf, u16 crqsize)
{
	memset(buf, 0, NVMET_WIRE_RDMA_CM_REP_LEN);
	wire_put_le16(buf + CM_RECFMT, NVME_RDMA_CM_FMT_1_0);
	wire_put_le16(buf + CM_CRQSIZE, crqsize);
}

void nvmet_wire_rdma_build_cm_rej(u8 *buf, u16 sts)
{
	memset(buf, 0, NVMET_WIRE_RDMA_CM_REJ_LEN);
	wire_put_le16(buf + CM_RECFMT, NVME_RDMA_CM_FMT_1_0);
	wire_put_le16(buf + CM_STS, sts);
}

u16 nvmet_wire_rdma_parse_sgl(const u8 *sqe, u32 incapsule_len, u32 max_len,
			      struct nvmet_wire_rdma_sgl *sgl)
{
	u8 type = sqe[SGL_TYPE];
	u32 len;

	memset(sgl, 0, sizeof(*sgl));
	sgl->kind = NVMET_WIRE_SGL_NONE;
	sgl->addr = wire_le64(sqe + SGL_ADDR);

	switch (type >> 4) {
	case NVME_SGL_FMT_DATA_DESC:
		if ((type & 0xf) != NVME_SGL_FMT_OFFSET)
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		len = wire_le32(sqe + SGL_LENGTH);
		sgl->length = len;
		if (len && !nvmet_wire_sqe_is_write(sqe))
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		/* Only data that came with the capsule may be described. */
		if (sgl->addr > incapsule_len || len > incapsule_len - sgl->addr)
			return NVME_SC_SGL_INVALID_OFFSET | NVME_STATUS_DNR;
		sgl->offset = (u32)sgl->addr;
		if (len)
			sgl->kind = NVMET_WIRE_SGL_INCAPSULE;
		return 0;
	case NVME_KEY_SGL_FMT_DATA_DESC:
		switch (type & 0xf) {
		case NVME_SGL_FMT_ADDRESS:
			break;
		case NVME_SGL_FMT_INVALIDATE:
			sgl->invalidate = true;
			break;
		default:
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		}
		len = (u32)sqe[SGL_LENGTH] | (u32)sqe[SGL_LENGTH + 1] << 8 |
		      (u32)sqe[SGL_LENGTH + 2] << 16;
		sgl->length = len;
		sgl->key = wire_le32(sqe + SGL_KEY);
		if (len > max_len)
			return NVME_SC_SGL_INVALID_DATA | NVME_STATUS_DNR;
		if (len)
			sgl->kind = NVMET_WIRE_SGL_TRANSPORT;
		return 0;
	default:
		return NVME_SC_SGL_INVALID_TYPE | NVME_STATUS_DNR;
	}
}
