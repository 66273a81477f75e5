// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration tree under /sys/kernel/config/nvmet.
 *
 *   discovery_nqn                    NQN of the discovery subsystem
 *   hosts/<hostnqn>/                 hosts that subsystems may allow
 *   ports/<portid>/                  addr_*, param_* attributes
 *     subsystems/<link>              links to subsystems: the first one
 *                                    enables the port, the last one gone
 *                                    disables it
 *     referrals/<name>/              addr_*, enable
 *     ana_groups/<grpid>/ana_state   group 1 always exists
 *   subsystems/<subsysnqn>/          attr_* attributes
 *     namespaces/<nsid>/             device_path, enable, ...
 *     allowed_hosts/<link>           links to hosts
 *
 * The names, modes, accepted values, read-back formats and error codes are
 * those of the in-tree target, so that nvmetcli and test scripts written for
 * it work unchanged. Every value written here comes from user space and is
 * checked before it reaches the core.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/hex.h>
#include <linux/kstrtox.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/nvme-keyring.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <generated/utsrelease.h>

#include "nvmet.h"

static const struct config_item_type nvmet_host_type;
static const struct config_item_type nvmet_subsys_type;

/* Every port made under ports/; under nvmet_config_sem. */
static LIST_HEAD(nvmet_ports_list);

static struct config_group nvmet_hosts_group;
static struct config_group nvmet_ports_group;
static struct config_group nvmet_subsystems_group;

/* One accepted spelling of an attribute value and the number it stands for. */
struct nvmet_cfs_name {
	u8		value;
	const char	*name;
};

static const struct nvmet_cfs_name *
nvmet_cfs_find_name(const struct nvmet_cfs_name *tbl, size_t n, const char *page)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (sysfs_streq(page, tbl[i].name))
			return &tbl[i];
	return NULL;
}

static const char *nvmet_cfs_find_value(const struct nvmet_cfs_name *tbl,
					size_t n, u8 value)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tbl[i].value == value)
			return tbl[i].name;
	return "";
}

/*
 * Copies the first word of @page (a trailing newline or blank ends it) into
 * @dst, zero filling the rest of it; the word must leave room for the NUL.
 */
static int nvmet_cfs_copy_word(char *dst, size_t size, const char *page)
{
	const char *word = skip_spaces(page);
	size_t len = 0;

	while (word[len] && !isspace(word[len]))
		len++;
	if (!len || len >= size)
		return -EINVAL;
	memset(dst, 0, size);
	memcpy(dst, word, len);
	return 0;
}

/* Printable ASCII, as Identify Controller's string fields require. */
static bool nvmet_cfs_is_ascii(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

/* ------------------------------------------------------------------------
 * Port addresses: shared by ports/<portid> and ports/<portid>/referrals/<name>.
 * Writers hold nvmet_config_sem for write, so that a port is never enabled
 * halfway through a change; an enabled port (or referral) refuses changes.
 */

static const struct nvmet_cfs_name nvmet_cfs_trtypes[] = {
	{ NVMF_TRTYPE_RDMA,	"rdma" },
	{ NVMF_TRTYPE_FC,	"fc" },
	{ NVMF_TRTYPE_TCP,	"tcp" },
	{ NVMF_TRTYPE_PCI,	"pci" },
	{ NVMF_TRTYPE_LOOP,	"loop" },
};

static const struct nvmet_cfs_name nvmet_cfs_adrfams[] = {
	{ NVMF_ADDR_FAMILY_IP4,		"ipv4" },
	{ NVMF_ADDR_FAMILY_IP6,		"ipv6" },
	{ NVMF_ADDR_FAMILY_IB,		"ib" },
	{ NVMF_ADDR_FAMILY_FC,		"fc" },
	{ NVMF_ADDR_FAMILY_PCI,		"pci" },
	{ NVMF_ADDR_FAMILY_LOOP,	"loop" },
};

/* The secure channel requirement: the low bits of TREQ. */
static const struct nvmet_cfs_name nvmet_cfs_treqs[] = {
	{ NVMF_TREQ_NOT_SPECIFIED,	"not specified" },
	{ NVMF_TREQ_REQUIRED,		"required" },
	{ NVMF_TREQ_NOT_REQUIRED,	"not required" },
};

static const struct nvmet_cfs_name nvmet_cfs_tcp_sectypes[] = {
	{ NVMF_TCP_SECTYPE_NONE,	"none" },
	{ NVMF_TCP_SECTYPE_TLS13,	"tls1.3" },
};

static const struct nvmet_cfs_name nvmet_cfs_rdma_qptypes[] = {
	{ NVMF_RDMA_QPTYPE_CONNECTED,	"connected" },
	{ NVMF_RDMA_QPTYPE_DATAGRAM,	"datagram" },
};

/*
 * TLS 1.3 on a TCP port needs the kernel's .nvme keyring (nvme-keyring): the
 * handshake daemon takes the PSKs from it. Without it "tls1.3" is refused,
 * as the in-tree target refuses it.
 */
static bool nvmet_cfs_tls_supported(struct nvmet_port *port)
{
	if (!IS_ENABLED(CONFIG_NVME_KEYRING) || !IS_ENABLED(CONFIG_NET_HANDSHAKE) ||
	    !IS_ENABLED(CONFIG_TLS)) {
		pr_err("port %u: addr_tsas tls1.3 refused: this kernel has no TLS handshake support (CONFIG_NVME_KEYRING, CONFIG_NET_HANDSHAKE, CONFIG_TLS)\n",
		       le16_to_cpu(port->disc_addr.portid));
		return false;
	}
	if (!port->keyring) {
		pr_err("port %u: addr_tsas tls1.3 refused: the .nvme keyring was not available when the port was made; load nvme-keyring and make the port again\n",
		       le16_to_cpu(port->disc_addr.portid));
		return false;
	}
	return true;
}

/* The .nvme keyring for a new port, or NULL (TLS then refused). */
static struct key *nvmet_cfs_port_keyring(void)
{
	struct key *keyring;
	key_serial_t id;

	if (!IS_ENABLED(CONFIG_NVME_KEYRING))
		return NULL;
	id = nvme_keyring_id();
	if (!id)
		return NULL;
	keyring = key_lookup(id);
	if (IS_ERR(keyring)) {
		pr_warn("the .nvme keyring (%08x) cannot be used (%ld): TLS is refused on new ports\n",
			id, PTR_ERR(keyring));
		return NULL;
	}
	return keyring;
}

/*
 * The one store path of every port and referral attribute: CHECK (optional)
 * validates what needs no lock; then, holding nvmet_config_sem for write, an
 * enabled port refuses the change (-EACCES, with a log line naming the
 * attribute) and SET applies it (0 or a negative errno). The order of the
 * two checks is the in-tree target's for each attribute.
 */
struct nvmet_port_attr {
	const char	*name;
	int		(*check)(const char *page, size_t count);
	int		(*set)(struct nvmet_port *port, const char *page);
};

static ssize_t nvmet_port_attr_store(const struct nvmet_port_attr *attr,
				     struct config_item *item, const char *page, size_t count)
{
	struct nvmet_port *port = to_nvmet_port(item);
	int ret;

	if (attr->check) {
		ret = attr->check(page, count);
		if (ret)
			return ret;
	}
	down_write(&nvmet_config_sem);
	if (port->enabled) {
		pr_err("port %u is enabled: disable it before changing %s\n",
		       le16_to_cpu(port->disc_addr.portid), attr->name);
		ret = -EACCES;
	} else {
		ret = attr->set(port, page);
	}
	up_write(&nvmet_config_sem);
	return ret ? ret : count;
}

/* nvmet_attr_<name>: its _show is written out, its _store is generated. */
#define NVMET_PORT_ATTR(_name, _check)						\
	static const struct nvmet_port_attr nvmet_port_attr_##_name = {	\
		.name = #_name, .check = _check, .set = nvmet_##_name##_set,	\
	};									\
	static ssize_t nvmet_##_name##_store(struct config_item *item,		\
					     const char *page, size_t count)	\
	{									\
		return nvmet_port_attr_store(&nvmet_port_attr_##_name, item,	\
					     page, count);			\
	}									\
	CONFIGFS_ATTR(nvmet_, _name)

/* A value out of TBL; logs "invalid NAME value" when PAGE is none of them. */
static const struct nvmet_cfs_name *nvmet_cfs_lookup(const struct nvmet_cfs_name *tbl, size_t n,
						     const char *page, const char *name)
{
	const struct nvmet_cfs_name *v = nvmet_cfs_find_name(tbl, n, page);

	if (!v)
		pr_err("invalid %s value\n", name);
	return v;
}

static ssize_t nvmet_cfs_show_name(char *page, const struct nvmet_cfs_name *tbl, size_t n,
				   u8 value)
{
	return sysfs_emit(page, "%s\n", nvmet_cfs_find_value(tbl, n, value));
}

/* Strings of disc_addr are read under the semaphore that their writers hold. */
static ssize_t nvmet_cfs_show_field(char *page, const char *field, int size)
{
	ssize_t ret;

	down_read(&nvmet_config_sem);
	ret = sysfs_emit(page, "%.*s\n", size, field);
	up_read(&nvmet_config_sem);
	return ret;
}

static ssize_t nvmet_addr_adrfam_show(struct config_item *item, char *page)
{
	return nvmet_cfs_show_name(page, nvmet_cfs_adrfams, ARRAY_SIZE(nvmet_cfs_adrfams),
				   to_nvmet_port(item)->disc_addr.adrfam);
}

static int nvmet_addr_adrfam_set(struct nvmet_port *port, const char *page)
{
	const struct nvmet_cfs_name *n = nvmet_cfs_lookup(nvmet_cfs_adrfams,
							  ARRAY_SIZE(nvmet_cfs_adrfams),
							  page, "addr_adrfam");

	if (!n)
		return -EINVAL;
	port->disc_addr.adrfam = n->value;
	return 0;
}
NVMET_PORT_ATTR(addr_adrfam, NULL);

static ssize_t nvmet_addr_portid_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", le16_to_cpu(to_nvmet_port(item)->disc_addr.portid));
}

static int nvmet_addr_portid_check(const char *page, size_t count)
{
	u16 portid;

	if (kstrtou16(page, 0, &portid)) {
		pr_err("invalid addr_portid value\n");
		return -EINVAL;
	}
	return 0;
}

