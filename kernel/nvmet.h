/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmet-oot: the target core's objects and the contract between its files
 * and the transports (tcp.c, ...). A file of the core calls only into files
 * on lower floors (docs/architecture.md; tests/style/layers checks it):
 *   7  main.c                       module init and exit
 *   6  configfs.c, req.c            configuration; the capsule entry point
 *   5  admin-cmd.c, discovery.c,    admin commands that differ by controller kind;
 *      passthru.c                   passthru: a whole NVMe controller exported
 *   4  ctrl-cmd.c                   the admin parser, commands all controllers have
 *   3  io-cmd.c, fabrics-cmd.c      the NVM command set; Connect and Fabrics commands
 *   2  auth.c, netlink.c, pr.c,     DH-HMAC-CHAP, events and dumps, reservations,
 *      io-cmd-bdev.c, io-cmd-file.c the backends (struct nvmet_backend_ops)
 *   1  core.c                       objects, queues, completion
 *   0  trace.c, wire/               tracepoints, pure wire checks
 * Calls that would go up use an ops table. The declarations at the end are
 * grouped by the file that defines them.
 *
 * Object model (NVMe terms):
 *   subsys  an NVM subsystem (or the discovery subsystem); has namespaces,
 *           allowed hosts and controllers
 *   ns      a namespace of a subsystem, backed by a block device or a file
 *           (a passthru subsystem has none: the NVMe controller's are its)
 *   port    a transport address the target listens on; subsystems are linked
 *           to ports
 *   host    a host NQN that subsystems may allow
 *   ctrl    a controller: created by an admin-queue Connect from one host to
 *           one subsystem through one port (dynamic controller model)
 *   sq/cq   a queue pair of a controller; the transport embeds them in its
 *           queue structure
 *   req     one command: SQE in, CQE out, data in between
 *
 * Request life cycle (docs/architecture.md): the transport fills req->cmd,
 * points req->cqe at its CQE buffer, sets req->port (and req->cq if it has
 * one), then
 *   nvmet_req_init()     checks the SQE and picks a handler (parse); on error
 *                        it completes the request itself and returns false
 *   (transport moves host-to-controller data, sized req->transfer_len)
 *   req->execute(req)    runs the command
 *   nvmet_req_complete() exactly once, last: fills the CQE and hands it to
 *                        ops->queue_response(); the request is the
 *                        transport's again after that call
 * A transport that cannot move the data after a successful init answers the
 * command with nvmet_req_complete(req, error status); one that drops the
 * command without answering (queue teardown) calls nvmet_req_uninit() instead.
 */
#ifndef NVMET_H
#define NVMET_H

#include <linux/blkdev.h>
#include <linux/configfs.h>
#include <linux/completion.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/nvme.h>
#include <linux/percpu-refcount.h>
#include <linux/rwsem.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/srcu.h>
#include <linux/types.h>
#include <linux/uuid.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <linux/fs.h>
#include <linux/bio.h>
#include <linux/bvec.h>
#include <linux/key.h>
#include <linux/socket.h>

#include "uapi/nvmet-genl.h"

#define NVMET_DEFAULT_VS		NVME_VS(2, 1, 0)

#define NVMET_MAX_NAMESPACES		1024
#define NVMET_NR_QUEUES			128	/* I/O queues per controller, max */
#define NVMET_AQ_DEPTH			32	/* admin queue entries */
#define NVMET_MIN_QUEUE_SIZE		16
#define NVMET_MAX_QUEUE_SIZE		1024
#define NVMET_DEFAULT_QUEUE_SIZE	128
#define NVMET_ASYNC_EVENTS		4	/* AERL + 1 */
#define NVMET_ERROR_LOG_SLOTS		128
#define NVMET_MAX_ANAGRPS		128
#define NVMET_DEFAULT_ANA_GRPID		1
#define NVMET_MAX_CHANGED_NS		1024	/* entries of log page 04h */
#define NVMET_KAS			10	/* Keep Alive granularity, 100 ms units */
#define NVMET_MAX_KATO_SECS		65535	/* longer KATOs are clamped (jiffies) */
#define NVMET_DISC_KATO_MS		120000
#define NVMET_SN_MAX_SIZE		20
#define NVMET_MN_MAX_SIZE		40
#define NVMET_FR_MAX_SIZE		8
#define NVMET_DEFAULT_CTRL_MODEL	"Linux"
#define NVMET_MAX_INLINE_BIOVEC		8
#define NVMET_CNTLID_MIN		1
#define NVMET_CNTLID_MAX		0xffef	/* above are reserved values */
#define NVMET_NS_DISABLE_GRACE_SECS	5	/* then ops->ns_stalled() */
#define NVMET_MAX_MDTS			255	/* highest port param_mdts (log2 of min pages) */
#define NVMET_AUTH_MAX_HL		64	/* longest DH-HMAC-CHAP hash: SHA-512 */
#define NVMET_PR_MAX_REGISTRANTS	128	/* registrations a namespace keeps */
#define NVMET_PR_LOG_SLOTS		16	/* Reservation Notification log entries */
/* aen_masked bit of the reservation event (not an AEC bit a host can set). */
#define NVMET_AEN_BIT_RESV_LOG		24
/* Seconds an admin queue may stay unauthenticated after Connect. */
#define NVMET_AUTH_DEADLINE_SECS	120
/* Identify Controller fields the oldest supported kernel's nvme.h does not name. */
#define NVMET_SGLS_BYTE_ALIGNED		BIT(0)
#define NVMET_SGLS_KEYED		BIT(2)
#define NVMET_SGLS_OFFSET		BIT(20)	/* SGL Address Specifies Offset */
#define NVMET_ID_CTRL_OFCS		1804	/* Optional Fabrics Commands Support */

struct crypto_kpp;
struct nvme_dhchap_key;
struct nvme_ns;
struct nvmet_ctrl;
struct nvmet_passthru;
struct nvmet_port;
struct nvmet_subsys;
struct nvmet_req;

/*
 * Command counters (netlink.c reports them), per CPU: a completion adds to
 * its own CPU's copy without a lock; readers sum the copies.
 */
enum nvmet_io_class {
	NVMET_IO_READ,
	NVMET_IO_WRITE,
	NVMET_IO_OTHER,
	NVMET_IO_NR_CLASSES,
};

struct nvmet_io_stats {
	u64			cmds[NVMET_IO_NR_CLASSES];
	u64			bytes[NVMET_IO_NR_CLASSES];
	u64			lat_ns[NVMET_IO_NR_CLASSES];
	u64			errors;
};

/*
 * Locks, in the order they nest:
 *   ns->enable_lock   (mutex) serializes enabling, disabling and resizing
 *                     one namespace and guards its backing store attributes
 *                     (device_path, buffered_io); held while enable opens
 *                     the backing store (which may block on a hung
 *                     file system) and while disable waits for the
 *                     commands using it, which a host can delay, so nothing
 *                     may wait for it under a lock below (rmdir also holds
 *                     configfs's own subsystem mutex meanwhile)
 *   nvmet_config_sem  (rw) the configuration: ports, their subsystem links
 *                     and referrals, subsystem allowed_hosts, hosts; taken
 *                     for write by configfs changes, for read by Connect and
 *                     the discovery log
 *   ns->pr.lock       (mutex) serializes the changes of one namespace's
 *                     reservation state and their writes to resv_ptpl_file;
 *                     held while Preempt and Abort waits for the preempted
 *                     commands (pr.c)
 *   nvmet_subsystems_lock (mutex) the list of all subsystems (netlink dumps)
 *   subsys->lock      (mutex) a subsystem's namespaces, controllers and
 *                     attributes
 *   transport locks   taken by ops->ns_stalled() under subsys->lock (tcp.c:
 *                     nvmet_tcp_queues_lock); never held around core calls
 *                     that take the locks above
 *   ctrl->lock        (mutex) a controller's CC/CSTS, AER commands, events,
 *                     changed-namespace list
 *   nvmet_ana_sem     (rw) ANA group states and change count
 */
extern struct rw_semaphore nvmet_config_sem;
extern struct rw_semaphore nvmet_ana_sem;
/* Namespaces per ANA group; under nvmet_ana_sem. */
extern u32 nvmet_ana_group_enabled[NVMET_MAX_ANAGRPS + 1];
extern u64 nvmet_ana_chgcnt;					/* under nvmet_ana_sem */

/*
 * Work that may sleep on configuration or controller state (keep-alive, AER,
 * fatal errors, flush of all namespaces); never the transport's io path and
 * never I/O a host can make long: that goes on nvmet_io_wq, so that no host's
 * Verify or Compare can hold back another controller's keep-alive.
 */
extern struct workqueue_struct *nvmet_wq;
/*
 * I/O commands executed from process context: the file backend's, Dataset
 * Management, Compare and Verify, Write Zeroes with FUA or its zero-page
 * fallback. nvmet_buffered_io_wq: those of namespaces with buffered_io.
 */
extern struct workqueue_struct *nvmet_io_wq;
extern struct workqueue_struct *nvmet_buffered_io_wq;
/*
 * Reservation commands (pr.c): they wait for ns->pr.lock and the state file,
 * so a host's flood of them holds back no data command's work.
 */
extern struct workqueue_struct *nvmet_pr_wq;

/*
 * Every subsystem (configfs and discovery), for the netlink dumps. The mutex
 * is taken before any subsys->lock and never inside one.
 */
extern struct list_head nvmet_subsystems;
extern struct mutex nvmet_subsystems_lock;

/* The discovery subsystem (core.c): one per target, its NQN is the root discovery_nqn. */
extern struct nvmet_subsys *nvmet_disc_subsys;

/* One registration: a host identifier and its reservation key. */
struct nvmet_pr_reg {
	uuid_t			hostid;
	u64			rkey;
};

/*
 * The reservation state of a namespace (pr.c). Never changed once published:
 * a change makes a new one under ns->pr.lock; readers take it under RCU.
 */
struct nvmet_pr_state {
	struct rcu_head		rcu;
	u32			gen;		/* PRGEN */
	u8			rtype;		/* 0: no reservation, else NVME_PR_* */
	bool			ptpl;		/* Persist Through Power Loss */
	/* Types 1-4: the holder (registered); 5-6: every registrant holds it. */
	uuid_t			holder;
	u16			nr;
	struct nvmet_pr_reg	regs[] __counted_by(nr);
};

/* Reservations of an enabled namespace with resv_enable (pr.c). */
struct nvmet_pr {
	struct mutex		lock;		/* see the lock order above */
	struct nvmet_pr_state __rcu *state;
	/*
	 * Data commands (the read and write groups) hold the read side from
	 * their access check to their completion: Preempt and Abort waits for
	 * a grace period (req->pr_srcu).
	 */
	struct srcu_struct	srcu;
	struct file		*file;		/* resv_ptpl_file, open; under lock */
	u64			seq;		/* of the newest slot written; under lock */
	bool			broken;		/* the file may hold a failed change; under lock */
	/* The state a change replaced: still read until lock is dropped, then freed. */
	struct nvmet_pr_state	*retired;
};

/*
 * The read side of pr->srcu spans a command's life (taken at its access
 * check, left at its completion, in other functions and contexts), so it is
 * taken and left through these, which keep sparse's lock context balanced.
 */
static inline int nvmet_pr_srcu_enter(struct nvmet_pr *pr)
{
	int idx = srcu_down_read(&pr->srcu);

	__release(&pr->srcu);
	return idx;
}

static inline void nvmet_pr_srcu_exit(struct nvmet_pr *pr, int idx)
{
	__acquire(&pr->srcu);
	srcu_up_read(&pr->srcu, idx);
}

struct nvmet_ns {
	struct nvmet_subsys	*subsys;
	u32			nsid;
	struct config_group	group;		/* subsystems/<nqn>/namespaces/<nsid> */

	/* Attributes; changed only while disabled, under subsys->lock. */
	char			*device_path;
	uuid_t			uuid;
	u8			nguid[16];
	u32			anagrpid;
	bool			buffered_io;
	bool			readonly;	/* Write Protect feature */
	bool			pr_enable;	/* resv_enable */
	char			*pr_ptpl_path;	/* resv_ptpl_file, NULL: no PTPL */

	struct mutex		enable_lock;	/* see the lock order above */

	/* Set while enabled; enabled changes under enable_lock and subsys->lock. */
	bool			enabled;
	const struct nvmet_backend_ops *ops;	/* the backend (io-cmd.c picks it) */
	struct file		*bdev_file;	/* block device backend */
	struct block_device	*bdev;
	struct file		*file;		/* file backend */
	loff_t			size;		/* bytes */
	u8			blksize_shift;	/* log2 of the logical block size */
	struct nvmet_io_stats __percpu *stats;	/* I/O queue commands, from mkdir on */
	struct nvmet_pr		pr;		/* while enabled with pr_enable */

	/*
	 * The I/O command set (NVME_CSI_*) and, for a zoned namespace (CSI 2,
	 * docs/zns.md), the device's zone geometry: set by the backend's
	 * enable, fixed while enabled.
	 */
	u8			csi;
	u8			zasl;		/* Zone Append of at most 4 KiB << zasl */
	u64			zone_lbas;	/* zone size in logical blocks, a power of 2 */

	/* In-flight requests hold a reference; disable waits for them. */
	struct percpu_ref	ref;
	struct completion	disable_done;
};

static inline struct nvmet_ns *to_nvmet_ns(struct config_item *item)
{
	return container_of(to_config_group(item), struct nvmet_ns, group);
}

struct nvmet_host {
	struct config_group	group;		/* hosts/<hostnqn>; its name is the NQN */

	/*
	 * DH-HMAC-CHAP, under nvmet_config_sem: the secrets as written (checked
	 * DHHC-1 strings, NULL if none), the hash and DH group to use. A
	 * Connect or a re-authentication takes a snapshot (nvmet_auth_keys).
	 */
	char			*dhchap_secret;
	char			*dhchap_ctrl_secret;
	u8			dhchap_hash_id;		/* NVME_AUTH_HASH_* */
	u8			dhchap_dhgroup_id;	/* NVME_AUTH_DHGROUP_* */
};

static inline struct nvmet_host *to_host(struct config_item *item)
{
	return container_of(to_config_group(item), struct nvmet_host, group);
}

static inline const char *nvmet_host_name(struct nvmet_host *host)
{
	return config_item_name(&host->group.cg_item);
}

struct nvmet_host_link {
	struct list_head	entry;		/* in subsys->hosts */
	struct nvmet_host	*host;
};

struct nvmet_subsys_link {
	struct list_head	entry;		/* in port->subsystems */
	struct nvmet_subsys	*subsys;
};

struct nvmet_ana_group {
	struct config_group	group;		/* ports/<id>/ana_groups/<grpid> */
	struct nvmet_port	*port;
	u32			grpid;
};

struct nvmet_port {
	/*
	 * configfs holds one reference, each controller and each transport
	 * queue made through the port one: after rmdir the memory stays until
	 * the last of them is gone (nvmet_port_put()).
	 */
	struct kref		ref;
	struct list_head	global_entry;	/* in the list of all ports (configfs.c) */
	/* trtype, adrfam, treq, portid, traddr, trsvcid, tsas */
	struct nvmf_disc_rsp_page_entry disc_addr;
	struct config_group	group;		/* ports/<portid> */
	struct config_group	subsys_group;	/* ports/<portid>/subsystems */
	struct config_group	referrals_group;
	struct config_group	ana_groups_group;
	struct nvmet_ana_group	ana_default_group;	/* group 1, always present */
	struct list_head	subsystems;	/* nvmet_subsys_link; under nvmet_config_sem */
	struct list_head	referrals;	/* referral ports; under nvmet_config_sem */
	struct list_head	entry;		/* in the parent's referrals, for a referral */
	enum nvme_ana_state	*ana_state;	/* [NVMET_MAX_ANAGRPS + 1]; under nvmet_ana_sem */
	bool			enabled;
	int			inline_data_size;	/* -1: transport default */
	int			max_queue_size;		/* -1: transport default */
	int			mdts;		/* param_mdts: -1 transport default, or 0..255 */
	bool			pi_enable;
	/*
	 * The keyring TLS handshakes on this port take their PSKs from (the
	 * kernel's .nvme keyring, looked up when the port is made; NULL: TLS
	 * is refused). Held until the port is freed.
	 */
	struct key		*keyring;
	const struct nvmet_fabrics_ops *tr_ops;	/* set while enabled */
	void			*priv;		/* the transport's */
};

static inline struct nvmet_port *to_nvmet_port(struct config_item *item)
{
	return container_of(to_config_group(item), struct nvmet_port, group);
}

struct nvmet_subsys {
	enum nvme_subsys_type	type;		/* NVME_NQN_NVME or NVME_NQN_CURR (discovery) */
	struct kref		ref;		/* configfs holds one, each ctrl one */
	struct mutex		lock;		/* see the lock order above */

	char			*subsysnqn;
	struct xarray		namespaces;	/* nsid -> nvmet_ns, enabled or not */
	unsigned int		nr_namespaces;
	u32			max_nsid;
	struct list_head	ctrls;		/* nvmet_ctrl.subsys_entry */
	struct list_head	hosts;		/* nvmet_host_link; under nvmet_config_sem */
	bool			allow_any_host;	/* under nvmet_config_sem */

	/*
	 * Identify Controller data; serial, model, firmware, OUI and version
	 * are frozen once a host has seen them (subsys_discovered).
	 */
	char			serial[NVMET_SN_MAX_SIZE + 1];
	char			*model_number;	/* NULL: NVMET_DEFAULT_CTRL_MODEL */
	char			*firmware_rev;	/* NULL: the kernel's release */
	u32			ieee_oui;
	u16			vendor_id;
	u16			subsys_vendor_id;
	u32			ver;
	bool			subsys_discovered;
	u16			cntlid_min;
	u16			cntlid_max;
	u16			max_qid;	/* I/O queues per controller */
	bool			pi_support;
	/*
	 * ZASL of the first zoned namespace enabled (0: none yet), under
	 * subsys->lock. Identify reports it to every controller, so it never
	 * goes down: a zoned namespace that appends less is refused.
	 */
	u8			zasl;

	struct list_head	global_entry;	/* in nvmet_subsystems (its lock) */
	struct config_group	group;		/* subsystems/<nqn> */
	struct config_group	namespaces_group;
	struct config_group	allowed_hosts_group;

	/*
	 * subsystems/<nqn>/passthru (passthru.c): the attributes (under lock;
	 * the timeouts in jiffies, as in-tree, 0: nvme-core's) and, while
	 * enabled, the NVMe controller exported whole. passthru is set and
	 * cleared by passthru.c under lock and read under RCU; with it set,
	 * the subsystem has no enabled namespace, ver is the controller's
	 * (the configured one waits in passthru_saved_ver), passthru_mdts is
	 * the device's MDTS limit and passthru_iocs whether it supports I/O
	 * command sets (CAP.CSS bit 6).
	 */
	struct config_group	passthru_group;
	char			*passthru_ctrl_path;
	unsigned int		passthru_admin_timeout;
	unsigned int		passthru_io_timeout;
	bool			passthru_clear_ids;
	bool			passthru_forward_all_admin;	/* READ_ONCE at parse */
	struct nvmet_passthru __rcu *passthru;
	u32			passthru_saved_ver;
	u8			passthru_mdts;
	bool			passthru_iocs;
};

static inline struct nvmet_subsys *to_subsys(struct config_item *item)
{
	return container_of(to_config_group(item), struct nvmet_subsys, group);
}

static inline bool nvmet_is_disc_subsys(const struct nvmet_subsys *subsys)
{
	return subsys->type != NVME_NQN_NVME;
}

/* Whether the subsystem exports an NVMe controller whole (passthru.c). */
static inline bool nvmet_is_passthru_subsys(const struct nvmet_subsys *subsys)
{
	return rcu_access_pointer(subsys->passthru);
}

struct nvmet_cq {
	u16			qid;
	u16			size;
};

/*
 * DH-HMAC-CHAP keys of a controller: a snapshot of its host's configuration
 * taken at Connect and again when the host re-authenticates its admin queue.
 * Never changed once made; ctrl->auth_keys is replaced under ctrl->lock and
 * each transaction holds a reference.
 */
struct nvmet_auth_keys {
	struct kref		ref;
	u8			hash_id;	/* NVME_AUTH_HASH_* */
	u8			dhgroup_id;	/* NVME_AUTH_DHGROUP_* */
	struct nvme_dhchap_key	*host_key;
	struct nvme_dhchap_key	*ctrl_key;	/* NULL: no bidirectional authentication */
};

/* One DH-HMAC-CHAP transaction on a queue (auth.c), from Negotiate to its end. */
struct nvmet_auth_txn {
	struct nvmet_auth_keys	*keys;		/* holds a reference */
	struct crypto_kpp	*dh;		/* NULL with the NULL DH group */
	u16			tid;
	u8			step;		/* the message expected next (auth.c) */
	u8			reason;		/* failure reason explanation, Failure1 */
	u8			sc_c;
	u8			hash_id;
	u8			hl;		/* hash length */
	u16			dhvlen;		/* DH public value length, 0: NULL group */
	u32			s1;		/* sequence numbers */
	u32			s2;
	bool			bidirectional;
	u8			c1[NVMET_AUTH_MAX_HL];
	u8			c2[NVMET_AUTH_MAX_HL];
	u8			skey[NVMET_AUTH_MAX_HL];	/* H(g^xy mod p) */
};

struct nvmet_sq {
	struct nvmet_ctrl	*ctrl;		/* set by Connect */
	struct percpu_ref	ref;		/* one per request between init and complete */
	u16			qid;
	u16			size;
	u32			sqhd;		/* advanced by each completion */
	bool			sqhd_disabled;	/* SQ flow control disabled at Connect */
	struct completion	free_done;
	struct completion	confirm_done;

	/*
	 * In-band authentication (auth.c). auth_state is set by Connect and
	 * then changed under auth_lock, read without it (READ_ONCE) by the
	 * command parsers. Authentication commands hold auth_lock while they
	 * run (on nvmet_auth_wq), so a queue has one transaction at a time.
	 */
	u8			auth_state;	/* NVMET_AUTH_* (uapi/nvmet-genl.h) */
	struct mutex		auth_lock;
	struct nvmet_auth_txn	*auth;		/* the transaction in progress, or NULL */
	unsigned long		auth_tokens_at;	/* transaction rate limit (auth.c) */
	unsigned int		auth_tokens;

	/*
	 * The TLS PSK the queue's handshake used (a reference), or NULL on a
	 * plain TCP queue: set by the transport before the queue can receive
	 * Connect, put by the transport after nvmet_sq_destroy().
	 */
	struct key		*tls_key;
};

/* Whether SQ runs over TLS (its transport authenticated the host's PSK). */
static inline bool nvmet_sq_tls(const struct nvmet_sq *sq)
{
	return sq->tls_key;
}

struct nvmet_error_slot {
	u64			error_count;
	u16			sqid;
	u16			cmdid;
	u16			status;		/* without phase bit */
	u16			param_error_location;
	u64			lba;
	u32			nsid;
};

struct nvmet_ctrl {
	struct nvmet_subsys	*subsys;	/* holds a reference */
	struct nvmet_port	*port;
	const struct nvmet_fabrics_ops *ops;
	struct list_head	subsys_entry;	/* in subsys->ctrls */
	struct kref		ref;
	struct mutex		lock;		/* see the lock order above */

	u16			cntlid;
	char			subsysnqn[NVMF_NQN_FIELD_LEN];
	char			hostnqn[NVMF_NQN_FIELD_LEN];
	uuid_t			hostid;
	char			host_traddr[NVMF_TRADDR_SIZE];	/* at Connect; "" if unknown */
	struct nvmet_io_stats __percpu *stats;	/* every command of every queue */

	u64			cap;
	u32			cc;
	u32			csts;

	struct nvmet_sq		**sqs;		/* [subsys->max_qid + 1], by qid */
	struct nvmet_cq		**cqs;

	u32			kato;		/* seconds, 0: no keep alive */
	u16			max_qid;	/* sqs/cqs have max_qid + 1 entries */
	bool			reset_tbkas;	/* traffic counts as keep alive (TBKAS) */
	bool			deleting;	/* under lock: no queue may join any more */
	bool			announced;	/* netlink CTRL_CREATE sent, so DESTROY will be */
	struct delayed_work	ka_work;
	struct work_struct	fatal_err_work;

	/* Asynchronous events, under lock. */
	struct nvmet_req	*async_event_cmds[NVMET_ASYNC_EVENTS];
	unsigned int		nr_async_event_cmds;
	struct list_head	async_events;	/* pending nvmet_async_event */
	struct work_struct	async_event_work;
	u32			aen_enabled;	/* Set Features 0Bh */
	/*
	 * Reservation Notification log (log page 80h, pr.c), under lock: a
	 * ring of pr_log_nr entries from pr_log_first; pr_log_count is the Log
	 * Page Count of the newest. pr_masks: Feature 82h per NSID (xarray
	 * values), set by the host.
	 */
	struct nvme_pr_log	pr_log[NVMET_PR_LOG_SLOTS];
	u64			pr_log_count;
	u8			pr_log_first;
	u8			pr_log_nr;
	struct xarray		pr_masks;
	unsigned long		aen_masked;	/* events that wait for their log page read */

	/*
	 * Changed Namespace List (log 04h), CPU-endian NSIDs, under lock. More
	 * than NVMET_MAX_CHANGED_NS changed since the last read: nr_changed_ns
	 * is NVMET_MAX_CHANGED_NS + 1 and the log holds one entry, FFFFFFFFh.
	 */
	u32			*changed_ns_list;	/* [NVMET_MAX_CHANGED_NS] */
	u32			nr_changed_ns;

	/* Error log; completions may run in interrupt context, hence a spinlock. */
	spinlock_t		error_lock;	/* protects slots and err_counter */
	/* slots[err_counter % NVMET_ERROR_LOG_SLOTS] is the newest */
	struct nvmet_error_slot	slots[NVMET_ERROR_LOG_SLOTS];
	u64			err_counter;

	u8			pi_support;

	/* DH-HMAC-CHAP (auth.c): NULL if the host need not authenticate. Under lock. */
	struct nvmet_auth_keys	*auth_keys;
	bool			auth_failed;	/* a queue failed: the controller fails too */
	struct delayed_work	auth_deadline_work;	/* admin queue must authenticate */
};

struct nvmet_async_event {
	struct list_head	entry;
	u8			event_type;
	u8			event_info;
	u8			log_page;
};

/* Transport operations: a small table each transport registers. */
struct nvmet_fabrics_ops {
	struct module		*owner;
	unsigned int		type;		/* NVMF_TRTYPE_* */
	unsigned int		msdbd;		/* SGL descriptors per command */
	unsigned int		flags;		/* NVMF_KEYED_SGLS, NVMF_METADATA_SUPPORTED */
#define NVMF_KEYED_SGLS			BIT(0)
#define NVMF_METADATA_SUPPORTED		BIT(1)
	int (*add_port)(struct nvmet_port *port);
	void (*remove_port)(struct nvmet_port *port);
	/* Sends req->cqe (and read data); must not sleep. */
	void (*queue_response)(struct nvmet_req *req);
	/* Tear down every queue of ctrl; asynchronous. */
	void (*delete_ctrl)(struct nvmet_ctrl *ctrl);
	/* The address to put in a discovery log entry for a wildcard port. */
	void (*disc_traddr)(struct nvmet_req *req, struct nvmet_port *port, char *traddr);
	/* Host address of ctrl's admin queue, for logs; returns length. */
	ssize_t (*host_traddr)(struct nvmet_ctrl *ctrl, char *traddr, size_t len);
	/*
	 * Optional: Connect calls it once sq->qid, sq->size and sq->ctrl are
	 * set, before the queue is used; sizes per-queue resources. Returns an
	 * NVMe status.
	 */
	u16 (*install_queue)(struct nvmet_sq *sq);
	/*
	 * Optional: the Disconnect command REQ deletes its I/O queue. The
	 * transport takes no more commands from the queue, completes REQ with
	 * nvmet_complete_disconnect() once it is the queue's last outstanding
	 * command, and closes the queue once that completion is sent. Without
	 * it, Disconnect is an invalid opcode and Identify OFCS bit 0 is clear.
	 */
	void (*disconnect_sq)(struct nvmet_req *req);
	/*
	 * Optional: NS is being disabled and still has commands outstanding
	 * after NVMET_NS_DISABLE_GRACE_SECS. Close every queue of CTRL on which
	 * a command of NS waits for data from the host, which may never send
	 * it; asynchronous. Called under subsys->lock.
	 */
	void (*ns_stalled)(struct nvmet_ctrl *ctrl, struct nvmet_ns *ns);
	/*
	 * Optional: the discovery log of PORT changed; the transport tells
	 * hosts that have no discovery controller to get the AEN from (FC:
	 * an RSCN). Called with nvmet_config_sem held.
	 */
	void (*discovery_chg)(struct nvmet_port *port);
	u8 (*get_mdts)(const struct nvmet_ctrl *ctrl);	/* optional: 0 = no limit */
	u16 (*get_max_queue_size)(const struct nvmet_ctrl *ctrl);
};

/*
 * A namespace backend: io-cmd.c parses and checks every NVM command (LBA
 * range, data length, access) and then reaches the backing store only
 * through the table ns->ops points at while the namespace is enabled.
 * io-cmd-bdev.c and io-cmd-file.c implement it (io-cmd-bdev.c twice: block
 * devices and zoned block devices). Passthru is no backend: a passthru
 * subsystem has no namespaces of its own, and its commands take their own
 * parsers (req.c picks passthru.c's).
 */
struct nvmet_backend_ops {
	const char *name;
	/*
	 * Opens ns->device_path and sets ns->size and ns->blksize_shift;
	 * -ENOTBLK: not this backend's kind (the next one is tried).
	 */
	int (*enable)(struct nvmet_ns *ns);
	void (*disable)(struct nvmet_ns *ns);
	void (*revalidate)(struct nvmet_ns *ns);	/* re-reads ns->size */
	int (*sync)(struct nvmet_ns *ns);	/* completed writes made durable; sleeps */
	/* Execute handlers of parsed commands; they complete the request. */
	void (*execute_rw)(struct nvmet_req *req);
	void (*execute_flush)(struct nvmet_req *req);
	void (*execute_write_zeroes)(struct nvmet_req *req);
	/* From a work item: reads len bytes at byte pos into bv[0..nr) (nr <= BIO_MAX_VECS). */
	u16 (*read)(struct nvmet_req *req, loff_t pos, struct bio_vec *bv, unsigned int nr,
		    u32 len);
	/* From a work item: deallocates nlb blocks from slba (checked); an NVMe status. */
	u16 (*deallocate)(struct nvmet_req *req, u64 slba, u32 nlb);
	/* Optional: the backend's fields of Identify Namespace. */
	void (*identify_ns)(struct nvmet_ns *ns, struct nvme_id_ns *id);
	/*
	 * Zoned backends only (ns->csi NVME_CSI_ZNS), NULL otherwise: the Zoned
	 * Namespace command set's commands, parsed and checked by io-cmd.c
	 * (zone alignment, SLBA in range, ZSA, ZRA, ZRASF, buffer length), and
	 * the I/O command set specific Identify Namespace (CNS 05h, CSI 2).
	 */
	void (*execute_zone_append)(struct nvmet_req *req);	/* result: the LBA written */
	void (*execute_zone_mgmt_send)(struct nvmet_req *req);
	void (*execute_zone_mgmt_recv)(struct nvmet_req *req);
	void (*identify_ns_zns)(struct nvmet_ns *ns, struct nvme_id_ns_zns *id);
};

/* Where the core's events go (netlink.c registers it); each may sleep. */
struct nvmet_event_ops {
	void (*ctrl)(u8 event, struct nvmet_ctrl *ctrl);
	/* NVMET_EVT_AUTH_FAILURE: queue QID failed DH-HMAC-CHAP with REASON. */
	void (*auth_failure)(struct nvmet_ctrl *ctrl, u16 qid, u8 reason);
	void (*ns)(u8 event, struct nvmet_ns *ns);
	void (*port)(u8 event, struct nvmet_port *port);
};

struct nvmet_req {
	struct nvme_command	*cmd;		/* set by the transport */
	struct nvme_completion	*cqe;		/* set by the transport */
	struct nvmet_sq		*sq;
	struct nvmet_cq		*cq;
	struct nvmet_ns		*ns;		/* holds ns->ref when set */
	int			pr_srcu;	/* ns->pr.srcu read side, or -1 */
	struct nvmet_port	*port;
	const struct nvmet_fabrics_ops *ops;

	struct scatterlist	*sg;
	unsigned int		sg_cnt;
	size_t			transfer_len;	/* from the SGL descriptor */
	size_t			data_len;	/* what the command needs (set by parse) */

	void (*execute)(struct nvmet_req *req);
	u64			start_ns;	/* arrival (nvmet_req_init), for latency sums */
	u16			error_loc;	/* offset of the bad field, or NVMET_NO_ERROR_LOC */
	u64			error_slba;

	union {
		struct {
			struct bio		inline_bio;
			struct bio_vec		inline_bvec[NVMET_MAX_INLINE_BIOVEC];
		} b;
		struct {
			struct kiocb		iocb;
			struct bio_vec		*bvec;
			struct work_struct	work;
			bool			mpool_alloc;
			/* io-cmd-file.c: bvec for requests of few segments */
			struct bio_vec		inline_bvec[NVMET_MAX_INLINE_BIOVEC];
		} f;
		struct {
			struct work_struct	work;	/* admin work run off the transport path */
			u32			result;
		} a;
		struct {
			/* passthru.c: commands with effects and fix-ups, from a work item */
			struct work_struct	work;
			struct nvmet_passthru	*pt;	/* referenced from execute to completion */
			struct request		*rq;
			struct nvme_ns		*ns;
			bool			sync;	/* set by parse: run from the work item */
		} p;
	};
};

#define NVMET_NO_ERROR_LOC	((u16)-1)

/* Copy (NVM Command Set 1.0); Linux's nvme.h does not name it. */
#define NVMET_NVM_CMD_COPY	0x19

/*
 * Bytes of data buffer a request gets: what its parse said the command uses
 * (data_len), never more than its SGL describes (transfer_len). A larger SGL
 * than the command needs does not make the target allocate more.
 */
static inline size_t nvmet_req_buf_len(const struct nvmet_req *req)
{
	return min(req->transfer_len, req->data_len);
}

static inline void nvmet_set_result(struct nvmet_req *req, u32 result)
{
	req->cqe->result.u32 = cpu_to_le32(result);
}

/* Length of a Read/Write/Compare/Verify's data, from NLB (0's based). */
static inline u32 nvmet_rw_data_len(struct nvmet_req *req)
{
	return ((u32)le16_to_cpu(req->cmd->rw.length) + 1) << req->ns->blksize_shift;
}

/* KATO from a host (milliseconds) as the keep-alive timer counts it. */
static inline u32 nvmet_kato_secs(u32 ms)
{
	return min_t(u64, DIV_ROUND_UP_ULL(ms, 1000), NVMET_MAX_KATO_SECS);
}

static inline sector_t nvmet_lba_to_sect(struct nvmet_ns *ns, __le64 lba)
{
	return le64_to_cpu(lba) << (ns->blksize_shift - SECTOR_SHIFT);
}

static inline __le64 nvmet_sect_to_lba(struct nvmet_ns *ns, sector_t sect)
{
	return cpu_to_le64(sect >> (ns->blksize_shift - SECTOR_SHIFT));
}

static inline bool nvmet_cc_en(u32 cc)		{ return (cc >> NVME_CC_EN_SHIFT) & 0x1; }
static inline u8 nvmet_cc_css(u32 cc)		{ return (cc >> NVME_CC_CSS_SHIFT) & 0x7; }
static inline u8 nvmet_cc_mps(u32 cc)		{ return (cc >> NVME_CC_MPS_SHIFT) & 0xf; }
static inline u8 nvmet_cc_ams(u32 cc)		{ return (cc >> NVME_CC_AMS_SHIFT) & 0x7; }
static inline u8 nvmet_cc_shn(u32 cc)		{ return (cc >> NVME_CC_SHN_SHIFT) & 0x3; }
static inline u8 nvmet_cc_iosqes(u32 cc)	{ return (cc >> NVME_CC_IOSQES_SHIFT) & 0xf; }
static inline u8 nvmet_cc_iocqes(u32 cc)	{ return (cc >> NVME_CC_IOCQES_SHIFT) & 0xf; }

/* --- req.c: the capsule entry point (the transports call it) ------------ */

bool nvmet_req_init(struct nvmet_req *req, struct nvmet_sq *sq,
		    const struct nvmet_fabrics_ops *ops);

/* --- core.c: the bottom floor -------------------------------------------- */

int nvmet_core_init(void);
void nvmet_core_exit(void);

int nvmet_register_transport(const struct nvmet_fabrics_ops *ops);
void nvmet_unregister_transport(const struct nvmet_fabrics_ops *ops);

void nvmet_req_uninit(struct nvmet_req *req);
bool nvmet_check_transfer_len(struct nvmet_req *req, size_t len);
bool nvmet_check_data_len_lte(struct nvmet_req *req, size_t data_len);
u16 nvmet_check_read_sgl_len(struct nvmet_req *req);	/* before the data buffer */
void nvmet_req_complete(struct nvmet_req *req, u16 status);
/* For req.c: completes a request that never took an sq reference. */
void __nvmet_req_complete(struct nvmet_req *req, u16 status);
int nvmet_req_alloc_sgls(struct nvmet_req *req);
void nvmet_req_free_sgls(struct nvmet_req *req);
u16 nvmet_req_find_ns(struct nvmet_req *req);
enum nvme_ana_state nvmet_port_ana_state(struct nvmet_port *port, u32 grpid);

u16 nvmet_copy_to_sgl(struct nvmet_req *req, off_t off, const void *buf, size_t len);
u16 nvmet_copy_from_sgl(struct nvmet_req *req, off_t off, void *buf, size_t len);
u16 nvmet_zero_sgl(struct nvmet_req *req, off_t off, size_t len);

void nvmet_cq_setup(struct nvmet_ctrl *ctrl, struct nvmet_cq *cq, u16 qid, u16 size);
void nvmet_sq_setup(struct nvmet_ctrl *ctrl, struct nvmet_sq *sq, u16 qid, u16 size);
int nvmet_sq_init(struct nvmet_sq *sq);
void nvmet_sq_destroy(struct nvmet_sq *sq);

u16 nvmet_alloc_ctrl(const char *subsysnqn, const char *hostnqn, const uuid_t *hostid,
		     u32 kato, struct nvmet_req *req, struct nvmet_ctrl **ctrlp);
struct nvmet_ctrl *nvmet_ctrl_find_get(const char *subsysnqn, const char *hostnqn,
				       u16 cntlid, struct nvmet_req *req);
void nvmet_ctrl_put(struct nvmet_ctrl *ctrl);
void nvmet_ctrl_fatal_error(struct nvmet_ctrl *ctrl);
void nvmet_ctrl_delete(struct nvmet_ctrl *ctrl);
u16 nvmet_check_ctrl_status(struct nvmet_req *req);
void nvmet_update_cc(struct nvmet_ctrl *ctrl, u32 new);
void nvmet_start_keep_alive_timer(struct nvmet_ctrl *ctrl);
void nvmet_stop_keep_alive_timer(struct nvmet_ctrl *ctrl);
u8 nvmet_ctrl_mdts(const struct nvmet_ctrl *ctrl);		/* as Identify reports it */
/*
 * DH-HMAC-CHAP objects the core frees with their queue or controller
 * (auth.c makes them). nvmet_ctrl_auth_deadline(): unless the admin queue
 * has authenticated SECS from now, the controller fails (fatal error).
 */
void nvmet_auth_keys_put(struct nvmet_auth_keys *keys);	/* NULL is fine */
void nvmet_auth_txn_free(struct nvmet_auth_txn *txn);	/* NULL is fine */
void nvmet_ctrl_auth_deadline(struct nvmet_ctrl *ctrl, unsigned int secs);
u32 nvmet_ctrl_mdts_bytes(const struct nvmet_ctrl *ctrl);	/* U32_MAX: no limit */

/* ERR_PTR on failure. */
struct nvmet_subsys *nvmet_subsys_alloc(const char *subsysnqn, enum nvme_subsys_type type);
void nvmet_subsys_put(struct nvmet_subsys *subsys);
void nvmet_subsys_del_ctrls(struct nvmet_subsys *subsys);
struct nvmet_subsys *nvmet_find_get_subsys(struct nvmet_port *port, const char *subsysnqn);
bool nvmet_host_allowed(struct nvmet_subsys *subsys, const char *hostnqn);

void nvmet_ns_changed(struct nvmet_subsys *subsys, u32 nsid);
struct nvmet_ns *nvmet_find_namespace(struct nvmet_subsys *subsys, u32 nsid);	/* takes ns->ref */
void nvmet_put_namespace(struct nvmet_ns *ns);
/* Closes the queues where a command of NS waits for host data (ops->ns_stalled). */
void nvmet_ns_close_stalled(struct nvmet_ns *ns);

/*
 * Called with nvmet_config_sem held for write; may drop and retake it to load
 * the transport module (request_module).
 */
int nvmet_enable_port(struct nvmet_port *port);
void nvmet_disable_port(struct nvmet_port *port);	/* nvmet_config_sem held for write */
struct nvmet_port *nvmet_port_alloc(void);	/* with the configfs reference */
void nvmet_port_get(struct nvmet_port *port);
void nvmet_port_put(struct nvmet_port *port);
void nvmet_port_del_ctrls(struct nvmet_port *port, struct nvmet_subsys *subsys);
/* An IPv4 or IPv6 port's traddr and trsvcid as a socket address; 0 or -EINVAL. */
int nvmet_port_sockaddr(const struct nvmet_port *port, struct sockaddr_storage *addr);
bool nvmet_sockaddr_is_any(const struct sockaddr_storage *addr);	/* a wildcard address */
/* Called without nvmet_config_sem held (it takes it for read). */
void nvmet_port_send_ana_event(struct nvmet_port *port);

void nvmet_add_async_event(struct nvmet_ctrl *ctrl, u8 event_type, u8 event_info, u8 log_page);
u16 errno_to_nvme_status(struct nvmet_req *req, int errno);
u16 blk_to_nvme_status(struct nvmet_req *req, blk_status_t blk_sts);

/* Events (uapi/nvmet-genl.h) to the registered sink, if any; may sleep. */
void nvmet_set_event_ops(const struct nvmet_event_ops *ops);
void nvmet_event_ctrl(u8 event, struct nvmet_ctrl *ctrl);
void nvmet_event_auth_failure(struct nvmet_ctrl *ctrl, u16 qid, u8 reason);
void nvmet_event_ns(u8 event, struct nvmet_ns *ns);
void nvmet_event_port(u8 event, struct nvmet_port *port);

/* --- auth.c: DH-HMAC-CHAP ------------------------------------------------ */

int nvmet_auth_init(void);
void nvmet_auth_exit(void);
/* hosts/<nqn> attributes: 0 or a negative errno (logged); shows return lengths. */
int nvmet_auth_set_secret(struct nvmet_host *host, const char *page, bool ctrl);
ssize_t nvmet_auth_show_secret(struct nvmet_host *host, char *page, bool ctrl);
/* dhchap_dhgroup (GROUP true) or dhchap_hash */
int nvmet_auth_set_param(struct nvmet_host *host, const char *page, bool group);
ssize_t nvmet_auth_show_param(struct nvmet_host *host, char *page, bool group);
void nvmet_auth_host_init(struct nvmet_host *host);
void nvmet_auth_host_free(struct nvmet_host *host);
/* Connect: the controller's keys (an NVMe status), a queue's AUTHREQ bits. */
u16 nvmet_auth_ctrl_connect(struct nvmet_ctrl *ctrl, struct nvmet_sq *sq);
u32 nvmet_auth_queue_connected(struct nvmet_sq *sq);
u16 nvmet_parse_auth_cmd(struct nvmet_req *req);	/* Authentication Send/Receive */

/* Whether SQ must still authenticate: then only Fabrics commands pass. */
static inline bool nvmet_sq_auth_pending(const struct nvmet_sq *sq)
{
	return READ_ONCE(sq->auth_state) == NVMET_AUTH_PENDING;
}

/* --- fabrics-cmd.c: Connect, Property Get/Set, Disconnect ---------------- */

u16 nvmet_parse_connect_cmd(struct nvmet_req *req);	/* queue without controller */
u16 nvmet_parse_fabrics_cmd(struct nvmet_req *req);	/* admin queue */
u16 nvmet_parse_fabrics_io_cmd(struct nvmet_req *req);	/* I/O queue */
void nvmet_complete_disconnect(struct nvmet_req *req);	/* may sleep */

/*
 * The admin commands that differ by controller kind: admin-cmd.c has the NVM
 * subsystem's, discovery.c the discovery subsystem's, passthru.c a passthru
 * subsystem's; nvmet_parse_admin_cmd() (ctrl-cmd.c) dispatches to them. A
 * NULL handler: Invalid Opcode. parse, if set, sees every admin command
 * first (after the controller status check) and returns a status, or
 * NVMET_PARSE_COMMON to leave the command to the common parser.
 */
struct nvmet_admin_set {
	u16 (*parse)(struct nvmet_req *req);
	void (*get_log_page)(struct nvmet_req *req);
	void (*identify)(struct nvmet_req *req);
	void (*abort)(struct nvmet_req *req);
};

#define NVMET_PARSE_COMMON	0xffff	/* not an NVMe status (bit 15 is never set) */

/* --- admin-cmd.c: the NVM subsystem's admin command set ------------------ */

extern const struct nvmet_admin_set nvmet_nvm_admin_set;

/* --- discovery.c: the discovery subsystem's admin command set and log ---- */

extern const struct nvmet_admin_set nvmet_disc_admin_set;
void nvmet_port_disc_changed(struct nvmet_port *port, struct nvmet_subsys *subsys);
void nvmet_subsys_disc_changed(struct nvmet_subsys *subsys, struct nvmet_host *host);
void nvmet_referral_enable(struct nvmet_port *parent, struct nvmet_port *port);
void nvmet_referral_disable(struct nvmet_port *parent, struct nvmet_port *port);

/* --- ctrl-cmd.c: admin commands of every controller (admin and discovery) */

#define NVMET_LOG_RAE			BIT(15)	/* Get Log Page CDW10 */
#define NVMET_HOSTID_EXHID		BIT(0)	/* Host Identifier CDW11 */
#define NVMET_WPS_MASK			0x7	/* Write Protect CDW11 */
/* Asynchronous events an NVM controller may raise besides the mandatory ones. */
#define NVMET_AEN_OPTIONAL	(NVME_AEN_CFG_NS_ATTR | NVME_AEN_CFG_ANA_CHANGE)
/* Set Features 0Bh: the SMART critical warnings may be enabled but never fire. */
#define NVMET_AEN_SETTABLE	(NVME_SMART_CRIT_SPARE | NVME_SMART_CRIT_TEMPERATURE | \
				 NVME_SMART_CRIT_RELIABILITY | NVME_SMART_CRIT_MEDIA | \
				 NVME_SMART_CRIT_VOLATILE_MEMORY | NVMET_AEN_OPTIONAL)
