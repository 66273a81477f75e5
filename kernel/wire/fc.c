// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-oot: FC-NVMe wire checks and builders (see fc.h). Pure: no
 * allocation, no kernel objects; unit-tested and fuzzed in user space.
 *
 * How nvmet_wire_fc_parse_ls() rejects a link service (reason / explanation;
 * checked in this order, the first failure answers):
 *
 *   what is wrong                                   reason     explanation
 *   ----------------------------------------------  ---------  -------------
 *   LEN 0: not even a command code                  LOGIC      INV_LEN
 *   command code 0, LS_RJT, LS_ACC, 7 and above     INVAL      NONE
 *   Disconnect Connection (FC-NVMe-1 only)          UNSUP      NONE
 *   LEN below the 8-byte header, a descriptor list  LOGIC      INV_LEN
 *     length not the command's (Create Association:
 *     shorter than up to SUBNQN), or longer than LEN
 *   a descriptor tag other than the one expected    LOGIC      NONE
 *     in its place
 *   a descriptor length other than its command's    LOGIC      INV_LEN
 *     (Create Association: shorter than up to
 *     SUBNQN, or beyond the list)
 *   Create Connection: QID 0 or above MAX_QID       INV_PARAM  INV_QUEUE_ID
 *   SQSIZE 0 or above the queue's limit             INV_PARAM  INV_SQSIZE
 *   ERSP_RATIO 0 or above SQSIZE (not below the     INV_PARAM  INV_ERSP_RAT
 *     number of entries)
 *   Create Association: CNTLID not FFFFh            INV_PARAM  INV_CTLR_ID
 *   Create Association: HOSTNQN empty or without    INV_PARAM  INV_HOSTNQN
 *     a NUL in its 256 bytes
 *   Create Association: SUBNQN, the same            INV_PARAM  INV_SUBNQN
 *   Disconnect Association: the FC-NVMe-1 SCOPE     UNSUP      NONE
 *     word is not zero (a connection's scope)
 *
 * Left to the caller: an association ID it does not know (INV_ASSOC /
 * NONE), no memory or queue for the request (INSUF_RES / NONE), a second
 * Disconnect Association while the first is still unanswered (the first
 * gets UNAB / NONE). HOSTID is not checked: NVMe allows any value.
 */
#include "fc.h"

#define LS_RJT(rc, exp) \
	NVMET_WIRE_FC_RJT(NVMET_WIRE_FC_RJT_RC_##rc, NVMET_WIRE_FC_RJT_EXP_##exp)

/* Descriptor offsets in the requests (from the start of the request). */
#define FIRST_DESC	NVMET_WIRE_FC_LS_HDR_LEN
#define SECOND_DESC	(FIRST_DESC + NVMET_WIRE_FC_ID_DESC_LEN)

/*
 * The descriptor list length: from MIN to MAX, and all of it within LEN.
 * LEN is at least the 8-byte header.
 */
static u16 check_list(const u8 *buf, u32 len, u32 min, u32 max)
{
	u32 list = wire_be32(buf + NVMET_WIRE_FC_LS_LIST_LEN);

	if (list < min || list > max || list > len - NVMET_WIRE_FC_LS_HDR_LEN)
		return LS_RJT(LOGIC, INV_LEN);
	return 0;
}

/* A descriptor's tag, then its length (bytes after its header), MIN to MAX. */
static u16 check_desc(const u8 *d, u32 tag, u32 min, u32 max)
{
	u32 len = wire_be32(d + NVMET_WIRE_FC_DESC_LEN);

	if (wire_be32(d + NVMET_WIRE_FC_DESC_TAG) != tag)
		return LS_RJT(LOGIC, NONE);
	if (len < min || len > max)
		return LS_RJT(LOGIC, INV_LEN);
	return 0;
}

/* SQSIZE and ERSP_RATIO of a Create Association or Create Connection. */
static u16 check_queue(const u8 *d, u16 max_sqsize, struct nvmet_wire_fc_ls *ls)
{
	ls->ersp_ratio = wire_be16(d + NVMET_WIRE_FC_CMD_ERSP_RATIO);
	ls->sqsize = wire_be16(d + NVMET_WIRE_FC_CMD_SQSIZE);
	if (!ls->sqsize || ls->sqsize > max_sqsize)
		return LS_RJT(INV_PARAM, INV_SQSIZE);
	if (!ls->ersp_ratio || ls->ersp_ratio > ls->sqsize)
		return LS_RJT(INV_PARAM, INV_ERSP_RAT);
	return 0;
}

static u16 parse_create_assoc(const u8 *buf, u32 len, u16 max_sqsize,
			      struct nvmet_wire_fc_ls *ls)
{
	const u8 *d = buf + FIRST_DESC;
	u32 list = wire_be32(buf + NVMET_WIRE_FC_LS_LIST_LEN);
	u16 st;

	/* Any padding: the list is bounded by LEN only. */
	st = check_list(buf, len, NVMET_WIRE_FC_ASSOC_DESC_MIN, len);
	if (!st)
		st = check_desc(d, NVMET_WIRE_FC_DESC_CREATE_ASSOC,
				NVMET_WIRE_FC_ASSOC_DESC_MIN - NVMET_WIRE_FC_DESC_HDR_LEN,
				list - NVMET_WIRE_FC_DESC_HDR_LEN);
	if (!st)
		st = check_queue(d, max_sqsize, ls);
	if (st)
		return st;
	ls->cntlid = wire_be16(d + NVMET_WIRE_FC_CMD_CNTLID);
	memcpy(ls->hostid, d + NVMET_WIRE_FC_CMD_HOSTID, sizeof(ls->hostid));
	if (ls->cntlid != NVME_CNTLID_DYNAMIC)
		return LS_RJT(INV_PARAM, INV_CTLR_ID);
	if (!nvmet_wire_copy_nqn(ls->hostnqn, d + NVMET_WIRE_FC_CMD_HOSTNQN))
		return LS_RJT(INV_PARAM, INV_HOSTNQN);
	if (!nvmet_wire_copy_nqn(ls->subnqn, d + NVMET_WIRE_FC_CMD_SUBNQN))
		return LS_RJT(INV_PARAM, INV_SUBNQN);
	return 0;
}

/* The association ID descriptor first in Create Connection and Disconnect. */
static u16 check_assoc_id(const u8 *buf, struct nvmet_wire_fc_ls *ls)
{
	const u8 *d = buf + FIRST_DESC;
	u16 st;

	st = check_desc(d, NVMET_WIRE_FC_DESC_ASSOC_ID,
			NVMET_WIRE_FC_ID_DESC_LEN - NVMET_WIRE_FC_DESC_HDR_LEN,
			NVMET_WIRE_FC_ID_DESC_LEN - NVMET_WIRE_FC_DESC_HDR_LEN);
	if (!st)
		ls->association_id = wire_be64(d + NVMET_WIRE_FC_ID_VALUE);
	return st;
}

/*
 * Create Connection and Disconnect Association: an association ID and a
 * command descriptor of DESC_LEN bytes with tag TAG, in a request of
 * exactly that size.
 */
static u16 check_id_and_cmd(const u8 *buf, u32 len, u32 tag, u32 desc_len,
			    struct nvmet_wire_fc_ls *ls)
{
	u32 list = NVMET_WIRE_FC_ID_DESC_LEN + desc_len;
	u32 body = desc_len - NVMET_WIRE_FC_DESC_HDR_LEN;
	u16 st;

	st = check_list(buf, len, list, list);
	if (!st)
		st = check_assoc_id(buf, ls);
	if (!st)
		st = check_desc(buf + SECOND_DESC, tag, body, body);
	return st;
}

static u16 parse_create_conn(const u8 *buf, u32 len, u16 max_qid, u16 max_sqsize,
			     struct nvmet_wire_fc_ls *ls)
{
	const u8 *d = buf + SECOND_DESC;
	u16 st;

	st = check_id_and_cmd(buf, len, NVMET_WIRE_FC_DESC_CREATE_CONN,
			      NVMET_WIRE_FC_CONN_DESC_LEN, ls);
	if (st)
		return st;
	ls->qid = wire_be16(d + NVMET_WIRE_FC_CMD_QID);
	if (!ls->qid || ls->qid > max_qid)
		return LS_RJT(INV_PARAM, INV_QUEUE_ID);
	return check_queue(d, max_sqsize, ls);
}

static u16 parse_disconn_assoc(const u8 *buf, u32 len, struct nvmet_wire_fc_ls *ls)
{
	u16 st;

	st = check_id_and_cmd(buf, len, NVMET_WIRE_FC_DESC_DISCONN,
			      NVMET_WIRE_FC_DISCONN_DESC_LEN, ls);
	if (st)
		return st;
	if (wire_be32(buf + SECOND_DESC + NVMET_WIRE_FC_DISCONN_SCOPE))
		return LS_RJT(UNSUP, NONE);
	return 0;
}

u16 nvmet_wire_fc_parse_ls(const u8 *buf, u32 len, u16 max_qid, u16 max_admin_sqsize,
			   u16 max_io_sqsize, struct nvmet_wire_fc_ls *ls)
{
	memset(ls, 0, sizeof(*ls));
	if (!buf || !len)
		return LS_RJT(LOGIC, INV_LEN);
	ls->cmd = buf[NVMET_WIRE_FC_LS_CMD];
	switch (ls->cmd) {
	case NVMET_WIRE_FC_LS_CREATE_ASSOC:
	case NVMET_WIRE_FC_LS_CREATE_CONN:
	case NVMET_WIRE_FC_LS_DISCONN_ASSOC:
		break;
	case NVMET_WIRE_FC_LS_DISCONN_CONN:
		return LS_RJT(UNSUP, NONE);
	default:
		return LS_RJT(INVAL, NONE);
	}
	if (len < NVMET_WIRE_FC_LS_HDR_LEN)
		return LS_RJT(LOGIC, INV_LEN);
	if (ls->cmd == NVMET_WIRE_FC_LS_CREATE_ASSOC)
		return parse_create_assoc(buf, len, max_admin_sqsize, ls);
	if (ls->cmd == NVMET_WIRE_FC_LS_CREATE_CONN)
		return parse_create_conn(buf, len, max_qid, max_io_sqsize, ls);
	return parse_disconn_assoc(buf, len, ls);
}

/* Zeroes a link service of LEN bytes and writes its command and list length. */
static void ls_start(u8 *buf, u8 cmd, u32 len)
{
	memset(buf, 0, len);
	buf[NVMET_WIRE_FC_LS_CMD] = cmd;
	wire_put_be32(buf + NVMET_WIRE_FC_LS_LIST_LEN, len - NVMET_WIRE_FC_LS_HDR_LEN);
}

static void put_desc(u8 *d, u32 tag, u32 desc_len)
{
	wire_put_be32(d + NVMET_WIRE_FC_DESC_TAG, tag);
	wire_put_be32(d + NVMET_WIRE_FC_DESC_LEN, desc_len - NVMET_WIRE_FC_DESC_HDR_LEN);
}

static void put_id(u8 *d, u32 tag, u64 id)
{
	put_desc(d, tag, NVMET_WIRE_FC_ID_DESC_LEN);
	wire_put_be64(d + NVMET_WIRE_FC_ID_VALUE, id);
}

/* An LS_ACC or LS_RJT of LEN bytes: header and the request descriptor. */
static void rsp_start(u8 *buf, u8 cmd, u32 len, u8 ls_cmd)
{
	ls_start(buf, cmd, len);
	put_desc(buf + FIRST_DESC, NVMET_WIRE_FC_DESC_RQST, NVMET_WIRE_FC_RQST_DESC_LEN);
	buf[FIRST_DESC + NVMET_WIRE_FC_RQST_W0] = ls_cmd;
}

u32 nvmet_wire_fc_build_ls_rjt(u8 *buf, u8 ls_cmd, u8 reason, u8 explanation)
{
	u8 *d = buf + NVMET_WIRE_FC_ACC_HDR_LEN;

	rsp_start(buf, NVMET_WIRE_FC_LS_RJT, NVMET_WIRE_FC_RJT_LEN, ls_cmd);
	put_desc(d, NVMET_WIRE_FC_DESC_RJT, NVMET_WIRE_FC_RJT_DESC_LEN);
	d[NVMET_WIRE_FC_RJT_REASON_CODE] = reason;
	d[NVMET_WIRE_FC_RJT_EXPLANATION] = explanation;
	return NVMET_WIRE_FC_RJT_LEN;
}

u32 nvmet_wire_fc_build_create_assoc_acc(u8 *buf, u64 association_id, u64 connection_id)
{
	u8 *d = buf + NVMET_WIRE_FC_ACC_HDR_LEN;

	rsp_start(buf, NVMET_WIRE_FC_LS_ACC, NVMET_WIRE_FC_CREATE_ASSOC_ACC_LEN,
		  NVMET_WIRE_FC_LS_CREATE_ASSOC);
	put_id(d, NVMET_WIRE_FC_DESC_ASSOC_ID, association_id);
	put_id(d + NVMET_WIRE_FC_ID_DESC_LEN, NVMET_WIRE_FC_DESC_CONN_ID, connection_id);
	return NVMET_WIRE_FC_CREATE_ASSOC_ACC_LEN;
}

u32 nvmet_wire_fc_build_create_conn_acc(u8 *buf, u64 connection_id)
{
	rsp_start(buf, NVMET_WIRE_FC_LS_ACC, NVMET_WIRE_FC_CREATE_CONN_ACC_LEN,
		  NVMET_WIRE_FC_LS_CREATE_CONN);
	put_id(buf + NVMET_WIRE_FC_ACC_HDR_LEN, NVMET_WIRE_FC_DESC_CONN_ID, connection_id);
	return NVMET_WIRE_FC_CREATE_CONN_ACC_LEN;
}

u32 nvmet_wire_fc_build_disconn_assoc_acc(u8 *buf)
{
	rsp_start(buf, NVMET_WIRE_FC_LS_ACC, NVMET_WIRE_FC_DISCONN_ACC_LEN,
		  NVMET_WIRE_FC_LS_DISCONN_ASSOC);
	return NVMET_WIRE_FC_DISCONN_ACC_LEN;
}

u32 nvmet_wire_fc_build_disconn_assoc_rqst(u8 *buf, u64 association_id)
{
	ls_start(buf, NVMET_WIRE_FC_LS_DISCONN_ASSOC, NVMET_WIRE_FC_DISCONN_RQST_LEN);
	put_id(buf + FIRST_DESC, NVMET_WIRE_FC_DESC_ASSOC_ID, association_id);
	put_desc(buf + SECOND_DESC, NVMET_WIRE_FC_DESC_DISCONN, NVMET_WIRE_FC_DISCONN_DESC_LEN);
	return NVMET_WIRE_FC_DISCONN_RQST_LEN;
}

int nvmet_wire_fc_check_disconn_assoc_rsp(const u8 *buf, u32 len)
{
	const u8 *d;

	if (!buf || len < NVMET_WIRE_FC_DISCONN_ACC_LEN)
		return -EPROTO;
	d = buf + FIRST_DESC;
	if (buf[NVMET_WIRE_FC_LS_CMD] != NVMET_WIRE_FC_LS_ACC ||
	    wire_be32(buf + NVMET_WIRE_FC_LS_LIST_LEN) !=
	    NVMET_WIRE_FC_DISCONN_ACC_LEN - NVMET_WIRE_FC_LS_HDR_LEN)
		return -EPROTO;
	if (check_desc(d, NVMET_WIRE_FC_DESC_RQST,
		       NVMET_WIRE_FC_RQST_DESC_LEN - NVMET_WIRE_FC_DESC_HDR_LEN,
		       NVMET_WIRE_FC_RQST_DESC_LEN - NVMET_WIRE_FC_DESC_HDR_LEN))
		return -EPROTO;
	if (d[NVMET_WIRE_FC_RQST_W0] != NVMET_WIRE_FC_LS_DISCONN_ASSOC)
		return -EPROTO;
	return 0;
}

int nvmet_wire_fc_parse_cmd_iu(const u8 *buf, u32 len, u32 max_data_len,
			       struct nvmet_wire_fc_cmd_iu *iu)
{
	u8 dir;

	memset(iu, 0, sizeof(*iu));
	if (!buf || len != NVMET_WIRE_FC_CMD_IU_LEN)
		return NVMET_WIRE_FC_IU_BAD_LEN;
	iu->connection_id = wire_be64(buf + NVMET_WIRE_FC_IU_CONN_ID);
	iu->csn = wire_be32(buf + NVMET_WIRE_FC_IU_CSN);
	iu->data_len = wire_be32(buf + NVMET_WIRE_FC_IU_DATA_LEN);
	iu->flags = buf[NVMET_WIRE_FC_IU_FLAGS];
	iu->admin = (buf[NVMET_WIRE_FC_IU_CATEGORY] & NVMET_WIRE_FC_CAT_MASK) ==
		    NVMET_WIRE_FC_CAT_ADMIN;
	iu->sqe = buf + NVMET_WIRE_FC_IU_SQE;

	if (wire_be16(buf + NVMET_WIRE_FC_IU_LEN_WORDS) != NVMET_WIRE_FC_CMD_IU_LEN / 4)
		return NVMET_WIRE_FC_IU_BAD_LEN;
	if (buf[NVMET_WIRE_FC_IU_FORMAT_ID] != NVMET_WIRE_FC_CMD_FORMAT_ID)
		return NVMET_WIRE_FC_IU_BAD_FORMAT;
	if (buf[NVMET_WIRE_FC_IU_FC_ID] != NVMET_WIRE_FC_TYPE_NVME)
		return NVMET_WIRE_FC_IU_BAD_FC_ID;
	dir = iu->flags & NVMET_WIRE_FC_CMD_DIR;
	if (dir == NVMET_WIRE_FC_CMD_DIR)
		return NVMET_WIRE_FC_IU_BAD_DIR;
	if (!dir != !iu->data_len)
		return NVMET_WIRE_FC_IU_BAD_DATA_LEN;
	/* The bit says which way the data goes: the command must agree. */
	if (dir == NVMET_WIRE_FC_CMD_WRITE && !nvmet_wire_sqe_is_write(iu->sqe))
		return NVMET_WIRE_FC_IU_BAD_DIR;
	if (dir == NVMET_WIRE_FC_CMD_READ && nvmet_wire_sqe_is_write(iu->sqe))
		return NVMET_WIRE_FC_IU_BAD_DIR;
	if (iu->data_len > max_data_len)
		return NVMET_WIRE_FC_IU_TOO_LONG;
	return 0;
}

void nvmet_wire_fc_build_ersp(u8 *buf, u32 rsn, u32 xfrd_len, const u8 *cqe)
{
	memset(buf, 0, NVMET_WIRE_FC_ERSP_CQE);
	wire_put_be16(buf + NVMET_WIRE_FC_ERSP_IU_LEN, NVMET_WIRE_FC_ERSP_LEN / 4);
	wire_put_be32(buf + NVMET_WIRE_FC_ERSP_RSN, rsn);
	wire_put_be32(buf + NVMET_WIRE_FC_ERSP_XFRD_LEN, xfrd_len);
	memcpy(buf + NVMET_WIRE_FC_ERSP_CQE, cqe, NVMET_WIRE_CQE_LEN);
}

bool nvmet_wire_fc_need_ersp(const u8 *cqe, u32 xfrd_len, u32 data_len, const u8 *sqe,
			     u32 rsp_count, u16 ersp_ratio, u32 sq_used, u32 sq_entries)
{
	if (!ersp_ratio || !(rsp_count % ersp_ratio))
		return true;
	if (wire_le16(cqe + NVMET_WIRE_CQE_STATUS) & 0xfffe)
		return true;
	if (wire_le32(cqe + NVMET_WIRE_CQE_DW0) || wire_le32(cqe + NVMET_WIRE_CQE_DW1))
		return true;
	if (xfrd_len != data_len)
		return true;
	if (sqe[NVMET_WIRE_SQE_FLAGS] & (NVME_CMD_FUSE_FIRST | NVME_CMD_FUSE_SECOND))
		return true;
	if ((u64)sq_used * 10 >= (u64)sq_entries * 9)
		return true;
	return sqe[NVMET_WIRE_SQE_OPCODE] == nvme_fabrics_command;
}