static int nvmet_addr_portid_set(struct nvmet_port *port, const char *page)
{
	u16 portid = 0;

	/* Cannot fail: nvmet_addr_portid_check() parsed it. */
	if (kstrtou16(page, 0, &portid))
		return -EINVAL;
	port->disc_addr.portid = cpu_to_le16(portid);
	return 0;
}
NVMET_PORT_ATTR(addr_portid, nvmet_addr_portid_check);

static ssize_t nvmet_addr_traddr_show(struct config_item *item, char *page)
{
	return nvmet_cfs_show_field(page, to_nvmet_port(item)->disc_addr.traddr,
				    NVMF_TRADDR_SIZE);
}

static int nvmet_addr_traddr_check(const char *page, size_t count)
{
	if (count > NVMF_TRADDR_SIZE) {
		pr_err("addr_traddr is too long\n");
		return -EINVAL;
	}
	return 0;
}

static int nvmet_addr_traddr_set(struct nvmet_port *port, const char *page)
{
	char traddr[NVMF_TRADDR_SIZE];

	if (nvmet_cfs_copy_word(traddr, sizeof(traddr), page))
		return -EINVAL;
	memcpy(port->disc_addr.traddr, traddr, sizeof(traddr));
	return 0;
}
NVMET_PORT_ATTR(addr_traddr, nvmet_addr_traddr_check);

static ssize_t nvmet_addr_treq_show(struct config_item *item, char *page)
{
	return nvmet_cfs_show_name(page, nvmet_cfs_treqs, ARRAY_SIZE(nvmet_cfs_treqs),
				   to_nvmet_port(item)->disc_addr.treq &
				   NVME_TREQ_SECURE_CHANNEL_MASK);
}

static int nvmet_addr_treq_set(struct nvmet_port *port, const char *page)
{
	const struct nvmet_cfs_name *n = nvmet_cfs_lookup(nvmet_cfs_treqs,
							  ARRAY_SIZE(nvmet_cfs_treqs),
							  page, "addr_treq");

	if (!n)
		return -EINVAL;
	/* A TLS port must say whether plain TCP is accepted too. */
	if (port->disc_addr.trtype == NVMF_TRTYPE_TCP &&
	    port->disc_addr.tsas.tcp.sectype == NVMF_TCP_SECTYPE_TLS13) {
		if (n->value == NVMF_TREQ_NOT_SPECIFIED) {
			pr_err("port %u: addr_treq 'not specified' refused with addr_tsas tls1.3: write 'required' or 'not required'\n",
			       le16_to_cpu(port->disc_addr.portid));
			return -EINVAL;
		}
		if (n->value == NVMF_TREQ_NOT_REQUIRED)
			pr_warn("port %u: TLS is not required: hosts may also connect without TLS\n",
				le16_to_cpu(port->disc_addr.portid));
	}
	port->disc_addr.treq = (port->disc_addr.treq & ~NVME_TREQ_SECURE_CHANNEL_MASK) | n->value;
	return 0;
}
NVMET_PORT_ATTR(addr_treq, NULL);

static ssize_t nvmet_addr_trsvcid_show(struct config_item *item, char *page)
{
	return nvmet_cfs_show_field(page, to_nvmet_port(item)->disc_addr.trsvcid,
				    NVMF_TRSVCID_SIZE);
}

static int nvmet_addr_trsvcid_check(const char *page, size_t count)
{
	if (count > NVMF_TRSVCID_SIZE) {
		pr_err("addr_trsvcid is too long\n");
		return -EINVAL;
	}
	return 0;
}

static int nvmet_addr_trsvcid_set(struct nvmet_port *port, const char *page)
{
	char trsvcid[NVMF_TRSVCID_SIZE];

	if (nvmet_cfs_copy_word(trsvcid, sizeof(trsvcid), page))
		return -EINVAL;
	memcpy(port->disc_addr.trsvcid, trsvcid, sizeof(trsvcid));
	return 0;
}
NVMET_PORT_ATTR(addr_trsvcid, nvmet_addr_trsvcid_check);

static ssize_t nvmet_addr_trtype_show(struct config_item *item, char *page)
{
	return nvmet_cfs_show_name(page, nvmet_cfs_trtypes, ARRAY_SIZE(nvmet_cfs_trtypes),
				   to_nvmet_port(item)->disc_addr.trtype);
}

static int nvmet_addr_trtype_set(struct nvmet_port *port, const char *page)
{
	const struct nvmet_cfs_name *n = nvmet_cfs_lookup(nvmet_cfs_trtypes,
							  ARRAY_SIZE(nvmet_cfs_trtypes),
							  page, "addr_trtype");

	if (!n)
		return -EINVAL;
	/* The transport specific address subtype starts from its default. */
	memset(&port->disc_addr.tsas, 0, sizeof(port->disc_addr.tsas));
	port->disc_addr.trtype = n->value;
	if (n->value == NVMF_TRTYPE_RDMA) {
		port->disc_addr.tsas.rdma.qptype = NVMF_RDMA_QPTYPE_CONNECTED;
		port->disc_addr.tsas.rdma.prtype = NVMF_RDMA_PRTYPE_NOT_SPECIFIED;
		port->disc_addr.tsas.rdma.cms = NVMF_RDMA_CMS_RDMA_CM;
	} else if (n->value == NVMF_TRTYPE_TCP) {
		port->disc_addr.tsas.tcp.sectype = NVMF_TCP_SECTYPE_NONE;
	}
	return 0;
}
NVMET_PORT_ATTR(addr_trtype, NULL);

static ssize_t nvmet_addr_tsas_show(struct config_item *item, char *page)
{
	struct nvmet_port *port = to_nvmet_port(item);

	if (port->disc_addr.trtype == NVMF_TRTYPE_TCP)
		return nvmet_cfs_show_name(page, nvmet_cfs_tcp_sectypes,
					   ARRAY_SIZE(nvmet_cfs_tcp_sectypes),
					   port->disc_addr.tsas.tcp.sectype);
	if (port->disc_addr.trtype == NVMF_TRTYPE_RDMA)
		return nvmet_cfs_show_name(page, nvmet_cfs_rdma_qptypes,
					   ARRAY_SIZE(nvmet_cfs_rdma_qptypes),
					   port->disc_addr.tsas.rdma.qptype);
	return sysfs_emit(page, "\n");
}

static int nvmet_addr_tsas_set(struct nvmet_port *port, const char *page)
{
	const struct nvmet_cfs_name *n;
	u8 sc;

	if (port->disc_addr.trtype == NVMF_TRTYPE_RDMA) {
		/* Only the connected queue pair type exists. */
		n = nvmet_cfs_lookup(nvmet_cfs_rdma_qptypes, ARRAY_SIZE(nvmet_cfs_rdma_qptypes),
				     page, "addr_tsas");
		if (n && n->value != port->disc_addr.tsas.rdma.qptype) {
			pr_err("invalid addr_tsas value\n");
			n = NULL;
		}
		return n ? 0 : -EINVAL;
	}
	if (port->disc_addr.trtype != NVMF_TRTYPE_TCP) {
		pr_err("invalid addr_tsas value\n");
		return -EINVAL;
	}
	n = nvmet_cfs_lookup(nvmet_cfs_tcp_sectypes, ARRAY_SIZE(nvmet_cfs_tcp_sectypes),
			     page, "addr_tsas");
	if (!n)
		return -EINVAL;
	if (n->value == NVMF_TCP_SECTYPE_TLS13 && !nvmet_cfs_tls_supported(port))
		return -EINVAL;

	port->disc_addr.tsas.tcp.sectype = n->value;
	/* TLS makes the secure channel required unless told otherwise. */
	sc = port->disc_addr.treq & NVME_TREQ_SECURE_CHANNEL_MASK;
	if (n->value != NVMF_TCP_SECTYPE_TLS13)
		sc = NVMF_TREQ_NOT_SPECIFIED;
	else if (sc == NVMF_TREQ_NOT_SPECIFIED)
		sc = NVMF_TREQ_REQUIRED;
	port->disc_addr.treq = (port->disc_addr.treq & ~NVME_TREQ_SECURE_CHANNEL_MASK) | sc;
	return 0;
}
NVMET_PORT_ATTR(addr_tsas, NULL);

/* ------------------------------------------------------------------------
 * Port parameters: only while the port is disabled.
 */

static ssize_t nvmet_param_inline_data_size_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", to_nvmet_port(item)->inline_data_size);
}

static int nvmet_param_inline_data_size_set(struct nvmet_port *port, const char *page)
{
	int val;

	if (kstrtoint(page, 0, &val)) {
		pr_err("invalid param_inline_data_size value\n");
		return -EINVAL;
	}
	/* Any negative value lets the transport choose. */
	port->inline_data_size = val < 0 ? -1 : val;
	return 0;
}
NVMET_PORT_ATTR(param_inline_data_size, NULL);

static ssize_t nvmet_param_max_queue_size_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", to_nvmet_port(item)->max_queue_size);
}

static int nvmet_param_max_queue_size_set(struct nvmet_port *port, const char *page)
{
	int val;

	if (kstrtoint(page, 0, &val) ||
	    (val >= 0 && (val < NVMET_MIN_QUEUE_SIZE || val > NVMET_MAX_QUEUE_SIZE))) {
		pr_err("param_max_queue_size must be -1 or %d..%d\n",
		       NVMET_MIN_QUEUE_SIZE, NVMET_MAX_QUEUE_SIZE);
		return -EINVAL;
	}
	port->max_queue_size = val < 0 ? -1 : val;
	return 0;
}
NVMET_PORT_ATTR(param_max_queue_size, NULL);

static ssize_t nvmet_param_mdts_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", to_nvmet_port(item)->mdts);
}

static int nvmet_param_mdts_set(struct nvmet_port *port, const char *page)
{
	int val;

	if (kstrtoint(page, 0, &val) || val < 0 || val > NVMET_MAX_MDTS) {
		pr_err("param_mdts must be 0..%d\n", NVMET_MAX_MDTS);
		return -EINVAL;
	}
	port->mdts = val;
	return 0;
}
NVMET_PORT_ATTR(param_mdts, NULL);

#ifdef CONFIG_BLK_DEV_INTEGRITY
static ssize_t nvmet_param_pi_enable_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", to_nvmet_port(item)->pi_enable);
}

static int nvmet_param_pi_enable_check(const char *page, size_t count)
{
	bool val;

	return kstrtobool(page, &val) ? -EINVAL : 0;
}

static int nvmet_param_pi_enable_set(struct nvmet_port *port, const char *page)
{
	bool val = false;

	/* Cannot fail: nvmet_param_pi_enable_check() parsed it. */
	if (kstrtobool(page, &val))
		return -EINVAL;
	port->pi_enable = val;
	return 0;
}
NVMET_PORT_ATTR(param_pi_enable, nvmet_param_pi_enable_check);
#endif

