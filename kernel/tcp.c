// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-oot: the NVMe/TCP transport of the target (NVMe/TCP Transport
 * Specification 1.0), module nvmet-tcp.
 *
 * One listening socket per enabled port; one queue per accepted connection.
 * Each queue has one work item (io_work) that does all of its socket I/O:
 * it reads PDUs from the host and writes the PDUs we owe it (ICResp, R2T,
 * C2HData, CapsuleResp, C2HTermReq). Completions arrive from any context
 * through queue_response(), which only links the command on a lock-free list
 * and kicks io_work. Every PDU header is checked by the pure helpers of
 * wire/ before any of its fields is used.
 *
 * A queue is torn down by its release work, never by io_work itself, so
 * that the teardown can wait for io_work and for commands still executing in
 * the core or a backend.
 *
 * On a port with addr_tsas tls1.3 a queue first runs a TLS 1.3 handshake
 * (PSK, server side) through the kernel's handshake upcall: tlshd owns the
 * socket until it hands it back with kTLS set up, and PDUs then travel in
 * TLS records. With addr_treq "not required" the first byte decides: a TLS
 * handshake record starts the handshake, anything else is plain NVMe/TCP.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/init.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/llist.h>
#include <linux/spinlock.h>
#include <linux/inet.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/net.h>
#include <linux/tcp.h>
#include <linux/uio.h>
#include <linux/crc32c.h>
#include <linux/nvme-tcp.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/ipv6.h>
#include <net/tls.h>
#include <net/tls_prot.h>
#include <net/handshake.h>
#include <linux/nvme-keyring.h>

#include "nvmet.h"
#include "wire/tcp-pdu.h"
#include "wire/cmd.h"

/* In-capsule data accepted on I/O queues when the port does not say. */
#define NVMET_TCP_DEF_INLINE_DATA_SIZE	(4 * PAGE_SIZE)
/* Largest H2CData payload we accept, advertised in ICResp (MAXH2CDATA). */
#define NVMET_TCP_MAXH2CDATA		0x400000
/*
 * Largest transfer of one command: bounds what a host can make us allocate.
 * Identify reports it as MDTS (get_mdts; param_mdts may lower it) and larger
 * SGLs are refused.
 */
#define NVMET_TCP_MAX_XFER		NVMET_TCP_MAXH2CDATA
/*
 * Buffers one queue holds for write data solicited by R2T and not yet
 * received. A write beyond it waits (without a buffer) until earlier ones
 * have their data; a single write always fits.
 */
#define NVMET_TCP_R2T_BUDGET		(2 * NVMET_TCP_MAX_XFER)
/*
 * A new connection must send its ICReq within NVMET_TCP_ICREQ_TIMEOUT, and a
 * successful Connect must follow the ICResp within NVMET_TCP_CONNECT_TIMEOUT;
 * otherwise it is closed. The Linux host sends both at once.
 */
#define NVMET_TCP_ICREQ_TIMEOUT		(10 * HZ)
#define NVMET_TCP_CONNECT_TIMEOUT	(10 * HZ)
/*
 * Over TLS the Linux host runs the handshake of every I/O queue before it
 * sends the Connect of the first, so those Connects come later.
 */
#define NVMET_TCP_TLS_CONNECT_TIMEOUT	(60 * HZ)
/* R2T transfer tag of the connect slot; other slots use their index. */
#define NVMET_TCP_CONNECT_TTAG		0xffff
/* Socket operations io_work does before it yields to other queues. */
#define NVMET_TCP_IO_BUDGET		64
/*
 * With io_highpri -1, the commands all queues receive are counted over
 * windows of NVMET_TCP_PRIO_WINDOW jiffies. After NVMET_TCP_PRIO_STAY
 * windows (up to NVMET_TCP_PRIO_STAY_MAX while one priority keeps winning
 * by far) one runs at the other priority: if it received more commands
 * than the average window before it, its priority stays (normal priority
 * must win by 1/16: high priority has the better latency and is
 * in-tree's). A window with fewer than NVMET_TCP_PRIO_MIN commands, or
 * that no run ended within twice its length, measures nothing and goes
 * back to high priority; one stretched past 5/4 of its length is left out.
 */
#define NVMET_TCP_PRIO_WINDOW		(HZ / 16 ?: 1)
#define NVMET_TCP_PRIO_STAY		16
#define NVMET_TCP_PRIO_STAY_MAX		64
#define NVMET_TCP_PRIO_MIN		64
/* Pages handed to one sock_recvmsg() call, or to one crc32c loop. */
#define NVMET_TCP_MAX_BVECS		16
/*
 * Receive steps io_work takes before it sends: the commands they execute
 * complete meanwhile, and their PDUs go out in one batch.
 */
#define NVMET_TCP_RX_BURST		16
/*
 * The receive read-ahead: one read takes up to NVMET_TCP_RX_BUF bytes, which
 * the parser then walks (many command capsules per read). PDU data at least
 * NVMET_TCP_RX_DIRECT bytes long that is not yet read goes straight into the
 * command's buffer instead.
 */
#define NVMET_TCP_RX_BUF		8192
#define NVMET_TCP_RX_DIRECT		1024
/*
 * Longest header we send: 24 bytes, header digest, then zero padding up to
 * the host's data alignment (HPDA, at most 128 bytes).
 */
#define NVMET_TCP_TX_HDR_MAX		128
/*
 * The send batch (struct nvmet_tcp_txb): pages and PDUs ending in it.
 */
#define NVMET_TCP_TXB_BVECS		64
#define NVMET_TCP_TXB_MARKS		32
/*
 * Pages the headers of the send batches are copied to, in turn: a page is
 * written again only once the network stack has dropped its references to
 * it (else it is left to the stack and a new one taken).
 */
#define NVMET_TCP_TX_PAGES		4
/*
 * Data buffers of up to NVMET_TCP_SLOT_SG pages use the slot's own
 * scatterlist and pages from the queue's pool, which keeps up to
 * NVMET_TCP_POOL_PAGES pages the stack is done with: a page taken from the
 * allocator comes zeroed (Debian's kernels zero on allocation), a page
 * from the pool does not need to, it only ever held this queue's data.
 */
#define NVMET_TCP_SLOT_SG		4
#define NVMET_TCP_POOL_PAGES		32
#define NVMET_TCP_POOL_SCAN		8
#define NVMET_TCP_BACKLOG		128

/*
 * Which workers run io_work: a high-priority worker preempts the task
 * whose I/O woke it at once, which is best for one command at a time but
 * under load takes one command per run; a normal one runs a little later
 * and takes the commands that came meanwhile (docs/performance.md). -1
 * (default): the priority under which the queues receive more commands,
 * measured (NVMET_TCP_PRIO_WINDOW); 0: normal priority; 1: high priority
 * (as the in-tree target). Read at load.
 */
static int io_highpri = -1;
module_param(io_highpri, int, 0444);
MODULE_PARM_DESC(io_highpri,
		 "io_work's workers: -1 (default) the priority measured to receive more commands, 0 normal priority, 1 high priority (as in-tree)");

/*
 * Socket priority (SO_PRIORITY) of the listening sockets and of every
 * accepted queue socket, for NICs and qdiscs that treat NVMe/TCP traffic
 * by priority. Read when a port is enabled and when a connection is
 * accepted; 0 or less leaves the sockets at the default priority.
 */
static int so_priority;
module_param(so_priority, int, 0644);
MODULE_PARM_DESC(so_priority, "socket priority of NVMe/TCP target sockets, 0 (default): not set");

/*
 * An int parameter with a floor: a value below MIN (or no number) is
 * refused, with a log line that says what to give (HINT).
 */
struct nvmet_tcp_int_param {
	int		*val;
	int		min;
	const char	*hint;
};

static int nvmet_tcp_set_int(const char *val, const struct kernel_param *kp)
{
	const struct nvmet_tcp_int_param *p = kp->arg;
	int ret, n;

	ret = kstrtoint(val, 0, &n);
	if (ret || n < p->min) {
		pr_err("%s: '%.*s' refused: %s\n", kp->name, (int)strcspn(val, "\n"), val,
		       p->hint);
		return -EINVAL;
	}
	WRITE_ONCE(*p->val, n);
	return 0;
}

static int nvmet_tcp_get_int(char *buf, const struct kernel_param *kp)
{
	const struct nvmet_tcp_int_param *p = kp->arg;

	return sysfs_emit(buf, "%d\n", READ_ONCE(*p->val));
}

static const struct kernel_param_ops nvmet_tcp_int_ops = {
	.set	= nvmet_tcp_set_int,
	.get	= nvmet_tcp_get_int,
};

/*
 * How long, in microseconds, a queue's io_work keeps polling its socket
 * after it last found work, before it waits for a socket callback again.
 * Read at every io_work run.
 */
static int idle_poll_period_usecs;
static struct nvmet_tcp_int_param nvmet_tcp_idle_poll_param = {
	&idle_poll_period_usecs, 0, "give 0 (no polling) or a positive number of microseconds"
};
module_param_cb(idle_poll_period_usecs, &nvmet_tcp_int_ops, &nvmet_tcp_idle_poll_param, 0644);
MODULE_PARM_DESC(idle_poll_period_usecs,
		 "io_work polls an idle queue's socket this long (usecs) after its last work, 0 (default): no polling");

/*
 * How long, in seconds, a TLS handshake may take before its connection is
 * closed (in-tree name and default). Read when a handshake starts.
 */
static int tls_handshake_timeout = 10;
static struct nvmet_tcp_int_param nvmet_tcp_tls_timeout_param = {
	&tls_handshake_timeout, 1, "give a number of seconds, at least 1"
};
module_param_cb(tls_handshake_timeout, &nvmet_tcp_int_ops, &nvmet_tcp_tls_timeout_param, 0644);
MODULE_PARM_DESC(tls_handshake_timeout, "TLS handshake timeout in seconds (default 10)");

/* Byte offsets in an H2CData header, reported as FEI. */
#define NVMET_TCP_H2C_CCCID		8
#define NVMET_TCP_H2C_TTAG		10
/* Byte offset of the FES in an H2CTermReq. */
#define NVMET_TCP_TERM_FES		8

/* Where a command slot is in its life (see nvmet_tcp_release_work()). */
enum nvmet_tcp_cmd_state {
	NVMET_TCP_CMD_FREE,	/* unused: on the free list, or the idle connect slot */
	NVMET_TCP_CMD_DATA_IN,	/* initialized; in-capsule data being received */
	NVMET_TCP_CMD_R2T_WAIT,	/* initialized; waits for R2T budget, no buffer yet */
	NVMET_TCP_CMD_R2T,	/* initialized; its R2T waits on the send list */
	NVMET_TCP_CMD_H2C,	/* initialized; R2T sent, H2CData expected */
	NVMET_TCP_CMD_EXEC,	/* the core owns it until queue_response() */
	NVMET_TCP_CMD_RESP,	/* completed: its response is queued or being sent */
};

/* The PDU of a command being sent, and the piece of it being written. */
enum nvmet_tcp_tx_step {
	NVMET_TCP_TX_R2T,
	NVMET_TCP_TX_DATA_HDR,
	NVMET_TCP_TX_DATA,
	NVMET_TCP_TX_DATA_DGST,
	NVMET_TCP_TX_RSP,
};

/*
 * Where a queue is with TLS. Written by queue creation, io_work (SNIFF ->
 * NONE or START) and tls_work (START -> HANDSHAKE -> ON); io_work reads no
 * PDU in START and HANDSHAKE, when the socket is not ours.
 */
enum nvmet_tcp_tls_phase {
	NVMET_TCP_TLS_NONE,		/* plain NVMe/TCP */
	NVMET_TCP_TLS_SNIFF,		/* TLS not required: the first byte decides */
	NVMET_TCP_TLS_START,		/* tls_work is to request the handshake */
	NVMET_TCP_TLS_HANDSHAKE,	/* the handshake agent (tlshd) has the socket */
	NVMET_TCP_TLS_ON,		/* kTLS: PDUs travel in TLS records */
};

enum nvmet_tcp_rx_state {
	NVMET_TCP_RX_CH,	/* the 8-byte common header */
	NVMET_TCP_RX_HDR,	/* the rest of the header and its digest */
	NVMET_TCP_RX_PAD,	/* bytes between the header and PDO */
	NVMET_TCP_RX_DATA,	/* the PDU's data */
	NVMET_TCP_RX_DDGST,	/* the data digest */
	NVMET_TCP_RX_STOP,	/* fatal error: read nothing more */
};

struct nvmet_tcp_queue;

/*
 * One command slot. The receive fields and the send fields are used by
 * io_work only; state is also written by queue_response() (EXEC -> RESP)
 * and read by the release work once io_work is stopped.
 */
struct nvmet_tcp_cmd {
	struct nvmet_tcp_queue	*queue;
	u16			ttag;
	enum nvmet_tcp_cmd_state state;
	struct nvmet_req	req;
	struct nvme_command	sqe;
	struct nvme_completion	cqe;
	struct list_head	free_entry;	/* queue->free_list, under free_lock */
	struct llist_node	resp_node;	/* queue->resp_list */
	struct list_head	tx_entry;	/* queue->tx_list */
	struct list_head	r2t_entry;	/* queue->r2t_wait */
	u32			r2t_charge;	/* bytes of queue->r2t_bytes it holds */

	/*
	 * Host-to-controller data: where the next byte goes, how many came.
	 * Bytes past the buffer (nvmet_req_buf_len()) are received and dropped.
	 */
	struct scatterlist	*rx_sg;
	u32			rx_sg_off;
	u32			rx_done;
	bool			rx_bad_ddgst;	/* a data PDU of it failed its digest */
	bool			pooled;		/* req.sg is sgl, with pool pages */
	struct scatterlist	sgl[NVMET_TCP_SLOT_SG];

	enum nvmet_tcp_tx_step	tx_step;
	bool			tx_rsp;		/* a CapsuleResp follows the data */
	u32			tx_hdr_len;
	u32			tx_data_left;
	struct scatterlist	*tx_sg;
	u32			tx_sg_off;
	u8			tx_ddgst[NVME_TCP_DIGEST_LENGTH];
	u8			tx_hdr[NVMET_TCP_TX_HDR_MAX] __aligned(8);
};

/* The receive side of a queue; io_work only. */
struct nvmet_tcp_rx {
	enum nvmet_tcp_rx_state	state;
	u8			hdr[NVMET_WIRE_TCP_MAX_HDR] __aligned(8);
	u32			hdr_got;
	struct nvmet_wire_tcp_pdu pdu;
	struct nvmet_tcp_cmd	*cmd;		/* owner of the data; NULL: drop it */
	u32			pad_left;
	u32			data_got;
	u32			keep_off;	/* PDU data bytes [keep_off, keep_off + */
	u32			keep_len;	/* keep_len) go to cmd, others are dropped */
	u32			crc;
	u8			ddgst[NVME_TCP_DIGEST_LENGTH];
	u32			ddgst_got;
	/* Read ahead: bytes [buf_pos, buf_len) of buf are not parsed yet. */
	u8			*buf;		/* NVMET_TCP_RX_BUF bytes */
	u32			buf_pos;
	u32			buf_len;
};

