// SPDX-License-Identifier: GPL-2.0
/*
 * In-band authentication: DH-HMAC-CHAP (NVMe Base 2.x, 8.3.5).
 *
 * A host whose hosts/<nqn> entry has a dhchap_key must authenticate every
 * queue it connects to a subsystem that lists it in allowed_hosts: Connect
 * answers with AUTHREQ (ATR) and, until the queue has authenticated, the
 * queue takes only Fabrics commands (Authentication Send/Receive, Property
 * Get/Set); everything else gets Authentication Required. The I/O queues
 * authenticate as the admin queue does (docs/security.md says why).
 *
 * One transaction per queue, driven by the host:
 *   Send AUTH_Negotiate          hash and DH group chosen (the host's keys
 *                                are read again on the admin queue)
 *   Receive DH-HMAC-CHAP_Challenge  C1, S1 and our DH public value
 *   Send DH-HMAC-CHAP_Reply      the host's response checked; its C2 when
 *                                it wants to authenticate us too
 *   Receive DH-HMAC-CHAP_Success1   our response to C2, if asked
 *   Send DH-HMAC-CHAP_Success2   (bidirectional only) done
 * Any failure ends the transaction with AUTH_Failure1 on the next Receive
 * and makes the queue unauthenticated; a host disconnects then, and if it
 * has not NVMET_AUTH_FAILURE_GRACE_SECS later the controller fails, as does
 * an admin queue that never authenticates (nvmet_ctrl_auth_deadline()).
 * (Failing it at once could close the connection before the host has the
 * answer to its command, which it would then wait for until it times out.)
 *
 * The work runs on nvmet_auth_wq, at most half the CPUs at a time, so that
 * DH computations never hold back another queue's I/O or keep alive; a
 * queue may start NVMET_AUTH_BURST transactions at once and one more every
 * NVMET_AUTH_REFILL_SECS. Message parsing is in wire/auth.c; keys, HMAC and
 * DH come from the kernel (the nvme-auth library and the crypto API).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/key.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <crypto/hash.h>
#include <crypto/kpp.h>
#include <crypto/utils.h>

#include "compat/nvme-auth.h"
#include "nvmet.h"
#include "wire/auth.h"

#define NVMET_AUTH_BURST		4
#define NVMET_AUTH_REFILL_SECS		2
#define NVMET_AUTH_FAILURE_GRACE_SECS	5
#define NVMET_AUTH_SECRET_PREFIX	"DHHC-1:"
#define NVMET_AUTH_SECRET_HDR_LEN	10	/* "DHHC-1:hh:" */
/*
 * Not a failure reason: the Receive's AL cannot hold the message due, which
 * stays due (the command gets Invalid Field).
 */
#define NVMET_AUTH_SHORT_AL		0xff
/* A generated TLS PSK stays in the keyring this long (TP8018's suggestion). */
#define NVMET_AUTH_GEN_PSK_SECS		3600
/* HkdfLabel of the TLS PSK: L, label, context "hh <digest>", counter. */
#define NVMET_AUTH_PSK_INFO_MAX		(2 + 1 + 18 + 1 + 3 + \
					 NVMET_WIRE_BASE64_LEN(NVMET_AUTH_MAX_HL) + 1)

static struct workqueue_struct *nvmet_auth_wq;

/* --- host configuration (configfs) -------------------------------------- */

/* The transformation hash of a checked secret: its "hh". */
static u8 nvmet_auth_secret_hash(const char *secret)
{
	return (secret[7] - '0') * 10 + (secret[8] - '0');
}

/*
 * A secret written to dhchap_key or dhchap_ctrl_key: empty (a NUL byte or
 * a bare newline) clears it; otherwise "DHHC-1:hh:<base64>:" with hh 00 to
 * 03 and only trailing white space, whose key must decode (length, CRC-32)
 * and whose transformation hash the kernel has.
 */