/* ------------------------------------------------------------------------
 * subsystems/<nqn>/namespaces/<nsid>
 *
 * The backing store attributes (device_path, buffered_io) change only while
 * the namespace is disabled, under ns->enable_lock and subsys->lock: enabling
 * opens the backing store holding only ns->enable_lock, which also keeps two
 * enables or disables of one namespace from interleaving.
 */

static ssize_t nvmet_ns_device_path_show(struct config_item *item, char *page)
{
	struct nvmet_ns *ns = to_nvmet_ns(item);
	ssize_t ret;

	mutex_lock(&ns->subsys->lock);
	ret = sysfs_emit(page, "%s\n",
			 ns->device_path ? ns->device_path : "(null)");
	mutex_unlock(&ns->subsys->lock);
	return ret;
}

static ssize_t nvmet_ns_device_path_store(struct config_item *item,
					  const char *page, size_t count)
{
	struct nvmet_ns *ns = to_nvmet_ns(item);
	size_t len = strcspn(page, "\n");
	char *path;

	if (!len || len >= PATH_MAX)
		return -EINVAL;
	path = kmemdup_nul(page, len, GFP_KERNEL);
	if (!path)
		return -ENOMEM;

	mutex_lock(&ns->enable_lock);
	mutex_lock(&ns->subsys->lock);
	if (ns->enabled) {
		mutex_unlock(&ns->subsys->lock);
		mutex_unlock(&ns->enable_lock);
		kfree(path);
		return -EBUSY;
	}
	swap(ns->device_path, path);
	mutex_unlock(&ns->subsys->lock);
	mutex_unlock(&ns->enable_lock);

	kfree(path);
	return count;
}
CONFIGFS_ATTR(nvmet_ns_, device_path);

static ssize_t nvmet_ns_device_uuid_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%pUb\n", &to_nvmet_ns(item)->uuid);
}

static ssize_t nvmet_ns_device_uuid_store(struct config_item *item,
					  const char *page, size_t count)
{
	struct nvmet_ns *ns = to_nvmet_ns(item);
	ssize_t ret = count;
	uuid_t uuid;

	mutex_lock(&ns->subsys->lock);
	if (ns->enabled)
		ret = -EBUSY;
	else if (uuid_parse(page, &uuid))
		ret = -EINVAL;
	else
		uuid_copy(&ns->uuid, &uuid);
	mutex_unlock(&ns->subsys->lock);
	return ret;
}
CONFIGFS_ATTR(nvmet_ns_, device_uuid);

static ssize_t nvmet_ns_device_nguid_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%pUb\n", to_nvmet_ns(item)->nguid);
}

/*
 * 16 bytes as 32 hex digits; a '-' or ':' may follow any byte, so both the
 * UUID layout that the show method prints and plain hex are accepted.
 */
static int nvmet_cfs_parse_nguid(const char *page, size_t count, u8 *nguid)
{
	const char *end = page + count;
	const char *p = page;
	int i, hi, lo;

	for (i = 0; i < 16; i++) {
		if (end - p < 2)
			return -EINVAL;
		hi = hex_to_bin(p[0]);
		lo = hex_to_bin(p[1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		nguid[i] = (hi << 4) | lo;
		p += 2;
		if (p < end && (*p == '-' || *p == ':'))
			p++;
	}
	return 0;
}

static ssize_t nvmet_ns_device_nguid_store(struct config_item *item,
					   const char *page, size_t count)
{
	struct nvmet_ns *ns = to_nvmet_ns(item);
	ssize_t ret = count;
	u8 nguid[16];

	mutex_lock(&ns->subsys->lock);
	if (ns->enabled)
		ret = -EBUSY;
	else if (nvmet_cfs_parse_nguid(page, count, nguid))
		ret = -EINVAL;
	else
		memcpy(ns->nguid, nguid, sizeof(ns->nguid));
	mutex_unlock(&ns->subsys->lock);
	return ret;
}
CONFIGFS_ATTR(nvmet_ns_, device_nguid);

/*
 * The ANA log page of every controller of @subsys has changed: raise the
 * ANA change notice on those that enabled it and have no such notice
 * outstanding (the bit in aen_masked is cleared when the log is read).
 */
static void nvmet_cfs_subsys_ana_changed(struct nvmet_subsys *subsys)
{
	struct nvmet_ctrl *ctrl;

	lockdep_assert_held(&subsys->lock);
	list_for_each_entry(ctrl, &subsys->ctrls, subsys_entry) {
		if (!(READ_ONCE(ctrl->aen_enabled) & NVME_AEN_CFG_ANA_CHANGE))
			continue;
		if (test_and_set_bit(NVME_AEN_BIT_ANA_CHANGE, &ctrl->aen_masked))
			continue;
		nvmet_add_async_event(ctrl, NVME_AER_NOTICE,
				      NVME_AER_NOTICE_ANA, NVME_LOG_ANA);
	}
}

static ssize_t nvmet_ns_ana_grpid_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(to_nvmet_ns(item)->anagrpid));
}

static ssize_t nvmet_ns_ana_grpid_store(struct config_item *item,
					const char *page, size_t count)
{
	struct nvmet_ns *ns = to_nvmet_ns(item);
	struct nvmet_subsys *subsys = ns->subsys;
	u32 grpid;
	int ret;

	ret = kstrtou32(page, 0, &grpid);
	if (ret)
		return ret;
	if (grpid < 1 || grpid > NVMET_MAX_ANAGRPS)
		return -EINVAL;
	grpid = array_index_nospec(grpid, NVMET_MAX_ANAGRPS + 1);

	/* A namespace may move between groups while it is enabled. */
	mutex_lock(&subsys->lock);
	if (ns->anagrpid != grpid) {
		down_write(&nvmet_ana_sem);
		nvmet_ana_group_enabled[grpid]++;
		nvmet_ana_group_enabled[ns->anagrpid]--;
		WRITE_ONCE(ns->anagrpid, grpid);
		nvmet_ana_chgcnt++;
		up_write(&nvmet_ana_sem);
		nvmet_cfs_subsys_ana_changed(subsys);
	}
	mutex_unlock(&subsys->lock);
	return count;
}
CONFIGFS_ATTR(nvmet_ns_, ana_grpid);

static ssize_t nvmet_ns_enable_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", READ_ONCE(to_nvmet_ns(item)->enabled));
}

static ssize_t nvmet_ns_enable_store(struct config_item *item,
				     const char *page, size_t count)
{
	struct nvmet_ns *ns = to_nvmet_ns(item);
	bool enable;
	int ret = 0;

	if (kstrtobool(page, &enable))
		return -EINVAL;

	/*
	 * Disabling waits for the namespace's commands, which a host can hold
	 * up: only this namespace's lock is held meanwhile.
	 */
	mutex_lock(&ns->enable_lock);
	if (enable)
		ret = nvmet_ns_enable(ns);
	else
		nvmet_ns_disable(ns);
	mutex_unlock(&ns->enable_lock);
	return ret ? ret : count;
}
CONFIGFS_ATTR(nvmet_ns_, enable);

static ssize_t nvmet_ns_buffered_io_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", to_nvmet_ns(item)->buffered_io);
}

static ssize_t nvmet_ns_buffered_io_store(struct config_item *item,
					  const char *page, size_t count)
{
	struct nvmet_ns *ns = to_nvmet_ns(item);
	ssize_t ret = count;
	bool val;

	if (kstrtobool(page, &val))
		return -EINVAL;

	mutex_lock(&ns->enable_lock);
	mutex_lock(&ns->subsys->lock);
	if (ns->enabled) {
		pr_err("disable namespace %u before changing buffered_io\n",
		       ns->nsid);
		ret = -EINVAL;
	} else {
		ns->buffered_io = val;
	}
	mutex_unlock(&ns->subsys->lock);
	mutex_unlock(&ns->enable_lock);
	return ret;
}
CONFIGFS_ATTR(nvmet_ns_, buffered_io);

static ssize_t nvmet_ns_revalidate_size_store(struct config_item *item,
					      const char *page, size_t count)
{
	struct nvmet_ns *ns = to_nvmet_ns(item);
	struct nvmet_subsys *subsys = ns->subsys;
	ssize_t ret = count;
	loff_t old_size;
	bool val;

	if (kstrtobool(page, &val) || !val)
		return -EINVAL;

	/* enable_lock keeps the namespace enabled meanwhile. */
	mutex_lock(&ns->enable_lock);
	if (!ns->enabled) {
		pr_err("enable namespace %u before revalidating it\n",
		       ns->nsid);
		ret = -EINVAL;
		goto out;
	}
	old_size = ns->size;
	nvmet_ns_revalidate(ns);
	if (ns->size != old_size) {
		mutex_lock(&subsys->lock);
		nvmet_ns_changed(subsys, ns->nsid);
		mutex_unlock(&subsys->lock);
	}
out:
	mutex_unlock(&ns->enable_lock);
	return ret;
}
CONFIGFS_ATTR_WO(nvmet_ns_, revalidate_size);

static ssize_t nvmet_ns_resv_enable_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", to_nvmet_ns(item)->pr_enable);
}

static ssize_t nvmet_ns_resv_enable_store(struct config_item *item,
					  const char *page, size_t count)
{
	struct nvmet_ns *ns = to_nvmet_ns(item);
	ssize_t ret = count;
	bool val;

	if (kstrtobool(page, &val))
		return -EINVAL;
	/* enable_lock: nvmet_ns_enable() reads pr_enable under it alone. */
	mutex_lock(&ns->enable_lock);
	mutex_lock(&ns->subsys->lock);
	if (ns->enabled) {
		pr_err("namespace %u of %s: disable the namespace before changing resv_enable\n",
		       ns->nsid, ns->subsys->subsysnqn);
		ret = -EINVAL;
	} else {
		ns->pr_enable = val;
	}
	mutex_unlock(&ns->subsys->lock);
	mutex_unlock(&ns->enable_lock);
	return ret;
}
CONFIGFS_ATTR(nvmet_ns_, resv_enable);

/*
 * Beyond the in-tree target: the file that keeps the namespace's reservations
 * through power loss (docs/reservations.md). Empty: no PTPL.
 */
