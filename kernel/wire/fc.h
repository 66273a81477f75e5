/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NVMe over Fibre Channel as the controller (target) sees it on the wire
 * (FC-NVMe-2): the link services a host sends (Create Association, Create
 * Connection, Disconnect Association) with their accepts and rejects, the
 * Disconnect Association the target sends, the FCP CMD IU and the ERSP IU.
 * Every multi-byte FC-NVMe field is big-endian; the SQE inside the CMD IU
 * and the CQE inside the ERSP IU keep NVMe's little-endian layout. Pure:
 * see types.h.
 *
 * Where nvmet-fc (in-tree) answers differently, for the documentation:
 * - It rejects every malformed Create Association, Create Connection and
 *   Disconnect Association with reason Logical Error and no explanation
 *   (Invalid Association ID when the association is unknown). We answer
 *   with the reason and explanation of the table in fc.c: Invalid Payload
 *   Length, Invalid Parameters with Invalid ERSP Ratio / SQ Size / Queue ID
 *   / Controller ID / HOSTNQN / SUBNQN.
 * - ERSP_RATIO: it refuses a ratio equal to SQSIZE (so an SQSIZE of 1 can
 *   never be created); we accept 1 to SQSIZE, i.e. any ratio below the
 *   queue's number of entries.
 * - It checks neither SQSIZE against a limit nor the QID in the link
 *   service (a bad one fails the queue allocation: Logical Error); it does
 *   not look at CNTLID, HOSTNQN and SUBNQN of Create Association (only the
 *   Connect command does). We refuse SQSIZE 0 or above the limit, QID 0 or
 *   above the limit, a CNTLID other than FFFFh (dynamic controllers only,
 *   as Connect) and an NQN that is empty or not NUL-terminated.
 * - Create Association: it only asks the buffer to hold the descriptor up
 *   to SUBNQN; we also refuse a descriptor list longer than the buffer and
 *   a descriptor longer than its list.
 * - Disconnect Connection (removed by FC-NVMe-2): it answers Invalid
 *   NVMe_LS Command Code; we answer Command Not Supported. A Disconnect
 *   Association whose FC-NVMe-1 SCOPE word is not zero: it answers Logical
 *   Error; we answer Command Not Supported (a connection's scope is what
 *   Disconnect Connection did).
 * - FCP CMD IU: it aborts a READ/WRITE bit that disagrees with the SQE and
 *   data without a direction bit, but lets both bits through (as a write),
 *   a direction bit with no data, and any DATA_LEN; we refuse all three.
 */
#ifndef NVMET_WIRE_FC_H
#define NVMET_WIRE_FC_H

#include "types.h"
#include "cmd.h"

/* FC-4 TYPE of NVMe (FC-FS), FC_ID of the CMD IU; FORMAT_ID of the CMD IU. */
#define NVMET_WIRE_FC_TYPE_NVME		0x28
#define NVMET_WIRE_FC_CMD_FORMAT_ID	0xfd

/* LS command codes: word 0, byte 0 of every link service and response. */
#define NVMET_WIRE_FC_LS_RJT		1
#define NVMET_WIRE_FC_LS_ACC		2
#define NVMET_WIRE_FC_LS_CREATE_ASSOC	3
#define NVMET_WIRE_FC_LS_CREATE_CONN	4
#define NVMET_WIRE_FC_LS_DISCONN_ASSOC	5
#define NVMET_WIRE_FC_LS_DISCONN_CONN	6	/* FC-NVMe-1 only */

/* Descriptor tags. */
#define NVMET_WIRE_FC_DESC_RQST		1
#define NVMET_WIRE_FC_DESC_RJT		2
#define NVMET_WIRE_FC_DESC_CREATE_ASSOC	3
#define NVMET_WIRE_FC_DESC_CREATE_CONN	4
#define NVMET_WIRE_FC_DESC_DISCONN	5
#define NVMET_WIRE_FC_DESC_CONN_ID	6
#define NVMET_WIRE_FC_DESC_ASSOC_ID	7

