// SPDX-License-Identifier: GPL-2.0
/*
 * DH-HMAC-CHAP messages (NVMe Base 2.x, 8.3.5): checks of the host's, and
 * builders of the controller's. Pure functions over byte buffers: see
 * types.h and auth.h.
 */
#include "auth.h"

/* SQE bytes of Authentication Send/Receive (Fabrics command types 05h/06h). */
#define AUTH_SQE_SPSP0		41
#define AUTH_SQE_SPSP1		42
#define AUTH_SQE_SECP		43
#define AUTH_SQE_TL_AL		44

/* Message fields, by byte offset. */
#define MSG_TYPE		0
#define MSG_ID			1
#define MSG_TID			4
#define NEG_SC_C		6
#define NEG_NAPD		7
#define NEG_DESC		8
#define DESC_AUTHID		0
#define DESC_HALEN		2
#define DESC_DHLEN		3
#define DESC_IDLIST		4
#define DESC_DH_IDS		(DESC_IDLIST + NVMET_WIRE_AUTH_MAX_IDS)
#define CHAL_HL			6
#define CHAL_HASHID		8
#define CHAL_DHGID		9
#define CHAL_DHVLEN		10
#define CHAL_SEQNUM		12
#define CHAL_CVAL		16
#define REPLY_HL		6
#define REPLY_CVALID		8
#define REPLY_DHVLEN		10
#define REPLY_SEQNUM		12
#define REPLY_RVAL		16
#define SUCC1_HL		6
#define SUCC1_RVALID		8
#define SUCC1_RVAL		16
#define FAIL_RESCODE		6
#define FAIL_RESCODE_EXP	7

u16 nvmet_wire_parse_auth_cmd(const u8 *sqe, bool send, u32 *len, u16 *err_offset)
{
	u32 n = wire_le32(sqe + AUTH_SQE_TL_AL);

	if (sqe[AUTH_SQE_SECP] != NVME_AUTH_DHCHAP_PROTOCOL_IDENTIFIER)
		*err_offset = AUTH_SQE_SECP;
	else if (sqe[AUTH_SQE_SPSP0] != 0x01)
		*err_offset = AUTH_SQE_SPSP0;
	else if (sqe[AUTH_SQE_SPSP1] != 0x01)
		*err_offset = AUTH_SQE_SPSP1;
	else if (!n || n > NVMET_WIRE_AUTH_MAX_LEN)
		*err_offset = AUTH_SQE_TL_AL;
	else
		goto ok;
	return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
ok:
	/* A Receive buffer must hold at least a Failure1 message. */
	if (!send && n < NVMET_WIRE_AUTH_FAILURE_LEN) {
		*err_offset = AUTH_SQE_TL_AL;
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	}
	*len = n;
	return 0;
}

u8 nvmet_wire_parse_auth_hdr(const u8 *d, u32 len, struct nvmet_wire_auth_hdr *h)
{
	if (len < NVMET_WIRE_AUTH_HDR_LEN)
		return NVME_AUTH_DHCHAP_FAILURE_INCORRECT_PAYLOAD;
	h->type = d[MSG_TYPE];
	h->id = d[MSG_ID];
	h->tid = wire_le16(d + MSG_TID);
	return 0;
}