/* A PDU of the send batch whose last byte is at END of the batch. */
struct nvmet_tcp_txb_mark {
	struct nvmet_tcp_cmd	*cmd;
	u32			end;
	bool			r2t;	/* an R2T (else the command's last PDU) */
};

/*
 * The send batch: the PDUs of many commands, sent by as few sendmsg calls
 * as the socket allows. Headers are copied into the queue's header pages,
 * which the network stack may keep referencing after the send (a slot's
 * tx_hdr is rewritten as soon as the slot takes a new command); data pages
 * are the commands' own, which stay allocated until their mark is passed.
 * Once every byte of a PDU is out its mark retires it: an R2T lets its
 * command take H2CData, a command's last PDU gives its slot back. io_work
 * only (release_work once io_work is stopped).
 */
struct nvmet_tcp_txb {
	struct bio_vec		bv[NVMET_TCP_TXB_BVECS];
	struct nvmet_tcp_txb_mark mark[NVMET_TCP_TXB_MARKS];
	u32			nr_bv;
	u32			nr_mark;
	u32			bv_first;	/* the first byte not sent: bv[bv_first] */
	u32			bv_off;		/* at this offset, */
	u32			mark_first;	/* and the first PDU not retired */
	u32			len;
	u32			sent;
	bool			splice;		/* every page may go to the stack */
	bool			starts_in_pdu;	/* the rest of a C2HData PDU first */
};

struct nvmet_tcp_port {
	struct socket		*sock;
	struct nvmet_port	*nport;
	struct work_struct	accept_work;
	void			(*saved_data_ready)(struct sock *sk);
};

struct nvmet_tcp_queue {
	struct socket		*sock;
	struct nvmet_port	*nport;
	struct nvmet_tcp_port	*port;		/* compared only, never dereferenced */
	u32			inline_size;	/* in-capsule data limit on I/O queues */
	unsigned int		id;		/* for log messages */
	struct nvmet_sq		sq;
	struct nvmet_cq		cq;
	struct work_struct	io_work;	/* on nvmet_tcp_io_wq */
	struct work_struct	io_work_hi;	/* on nvmet_tcp_io_hi_wq */
	/*
	 * Two work items on two workqueues may run at once (nvmet_tcp_prio
	 * switches between them): a run holds bit 0 of io_running; a run
	 * that finds it taken sets io_again, which the holder looks at once
	 * it has let go (each side: store, full barrier, load). io_cmds: the
	 * run only.
	 */
	unsigned long		io_running;
	bool			io_again;
	u32			io_cmds;
	unsigned long		poll_end;	/* jiffies; io_work only */
	/*
	 * io_work is running or queued and will look at resp_list (and, on a
	 * queue without kTLS, at the socket's receive queue) before it goes
	 * idle: queue_response() and data_ready need not queue it. Written by
	 * io_work only: cleared, a full barrier, then both lists checked
	 * again (the others: add to the list, a full barrier, read it).
	 */
	bool			io_busy;
	struct work_struct	release_work;
	struct list_head	entry;		/* nvmet_tcp_queues, under nvmet_tcp_queues_lock */
	/* Closes a queue without ICReq or Connect in time; icreq_seen: io_work writes. */
	struct delayed_work	connect_timer;
	bool			icreq_seen;

	/* closing: set once, under state_lock, when release_work is queued. */
	spinlock_t		state_lock;
	bool			closing;

	/*
	 * The socket's callbacks before ours, restored at teardown and before a
	 * TLS handshake; with TLS on they are kTLS's, and ours call them first
	 * (chain_callbacks).
	 */
	void			(*saved_data_ready)(struct sock *sk);
	void			(*saved_state_change)(struct sock *sk);
	void			(*saved_write_space)(struct sock *sk);
	bool			chain_callbacks;
	struct sockaddr_storage	local_addr;

	/*
	 * TLS. A handshake request, once submitted (tls_submitted, written by
	 * tls_work), ends exactly once: either its done callback runs, or
	 * tls_handshake_cancel() succeeds (connect timer or release work); the
	 * one that ends it completes tls_done, which the release work waits for
	 * before the queue may go. tls_status and tls_peerid: the done callback
	 * writes them before queueing tls_work, which reads them.
	 */
	enum nvmet_tcp_tls_phase tls_phase;
	bool			tls_submitted;
	int			tls_status;
	key_serial_t		tls_peerid;
	struct completion	tls_done;
	struct work_struct	tls_work;
	struct sockaddr_storage	peer_addr;

	/*
	 * Command slots. Before Connect installs the queue only connect_cmd
	 * exists; install_queue allocates cmds once and publishes nr_cmds
	 * (store-release; readers load-acquire). free_lock protects free_list.
	 */
	spinlock_t		free_lock;
	struct list_head	free_list;
	u32			nr_busy;	/* slots of cmds off free_list */
	struct nvmet_tcp_cmd	*cmds;
	u32			nr_cmds;
	struct nvmet_tcp_cmd	connect_cmd;

	/*
	 * Disconnect command received on this queue, and whether the core has
	 * it back yet. io_work only (release_work once io_work is stopped).
	 */
	struct nvmet_tcp_cmd	*disconnect_cmd;
	bool			disconnect_completed;

	/*
	 * Writes whose R2T waits for budget (FIFO) and the buffer bytes of the
	 * writes whose R2T is out and whose data has not all arrived; io_work
	 * only (release_work once io_work is stopped).
	 */
	struct list_head	r2t_wait;
	u32			r2t_bytes;

	/* Negotiated by ICReq/ICResp; written and read by io_work only. */
	struct nvmet_wire_tcp_limits limits;
	u8			hpda;

	struct nvmet_tcp_rx	rx;

	/* Send side: resp_list from any context, the rest io_work only. */
	struct llist_head	resp_list;
	struct list_head	tx_list;
	struct nvmet_tcp_cmd	*tx_cmd;	/* a command partly in the batch */
	struct nvmet_tcp_txb	txb;
	struct page		*tx_pages[NVMET_TCP_TX_PAGES];	/* headers sent */
	u32			tx_page;	/* the one being filled, */
	u32			tx_page_off;	/* up to here */
	/* Data pages for the next buffers; io_work only (then release_work). */
	struct page		*pool[NVMET_TCP_POOL_PAGES];
	u32			nr_pool;
	u8			ctl_buf[NVME_TCP_MAX_C2HTERM_PLEN];	/* ICResp */
	u32			ctl_len;
	u32			ctl_off;
};

static const struct nvmet_fabrics_ops nvmet_tcp_ops;

/* io_work of all queues: normal and high-priority workers. */
static struct workqueue_struct *nvmet_tcp_io_wq;
static struct workqueue_struct *nvmet_tcp_io_hi_wq;
/* accept_work of the ports and release_work of the queues. */
static struct workqueue_struct *nvmet_tcp_ctl_wq;

/*
 * The workers' priority (io_highpri): hi is read by every kick; with -1
 * it is what the run that ends a window decides, under lock (trylock: a
 * run that finds it taken goes on). The commands come from a per-CPU
 * count that io_work adds to once per run.
 */
static struct nvmet_tcp_prio_state {
	bool		hi;
	spinlock_t	lock;		/* the fields below (start also read without) */
	unsigned long	start;		/* jiffies: this window's start */
	unsigned long	cmds;		/* the per-CPU sum at start */
	unsigned long	acc;		/* commands per window, summed over nacc */
	u32		nacc;		/* windows at this priority since a probe */
	u32		stay;		/* windows left before the next probe */
	u32		stay_len;	/* windows between probes */
	bool		probe;		/* this window runs at the other priority */
} nvmet_tcp_prio = {
	.lock = __SPIN_LOCK_UNLOCKED(nvmet_tcp_prio.lock),
};

static DEFINE_PER_CPU(unsigned long, nvmet_tcp_cmds);

/* All queues not yet released; the mutex protects the list and entries. */
static LIST_HEAD(nvmet_tcp_queues);
static DEFINE_MUTEX(nvmet_tcp_queues_lock);
static atomic_t nvmet_tcp_queue_ids = ATOMIC_INIT(0);

/* --- helpers ------------------------------------------------------------ */

static u32 nvmet_tcp_hdgst(const u8 *hdr, u32 len)
{
	return ~crc32c(~0U, hdr, len);
}

static bool nvmet_tcp_closing(struct nvmet_tcp_queue *queue)
{
	return READ_ONCE(queue->closing);
}

/* The CPU that last received data for this socket, else any CPU. */
static int nvmet_tcp_io_cpu(struct nvmet_tcp_queue *queue)
{
	int cpu = READ_ONCE(queue->sock->sk->sk_incoming_cpu);

	if (cpu < 0 || cpu >= nr_cpu_ids || !cpu_online(cpu))
		return WORK_CPU_UNBOUND;
	return cpu;
}

/* How long after the ICResp a Connect may come (jiffies). */
static unsigned long nvmet_tcp_connect_timeout_len(struct nvmet_tcp_queue *queue)
{
	return READ_ONCE(queue->tls_phase) == NVMET_TCP_TLS_ON ? NVMET_TCP_TLS_CONNECT_TIMEOUT :
								 NVMET_TCP_CONNECT_TIMEOUT;
}

/*
 * Drops an accepted socket: through its file when it has one (every socket
 * of a TLS port: the handshake agent gets it as a file descriptor).
 */
static void nvmet_tcp_sock_put(struct socket *sock)
{
	if (sock->file)
		fput(sock->file);
	else
		sock_release(sock);
}

/* so_priority, if set, on a listening or accepted socket. */
static void nvmet_tcp_set_priority(struct sock *sk)
{
	int prio = READ_ONCE(so_priority);

	if (prio > 0)
		sock_set_priority(sk, prio);
}

static void nvmet_tcp_kick(struct nvmet_tcp_queue *queue)
{
	if (READ_ONCE(nvmet_tcp_prio.hi))
		queue_work_on(nvmet_tcp_io_cpu(queue), nvmet_tcp_io_hi_wq, &queue->io_work_hi);
	else
		queue_work_on(nvmet_tcp_io_cpu(queue), nvmet_tcp_io_wq, &queue->io_work);
}

static void nvmet_tcp_schedule_release(struct nvmet_tcp_queue *queue)
{
	spin_lock_bh(&queue->state_lock);
	if (!queue->closing) {
		WRITE_ONCE(queue->closing, true);
		queue_work(nvmet_tcp_ctl_wq, &queue->release_work);
	}
	spin_unlock_bh(&queue->state_lock);
}

/* Skips whole entries so that *offp lies inside *sgp (or *sgp is NULL). */
static void nvmet_tcp_sg_advance(struct scatterlist **sgp, u32 *offp, u32 n)
{
	struct scatterlist *sg = *sgp;
	u32 off = *offp + n;

	while (sg && off >= sg->length) {
		off -= sg->length;
		sg = sg_next(sg);
	}
	*sgp = sg;
	*offp = sg ? off : 0;
}

/*
 * Describes up to LEN bytes of a scatterlist from (SG, OFF) as at most MAX
 * single-page bvecs. Returns the number of bvecs; *mapped gets the bytes.
 * *splice stays true only if every page may be handed to the network stack.
 */
static int nvmet_tcp_map_bvecs(struct scatterlist *sg, u32 off, u32 len,
			       struct bio_vec *bv, int max, u32 *mapped, bool *splice)
{
	int nr = 0;

	*mapped = 0;
	while (sg && off >= sg->length) {
		off -= sg->length;
		sg = sg_next(sg);
	}
	while (sg && len && nr < max) {
		u32 pos = sg->offset + off;
		u32 poff = offset_in_page(pos);
		u32 n = min3(len, sg->length - off, (u32)PAGE_SIZE - poff);
		struct page *page = sg_page(sg) + (pos >> PAGE_SHIFT);

		if (splice && !sendpage_ok(page))
			*splice = false;
		bvec_set_page(&bv[nr++], page, n, poff);
		*mapped += n;
		len -= n;
		off += n;
		if (off == sg->length) {
			sg = sg_next(sg);
			off = 0;
		}
	}
	return nr;
}

static u32 nvmet_tcp_crc_bvecs(u32 crc, const struct bio_vec *bv, u32 len)
{
	for (; len; bv++) {
		u32 n = min(len, bv->bv_len);
		void *va = kmap_local_page(bv->bv_page);

		crc = crc32c(crc, va + bv->bv_offset, n);
		kunmap_local(va);
		len -= n;
	}
	return crc;
}

/* Whether the request's scatterlist holds at least LEN bytes. */
static bool nvmet_tcp_sg_covers(struct nvmet_req *req, size_t len)
{
	struct scatterlist *sg;
	size_t total = 0;
	unsigned int i;

	if (!len)
		return true;
	if (!req->sg)
		return false;
	for_each_sg(req->sg, sg, req->sg_cnt, i)
		total += sg->length;
	return total >= len;
}

/* --- command slots ------------------------------------------------------ */

static void nvmet_tcp_init_cmd(struct nvmet_tcp_queue *queue, struct nvmet_tcp_cmd *cmd,
			       u16 ttag)
{
	cmd->queue = queue;
	cmd->ttag = ttag;
	cmd->state = NVMET_TCP_CMD_FREE;
	cmd->req.cmd = &cmd->sqe;
	cmd->req.cqe = &cmd->cqe;
	INIT_LIST_HEAD(&cmd->free_entry);
	INIT_LIST_HEAD(&cmd->tx_entry);
	INIT_LIST_HEAD(&cmd->r2t_entry);
}

static struct nvmet_tcp_cmd *nvmet_tcp_get_cmd(struct nvmet_tcp_queue *queue)
{
	struct nvmet_tcp_cmd *cmd;

	/* Pairs with the store-release in install_queue: cmds is set up. */
	if (!smp_load_acquire(&queue->nr_cmds)) {
		cmd = &queue->connect_cmd;
		return READ_ONCE(cmd->state) == NVMET_TCP_CMD_FREE ? cmd : NULL;
	}
	spin_lock(&queue->free_lock);
	cmd = list_first_entry_or_null(&queue->free_list, struct nvmet_tcp_cmd, free_entry);
	if (cmd) {
		list_del_init(&cmd->free_entry);
		queue->nr_busy++;
	}
	spin_unlock(&queue->free_lock);
	return cmd;
}

/*
 * A page for a data buffer: one of the pool's the stack is done with (only
 * our reference left; a read's pages stay referenced until the host has
 * taken their data), looking at NVMET_TCP_POOL_SCAN of them from the
 * oldest end, else a new one.
 */
static struct page *nvmet_tcp_page_get(struct nvmet_tcp_queue *queue)
{
	u32 i, n = queue->nr_pool;
	struct page *page;