/* LS_RJT reason codes (FC-LS-3, FC-NVMe-2 additions from 40h). */
#define NVMET_WIRE_FC_RJT_RC_INVAL	0x01	/* invalid NVMe_LS command code */
#define NVMET_WIRE_FC_RJT_RC_LOGIC	0x03	/* logical error */
#define NVMET_WIRE_FC_RJT_RC_UNAB	0x09	/* unable to perform */
#define NVMET_WIRE_FC_RJT_RC_UNSUP	0x0b	/* command not supported */
#define NVMET_WIRE_FC_RJT_RC_INV_ASSOC	0x40	/* invalid association ID */
#define NVMET_WIRE_FC_RJT_RC_INV_CONN	0x41	/* invalid connection ID */
#define NVMET_WIRE_FC_RJT_RC_INV_PARAM	0x42	/* invalid parameters */
#define NVMET_WIRE_FC_RJT_RC_INSUF_RES	0x43	/* insufficient resources */
#define NVMET_WIRE_FC_RJT_RC_VENDOR	0xff

/* LS_RJT reason explanations. */
#define NVMET_WIRE_FC_RJT_EXP_NONE		0x00
#define NVMET_WIRE_FC_RJT_EXP_OXID_RXID		0x17
#define NVMET_WIRE_FC_RJT_EXP_UNAB_DATA		0x2a
#define NVMET_WIRE_FC_RJT_EXP_INV_LEN		0x2d	/* invalid payload length */
#define NVMET_WIRE_FC_RJT_EXP_INV_ERSP_RAT	0x40
#define NVMET_WIRE_FC_RJT_EXP_INV_CTLR_ID	0x41
#define NVMET_WIRE_FC_RJT_EXP_INV_QUEUE_ID	0x42
#define NVMET_WIRE_FC_RJT_EXP_INV_SQSIZE	0x43
#define NVMET_WIRE_FC_RJT_EXP_INV_HOSTID	0x44
#define NVMET_WIRE_FC_RJT_EXP_INV_HOSTNQN	0x45
#define NVMET_WIRE_FC_RJT_EXP_INV_SUBNQN	0x46

/* What nvmet_wire_fc_parse_ls() returns to reject with, and its halves. */
#define NVMET_WIRE_FC_RJT(rc, exp)	((u16)((rc) << 8 | (exp)))
#define NVMET_WIRE_FC_RJT_REASON(v)	((u8)((v) >> 8))
#define NVMET_WIRE_FC_RJT_EXPLAN(v)	((u8)((v) & 0xff))

/*
 * Every link service and response: word 0 (the LS command code in byte 0),
 * the descriptor list length (bytes after these 8), then the descriptors,
 * each a tag, a length (bytes after these 8) and its fields.
 */
#define NVMET_WIRE_FC_LS_CMD		0
#define NVMET_WIRE_FC_LS_LIST_LEN	4
#define NVMET_WIRE_FC_LS_HDR_LEN	8	/* the first descriptor */
#define NVMET_WIRE_FC_DESC_TAG		0
#define NVMET_WIRE_FC_DESC_LEN		4
#define NVMET_WIRE_FC_DESC_HDR_LEN	8

