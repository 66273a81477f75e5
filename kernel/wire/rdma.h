/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NVMe over RDMA as the controller (target) sees it on the wire: the RDMA_CM
 * private data of a connection request, its reply and its rejection, and
 * the SGL descriptor of a command capsule (NVMe/RDMA transport binding of
 * NVMe over Fabrics 1.1; NVMe Base 2.x, SGL descriptors).
 */
#ifndef NVMET_WIRE_RDMA_H
#define NVMET_WIRE_RDMA_H

#include "types.h"
#include "cmd.h"

/* Private data lengths: RDMA_CM_REQUEST and _ACCEPT 32 bytes, _REJECT 4. */
#define NVMET_WIRE_RDMA_CM_REQ_LEN	32
#define NVMET_WIRE_RDMA_CM_REP_LEN	32
#define NVMET_WIRE_RDMA_CM_REJ_LEN	4

/* Entries of an admin queue: the Fabrics admin queue depth. */
#define NVMET_WIRE_RDMA_AQ_ENTRIES	32

/* What the controller keeps of an RDMA_CM_REQUEST. */
struct nvmet_wire_rdma_cm_req {
	u16 qid;
	u16 hrqsize;		/* host receive queue entries (1's based) */
	u16 hsqsize;		/* host send queue size, 0's based, as Connect's SQSIZE */
	u16 cntlid;
	u32 entries;		/* commands the queue holds: hsqsize + 1 */
};

/*
 * Checks the private data of a connection request (LEN bytes; the CM may
 * hand over more than the 32 the binding defines). MAX_IO_ENTRIES: the
 * most commands an I/O queue may hold; an admin queue holds at most
 * NVMET_WIRE_RDMA_AQ_ENTRIES. Returns 0 or the NVME_RDMA_CM_* status to
 * reject with.
 */
u16 nvmet_wire_rdma_parse_cm_req(const u8 *priv, u32 len, u32 max_io_entries,
				 struct nvmet_wire_rdma_cm_req *req);
/* RDMA_CM_ACCEPT private data: RECFMT 0, CRQSIZE. */
void nvmet_wire_rdma_build_cm_rep(u8 *buf, u16 crqsize);
/* RDMA_CM_REJECT private data: RECFMT 0, STS. */
void nvmet_wire_rdma_build_cm_rej(u8 *buf, u16 sts);

/*
 * The data descriptor of a command received over RDMA. kind
 * NVMET_WIRE_SGL_TRANSPORT: a keyed SGL data block, moved by RDMA READ or
 * WRITE at ADDR with KEY; INVALIDATE: the host asked for the key to be
 * invalidated with the response (Send with Invalidate).
 */
struct nvmet_wire_rdma_sgl {
	enum nvmet_wire_sgl_kind kind;
	u64 addr;
	u32 offset;		/* NVMET_WIRE_SGL_INCAPSULE: into the in-capsule data */
	u32 length;
	u32 key;
	bool invalidate;
};

/*
 * The capsule brought INCAPSULE_LEN bytes of data after the SQE; MAX_LEN is
 * the longest keyed transfer the controller accepts. Returns 0 or an NVMe
 * status (with DNR).
 */
u16 nvmet_wire_rdma_parse_sgl(const u8 *sqe, u32 incapsule_len, u32 max_len,
			      struct nvmet_wire_rdma_sgl *sgl);

#endif /* NVMET_WIRE_RDMA_H */
