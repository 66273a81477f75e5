/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-ins for the kernel types and the NVMe constants wire/
 * uses, under the kernel's names, with values from the NVMe Base 2.x, NVMe
 * over Fabrics and NVMe/TCP transport specifications. Never used in the kernel.
 */
#ifndef NVMET_WIRE_USER_DEFS_H
#define NVMET_WIRE_USER_DEFS_H

#ifdef __KERNEL__
#error "user-defs.h is for user-space builds of wire/ only"
#endif

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#define BIT(n)				(1UL << (n))

/* NVMe/TCP transport specification 1.0 */
#define NVME_TCP_DIGEST_LENGTH		4
#define NVME_TCP_MIN_MAXH2CDATA		4096
#define NVME_TCP_MIN_C2HTERM_PLEN	24
#define NVME_TCP_MAX_C2HTERM_PLEN	152
#define NVME_TCP_PFV_1_0		0x0

#define NVME_TCP_FES_INVALID_PDU_HDR	0x01
#define NVME_TCP_FES_PDU_SEQ_ERR	0x02
#define NVME_TCP_FES_HDR_DIGEST_ERR	0x03
#define NVME_TCP_FES_DATA_OUT_OF_RANGE	0x04
#define NVME_TCP_FES_DATA_LIMIT_EXCEEDED 0x05
#define NVME_TCP_FES_UNSUPPORTED_PARAM	0x06

#define NVME_TCP_HDR_DIGEST_ENABLE	BIT(0)
#define NVME_TCP_DATA_DIGEST_ENABLE	BIT(1)

enum nvme_tcp_pdu_type {
	nvme_tcp_icreq		= 0x0,
	nvme_tcp_icresp		= 0x1,
	nvme_tcp_h2c_term	= 0x2,
	nvme_tcp_c2h_term	= 0x3,
	nvme_tcp_cmd		= 0x4,
	nvme_tcp_rsp		= 0x5,
	nvme_tcp_h2c_data	= 0x6,
	nvme_tcp_c2h_data	= 0x7,
	nvme_tcp_r2t		= 0x9,
};

#define NVME_TCP_F_HDGST		BIT(0)
#define NVME_TCP_F_DDGST		BIT(1)
#define NVME_TCP_F_DATA_LAST		BIT(2)
#define NVME_TCP_F_DATA_SUCCESS		BIT(3)

/* NVMe/RDMA transport binding: RDMA_CM private data */
#define NVME_RDMA_CM_FMT_1_0		0x0
#define NVME_RDMA_CM_INVALID_LEN	0x01
#define NVME_RDMA_CM_INVALID_RECFMT	0x02
#define NVME_RDMA_CM_INVALID_QID	0x03
#define NVME_RDMA_CM_INVALID_HSQSIZE	0x04
#define NVME_RDMA_CM_INVALID_HRQSIZE	0x05
#define NVME_RDMA_CM_NO_RSC		0x06

/* NVMe Base: SGL descriptor types (upper nibble) and subtypes (lower nibble) */
#define NVME_SGL_FMT_DATA_DESC		0x00
#define NVME_TRANSPORT_SGL_DATA_DESC	0x05
#define NVME_KEY_SGL_FMT_DATA_DESC	0x04
#define NVME_SGL_FMT_ADDRESS		0x00
#define NVME_SGL_FMT_OFFSET		0x01
#define NVME_SGL_FMT_TRANSPORT_A	0x0A
#define NVME_SGL_FMT_INVALIDATE		0x0f

/* SQE CDW0 bits 15:8 (FUSE, PSDT) */
#define NVME_CMD_FUSE_FIRST		BIT(0)
#define NVME_CMD_FUSE_SECOND		BIT(1)
#define NVME_CMD_SGL_METABUF		BIT(6)
#define NVME_CMD_SGL_METASEG		BIT(7)
#define NVME_CMD_SGL_ALL		(NVME_CMD_SGL_METABUF | NVME_CMD_SGL_METASEG)

/* Fabrics */
#define nvme_fabrics_command		0x7f
#define nvme_fabrics_type_connect	0x01
#define NVME_CONNECT_DISABLE_SQFLOW	BIT(2)
#define NVME_CNTLID_DYNAMIC		0xffff

/* Status: SCT << 8 | SC, as the kernel keeps it */
#define NVME_SC_SUCCESS			0x0
#define NVME_SC_INVALID_OPCODE		0x1
#define NVME_SC_INVALID_FIELD		0x2
#define NVME_SC_SGL_INVALID_DATA	0xf
#define NVME_SC_SGL_INVALID_TYPE	0x11
#define NVME_SC_SGL_INVALID_OFFSET	0x16
#define NVME_SC_CONNECT_FORMAT		0x180
#define NVME_SC_CONNECT_INVALID_PARAM	0x182
#define NVME_STATUS_DNR			0x4000

#define NVMF_NQN_FIELD_LEN		256

/* In-band authentication, DH-HMAC-CHAP (NVMe Base 2.x, 8.3.5) */
#define NVME_AUTH_DHCHAP_PROTOCOL_IDENTIFIER	0xe9
#define NVME_AUTH_COMMON_MESSAGES		0x00
#define NVME_AUTH_DHCHAP_MESSAGES		0x01
#define NVME_AUTH_DHCHAP_MESSAGE_NEGOTIATE	0x00
#define NVME_AUTH_DHCHAP_MESSAGE_CHALLENGE	0x01
#define NVME_AUTH_DHCHAP_MESSAGE_REPLY		0x02
#define NVME_AUTH_DHCHAP_MESSAGE_SUCCESS1	0x03
#define NVME_AUTH_DHCHAP_MESSAGE_SUCCESS2	0x04
#define NVME_AUTH_DHCHAP_MESSAGE_FAILURE2	0xf0
#define NVME_AUTH_DHCHAP_MESSAGE_FAILURE1	0xf1
#define NVME_AUTH_DHCHAP_AUTH_ID		0x01
#define NVME_AUTH_DHCHAP_RESPONSE_VALID		BIT(0)
#define NVME_AUTH_DHCHAP_FAILURE_REASON_FAILED	0x01
#define NVME_AUTH_DHCHAP_FAILURE_FAILED		0x01
#define NVME_AUTH_DHCHAP_FAILURE_NOT_USABLE	0x02
#define NVME_AUTH_DHCHAP_FAILURE_CONCAT_MISMATCH	0x03
#define NVME_AUTH_DHCHAP_FAILURE_HASH_UNUSABLE	0x04
#define NVME_AUTH_DHCHAP_FAILURE_DHGROUP_UNUSABLE	0x05
#define NVME_AUTH_DHCHAP_FAILURE_INCORRECT_PAYLOAD	0x06
#define NVME_AUTH_DHCHAP_FAILURE_INCORRECT_MESSAGE	0x07

#endif /* NVMET_WIRE_USER_DEFS_H */