/* Whole descriptors (header included) and their fields (from their start). */
#define NVMET_WIRE_FC_RQST_DESC_LEN	16	/* the request answered */
#define NVMET_WIRE_FC_RQST_W0		8	/* its word 0 */
#define NVMET_WIRE_FC_RJT_DESC_LEN	16
#define NVMET_WIRE_FC_RJT_REASON_CODE	9
#define NVMET_WIRE_FC_RJT_EXPLANATION	10
#define NVMET_WIRE_FC_RJT_VENDOR	11
#define NVMET_WIRE_FC_ID_DESC_LEN	16	/* association or connection ID */
#define NVMET_WIRE_FC_ID_VALUE		8	/* be64 */
#define NVMET_WIRE_FC_DISCONN_DESC_LEN	24
#define NVMET_WIRE_FC_DISCONN_SCOPE	8	/* FC-NVMe-1 SCOPE word, reserved since */
/* Create Association and Create Connection command descriptors. */
#define NVMET_WIRE_FC_CMD_ERSP_RATIO	8	/* be16 */
#define NVMET_WIRE_FC_CMD_CNTLID	48	/* be16, Create Association */
#define NVMET_WIRE_FC_CMD_QID		48	/* be16, Create Connection */
#define NVMET_WIRE_FC_CMD_SQSIZE	50	/* be16, 0's based */
#define NVMET_WIRE_FC_CMD_HOSTID	56	/* 16 bytes */
#define NVMET_WIRE_FC_CMD_HOSTNQN	72
#define NVMET_WIRE_FC_CMD_SUBNQN	328
#define NVMET_WIRE_FC_CONN_DESC_LEN	56
/*
 * Create Association's descriptor is 1016 bytes (a 1024-byte request), but
 * FC-NVMe revisions disagreed on its padding: anything that reaches the
 * end of SUBNQN is taken.
 */
#define NVMET_WIRE_FC_ASSOC_DESC_MIN	(NVMET_WIRE_FC_CMD_SUBNQN + NVMET_WIRE_FC_NQN_LEN)
#define NVMET_WIRE_FC_ASSOC_DESC_LEN	1016

#define NVMET_WIRE_FC_NQN_LEN		256

/* Link service lengths: requests (ours and the host's) and responses. */
#define NVMET_WIRE_FC_LS_RQST_MAX	(NVMET_WIRE_FC_LS_HDR_LEN + NVMET_WIRE_FC_ASSOC_DESC_LEN)
#define NVMET_WIRE_FC_CREATE_CONN_LEN	80
#define NVMET_WIRE_FC_DISCONN_RQST_LEN	48
#define NVMET_WIRE_FC_ACC_HDR_LEN	24	/* header + request descriptor */
#define NVMET_WIRE_FC_RJT_LEN		40
#define NVMET_WIRE_FC_CREATE_ASSOC_ACC_LEN 56
#define NVMET_WIRE_FC_CREATE_CONN_ACC_LEN 40
#define NVMET_WIRE_FC_DISCONN_ACC_LEN	NVMET_WIRE_FC_ACC_HDR_LEN
/* The largest LS response (and target request) we build. */
#define NVMET_WIRE_FC_LS_RSP_MAX	NVMET_WIRE_FC_CREATE_ASSOC_ACC_LEN

/* FCP CMD IU: byte offsets, 96 bytes in all (IU_LEN 24 words). */
#define NVMET_WIRE_FC_CMD_IU_LEN	96
#define NVMET_WIRE_FC_IU_FORMAT_ID	0
#define NVMET_WIRE_FC_IU_FC_ID		1
#define NVMET_WIRE_FC_IU_LEN_WORDS	2	/* be16, in 32-bit words */
#define NVMET_WIRE_FC_IU_CATEGORY	6	/* low nibble */
#define NVMET_WIRE_FC_IU_FLAGS		7
#define NVMET_WIRE_FC_IU_CONN_ID	8	/* be64 */
#define NVMET_WIRE_FC_IU_CSN		16	/* be32 */
#define NVMET_WIRE_FC_IU_DATA_LEN	20	/* be32 */
#define NVMET_WIRE_FC_IU_SQE		24	/* 64 bytes */

#define NVMET_WIRE_FC_CMD_WRITE		BIT(0)	/* data host to controller */
#define NVMET_WIRE_FC_CMD_READ		BIT(1)	/* data controller to host */
#define NVMET_WIRE_FC_CMD_DIR		(NVMET_WIRE_FC_CMD_WRITE | NVMET_WIRE_FC_CMD_READ)
#define NVMET_WIRE_FC_CAT_MASK		0x0f
#define NVMET_WIRE_FC_CAT_ADMIN		0x01