int nvmet_auth_set_secret(struct nvmet_host *host, const char *page, bool ctrl)
{
	const char *attr = ctrl ? "dhchap_ctrl_key" : "dhchap_key";
	struct nvme_dhchap_key *key;
	char *buf, *secret, *old;
	u8 hh;

	buf = kstrdup(page, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	secret = strim(buf);
	if (!*secret && (!*buf || *buf == '\n')) {
		kfree(buf);
		secret = NULL;
		goto store;
	}
	if (secret != buf ||
	    strncmp(secret, NVMET_AUTH_SECRET_PREFIX, strlen(NVMET_AUTH_SECRET_PREFIX)) ||
	    strlen(secret) <= NVMET_AUTH_SECRET_HDR_LEN || !isdigit(secret[7]) ||
	    !isdigit(secret[8]) || secret[9] != ':' || nvmet_auth_secret_hash(secret) > 3) {
		pr_err("hosts/%s: %s: not a DH-HMAC-CHAP secret (DHHC-1:00..03:<base64>:); use nvme gen-dhchap-key\n",
		       nvmet_host_name(host), attr);
		goto invalid;
	}
	hh = nvmet_auth_secret_hash(secret);
	if (hh && !crypto_has_shash(nvme_auth_hmac_name(hh), 0, 0)) {
		pr_err("hosts/%s: %s: the kernel lacks %s to transform the key\n",
		       nvmet_host_name(host), attr, nvme_auth_hmac_name(hh));
		goto invalid;
	}
	key = nvmet_auth_extract_key(secret + NVMET_AUTH_SECRET_HDR_LEN, hh);
	if (IS_ERR(key)) {
		pr_err("hosts/%s: %s: the secret does not decode (%pe): wrong length or CRC\n",
		       nvmet_host_name(host), attr, key);
		goto invalid;
	}
	nvme_auth_free_key(key);
	secret = kstrdup(secret, GFP_KERNEL);
	kfree_sensitive(buf);
	if (!secret)
		return -ENOMEM;
store:
	/* A controller keeps its keys until the host re-authenticates. */
	down_write(&nvmet_config_sem);
	if (ctrl) {
		old = host->dhchap_ctrl_secret;
		host->dhchap_ctrl_secret = secret;
	} else {
		old = host->dhchap_secret;
		host->dhchap_secret = secret;
	}
	up_write(&nvmet_config_sem);
	kfree_sensitive(old);
	return 0;
invalid:
	kfree_sensitive(buf);
	return -EINVAL;
}

ssize_t nvmet_auth_show_secret(struct nvmet_host *host, char *page, bool ctrl)
{
	const char *secret;
	ssize_t ret;

	down_read(&nvmet_config_sem);
	secret = ctrl ? host->dhchap_ctrl_secret : host->dhchap_secret;
	ret = sysfs_emit(page, "%s\n", secret ? secret : "");
	up_read(&nvmet_config_sem);
	return ret;
}

/*
 * dhchap_hash (GROUP false) or dhchap_dhgroup: a whole name the nvme-auth
 * library knows, whose algorithm the kernel has.
 */
int nvmet_auth_set_param(struct nvmet_host *host, const char *page, bool group)
{
	u8 first = group ? NVME_AUTH_DHGROUP_NULL : NVME_AUTH_HASH_SHA256;
	u8 last = group ? NVME_AUTH_DHGROUP_8192 : NVME_AUTH_HASH_SHA512;
	const char *attr = group ? "dhchap_dhgroup" : "dhchap_hash";
	bool has;
	u8 id;

	for (id = first; id <= last; id++)
		if (sysfs_streq(page, group ? nvme_auth_dhgroup_name(id) : nvme_auth_hmac_name(id)))
			break;
	if (id > last) {
		pr_err("hosts/%s: %s: not one of %s\n", nvmet_host_name(host), attr,
		       group ? "null, ffdhe2048, ffdhe3072, ffdhe4096, ffdhe6144, ffdhe8192" :
		       "hmac(sha256), hmac(sha384), hmac(sha512)");
		return -EINVAL;
	}
	if (group)
		has = id == NVME_AUTH_DHGROUP_NULL ||
		      crypto_has_kpp(nvme_auth_dhgroup_kpp(id), 0, 0);
	else
		has = crypto_has_shash(nvme_auth_hmac_name(id), 0, 0);
	if (!has) {
		pr_err("hosts/%s: %s: the kernel lacks the algorithm of %s\n",
		       nvmet_host_name(host), attr,
		       group ? nvme_auth_dhgroup_name(id) : nvme_auth_hmac_name(id));
		return -EINVAL;
	}
	down_write(&nvmet_config_sem);
	if (group)
		host->dhchap_dhgroup_id = id;
	else
		host->dhchap_hash_id = id;
	up_write(&nvmet_config_sem);
	return 0;
}

ssize_t nvmet_auth_show_param(struct nvmet_host *host, char *page, bool group)
{
	const char *name = group ? nvme_auth_dhgroup_name(READ_ONCE(host->dhchap_dhgroup_id)) :
			   nvme_auth_hmac_name(READ_ONCE(host->dhchap_hash_id));

	return sysfs_emit(page, "%s\n", name ? name : "none");
}

void nvmet_auth_host_init(struct nvmet_host *host)
{
	host->dhchap_hash_id = NVME_AUTH_HASH_SHA256;
	host->dhchap_dhgroup_id = NVME_AUTH_DHGROUP_NULL;
}

void nvmet_auth_host_free(struct nvmet_host *host)
{
	kfree_sensitive(host->dhchap_secret);
	kfree_sensitive(host->dhchap_ctrl_secret);
}

/* --- controller keys ---------------------------------------------------- */

/* The key of a checked secret. */
static struct nvme_dhchap_key *nvmet_auth_secret_key(const char *secret)
{
	return nvmet_auth_extract_key(secret + NVMET_AUTH_SECRET_HDR_LEN,
				      nvmet_auth_secret_hash(secret));
}

/*
 * The keys CTRL's host must authenticate with, read from its configuration:
 * NULL if it need not (no key, any host allowed, discovery), an ERR_PTR if
 * the host is no longer allowed or memory ran out.
 */
static struct nvmet_auth_keys *nvmet_auth_read_keys(struct nvmet_ctrl *ctrl)
{
	struct nvmet_subsys *subsys = ctrl->subsys;
	struct nvmet_auth_keys *keys = NULL;
	struct nvmet_host *host = NULL;
	struct nvmet_host_link *p;

	down_read(&nvmet_config_sem);
	if (nvmet_is_disc_subsys(subsys) || subsys->allow_any_host)
		goto out;
	list_for_each_entry(p, &subsys->hosts, entry) {
		if (!strcmp(nvmet_host_name(p->host), ctrl->hostnqn)) {
			host = p->host;
			break;
		}
	}
	if (!host) {
		keys = ERR_PTR(-EPERM);
		goto out;
	}
	if (!host->dhchap_secret)
		goto out;
	keys = kzalloc_obj(*keys);
	if (!keys) {
		keys = ERR_PTR(-ENOMEM);
		goto out;
	}
	kref_init(&keys->ref);
	keys->hash_id = host->dhchap_hash_id;
	keys->dhgroup_id = host->dhchap_dhgroup_id;
	keys->host_key = nvmet_auth_secret_key(host->dhchap_secret);
	if (!IS_ERR(keys->host_key) && host->dhchap_ctrl_secret)
		keys->ctrl_key = nvmet_auth_secret_key(host->dhchap_ctrl_secret);
	if (IS_ERR(keys->host_key) || IS_ERR(keys->ctrl_key)) {
		if (IS_ERR(keys->host_key))
			keys->host_key = NULL;
		if (IS_ERR(keys->ctrl_key))
			keys->ctrl_key = NULL;
		nvmet_auth_keys_put(keys);
		keys = ERR_PTR(-ENOMEM);
	}
out:
	up_read(&nvmet_config_sem);
	return keys;
}

/* Replaces CTRL's keys with what its host's configuration says now. */
static int nvmet_auth_refresh_keys(struct nvmet_ctrl *ctrl)
{
	struct nvmet_auth_keys *keys = nvmet_auth_read_keys(ctrl), *old;

	if (IS_ERR(keys))
		return PTR_ERR(keys);
	mutex_lock(&ctrl->lock);
	old = ctrl->auth_keys;
	ctrl->auth_keys = keys;
	mutex_unlock(&ctrl->lock);
	nvmet_auth_keys_put(old);
	return 0;
}

/*
 * Admin queue Connect on SQ: CTRL is new. Returns an NVMe status. A queue
 * that runs over TLS authenticated the host with its PSK already: it is not
 * asked for DH-HMAC-CHAP (as in-tree), so no deadline either.
 */
u16 nvmet_auth_ctrl_connect(struct nvmet_ctrl *ctrl, struct nvmet_sq *sq)
{
	if (nvmet_auth_refresh_keys(ctrl))
		return NVME_SC_INTERNAL;
	/* A silent host loses its controller to keep alive sooner. */
	if (ctrl->auth_keys && !nvmet_sq_tls(sq))
		nvmet_ctrl_auth_deadline(ctrl, NVMET_AUTH_DEADLINE_SECS);
	return 0;
}

/* Any Connect, once SQ is bound: the AUTHREQ bits of its result. */
u32 nvmet_auth_queue_connected(struct nvmet_sq *sq)
{
	struct nvmet_ctrl *ctrl = sq->ctrl;
	bool required;

	mutex_lock(&ctrl->lock);
	required = ctrl->auth_keys && !nvmet_sq_tls(sq);
	mutex_unlock(&ctrl->lock);
	WRITE_ONCE(sq->auth_state, required ? NVMET_AUTH_PENDING : NVMET_AUTH_NONE);
	return required ? NVME_CONNECT_AUTHREQ_ATR : 0;
}

/* --- crypto ------------------------------------------------------------- */

/* H() of a hash id: what the session key is hashed with. */
static const char *nvmet_auth_digest(u8 hash_id)
{
	switch (hash_id) {
	case NVME_AUTH_HASH_SHA256:
		return "sha256";
	case NVME_AUTH_HASH_SHA384:
		return "sha384";
	case NVME_AUTH_HASH_SHA512:
		return "sha512";
	}
	return NULL;
}

static int nvmet_auth_hmac(u8 hash_id, const u8 *key, unsigned int key_len, const u8 *data,
			   unsigned int len, u8 *out)
{
	struct crypto_shash *tfm = crypto_alloc_shash(nvme_auth_hmac_name(hash_id), 0, 0);
	int ret;

	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	ret = crypto_shash_setkey(tfm, key, key_len);
	if (!ret)
		ret = crypto_shash_tfm_digest(tfm, data, len, out);
	crypto_free_shash(tfm);
	return ret;
}

/* The session key: H(g^xy mod p) from the host's public value PUB. */
static int nvmet_auth_session_key(struct nvmet_auth_txn *t, const u8 *pub)
{
	struct crypto_shash *hash;
	struct kpp_request *kreq;
	struct scatterlist src, dst;
	struct crypto_wait wait;
	u8 *in, *secret;
	int ret = -ENOMEM;

	/* Both sides of the computation in memory of our own, for the scatterlists. */
	in = kmemdup(pub, t->dhvlen, GFP_KERNEL);
	secret = kzalloc(t->dhvlen, GFP_KERNEL);
	kreq = kpp_request_alloc(t->dh, GFP_KERNEL);
	if (!in || !secret || !kreq)
		goto out;
	crypto_init_wait(&wait);
	sg_init_one(&src, in, t->dhvlen);
	kpp_request_set_input(kreq, &src, t->dhvlen);
	sg_init_one(&dst, secret, t->dhvlen);
	kpp_request_set_output(kreq, &dst, t->dhvlen);
	kpp_request_set_callback(kreq, CRYPTO_TFM_REQ_MAY_BACKLOG, crypto_req_done, &wait);
	ret = crypto_wait_req(crypto_kpp_compute_shared_secret(kreq), &wait);
	if (ret)
		goto out;
	hash = crypto_alloc_shash(nvmet_auth_digest(t->hash_id), 0, 0);
	if (IS_ERR(hash)) {
		ret = PTR_ERR(hash);
		goto out;
	}
	ret = crypto_shash_tfm_digest(hash, secret, t->dhvlen, t->skey);
	crypto_free_shash(hash);
out:
	kpp_request_free(kreq);
	kfree_sensitive(secret);
	kfree(in);
	return ret;
}

/*
 * A response: HMAC(K', C || S || T_ID || SC_C || LABEL || NQN1 || 00h || NQN2)
 * where K' is KEY transformed for KEY_NQN and C is CHAL, augmented with the
 * session key when there is a DH group: HMAC(H(g^xy mod p), CHAL).
 */
static int nvmet_auth_response(struct nvmet_auth_txn *t, struct nvme_dhchap_key *key,
			       char *key_nqn, const u8 *chal, u32 seq, const char *label,
			       const char *nqn1, const char *nqn2, u8 *out)
{
	struct nvme_dhchap_key *tkey;
	struct crypto_shash *tfm;
	u8 aug[NVMET_AUTH_MAX_HL];
	u8 b[4], zero = 0;
	int ret;

	tkey = nvme_auth_transform_key(key, key_nqn);
	if (IS_ERR(tkey))
		return PTR_ERR(tkey);
	tfm = crypto_alloc_shash(nvme_auth_hmac_name(t->hash_id), 0, 0);
	if (IS_ERR(tfm)) {
		ret = PTR_ERR(tfm);
		goto out_key;
	}
	if (t->dh) {
		ret = nvmet_auth_hmac(t->hash_id, t->skey, t->hl, chal, t->hl, aug);
		if (ret)
			goto out_tfm;
		chal = aug;
	}
	ret = crypto_shash_setkey(tfm, tkey->key, tkey->len);
	if (ret)
		goto out_tfm;
	{
		SHASH_DESC_ON_STACK(desc, tfm);

		desc->tfm = tfm;
		ret = crypto_shash_init(desc);
		if (!ret)
			ret = crypto_shash_update(desc, chal, t->hl);
		put_unaligned_le32(seq, b);
		if (!ret)
			ret = crypto_shash_update(desc, b, 4);
		put_unaligned_le16(t->tid, b);
		if (!ret)
			ret = crypto_shash_update(desc, b, 2);
		if (!ret)
			ret = crypto_shash_update(desc, &t->sc_c, 1);
		if (!ret)
			ret = crypto_shash_update(desc, label, strlen(label));
		if (!ret)
			ret = crypto_shash_update(desc, nqn1, strlen(nqn1));
		if (!ret)
			ret = crypto_shash_update(desc, &zero, 1);
		if (!ret)
			ret = crypto_shash_update(desc, nqn2, strlen(nqn2));
		if (!ret)
			ret = crypto_shash_final(desc, out);
		shash_desc_zero(desc);
	}
out_tfm:
	memzero_explicit(aug, sizeof(aug));
	crypto_free_shash(tfm);
out_key:
	nvme_auth_free_key(tkey);
	return ret;
}

/* --- secure channel concatenation --------------------------------------- */

/*
 * After a transaction that asked for it (SC_C), the session key becomes a
 * TLS PSK for the host's next connections (NVMe Base 2.1 8.3.5.6.x, NVMe/TCP
 * 3.6.1.3), the same one the host derives:
 *   generated PSK  = HMAC(KS, C1 || C2)
 *   PSK digest     = Base64(HMAC(PSK, NQNh || " " || NQNc || " NVMe-over-Fabrics"))
 *   TLS PSK        = HKDF-Expand-Label(HKDF-Extract(0, PSK), "nvme-tls-psk",
 *                                      "<hh> <digest>", hash length)
 * and goes into the port's keyring as "NVMe1G<hh> <NQNh> <NQNc> <digest>",
 * where the handshake agent finds it when the host connects with TLS. It
 * expires after NVMET_AUTH_GEN_PSK_SECS.
 */
static int nvmet_auth_insert_psk(struct nvmet_sq *sq, struct nvmet_auth_txn *t)
{
	static const u8 zero_salt[NVMET_AUTH_MAX_HL];
	static const char tail[] = " NVMe-over-Fabrics";
	struct nvmet_ctrl *ctrl = sq->ctrl;
	u8 c12[2 * NVMET_AUTH_MAX_HL], psk[NVMET_AUTH_MAX_HL], mac[NVMET_AUTH_MAX_HL];
	u8 prk[NVMET_AUTH_MAX_HL], tls_psk[NVMET_AUTH_MAX_HL];
	char digest[NVMET_WIRE_BASE64_LEN(NVMET_AUTH_MAX_HL) + 1];
	char *text = NULL, *identity = NULL;
	u8 *info = NULL;
	key_ref_t kref;
	u32 n;
	int ret;

	memcpy(c12, t->c1, t->hl);
	memcpy(c12 + t->hl, t->c2, t->hl);
	ret = nvmet_auth_hmac(t->hash_id, t->skey, t->hl, c12, 2 * t->hl, psk);
	if (ret)
		goto out;
	ret = -ENOMEM;
	text = kasprintf(GFP_KERNEL, "%s %s%s", ctrl->hostnqn, ctrl->subsysnqn, tail);
	info = kmalloc(NVMET_AUTH_PSK_INFO_MAX, GFP_KERNEL);
	if (!text || !info)
		goto out;
	ret = nvmet_auth_hmac(t->hash_id, psk, t->hl, text, strlen(text), mac);
	if (ret)
		goto out;
	ret = -EINVAL;
	if (!nvmet_wire_base64(mac, t->hl, digest, sizeof(digest)))
		goto out;
	n = nvmet_wire_tls_psk_info(info, NVMET_AUTH_PSK_INFO_MAX, t->hl, t->hash_id, digest);
	if (!n)
		goto out;
	ret = nvmet_auth_hmac(t->hash_id, zero_salt, t->hl, psk, t->hl, prk);
	if (!ret)
		ret = nvmet_auth_hmac(t->hash_id, prk, t->hl, info, n, tls_psk);
	if (ret)
		goto out;
	ret = -ENOMEM;
	identity = kasprintf(GFP_KERNEL, "NVMe1G%02u %s %s %s", t->hash_id, ctrl->hostnqn,
			     ctrl->subsysnqn, digest);
	if (!identity)
		goto out;
	kref = key_create_or_update(make_key_ref(ctrl->port->keyring, true), "psk", identity,
				    tls_psk, t->hl,
				    KEY_POS_SEARCH | KEY_POS_VIEW | KEY_POS_READ | KEY_POS_WRITE |
				    KEY_POS_LINK | KEY_POS_SETATTR | KEY_USR_SEARCH |
				    KEY_USR_VIEW | KEY_USR_READ,
				    KEY_ALLOC_NOT_IN_QUOTA | KEY_ALLOC_BUILT_IN |
				    KEY_ALLOC_BYPASS_RESTRICTION);
	if (IS_ERR(kref)) {
		ret = PTR_ERR(kref);
		goto out;
	}
	key_set_timeout(key_ref_to_ptr(kref), NVMET_AUTH_GEN_PSK_SECS);
	pr_info("ctrl %d: host %s: TLS PSK %08x generated for subsystem %s (secure channel concatenation)\n",
		ctrl->cntlid, ctrl->hostnqn, key_serial(key_ref_to_ptr(kref)), ctrl->subsysnqn);
	key_ref_put(kref);
	ret = 0;
out:
	if (ret)
		pr_warn_ratelimited("ctrl %d: host %s: no TLS PSK for secure channel concatenation (%d)\n",
				    ctrl->cntlid, ctrl->hostnqn, ret);
	memzero_explicit(c12, sizeof(c12));
	memzero_explicit(psk, sizeof(psk));
	memzero_explicit(mac, sizeof(mac));
	memzero_explicit(prk, sizeof(prk));
	memzero_explicit(tls_psk, sizeof(tls_psk));
	kfree_sensitive(info);
	kfree(text);
	kfree(identity);
	return ret;
}

/*
 * Whether a Negotiate's SC_C can be honoured (0) or the reason it cannot:
 * the admin queue of a TLS port, a new PSK over plain TCP or a replacement
 * over TLS, a DH group (the PSK comes from its session key) and a hash TLS
 * has a cipher suite for.
 */
static u8 nvmet_auth_concat_check(struct nvmet_sq *sq, u8 sc_c, struct nvmet_auth_keys *keys)
{
	struct nvmet_ctrl *ctrl = sq->ctrl;
	struct nvmet_port *port = ctrl->port;
	const char *why = NULL;

	if (sq->qid)
		why = "asked on an I/O queue";
	else if (port->disc_addr.trtype != NVMF_TRTYPE_TCP ||
		 port->disc_addr.tsas.tcp.sectype != NVMF_TCP_SECTYPE_TLS13 || !port->keyring)
		why = "the port has no TLS (addr_tsas tls1.3)";
	else if (sc_c == NVME_AUTH_SECP_NEWTLSPSK && nvmet_sq_tls(sq))
		why = "a new PSK asked over TLS";
	else if (sc_c == NVME_AUTH_SECP_REPLACETLSPSK && !nvmet_sq_tls(sq))
		why = "a PSK replacement asked without TLS";
	else if (sc_c != NVME_AUTH_SECP_NEWTLSPSK && sc_c != NVME_AUTH_SECP_REPLACETLSPSK)
		why = "an unknown SC_C";
	else if (keys->dhgroup_id == NVME_AUTH_DHGROUP_NULL)
		why = "hosts/<nqn>/dhchap_dhgroup is null: set an ffdhe group";
	else if (keys->hash_id != NVME_AUTH_HASH_SHA256 && keys->hash_id != NVME_AUTH_HASH_SHA384)
		why = "TLS PSKs use hmac(sha256) or hmac(sha384): set hosts/<nqn>/dhchap_hash";
	if (!why)
		return 0;
	pr_warn_ratelimited("ctrl %d qid %d: host %s: secure channel concatenation refused: %s\n",
			    ctrl->cntlid, sq->qid, ctrl->hostnqn, why);
	return NVME_AUTH_DHCHAP_FAILURE_CONCAT_MISMATCH;
}

/* --- the transaction ---------------------------------------------------- */

static const char *nvmet_auth_reason_name(u8 reason)
{
	switch (reason) {
	case NVME_AUTH_DHCHAP_FAILURE_FAILED:
		return "authentication failed";
	case NVME_AUTH_DHCHAP_FAILURE_NOT_USABLE:
		return "authentication protocol not usable";
	case NVME_AUTH_DHCHAP_FAILURE_CONCAT_MISMATCH:
		return "secure channel concatenation mismatch";
	case NVME_AUTH_DHCHAP_FAILURE_HASH_UNUSABLE:
		return "hash function not usable";
	case NVME_AUTH_DHCHAP_FAILURE_DHGROUP_UNUSABLE:
		return "DH group not usable";
	case NVME_AUTH_DHCHAP_FAILURE_INCORRECT_PAYLOAD:
		return "incorrect payload";
	case NVME_AUTH_DHCHAP_FAILURE_INCORRECT_MESSAGE:
		return "incorrect protocol message";
	}
	return "unknown reason";
}

/* Whether SQ may start another transaction now (see the top of the file). */
static bool nvmet_auth_take_token(struct nvmet_sq *sq)
{
	unsigned long now = jiffies, period = NVMET_AUTH_REFILL_SECS * HZ;
	unsigned long earned;

	if (!sq->auth_tokens_at) {
		sq->auth_tokens = NVMET_AUTH_BURST;
		sq->auth_tokens_at = now;
	}
	earned = (now - sq->auth_tokens_at) / period;
	if (earned) {
		sq->auth_tokens = min_t(unsigned long, NVMET_AUTH_BURST, sq->auth_tokens + earned);
		sq->auth_tokens_at += earned * period;
	}
	if (!sq->auth_tokens)
		return false;
	sq->auth_tokens--;
	return true;
}

static void nvmet_auth_end(struct nvmet_sq *sq)
{
	nvmet_auth_txn_free(sq->auth);
	sq->auth = NULL;
}

/*
 * The transaction failed with REASON: the queue is unauthenticated from now,
 * the host gets AUTH_Failure1 on its next Receive, and the controller fails
 * after that or after a grace period.
 */
static void nvmet_auth_fail(struct nvmet_sq *sq, u16 tid, u8 reason)
{
	struct nvmet_ctrl *ctrl = sq->ctrl;
	struct nvmet_auth_txn *t = sq->auth;

	if (!t) {
		t = kzalloc_obj(*t);
		sq->auth = t;
	}
	if (t) {
		t->tid = tid;
		t->step = NVME_AUTH_DHCHAP_MESSAGE_FAILURE1;
		t->reason = reason;
	}
	WRITE_ONCE(sq->auth_state, NVMET_AUTH_PENDING);
	pr_warn_ratelimited("ctrl %d qid %d: host %s failed DH-HMAC-CHAP with subsystem %s: %s\n",
			    ctrl->cntlid, sq->qid, ctrl->hostnqn, ctrl->subsysnqn,
			    nvmet_auth_reason_name(reason));
	nvmet_event_auth_failure(ctrl, sq->qid, reason);
	mutex_lock(&ctrl->lock);
	ctrl->auth_failed = true;
	mutex_unlock(&ctrl->lock);
	nvmet_ctrl_auth_deadline(ctrl, NVMET_AUTH_FAILURE_GRACE_SECS);
}

static void nvmet_auth_succeed(struct nvmet_sq *sq, u8 state)
{
	struct nvmet_ctrl *ctrl = sq->ctrl;

	WRITE_ONCE(sq->auth_state, state);
	if (!sq->qid)
		pr_info("ctrl %d: host %s authenticated%s with subsystem %s\n", ctrl->cntlid,
			ctrl->hostnqn, state == NVMET_AUTH_BIDIRECTIONAL ? " bidirectionally" : "",
			ctrl->subsysnqn);
}

/* AUTH_Negotiate: starts a transaction, ending any other. */
static u8 nvmet_auth_negotiate(struct nvmet_sq *sq, const u8 *d, u32 len)
{
	struct nvmet_ctrl *ctrl = sq->ctrl;
	struct nvmet_wire_auth_negotiate n;
	struct nvmet_auth_keys *keys;
	struct nvmet_auth_txn *t;
	u8 reason;

	nvmet_auth_end(sq);
	reason = nvmet_wire_parse_auth_negotiate(d, len, &n);
	if (reason)
		return reason;
	if (!nvmet_auth_take_token(sq)) {
		pr_warn_ratelimited("ctrl %d qid %d: host %s starts authentication too often\n",
				    ctrl->cntlid, sq->qid, ctrl->hostnqn);
		return NVME_AUTH_DHCHAP_FAILURE_FAILED;
	}
	/* On the admin queue, a (re-)authentication uses the keys configured now. */
	if (!sq->qid && nvmet_auth_refresh_keys(ctrl))
		return NVME_AUTH_DHCHAP_FAILURE_FAILED;
	mutex_lock(&ctrl->lock);
	keys = ctrl->auth_keys;
	if (keys)
		kref_get(&keys->ref);
	mutex_unlock(&ctrl->lock);
	if (!keys)
		return NVME_AUTH_DHCHAP_FAILURE_NOT_USABLE;
	/* The configured hash and group, or nothing: never a weaker one. */
	if (!nvmet_wire_auth_offers(n.hashes, n.nr_hashes, keys->hash_id))
		reason = NVME_AUTH_DHCHAP_FAILURE_HASH_UNUSABLE;
	else if (!nvmet_wire_auth_offers(n.dhgroups, n.nr_dhgroups, keys->dhgroup_id))
		reason = NVME_AUTH_DHCHAP_FAILURE_DHGROUP_UNUSABLE;
	else if (n.sc_c)
		reason = nvmet_auth_concat_check(sq, n.sc_c, keys);
	t = reason ? NULL : kzalloc_obj(*t);
	if (!t) {
		nvmet_auth_keys_put(keys);
		return reason ? reason : NVME_AUTH_DHCHAP_FAILURE_FAILED;
	}
	t->keys = keys;
	t->tid = n.tid;
	t->sc_c = n.sc_c;
	t->hash_id = keys->hash_id;
	t->hl = nvme_auth_hmac_hash_len(t->hash_id);
	t->step = NVME_AUTH_DHCHAP_MESSAGE_CHALLENGE;
	sq->auth = t;
	return 0;
}

/* DH-HMAC-CHAP_Challenge into BUF: C1, S1 and a fresh DH key pair's public value. */
static u8 nvmet_auth_challenge(struct nvmet_auth_txn *t, u8 *buf, u32 al)
{
	u8 gid = t->keys->dhgroup_id;
	u8 *pub = NULL;
	u32 n;

	/* Once per transaction: a Receive too short for it may be repeated. */
	if (gid != NVME_AUTH_DHGROUP_NULL && !t->dh) {
		t->dh = crypto_alloc_kpp(nvme_auth_dhgroup_kpp(gid), 0, 0);
		if (IS_ERR(t->dh)) {
			t->dh = NULL;
			return NVME_AUTH_DHCHAP_FAILURE_DHGROUP_UNUSABLE;
		}
		if (nvme_auth_gen_privkey(t->dh, gid))
			return NVME_AUTH_DHCHAP_FAILURE_FAILED;
		t->dhvlen = crypto_kpp_maxsize(t->dh);
	}
	if (al < NVMET_WIRE_AUTH_CHALLENGE_LEN + t->hl + t->dhvlen)
		return NVMET_AUTH_SHORT_AL;
	if (t->dh) {
		pub = kzalloc(t->dhvlen, GFP_KERNEL);
		if (!pub || nvme_auth_gen_pubkey(t->dh, pub, t->dhvlen)) {
			kfree(pub);
			return NVME_AUTH_DHCHAP_FAILURE_FAILED;
		}
	}
	get_random_bytes(t->c1, t->hl);
	t->s1 = nvme_auth_get_seqnum();
	n = nvmet_wire_put_auth_challenge(buf, al, t->tid, t->hash_id, t->hl, t->s1, t->c1, gid,
					  pub, t->dhvlen);
	kfree(pub);
	if (!n)
		return NVME_AUTH_DHCHAP_FAILURE_INCORRECT_PAYLOAD;
	t->step = NVME_AUTH_DHCHAP_MESSAGE_REPLY;
	return 0;
}

/* DH-HMAC-CHAP_Reply: the host proves it has its key. */
static u8 nvmet_auth_reply(struct nvmet_sq *sq, struct nvmet_auth_txn *t, const u8 *d, u32 len)
{
	struct nvmet_ctrl *ctrl = sq->ctrl;
	struct nvmet_wire_auth_reply r;
	u8 expect[NVMET_AUTH_MAX_HL];
	bool match;
	u8 reason;

	reason = nvmet_wire_parse_auth_reply(d, len, t->hl, t->dhvlen, &r);
	if (reason)
		return reason;
	if (t->dh && nvmet_auth_session_key(t, r.dhv))
		return NVME_AUTH_DHCHAP_FAILURE_DHGROUP_UNUSABLE;
	if (nvmet_auth_response(t, t->keys->host_key, ctrl->hostnqn, t->c1, t->s1, "HostHost",
				ctrl->hostnqn, ctrl->subsysnqn, expect))
		return NVME_AUTH_DHCHAP_FAILURE_FAILED;
	match = !crypto_memneq(expect, r.rval, t->hl);
	memzero_explicit(expect, sizeof(expect));
	if (!match)
		return NVME_AUTH_DHCHAP_FAILURE_FAILED;
	/* A C2 with sequence number 0 only seeds a TLS PSK: not bidirectional. */
	t->bidirectional = r.cvalid && r.seqnum;
	if (t->sc_c) {
		/* The PSK needs the host's C2. */
		if (!r.cvalid)
			return NVME_AUTH_DHCHAP_FAILURE_FAILED;
		memcpy(t->c2, r.c2, t->hl);
	}
	if (t->bidirectional) {
		if (!t->keys->ctrl_key) {
			pr_warn_ratelimited("ctrl %d qid %d: host %s asks the controller to authenticate, but hosts/%s has no dhchap_ctrl_key\n",
					    ctrl->cntlid, sq->qid, ctrl->hostnqn, ctrl->hostnqn);
			return NVME_AUTH_DHCHAP_FAILURE_FAILED;
		}
		memcpy(t->c2, r.c2, t->hl);
		t->s2 = r.seqnum;
	} else {
		if (t->sc_c && nvmet_auth_insert_psk(sq, t))
			return NVME_AUTH_DHCHAP_FAILURE_FAILED;
		nvmet_auth_succeed(sq, NVMET_AUTH_HOST);
	}
	t->step = NVME_AUTH_DHCHAP_MESSAGE_SUCCESS1;
	return 0;
}

/* DH-HMAC-CHAP_Success1 into BUF, with our response to C2 if asked. */
static u8 nvmet_auth_success1(struct nvmet_sq *sq, struct nvmet_auth_txn *t, u8 *buf, u32 al)
{
	struct nvmet_ctrl *ctrl = sq->ctrl;
	u8 rval[NVMET_AUTH_MAX_HL];
	u32 n;

	if (al < NVMET_WIRE_AUTH_SUCCESS1_LEN + (t->bidirectional ? t->hl : 0))
		return NVMET_AUTH_SHORT_AL;
	if (t->bidirectional &&
	    nvmet_auth_response(t, t->keys->ctrl_key, ctrl->subsysnqn, t->c2, t->s2, "Controller",
				ctrl->subsysnqn, ctrl->hostnqn, rval))
		return NVME_AUTH_DHCHAP_FAILURE_FAILED;
	n = nvmet_wire_put_auth_success1(buf, al, t->tid, t->hl, t->bidirectional ? rval : NULL);
	memzero_explicit(rval, sizeof(rval));
	if (!n)
		return NVME_AUTH_DHCHAP_FAILURE_INCORRECT_PAYLOAD;
	if (t->bidirectional)
		t->step = NVME_AUTH_DHCHAP_MESSAGE_SUCCESS2;
	else
		nvmet_auth_end(sq);
	return 0;
}

/* A message from the host (Authentication Send), under sq->auth_lock. */
static void nvmet_auth_host_msg(struct nvmet_sq *sq, const u8 *d, u32 len)
{
	struct nvmet_auth_txn *t = sq->auth;
	struct nvmet_wire_auth_hdr h;
	u8 reason, rescode, exp;

	reason = nvmet_wire_parse_auth_hdr(d, len, &h);
	if (reason) {
		h.tid = t ? t->tid : 0;
		goto fail;
	}
	if (h.type == NVME_AUTH_COMMON_MESSAGES && h.id == NVME_AUTH_DHCHAP_MESSAGE_NEGOTIATE) {
		reason = nvmet_auth_negotiate(sq, d, len);
		goto out;
	}
	if (h.type == NVME_AUTH_COMMON_MESSAGES && h.id == NVME_AUTH_DHCHAP_MESSAGE_FAILURE2) {
		/* The host gives up (our Success1 did not convince it, say). */
		if (nvmet_wire_parse_auth_failure(d, len, &rescode, &exp) || !exp)
			exp = NVME_AUTH_DHCHAP_FAILURE_FAILED;
		nvmet_auth_fail(sq, h.tid, exp);
		return;
	}
	/*
	 * A Success2 after a unidirectional Success1 (the transaction is
	 * over): it proves nothing and asks for nothing, so it is ignored,
	 * as in-tree, and the queue stays authenticated.
	 */
	if (!t && h.type == NVME_AUTH_DHCHAP_MESSAGES &&
	    h.id == NVME_AUTH_DHCHAP_MESSAGE_SUCCESS2 && !nvmet_sq_auth_pending(sq))
		return;
	if (!t || h.type != NVME_AUTH_DHCHAP_MESSAGES || h.id != t->step) {
		reason = NVME_AUTH_DHCHAP_FAILURE_INCORRECT_MESSAGE;
		goto fail;
	}
	if (h.tid != t->tid) {
		reason = NVME_AUTH_DHCHAP_FAILURE_INCORRECT_PAYLOAD;
		goto fail;
	}
	if (h.id == NVME_AUTH_DHCHAP_MESSAGE_REPLY) {
		reason = nvmet_auth_reply(sq, t, d, len);
	} else if (len < NVMET_WIRE_AUTH_SUCCESS2_LEN) {
		reason = NVME_AUTH_DHCHAP_FAILURE_INCORRECT_PAYLOAD;
	} else if (t->sc_c && nvmet_auth_insert_psk(sq, t)) {
		reason = NVME_AUTH_DHCHAP_FAILURE_FAILED;
	} else {
		/* Success2: the host accepted our response. */
		nvmet_auth_succeed(sq, NVMET_AUTH_BIDIRECTIONAL);
		nvmet_auth_end(sq);
	}
out:
	if (!reason)
		return;
fail:
	nvmet_auth_fail(sq, h.tid, reason);
}

/*
 * The message the host receives (Authentication Receive) into BUF, under
 * sq->auth_lock. After an AUTH_Failure1 the host disconnects; the controller
 * fails if it has not within NVMET_AUTH_FAILURE_GRACE_SECS (nvmet_auth_fail()).
 * Returns an NVMe status: Invalid Field when AL cannot hold the message due,
 * which stays due (in-tree: Internal Error on 6.12, zeroes on 7.2).
 */
static u16 nvmet_auth_ctrl_msg(struct nvmet_sq *sq, u8 *buf, u32 al)
{
	struct nvmet_auth_txn *t = sq->auth;
	u8 reason;

	switch (t ? t->step : NVME_AUTH_DHCHAP_MESSAGE_NEGOTIATE) {
	case NVME_AUTH_DHCHAP_MESSAGE_CHALLENGE:
		reason = nvmet_auth_challenge(t, buf, al);
		break;
	case NVME_AUTH_DHCHAP_MESSAGE_SUCCESS1:
		reason = nvmet_auth_success1(sq, t, buf, al);
		break;
	case NVME_AUTH_DHCHAP_MESSAGE_FAILURE1:
		/* Reported when it happened. */
		nvmet_wire_put_auth_failure1(buf, al, t->tid, t->reason);
		nvmet_auth_end(sq);
		return 0;
	default:
		/* No transaction, or the host should send. */
		reason = NVME_AUTH_DHCHAP_FAILURE_INCORRECT_MESSAGE;
		break;
	}
	if (reason == NVMET_AUTH_SHORT_AL)
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	if (!reason)
		return 0;
	nvmet_auth_fail(sq, t ? t->tid : 0, reason);
	memset(buf, 0, al);
	nvmet_wire_put_auth_failure1(buf, al, sq->auth ? sq->auth->tid : 0, reason);
	nvmet_auth_end(sq);
	return 0;
}

/* --- Authentication Send and Receive ------------------------------------ */

/* Authentication Send: the host's message in; Receive: ours out. */
static void nvmet_auth_work(struct work_struct *work)
{
	struct nvmet_req *req = container_of(work, struct nvmet_req, a.work);
	bool send = req->cmd->fabrics.fctype == nvme_fabrics_type_auth_send;
	struct nvmet_sq *sq = req->sq;
	u32 len = req->data_len;
	u16 status = 0;
	u8 *d;

	d = kzalloc(len, GFP_KERNEL);
	if (!d) {
		nvmet_req_complete(req, NVME_SC_INTERNAL);
		return;
	}
	if (send)
		status = nvmet_copy_from_sgl(req, 0, d, len);
	if (!status) {
		mutex_lock(&sq->auth_lock);
		if (send)
			nvmet_auth_host_msg(sq, d, len);
		else
			status = nvmet_auth_ctrl_msg(sq, d, len);
		mutex_unlock(&sq->auth_lock);
	}
	if (!send && !status)
		status = nvmet_copy_to_sgl(req, 0, d, len);
	kfree_sensitive(d);
	nvmet_req_complete(req, status);
}

static void nvmet_execute_auth(struct nvmet_req *req)
{
	if (!nvmet_check_transfer_len(req, req->data_len))
		return;
	queue_work(nvmet_auth_wq, &req->a.work);
}

/* Authentication Send (05h) or Receive (06h), on any queue of a controller. */
u16 nvmet_parse_auth_cmd(struct nvmet_req *req)
{
	bool send = req->cmd->fabrics.fctype == nvme_fabrics_type_auth_send;
	u16 status, at;
	u32 len;

	status = nvmet_wire_parse_auth_cmd((const u8 *)req->cmd, send, &len, &at);
	if (status) {
		req->error_loc = at;
		return status;
	}
	req->data_len = len;
	INIT_WORK(&req->a.work, nvmet_auth_work);
	req->execute = nvmet_execute_auth;
	return 0;
}

int nvmet_auth_init(void)
{
	nvmet_auth_wq = alloc_workqueue("nvmet-auth-wq", WQ_UNBOUND,
					max(1U, num_online_cpus() / 2));
	return nvmet_auth_wq ? 0 : -ENOMEM;
}

void nvmet_auth_exit(void)
{
	destroy_workqueue(nvmet_auth_wq);
}