static ssize_t nvmet_ns_resv_ptpl_file_show(struct config_item *item, char *page)
{
	struct nvmet_ns *ns = to_nvmet_ns(item);
	ssize_t ret;

	mutex_lock(&ns->enable_lock);
	ret = sysfs_emit(page, "%s\n", ns->pr_ptpl_path ?: "");
	mutex_unlock(&ns->enable_lock);
	return ret;
}

static ssize_t nvmet_ns_resv_ptpl_file_store(struct config_item *item,
					     const char *page, size_t count)
{
	struct nvmet_ns *ns = to_nvmet_ns(item);
	size_t len = strcspn(page, "\n");
	char *path = NULL;
	ssize_t ret = count;

	if (len >= PATH_MAX)
		return -EINVAL;
	if (len && page[0] != '/') {
		pr_err("namespace %u of %s: resv_ptpl_file must be an absolute path\n",
		       ns->nsid, ns->subsys->subsysnqn);
		return -EINVAL;
	}
	if (len) {
		path = kmemdup_nul(page, len, GFP_KERNEL);
		if (!path)
			return -ENOMEM;
	}
	mutex_lock(&ns->enable_lock);
	mutex_lock(&ns->subsys->lock);
	if (ns->enabled) {
		pr_err("namespace %u of %s: disable the namespace before changing resv_ptpl_file\n",
		       ns->nsid, ns->subsys->subsysnqn);
		ret = -EBUSY;
	} else {
		swap(ns->pr_ptpl_path, path);
	}
	mutex_unlock(&ns->subsys->lock);
	mutex_unlock(&ns->enable_lock);
	kfree(path);
	return ret;
}
CONFIGFS_ATTR(nvmet_ns_, resv_ptpl_file);

static struct configfs_attribute *nvmet_ns_attrs[] = {
	&nvmet_ns_attr_device_path,
	&nvmet_ns_attr_device_nguid,
	&nvmet_ns_attr_device_uuid,
	&nvmet_ns_attr_ana_grpid,
	&nvmet_ns_attr_enable,
	&nvmet_ns_attr_buffered_io,
	&nvmet_ns_attr_revalidate_size,
	&nvmet_ns_attr_resv_enable,
	&nvmet_ns_attr_resv_ptpl_file,
	NULL,
};

/* The last reference is gone: the namespace was disabled at rmdir. */
static void nvmet_ns_release(struct config_item *item)
{
	struct nvmet_ns *ns = to_nvmet_ns(item);
	struct nvmet_subsys *subsys = ns->subsys;

	nvmet_ns_free(ns);
	nvmet_subsys_put(subsys);	/* taken in nvmet_ns_make() */
}

static struct configfs_item_operations nvmet_ns_item_ops = {
	.release	= nvmet_ns_release,
};

static const struct config_item_type nvmet_ns_type = {
	.ct_item_ops	= &nvmet_ns_item_ops,
	.ct_attrs	= nvmet_ns_attrs,
	.ct_owner	= THIS_MODULE,
};

static struct config_group *nvmet_ns_make(struct config_group *group,
					  const char *name)
{
	struct nvmet_subsys *subsys =
		container_of(group, struct nvmet_subsys, namespaces_group);
	struct config_item *child;
	struct nvmet_ns *ns;
	u32 nsid;

	if (kstrtou32(name, 0, &nsid))
		return ERR_PTR(-EINVAL);
	if (nsid == 0 || nsid == NVME_NSID_ALL) {
		pr_err("invalid nsid %#x\n", nsid);
		return ERR_PTR(-EINVAL);
	}

	/* "1" and "0x1" name the same namespace; configfs holds su_mutex. */
	list_for_each_entry(child, &group->cg_children, ci_entry)
		if (to_nvmet_ns(child)->nsid == nsid)
			return ERR_PTR(-EEXIST);

	ns = nvmet_ns_alloc(subsys, nsid);
	if (IS_ERR_OR_NULL(ns))
		return ERR_PTR(ns ? PTR_ERR(ns) : -ENOMEM);

	/* The namespace keeps its subsystem until its release. */
	kref_get(&subsys->ref);
	config_group_init_type_name(&ns->group, name, &nvmet_ns_type);
	pr_info("adding nsid %u to subsystem %s\n", nsid, subsys->subsysnqn);
	return &ns->group;
}

/* rmdir: hosts lose the namespace now, not when the last reference goes. */
static void nvmet_ns_drop(struct config_group *group, struct config_item *item)
{
	struct nvmet_ns *ns = to_nvmet_ns(item);

	mutex_lock(&ns->enable_lock);
	nvmet_ns_disable(ns);
	mutex_unlock(&ns->enable_lock);
	config_item_put(item);
}

static struct configfs_group_operations nvmet_namespaces_group_ops = {
	.make_group	= nvmet_ns_make,
	.drop_item	= nvmet_ns_drop,
};

static const struct config_item_type nvmet_namespaces_type = {
	.ct_group_ops	= &nvmet_namespaces_group_ops,
	.ct_owner	= THIS_MODULE,
};

/* ------------------------------------------------------------------------
 * ports/<portid>/subsystems: links that export subsystems on the port.
 */

static int nvmet_port_subsys_allow_link(struct config_item *parent,
					struct config_item *target)
{
	struct nvmet_port *port = container_of(to_config_group(parent),
					       struct nvmet_port, subsys_group);
	struct nvmet_subsys_link *link, *p;
	struct nvmet_subsys *subsys;
	int ret;

	if (target->ci_type != &nvmet_subsys_type) {
		pr_err("only subsystems can be linked into a port's subsystems\n");
		return -EINVAL;
	}
	subsys = to_subsys(target);

	link = kzalloc_obj(*link);
	if (!link)
		return -ENOMEM;
	link->subsys = subsys;

	down_write(&nvmet_config_sem);
	list_for_each_entry(p, &port->subsystems, entry) {
		if (p->subsys == subsys) {
			ret = -EEXIST;
			goto out_free;
		}
	}
	if (list_empty(&port->subsystems)) {
		ret = nvmet_enable_port(port);
		if (ret)
			goto out_free;
	}
	list_add_tail(&link->entry, &port->subsystems);
	nvmet_port_disc_changed(port, subsys);
	up_write(&nvmet_config_sem);
	return 0;

out_free:
	up_write(&nvmet_config_sem);
	kfree(link);
	return ret;
}

static void nvmet_port_subsys_drop_link(struct config_item *parent,
					struct config_item *target)
{
	struct nvmet_port *port = container_of(to_config_group(parent),
					       struct nvmet_port, subsys_group);
	struct nvmet_subsys *subsys = to_subsys(target);
	struct nvmet_subsys_link *p, *found = NULL;

	down_write(&nvmet_config_sem);
	list_for_each_entry(p, &port->subsystems, entry) {
		if (p->subsys == subsys) {
			found = p;
			break;
		}
	}
	if (found) {
		list_del(&found->entry);
		nvmet_port_del_ctrls(port, subsys);
		nvmet_port_disc_changed(port, subsys);
		if (list_empty(&port->subsystems))
			nvmet_disable_port(port);
	}
	up_write(&nvmet_config_sem);
	kfree(found);
}

static struct configfs_item_operations nvmet_port_subsys_item_ops = {
	.allow_link	= nvmet_port_subsys_allow_link,
	.drop_link	= nvmet_port_subsys_drop_link,
};

static const struct config_item_type nvmet_port_subsys_type = {
	.ct_item_ops	= &nvmet_port_subsys_item_ops,
	.ct_owner	= THIS_MODULE,
};

/* ------------------------------------------------------------------------
 * subsystems/<nqn>/allowed_hosts: links to hosts/<hostnqn>.
 */

static int nvmet_allowed_hosts_allow_link(struct config_item *parent,
					  struct config_item *target)
{
	struct nvmet_subsys *subsys =
		container_of(to_config_group(parent), struct nvmet_subsys,
			     allowed_hosts_group);
	struct nvmet_host_link *link, *p;
	struct nvmet_host *host;
	int ret;

	if (target->ci_type != &nvmet_host_type) {
		pr_err("only hosts can be linked into allowed_hosts\n");
		return -EINVAL;
	}
	host = to_host(target);

	link = kzalloc_obj(*link);
	if (!link)
		return -ENOMEM;
	link->host = host;

	down_write(&nvmet_config_sem);
	if (subsys->allow_any_host) {
		pr_err("allow_any_host is set: hosts cannot be added\n");
		ret = -EINVAL;
		goto out_free;
	}
	list_for_each_entry(p, &subsys->hosts, entry) {
		if (!strcmp(nvmet_host_name(p->host), nvmet_host_name(host))) {
			ret = -EEXIST;
			goto out_free;
		}
	}
	list_add_tail(&link->entry, &subsys->hosts);
	nvmet_subsys_disc_changed(subsys, host);
	up_write(&nvmet_config_sem);
	return 0;

out_free:
	up_write(&nvmet_config_sem);
	kfree(link);
	return ret;
}

static void nvmet_allowed_hosts_drop_link(struct config_item *parent,
					  struct config_item *target)
{
	struct nvmet_subsys *subsys =
		container_of(to_config_group(parent), struct nvmet_subsys,
			     allowed_hosts_group);
	struct nvmet_host *host = to_host(target);
	struct nvmet_host_link *p, *found = NULL;

	down_write(&nvmet_config_sem);
	list_for_each_entry(p, &subsys->hosts, entry) {
		if (!strcmp(nvmet_host_name(p->host), nvmet_host_name(host))) {
			found = p;
			break;
		}
	}
	if (found) {
		list_del(&found->entry);
		nvmet_subsys_disc_changed(subsys, host);
	}
	up_write(&nvmet_config_sem);
	kfree(found);
}

static struct configfs_item_operations nvmet_allowed_hosts_item_ops = {
	.allow_link	= nvmet_allowed_hosts_allow_link,
	.drop_link	= nvmet_allowed_hosts_drop_link,
};

static const struct config_item_type nvmet_allowed_hosts_type = {
	.ct_item_ops	= &nvmet_allowed_hosts_item_ops,
	.ct_owner	= THIS_MODULE,
};

/* ------------------------------------------------------------------------
 * subsystems/<nqn> attributes. allow_any_host is configuration (under
 * nvmet_config_sem); the others are Identify data, under subsys->lock.
 * Serial, model, firmware, OUI and version are frozen once a host has read
 * them (subsys_discovered).
 */

static ssize_t nvmet_subsys_attr_allow_any_host_show(struct config_item *item,
						     char *page)
{
	return sysfs_emit(page, "%d\n", to_subsys(item)->allow_any_host);
}