	for (i = 0; i < n && i < NVMET_TCP_POOL_SCAN; i++) {
		page = queue->pool[i];
		if (page_ref_count(page) != 1)
			continue;
		queue->pool[i] = queue->pool[--queue->nr_pool];
		return page;
	}
	return alloc_page(GFP_KERNEL);
}

/* Back to the pool if there is room (the stack may still hold it). */
static void nvmet_tcp_page_put(struct nvmet_tcp_queue *queue, struct page *page)
{
	if (queue->nr_pool < NVMET_TCP_POOL_PAGES)
		queue->pool[queue->nr_pool++] = page;
	else
		put_page(page);
}

static void nvmet_tcp_free_data(struct nvmet_tcp_cmd *cmd)
{
	struct scatterlist *sg;
	int i;

	if (cmd->pooled) {
		for_each_sg(cmd->req.sg, sg, cmd->req.sg_cnt, i)
			nvmet_tcp_page_put(cmd->queue, sg_page(sg));
		cmd->pooled = false;
	} else if (cmd->req.sg) {
		nvmet_req_free_sgls(&cmd->req);
	}
	cmd->req.sg = NULL;
	cmd->req.sg_cnt = 0;
}

/* The response of CMD is on the wire: the slot may take a new command. */
static void nvmet_tcp_put_cmd(struct nvmet_tcp_cmd *cmd)
{
	struct nvmet_tcp_queue *queue = cmd->queue;

	nvmet_tcp_free_data(cmd);
	WRITE_ONCE(cmd->state, NVMET_TCP_CMD_FREE);
	if (cmd == &queue->connect_cmd)
		return;
	spin_lock(&queue->free_lock);
	list_add(&cmd->free_entry, &queue->free_list);
	queue->nr_busy--;
	spin_unlock(&queue->free_lock);
}

static struct nvmet_tcp_cmd *nvmet_tcp_find_ttag(struct nvmet_tcp_queue *queue, u16 ttag)
{
	/* Pairs with the store-release in install_queue: cmds is set up. */
	u32 nr = smp_load_acquire(&queue->nr_cmds);

	if (ttag == NVMET_TCP_CONNECT_TTAG)
		return &queue->connect_cmd;
	if (ttag >= nr)
		return NULL;
	return &queue->cmds[ttag];
}

/* Connect sized the queue: allocate its command slots, once. */
static u16 nvmet_tcp_install_queue(struct nvmet_sq *sq)
{
	struct nvmet_tcp_queue *queue = container_of(sq, struct nvmet_tcp_queue, sq);
	struct nvmet_tcp_cmd *cmds;
	u32 nr, i;

	/* The admin queue also holds the outstanding Asynchronous Event Requests. */
	nr = sq->size + (sq->qid ? 0 : NVMET_ASYNC_EVENTS);
	if (!sq->size || nr >= NVMET_TCP_CONNECT_TTAG)
		return NVME_SC_INTERNAL | NVME_STATUS_DNR;
	/* A second Connect on this queue; checked again under free_lock. */
	if (smp_load_acquire(&queue->nr_cmds))
		return NVME_SC_CMD_SEQ_ERROR | NVME_STATUS_DNR;

	cmds = kvcalloc(nr, sizeof(*cmds), GFP_KERNEL);
	if (!cmds)
		return NVME_SC_INTERNAL;
	for (i = 0; i < nr; i++)
		nvmet_tcp_init_cmd(queue, &cmds[i], i);

	spin_lock(&queue->free_lock);
	if (queue->nr_cmds) {
		spin_unlock(&queue->free_lock);
		kvfree(cmds);
		return NVME_SC_CMD_SEQ_ERROR | NVME_STATUS_DNR;
	}
	for (i = 0; i < nr; i++)
		list_add_tail(&cmds[i].free_entry, &queue->free_list);
	queue->cmds = cmds;
	/* Publishes cmds (and the initialized slots) before nr_cmds. */
	smp_store_release(&queue->nr_cmds, nr);
	spin_unlock(&queue->free_lock);
	return 0;
}

/* --- send side ---------------------------------------------------------- */

static int nvmet_tcp_send_kvec(struct nvmet_tcp_queue *queue, const void *buf, u32 len,
			       bool more)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | (more ? MSG_MORE : 0) };
	struct kvec iov = { .iov_base = (void *)buf, .iov_len = len };
	int ret;

	ret = kernel_sendmsg(queue->sock, &msg, &iov, 1, len);
	return ret ? ret : -EAGAIN;
}

static bool nvmet_tcp_more_to_send(struct nvmet_tcp_queue *queue)
{
	return !list_empty(&queue->tx_list) || !llist_empty(&queue->resp_list);
}

/* Fills the common header of a PDU without data and its header digest. */
static u32 nvmet_tcp_build_ch(struct nvmet_tcp_queue *queue, u8 *buf, u8 type, u32 hlen)
{
	u32 len = hlen + (queue->limits.hdgst ? NVME_TCP_DIGEST_LENGTH : 0);

	memset(buf, 0, hlen);
	buf[0] = type;
	buf[1] = queue->limits.hdgst ? NVME_TCP_F_HDGST : 0;
	buf[2] = hlen;
	wire_put_le32(buf + 4, len);
	return len;
}

static void nvmet_tcp_put_hdgst(struct nvmet_tcp_queue *queue, u8 *buf, u32 hlen)
{
	if (queue->limits.hdgst)
		wire_put_le32(buf + hlen, nvmet_tcp_hdgst(buf, hlen));
}

/* Queues an R2T asking for the whole transfer of a write command. */
static void nvmet_tcp_queue_r2t(struct nvmet_tcp_cmd *cmd)
{
	struct nvmet_tcp_queue *queue = cmd->queue;
	u8 *buf = cmd->tx_hdr;
	const u32 hlen = sizeof(struct nvme_tcp_r2t_pdu);

	cmd->tx_hdr_len = nvmet_tcp_build_ch(queue, buf, nvme_tcp_r2t, hlen);
	memcpy(buf + 8, &cmd->sqe.common.command_id, sizeof(cmd->sqe.common.command_id));
	wire_put_le16(buf + 10, cmd->ttag);
	wire_put_le32(buf + 12, 0);
	wire_put_le32(buf + 16, cmd->req.transfer_len);
	nvmet_tcp_put_hdgst(queue, buf, hlen);
	cmd->tx_step = NVMET_TCP_TX_R2T;
	WRITE_ONCE(cmd->state, NVMET_TCP_CMD_R2T);
	list_add_tail(&cmd->tx_entry, &queue->tx_list);
}

static void nvmet_tcp_prep_rsp(struct nvmet_tcp_cmd *cmd)
{
	struct nvmet_tcp_queue *queue = cmd->queue;
	const u32 hlen = sizeof(struct nvme_tcp_rsp_pdu);

	cmd->tx_hdr_len = nvmet_tcp_build_ch(queue, cmd->tx_hdr, nvme_tcp_rsp, hlen);
	memcpy(cmd->tx_hdr + NVMET_WIRE_TCP_CH_LEN, &cmd->cqe, sizeof(cmd->cqe));
	nvmet_tcp_put_hdgst(queue, cmd->tx_hdr, hlen);
	cmd->tx_step = NVMET_TCP_TX_RSP;
}

/* One C2HData PDU carrying all the data of a successful read. */
static void nvmet_tcp_prep_c2h(struct nvmet_tcp_cmd *cmd)
{
	struct nvmet_tcp_queue *queue = cmd->queue;
	const u32 hlen = sizeof(struct nvme_tcp_data_pdu);
	u32 len = cmd->req.transfer_len;
	u32 hd = queue->limits.hdgst ? NVME_TCP_DIGEST_LENGTH : 0;
	u32 dd = queue->limits.ddgst ? NVME_TCP_DIGEST_LENGTH : 0;
	u32 pdo = round_up(hlen + hd, ((u32)queue->hpda + 1) * 4);
	u8 *buf = cmd->tx_hdr;
	u8 flags = NVME_TCP_F_DATA_LAST;

	/* Without SQ flow control the host may take SUCCESS for the CQE. */
	cmd->tx_rsp = !queue->sq.sqhd_disabled;
	if (!cmd->tx_rsp)
		flags |= NVME_TCP_F_DATA_SUCCESS;
	if (hd)
		flags |= NVME_TCP_F_HDGST;
	if (dd)
		flags |= NVME_TCP_F_DDGST;

	memset(buf, 0, pdo);
	buf[0] = nvme_tcp_c2h_data;
	buf[1] = flags;
	buf[2] = hlen;
	buf[3] = pdo;
	wire_put_le32(buf + 4, pdo + len + dd);
	memcpy(buf + 8, &cmd->sqe.common.command_id, sizeof(cmd->sqe.common.command_id));
	wire_put_le32(buf + 12, 0);
	wire_put_le32(buf + 16, len);
	nvmet_tcp_put_hdgst(queue, buf, hlen);

	if (dd) {
		struct scatterlist *sg = cmd->req.sg;
		struct bio_vec bv[NVMET_TCP_MAX_BVECS];
		u32 crc = ~0U, off = 0, left = len, mapped;

		while (left) {
			nvmet_tcp_map_bvecs(sg, off, left, bv, ARRAY_SIZE(bv), &mapped, NULL);
			if (!mapped)
				break;	/* not reached: nvmet_tcp_sg_covers() was checked */
			crc = nvmet_tcp_crc_bvecs(crc, bv, mapped);
			nvmet_tcp_sg_advance(&sg, &off, mapped);
			left -= mapped;
		}
		wire_put_le32(cmd->tx_ddgst, ~crc);
	}

	cmd->tx_hdr_len = pdo;
	cmd->tx_data_left = len;
	cmd->tx_sg = cmd->req.sg;
	cmd->tx_sg_off = 0;
	cmd->tx_step = NVMET_TCP_TX_DATA_HDR;
}

/* Decides which PDUs a completed command needs; false if it cannot be sent. */
static bool nvmet_tcp_prep_completion(struct nvmet_tcp_cmd *cmd)
{
	u16 status = le16_to_cpu(cmd->cqe.status) >> 1;

	if (!status && cmd->req.transfer_len &&
	    !nvmet_wire_sqe_is_write((const u8 *)&cmd->sqe)) {
		if (!nvmet_tcp_sg_covers(&cmd->req, cmd->req.transfer_len))
			return false;
		nvmet_tcp_prep_c2h(cmd);
		return true;
	}
	nvmet_tcp_prep_rsp(cmd);
	return true;
}

static struct nvmet_tcp_cmd *nvmet_tcp_next_tx(struct nvmet_tcp_queue *queue)
{
	struct llist_node *node;
	struct nvmet_tcp_cmd *cmd, *tmp;

	if (list_empty(&queue->tx_list)) {
		node = llist_reverse_order(llist_del_all(&queue->resp_list));
		llist_for_each_entry_safe(cmd, tmp, node, resp_node)
			list_add_tail(&cmd->tx_entry, &queue->tx_list);
	}
	cmd = list_first_entry_or_null(&queue->tx_list, struct nvmet_tcp_cmd, tx_entry);
	if (!cmd)
		return NULL;
	list_del_init(&cmd->tx_entry);
	/* R2Ts come prepared; a completed command gets its PDUs built now. */
	if (READ_ONCE(cmd->state) != NVMET_TCP_CMD_R2T && !nvmet_tcp_prep_completion(cmd)) {
		pr_err("queue %u: command %u has less data than it transfers\n",
		       queue->id, cmd->sqe.common.command_id);
		nvmet_tcp_put_cmd(cmd);
		return ERR_PTR(-EIO);
	}
	queue->tx_cmd = cmd;
	return cmd;
}

/* --- the send batch ------------------------------------------------------- */

/* Room for NR_BV more pages and a mark. */
static bool nvmet_tcp_txb_room(const struct nvmet_tcp_txb *b, u32 nr_bv)
{
	return b->nr_bv + nr_bv <= NVMET_TCP_TXB_BVECS && b->nr_mark < NVMET_TCP_TXB_MARKS;
}

/*
 * Room for LEN header bytes in the header pages: the next page when this
 * one is full, reused if the stack is done with it (only our reference
 * left), else left to the stack and replaced.
 */
static u8 *nvmet_tcp_tx_hdr_space(struct nvmet_tcp_queue *queue, u32 len)
{
	struct page *page = queue->tx_pages[queue->tx_page];

	if (page && queue->tx_page_off + len <= PAGE_SIZE)
		goto out;
	queue->tx_page = (queue->tx_page + 1) % NVMET_TCP_TX_PAGES;
	queue->tx_page_off = 0;
	page = queue->tx_pages[queue->tx_page];
	if (page && page_ref_count(page) == 1)
		goto out;
	if (page)
		put_page(page);
	page = alloc_page(GFP_KERNEL);
	queue->tx_pages[queue->tx_page] = page;
	if (!page)
		return NULL;
out:
	return page_address(page) + queue->tx_page_off;
}

/* Appends a copy of LEN header bytes (room checked by the caller). */
static int nvmet_tcp_txb_copy(struct nvmet_tcp_queue *queue, const void *buf, u32 len)
{
	struct nvmet_tcp_txb *b = &queue->txb;
	u8 *p;

	p = nvmet_tcp_tx_hdr_space(queue, len);
	if (!p)
		return -ENOMEM;
	memcpy(p, buf, len);
	queue->tx_page_off += len;
	/* Follows the previous header in its page: one piece for the stack. */
	if (b->nr_bv && bvec_virt(&b->bv[b->nr_bv - 1]) + b->bv[b->nr_bv - 1].bv_len == p &&
	    b->bv[b->nr_bv - 1].bv_offset + b->bv[b->nr_bv - 1].bv_len + len <= PAGE_SIZE)
		b->bv[b->nr_bv - 1].bv_len += len;
	else
		bvec_set_virt(&b->bv[b->nr_bv++], p, len);
	b->len += len;
	return 0;
}

static void nvmet_tcp_txb_mark(struct nvmet_tcp_txb *b, struct nvmet_tcp_cmd *cmd, bool r2t)
{
	b->mark[b->nr_mark++] = (struct nvmet_tcp_txb_mark){
		.cmd = cmd, .end = b->len, .r2t = r2t,
	};
}

/*
 * Appends what fits of CMD's PDUs from its tx_step on: 0 once the last of
 * them is in the batch, -ENOSPC when the batch is full first, another
 * negative errno on a fatal error.
 */