/* ERSP IU: byte offsets, 32 bytes with the CQE (IU_LEN 8 words). */
#define NVMET_WIRE_FC_ERSP_LEN		32
#define NVMET_WIRE_FC_ERSP_RESULT	0
#define NVMET_WIRE_FC_ERSP_IU_LEN	2	/* be16, in 32-bit words */
#define NVMET_WIRE_FC_ERSP_RSN		4	/* be32 */
#define NVMET_WIRE_FC_ERSP_XFRD_LEN	8	/* be32 */
#define NVMET_WIRE_FC_ERSP_CQE		16
/* The all-zeros RSP: the host rebuilds a successful, resultless CQE. */
#define NVMET_WIRE_FC_ZEROS_RSP_LEN	12

/* A link service from the host, as nvmet_wire_fc_parse_ls() read it. */
struct nvmet_wire_fc_ls {
	u8 cmd;			/* NVMET_WIRE_FC_LS_* of word 0 */
	/* Create Association and Create Connection */
	u16 ersp_ratio;
	u16 sqsize;		/* 0's based, as Connect's SQSIZE */
	/* Create Association */
	u16 cntlid;
	u8 hostid[16];
	char hostnqn[NVMET_WIRE_FC_NQN_LEN + 1];	/* NUL-terminated copy */
	char subnqn[NVMET_WIRE_FC_NQN_LEN + 1];
	/* Create Connection, Disconnect Association */
	u64 association_id;
	u16 qid;		/* Create Connection */
};

/*
 * Checks a link service request of LEN bytes. The LLD may hand over more
 * than the request: only the descriptor list length says what is used, and
 * a request is refused if LEN is shorter than it says. MAX_QID: the highest
 * I/O queue ID the target accepts; MAX_ADMIN_SQSIZE and MAX_IO_SQSIZE: the
 * largest SQSIZE (0's based) of the admin queue (Create Association) and of
 * an I/O queue (Create Connection). Returns 0, or
 * NVMET_WIRE_FC_RJT(reason, explanation) to reject with (see the table in
 * fc.c); LS->cmd is set whenever LEN > 0, for the reject's request
 * descriptor. Whether the association exists is for the caller to decide
 * (reject: NVMET_WIRE_FC_RJT_RC_INV_ASSOC).
 */
u16 nvmet_wire_fc_parse_ls(const u8 *buf, u32 len, u16 max_qid, u16 max_admin_sqsize,
			   u16 max_io_sqsize, struct nvmet_wire_fc_ls *ls);

/*
 * Builders: each writes a complete response to BUF (at least
 * NVMET_WIRE_FC_LS_RSP_MAX bytes) and returns its length. LS_CMD is the
 * command answered.
 */
u32 nvmet_wire_fc_build_ls_rjt(u8 *buf, u8 ls_cmd, u8 reason, u8 explanation);
u32 nvmet_wire_fc_build_create_assoc_acc(u8 *buf, u64 association_id, u64 connection_id);
u32 nvmet_wire_fc_build_create_conn_acc(u8 *buf, u64 connection_id);
u32 nvmet_wire_fc_build_disconn_assoc_acc(u8 *buf);

/*
 * The target's own Disconnect Association (it ends an association and tells
 * the host), and the check of the host's answer in LEN bytes: 0 for an
 * LS_ACC of Disconnect Association, -EPROTO for anything else (an LS_RJT
 * included; the association goes either way).
 */
u32 nvmet_wire_fc_build_disconn_assoc_rqst(u8 *buf, u64 association_id);
int nvmet_wire_fc_check_disconn_assoc_rsp(const u8 *buf, u32 len);

/* The FCP CMD IU. */
struct nvmet_wire_fc_cmd_iu {
	u64 connection_id;
	u32 csn;		/* command sequence number */
	u32 data_len;
	u8 flags;		/* NVMET_WIRE_FC_CMD_WRITE / _READ bits */
	bool admin;		/* category says admin queue (not checked) */
	const u8 *sqe;		/* the 64-byte SQE inside BUF */
};