static ssize_t nvmet_subsys_attr_allow_any_host_store(struct config_item *item,
						      const char *page,
						      size_t count)
{
	struct nvmet_subsys *subsys = to_subsys(item);
	ssize_t ret = count;
	bool val;

	if (kstrtobool(page, &val))
		return -EINVAL;

	down_write(&nvmet_config_sem);
	if (val && !list_empty(&subsys->hosts)) {
		pr_err("allowed_hosts has links: allow_any_host cannot be set\n");
		ret = -EINVAL;
	} else if (subsys->allow_any_host != val) {
		subsys->allow_any_host = val;
		nvmet_subsys_disc_changed(subsys, NULL);
	}
	up_write(&nvmet_config_sem);
	return ret;
}
CONFIGFS_ATTR(nvmet_subsys_, attr_allow_any_host);

static ssize_t nvmet_subsys_attr_version_show(struct config_item *item,
					      char *page)
{
	u32 ver = READ_ONCE(to_subsys(item)->ver);

	if (NVME_TERTIARY(ver))
		return sysfs_emit(page, "%u.%u.%u\n", NVME_MAJOR(ver),
				  NVME_MINOR(ver), NVME_TERTIARY(ver));
	return sysfs_emit(page, "%u.%u\n", NVME_MAJOR(ver), NVME_MINOR(ver));
}

static ssize_t nvmet_subsys_attr_version_store(struct config_item *item,
					       const char *page, size_t count)
{
	struct nvmet_subsys *subsys = to_subsys(item);
	unsigned int major, minor, tertiary = 0;
	ssize_t ret = count;
	int n;

	n = sscanf(page, "%u.%u.%u", &major, &minor, &tertiary);
	if ((n != 2 && n != 3) || major > 0xffff || minor > 0xff ||
	    tertiary > 0xff)
		return -EINVAL;

	mutex_lock(&subsys->lock);
	if (subsys->subsys_discovered) {
		pr_err("subsystem %s: version already reported to a host\n",
		       subsys->subsysnqn);
		ret = -EINVAL;
	} else if (nvmet_is_passthru_subsys(subsys)) {
		/* A passthru subsystem reports its controller's version (as in-tree). */
		ret = -EINVAL;
	} else {
		WRITE_ONCE(subsys->ver, NVME_VS(major, minor, tertiary));
	}
	mutex_unlock(&subsys->lock);
	return ret;
}
CONFIGFS_ATTR(nvmet_subsys_, attr_version);

static ssize_t nvmet_subsys_attr_serial_show(struct config_item *item,
					     char *page)
{
	struct nvmet_subsys *subsys = to_subsys(item);
	ssize_t ret;

	mutex_lock(&subsys->lock);
	ret = sysfs_emit(page, "%.*s\n", NVMET_SN_MAX_SIZE, subsys->serial);
	mutex_unlock(&subsys->lock);
	return ret;
}

static ssize_t nvmet_subsys_attr_serial_store(struct config_item *item,
					      const char *page, size_t count)
{
	struct nvmet_subsys *subsys = to_subsys(item);
	size_t len = strcspn(page, "\n");
	ssize_t ret = count;

	if (!len || len > NVMET_SN_MAX_SIZE) {
		pr_err("serial number must be 1..%d bytes\n",
		       NVMET_SN_MAX_SIZE);
		return -EINVAL;
	}
	if (!nvmet_cfs_is_ascii(page, len)) {
		pr_err("serial number must be printable ASCII\n");
		return -EINVAL;
	}

	mutex_lock(&subsys->lock);
	if (subsys->subsys_discovered) {
		pr_err("subsystem %s: serial number already reported to a host\n",
		       subsys->subsysnqn);
		ret = -EINVAL;
	} else {
		/* Space padded like the Identify field; serial[20] stays NUL. */
		memcpy_and_pad(subsys->serial, NVMET_SN_MAX_SIZE, page, len,
			       ' ');
	}
	mutex_unlock(&subsys->lock);
	return ret;
}
CONFIGFS_ATTR(nvmet_subsys_, attr_serial);

static ssize_t nvmet_subsys_attr_model_show(struct config_item *item,
					    char *page)
{
	struct nvmet_subsys *subsys = to_subsys(item);
	ssize_t ret;

	mutex_lock(&subsys->lock);
	ret = sysfs_emit(page, "%s\n", subsys->model_number ?
			 subsys->model_number : NVMET_DEFAULT_CTRL_MODEL);
	mutex_unlock(&subsys->lock);
	return ret;
}

/*
 * Replaces the string at @field with the first line of @page: 1..@max
 * printable ASCII bytes, unless a host has seen the old one already.
 */
static ssize_t nvmet_cfs_store_id_string(struct nvmet_subsys *subsys,
					 char **field, size_t max,
					 const char *what,
					 const char *page, size_t count)
{
	size_t len = strcspn(page, "\n");
	char *val;

	if (!len || len > max) {
		pr_err("%s must be 1..%zu bytes\n", what, max);
		return -EINVAL;
	}
	if (!nvmet_cfs_is_ascii(page, len))
		return -EINVAL;
	val = kmemdup_nul(page, len, GFP_KERNEL);
	if (!val)
		return -ENOMEM;

	mutex_lock(&subsys->lock);
	if (subsys->subsys_discovered) {
		mutex_unlock(&subsys->lock);
		pr_err("subsystem %s: %s already reported to a host\n",
		       subsys->subsysnqn, what);
		kfree(val);
		return -EINVAL;
	}
	swap(*field, val);
	mutex_unlock(&subsys->lock);

	kfree(val);
	return count;
}

static ssize_t nvmet_subsys_attr_model_store(struct config_item *item,
					     const char *page, size_t count)
{
	struct nvmet_subsys *subsys = to_subsys(item);

	return nvmet_cfs_store_id_string(subsys, &subsys->model_number,
					 NVMET_MN_MAX_SIZE, "model number",
					 page, count);
}
CONFIGFS_ATTR(nvmet_subsys_, attr_model);

static ssize_t nvmet_subsys_attr_firmware_show(struct config_item *item,
					       char *page)
{
	struct nvmet_subsys *subsys = to_subsys(item);
	ssize_t ret;

	mutex_lock(&subsys->lock);
	if (subsys->firmware_rev)
		ret = sysfs_emit(page, "%s\n", subsys->firmware_rev);
	else
		ret = sysfs_emit(page, "%.*s\n", NVMET_FR_MAX_SIZE,
				 UTS_RELEASE);
	mutex_unlock(&subsys->lock);
	return ret;
}

static ssize_t nvmet_subsys_attr_firmware_store(struct config_item *item,
						const char *page, size_t count)
{
	struct nvmet_subsys *subsys = to_subsys(item);

	return nvmet_cfs_store_id_string(subsys, &subsys->firmware_rev,
					 NVMET_FR_MAX_SIZE,
					 "firmware revision", page, count);
}
CONFIGFS_ATTR(nvmet_subsys_, attr_firmware);

static ssize_t nvmet_subsys_attr_ieee_oui_show(struct config_item *item,
					       char *page)
{
	return sysfs_emit(page, "0x%06x\n", READ_ONCE(to_subsys(item)->ieee_oui));
}

static ssize_t nvmet_subsys_attr_ieee_oui_store(struct config_item *item,
						const char *page, size_t count)
{
	struct nvmet_subsys *subsys = to_subsys(item);
	ssize_t ret = count;
	u32 oui;
	int err;

	err = kstrtou32(page, 0, &oui);
	if (err)
		return err;
	if (oui > 0xffffff)
		return -EINVAL;

	mutex_lock(&subsys->lock);
	if (subsys->subsys_discovered) {
		pr_err("subsystem %s: IEEE OUI already reported to a host\n",
		       subsys->subsysnqn);
		ret = -EINVAL;
	} else {
		WRITE_ONCE(subsys->ieee_oui, oui);
	}
	mutex_unlock(&subsys->lock);
	return ret;
}
CONFIGFS_ATTR(nvmet_subsys_, attr_ieee_oui);

static ssize_t nvmet_subsys_attr_cntlid_min_show(struct config_item *item,
						 char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(to_subsys(item)->cntlid_min));
}

static ssize_t nvmet_subsys_attr_cntlid_min_store(struct config_item *item,
						  const char *page,
						  size_t count)
{
	struct nvmet_subsys *subsys = to_subsys(item);
	ssize_t ret = count;
	u16 val;

	if (kstrtou16(page, 10, &val) || val < NVMET_CNTLID_MIN ||
	    val > NVMET_CNTLID_MAX)
		return -EINVAL;

	mutex_lock(&subsys->lock);
	if (val > subsys->cntlid_max)
		ret = -EINVAL;
	else
		WRITE_ONCE(subsys->cntlid_min, val);
	mutex_unlock(&subsys->lock);
	return ret;
}
CONFIGFS_ATTR(nvmet_subsys_, attr_cntlid_min);

static ssize_t nvmet_subsys_attr_cntlid_max_show(struct config_item *item,
						 char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(to_subsys(item)->cntlid_max));
}

static ssize_t nvmet_subsys_attr_cntlid_max_store(struct config_item *item,
						  const char *page,
						  size_t count)
{
	struct nvmet_subsys *subsys = to_subsys(item);
	ssize_t ret = count;
	u16 val;

	if (kstrtou16(page, 10, &val) || val < NVMET_CNTLID_MIN ||
	    val > NVMET_CNTLID_MAX)
		return -EINVAL;

	mutex_lock(&subsys->lock);
	if (val < subsys->cntlid_min)
		ret = -EINVAL;
	else
		WRITE_ONCE(subsys->cntlid_max, val);
	mutex_unlock(&subsys->lock);
	return ret;
}
CONFIGFS_ATTR(nvmet_subsys_, attr_cntlid_max);

static ssize_t nvmet_subsys_attr_vendor_id_show(struct config_item *item,
						char *page)
{
	return sysfs_emit(page, "0x%x\n", READ_ONCE(to_subsys(item)->vendor_id));
}

static ssize_t nvmet_subsys_attr_vendor_id_store(struct config_item *item,
						 const char *page, size_t count)
{
	struct nvmet_subsys *subsys = to_subsys(item);
	u16 val;

	if (kstrtou16(page, 0, &val))
		return -EINVAL;

	mutex_lock(&subsys->lock);
	WRITE_ONCE(subsys->vendor_id, val);
	mutex_unlock(&subsys->lock);
	return count;
}
CONFIGFS_ATTR(nvmet_subsys_, attr_vendor_id);