u8 nvmet_wire_parse_auth_negotiate(const u8 *d, u32 len, struct nvmet_wire_auth_negotiate *n)
{
	const u8 *desc = d + NEG_DESC;

	if (len < NVMET_WIRE_AUTH_NEGOTIATE_LEN + NVMET_WIRE_AUTH_DESC_LEN)
		return NVME_AUTH_DHCHAP_FAILURE_INCORRECT_PAYLOAD;
	n->tid = wire_le16(d + MSG_TID);
	n->sc_c = d[NEG_SC_C];
	/* DH-HMAC-CHAP is the only protocol there is: one descriptor. */
	if (d[NEG_NAPD] != 1)
		return NVME_AUTH_DHCHAP_FAILURE_HASH_UNUSABLE;
	if (desc[DESC_AUTHID] != NVME_AUTH_DHCHAP_AUTH_ID)
		return NVME_AUTH_DHCHAP_FAILURE_INCORRECT_PAYLOAD;
	n->nr_hashes = desc[DESC_HALEN];
	n->nr_dhgroups = desc[DESC_DHLEN];
	if (n->nr_hashes > NVMET_WIRE_AUTH_MAX_IDS || n->nr_dhgroups > NVMET_WIRE_AUTH_MAX_IDS)
		return NVME_AUTH_DHCHAP_FAILURE_INCORRECT_PAYLOAD;
	memcpy(n->hashes, desc + DESC_IDLIST, n->nr_hashes);
	memcpy(n->dhgroups, desc + DESC_DH_IDS, n->nr_dhgroups);
	return 0;
}

u8 nvmet_wire_parse_auth_reply(const u8 *d, u32 len, u8 hash_len, u16 dhvlen,
			       struct nvmet_wire_auth_reply *r)
{
	if (len < NVMET_WIRE_AUTH_REPLY_LEN)
		return NVME_AUTH_DHCHAP_FAILURE_INCORRECT_PAYLOAD;
	r->tid = wire_le16(d + MSG_TID);
	r->hl = d[REPLY_HL];
	r->cvalid = d[REPLY_CVALID] & 1;
	r->dhvlen = wire_le16(d + REPLY_DHVLEN);
	r->seqnum = wire_le32(d + REPLY_SEQNUM);
	if (r->hl != hash_len || r->dhvlen != dhvlen ||
	    (u64)NVMET_WIRE_AUTH_REPLY_LEN + 2 * r->hl + r->dhvlen > len)
		return NVME_AUTH_DHCHAP_FAILURE_INCORRECT_PAYLOAD;
	r->rval = d + REPLY_RVAL;
	r->c2 = r->rval + r->hl;
	r->dhv = r->c2 + r->hl;
	return 0;
}

u8 nvmet_wire_parse_auth_failure(const u8 *d, u32 len, u8 *rescode, u8 *rescode_exp)
{
	if (len < NVMET_WIRE_AUTH_FAILURE_LEN)
		return NVME_AUTH_DHCHAP_FAILURE_INCORRECT_PAYLOAD;
	*rescode = d[FAIL_RESCODE];
	*rescode_exp = d[FAIL_RESCODE_EXP];
	return 0;
}

static void put_hdr(u8 *buf, u8 type, u8 id, u16 tid)
{
	buf[MSG_TYPE] = type;
	buf[MSG_ID] = id;
	wire_put_le16(buf + MSG_TID, tid);
}

u32 nvmet_wire_put_auth_challenge(u8 *buf, u32 al, u16 tid, u8 hash_id, u8 hl, u32 seqnum,
				  const u8 *c1, u8 dhgroup_id, const u8 *dhv, u16 dhvlen)
{
	u32 len = NVMET_WIRE_AUTH_CHALLENGE_LEN + hl + dhvlen;

	if (al < len)
		return 0;
	put_hdr(buf, NVME_AUTH_DHCHAP_MESSAGES, NVME_AUTH_DHCHAP_MESSAGE_CHALLENGE, tid);
	buf[CHAL_HL] = hl;
	buf[CHAL_HASHID] = hash_id;
	buf[CHAL_DHGID] = dhgroup_id;
	wire_put_le16(buf + CHAL_DHVLEN, dhvlen);
	wire_put_le32(buf + CHAL_SEQNUM, seqnum);
	memcpy(buf + CHAL_CVAL, c1, hl);
	if (dhvlen)
		memcpy(buf + CHAL_CVAL + hl, dhv, dhvlen);
	return len;
}