/* Why a CMD IU is refused; the caller aborts the exchange. */
#define NVMET_WIRE_FC_IU_BAD_LEN	1	/* LEN is not 96 or IU_LEN not 24 */
#define NVMET_WIRE_FC_IU_BAD_FORMAT	2	/* FORMAT_ID is not FDh */
#define NVMET_WIRE_FC_IU_BAD_FC_ID	3	/* FC_ID is not FC_TYPE_NVME */
#define NVMET_WIRE_FC_IU_BAD_DIR	4	/* both bits, or a bit the SQE contradicts */
#define NVMET_WIRE_FC_IU_BAD_DATA_LEN	5	/* data without a bit, a bit without data */
#define NVMET_WIRE_FC_IU_TOO_LONG	6	/* DATA_LEN above MAX_DATA_LEN */

/*
 * Checks a CMD IU of LEN bytes; MAX_DATA_LEN is the longest transfer the
 * target takes. Returns 0 or NVMET_WIRE_FC_IU_*; IU is filled whenever LEN
 * is 96, so that the connection ID can be logged.
 */
int nvmet_wire_fc_parse_cmd_iu(const u8 *buf, u32 len, u32 max_data_len,
			       struct nvmet_wire_fc_cmd_iu *iu);

/*
 * The ERSP IU (NVMET_WIRE_FC_ERSP_LEN bytes): ERSP_RESULT 0, IU_LEN in
 * words, RSN, XFRD_LEN, then the 16-byte CQE copied verbatim from CQE
 * (little-endian wire bytes already).
 */
void nvmet_wire_fc_build_ersp(u8 *buf, u32 rsn, u32 xfrd_len, const u8 *cqe);

/*
 * Whether a response must be a full ERSP IU rather than the 12-byte
 * all-zeros RSP, from which the host rebuilds a CQE with status 0, DW0 and
 * DW1 0, and takes the whole DATA_LEN as transferred (FC-NVMe-2). An ERSP
 * goes:
 * - every ERSP_RATIO-th response of the queue (RSP_COUNT counts them,
 *   this one included, from 1; a ratio of 0 asks for an ERSP each time),
 * - when the CQE has a status other than success (the phase bit aside),
 * - when its DW0 or DW1 is not zero,
 * - when XFRD_LEN differs from the command's DATA_LEN,
 * - for a fused command (either half),
 * - when the SQ is 90% full or more: SQ_USED of SQ_ENTRIES entries
 *   (1's based, SQSIZE + 1) hold commands the host has no SQHD for,
 * - for every Fabrics command (not asked by FC-NVMe-2, but Connect's CQE
 *   carries the controller ID, and Fabrics commands are rare).
 */
bool nvmet_wire_fc_need_ersp(const u8 *cqe, u32 xfrd_len, u32 data_len, const u8 *sqe,
			     u32 rsp_count, u16 ersp_ratio, u32 sq_used, u32 sq_entries);

/*
 * Association and connection IDs handed out by the target. An association
 * ID is 48 random bits shifted left by 16, never 0: its low 16 bits are
 * zero. The connection ID of queue QID is the association ID with QID in
 * those 16 bits; the admin queue's equals the association ID.
 */
#define NVMET_WIRE_FC_QID_MASK		0xffffULL

static inline u64 nvmet_wire_fc_assoc_id(u64 random)
{
	return random << 16;
}

static inline bool nvmet_wire_fc_assoc_id_valid(u64 association_id)
{
	return association_id && !(association_id & NVMET_WIRE_FC_QID_MASK);
}

static inline u64 nvmet_wire_fc_conn_id(u64 association_id, u16 qid)
{
	return association_id | qid;
}

static inline u64 nvmet_wire_fc_conn_assoc(u64 connection_id)
{
	return connection_id & ~NVMET_WIRE_FC_QID_MASK;
}

static inline u16 nvmet_wire_fc_conn_qid(u64 connection_id)
{
	return (u16)(connection_id & NVMET_WIRE_FC_QID_MASK);
}

#endif /* NVMET_WIRE_FC_H */