static ssize_t nvmet_subsys_attr_subsys_vendor_id_show(struct config_item *item,
						       char *page)
{
	return sysfs_emit(page, "0x%x\n",
			  READ_ONCE(to_subsys(item)->subsys_vendor_id));
}

static ssize_t nvmet_subsys_attr_subsys_vendor_id_store(struct config_item *item,
							const char *page,
							size_t count)
{
	struct nvmet_subsys *subsys = to_subsys(item);
	u16 val;

	if (kstrtou16(page, 0, &val))
		return -EINVAL;

	mutex_lock(&subsys->lock);
	WRITE_ONCE(subsys->subsys_vendor_id, val);
	mutex_unlock(&subsys->lock);
	return count;
}
CONFIGFS_ATTR(nvmet_subsys_, attr_subsys_vendor_id);

static ssize_t nvmet_subsys_attr_qid_max_show(struct config_item *item,
					      char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(to_subsys(item)->max_qid));
}

static ssize_t nvmet_subsys_attr_qid_max_store(struct config_item *item,
					       const char *page, size_t count)
{
	struct nvmet_subsys *subsys = to_subsys(item);
	u16 val;

	if (kstrtou16(page, 10, &val) || val < 1 || val > NVMET_NR_QUEUES)
		return -EINVAL;

	mutex_lock(&subsys->lock);
	WRITE_ONCE(subsys->max_qid, val);
	mutex_unlock(&subsys->lock);

	/* Existing controllers reconnect to pick the new queue count up. */
	nvmet_subsys_del_ctrls(subsys);
	return count;
}
CONFIGFS_ATTR(nvmet_subsys_, attr_qid_max);

#ifdef CONFIG_BLK_DEV_INTEGRITY
static ssize_t nvmet_subsys_attr_pi_enable_show(struct config_item *item,
						char *page)
{
	return sysfs_emit(page, "%d\n", to_subsys(item)->pi_support);
}

static ssize_t nvmet_subsys_attr_pi_enable_store(struct config_item *item,
						 const char *page, size_t count)
{
	struct nvmet_subsys *subsys = to_subsys(item);
	bool val;

	if (kstrtobool(page, &val))
		return -EINVAL;

	mutex_lock(&subsys->lock);
	subsys->pi_support = val;
	mutex_unlock(&subsys->lock);
	return count;
}
CONFIGFS_ATTR(nvmet_subsys_, attr_pi_enable);
#endif

static struct configfs_attribute *nvmet_subsys_attrs[] = {
	&nvmet_subsys_attr_attr_allow_any_host,
	&nvmet_subsys_attr_attr_version,
	&nvmet_subsys_attr_attr_serial,
	&nvmet_subsys_attr_attr_cntlid_min,
	&nvmet_subsys_attr_attr_cntlid_max,
	&nvmet_subsys_attr_attr_vendor_id,
	&nvmet_subsys_attr_attr_subsys_vendor_id,
	&nvmet_subsys_attr_attr_model,
	&nvmet_subsys_attr_attr_qid_max,
	&nvmet_subsys_attr_attr_ieee_oui,
	&nvmet_subsys_attr_attr_firmware,
#ifdef CONFIG_BLK_DEV_INTEGRITY
	&nvmet_subsys_attr_attr_pi_enable,
#endif
	NULL,
};

/* configfs's reference is the last but the controllers' ones. */
static void nvmet_subsys_release(struct config_item *item)
{
	nvmet_subsys_put(to_subsys(item));
}

static struct configfs_item_operations nvmet_subsys_item_ops = {
	.release	= nvmet_subsys_release,
};

static const struct config_item_type nvmet_subsys_type = {
	.ct_item_ops	= &nvmet_subsys_item_ops,
	.ct_attrs	= nvmet_subsys_attrs,
	.ct_owner	= THIS_MODULE,
};

/*
 * subsystems/<nqn>/passthru: the in-tree target's attributes; enable exports
 * the NVMe controller of device_path whole (passthru.c).
 */
static struct nvmet_subsys *passthru_to_subsys(struct config_item *item)
{
	return to_subsys(item->ci_parent);
}

static ssize_t nvmet_passthru_device_path_show(struct config_item *item, char *page)
{
	struct nvmet_subsys *subsys = passthru_to_subsys(item);
	ssize_t ret;

	mutex_lock(&subsys->lock);
	ret = sysfs_emit(page, "%s\n", subsys->passthru_ctrl_path ?: "(null)");
	mutex_unlock(&subsys->lock);
	return ret;
}

static ssize_t nvmet_passthru_device_path_store(struct config_item *item,
						const char *page, size_t count)
{
	struct nvmet_subsys *subsys = passthru_to_subsys(item);
	size_t len = strcspn(page, "\n");
	char *path;

	if (!len)
		return -EINVAL;
	path = kstrndup(page, len, GFP_KERNEL);
	if (!path)
		return -ENOMEM;
	mutex_lock(&subsys->lock);
	if (nvmet_is_passthru_subsys(subsys)) {
		mutex_unlock(&subsys->lock);
		kfree(path);
		return -EBUSY;
	}
	kfree(subsys->passthru_ctrl_path);
	subsys->passthru_ctrl_path = path;
	mutex_unlock(&subsys->lock);
	return count;
}
CONFIGFS_ATTR(nvmet_passthru_, device_path);

static ssize_t nvmet_passthru_enable_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", nvmet_is_passthru_subsys(passthru_to_subsys(item)));
}

static ssize_t nvmet_passthru_enable_store(struct config_item *item,
					   const char *page, size_t count)
{
	struct nvmet_subsys *subsys = passthru_to_subsys(item);
	bool enable;
	int ret = 0;

	if (kstrtobool(page, &enable))
		return -EINVAL;
	if (enable)
		ret = nvmet_passthru_enable(subsys);
	else
		nvmet_passthru_disable(subsys);
	return ret ?: count;
}
CONFIGFS_ATTR(nvmet_passthru_, enable);

static ssize_t nvmet_passthru_admin_timeout_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", passthru_to_subsys(item)->passthru_admin_timeout);
}

static ssize_t nvmet_passthru_admin_timeout_store(struct config_item *item,
						  const char *page, size_t count)
{
	unsigned int timeout;

	if (kstrtouint(page, 0, &timeout))
		return -EINVAL;
	passthru_to_subsys(item)->passthru_admin_timeout = timeout;
	return count;
}
CONFIGFS_ATTR(nvmet_passthru_, admin_timeout);

static ssize_t nvmet_passthru_io_timeout_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", passthru_to_subsys(item)->passthru_io_timeout);
}

static ssize_t nvmet_passthru_io_timeout_store(struct config_item *item,
					       const char *page, size_t count)
{
	unsigned int timeout;

	if (kstrtouint(page, 0, &timeout))
		return -EINVAL;
	passthru_to_subsys(item)->passthru_io_timeout = timeout;
	return count;
}
CONFIGFS_ATTR(nvmet_passthru_, io_timeout);

static ssize_t nvmet_passthru_clear_ids_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", passthru_to_subsys(item)->passthru_clear_ids);
}

static ssize_t nvmet_passthru_clear_ids_store(struct config_item *item,
					      const char *page, size_t count)
{
	bool clear_ids;

	if (kstrtobool(page, &clear_ids))
		return -EINVAL;
	passthru_to_subsys(item)->passthru_clear_ids = clear_ids;
	return count;
}
CONFIGFS_ATTR(nvmet_passthru_, clear_ids);

/* Beyond in-tree: 1 forwards the admin commands in-tree refuses (passthru.c). */
static ssize_t nvmet_passthru_forward_all_admin_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n",
			  READ_ONCE(passthru_to_subsys(item)->passthru_forward_all_admin));
}

static ssize_t nvmet_passthru_forward_all_admin_store(struct config_item *item,
						      const char *page, size_t count)
{
	bool all;

	if (kstrtobool(page, &all))
		return -EINVAL;
	WRITE_ONCE(passthru_to_subsys(item)->passthru_forward_all_admin, all);
	return count;
}
CONFIGFS_ATTR(nvmet_passthru_, forward_all_admin);

static struct configfs_attribute *nvmet_passthru_attrs[] = {
	&nvmet_passthru_attr_device_path,
	&nvmet_passthru_attr_enable,
	&nvmet_passthru_attr_admin_timeout,
	&nvmet_passthru_attr_io_timeout,
	&nvmet_passthru_attr_clear_ids,
	&nvmet_passthru_attr_forward_all_admin,
	NULL,
};

static const struct config_item_type nvmet_passthru_type = {
	.ct_attrs	= nvmet_passthru_attrs,
	.ct_owner	= THIS_MODULE,
};

static struct config_group *nvmet_subsys_make(struct config_group *group,
					      const char *name)
{
	struct nvmet_subsys *subsys;

	if (strlen(name) > NVMF_NQN_SIZE) {
		pr_err("subsystem NQN longer than %d bytes\n", NVMF_NQN_SIZE);
		return ERR_PTR(-EINVAL);
	}
	if (sysfs_streq(name, NVME_DISC_SUBSYS_NAME)) {
		pr_err("the discovery subsystem cannot be created here\n");
		return ERR_PTR(-EINVAL);
	}
	/* configfs holds su_mutex, as discovery_nqn's writer does. */
	if (nvmet_disc_subsys && sysfs_streq(name, nvmet_disc_subsys->subsysnqn)) {
		pr_err("%s is the discovery NQN\n", name);
		return ERR_PTR(-EINVAL);
	}

	subsys = nvmet_subsys_alloc(name, NVME_NQN_NVME);
	if (IS_ERR_OR_NULL(subsys))
		return ERR_PTR(subsys ? PTR_ERR(subsys) : -ENOMEM);

	config_group_init_type_name(&subsys->group, name, &nvmet_subsys_type);

	config_group_init_type_name(&subsys->namespaces_group, "namespaces",
				    &nvmet_namespaces_type);
	configfs_add_default_group(&subsys->namespaces_group, &subsys->group);

	config_group_init_type_name(&subsys->allowed_hosts_group,
				    "allowed_hosts", &nvmet_allowed_hosts_type);
	configfs_add_default_group(&subsys->allowed_hosts_group,
				   &subsys->group);

	config_group_init_type_name(&subsys->passthru_group, "passthru",
				    &nvmet_passthru_type);
	configfs_add_default_group(&subsys->passthru_group, &subsys->group);

	return &subsys->group;
}

/* rmdir: the subsystem's controllers go now; the memory at release. */
static void nvmet_subsys_drop(struct config_group *group,
			      struct config_item *item)
{
	nvmet_passthru_disable(to_subsys(item));
	nvmet_subsys_del_ctrls(to_subsys(item));
	config_item_put(item);
}