static int nvmet_tcp_txb_add(struct nvmet_tcp_queue *queue, struct nvmet_tcp_cmd *cmd)
{
	struct nvmet_tcp_txb *b = &queue->txb;
	bool splice = true;
	u32 mapped;
	int nr, ret;

	switch (cmd->tx_step) {
	case NVMET_TCP_TX_R2T:
		if (!nvmet_tcp_txb_room(b, 1))
			return -ENOSPC;
		ret = nvmet_tcp_txb_copy(queue, cmd->tx_hdr, cmd->tx_hdr_len);
		if (ret)
			return ret;
		nvmet_tcp_txb_mark(b, cmd, true);
		return 0;
	case NVMET_TCP_TX_DATA_HDR:
		/* The header, a page of data and what may follow in this batch. */
		if (!nvmet_tcp_txb_room(b, 3))
			return -ENOSPC;
		ret = nvmet_tcp_txb_copy(queue, cmd->tx_hdr, cmd->tx_hdr_len);
		if (ret)
			return ret;
		cmd->tx_step = NVMET_TCP_TX_DATA;
		fallthrough;
	case NVMET_TCP_TX_DATA:
		if (b->nr_bv == NVMET_TCP_TXB_BVECS)
			return -ENOSPC;
		nr = nvmet_tcp_map_bvecs(cmd->tx_sg, cmd->tx_sg_off, cmd->tx_data_left,
					 &b->bv[b->nr_bv], NVMET_TCP_TXB_BVECS - b->nr_bv,
					 &mapped, &splice);
		if (!mapped)
			return -EIO;	/* not reached: nvmet_tcp_sg_covers() was checked */
		b->nr_bv += nr;
		b->len += mapped;
		b->splice &= splice;
		nvmet_tcp_sg_advance(&cmd->tx_sg, &cmd->tx_sg_off, mapped);
		cmd->tx_data_left -= mapped;
		if (cmd->tx_data_left)
			return -ENOSPC;
		cmd->tx_step = NVMET_TCP_TX_DATA_DGST;
		fallthrough;
	case NVMET_TCP_TX_DATA_DGST:
		if (queue->limits.ddgst) {
			if (!nvmet_tcp_txb_room(b, 1))
				return -ENOSPC;
			ret = nvmet_tcp_txb_copy(queue, cmd->tx_ddgst, sizeof(cmd->tx_ddgst));
			if (ret)
				return ret;
		}
		if (!cmd->tx_rsp) {
			/* C2HData with SUCCESS: the command ends with its data. */
			if (!nvmet_tcp_txb_room(b, 0))
				return -ENOSPC;
			nvmet_tcp_txb_mark(b, cmd, false);
			return 0;
		}
		nvmet_tcp_prep_rsp(cmd);
		fallthrough;
	case NVMET_TCP_TX_RSP:
		if (!nvmet_tcp_txb_room(b, 1))
			return -ENOSPC;
		ret = nvmet_tcp_txb_copy(queue, cmd->tx_hdr, cmd->tx_hdr_len);
		if (ret)
			return ret;
		nvmet_tcp_txb_mark(b, cmd, false);
		return 0;
	default:
		return -EIO;
	}
}

/* Fills the batch from the command partly in it, then the queued ones. */
static int nvmet_tcp_txb_fill(struct nvmet_tcp_queue *queue)
{
	struct nvmet_tcp_cmd *cmd = queue->tx_cmd;
	int ret;

	/* Called with the batch empty: does it continue a PDU? */
	queue->txb.starts_in_pdu = cmd && (cmd->tx_step == NVMET_TCP_TX_DATA ||
					   cmd->tx_step == NVMET_TCP_TX_DATA_DGST);
	for (;;) {
		/* A new command needs room for at least its first PDU. */
		if (!queue->tx_cmd && !nvmet_tcp_txb_room(&queue->txb, 3))
			return 0;
		cmd = queue->tx_cmd ?: nvmet_tcp_next_tx(queue);
		if (IS_ERR_OR_NULL(cmd))
			return PTR_ERR_OR_ZERO(cmd);
		ret = nvmet_tcp_txb_add(queue, cmd);
		/*
		 * Full: send it. No header page: send what the batch has and
		 * try again then (the command's state is as before the call).
		 */
		if (ret == -ENOSPC || (ret == -ENOMEM && queue->txb.len)) {
			queue->tx_cmd = cmd;
			return 0;
		}
		if (ret)
			return ret;
		queue->tx_cmd = NULL;
	}
}

static void nvmet_tcp_txb_reset(struct nvmet_tcp_queue *queue)
{
	struct nvmet_tcp_txb *b = &queue->txb;

	b->nr_bv = 0;
	b->nr_mark = 0;
	b->bv_first = 0;
	b->bv_off = 0;
	b->mark_first = 0;
	b->len = 0;
	b->sent = 0;
	b->splice = true;
	b->starts_in_pdu = false;
}

/* The PDUs whose last byte is out. -ESHUTDOWN: the Disconnect's response. */
static int nvmet_tcp_txb_retire(struct nvmet_tcp_queue *queue)
{
	struct nvmet_tcp_txb *b = &queue->txb;
	struct nvmet_tcp_cmd *cmd;
	int ret = 0;

	while (b->mark_first < b->nr_mark && b->mark[b->mark_first].end <= b->sent) {
		cmd = b->mark[b->mark_first].cmd;
		if (b->mark[b->mark_first++].r2t) {
			/* Only now may the host's H2CData for it be accepted. */
			WRITE_ONCE(cmd->state, NVMET_TCP_CMD_H2C);
			continue;
		}
		nvmet_tcp_put_cmd(cmd);
		/* The host has the Disconnect's completion: the queue ends. */
		if (cmd == queue->disconnect_cmd)
			ret = -ESHUTDOWN;
	}
	return ret;
}

/* One sendmsg of what is left of the batch: bytes sent or a negative errno. */
static int nvmet_tcp_txb_send(struct nvmet_tcp_queue *queue)
{
	struct nvmet_tcp_txb *b = &queue->txb;
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	u32 n;
	int ret;

	/*
	 * kTLS copies into its records anyway, and a spliced piece takes one
	 * of a record's few slots: small headers would make small records.
	 */
	if (b->splice && READ_ONCE(queue->tls_phase) != NVMET_TCP_TLS_ON)
		msg.msg_flags |= MSG_SPLICE_PAGES;
	if (queue->tx_cmd || nvmet_tcp_more_to_send(queue))
		msg.msg_flags |= MSG_MORE;
	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, &b->bv[b->bv_first], b->nr_bv - b->bv_first,
		      b->len - b->sent + b->bv_off);
	iov_iter_advance(&msg.msg_iter, b->bv_off);
	ret = sock_sendmsg(queue->sock, &msg);
	if (ret <= 0)
		return ret ? ret : -EAGAIN;
	b->sent += ret;
	for (n = ret; n && b->bv_first < b->nr_bv; ) {
		u32 step = min(n, b->bv[b->bv_first].bv_len - b->bv_off);

		n -= step;
		b->bv_off += step;
		if (b->bv_off == b->bv[b->bv_first].bv_len) {
			b->bv_first++;
			b->bv_off = 0;
		}
	}
	return ret;
}

/* Part of a PDU is on the wire and the rest is not: no TermReq fits in. */
static bool nvmet_tcp_tx_in_pdu(struct nvmet_tcp_queue *queue)
{
	const struct nvmet_tcp_txb *b = &queue->txb;
	const struct nvmet_tcp_cmd *cmd = queue->tx_cmd;

	if (b->sent < b->len)
		return b->sent || b->starts_in_pdu;
	/* All sent: a C2HData PDU may still have data or its digest to come. */
	return cmd && (cmd->tx_step == NVMET_TCP_TX_DATA ||
		       cmd->tx_step == NVMET_TCP_TX_DATA_DGST);
}

/*
 * One step of sending: part of the ICResp, or one sendmsg of the batch,
 * filled first from the queued PDUs if it was all sent. Returns > 0 on
 * progress, -EAGAIN when the socket is full, 0 when there is nothing to
 * send, another negative errno on a fatal error.
 */
static int nvmet_tcp_tx(struct nvmet_tcp_queue *queue)
{
	struct nvmet_tcp_txb *b = &queue->txb;
	int ret, done;

	if (queue->ctl_len) {
		ret = nvmet_tcp_send_kvec(queue, queue->ctl_buf + queue->ctl_off,
					  queue->ctl_len - queue->ctl_off, false);
		if (ret < 0)
			return ret;
		queue->ctl_off += ret;
		if (queue->ctl_off == queue->ctl_len)
			queue->ctl_len = 0;
		return ret;
	}

	if (b->sent == b->len) {
		ret = nvmet_tcp_txb_fill(queue);
		if (ret < 0)
			return ret;
		if (!b->len)
			return 0;
	}
	ret = nvmet_tcp_txb_send(queue);
	if (ret < 0)
		return ret;
	done = nvmet_tcp_txb_retire(queue);
	if (b->sent == b->len)
		nvmet_tcp_txb_reset(queue);
	return done ? done : ret;
}

/* Called by the core from any context once a command is complete. */
static void nvmet_tcp_queue_response(struct nvmet_req *req)
{
	struct nvmet_tcp_cmd *cmd = container_of(req, struct nvmet_tcp_cmd, req);
	struct nvmet_tcp_queue *queue = cmd->queue;

	WRITE_ONCE(cmd->state, NVMET_TCP_CMD_RESP);
	llist_add(&cmd->resp_node, &queue->resp_list);
	/* Pairs with the barrier in nvmet_tcp_io_idle(). */
	smp_mb();
	if (!READ_ONCE(queue->io_busy))
		nvmet_tcp_kick(queue);
}

/* --- receive side ------------------------------------------------------- */

/*
 * A TLS record that is not application data, received (into BUF when it is
 * a kernel buffer, else NULL) where PDU bytes were expected: an alert ends
 * the queue (quietly for close_notify), and so does anything else, which
 * kTLS cannot handle after the handshake either.
 */
static int nvmet_tcp_tls_record(struct nvmet_tcp_queue *queue, u8 type, const u8 *buf, int len)
{
	if (type == TLS_RECORD_TYPE_ALERT && buf && len >= 2) {
		if (buf[1] == TLS_ALERT_DESC_CLOSE_NOTIFY) {
			pr_debug("queue %u (host %pISc): TLS close_notify\n", queue->id,
				 &queue->peer_addr);
			return -ECONNRESET;
		}
		pr_warn_ratelimited("queue %u (host %pISc): TLS alert %u (level %u) from the host, closing\n",
				    queue->id, &queue->peer_addr, buf[1], buf[0]);
		return -ECONNRESET;
	}
	pr_warn_ratelimited("queue %u (host %pISc): TLS record type %u where application data was expected, closing\n",
			    queue->id, &queue->peer_addr, type);
	return -EPROTO;
}

/*
 * Every read of PDU bytes: > 0 bytes read, -EAGAIN, or another negative
 * errno that ends the queue. On a TLS queue the record type comes with the
 * data; only application data may carry PDUs. BUF: the kernel buffer MSG
 * reads into, if it is one (for alerts).
 */
static int nvmet_tcp_recvmsg(struct nvmet_tcp_queue *queue, struct msghdr *msg, const u8 *buf)
{
	union {
		struct cmsghdr	hdr;
		u8		space[CMSG_SPACE(sizeof(u8))];
	} ctl = {};
	bool tls = READ_ONCE(queue->tls_phase) == NVMET_TCP_TLS_ON;
	u8 type;
	int ret;

	if (tls) {
		msg->msg_control = &ctl;
		msg->msg_controllen = sizeof(ctl);
	}
	ret = sock_recvmsg(queue->sock, msg, MSG_DONTWAIT);
	if (ret <= 0)
		return ret ? ret : -ECONNRESET;
	if (tls) {
		type = tls_get_record_type(queue->sock->sk, &ctl.hdr);
		if (type && type != TLS_RECORD_TYPE_DATA)
			return nvmet_tcp_tls_record(queue, type, buf, ret);
	}
	return ret;
}

static int nvmet_tcp_recv_kvec(struct nvmet_tcp_queue *queue, void *buf, u32 len)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	struct kvec iov = { .iov_base = buf, .iov_len = len };

	iov_iter_kvec(&msg.msg_iter, ITER_DEST, &iov, 1, len);
	return nvmet_tcp_recvmsg(queue, &msg, buf);
}

/*
 * A fatal PDU error: stop reading, tell the host why with a C2HTermReq if
 * the outgoing stream is between PDUs (best effort), and let the caller
 * tear the queue down.
 */
static int nvmet_tcp_proto_error(struct nvmet_tcp_queue *queue, u16 fes, u32 fei)
{
	u8 term[NVME_TCP_MAX_C2HTERM_PLEN];
	size_t len;

	pr_err_ratelimited("queue %u: fatal PDU error (FES %#x, FEI %u), closing\n",
			   queue->id, fes, fei);
	queue->rx.state = NVMET_TCP_RX_STOP;
	if (nvmet_tcp_tx_in_pdu(queue) || queue->ctl_len)
		return -EPROTO;
	len = nvmet_wire_tcp_build_term(term, fes, fei, queue->rx.hdr, queue->rx.hdr_got);
	nvmet_tcp_send_kvec(queue, term, len, false);
	return -EPROTO;
}

static int nvmet_tcp_wire_error(struct nvmet_tcp_queue *queue,
				const struct nvmet_wire_tcp_err *err)
{
	return nvmet_tcp_proto_error(queue, err->fes, err->fei);
}

/* Back to waiting for a common header. */
static void nvmet_tcp_rx_reset(struct nvmet_tcp_rx *rx)
{
	rx->state = NVMET_TCP_RX_CH;
	rx->hdr_got = 0;
	rx->cmd = NULL;
}

/*
 * The header is handled: receive the PDU's data (if any), giving bytes
 * [KEEP_OFF, KEEP_OFF + KEEP_LEN) to CMD and dropping the rest.
 */
static void nvmet_tcp_rx_begin_data(struct nvmet_tcp_queue *queue, struct nvmet_tcp_cmd *cmd,
				    u32 keep_off, u32 keep_len)
{
	struct nvmet_tcp_rx *rx = &queue->rx;

	if (!rx->pdu.data_len) {
		nvmet_tcp_rx_reset(rx);
		return;
	}
	rx->cmd = cmd;
	rx->keep_off = cmd ? keep_off : 0;
	rx->keep_len = cmd ? keep_len : 0;
	rx->data_got = 0;
	rx->ddgst_got = 0;
	rx->crc = ~0U;
	rx->pad_left = rx->pdu.data_off - rx->pdu.hdr_len;
	rx->state = rx->pad_left ? NVMET_TCP_RX_PAD : NVMET_TCP_RX_DATA;
}

static void nvmet_tcp_execute(struct nvmet_tcp_cmd *cmd)
{
	WRITE_ONCE(cmd->state, NVMET_TCP_CMD_EXEC);
	cmd->req.execute(&cmd->req);
}

/* Completes an initialized command that will not execute. */
static void nvmet_tcp_fail_cmd(struct nvmet_tcp_cmd *cmd, u16 status)
{
	WRITE_ONCE(cmd->state, NVMET_TCP_CMD_EXEC);
	nvmet_req_complete(&cmd->req, status);
}

