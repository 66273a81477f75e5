// SPDX-License-Identifier: GPL-2.0
/*
 * Validation of SQE fields shared by all commands, and of Connect.
 * Pure functions over byte buffers: see types.h. Each returns an NVMe status
 * (SCT << 8 | SC, with NVME_STATUS_DNR where retrying cannot help), 0 if fine.
 */
#include "cmd.h"

#define CONNECT_RECFMT	40
#define CONNECT_QID	42
#define CONNECT_SQSIZE	44
#define CONNECT_CATTR	46
#define CONNECT_KATO	48

#define CDATA_HOSTID	0
#define CDATA_CNTLID	16
#define CDATA_SUBNQN	256
#define CDATA_HOSTNQN	512

/* Fabrics carry data with SGLs only (PSDT 01b), and we do not fuse. */
u16 nvmet_wire_sqe_check_flags(const u8 *sqe)
{
	u8 flags = sqe[NVMET_WIRE_SQE_FLAGS];

	if ((flags & NVME_CMD_SGL_ALL) != NVME_CMD_SGL_METABUF)
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	if (flags & (NVME_CMD_FUSE_FIRST | NVME_CMD_FUSE_SECOND))
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	return 0;
}

static u16 connect_invalid(struct nvmet_wire_loc *loc, bool in_data, u16 offset)
{
	loc->in_data = in_data;
	loc->offset = offset;
	return NVME_SC_CONNECT_INVALID_PARAM | NVME_STATUS_DNR;
}

/*
 * A Connect command and its DATA_LEN bytes of data. MAX_SQSIZE is the
 * largest SQSIZE (0's based, i.e. MQES) the controller accepts. Whether the
 * subsystem, host and controller exist is for the core to decide.
 */
u16 nvmet_wire_parse_connect(const u8 *sqe, const u8 *data, u32 data_len, u16 max_sqsize,
			     struct nvmet_wire_connect *c, struct nvmet_wire_loc *loc)
{
	loc->in_data = false;
	loc->offset = 0;
	if (sqe[NVMET_WIRE_SQE_OPCODE] != nvme_fabrics_command ||
	    sqe[NVMET_WIRE_SQE_FCTYPE] != nvme_fabrics_type_connect)
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	if (data_len < NVMET_WIRE_CONNECT_DATA_LEN)
		return NVME_SC_SGL_INVALID_DATA | NVME_STATUS_DNR;

	c->recfmt = wire_le16(sqe + CONNECT_RECFMT);
	c->qid = wire_le16(sqe + CONNECT_QID);
	c->sqsize = wire_le16(sqe + CONNECT_SQSIZE);
	c->cattr = sqe[CONNECT_CATTR];
	c->kato = wire_le32(sqe + CONNECT_KATO);
	memcpy(c->hostid, data + CDATA_HOSTID, sizeof(c->hostid));
	c->cntlid = wire_le16(data + CDATA_CNTLID);

	if (c->recfmt != 0) {
		loc->offset = CONNECT_RECFMT;
		return NVME_SC_CONNECT_FORMAT | NVME_STATUS_DNR;
	}
	/* A queue holds at least two entries (SQSIZE is 0's based). */
	if (c->sqsize == 0 || c->sqsize > max_sqsize)
		return connect_invalid(loc, false, CONNECT_SQSIZE);
	/* The admin queue creates a controller: dynamic model only. */
	if (c->qid == 0 && c->cntlid != NVME_CNTLID_DYNAMIC)
		return connect_invalid(loc, true, CDATA_CNTLID);
	if (!nvmet_wire_copy_nqn(c->subnqn, data + CDATA_SUBNQN))
		return connect_invalid(loc, true, CDATA_SUBNQN);
	if (!nvmet_wire_copy_nqn(c->hostnqn, data + CDATA_HOSTNQN))
		return connect_invalid(loc, true, CDATA_HOSTNQN);
	return 0;
}

/*
 * A Disconnect command. ADMIN_QUEUE: it came on the admin queue, which only
 * the end of the association deletes. On error *ERR_OFFSET is the SQE byte
 * at fault (for the error log).
 */
u16 nvmet_wire_parse_disconnect(const u8 *sqe, bool admin_queue, u16 *err_offset)
{
	*err_offset = 0;
	if (sqe[NVMET_WIRE_SQE_OPCODE] != nvme_fabrics_command ||
	    sqe[NVMET_WIRE_SQE_FCTYPE] != NVMET_WIRE_FCTYPE_DISCONNECT) {
		*err_offset = NVMET_WIRE_SQE_FCTYPE;
		return NVME_SC_INVALID_OPCODE | NVME_STATUS_DNR;
	}
	if (admin_queue) {
		*err_offset = NVMET_WIRE_SQE_FCTYPE;
		return NVMET_WIRE_SC_DISCONNECT_INVALID_QTYPE | NVME_STATUS_DNR;
	}
	/* Record format 0 is the only one defined. */
	if (wire_le16(sqe + CONNECT_RECFMT)) {
		*err_offset = CONNECT_RECFMT;
		return NVME_SC_CONNECT_FORMAT | NVME_STATUS_DNR;
	}
	return 0;
}