static struct configfs_group_operations nvmet_subsystems_group_ops = {
	.make_group	= nvmet_subsys_make,
	.drop_item	= nvmet_subsys_drop,
};

static const struct config_item_type nvmet_subsystems_type = {
	.ct_group_ops	= &nvmet_subsystems_group_ops,
	.ct_owner	= THIS_MODULE,
};

/* ------------------------------------------------------------------------
 * ports/<portid>/referrals/<name>: other discovery services to point hosts
 * to. A referral is a bare nvmet_port; discovery.c links it into its
 * parent's list while it is enabled.
 */

static ssize_t nvmet_referral_enable_show(struct config_item *item,
					  char *page)
{
	return sysfs_emit(page, "%d\n", READ_ONCE(to_nvmet_port(item)->enabled));
}

static ssize_t nvmet_referral_enable_store(struct config_item *item,
					   const char *page, size_t count)
{
	struct nvmet_port *parent = container_of(to_config_group(item->ci_parent),
						 struct nvmet_port,
						 referrals_group);
	struct nvmet_port *port = to_nvmet_port(item);
	bool enable;

	if (kstrtobool(page, &enable)) {
		pr_err("invalid referral enable value\n");
		return -EINVAL;
	}

	if (enable)
		nvmet_referral_enable(parent, port);
	else
		nvmet_referral_disable(parent, port);
	return count;
}
CONFIGFS_ATTR(nvmet_referral_, enable);

static struct configfs_attribute *nvmet_referral_attrs[] = {
	&nvmet_attr_addr_adrfam,
	&nvmet_attr_addr_portid,
	&nvmet_attr_addr_treq,
	&nvmet_attr_addr_traddr,
	&nvmet_attr_addr_trsvcid,
	&nvmet_attr_addr_trtype,
	&nvmet_referral_attr_enable,
	NULL,
};

static void nvmet_referral_release(struct config_item *item)
{
	kfree(to_nvmet_port(item));
}

static struct configfs_item_operations nvmet_referral_item_ops = {
	.release	= nvmet_referral_release,
};

static const struct config_item_type nvmet_referral_type = {
	.ct_item_ops	= &nvmet_referral_item_ops,
	.ct_attrs	= nvmet_referral_attrs,
	.ct_owner	= THIS_MODULE,
};

static struct config_group *nvmet_referral_make(struct config_group *group,
						const char *name)
{
	struct nvmet_port *port;

	port = kzalloc_obj(*port);
	if (!port)
		return ERR_PTR(-ENOMEM);

	INIT_LIST_HEAD(&port->global_entry);
	INIT_LIST_HEAD(&port->entry);
	INIT_LIST_HEAD(&port->subsystems);
	INIT_LIST_HEAD(&port->referrals);
	port->disc_addr.trtype = NVMF_TRTYPE_MAX;
	port->inline_data_size = -1;
	port->max_queue_size = -1;
	port->mdts = -1;
	config_group_init_type_name(&port->group, name, &nvmet_referral_type);
	return &port->group;
}

/* rmdir: withdraw the referral from the discovery log first. */
static void nvmet_referral_drop(struct config_group *group,
				struct config_item *item)
{
	struct nvmet_port *parent =
		container_of(group, struct nvmet_port, referrals_group);

	nvmet_referral_disable(parent, to_nvmet_port(item));
	config_item_put(item);
}

static struct configfs_group_operations nvmet_referrals_group_ops = {
	.make_group	= nvmet_referral_make,
	.drop_item	= nvmet_referral_drop,
};

static const struct config_item_type nvmet_referrals_type = {
	.ct_group_ops	= &nvmet_referrals_group_ops,
	.ct_owner	= THIS_MODULE,
};

/* ------------------------------------------------------------------------
 * ports/<portid>/ana_groups/<grpid>: the port's ANA state of each group.
 * Group 1 is part of the port; groups 2..NVMET_MAX_ANAGRPS are made by
 * mkdir and count in nvmet_ana_group_enabled while they exist.
 */

static const struct nvmet_cfs_name nvmet_cfs_ana_states[] = {
	{ NVME_ANA_OPTIMIZED,		"optimized" },
	{ NVME_ANA_NONOPTIMIZED,	"non-optimized" },
	{ NVME_ANA_INACCESSIBLE,	"inaccessible" },
	{ NVME_ANA_PERSISTENT_LOSS,	"persistent-loss" },
	{ NVME_ANA_CHANGE,		"change" },
};

static inline struct nvmet_ana_group *to_ana_group(struct config_item *item)
{
	return container_of(to_config_group(item), struct nvmet_ana_group,
			    group);
}

static ssize_t nvmet_ana_group_ana_state_show(struct config_item *item,
					      char *page)
{
	struct nvmet_ana_group *grp = to_ana_group(item);
	enum nvme_ana_state state;

	down_read(&nvmet_ana_sem);
	state = grp->port->ana_state[grp->grpid];
	up_read(&nvmet_ana_sem);

	return sysfs_emit(page, "%s\n",
			  nvmet_cfs_find_value(nvmet_cfs_ana_states,
					       ARRAY_SIZE(nvmet_cfs_ana_states),
					       state));
}

static ssize_t nvmet_ana_group_ana_state_store(struct config_item *item,
					       const char *page, size_t count)
{
	struct nvmet_ana_group *grp = to_ana_group(item);
	const struct nvmet_cfs_name *n;

	n = nvmet_cfs_find_name(nvmet_cfs_ana_states,
				ARRAY_SIZE(nvmet_cfs_ana_states), page);
	if (!n) {
		pr_err("invalid ana_state value\n");
		return -EINVAL;
	}

	down_write(&nvmet_ana_sem);
	WRITE_ONCE(grp->port->ana_state[grp->grpid], n->value);
	nvmet_ana_chgcnt++;
	up_write(&nvmet_ana_sem);

	nvmet_port_send_ana_event(grp->port);
	return count;
}
CONFIGFS_ATTR(nvmet_ana_group_, ana_state);

static struct configfs_attribute *nvmet_ana_group_attrs[] = {
	&nvmet_ana_group_attr_ana_state,
	NULL,
};

static void nvmet_ana_group_release(struct config_item *item)
{
	struct nvmet_ana_group *grp = to_ana_group(item);

	/* The default group is embedded in its port. */
	if (grp != &grp->port->ana_default_group)
		kfree(grp);
}

static struct configfs_item_operations nvmet_ana_group_item_ops = {
	.release	= nvmet_ana_group_release,
};

static const struct config_item_type nvmet_ana_group_type = {
	.ct_item_ops	= &nvmet_ana_group_item_ops,
	.ct_attrs	= nvmet_ana_group_attrs,
	.ct_owner	= THIS_MODULE,
};

static struct config_group *nvmet_ana_groups_make(struct config_group *group,
						  const char *name)
{
	struct nvmet_port *port =
		container_of(group, struct nvmet_port, ana_groups_group);
	struct nvmet_ana_group *grp;
	struct config_item *child;
	u32 grpid;

	if (kstrtou32(name, 0, &grpid))
		return ERR_PTR(-EINVAL);
	if (grpid <= NVMET_DEFAULT_ANA_GRPID || grpid > NVMET_MAX_ANAGRPS)
		return ERR_PTR(-EINVAL);
	grpid = array_index_nospec(grpid, NVMET_MAX_ANAGRPS + 1);

	/* "2" and "0x2" name the same group; configfs holds su_mutex. */
	list_for_each_entry(child, &group->cg_children, ci_entry)
		if (to_ana_group(child)->grpid == grpid)
			return ERR_PTR(-EEXIST);

	grp = kzalloc_obj(*grp);
	if (!grp)
		return ERR_PTR(-ENOMEM);
	grp->port = port;
	grp->grpid = grpid;

	down_write(&nvmet_ana_sem);
	WRITE_ONCE(port->ana_state[grpid], NVME_ANA_INACCESSIBLE);
	nvmet_ana_group_enabled[grpid]++;
	nvmet_ana_chgcnt++;
	up_write(&nvmet_ana_sem);
	nvmet_port_send_ana_event(port);

	config_group_init_type_name(&grp->group, name, &nvmet_ana_group_type);
	return &grp->group;
}

/* rmdir: the group leaves the ANA log now; the memory goes at release. */
static void nvmet_ana_groups_drop(struct config_group *group,
				  struct config_item *item)
{
	struct nvmet_ana_group *grp = to_ana_group(item);

	down_write(&nvmet_ana_sem);
	WRITE_ONCE(grp->port->ana_state[grp->grpid], NVME_ANA_INACCESSIBLE);
	nvmet_ana_group_enabled[grp->grpid]--;
	nvmet_ana_chgcnt++;
	up_write(&nvmet_ana_sem);
	nvmet_port_send_ana_event(grp->port);

	config_item_put(item);
}

static struct configfs_group_operations nvmet_ana_groups_group_ops = {
	.make_group	= nvmet_ana_groups_make,
	.drop_item	= nvmet_ana_groups_drop,
};

static const struct config_item_type nvmet_ana_groups_type = {
	.ct_group_ops	= &nvmet_ana_groups_group_ops,
	.ct_owner	= THIS_MODULE,
};

/* ------------------------------------------------------------------------
 * ports/<portid>
 */

static struct configfs_attribute *nvmet_port_attrs[] = {
	&nvmet_attr_addr_adrfam,
	&nvmet_attr_addr_treq,
	&nvmet_attr_addr_traddr,
	&nvmet_attr_addr_trsvcid,
	&nvmet_attr_addr_trtype,
	&nvmet_attr_addr_tsas,
	&nvmet_attr_param_inline_data_size,
	&nvmet_attr_param_max_queue_size,
	&nvmet_attr_param_mdts,
#ifdef CONFIG_BLK_DEV_INTEGRITY
	&nvmet_attr_param_pi_enable,
#endif
	NULL,
};

static void nvmet_port_release(struct config_item *item)
{
	struct nvmet_port *port = to_nvmet_port(item);

	/* Controllers and queues made through it may outlive the directory. */
	nvmet_port_put(port);
}

static struct configfs_item_operations nvmet_port_item_ops = {
	.release	= nvmet_port_release,
};

static const struct config_item_type nvmet_port_type = {
	.ct_item_ops	= &nvmet_port_item_ops,
	.ct_attrs	= nvmet_port_attrs,
	.ct_owner	= THIS_MODULE,
};