/* The command's data buffer, sized by nvmet_req_buf_len(); 0 or -ENOMEM. */
static int nvmet_tcp_alloc_data(struct nvmet_tcp_cmd *cmd)
{
	struct nvmet_req *req = &cmd->req;
	size_t len = nvmet_req_buf_len(req);
	u32 i, n = DIV_ROUND_UP(len, PAGE_SIZE);
	struct page *page;

	if (len && n <= NVMET_TCP_SLOT_SG) {
		sg_init_table(cmd->sgl, n);
		req->sg = cmd->sgl;
		cmd->pooled = true;
		for (i = 0; i < n; i++) {
			page = nvmet_tcp_page_get(cmd->queue);
			if (!page)
				goto fail;
			sg_set_page(&cmd->sgl[i], page,
				    min_t(size_t, len - i * PAGE_SIZE, PAGE_SIZE), 0);
			req->sg_cnt = i + 1;
		}
	} else if (len && (nvmet_req_alloc_sgls(req) || !nvmet_tcp_sg_covers(req, len))) {
		goto fail;
	}
	cmd->rx_sg = req->sg;
	cmd->rx_sg_off = 0;
	return 0;
fail:
	nvmet_tcp_free_data(cmd);
	return -ENOMEM;
}

/*
 * Sends the R2Ts of waiting writes, in arrival order, while the queue's
 * budget allows (one write always may); io_work only.
 */
static void nvmet_tcp_admit_r2t(struct nvmet_tcp_queue *queue)
{
	struct nvmet_tcp_cmd *cmd, *tmp;
	u32 len;

	list_for_each_entry_safe(cmd, tmp, &queue->r2t_wait, r2t_entry) {
		len = nvmet_req_buf_len(&cmd->req);
		if (queue->r2t_bytes && len > NVMET_TCP_R2T_BUDGET - queue->r2t_bytes)
			return;
		list_del_init(&cmd->r2t_entry);
		if (nvmet_tcp_alloc_data(cmd)) {
			nvmet_tcp_fail_cmd(cmd, NVME_SC_INTERNAL);
			continue;
		}
		cmd->r2t_charge = len;
		queue->r2t_bytes += len;
		nvmet_tcp_queue_r2t(cmd);
	}
}

/* All solicited data of CMD arrived: its budget goes to waiting writes. */
static void nvmet_tcp_r2t_done(struct nvmet_tcp_cmd *cmd)
{
	struct nvmet_tcp_queue *queue = cmd->queue;

	queue->r2t_bytes -= cmd->r2t_charge;
	cmd->r2t_charge = 0;
}

static int nvmet_tcp_handle_icreq(struct nvmet_tcp_queue *queue)
{
	struct nvmet_wire_tcp_icreq ic;
	struct nvmet_wire_tcp_err err;

	if (nvmet_wire_tcp_parse_icreq(queue->rx.hdr, &ic, &err))
		return nvmet_tcp_wire_error(queue, &err);
	queue->limits.hdgst = ic.hdgst;
	queue->limits.ddgst = ic.ddgst;
	queue->limits.ic_done = true;
	queue->hpda = ic.hpda;
	WRITE_ONCE(queue->icreq_seen, true);
	mod_delayed_work(nvmet_tcp_ctl_wq, &queue->connect_timer,
			 nvmet_tcp_connect_timeout_len(queue));
	nvmet_wire_tcp_build_icresp(queue->ctl_buf, queue->limits.cpda, ic.hdgst, ic.ddgst,
				    NVMET_TCP_MAXH2CDATA);
	queue->ctl_len = NVMET_WIRE_TCP_IC_LEN;
	queue->ctl_off = 0;
	nvmet_tcp_rx_reset(&queue->rx);
	return 1;
}

static int nvmet_tcp_handle_cmd(struct nvmet_tcp_queue *queue)
{
	struct nvmet_tcp_rx *rx = &queue->rx;
	const u8 *sqe = rx->hdr + NVMET_WIRE_TCP_CH_LEN;
	u32 incapsule = rx->pdu.data_len;
	struct nvmet_wire_sgl sgl;
	struct nvmet_tcp_cmd *cmd;
	struct nvmet_req *req;
	u16 status;

	if (queue->disconnect_cmd) {
		pr_err_ratelimited("queue %u: host sent a command after Disconnect\n", queue->id);
		return nvmet_tcp_proto_error(queue, NVME_TCP_FES_PDU_SEQ_ERR, 0);
	}
	cmd = nvmet_tcp_get_cmd(queue);
	if (!cmd) {
		pr_err_ratelimited("queue %u: host sent more commands than the queue holds\n",
				   queue->id);
		return nvmet_tcp_proto_error(queue, NVME_TCP_FES_PDU_SEQ_ERR, 0);
	}
	req = &cmd->req;
	queue->io_cmds++;
	memcpy(&cmd->sqe, sqe, sizeof(cmd->sqe));
	memset(&cmd->cqe, 0, sizeof(cmd->cqe));
	req->cq = &queue->cq;
	req->port = queue->nport;
	req->sg = NULL;
	req->sg_cnt = 0;
	req->transfer_len = 0;
	cmd->rx_done = 0;
	cmd->rx_bad_ddgst = false;

	/* Unless the command takes it below, in-capsule data is dropped. */
	nvmet_tcp_rx_begin_data(queue, NULL, 0, 0);

	/* A failed init completes the command through queue_response(). */
	WRITE_ONCE(cmd->state, NVMET_TCP_CMD_EXEC);
	if (!nvmet_req_init(req, &queue->sq, &nvmet_tcp_ops))
		return 1;

	status = nvmet_wire_tcp_sgl(sqe, incapsule, NVMET_TCP_MAX_XFER, &sgl);
	if (!status && sgl.kind != NVMET_WIRE_SGL_NONE) {
		req->transfer_len = sgl.length;
		status = nvmet_check_read_sgl_len(req);
	}
	if (!status && sgl.kind == NVMET_WIRE_SGL_TRANSPORT && nvmet_wire_sqe_is_write(sqe)) {
		/* The buffer comes with the R2T, once the queue's budget allows. */
		WRITE_ONCE(cmd->state, NVMET_TCP_CMD_R2T_WAIT);
		list_add_tail(&cmd->r2t_entry, &queue->r2t_wait);
		nvmet_tcp_admit_r2t(queue);
		return 1;
	}
	if (!status && sgl.kind != NVMET_WIRE_SGL_NONE && nvmet_tcp_alloc_data(cmd))
		status = NVME_SC_INTERNAL;
	if (status) {
		nvmet_tcp_fail_cmd(cmd, status);
		return 1;
	}

	switch (sgl.kind) {
	case NVMET_WIRE_SGL_INCAPSULE:
		WRITE_ONCE(cmd->state, NVMET_TCP_CMD_DATA_IN);
		nvmet_tcp_rx_begin_data(queue, cmd, sgl.offset,
					min_t(u32, sgl.length, nvmet_req_buf_len(req)));
		break;
	case NVMET_WIRE_SGL_TRANSPORT:
		nvmet_tcp_execute(cmd);
		break;
	default:
		nvmet_tcp_execute(cmd);
		break;
	}
	return 1;
}

static int nvmet_tcp_handle_h2c(struct nvmet_tcp_queue *queue)
{
	struct nvmet_tcp_rx *rx = &queue->rx;
	struct nvmet_wire_tcp_h2c h2c;
	struct nvmet_wire_tcp_err err;
	struct nvmet_tcp_cmd *cmd;
	u32 buf, keep;

	nvmet_wire_tcp_parse_h2c(rx->hdr, &h2c);
	cmd = nvmet_tcp_find_ttag(queue, h2c.ttag);
	if (!cmd || READ_ONCE(cmd->state) != NVMET_TCP_CMD_H2C)
		return nvmet_tcp_proto_error(queue, NVME_TCP_FES_INVALID_PDU_HDR,
					     NVMET_TCP_H2C_TTAG);
	if (h2c.command_id != wire_le16((const u8 *)&cmd->sqe.common.command_id))
		return nvmet_tcp_proto_error(queue, NVME_TCP_FES_INVALID_PDU_HDR,
					     NVMET_TCP_H2C_CCCID);
	if (nvmet_wire_tcp_check_h2c(&h2c, &rx->pdu, cmd->rx_done, cmd->req.transfer_len, &err))
		return nvmet_tcp_wire_error(queue, &err);
	/* This PDU is bytes [rx_done, rx_done + data_len) of the transfer. */
	buf = nvmet_req_buf_len(&cmd->req);
	keep = cmd->rx_done < buf ? min_t(u32, rx->pdu.data_len, buf - cmd->rx_done) : 0;
	nvmet_tcp_rx_begin_data(queue, cmd, 0, keep);
	return 1;
}

/* The whole header (and its digest) is in rx->hdr. */
static int nvmet_tcp_handle_hdr(struct nvmet_tcp_queue *queue)
{
	struct nvmet_tcp_rx *rx = &queue->rx;

	if (rx->pdu.hdr_len > rx->pdu.hlen &&
	    wire_le32(rx->hdr + rx->pdu.hlen) != nvmet_tcp_hdgst(rx->hdr, rx->pdu.hlen))
		return nvmet_tcp_proto_error(queue, NVME_TCP_FES_HDR_DIGEST_ERR, 0);

	switch (rx->pdu.type) {
	case nvme_tcp_icreq:
		return nvmet_tcp_handle_icreq(queue);
	case nvme_tcp_cmd:
		return nvmet_tcp_handle_cmd(queue);
	case nvme_tcp_h2c_data:
		return nvmet_tcp_handle_h2c(queue);
	case nvme_tcp_h2c_term:
		pr_info_ratelimited("queue %u: host terminated the connection (FES %#x)\n",
				    queue->id, wire_le16(rx->hdr + NVMET_TCP_TERM_FES));
		rx->state = NVMET_TCP_RX_STOP;
		return -ECONNRESET;
	default:
		return nvmet_tcp_proto_error(queue, NVME_TCP_FES_INVALID_PDU_HDR, 0);
	}
}

/* All data of a PDU (and its digest) arrived; DGST_OK is false on mismatch. */
static void nvmet_tcp_data_done(struct nvmet_tcp_queue *queue, bool dgst_ok)
{
	struct nvmet_tcp_rx *rx = &queue->rx;
	struct nvmet_tcp_cmd *cmd = rx->cmd;

	if (!dgst_ok && cmd)
		pr_err_ratelimited("queue %u: data digest error on command %u\n",
				   queue->id, cmd->sqe.common.command_id);
	nvmet_tcp_rx_reset(rx);
	if (!cmd)
		return;
	if (!dgst_ok)
		cmd->rx_bad_ddgst = true;
	if (READ_ONCE(cmd->state) == NVMET_TCP_CMD_H2C) {
		cmd->rx_done += rx->pdu.data_len;
		if (cmd->rx_done < cmd->req.transfer_len)
			return;
		nvmet_tcp_r2t_done(cmd);
	}
	/* A command whose data was damaged is completed, not executed. */
	if (cmd->rx_bad_ddgst)
		nvmet_tcp_fail_cmd(cmd, NVME_SC_DATA_XFER_ERROR);
	else
		nvmet_tcp_execute(cmd);
	nvmet_tcp_admit_r2t(queue);
}

/*
 * Refills the read-ahead if it is empty (one read of what the socket has,
 * up to its size). Returns 0, or an errno as nvmet_tcp_recvmsg().
 */
static int nvmet_tcp_rx_fill(struct nvmet_tcp_queue *queue)
{
	struct nvmet_tcp_rx *rx = &queue->rx;
	int ret;

	if (rx->buf_pos < rx->buf_len)
		return 0;
	rx->buf_pos = 0;
	rx->buf_len = 0;
	ret = nvmet_tcp_recv_kvec(queue, rx->buf, NVMET_TCP_RX_BUF);
	if (ret < 0)
		return ret;
	rx->buf_len = ret;
	return 0;
}

/*
 * Up to LEN bytes for the parser from the read-ahead, which is refilled
 * first if it is empty: *P points at them. Returns their count, or an errno
 * as nvmet_tcp_recvmsg().
 */
static int nvmet_tcp_rx_take(struct nvmet_tcp_queue *queue, u32 len, const u8 **p)
{
	struct nvmet_tcp_rx *rx = &queue->rx;
	u32 n;
	int ret;

	ret = nvmet_tcp_rx_fill(queue);
	if (ret < 0)
		return ret;
	n = min(len, rx->buf_len - rx->buf_pos);
	*p = rx->buf + rx->buf_pos;
	rx->buf_pos += n;
	return n;
}

/* Up to LEN bytes from the read-ahead (refilled if empty) into DST. */
static int nvmet_tcp_rx_copy(struct nvmet_tcp_queue *queue, u8 *dst, u32 len)
{
	const u8 *p;
	int ret;

	ret = nvmet_tcp_rx_take(queue, len, &p);
	if (ret > 0)
		memcpy(dst, p, ret);
	return ret;
}

/*
 * Up to LEN bytes of PDU data into CMD's buffer: from the read-ahead if it
 * holds any, else straight from the socket when LEN is long enough to be
 * worth its own read, else through a refill of the read-ahead.
 */
static int nvmet_tcp_recv_sg(struct nvmet_tcp_queue *queue, struct nvmet_tcp_cmd *cmd, u32 len)
{
	struct nvmet_tcp_rx *rx = &queue->rx;
	struct bio_vec bv[NVMET_TCP_MAX_BVECS];
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	const u8 *p;
	u32 mapped;
	int nr, ret;

	if (len < NVMET_TCP_RX_DIRECT) {
		ret = nvmet_tcp_rx_fill(queue);
		if (ret < 0)
			return ret;
	}
	if (rx->buf_pos < rx->buf_len)
		len = min(len, rx->buf_len - rx->buf_pos);
	nr = nvmet_tcp_map_bvecs(cmd->rx_sg, cmd->rx_sg_off, len, bv, ARRAY_SIZE(bv),
				 &mapped, NULL);
	if (!mapped)
		return -EIO;
	iov_iter_bvec(&msg.msg_iter, ITER_DEST, bv, nr, mapped);
	if (rx->buf_pos < rx->buf_len) {
		p = rx->buf + rx->buf_pos;
		ret = copy_to_iter(p, mapped, &msg.msg_iter);
		if (ret != mapped)
			return -EFAULT;
		rx->buf_pos += ret;
		if (rx->pdu.has_ddgst)
			rx->crc = crc32c(rx->crc, p, ret);
	} else {
		ret = nvmet_tcp_recvmsg(queue, &msg, NULL);
		if (ret < 0)
			return ret;
		if (rx->pdu.has_ddgst)
			rx->crc = nvmet_tcp_crc_bvecs(rx->crc, bv, ret);
	}
	nvmet_tcp_sg_advance(&cmd->rx_sg, &cmd->rx_sg_off, ret);
	return ret;
}

/* Up to LEN bytes nobody wants (padding, data of a failed command). */
static int nvmet_tcp_recv_drop(struct nvmet_tcp_queue *queue, u32 len, bool dgst)
{
	const u8 *p;
	int ret;

	ret = nvmet_tcp_rx_take(queue, len, &p);
	if (ret > 0 && dgst)
		queue->rx.crc = crc32c(queue->rx.crc, p, ret);
	return ret;
}