/* Error locations: byte offsets of SQE fields. */
#define NVMET_LOC_OPCODE	offsetof(struct nvme_common_command, opcode)
#define NVMET_LOC_CDW10		offsetof(struct nvme_common_command, cdw10)
#define NVMET_LOC_CDW11		offsetof(struct nvme_common_command, cdw11)

static inline u16 nvmet_field_error(struct nvmet_req *req, u16 loc)
{
	req->error_loc = loc;
	return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
}

/* The admin queue's parser: SET's handlers, Features, AER and Keep Alive. */
u16 nvmet_parse_admin_cmd(struct nvmet_req *req, const struct nvmet_admin_set *set);
u32 nvmet_get_log_page_len(struct nvme_command *cmd);
u64 nvmet_get_log_page_offset(struct nvme_command *cmd);
/* Identify Controller's fabrics fields, for every NVM controller (and passthru's). */
void nvmet_id_ctrl_fabrics(struct nvmet_req *req, struct nvme_id_ctrl *id);
void nvmet_clear_aen_bit(struct nvmet_req *req, u32 bn);

/* --- io-cmd.c: namespaces and the NVM command set ------------------------ */

struct nvmet_ns *nvmet_ns_alloc(struct nvmet_subsys *subsys, u32 nsid);	/* NULL on failure */
void nvmet_ns_free(struct nvmet_ns *ns);
int nvmet_ns_enable(struct nvmet_ns *ns);
void nvmet_ns_disable(struct nvmet_ns *ns);
void nvmet_ns_revalidate(struct nvmet_ns *ns);
int nvmet_ns_sync(struct nvmet_ns *ns);		/* enabled ns, with a reference */
u16 nvmet_parse_io_cmd(struct nvmet_req *req);

