/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Submission queue entry fields every command shares (flags, data pointer)
 * and the Fabrics Connect command with its data. NVMe Base 2.x, NVMe over
 * Fabrics 1.1, NVMe/TCP 1.0.
 */
#ifndef NVMET_WIRE_CMD_H
#define NVMET_WIRE_CMD_H

#include "types.h"

#define NVMET_WIRE_SQE_LEN		64
#define NVMET_WIRE_CONNECT_DATA_LEN	1024

/* Byte offsets in the SQE. */
#define NVMET_WIRE_SQE_OPCODE		0
#define NVMET_WIRE_SQE_FLAGS		1
#define NVMET_WIRE_SQE_FCTYPE		4
#define NVMET_WIRE_SQE_DPTR		24

/* Where the data of a command is, from its SGL descriptor. */
enum nvmet_wire_sgl_kind {
	NVMET_WIRE_SGL_NONE,		/* no data */
	NVMET_WIRE_SGL_INCAPSULE,	/* in the command capsule, at OFFSET */
	NVMET_WIRE_SGL_TRANSPORT,	/* moved by the transport (R2T/H2CData, C2HData) */
};

struct nvmet_wire_sgl {
	enum nvmet_wire_sgl_kind kind;
	u32 offset;
	u32 length;
};

/* Byte offsets in the 16-byte CQE. */
#define NVMET_WIRE_CQE_LEN		16
#define NVMET_WIRE_CQE_DW0		0
#define NVMET_WIRE_CQE_DW1		4
#define NVMET_WIRE_CQE_STATUS		14	/* le16: status << 1 | phase tag */

u16 nvmet_wire_sqe_check_flags(const u8 *sqe);

/*
 * An NQN field (Connect data, FC-NVMe Create Association): non-empty and
 * NUL-terminated within its 256 bytes. Copies it with its NUL to DST.
 */
static inline bool nvmet_wire_copy_nqn(char *dst, const u8 *src)
{
	size_t n = strnlen((const char *)src, NVMF_NQN_FIELD_LEN);

	if (!n || n == NVMF_NQN_FIELD_LEN)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

/* Data flows host to controller: opcode bit 0 (or FCTYPE bit 0 for Fabrics). */
static inline bool nvmet_wire_sqe_is_write(const u8 *sqe)
{
	u8 op = sqe[NVMET_WIRE_SQE_OPCODE];

	if (op == nvme_fabrics_command)
		return sqe[NVMET_WIRE_SQE_FCTYPE] & 1;
	return op & 1;
}

/* Where a Connect parameter is wrong: the IATTR/IPO of the Connect response. */
struct nvmet_wire_loc {
	bool in_data;		/* IATTR: 0 = in the SQE, 1 = in the Connect data */
	u16 offset;		/* IPO: byte offset */
};

struct nvmet_wire_connect {
	u16 recfmt;
	u16 qid;
	u16 sqsize;		/* 0's based */
	u8 cattr;
	u32 kato;		/* milliseconds */
	u8 hostid[16];
	u16 cntlid;
	char subnqn[NVMF_NQN_FIELD_LEN];	/* NUL-terminated */
	char hostnqn[NVMF_NQN_FIELD_LEN];	/* NUL-terminated */
};

u16 nvmet_wire_parse_connect(const u8 *sqe, const u8 *data, u32 data_len, u16 max_sqsize,
			     struct nvmet_wire_connect *c, struct nvmet_wire_loc *loc);

/*
 * Disconnect (Fabrics command type 08h, NVMe Base 2.x): deletes the I/O
 * queue it is submitted on. Neither value is in the kernel's nvme.h yet.
 */
#define NVMET_WIRE_FCTYPE_DISCONNECT		0x08
#define NVMET_WIRE_SC_DISCONNECT_INVALID_QTYPE	0x185	/* sent on the admin queue */

u16 nvmet_wire_parse_disconnect(const u8 *sqe, bool admin_queue, u16 *err_offset);

#endif /* NVMET_WIRE_CMD_H */