static int nvmet_tcp_rx_data(struct nvmet_tcp_queue *queue)
{
	struct nvmet_tcp_rx *rx = &queue->rx;
	u32 pos = rx->data_got, left;
	int ret;

	if (rx->cmd && pos >= rx->keep_off && pos - rx->keep_off < rx->keep_len) {
		left = rx->keep_off + rx->keep_len - pos;
		ret = nvmet_tcp_recv_sg(queue, rx->cmd, left);
	} else {
		left = pos < rx->keep_off ? rx->keep_off - pos : rx->pdu.data_len - pos;
		ret = nvmet_tcp_recv_drop(queue, left, rx->pdu.has_ddgst);
	}
	if (ret < 0)
		return ret;
	rx->data_got += ret;
	if (rx->data_got < rx->pdu.data_len)
		return ret;
	if (rx->pdu.has_ddgst)
		rx->state = NVMET_TCP_RX_DDGST;
	else
		nvmet_tcp_data_done(queue, true);
	return ret;
}

/*
 * TLS not required: the host's first byte, peeked, decides. A TLS handshake
 * record hands the queue to tls_work for the handshake (within the handshake
 * timeout); anything else is read as PDUs, whose checks answer any garbage.
 */
static int nvmet_tcp_tls_sniff(struct nvmet_tcp_queue *queue)
{
	struct msghdr msg = { .msg_flags = MSG_PEEK | MSG_DONTWAIT };
	u8 first;
	struct kvec iov = { .iov_base = &first, .iov_len = 1 };
	int ret;

	ret = kernel_recvmsg(queue->sock, &msg, &iov, 1, 1, msg.msg_flags);
	if (ret <= 0)
		return ret ? ret : -ECONNRESET;
	if (first != TLS_RECORD_TYPE_HANDSHAKE) {
		WRITE_ONCE(queue->tls_phase, NVMET_TCP_TLS_NONE);
		return ret;
	}
	WRITE_ONCE(queue->tls_phase, NVMET_TCP_TLS_START);
	mod_delayed_work(nvmet_tcp_ctl_wq, &queue->connect_timer,
			 READ_ONCE(tls_handshake_timeout) * HZ);
	queue_work(nvmet_tcp_ctl_wq, &queue->tls_work);
	return 0;
}

/*
 * One step of receiving. Returns > 0 on progress, -EAGAIN when the socket
 * has nothing, 0 when reading has stopped, another negative errno when the
 * queue must go.
 */
static int nvmet_tcp_rx(struct nvmet_tcp_queue *queue)
{
	struct nvmet_tcp_rx *rx = &queue->rx;
	struct nvmet_wire_tcp_err err;
	u32 want;
	int ret;

	switch (READ_ONCE(queue->tls_phase)) {
	case NVMET_TCP_TLS_SNIFF:
		return nvmet_tcp_tls_sniff(queue);
	case NVMET_TCP_TLS_START:
	case NVMET_TCP_TLS_HANDSHAKE:
		return 0;
	default:
		break;
	}

	switch (rx->state) {
	case NVMET_TCP_RX_CH:
	case NVMET_TCP_RX_HDR:
		want = rx->state == NVMET_TCP_RX_CH ? NVMET_WIRE_TCP_CH_LEN : rx->pdu.hdr_len;
		ret = nvmet_tcp_rx_copy(queue, rx->hdr + rx->hdr_got, want - rx->hdr_got);
		if (ret < 0)
			return ret;
		rx->hdr_got += ret;
		if (rx->hdr_got < want)
			return ret;
		if (rx->state == NVMET_TCP_RX_HDR)
			return nvmet_tcp_handle_hdr(queue);
		/* Before Connect sized the queue we do not know its kind. */
		queue->limits.max_incapsule = NVME_TCP_ADMIN_CCSZ;
		/* Pairs with install_queue: sq.qid is set once nr_cmds is. */
		if (smp_load_acquire(&queue->nr_cmds) && queue->sq.qid)
			queue->limits.max_incapsule = queue->inline_size;
		/* On success hdr_len fits rx->hdr (NVMET_WIRE_TCP_MAX_HDR). */
		if (nvmet_wire_tcp_check_hdr(rx->hdr, &queue->limits, &rx->pdu, &err))
			return nvmet_tcp_wire_error(queue, &err);
		rx->state = NVMET_TCP_RX_HDR;
		return ret;
	case NVMET_TCP_RX_PAD:
		ret = nvmet_tcp_recv_drop(queue, rx->pad_left, false);
		if (ret < 0)
			return ret;
		rx->pad_left -= ret;
		if (!rx->pad_left)
			rx->state = NVMET_TCP_RX_DATA;
		return ret;
	case NVMET_TCP_RX_DATA:
		return nvmet_tcp_rx_data(queue);
	case NVMET_TCP_RX_DDGST:
		ret = nvmet_tcp_rx_copy(queue, rx->ddgst + rx->ddgst_got,
					sizeof(rx->ddgst) - rx->ddgst_got);
		if (ret < 0)
			return ret;
		rx->ddgst_got += ret;
		if (rx->ddgst_got == sizeof(rx->ddgst))
			nvmet_tcp_data_done(queue, wire_le32(rx->ddgst) == ~rx->crc);
		return ret;
	default:
		return 0;
	}
}

/* --- io_work and socket callbacks --------------------------------------- */

/*
 * Disconnect: commands received before it still execute and send their
 * responses (and receive their H2CData); a new command is a PDU sequence
 * error. Runs from io_work, where commands execute.
 */
static void nvmet_tcp_disconnect_sq(struct nvmet_req *req)
{
	struct nvmet_tcp_cmd *cmd = container_of(req, struct nvmet_tcp_cmd, req);

	cmd->queue->disconnect_cmd = cmd;
}

/*
 * The Disconnect completes once it is the queue's only command left; true
 * if it just did. Sending its response ends the queue (see nvmet_tcp_tx()).
 */
static bool nvmet_tcp_disconnect_due(struct nvmet_tcp_queue *queue)
{
	if (!queue->disconnect_cmd || queue->disconnect_completed || queue->nr_busy > 1)
		return false;
	queue->disconnect_completed = true;
	nvmet_complete_disconnect(&queue->disconnect_cmd->req);
	return true;
}

/*
 * With idle_poll_period_usecs set, an idle queue whose last work is less
 * than that long ago stays scheduled: io_work polls its socket again
 * instead of waiting for the next callback. True if it should.
 */
static bool nvmet_tcp_keep_polling(struct nvmet_tcp_queue *queue, bool worked)
{
	int period = READ_ONCE(idle_poll_period_usecs);

	if (period <= 0)
		return false;
	if (worked)
		queue->poll_end = jiffies + usecs_to_jiffies(period);
	return time_before_eq(jiffies, queue->poll_end);
}

/*
 * io_work found nothing to do: true if it may return, false if a response
 * or data came meanwhile, whose queue_response() or data_ready saw io_busy
 * and did not kick. RX: the last read's result (-EAGAIN: the socket was
 * empty); TX: the last send's (-EAGAIN: the socket was full, write_space
 * will kick us, a response can wait for it).
 */
static bool nvmet_tcp_io_idle(struct nvmet_tcp_queue *queue, int rx, int tx)
{
	struct sock *sk = queue->sock->sk;

	WRITE_ONCE(queue->io_busy, false);
	/* Pairs with the barriers in queue_response() and data_ready. */
	smp_mb();
	return (tx == -EAGAIN || llist_empty(&queue->resp_list)) &&
	       (rx != -EAGAIN || queue->chain_callbacks ||
		skb_queue_empty_lockless(&sk->sk_receive_queue));
}

/* A window has ended (prio.lock held): which priority the next one runs. */
static void nvmet_tcp_prio_window(unsigned long now)
{
	struct nvmet_tcp_prio_state *p = &nvmet_tcp_prio;
	unsigned long len = now - p->start, sum = 0, cmds, cur, normal, high;
	bool hi = p->hi;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu(nvmet_tcp_cmds, cpu));
	cmds = sum - p->cmds;
	WRITE_ONCE(p->start, now);
	p->cmds = sum;
	if (len > 2 * NVMET_TCP_PRIO_WINDOW || cmds < NVMET_TCP_PRIO_MIN) {
		/* Idle or nearly: nothing to compare; latency matters most. */
		p->probe = false;
		p->acc = 0;
		p->nacc = 0;
		p->stay = 1;
		p->stay_len = NVMET_TCP_PRIO_STAY;
		WRITE_ONCE(p->hi, true);
		return;
	}
	if (len > NVMET_TCP_PRIO_WINDOW + NVMET_TCP_PRIO_WINDOW / 4) {
		/* Stretched by a pause: not comparable; a probe is tried again. */
		if (p->probe) {
			p->probe = false;
			p->stay = 1;
			WRITE_ONCE(p->hi, !hi);
		}
		return;
	}
	cmds = cmds * NVMET_TCP_PRIO_WINDOW / len;
	if (!p->probe) {
		p->acc += cmds;
		p->nacc++;
		if (--p->stay)
			return;
		p->probe = true;
		WRITE_ONCE(p->hi, !hi);
		return;
	}
	/*
	 * This window ran at the other priority: the faster one stays. When
	 * the one that stays won by more than a quarter, the next probe
	 * comes twice as late (up to NVMET_TCP_PRIO_STAY_MAX windows).
	 */
	cur = p->acc / p->nacc;
	normal = hi ? cur : cmds;
	high = hi ? cmds : cur;
	p->probe = false;
	p->acc = 0;
	p->nacc = 0;
	hi = normal <= high + high / 16;
	if (hi ? high > normal + normal / 4 : normal > high + high / 4)
		p->stay_len = min(2 * p->stay_len, NVMET_TCP_PRIO_STAY_MAX);
	else
		p->stay_len = NVMET_TCP_PRIO_STAY;
	p->stay = p->stay_len;
	WRITE_ONCE(p->hi, hi);
}

/*
 * At the end of a run (under its bit lock): count the commands it found,
 * and end the priority's window if it is over. A queue kicked before a
 * switch runs once more on the workers it was queued on.
 */
static void nvmet_tcp_io_pick(struct nvmet_tcp_queue *queue)
{
	u32 n = queue->io_cmds;
	unsigned long now;

	queue->io_cmds = 0;
	if (io_highpri >= 0)
		return;
	if (n)
		this_cpu_add(nvmet_tcp_cmds, n);
	now = jiffies;
	if (time_before(now, READ_ONCE(nvmet_tcp_prio.start) + NVMET_TCP_PRIO_WINDOW))
		return;
	if (!spin_trylock(&nvmet_tcp_prio.lock))
		return;
	if (!time_before(now, nvmet_tcp_prio.start + NVMET_TCP_PRIO_WINDOW))
		nvmet_tcp_prio_window(now);
	spin_unlock(&nvmet_tcp_prio.lock);
}

static void nvmet_tcp_io_loop(struct nvmet_tcp_queue *queue)
{
	int ops = 0, rx = 0, tx, i;
	bool rx_progress;

	WRITE_ONCE(queue->io_busy, true);
	while (!nvmet_tcp_closing(queue)) {
		rx_progress = false;
		for (i = 0; i < NVMET_TCP_RX_BURST; i++) {
			rx = nvmet_tcp_rx(queue);
			if (rx <= 0)
				break;
			rx_progress = true;
		}
		if (rx < 0 && rx != -EAGAIN)
			goto fail;
		tx = nvmet_tcp_tx(queue);
		if (tx < 0 && tx != -EAGAIN)
			goto fail;
		if (nvmet_tcp_disconnect_due(queue))
			continue;
		/*
		 * Idle: data_ready, write_space or queue_response kick us
		 * again; with idle polling, we also look again ourselves.
		 */
		if (!rx_progress && tx <= 0) {
			nvmet_tcp_io_pick(queue);
			if (nvmet_tcp_keep_polling(queue, ops > 0)) {
				nvmet_tcp_kick(queue);
				return;
			}
			/* Something came as we went idle: go round again, later. */
			if (!nvmet_tcp_io_idle(queue, rx, tx)) {
				WRITE_ONCE(queue->io_busy, true);
				nvmet_tcp_kick(queue);
			}
			return;
		}
		ops += i + 1;
		if (ops >= NVMET_TCP_IO_BUDGET) {
			/* Let other queues on this CPU run; continue later. */
			nvmet_tcp_io_pick(queue);
			nvmet_tcp_keep_polling(queue, true);
			nvmet_tcp_kick(queue);
			return;
		}
	}
	WRITE_ONCE(queue->io_busy, false);
	return;
fail:
	WRITE_ONCE(queue->io_busy, false);
	nvmet_tcp_schedule_release(queue);
}

/* One run at a time, whichever work item asked for it (see io_running). */
static void nvmet_tcp_io_run(struct nvmet_tcp_queue *queue)
{
	WRITE_ONCE(queue->io_again, true);
	/* Pairs with the barrier after the holder's unlock. */
	smp_mb();
	while (!test_and_set_bit_lock(0, &queue->io_running)) {
		WRITE_ONCE(queue->io_again, false);
		nvmet_tcp_io_loop(queue);
		clear_bit_unlock(0, &queue->io_running);
		/* Pairs with the barrier before a later run's test_and_set. */
		smp_mb__after_atomic();
		if (!READ_ONCE(queue->io_again))
			return;
	}
}

/*
 * Neither work item queued nor running, once closing is set: a run that
 * closing caught inside an iteration may queue the other item once (runs
 * that start after it queue nothing), hence two rounds.
 */
static void nvmet_tcp_cancel_io(struct nvmet_tcp_queue *queue)
{
	int i;

	for (i = 0; i < 2; i++) {
		cancel_work_sync(&queue->io_work);
		cancel_work_sync(&queue->io_work_hi);
	}
}

static void nvmet_tcp_io_work(struct work_struct *work)
{
	nvmet_tcp_io_run(container_of(work, struct nvmet_tcp_queue, io_work));
}

static void nvmet_tcp_io_work_hi(struct work_struct *work)
{
	nvmet_tcp_io_run(container_of(work, struct nvmet_tcp_queue, io_work_hi));
}

