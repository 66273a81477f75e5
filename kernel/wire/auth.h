/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-band authentication (NVMe Base 2.x, 8.3.5 DH-HMAC-CHAP): the fields of
 * Authentication Send and Receive, the messages a host sends (AUTH_Negotiate,
 * DH-HMAC-CHAP_Reply, _Success2, _Failure2) and the ones the controller
 * returns (DH-HMAC-CHAP_Challenge, _Success1, AUTH_Failure1). Pure: see
 * types.h.
 *
 * Message parsers return 0 or the failure reason explanation the controller
 * answers with (NVME_AUTH_DHCHAP_FAILURE_*); they never read past LEN.
 */
#ifndef NVMET_WIRE_AUTH_H
#define NVMET_WIRE_AUTH_H

#include "types.h"

/*
 * The largest message either side sends: a Reply with a 64-byte hash and an
 * ffdhe8192 public value is 16 + 2 * 64 + 1024 bytes; Linux hosts offer a
 * 4 KiB receive buffer. Longer TL/AL values are refused before any buffer
 * is allocated.
 */
#define NVMET_WIRE_AUTH_MAX_LEN		8192

#define NVMET_WIRE_AUTH_HDR_LEN		6	/* auth_type, auth_id, rsvd, t_id */
#define NVMET_WIRE_AUTH_NEGOTIATE_LEN	8	/* + napd descriptors of 64 bytes */
#define NVMET_WIRE_AUTH_DESC_LEN	64
#define NVMET_WIRE_AUTH_CHALLENGE_LEN	16	/* + hl + dhvlen */
#define NVMET_WIRE_AUTH_REPLY_LEN	16	/* + 2 * hl + dhvlen */
#define NVMET_WIRE_AUTH_SUCCESS1_LEN	16	/* + hl when the response is valid */
#define NVMET_WIRE_AUTH_SUCCESS2_LEN	16
#define NVMET_WIRE_AUTH_FAILURE_LEN	8
#define NVMET_WIRE_AUTH_MAX_IDS		30	/* hash and DH group lists */
#define NVMET_WIRE_AUTH_MAX_HL		64	/* SHA-512 */
#define NVMET_WIRE_AUTH_MAX_DHVLEN	1024	/* ffdhe8192 */

/*
 * Authentication Send (SEND) or Receive: SECP, SPSP0, SPSP1 and TL/AL.
 * Returns an NVMe status with *ERR_OFFSET the offending SQE byte, or 0 with
 * *LEN the transfer length.
 */
u16 nvmet_wire_parse_auth_cmd(const u8 *sqe, bool send, u32 *len, u16 *err_offset);

/* The common header of every message. */
struct nvmet_wire_auth_hdr {
	u8 type;		/* NVME_AUTH_COMMON_MESSAGES or NVME_AUTH_DHCHAP_MESSAGES */
	u8 id;			/* NVME_AUTH_DHCHAP_MESSAGE_* */
	u16 tid;		/* transaction identifier */
};

u8 nvmet_wire_parse_auth_hdr(const u8 *d, u32 len, struct nvmet_wire_auth_hdr *h);

/* AUTH_Negotiate: the host's DH-HMAC-CHAP protocol descriptor. */
struct nvmet_wire_auth_negotiate {
	u16 tid;
	u8 sc_c;		/* secure channel concatenation, NVME_AUTH_SECP_* */
	u8 nr_hashes;
	u8 hashes[NVMET_WIRE_AUTH_MAX_IDS];
	u8 nr_dhgroups;
	u8 dhgroups[NVMET_WIRE_AUTH_MAX_IDS];
};

u8 nvmet_wire_parse_auth_negotiate(const u8 *d, u32 len, struct nvmet_wire_auth_negotiate *n);

/* Whether LIST holds ID. */
static inline bool nvmet_wire_auth_offers(const u8 *list, u8 nr, u8 id)
{
	u8 i;

	for (i = 0; i < nr; i++)
		if (list[i] == id)
			return true;
	return false;
}

/* DH-HMAC-CHAP_Reply: pointers into the message. */
struct nvmet_wire_auth_reply {
	u16 tid;
	u8 hl;
	bool cvalid;		/* C2 is a challenge: bidirectional */
	u16 dhvlen;
	u32 seqnum;		/* S2 */
	const u8 *rval;		/* hl bytes: the host's response */
	const u8 *c2;		/* hl bytes */
	const u8 *dhv;		/* dhvlen bytes: the host's DH public value */
};

/*
 * HL must be HASH_LEN (the hash the Challenge named), DHVLEN DHVLEN (0 with
 * the NULL group), and the parts must fit LEN.
 */
u8 nvmet_wire_parse_auth_reply(const u8 *d, u32 len, u8 hash_len, u16 dhvlen,
			       struct nvmet_wire_auth_reply *r);

/* DH-HMAC-CHAP_Failure2 (and Failure1): reason code and explanation. */
u8 nvmet_wire_parse_auth_failure(const u8 *d, u32 len, u8 *rescode, u8 *rescode_exp);

/*
 * Builders of the controller's messages into BUF (AL bytes, zeroed by the
 * caller); each returns the message length, or 0 if AL is too small.
 */
u32 nvmet_wire_put_auth_challenge(u8 *buf, u32 al, u16 tid, u8 hash_id, u8 hl, u32 seqnum,
				  const u8 *c1, u8 dhgroup_id, const u8 *dhv, u16 dhvlen);
u32 nvmet_wire_put_auth_success1(u8 *buf, u32 al, u16 tid, u8 hl, const u8 *rval);
u32 nvmet_wire_put_auth_failure1(u8 *buf, u32 al, u16 tid, u8 rescode_exp);

/*
 * Secure channel concatenation (NVMe/TCP 2.0, 3.6.1.3): text pieces of the
 * TLS PSK derivation.
 *
 * The PSK digest is the Base64 (RFC 4648, with padding) of an HMAC:
 * nvmet_wire_base64() writes LEN bytes of SRC as NUL-terminated text into
 * DST (SIZE bytes) and returns its length, or 0 if SIZE is too small.
 */
#define NVMET_WIRE_BASE64_LEN(len)	(((len) + 2) / 3 * 4)
u32 nvmet_wire_base64(const u8 *src, u32 len, char *dst, u32 size);

/*
 * The input of the one HKDF-Expand-Label step (RFC 8446 7.1) that makes the
 * TLS PSK: HkdfLabel { L = OUT_LEN, "tls13 nvme-tls-psk", context "<hh>
 * <DIGEST>" } followed by the counter byte 01h, into BUF (SIZE bytes).
 * Returns its length, or 0 if SIZE is too small or the context too long.
 */
u32 nvmet_wire_tls_psk_info(u8 *buf, u32 size, u16 out_len, u8 hash_id, const char *digest);

/*
 * A TLS PSK identity as NVMe/TCP defines it (3.6.1.3): "NVMe<v><t><hh>
 * <hostnqn> <subsysnqn>" with version v 0, or 1 followed by " <digest>"; t R
 * (retained) or G (generated); hh two digits. If DESC (LEN bytes, no NUL
 * needed) is one, *HOST and *HOST_LEN give its host NQN and it returns true;
 * anything else (a name an administrator chose) returns false.
 */
bool nvmet_wire_psk_identity_host(const char *desc, u32 len, const char **host, u32 *host_len);

#endif /* NVMET_WIRE_AUTH_H */