static struct config_group *nvmet_ports_make(struct config_group *group,
					     const char *name)
{
	struct nvmet_port *port;
	u16 portid;
	u32 i;

	if (kstrtou16(name, 0, &portid))
		return ERR_PTR(-EINVAL);

	port = nvmet_port_alloc();
	if (!port)
		return ERR_PTR(-ENOMEM);
	for (i = 1; i <= NVMET_MAX_ANAGRPS; i++)
		port->ana_state[i] = NVME_ANA_INACCESSIBLE;
	port->ana_state[NVMET_DEFAULT_ANA_GRPID] = NVME_ANA_OPTIMIZED;

	INIT_LIST_HEAD(&port->entry);
	INIT_LIST_HEAD(&port->subsystems);
	INIT_LIST_HEAD(&port->referrals);
	/* Negative: the transport picks its own default. */
	port->inline_data_size = -1;
	port->max_queue_size = -1;
	port->mdts = -1;

	port->disc_addr.trtype = NVMF_TRTYPE_MAX;
	port->disc_addr.adrfam = NVMF_ADDR_FAMILY_MAX;
	port->disc_addr.portid = cpu_to_le16(portid);
	port->disc_addr.treq = NVMF_TREQ_DISABLE_SQFLOW;
	port->keyring = nvmet_cfs_port_keyring();

	config_group_init_type_name(&port->group, name, &nvmet_port_type);

	config_group_init_type_name(&port->subsys_group, "subsystems",
				    &nvmet_port_subsys_type);
	configfs_add_default_group(&port->subsys_group, &port->group);

	config_group_init_type_name(&port->referrals_group, "referrals",
				    &nvmet_referrals_type);
	configfs_add_default_group(&port->referrals_group, &port->group);

	config_group_init_type_name(&port->ana_groups_group, "ana_groups",
				    &nvmet_ana_groups_type);
	configfs_add_default_group(&port->ana_groups_group, &port->group);

	port->ana_default_group.port = port;
	port->ana_default_group.grpid = NVMET_DEFAULT_ANA_GRPID;
	config_group_init_type_name(&port->ana_default_group.group,
				    __stringify(NVMET_DEFAULT_ANA_GRPID),
				    &nvmet_ana_group_type);
	configfs_add_default_group(&port->ana_default_group.group,
				   &port->ana_groups_group);

	down_write(&nvmet_config_sem);
	list_add_tail(&port->global_entry, &nvmet_ports_list);
	up_write(&nvmet_config_sem);

	return &port->group;
}

/*
 * rmdir: configfs refuses it while subsystems are linked or referrals and
 * ANA groups exist, so the port is disabled by now.
 */
static void nvmet_ports_drop(struct config_group *group,
			     struct config_item *item)
{
	struct nvmet_port *port = to_nvmet_port(item);

	down_write(&nvmet_config_sem);
	list_del_init(&port->global_entry);
	if (port->enabled)
		nvmet_disable_port(port);
	up_write(&nvmet_config_sem);
	config_item_put(item);
}

static struct configfs_group_operations nvmet_ports_group_ops = {
	.make_group	= nvmet_ports_make,
	.drop_item	= nvmet_ports_drop,
};

static const struct config_item_type nvmet_ports_type = {
	.ct_group_ops	= &nvmet_ports_group_ops,
	.ct_owner	= THIS_MODULE,
};

/* ------------------------------------------------------------------------
 * hosts/<hostnqn>: a host NQN to link into allowed_hosts, and its
 * DH-HMAC-CHAP settings (auth.c checks and keeps them). The two secrets are
 * readable by root only; the in-tree target makes them world-readable.
 */

/* show and store of an attribute auth.c keeps: SET_FN and SHOW_FN take ARG. */
#define NVMET_HOST_AUTH_ATTR_FNS(_name, set_fn, show_fn, arg)			\
static const bool nvmet_host_##_name##_arg = (arg);				\
static ssize_t nvmet_host_##_name##_show(struct config_item *item, char *page)	\
{										\
	return show_fn(to_host(item), page, nvmet_host_##_name##_arg);		\
}										\
static ssize_t nvmet_host_##_name##_store(struct config_item *item,		\
					  const char *page, size_t count)	\
{										\
	int ret = set_fn(to_host(item), page, nvmet_host_##_name##_arg);	\
										\
	return ret ? ret : count;						\
}

NVMET_HOST_AUTH_ATTR_FNS(dhchap_key, nvmet_auth_set_secret, nvmet_auth_show_secret, false)
NVMET_HOST_AUTH_ATTR_FNS(dhchap_ctrl_key, nvmet_auth_set_secret, nvmet_auth_show_secret, true)
NVMET_HOST_AUTH_ATTR_FNS(dhchap_hash, nvmet_auth_set_param, nvmet_auth_show_param, false)
NVMET_HOST_AUTH_ATTR_FNS(dhchap_dhgroup, nvmet_auth_set_param, nvmet_auth_show_param, true)

/* A secret: owner read and write only. */
#define NVMET_HOST_SECRET_ATTR(_name)					\
static struct configfs_attribute nvmet_host_attr_##_name = {		\
	.ca_name	= __stringify(_name),				\
	.ca_mode	= 0600,						\
	.ca_owner	= THIS_MODULE,					\
	.show		= nvmet_host_##_name##_show,			\
	.store		= nvmet_host_##_name##_store,			\
}

NVMET_HOST_SECRET_ATTR(dhchap_key);
NVMET_HOST_SECRET_ATTR(dhchap_ctrl_key);
CONFIGFS_ATTR(nvmet_host_, dhchap_hash);
CONFIGFS_ATTR(nvmet_host_, dhchap_dhgroup);

static struct configfs_attribute *nvmet_host_attrs[] = {
	&nvmet_host_attr_dhchap_key,
	&nvmet_host_attr_dhchap_ctrl_key,
	&nvmet_host_attr_dhchap_hash,
	&nvmet_host_attr_dhchap_dhgroup,
	NULL,
};

static void nvmet_host_release(struct config_item *item)
{
	struct nvmet_host *host = to_host(item);

	nvmet_auth_host_free(host);
	kfree(host);
}

static struct configfs_item_operations nvmet_host_item_ops = {
	.release	= nvmet_host_release,
};

static const struct config_item_type nvmet_host_type = {
	.ct_item_ops	= &nvmet_host_item_ops,
	.ct_attrs	= nvmet_host_attrs,
	.ct_owner	= THIS_MODULE,
};

static struct config_group *nvmet_hosts_make(struct config_group *group,
					     const char *name)
{
	struct nvmet_host *host;

	host = kzalloc_obj(*host);
	if (!host)
		return ERR_PTR(-ENOMEM);
	nvmet_auth_host_init(host);
	config_group_init_type_name(&host->group, name, &nvmet_host_type);
	return &host->group;
}

static struct configfs_group_operations nvmet_hosts_group_ops = {
	.make_group	= nvmet_hosts_make,
};

static const struct config_item_type nvmet_hosts_type = {
	.ct_group_ops	= &nvmet_hosts_group_ops,
	.ct_owner	= THIS_MODULE,
};

/* ------------------------------------------------------------------------
 * The root: discovery_nqn and the three top directories.
 */

static struct configfs_subsystem nvmet_configfs_subsystem;

static ssize_t nvmet_root_discovery_nqn_show(struct config_item *item,
					     char *page)
{
	ssize_t ret;

	down_read(&nvmet_config_sem);
	ret = sysfs_emit(page, "%s\n", nvmet_disc_subsys ?
			 nvmet_disc_subsys->subsysnqn : "");
	up_read(&nvmet_config_sem);
	return ret;
}

static ssize_t nvmet_root_discovery_nqn_store(struct config_item *item,
					      const char *page, size_t count)
{
	size_t len = strcspn(page, "\n");
	struct config_item *child;
	char *nqn;
	int ret = 0;

	if (!len || len > NVMF_NQN_FIELD_LEN - 1)
		return -EINVAL;
	nqn = kmemdup_nul(page, len, GFP_KERNEL);
	if (!nqn)
		return -ENOMEM;

	/* su_mutex keeps subsystems/ from changing while it is searched. */
	mutex_lock(&nvmet_configfs_subsystem.su_mutex);
	list_for_each_entry(child, &nvmet_subsystems_group.cg_children,
			    ci_entry) {
		if (!strcmp(config_item_name(child), nqn)) {
			pr_err("subsystem %s already uses this NQN\n", nqn);
			ret = -EINVAL;
			break;
		}
	}
	if (!ret) {
		down_write(&nvmet_config_sem);
		if (nvmet_disc_subsys)
			swap(nvmet_disc_subsys->subsysnqn, nqn);
		else
			ret = -ENODEV;
		up_write(&nvmet_config_sem);
	}
	mutex_unlock(&nvmet_configfs_subsystem.su_mutex);

	kfree(nqn);	/* the old NQN, or the refused one */
	return ret ? ret : count;
}
CONFIGFS_ATTR(nvmet_root_, discovery_nqn);

static struct configfs_attribute *nvmet_root_attrs[] = {
	&nvmet_root_attr_discovery_nqn,
	NULL,
};

static const struct config_item_type nvmet_root_type = {
	.ct_attrs	= nvmet_root_attrs,
	.ct_owner	= THIS_MODULE,
};

static struct configfs_subsystem nvmet_configfs_subsystem = {
	.su_group = {
		.cg_item = {
			.ci_namebuf	= "nvmet",
			.ci_type	= &nvmet_root_type,
		},
	},
};

int nvmet_init_configfs(void)
{
	struct config_group *root = &nvmet_configfs_subsystem.su_group;
	int ret;

	config_group_init(root);
	mutex_init(&nvmet_configfs_subsystem.su_mutex);

	config_group_init_type_name(&nvmet_subsystems_group, "subsystems",
				    &nvmet_subsystems_type);
	configfs_add_default_group(&nvmet_subsystems_group, root);

	config_group_init_type_name(&nvmet_ports_group, "ports",
				    &nvmet_ports_type);
	configfs_add_default_group(&nvmet_ports_group, root);

	config_group_init_type_name(&nvmet_hosts_group, "hosts",
				    &nvmet_hosts_type);
	configfs_add_default_group(&nvmet_hosts_group, root);

	ret = configfs_register_subsystem(&nvmet_configfs_subsystem);
	if (ret)
		pr_err("cannot register the nvmet configfs tree: %d\n", ret);
	return ret;
}

void nvmet_exit_configfs(void)
{
	configfs_unregister_subsystem(&nvmet_configfs_subsystem);
}