static void nvmet_tcp_data_ready(struct sock *sk)
{
	struct nvmet_tcp_queue *queue;

	read_lock_bh(&sk->sk_callback_lock);
	queue = sk->sk_user_data;
	if (queue && queue->chain_callbacks) {
		/* kTLS's own: it parses the records. */
		queue->saved_data_ready(sk);
		nvmet_tcp_kick(queue);
	} else if (queue) {
		/* The data is queued. Pairs with the barrier in nvmet_tcp_io_idle(). */
		smp_mb();
		if (!READ_ONCE(queue->io_busy))
			nvmet_tcp_kick(queue);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

static void nvmet_tcp_write_space(struct sock *sk)
{
	struct nvmet_tcp_queue *queue;

	read_lock_bh(&sk->sk_callback_lock);
	queue = sk->sk_user_data;
	/* kTLS's own: it pushes records it holds. */
	if (queue && queue->chain_callbacks)
		queue->saved_write_space(sk);
	if (queue && sk_stream_is_writeable(sk)) {
		clear_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		nvmet_tcp_kick(queue);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

static void nvmet_tcp_state_change(struct sock *sk)
{
	struct nvmet_tcp_queue *queue;

	read_lock_bh(&sk->sk_callback_lock);
	queue = sk->sk_user_data;
	if (queue) {
		switch (sk->sk_state) {
		case TCP_FIN_WAIT1:
		case TCP_CLOSE_WAIT:
		case TCP_CLOSE:
			/* The host closed or the connection broke. */
			nvmet_tcp_schedule_release(queue);
			break;
		default:
			break;
		}
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

/* --- queue creation and teardown ---------------------------------------- */

/*
 * Ours on the socket, saving the ones there. Queue creation, and tls_work
 * once the handshake has set up kTLS (whose callbacks ours then chain).
 */
static void nvmet_tcp_set_callbacks(struct nvmet_tcp_queue *queue)
{
	struct sock *sk = queue->sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	queue->saved_data_ready = sk->sk_data_ready;
	queue->saved_state_change = sk->sk_state_change;
	queue->saved_write_space = sk->sk_write_space;
	queue->chain_callbacks = READ_ONCE(queue->tls_phase) == NVMET_TCP_TLS_ON;
	sk->sk_user_data = queue;
	sk->sk_data_ready = nvmet_tcp_data_ready;
	sk->sk_state_change = nvmet_tcp_state_change;
	sk->sk_write_space = nvmet_tcp_write_space;
	write_unlock_bh(&sk->sk_callback_lock);
}

static void nvmet_tcp_restore_callbacks(struct nvmet_tcp_queue *queue)
{
	struct sock *sk = queue->sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = NULL;
	sk->sk_data_ready = queue->saved_data_ready;
	sk->sk_state_change = queue->saved_state_change;
	sk->sk_write_space = queue->saved_write_space;
	write_unlock_bh(&sk->sk_callback_lock);
}

/* --- TLS handshake ------------------------------------------------------ */

/*
 * The handshake agent is done with the socket (any context the handshake
 * layer calls it from). It runs at most once per request, and not at all
 * once tls_handshake_cancel() has succeeded.
 */
static void nvmet_tcp_tls_done(void *data, int status, key_serial_t peerid)
{
	struct nvmet_tcp_queue *queue = data;

	queue->tls_status = status;
	queue->tls_peerid = peerid;
	queue_work(nvmet_tcp_ctl_wq, &queue->tls_work);
	/* Last: the release work may free the queue once this is done. */
	complete(&queue->tls_done);
}

/* Hands the socket to the handshake agent (tlshd) for a PSK ServerHello. */
static void nvmet_tcp_tls_start(struct nvmet_tcp_queue *queue)
{
	struct tls_handshake_args args = {
		.ta_sock	= queue->sock,
		.ta_done	= nvmet_tcp_tls_done,
		.ta_data	= queue,
		.ta_timeout_ms	= READ_ONCE(tls_handshake_timeout) * 1000,
		.ta_keyring	= queue->nport->keyring ? key_serial(queue->nport->keyring) :
				  TLS_NO_KEYRING,
	};
	int ret;

	/* Until it is back, the socket is the agent's: io_work stays away. */
	nvmet_tcp_restore_callbacks(queue);
	WRITE_ONCE(queue->tls_phase, NVMET_TCP_TLS_HANDSHAKE);
	WRITE_ONCE(queue->tls_submitted, true);
	ret = tls_server_hello_psk(&args, GFP_KERNEL);
	if (!ret)
		return;
	WRITE_ONCE(queue->tls_submitted, false);
	pr_warn_ratelimited("queue %u (host %pISc): cannot start the TLS handshake (%d)%s, closing\n",
			    queue->id, &queue->peer_addr, ret,
			    ret == -ESRCH ? ": no handshake agent (tlshd) is running" : "");
	nvmet_tcp_schedule_release(queue);
}

/* The handshake ended: on success the queue reads PDUs through kTLS. */
static void nvmet_tcp_tls_finish(struct nvmet_tcp_queue *queue)
{
	int status = queue->tls_status;
	struct key *key = NULL;

	if (!status) {
		key = nvme_tls_key_lookup(queue->tls_peerid);
		if (IS_ERR(key)) {
			status = PTR_ERR(key);
			key = NULL;
		}
	}
	if (status) {
		pr_warn_ratelimited("queue %u (host %pISc): TLS handshake failed (%d), closing\n",
				    queue->id, &queue->peer_addr, status);
		nvmet_tcp_schedule_release(queue);
		return;
	}
	pr_debug("queue %u (host %pISc): TLS 1.3 with PSK %08x\n", queue->id, &queue->peer_addr,
		 key_serial(key));
	/* Before Connect can arrive; put by the release work. */
	queue->sq.tls_key = key;
	WRITE_ONCE(queue->tls_phase, NVMET_TCP_TLS_ON);
	nvmet_tcp_set_callbacks(queue);
	mod_delayed_work(nvmet_tcp_ctl_wq, &queue->connect_timer, NVMET_TCP_ICREQ_TIMEOUT);
	if (READ_ONCE(queue->sock->sk->sk_state) != TCP_ESTABLISHED)
		nvmet_tcp_schedule_release(queue);
	else
		nvmet_tcp_kick(queue);
}

static void nvmet_tcp_tls_work(struct work_struct *work)
{
	struct nvmet_tcp_queue *queue = container_of(work, struct nvmet_tcp_queue, tls_work);

	if (nvmet_tcp_closing(queue))
		return;
	switch (READ_ONCE(queue->tls_phase)) {
	case NVMET_TCP_TLS_START:
		nvmet_tcp_tls_start(queue);
		break;
	case NVMET_TCP_TLS_HANDSHAKE:
		/* In this phase only the done callback queues it. */
		nvmet_tcp_tls_finish(queue);
		break;
	default:
		break;
	}
}

/*
 * The connect timer in the START or HANDSHAKE phase: the handshake took too
 * long. If the done callback won the race, tls_work decides instead; if it
 * has not run yet (the request was not yet findable), look again shortly.
 */
static void nvmet_tcp_tls_timeout(struct nvmet_tcp_queue *queue)
{
	if (READ_ONCE(queue->tls_submitted)) {
		if (!tls_handshake_cancel(queue->sock->sk)) {
			if (!completion_done(&queue->tls_done))
				queue_delayed_work(nvmet_tcp_ctl_wq, &queue->connect_timer, HZ);
			return;
		}
		/* Cancelled: the done callback will not run. */
		complete(&queue->tls_done);
	}
	pr_warn_ratelimited("queue %u (host %pISc): TLS handshake not done within %d s, closing\n",
			    queue->id, &queue->peer_addr, READ_ONCE(tls_handshake_timeout));
	nvmet_tcp_schedule_release(queue);
}

static void nvmet_tcp_release_work(struct work_struct *work)
{
	struct nvmet_tcp_queue *queue = container_of(work, struct nvmet_tcp_queue, release_work);
	struct nvmet_tcp_cmd *cmd;
	u32 i, nr;

	mutex_lock(&nvmet_tcp_queues_lock);
	list_del_init(&queue->entry);
	mutex_unlock(&nvmet_tcp_queues_lock);

	/*
	 * The handshake first: once tls_work is idle no handshake starts; one
	 * in flight is cancelled or waited for (its done callback queues
	 * tls_work, which then sees closing). Only then are the callbacks
	 * ours to restore for good.
	 */
	cancel_work_sync(&queue->tls_work);
	if (queue->tls_submitted) {
		if (tls_handshake_cancel(queue->sock->sk))
			complete(&queue->tls_done);
		wait_for_completion(&queue->tls_done);
		cancel_work_sync(&queue->tls_work);
	}
	nvmet_tcp_restore_callbacks(queue);
	kernel_sock_shutdown(queue->sock, SHUT_RDWR);
	nvmet_tcp_cancel_io(queue);
	/* Only io_work and queue creation arm it. */
	cancel_delayed_work_sync(&queue->connect_timer);

	/*
	 * io_work is stopped. Commands that were initialized but never reached
	 * execute give back what nvmet_req_init() took; commands in the core
	 * or a backend complete by themselves, and nvmet_sq_destroy() waits for
	 * them. Their responses are dropped.
	 */
	/* Pairs with the store-release in install_queue. */
	nr = smp_load_acquire(&queue->nr_cmds);
	for (i = 0; i <= nr; i++) {
		cmd = i < nr ? &queue->cmds[i] : &queue->connect_cmd;
		switch (READ_ONCE(cmd->state)) {
		case NVMET_TCP_CMD_DATA_IN:
		case NVMET_TCP_CMD_R2T_WAIT:
		case NVMET_TCP_CMD_R2T:
		case NVMET_TCP_CMD_H2C:
			nvmet_req_uninit(&cmd->req);
			nvmet_tcp_free_data(cmd);
			WRITE_ONCE(cmd->state, NVMET_TCP_CMD_FREE);
			break;
		default:
			break;
		}
	}
	/* A Disconnect still waiting for other commands completes unsent. */
	if (queue->disconnect_cmd && !queue->disconnect_completed) {
		queue->disconnect_completed = true;
		nvmet_complete_disconnect(&queue->disconnect_cmd->req);
	}
	nvmet_sq_destroy(&queue->sq);
	/* queue_response() of the last completions may have queued io_work. */
	nvmet_tcp_cancel_io(queue);

	/* Pairs with the store-release in install_queue. */
	nr = smp_load_acquire(&queue->nr_cmds);
	for (i = 0; i < nr; i++)
		nvmet_tcp_free_data(&queue->cmds[i]);
	nvmet_tcp_free_data(&queue->connect_cmd);
	kvfree(queue->cmds);
	/* The stack holds its own references to what it still sends. */
	for (i = 0; i < NVMET_TCP_TX_PAGES; i++)
		if (queue->tx_pages[i])
			put_page(queue->tx_pages[i]);
	while (queue->nr_pool)
		put_page(queue->pool[--queue->nr_pool]);
	key_put(queue->sq.tls_key);

	nvmet_tcp_sock_put(queue->sock);
	nvmet_port_put(queue->nport);
	kfree(queue->rx.buf);
	kfree(queue);
}

/* No ICReq, or no successful Connect, in time: the connection goes. */
static void nvmet_tcp_connect_timeout(struct work_struct *work)
{
	struct nvmet_tcp_queue *queue =
		container_of(to_delayed_work(work), struct nvmet_tcp_queue, connect_timer);
	bool icreq = READ_ONCE(queue->icreq_seen);

	switch (READ_ONCE(queue->tls_phase)) {
	case NVMET_TCP_TLS_START:
	case NVMET_TCP_TLS_HANDSHAKE:
		nvmet_tcp_tls_timeout(queue);
		return;
	default:
		break;
	}
	/* Pairs with the store-release in install_queue: Connect succeeded. */
	if (smp_load_acquire(&queue->nr_cmds))
		return;
	pr_warn_ratelimited("queue %u (host %pISc): no %s within %lu s, closing\n", queue->id,
			    &queue->peer_addr, icreq ? "Connect" : "ICReq",
			    (icreq ? nvmet_tcp_connect_timeout_len(queue) :
				     (unsigned long)NVMET_TCP_ICREQ_TIMEOUT) / HZ);
	nvmet_tcp_schedule_release(queue);
}

static int nvmet_tcp_alloc_queue(struct nvmet_tcp_port *port, struct socket *sock)
{
	struct nvmet_tcp_queue *queue;
	struct sock *sk = sock->sk;
	int ret;

	queue = kzalloc_obj(*queue);
	if (!queue)
		return -ENOMEM;
	queue->rx.buf = kmalloc(NVMET_TCP_RX_BUF, GFP_KERNEL);
	if (!queue->rx.buf) {
		kfree(queue);
		return -ENOMEM;
	}
	queue->sock = sock;
	queue->port = port;
	queue->nport = port->nport;
	nvmet_port_get(queue->nport);
	queue->inline_size = max(port->nport->inline_data_size, 0);
	queue->id = atomic_inc_return(&nvmet_tcp_queue_ids);
	INIT_WORK(&queue->io_work, nvmet_tcp_io_work);
	INIT_WORK(&queue->io_work_hi, nvmet_tcp_io_work_hi);
	INIT_WORK(&queue->release_work, nvmet_tcp_release_work);
	INIT_DELAYED_WORK(&queue->connect_timer, nvmet_tcp_connect_timeout);
	INIT_WORK(&queue->tls_work, nvmet_tcp_tls_work);
	init_completion(&queue->tls_done);
	/* The port cannot change its TSAS or TREQ while it is enabled. */
	if (port->nport->disc_addr.tsas.tcp.sectype == NVMF_TCP_SECTYPE_TLS13)
		queue->tls_phase = (port->nport->disc_addr.treq & NVME_TREQ_SECURE_CHANNEL_MASK) ==
				   NVMF_TREQ_REQUIRED ? NVMET_TCP_TLS_START : NVMET_TCP_TLS_SNIFF;
	INIT_LIST_HEAD(&queue->r2t_wait);
	INIT_LIST_HEAD(&queue->entry);
	spin_lock_init(&queue->state_lock);
	spin_lock_init(&queue->free_lock);
	INIT_LIST_HEAD(&queue->free_list);
	init_llist_head(&queue->resp_list);
	INIT_LIST_HEAD(&queue->tx_list);
	queue->txb.splice = true;
	nvmet_tcp_init_cmd(queue, &queue->connect_cmd, NVMET_TCP_CONNECT_TTAG);
	queue->limits.cpda = 0;
	queue->limits.maxh2cdata = NVMET_TCP_MAXH2CDATA;
	queue->limits.max_incapsule = NVME_TCP_ADMIN_CCSZ;
	nvmet_tcp_rx_reset(&queue->rx);

	ret = kernel_getsockname(sock, (struct sockaddr *)&queue->local_addr);
	if (ret < 0)
		goto free_queue;
	ret = kernel_getpeername(sock, (struct sockaddr *)&queue->peer_addr);
	if (ret < 0)
		goto free_queue;

	ret = nvmet_sq_init(&queue->sq);
	if (ret)
		goto free_queue;

	tcp_sock_set_nodelay(sk);
	nvmet_tcp_set_priority(sk);
	queue->poll_end = jiffies;

	mutex_lock(&nvmet_tcp_queues_lock);
	list_add_tail(&queue->entry, &nvmet_tcp_queues);
	mutex_unlock(&nvmet_tcp_queues_lock);

	/*
	 * The socket inherited the listener's data_ready (ours): the socket's
	 * own is what a TLS handshake agent polling it needs, and what
	 * teardown restores.
	 */
	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_data_ready = port->saved_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);
	nvmet_tcp_set_callbacks(queue);

	if (queue->tls_phase == NVMET_TCP_TLS_START) {
		/* TLS required: the handshake starts now, and is timed. */
		queue_delayed_work(nvmet_tcp_ctl_wq, &queue->connect_timer,
				   READ_ONCE(tls_handshake_timeout) * HZ);
		queue_work(nvmet_tcp_ctl_wq, &queue->tls_work);
		return 0;
	}
	queue_delayed_work(nvmet_tcp_ctl_wq, &queue->connect_timer, NVMET_TCP_ICREQ_TIMEOUT);
	/* It may have closed, or sent its ICReq, before the callbacks were set. */
	if (READ_ONCE(sk->sk_state) != TCP_ESTABLISHED)
		nvmet_tcp_schedule_release(queue);
	else
		nvmet_tcp_kick(queue);
	return 0;

free_queue:
	nvmet_port_put(queue->nport);
	kfree(queue->rx.buf);
	kfree(queue);
	return ret;
}

/* --- ports -------------------------------------------------------------- */

static void nvmet_tcp_accept_work(struct work_struct *work)
{
	struct nvmet_tcp_port *port = container_of(work, struct nvmet_tcp_port, accept_work);
	bool tls = port->nport->disc_addr.tsas.tcp.sectype == NVMF_TCP_SECTYPE_TLS13;
	struct socket *sock;
	struct file *file;
	int ret;

	for (;;) {
		ret = kernel_accept(port->sock, &sock, O_NONBLOCK);
		if (ret < 0) {
			if (ret != -EAGAIN)
				pr_warn("accept failed: %d\n", ret);
			return;
		}
		if (tls) {
			/* On failure it has released the socket. */
			file = sock_alloc_file(sock, O_CLOEXEC, NULL);
			if (IS_ERR(file)) {
				pr_err("cannot set up a queue for a new connection: %ld\n",
				       PTR_ERR(file));
				continue;
			}
		}
		ret = nvmet_tcp_alloc_queue(port, sock);
		if (ret) {
			pr_err("cannot set up a queue for a new connection: %d\n", ret);
			nvmet_tcp_sock_put(sock);
		}
	}
}

static void nvmet_tcp_listen_data_ready(struct sock *sk)
{
	struct nvmet_tcp_port *port;

	read_lock_bh(&sk->sk_callback_lock);
	port = sk->sk_user_data;
	if (port && sk->sk_state == TCP_LISTEN)
		queue_work(nvmet_tcp_ctl_wq, &port->accept_work);
	read_unlock_bh(&sk->sk_callback_lock);
}

/* A NUL-terminated copy of a fixed-size, space- or NUL-padded field. */
static int nvmet_tcp_add_port(struct nvmet_port *nport)
{
	struct nvmet_tcp_port *port;
	struct sockaddr_storage addr = { };
	struct sock *sk;
	int ret;

	if (nport->disc_addr.tsas.tcp.sectype == NVMF_TCP_SECTYPE_TLS13 &&
	    !IS_ENABLED(CONFIG_NET_HANDSHAKE)) {
		pr_err("port %u: TLS refused: this kernel has no TLS handshake upcall (CONFIG_NET_HANDSHAKE)\n",
		       le16_to_cpu(nport->disc_addr.portid));
		return -EOPNOTSUPP;
	}
	ret = nvmet_port_sockaddr(nport, &addr);
	if (ret) {
		pr_err("port %u: invalid address %.*s:%.*s\n",
		       le16_to_cpu(nport->disc_addr.portid),
		       NVMF_TRADDR_SIZE, nport->disc_addr.traddr,
		       NVMF_TRSVCID_SIZE, nport->disc_addr.trsvcid);
		return ret;
	}

	port = kzalloc_obj(*port);
	if (!port)
		return -ENOMEM;
	port->nport = nport;
	INIT_WORK(&port->accept_work, nvmet_tcp_accept_work);

	if (nport->inline_data_size < 0) {
		nport->inline_data_size = NVMET_TCP_DEF_INLINE_DATA_SIZE;
	} else if (nport->inline_data_size > NVMET_TCP_MAX_XFER) {
		pr_warn("port %u: inline_data_size %d is too large, using %d\n",
			le16_to_cpu(nport->disc_addr.portid), nport->inline_data_size,
			NVMET_TCP_MAX_XFER);
		nport->inline_data_size = NVMET_TCP_MAX_XFER;
	}
	if (nport->max_queue_size < 0)
		nport->max_queue_size = NVMET_MAX_QUEUE_SIZE;

	ret = sock_create_kern(&init_net, addr.ss_family, SOCK_STREAM, IPPROTO_TCP, &port->sock);
	if (ret) {
		pr_err("port %u: cannot create a socket: %d\n",
		       le16_to_cpu(nport->disc_addr.portid), ret);
		goto free_port;
	}
	sk = port->sock->sk;
	sock_set_reuseaddr(sk);
	tcp_sock_set_nodelay(sk);
	nvmet_tcp_set_priority(sk);

	write_lock_bh(&sk->sk_callback_lock);
	port->saved_data_ready = sk->sk_data_ready;
	sk->sk_user_data = port;
	sk->sk_data_ready = nvmet_tcp_listen_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);

	/*
	 * kernel_bind() takes struct sockaddr * up to Linux 6.18 and struct
	 * sockaddr_unsized * from 6.19; a void pointer converts to either.
	 */
	ret = kernel_bind(port->sock, (void *)&addr, sizeof(addr));
	if (ret) {
		pr_err("port %u: cannot bind %pISpc: %d\n",
		       le16_to_cpu(nport->disc_addr.portid), &addr, ret);
		goto release_sock;
	}
	ret = kernel_listen(port->sock, NVMET_TCP_BACKLOG);
	if (ret) {
		pr_err("port %u: cannot listen on %pISpc: %d\n",
		       le16_to_cpu(nport->disc_addr.portid), &addr, ret);
		goto release_sock;
	}

	nport->priv = port;
	pr_info("enabling port %u (%pISpc)%s\n", le16_to_cpu(nport->disc_addr.portid), &addr,
		nport->disc_addr.tsas.tcp.sectype != NVMF_TCP_SECTYPE_TLS13 ? "" :
		(nport->disc_addr.treq & NVME_TREQ_SECURE_CHANNEL_MASK) == NVMF_TREQ_REQUIRED ?
		", TLS 1.3 required" : ", TLS 1.3 or plain TCP");
	return 0;

release_sock:
	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = NULL;
	sk->sk_data_ready = port->saved_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);
	sock_release(port->sock);
free_port:
	kfree(port);
	return ret;
}

static void nvmet_tcp_remove_port(struct nvmet_port *nport)
{
	struct nvmet_tcp_port *port = nport->priv;
	struct nvmet_tcp_queue *queue;
	struct sock *sk;

	if (!port)
		return;
	sk = port->sock->sk;
	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = NULL;
	sk->sk_data_ready = port->saved_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);
	cancel_work_sync(&port->accept_work);

	/* The port goes away: so do the connections made through it. */
	mutex_lock(&nvmet_tcp_queues_lock);
	list_for_each_entry(queue, &nvmet_tcp_queues, entry)
		if (queue->port == port)
			nvmet_tcp_schedule_release(queue);
	mutex_unlock(&nvmet_tcp_queues_lock);

	sock_release(port->sock);
	nport->priv = NULL;
	kfree(port);
}

static void nvmet_tcp_delete_ctrl(struct nvmet_ctrl *ctrl)
{
	struct nvmet_tcp_queue *queue;

	mutex_lock(&nvmet_tcp_queues_lock);
	list_for_each_entry(queue, &nvmet_tcp_queues, entry)
		if (queue->sq.ctrl == ctrl)
			nvmet_tcp_schedule_release(queue);
	mutex_unlock(&nvmet_tcp_queues_lock);
}

/*
 * Closes the queues of CTRL on which a command of NS waits for host data.
 * The command slots are read without io_work's exclusion: a slot reused
 * meanwhile can at worst close a queue needlessly, and only once a namespace
 * being disabled has outlived its grace period.
 */
static void nvmet_tcp_ns_stalled(struct nvmet_ctrl *ctrl, struct nvmet_ns *ns)
{
	struct nvmet_tcp_queue *queue;
	struct nvmet_tcp_cmd *cmd;
	u32 i, nr;

	mutex_lock(&nvmet_tcp_queues_lock);
	list_for_each_entry(queue, &nvmet_tcp_queues, entry) {
		if (READ_ONCE(queue->sq.ctrl) != ctrl || nvmet_tcp_closing(queue))
			continue;
		/* Pairs with the store-release in install_queue. */
		nr = smp_load_acquire(&queue->nr_cmds);
		for (i = 0; i < nr; i++) {
			cmd = &queue->cmds[i];
			switch (READ_ONCE(cmd->state)) {
			case NVMET_TCP_CMD_DATA_IN:
			case NVMET_TCP_CMD_R2T_WAIT:	/* behind such a command */
			case NVMET_TCP_CMD_R2T:
			case NVMET_TCP_CMD_H2C:
				break;
			default:
				continue;
			}
			if (READ_ONCE(cmd->req.ns) != ns)
				continue;
			pr_warn("queue %u (host %pISc): closed, it holds a command of %s namespace %u, which is being disabled, without sending its data for %d s\n",
				queue->id, &queue->peer_addr, ctrl->subsysnqn, ns->nsid,
				NVMET_NS_DISABLE_GRACE_SECS);
			nvmet_tcp_schedule_release(queue);
			break;
		}
	}
	mutex_unlock(&nvmet_tcp_queues_lock);
}

static void nvmet_tcp_disc_traddr(struct nvmet_req *req, struct nvmet_port *nport,
				  char *traddr)
{
	struct nvmet_tcp_cmd *cmd = container_of(req, struct nvmet_tcp_cmd, req);
	struct sockaddr_storage addr = { };

	if (!nvmet_port_sockaddr(nport, &addr) && nvmet_sockaddr_is_any(&addr))
		snprintf(traddr, NVMF_TRADDR_SIZE, "%pISc", &cmd->queue->local_addr);
	else
		memcpy(traddr, nport->disc_addr.traddr, NVMF_TRADDR_SIZE);
}

static ssize_t nvmet_tcp_host_traddr(struct nvmet_ctrl *ctrl, char *traddr, size_t len)
{
	struct nvmet_tcp_queue *queue;

	if (!ctrl->sqs || !ctrl->sqs[0])
		return -EINVAL;
	queue = container_of(ctrl->sqs[0], struct nvmet_tcp_queue, sq);
	return snprintf(traddr, len, "%pISc", &queue->peer_addr);
}

static u16 nvmet_tcp_get_max_queue_size(const struct nvmet_ctrl *ctrl)
{
	return NVMET_MAX_QUEUE_SIZE;
}

/* MDTS of NVMET_TCP_MAX_XFER: log2 of 4 KiB pages (CAP.MPSMIN 0). */
static u8 nvmet_tcp_get_mdts(const struct nvmet_ctrl *ctrl)
{
	return ilog2(NVMET_TCP_MAX_XFER) - 12;
}

static const struct nvmet_fabrics_ops nvmet_tcp_ops = {
	.owner			= THIS_MODULE,
	.type			= NVMF_TRTYPE_TCP,
	.msdbd			= 1,
	.add_port		= nvmet_tcp_add_port,
	.remove_port		= nvmet_tcp_remove_port,
	.queue_response		= nvmet_tcp_queue_response,
	.delete_ctrl		= nvmet_tcp_delete_ctrl,
	.disc_traddr		= nvmet_tcp_disc_traddr,
	.host_traddr		= nvmet_tcp_host_traddr,
	.install_queue		= nvmet_tcp_install_queue,
	.disconnect_sq		= nvmet_tcp_disconnect_sq,
	.ns_stalled		= nvmet_tcp_ns_stalled,
	.get_max_queue_size	= nvmet_tcp_get_max_queue_size,
	.get_mdts		= nvmet_tcp_get_mdts,
};

/* --- module ------------------------------------------------------------- */

static int __init nvmet_tcp_init(void)
{
	int ret;

	/* A batch's headers never reach the header page being reused. */
	BUILD_BUG_ON(NVMET_TCP_TXB_MARKS * (NVMET_TCP_TX_HDR_MAX + 2 * NVME_TCP_DIGEST_LENGTH +
					   sizeof(struct nvme_tcp_rsp_pdu)) >
		     (NVMET_TCP_TX_PAGES - 2) * PAGE_SIZE);

	/* -1 starts at high priority; its first window measures nothing. */
	nvmet_tcp_prio.hi = io_highpri != 0;
	nvmet_tcp_prio.stay = 1;
	nvmet_tcp_prio.stay_len = NVMET_TCP_PRIO_STAY;
	nvmet_tcp_io_wq = alloc_workqueue("nvmet_tcp_io_wq", WQ_MEM_RECLAIM | WQ_PERCPU, 0);
	if (!nvmet_tcp_io_wq)
		return -ENOMEM;
	nvmet_tcp_io_hi_wq = alloc_workqueue("nvmet_tcp_io_hi_wq",
					     WQ_HIGHPRI | WQ_MEM_RECLAIM | WQ_PERCPU, 0);
	if (!nvmet_tcp_io_hi_wq) {
		ret = -ENOMEM;
		goto destroy_io_wq;
	}
	nvmet_tcp_ctl_wq = alloc_workqueue("nvmet_tcp_ctl_wq", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!nvmet_tcp_ctl_wq) {
		ret = -ENOMEM;
		goto destroy_io_hi_wq;
	}
	ret = nvmet_register_transport(&nvmet_tcp_ops);
	if (ret)
		goto destroy_ctl_wq;
	return 0;

destroy_ctl_wq:
	destroy_workqueue(nvmet_tcp_ctl_wq);
destroy_io_hi_wq:
	destroy_workqueue(nvmet_tcp_io_hi_wq);
destroy_io_wq:
	destroy_workqueue(nvmet_tcp_io_wq);
	return ret;
}

static void __exit nvmet_tcp_exit(void)
{
	struct nvmet_tcp_queue *queue;

	nvmet_unregister_transport(&nvmet_tcp_ops);

	mutex_lock(&nvmet_tcp_queues_lock);
	list_for_each_entry(queue, &nvmet_tcp_queues, entry)
		nvmet_tcp_schedule_release(queue);
	mutex_unlock(&nvmet_tcp_queues_lock);
	/* Every release work removes its queue from the list and frees it. */
	flush_workqueue(nvmet_tcp_ctl_wq);

	destroy_workqueue(nvmet_tcp_ctl_wq);
	destroy_workqueue(nvmet_tcp_io_hi_wq);
	destroy_workqueue(nvmet_tcp_io_wq);
}

module_init(nvmet_tcp_init);
module_exit(nvmet_tcp_exit);

MODULE_DESCRIPTION("NVMe over Fabrics target: TCP transport (nvmet-oot)");
MODULE_LICENSE("GPL");
MODULE_VERSION(NVMET_OOT_VERSION);
MODULE_ALIAS("nvmet-transport-3");