/* --- pr.c: reservations ------------------------------------------------- */

/*
 * Enable (before the namespace is published; reads resv_ptpl_file) and
 * disable (after its last command).
 */
int nvmet_pr_enable(struct nvmet_ns *ns);
void nvmet_pr_disable(struct nvmet_ns *ns);
u8 nvmet_pr_rescap(struct nvmet_ns *ns);	/* Identify Namespace RESCAP */
u16 nvmet_parse_pr_cmd(struct nvmet_req *req);
u16 nvmet_pr_check_access(struct nvmet_req *req);	/* I/O commands of such a namespace */
void nvmet_pr_log_pop(struct nvmet_ctrl *ctrl, struct nvme_pr_log *e);	/* log page 80h */
u16 nvmet_pr_set_feat(struct nvmet_req *req, u8 fid);	/* 82h, 83h */
u16 nvmet_pr_get_feat(struct nvmet_req *req, u8 fid);

/* --- passthru.c: a whole NVMe controller exported ------------------------ */

/*
 * configfs passthru/enable: 0 or a negative errno (logged); -EOPNOTSUPP
 * when nvmet was built without the NVMe host's internals. Disable (also at
 * rmdir) deletes the subsystem's controllers and waits for their commands.
 */
int nvmet_passthru_enable(struct nvmet_subsys *subsys);
void nvmet_passthru_disable(struct nvmet_subsys *subsys);
/* The admin commands of a passthru subsystem's controllers; its I/O parser. */
extern const struct nvmet_admin_set nvmet_passthru_admin_set;
u16 nvmet_parse_passthru_io_cmd(struct nvmet_req *req);

/* --- io-cmd-bdev.c, io-cmd-file.c: the backends -------------------------- */

extern const struct nvmet_backend_ops nvmet_bdev_ops;
extern const struct nvmet_backend_ops nvmet_bdev_zns_ops;	/* zoned block devices */
extern const struct nvmet_backend_ops nvmet_file_ops;

/* Zone Append Size Limit (4 KiB units, log2) as bytes. */
static inline u32 nvmet_zasl_bytes(u8 zasl)
{
	return SZ_4K << zasl;
}

/* --- netlink.c: the nvmet_oot generic netlink family --------------------- */

int nvmet_genl_init(void);	/* registers the core's event sink */
void nvmet_genl_exit(void);

/* --- configfs.c: the top; nothing calls into it but main.c --------------- */

int nvmet_init_configfs(void);
void nvmet_exit_configfs(void);

#endif /* NVMET_H */
