/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NVMe/TCP PDUs as the controller (target) receives and sends them: header
 * validation, ICReq/ICResp, H2CData, C2HTermReq. NVMe/TCP transport spec 1.0.
 */
#ifndef NVMET_WIRE_TCP_PDU_H
#define NVMET_WIRE_TCP_PDU_H

#include "types.h"
#include "cmd.h"

/* Common header: PDU-type, FLAGS, HLEN, PDO, PLEN (le32). */
#define NVMET_WIRE_TCP_CH_LEN		8
#define NVMET_WIRE_TCP_IC_LEN		128	/* ICReq and ICResp: HLEN = PLEN */
#define NVMET_WIRE_TCP_CMD_HLEN		72	/* CH + 64-byte SQE */
#define NVMET_WIRE_TCP_RSP_HLEN		24	/* CH + 16-byte CQE */
#define NVMET_WIRE_TCP_DATA_HLEN	24	/* H2CData, C2HData, R2T */
#define NVMET_WIRE_TCP_TERM_HLEN	24	/* H2CTermReq, C2HTermReq */
/* Longest header a host may send, with header digest. */
#define NVMET_WIRE_TCP_MAX_HDR		(NVMET_WIRE_TCP_IC_LEN + NVME_TCP_DIGEST_LENGTH)
/* Most of a PDU header in error that a C2HTermReq carries back. */
#define NVMET_WIRE_TCP_TERM_MAX_DATA \
	(NVME_TCP_MAX_C2HTERM_PLEN - NVMET_WIRE_TCP_TERM_HLEN)

/* What a queue negotiated and allows; fixed once ICReq/ICResp are done. */
struct nvmet_wire_tcp_limits {
	bool ic_done;		/* ICReq received and answered */
	bool hdgst;		/* header digest negotiated */
	bool ddgst;		/* data digest negotiated */
	u8 cpda;		/* our CPDA: PDO must be a multiple of (cpda + 1) * 4 */
	u32 max_incapsule;	/* in-capsule data bytes this queue accepts */
	u32 maxh2cdata;		/* H2CData payload limit we advertised */
};

/* Why a PDU is fatal to its queue: FES and FEI of the C2HTermReq to send. */
struct nvmet_wire_tcp_err {
	u16 fes;		/* NVME_TCP_FES_* */
	u32 fei;		/* for an invalid field: its byte offset in the header */
};

/* A received PDU header, checked against the queue's limits. */
struct nvmet_wire_tcp_pdu {
	u8 type;
	u8 flags;
	u8 hlen;
	u8 pdo;
	u32 plen;
	u32 hdr_len;		/* bytes to read for the header: hlen + header digest */
	u32 data_off;		/* where the data starts (PDO), 0 without data */
	u32 data_len;		/* data bytes, without padding and data digest */
	bool has_ddgst;		/* a data digest follows the data */
};

int nvmet_wire_tcp_check_hdr(const u8 *ch, const struct nvmet_wire_tcp_limits *lim,
			     struct nvmet_wire_tcp_pdu *pdu,
			     struct nvmet_wire_tcp_err *err);

/* ICReq fields the controller uses. */
struct nvmet_wire_tcp_icreq {
	u8 hpda;
	bool hdgst;
	bool ddgst;
	u32 maxr2t;		/* 0's based */
};

int nvmet_wire_tcp_parse_icreq(const u8 *pdu, struct nvmet_wire_tcp_icreq *ic,
			       struct nvmet_wire_tcp_err *err);
void nvmet_wire_tcp_build_icresp(u8 *pdu, u8 cpda, bool hdgst, bool ddgst, u32 maxh2cdata);

/* H2CData PDU-specific header. */
struct nvmet_wire_tcp_h2c {
	u16 command_id;
	u16 ttag;
	u32 offset;
	u32 length;
	bool last;
};

void nvmet_wire_tcp_parse_h2c(const u8 *pdu, struct nvmet_wire_tcp_h2c *h2c);
int nvmet_wire_tcp_check_h2c(const struct nvmet_wire_tcp_h2c *h2c,
			     const struct nvmet_wire_tcp_pdu *pdu,
			     u32 expected_offset, u32 transfer_len,
			     struct nvmet_wire_tcp_err *err);

/* The data descriptor (SGL) of a command capsule received over NVMe/TCP. */
u16 nvmet_wire_tcp_sgl(const u8 *sqe, u32 incapsule_len, u32 max_len,
		       struct nvmet_wire_sgl *sgl);

size_t nvmet_wire_tcp_build_term(u8 *buf, u16 fes, u32 fei, const u8 *hdr, size_t hdr_len);

#endif /* NVMET_WIRE_TCP_PDU_H */