u32 nvmet_wire_put_auth_success1(u8 *buf, u32 al, u16 tid, u8 hl, const u8 *rval)
{
	u32 len = NVMET_WIRE_AUTH_SUCCESS1_LEN + (rval ? hl : 0);

	if (al < len)
		return 0;
	put_hdr(buf, NVME_AUTH_DHCHAP_MESSAGES, NVME_AUTH_DHCHAP_MESSAGE_SUCCESS1, tid);
	buf[SUCC1_HL] = hl;
	if (rval) {
		buf[SUCC1_RVALID] = NVME_AUTH_DHCHAP_RESPONSE_VALID;
		memcpy(buf + SUCC1_RVAL, rval, hl);
	}
	return len;
}

u32 nvmet_wire_put_auth_failure1(u8 *buf, u32 al, u16 tid, u8 rescode_exp)
{
	if (al < NVMET_WIRE_AUTH_FAILURE_LEN)
		return 0;
	put_hdr(buf, NVME_AUTH_COMMON_MESSAGES, NVME_AUTH_DHCHAP_MESSAGE_FAILURE1, tid);
	buf[FAIL_RESCODE] = NVME_AUTH_DHCHAP_FAILURE_REASON_FAILED;
	buf[FAIL_RESCODE_EXP] = rescode_exp;
	return NVMET_WIRE_AUTH_FAILURE_LEN;
}

u32 nvmet_wire_base64(const u8 *src, u32 len, char *dst, u32 size)
{
	static const char abc[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	u32 out = NVMET_WIRE_BASE64_LEN(len), i, o = 0, v;

	if (size <= out)
		return 0;
	for (i = 0; i < len; i += 3) {
		v = (u32)src[i] << 16;
		if (i + 1 < len)
			v |= (u32)src[i + 1] << 8;
		if (i + 2 < len)
			v |= src[i + 2];
		dst[o++] = abc[(v >> 18) & 0x3f];
		dst[o++] = abc[(v >> 12) & 0x3f];
		dst[o++] = i + 1 < len ? abc[(v >> 6) & 0x3f] : '=';
		dst[o++] = i + 2 < len ? abc[v & 0x3f] : '=';
	}
	dst[o] = '\0';
	return o;
}

u32 nvmet_wire_tls_psk_info(u8 *buf, u32 size, u16 out_len, u8 hash_id, const char *digest)
{
	static const char label[] = "tls13 nvme-tls-psk";
	u32 llen = sizeof(label) - 1, dlen = 0, ctx, n = 0;

	while (digest[dlen])
		dlen++;
	ctx = 3 + dlen;		/* "hh " and the digest */
	if (hash_id > 99 || ctx > 255 || size < 2 + 1 + llen + 1 + ctx + 1)
		return 0;
	buf[n++] = out_len >> 8;
	buf[n++] = out_len & 0xff;
	buf[n++] = llen;
	memcpy(buf + n, label, llen);
	n += llen;
	buf[n++] = ctx;
	buf[n++] = '0' + hash_id / 10;
	buf[n++] = '0' + hash_id % 10;
	buf[n++] = ' ';
	memcpy(buf + n, digest, dlen);
	n += dlen;
	buf[n++] = 1;
	return n;
}

bool nvmet_wire_psk_identity_host(const char *desc, u32 len, const char **host, u32 *host_len)
{
	u32 start[4], end[4], n = 0, i = 0;

	if (len < 8 || desc[0] != 'N' || desc[1] != 'V' || desc[2] != 'M' || desc[3] != 'e' ||
	    (desc[4] != '0' && desc[4] != '1') || (desc[5] != 'R' && desc[5] != 'G') ||
	    desc[6] < '0' || desc[6] > '9' || desc[7] < '0' || desc[7] > '9')
		return false;
	/* Space-separated words after the 8-character prefix, none empty. */
	i = 8;
	while (i < len) {
		if (desc[i] != ' ' || n == 4)
			return false;
		start[n] = ++i;
		while (i < len && desc[i] != ' ')
			i++;
		end[n] = i;
		if (end[n] == start[n])
			return false;
		n++;
	}
	/* Version 0: host and subsystem; version 1: and the digest. */
	if (n != (desc[4] == '0' ? 2u : 3u))
		return false;
	*host = desc + start[0];
	*host_len = end[0] - start[0];
	return true;
}
