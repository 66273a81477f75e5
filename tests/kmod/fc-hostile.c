// SPDX-License-Identifier: GPL-2.0
/*
 * fc-hostile: a test-only FC LLD in target mode that lets user space play a
 * hostile or broken NVMe/FC host against whatever nvmet-fc is loaded (ours
 * or the in-tree one). Written from the public LLD API of
 * <linux/nvme-fc-driver.h>; nothing here reaches into the transport.
 *
 * It registers one target port (WWNN and WWPN are module parameters) whose
 * template callbacks record what the transport asks: every LS response,
 * every FCP operation (READDATA, WRITEDATA, READDATA_RSP, RSP) with its
 * offset and length, fcp_abort, fcp_req_release, defer_rcv, the LS requests
 * the transport sends (Disconnect Association) and their aborts,
 * host_release, targetport_delete and discovery_event. FCP operations stay
 * pending until user space completes them (with data, short, or with an
 * error), unless an exchange asks for some to complete by themselves; an
 * operation fcp_abort() hits is failed by the harness, as an LLD does once
 * its ABTS is through.
 *
 * User space drives it through /sys/kernel/debug/fc_hostile/ctl: open,
 * write one command, read its answer (one command per open). The commands
 * are listed at fch_ctl_write(). Every callback also lands in an event log
 * (command "ev"), and what breaks the API's rules (an operation on a
 * released exchange, two operations at once, defer_rcv for an exchange that
 * was never deferred, a host handle used after host_release, ...) counts
 * as a violation (command "stats").
 *
 * Locking: fch_lock (a spinlock, taken with interrupts off: the transport
 * calls back from any context, some of its callers hold its own locks)
 * protects every table below and the event log; nothing calls into the
 * transport while holding it. fch_mutex serializes the commands that change
 * the registration. Completions of FCP operations and LS requests are never
 * made from inside a callback: they run from fch_wq or from a command.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/scatterlist.h>
#include <linux/workqueue.h>
#include <linux/wait.h>
#include <linux/completion.h>
#include <linux/jiffies.h>
#include <linux/string.h>
#include <linux/hex.h>
#include <linux/unaligned.h>
#include <uapi/scsi/fc/fc_fs.h>
#include <linux/nvme-fc-driver.h>

static unsigned long long wwnn = 0x10001100ac000001ULL;
module_param(wwnn, ullong, 0444);
MODULE_PARM_DESC(wwnn, "WWNN of the target port");
static unsigned long long wwpn = 0x20001100ac000001ULL;
module_param(wwpn, ullong, 0444);
MODULE_PARM_DESC(wwpn, "WWPN of the target port");
static bool register_at_load = true;
module_param(register_at_load, bool, 0444);
MODULE_PARM_DESC(register_at_load, "register the target port when loaded (default yes)");

#define FCH_NR_HOSTS	4
#define FCH_NR_XCHG	128
#define FCH_NR_LS	32
#define FCH_NR_LSREQ	32
#define FCH_IU_MAX	128		/* a CMD IU may be longer than it should */
#define FCH_LS_MAX	1100		/* an LS request may be too */
#define FCH_RSP_MAX	128
#define FCH_RDATA	4096		/* read data kept per exchange */
#define FCH_NR_EV	1024
#define FCH_EV_LEN	128
#define FCH_OP_MAX	NVMET_FCOP_RSP

/* Operations an exchange lets complete by themselves (successfully). */
#define FCH_AUTO_WRITE	BIT(0)		/* WRITEDATA, with the exchange's fill byte */
#define FCH_AUTO_READ	BIT(1)		/* READDATA */
#define FCH_AUTO_RSP	BIT(2)		/* RSP and READDATA_RSP */

struct fch_host {
	int		id;
	bool		handed;		/* an LS of it reached the transport */
	bool		released;	/* host_release() came since then */
	u32		releases;
};

enum fch_xstate { FCH_X_FREE, FCH_X_BUSY, FCH_X_DEFERRED, FCH_X_DONE };

/* An FCP exchange: the LLD's exchange structure and what happened to it. */
struct fch_xchg {
	struct nvmefc_tgt_fcp_req	req;
	int				id;
	/* Everything below is under fch_lock. */
	enum fch_xstate			state;
	bool				in_rcv;		/* inside nvmet_fc_rcv_fcp_req() */
	int				rcv_rc;
	u8				iu[FCH_IU_MAX];
	u32				iu_len;
	u8				autom;		/* FCH_AUTO_* */
	u8				fill;
	/* The operation the transport asked for and nobody completed yet. */
	bool				op_pending;
	bool				fail_pending;	/* fcp_abort() came: fail it */
	u8				op;
	u32				off;
	u32				len;
	int				sg_cnt;
	struct scatterlist		*sg;
	u32				ops[FCH_OP_MAX + 1];
	u32				aborts;		/* fcp_abort() calls */
	u32				releases;
	u32				defer_rcvs;
	u32				abts;		/* ABTS the harness sent */
	u8				rsp[FCH_RSP_MAX];	/* the last response IU */
	u16				rsplen;
	u32				rdata_len;	/* read data bytes seen */
	u32				wdata_len;	/* write data bytes given */
	u8				rdata[FCH_RDATA];
	struct work_struct		work;
};

enum fch_lsstate { FCH_LS_FREE, FCH_LS_WAIT, FCH_LS_XMT, FCH_LS_DONE };

/* An LS request from a host and its response. */
struct fch_ls {
	struct nvmefc_ls_rsp		rsp;
	int				id;
	int				host;
	enum fch_lsstate		state;		/* fch_lock */
	int				rcv_rc;
	bool				xmt_failed;
	u8				rqst[FCH_LS_MAX];
	u32				len;
	u8				resp[FCH_RSP_MAX];
	u16				resplen;
	struct work_struct		work;		/* calls rsp.done() */
};

enum fch_lsrstate { FCH_LSR_FREE, FCH_LSR_HELD, FCH_LSR_DONE };

/* An LS request the transport sent to a host (Disconnect Association). */
struct fch_lsreq {
	struct nvmefc_ls_req		*req;
	int				id;
	int				host;
	enum fch_lsrstate		state;		/* fch_lock */
	bool				aborted;	/* ls_abort() came */
	int				answer;		/* 0: LS_ACC, 1: LS_RJT, <0: error */
	u8				rqst[64];
	u32				len;
	struct work_struct		work;		/* answers it */
};

/* Values of the "set" command. */
struct fch_knobs {
	/* Template, read at registration. */
	bool	readdata_rsp;
	bool	defer;			/* offer defer_rcv */
	bool	lsreq;			/* offer ls_req and ls_abort */
	u32	hw_queues;
	u32	max_sgl;
	/* Behaviour. */
	u32	fail_ops;		/* fcp_op() fails this many times... */
	u32	fail_mask;		/* ...for these ops (BIT(op)) */
	u32	fail_xmt_ls;		/* xmt_ls_rsp() fails this many times */
	u32	lsreq_mode;		/* 0: answer LS_ACC, 1: hold, 2: ls_req() fails */
	bool	ls_abort_completes;	/* ls_abort() completes the LS with -ECANCELED */
	bool	abort_completes;	/* fcp_abort() fails the pending op */
};

static DEFINE_SPINLOCK(fch_lock);	/* the tables, counters and the event log */
static DEFINE_MUTEX(fch_mutex);		/* registration and the knobs of the template */
static DECLARE_WAIT_QUEUE_HEAD(fch_waitq);	/* woken on every event */
static struct workqueue_struct *fch_wq;
static struct dentry *fch_dir;

static struct fch_host fch_hosts[FCH_NR_HOSTS + 1];	/* 1-based */
static struct fch_xchg *fch_xchgs;
static struct fch_ls *fch_lss;
static struct fch_lsreq fch_lsreqs[FCH_NR_LSREQ];
static int fch_next_x, fch_next_ls;

static struct fch_knobs fch_knobs = {
	.defer = true, .lsreq = true, .hw_queues = 4, .max_sgl = 256,
	.lsreq_mode = 0, .ls_abort_completes = true, .abort_completes = true,
};

/* Registration: fch_mutex; registered, deleted and the counters: fch_lock. */
static struct nvmet_fc_target_port *fch_tport;
static bool fch_registered;		/* rcv calls may be made */
static bool fch_unregistering;
static bool fch_deleted = true;		/* targetport_delete() came (or never registered) */
static bool fch_teardown;		/* module exit: pending ops fail */
static DECLARE_COMPLETION(fch_delete_done);
static struct work_struct fch_unreg_work;

static struct {
	u32	registers;
	u32	unreg_returned;
	int	unreg_rc;
	u32	deletes;
	u32	ls_rsp;
	u32	xmt_fail;
	u32	ops[FCH_OP_MAX + 1];
	u32	op_fail;
	u32	aborts;
	u32	releases;
	u32	defer_rcv;
	u32	ls_req;
	u32	ls_abort;
	u32	host_release;
	u32	disc_events;
	u32	violations;
	char	last_violation[FCH_EV_LEN];
} fch_stats;

static char (*fch_ev)[FCH_EV_LEN];
static u64 fch_ev_seq;			/* events logged so far; fch_lock */

static const char *const fch_op_names[] = {
	[0] = "none",
	[NVMET_FCOP_READDATA] = "READDATA",
	[NVMET_FCOP_WRITEDATA] = "WRITEDATA",
	[NVMET_FCOP_READDATA_RSP] = "READDATA_RSP",
	[NVMET_FCOP_RSP] = "RSP",
};

static const char *fch_op_name(u8 op)
{
	return op <= FCH_OP_MAX ? fch_op_names[op] : "bad";
}

/* --- event log (fch_lock held) -------------------------------------------- */

static __printf(1, 2) void fch_log_locked(const char *fmt, ...)
{
	char *e = fch_ev[fch_ev_seq % FCH_NR_EV];
	va_list ap;
	int n;

	n = scnprintf(e, FCH_EV_LEN, "%llu %u ", fch_ev_seq + 1,
		      jiffies_to_msecs(jiffies));
	va_start(ap, fmt);
	vscnprintf(e + n, FCH_EV_LEN - n, fmt, ap);
	va_end(ap);
	fch_ev_seq++;
}

static __printf(1, 2) void fch_violation_locked(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(fch_stats.last_violation, sizeof(fch_stats.last_violation), fmt, ap);
	va_end(ap);
	fch_stats.violations++;
	fch_log_locked("VIOLATION %s", fch_stats.last_violation);
	pr_info("API violation: %s\n", fch_stats.last_violation);
}

/* A host handle of ours, or NULL (a violation is logged). */
static struct fch_host *fch_host_of_locked(void *handle, const char *what)
{
	struct fch_host *h = handle;

	if (h < &fch_hosts[1] || h > &fch_hosts[FCH_NR_HOSTS]) {
		fch_violation_locked("%s: unknown host handle", what);
		return NULL;
	}
	if (!h->handed)
		fch_violation_locked("%s: host %d never sent an LS", what, h->id);
	else if (h->released)
		fch_violation_locked("%s: host %d used after host_release", what, h->id);
	return h;
}

/* --- FCP exchanges ----------------------------------------------------------- */

/*
 * Completes the pending operation of X (the caller took it off under
 * fch_lock: OP, LEN, SG, SG_CNT): ERR is its fcp_error, XFER the bytes
 * moved (-1: all of them, 0 on error), DATA/DLEN the first bytes of write
 * data, FILL the rest.
 */
static void fch_complete(struct fch_xchg *x, u8 op, u32 len, struct scatterlist *sg,
			 int sg_cnt, int err, s64 xfer, const u8 *data, u32 dlen, u8 fill)
{
	u32 moved = xfer < 0 ? (err ? 0 : len) : (u32)xfer;
	unsigned long flags;

	if (op == NVMET_FCOP_WRITEDATA && !err && sg) {
		size_t n = 0;

		if (data && dlen)
			n = sg_copy_from_buffer(sg, sg_cnt, data, min(dlen, len));
		if (n < len) {
			struct sg_mapping_iter miter;
			u32 skip = n, left = len - n;

			/* The rest of the operation: FILL. */
			sg_miter_start(&miter, sg, sg_cnt, SG_MITER_ATOMIC | SG_MITER_TO_SG);
			while (left && sg_miter_next(&miter)) {
				size_t off = min_t(size_t, skip, miter.length);
				size_t m = min_t(size_t, miter.length - off, left);

				skip -= off;
				memset(miter.addr + off, fill, m);
				left -= m;
			}
			sg_miter_stop(&miter);
		}
	}
	if (op == NVMET_FCOP_RSP)
		moved = 0;
	spin_lock_irqsave(&fch_lock, flags);
	if (op == NVMET_FCOP_WRITEDATA)
		x->wdata_len += moved;
	fch_log_locked("done x=%d op=%s err=%d xfer=%u", x->id, fch_op_name(op), err, moved);
	spin_unlock_irqrestore(&fch_lock, flags);
	x->req.transferred_length = moved;
	x->req.fcp_error = err;
	x->req.done(&x->req);
}

/*
 * Takes X's pending operation if there is one (and, with IF_AUTO, only if
 * it is to complete by itself); fch_lock held. Returns whether it did.
 */
static bool fch_take_op_locked(struct fch_xchg *x, bool if_auto, int *err, u8 *op, u32 *len,
			       struct scatterlist **sg, int *sg_cnt)
{
	u8 mask;

	if (!x->op_pending)
		return false;
	if (if_auto) {
		switch (x->op) {
		case NVMET_FCOP_WRITEDATA:
			mask = FCH_AUTO_WRITE;
			break;
		case NVMET_FCOP_READDATA:
			mask = FCH_AUTO_READ;
			break;
		default:
			mask = FCH_AUTO_RSP;
			break;
		}
		if (!x->fail_pending && !fch_teardown && !(x->autom & mask))
			return false;
		*err = x->fail_pending || fch_teardown ? -ECANCELED : 0;
	}
	x->op_pending = false;
	x->fail_pending = false;
	*op = x->op;
	*len = x->len;
	*sg = x->sg;
	*sg_cnt = x->sg_cnt;
	return true;
}

/* Completes what is to complete by itself: auto operations, aborted ones, teardown. */
static void fch_xchg_work(struct work_struct *w)
{
	struct fch_xchg *x = container_of(w, struct fch_xchg, work);
	struct scatterlist *sg;
	unsigned long flags;
	int err = 0, sg_cnt;
	bool take;
	u32 len;
	u8 op, fill;

	spin_lock_irqsave(&fch_lock, flags);
	take = fch_take_op_locked(x, true, &err, &op, &len, &sg, &sg_cnt);
	fill = x->fill;
	spin_unlock_irqrestore(&fch_lock, flags);
	if (take)
		fch_complete(x, op, len, sg, sg_cnt, err, -1, NULL, 0, fill);
}

static int fch_fcp_op(struct nvmet_fc_target_port *tp, struct nvmefc_tgt_fcp_req *req)
{
	struct fch_xchg *x = container_of(req, struct fch_xchg, req);
	unsigned long flags;
	u8 op = req->op;

	spin_lock_irqsave(&fch_lock, flags);
	if (op < NVMET_FCOP_READDATA || op > FCH_OP_MAX) {
		fch_violation_locked("fcp_op: x=%d unknown op %u", x->id, op);
		spin_unlock_irqrestore(&fch_lock, flags);
		return -EINVAL;
	}
	if (fch_knobs.fail_ops && (fch_knobs.fail_mask & BIT(op))) {
		fch_knobs.fail_ops--;
		fch_stats.op_fail++;
		fch_log_locked("fcp_op x=%d op=%s FAILED by the harness", x->id, fch_op_name(op));
		spin_unlock_irqrestore(&fch_lock, flags);
		wake_up(&fch_waitq);
		return -EIO;
	}
	fch_stats.ops[op]++;
	x->ops[op]++;
	if (x->state != FCH_X_BUSY)
		fch_violation_locked("fcp_op %s on exchange %d, which the transport does not own",
				     fch_op_name(op), x->id);
	if (x->op_pending)
		fch_violation_locked("fcp_op %s on exchange %d while its %s is pending",
				     fch_op_name(op), x->id, fch_op_name(x->op));
	if (req->hwqid >= fch_knobs.hw_queues)
		fch_violation_locked("fcp_op: x=%d hwqid %u of %u", x->id, req->hwqid,
				     fch_knobs.hw_queues);
	if (op != NVMET_FCOP_RSP && req->sg_cnt > fch_knobs.max_sgl)
		fch_violation_locked("fcp_op: x=%d %s with %d SG entries (at most %u)", x->id,
				     fch_op_name(op), req->sg_cnt, fch_knobs.max_sgl);
	if (op != NVMET_FCOP_RSP && req->transfer_length && (req->sg_cnt < 1 || !req->sg))
		fch_violation_locked("fcp_op: x=%d %s of %u bytes without an SG list", x->id,
				     fch_op_name(op), req->transfer_length);
	x->op_pending = true;
	x->fail_pending = false;
	x->op = op;
	x->off = req->offset;
	x->len = op == NVMET_FCOP_RSP ? 0 : req->transfer_length;
	x->sg = req->sg;
	x->sg_cnt = req->sg_cnt;
	if ((op == NVMET_FCOP_READDATA || op == NVMET_FCOP_READDATA_RSP) && req->sg &&
	    req->offset < FCH_RDATA)
		sg_pcopy_to_buffer(req->sg, req->sg_cnt, x->rdata + req->offset,
				   min_t(u32, req->transfer_length, FCH_RDATA - req->offset), 0);
	if (op == NVMET_FCOP_READDATA || op == NVMET_FCOP_READDATA_RSP)
		x->rdata_len += req->transfer_length;
	if (op == NVMET_FCOP_RSP || op == NVMET_FCOP_READDATA_RSP) {
		x->rsplen = min_t(u16, req->rsplen, FCH_RSP_MAX);
		if (req->rspaddr)
			memcpy(x->rsp, req->rspaddr, x->rsplen);
	}
	fch_log_locked("fcp_op x=%d op=%s off=%u len=%u sg=%d rsplen=%u tmo=%u hwq=%u", x->id,
		       fch_op_name(op), req->offset, x->len, req->sg_cnt,
		       op == NVMET_FCOP_RSP || op == NVMET_FCOP_READDATA_RSP ? req->rsplen : 0,
		       req->timeout, req->hwqid);
	queue_work(fch_wq, &x->work);
	spin_unlock_irqrestore(&fch_lock, flags);
	wake_up(&fch_waitq);
	return 0;
}

static void fch_fcp_abort(struct nvmet_fc_target_port *tp, struct nvmefc_tgt_fcp_req *req)
{
	struct fch_xchg *x = container_of(req, struct fch_xchg, req);
	unsigned long flags;

	spin_lock_irqsave(&fch_lock, flags);
	fch_stats.aborts++;
	x->aborts++;
	if (x->state != FCH_X_BUSY)
		fch_violation_locked("fcp_abort on exchange %d, which the transport does not own",
				     x->id);
	fch_log_locked("fcp_abort x=%d pending=%s", x->id,
		       x->op_pending ? fch_op_name(x->op) : "-");
	/* The ABTS goes out; the LLD fails what was under way once it is through. */
	if (x->op_pending && fch_knobs.abort_completes) {
		x->fail_pending = true;
		queue_work(fch_wq, &x->work);
	}
	spin_unlock_irqrestore(&fch_lock, flags);
	wake_up(&fch_waitq);
}

static void fch_fcp_req_release(struct nvmet_fc_target_port *tp,
				struct nvmefc_tgt_fcp_req *req)
{
	struct fch_xchg *x = container_of(req, struct fch_xchg, req);
	unsigned long flags;

	spin_lock_irqsave(&fch_lock, flags);
	fch_stats.releases++;
	x->releases++;
	if (x->state != FCH_X_BUSY)
		fch_violation_locked("fcp_req_release of exchange %d, not the transport's",
				     x->id);
	if (x->op_pending)
		fch_violation_locked("fcp_req_release of exchange %d while its %s is pending",
				     x->id, fch_op_name(x->op));
	x->op_pending = false;
	x->state = FCH_X_DONE;
	fch_log_locked("release x=%d", x->id);
	spin_unlock_irqrestore(&fch_lock, flags);
	wake_up(&fch_waitq);
}

static void fch_defer_rcv(struct nvmet_fc_target_port *tp, struct nvmefc_tgt_fcp_req *req)
{
	struct fch_xchg *x = container_of(req, struct fch_xchg, req);
	unsigned long flags;

	spin_lock_irqsave(&fch_lock, flags);
	fch_stats.defer_rcv++;
	x->defer_rcvs++;
	if (x->state == FCH_X_DEFERRED)
		x->state = FCH_X_BUSY;
	else if (!x->in_rcv)
		fch_violation_locked("defer_rcv for exchange %d, which was not deferred", x->id);
	fch_log_locked("defer_rcv x=%d", x->id);
	spin_unlock_irqrestore(&fch_lock, flags);
	wake_up(&fch_waitq);
}

/* --- LS requests from hosts ------------------------------------------------------- */

static void fch_ls_work(struct work_struct *w)
{
	struct fch_ls *ls = container_of(w, struct fch_ls, work);
	unsigned long flags;

	ls->rsp.done(&ls->rsp);
	spin_lock_irqsave(&fch_lock, flags);
	ls->state = FCH_LS_DONE;
	spin_unlock_irqrestore(&fch_lock, flags);
	wake_up(&fch_waitq);
}

static int fch_xmt_ls_rsp(struct nvmet_fc_target_port *tp, struct nvmefc_ls_rsp *rsp)
{
	struct fch_ls *ls = container_of(rsp, struct fch_ls, rsp);
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&fch_lock, flags);
	if (ls->state != FCH_LS_WAIT)
		fch_violation_locked("xmt_ls_rsp for LS %d twice or after it ended", ls->id);
	if (fch_knobs.fail_xmt_ls) {
		fch_knobs.fail_xmt_ls--;
		fch_stats.xmt_fail++;
		ls->xmt_failed = true;
		ls->state = FCH_LS_DONE;
		fch_log_locked("xmt_ls_rsp ls=%d FAILED by the harness", ls->id);
		ret = -EIO;
	} else {
		fch_stats.ls_rsp++;
		ls->resplen = min_t(u16, rsp->rsplen, FCH_RSP_MAX);
		memcpy(ls->resp, rsp->rspbuf, ls->resplen);
		ls->state = FCH_LS_XMT;
		fch_log_locked("xmt_ls_rsp ls=%d len=%u w0=%02x", ls->id, rsp->rsplen,
			       rsp->rsplen ? ls->resp[0] : 0);
		queue_work(fch_wq, &ls->work);
	}
	spin_unlock_irqrestore(&fch_lock, flags);
	wake_up(&fch_waitq);
	return ret;
}

/* --- LS requests the transport sends --------------------------------------------- */

static void fch_lsreq_work(struct work_struct *w)
{
	struct fch_lsreq *r = container_of(w, struct fch_lsreq, work);
	struct nvmefc_ls_req *req;
	unsigned long flags;
	int answer;
	u8 *b;

	spin_lock_irqsave(&fch_lock, flags);
	if (r->state != FCH_LSR_HELD) {
		spin_unlock_irqrestore(&fch_lock, flags);
		return;
	}
	r->state = FCH_LSR_DONE;
	req = r->req;
	answer = r->answer;
	fch_log_locked("lsreq_done r=%d answer=%d", r->id, answer);
	spin_unlock_irqrestore(&fch_lock, flags);

	/* LS_ACC or LS_RJT (FC-NVMe-2) of the request's command. */
	b = req->rspaddr;
	if (answer >= 0 && b && req->rsplen >= 40) {
		u32 len = answer ? 40 : 24;

		memset(b, 0, len);
		b[0] = answer ? 1 : 2;
		put_unaligned_be32(len - 8, b + 4);
		put_unaligned_be32(1, b + 8);		/* request descriptor */
		put_unaligned_be32(8, b + 12);
		b[16] = r->rqst[0];
		if (answer) {
			put_unaligned_be32(2, b + 24);	/* reject descriptor */
			put_unaligned_be32(8, b + 28);
			b[33] = 0x09;			/* unable to perform */
		}
	}
	req->done(req, answer < 0 ? answer : 0);
	wake_up(&fch_waitq);
}

static int fch_ls_req(struct nvmet_fc_target_port *tp, void *hosthandle,
		      struct nvmefc_ls_req *req)
{
	struct fch_host *h;
	struct fch_lsreq *r = NULL;
	unsigned long flags;
	int i, ret = 0;

	spin_lock_irqsave(&fch_lock, flags);
	fch_stats.ls_req++;
	h = fch_host_of_locked(hosthandle, "ls_req");
	if (fch_knobs.lsreq_mode == 2) {
		fch_log_locked("ls_req host=%d FAILED by the harness", h ? h->id : 0);
		ret = -EIO;
		goto out;
	}
	for (i = 0; i < FCH_NR_LSREQ; i++) {
		if (fch_lsreqs[i].state != FCH_LSR_HELD) {
			r = &fch_lsreqs[i];
			break;
		}
	}
	if (!r) {
		fch_log_locked("ls_req: no free slot");
		ret = -ENOMEM;
		goto out;
	}
	r->req = req;
	r->host = h ? h->id : 0;
	r->state = FCH_LSR_HELD;
	r->aborted = false;
	r->answer = 0;
	r->len = min_t(u32, req->rqstlen, sizeof(r->rqst));
	memcpy(r->rqst, req->rqstaddr, r->len);
	fch_log_locked("ls_req r=%d host=%d len=%u w0=%02x tmo=%u", r->id, r->host, req->rqstlen,
		       r->len ? r->rqst[0] : 0, req->timeout);
	if (fch_knobs.lsreq_mode == 0)
		queue_work(fch_wq, &r->work);
out:
	spin_unlock_irqrestore(&fch_lock, flags);
	wake_up(&fch_waitq);
	return ret;
}

static void fch_ls_abort(struct nvmet_fc_target_port *tp, void *hosthandle,
			 struct nvmefc_ls_req *req)
{
	struct fch_lsreq *r = NULL;
	unsigned long flags;
	int i;

	spin_lock_irqsave(&fch_lock, flags);
	fch_stats.ls_abort++;
	fch_host_of_locked(hosthandle, "ls_abort");
	for (i = 0; i < FCH_NR_LSREQ; i++)
		if (fch_lsreqs[i].state == FCH_LSR_HELD && fch_lsreqs[i].req == req)
			r = &fch_lsreqs[i];
	fch_log_locked("ls_abort r=%d", r ? r->id : -1);
	if (r) {
		r->aborted = true;
		if (fch_knobs.ls_abort_completes) {
			r->answer = -ECANCELED;
			queue_work(fch_wq, &r->work);
		}
	}
	spin_unlock_irqrestore(&fch_lock, flags);
	wake_up(&fch_waitq);
}

/* --- the rest of the template --------------------------------------------------- */

static void fch_host_release(void *hosthandle)
{
	struct fch_host *h;
	unsigned long flags;

	spin_lock_irqsave(&fch_lock, flags);
	fch_stats.host_release++;
	h = fch_host_of_locked(hosthandle, "host_release");
	if (h) {
		h->released = true;
		h->releases++;
	}
	fch_log_locked("host_release host=%d", h ? h->id : 0);
	spin_unlock_irqrestore(&fch_lock, flags);
	wake_up(&fch_waitq);
}

static int fch_host_traddr(void *hosthandle, u64 *node, u64 *port)
{
	struct fch_host *h;
	unsigned long flags;

	spin_lock_irqsave(&fch_lock, flags);
	h = fch_host_of_locked(hosthandle, "host_traddr");
	spin_unlock_irqrestore(&fch_lock, flags);
	if (!h)
		return -ENODEV;
	*node = 0x10001100ad000000ULL | h->id;
	*port = 0x20001100ad000000ULL | h->id;
	return 0;
}

static void fch_discovery_event(struct nvmet_fc_target_port *tp)
{
	unsigned long flags;

	spin_lock_irqsave(&fch_lock, flags);
	fch_stats.disc_events++;
	fch_log_locked("discovery_event");
	spin_unlock_irqrestore(&fch_lock, flags);
	wake_up(&fch_waitq);
}

static void fch_targetport_delete(struct nvmet_fc_target_port *tp)
{
	unsigned long flags;
	int i;

	spin_lock_irqsave(&fch_lock, flags);
	fch_stats.deletes++;
	fch_deleted = true;
	for (i = 0; i < FCH_NR_XCHG; i++)
		if (fch_xchgs[i].state == FCH_X_BUSY || fch_xchgs[i].state == FCH_X_DEFERRED)
			fch_violation_locked("targetport_delete with exchange %d still owned",
					     i);
	for (i = 0; i < FCH_NR_LS; i++)
		if (fch_lss[i].state == FCH_LS_WAIT)
			fch_violation_locked("targetport_delete with LS %d unanswered", i);
	fch_log_locked("targetport_delete");
	spin_unlock_irqrestore(&fch_lock, flags);
	complete(&fch_delete_done);
	wake_up(&fch_waitq);
}

/* Filled from fch_knobs at registration; the transport keeps a pointer to it. */
static struct nvmet_fc_target_template fch_template = {
	.targetport_delete	= fch_targetport_delete,
	.xmt_ls_rsp		= fch_xmt_ls_rsp,
	.fcp_op			= fch_fcp_op,
	.fcp_abort		= fch_fcp_abort,
	.fcp_req_release	= fch_fcp_req_release,
	.host_release		= fch_host_release,
	.host_traddr		= fch_host_traddr,
	.discovery_event	= fch_discovery_event,
	.max_dif_sgl_segments	= 256,
	.dma_boundary		= 0xffffffff,
};

/* fch_mutex held */
static int fch_register(void)
{
	struct nvmet_fc_port_info pinfo = {
		.node_name = wwnn, .port_name = wwpn, .port_id = 0x010203,
	};
	unsigned long flags;
	int ret;

	if (fch_registered || fch_unregistering)
		return -EBUSY;
	if (!fch_deleted &&
	    !wait_for_completion_timeout(&fch_delete_done, 30 * HZ))
		return -ETIMEDOUT;
	reinit_completion(&fch_delete_done);
	fch_template.defer_rcv = fch_knobs.defer ? fch_defer_rcv : NULL;
	fch_template.ls_req = fch_knobs.lsreq ? fch_ls_req : NULL;
	fch_template.ls_abort = fch_knobs.lsreq ? fch_ls_abort : NULL;
	fch_template.target_features = fch_knobs.readdata_rsp ? NVMET_FCTGTFEAT_READDATA_RSP : 0;
	fch_template.max_hw_queues = fch_knobs.hw_queues;
	fch_template.max_sgl_segments = fch_knobs.max_sgl;
	ret = nvmet_fc_register_targetport(&pinfo, &fch_template, NULL, &fch_tport);
	spin_lock_irqsave(&fch_lock, flags);
	if (!ret) {
		fch_registered = true;
		fch_deleted = false;
		fch_stats.registers++;
	}
	fch_log_locked("register rc=%d", ret);
	spin_unlock_irqrestore(&fch_lock, flags);
	if (ret)
		complete(&fch_delete_done);
	return ret;
}

static void fch_unreg_work_fn(struct work_struct *w)
{
	unsigned long flags;
	int ret;

	ret = nvmet_fc_unregister_targetport(fch_tport);
	spin_lock_irqsave(&fch_lock, flags);
	fch_stats.unreg_returned++;
	fch_stats.unreg_rc = ret;
	fch_unregistering = false;
	fch_log_locked("unregister returned rc=%d", ret);
	spin_unlock_irqrestore(&fch_lock, flags);
	wake_up(&fch_waitq);
}

/* fch_mutex held: starts unregistering (it may wait for exchanges to end). */
static int fch_unregister(void)
{
	unsigned long flags;

	if (!fch_registered)
		return -ENODEV;
	spin_lock_irqsave(&fch_lock, flags);
	fch_registered = false;
	fch_unregistering = true;
	fch_log_locked("unregister");
	spin_unlock_irqrestore(&fch_lock, flags);
	queue_work(fch_wq, &fch_unreg_work);
	return 0;
}

/* --- commands -------------------------------------------------------------------- */

/* A word of the command line, or "" at its end. */
static char *fch_word(char **p)
{
	char *w;

	do {
		w = strsep(p, " \t\n");
	} while (w && !*w);
	return w ? w : "";
}

static int fch_hex(const char *s, u8 *buf, u32 max, u32 *len)
{
	size_t n = strlen(s);

	if (n % 2 || n / 2 > max)
		return -EINVAL;
	*len = n / 2;
	return hex2bin(buf, s, n / 2) ? -EINVAL : 0;
}

/* Exchange (or LS) ID argument. */
static int fch_id(char **p, int max)
{
	int id;

	if (kstrtoint(fch_word(p), 0, &id) || id < 0 || id >= max)
		return -1;
	return id;
}

static const char *const fch_xstate_names[] = {
	"free", "busy", "deferred", "done",
};

static int fch_show_x(struct fch_xchg *x, char *out, size_t size)
{
	unsigned long flags;
	int n;

	spin_lock_irqsave(&fch_lock, flags);
	n = scnprintf(out, size,
		      "x=%d state=%s rc=%d pending=%s off=%u len=%u rd=%u wd=%u rdata=%u wdata=%u rrsp=%u rsp=%u aborts=%u releases=%u defer_rcvs=%u abts=%u rsplen=%u rspb=%*phN\n",
		      x->id, fch_xstate_names[x->state], x->rcv_rc,
		      x->op_pending ? fch_op_name(x->op) : "-", x->off, x->len,
		      x->ops[NVMET_FCOP_READDATA], x->ops[NVMET_FCOP_WRITEDATA], x->rdata_len,
		      x->wdata_len, x->ops[NVMET_FCOP_READDATA_RSP], x->ops[NVMET_FCOP_RSP],
		      x->aborts, x->releases, x->defer_rcvs, x->abts, x->rsplen,
		      min_t(int, x->rsplen, 64), x->rsp);
	spin_unlock_irqrestore(&fch_lock, flags);
	return n;
}

static int fch_show_ls(struct fch_ls *ls, char *out, size_t size)
{
	static const char *const names[] = { "free", "wait", "xmt", "done" };
	unsigned long flags;
	int n;

	spin_lock_irqsave(&fch_lock, flags);
	n = scnprintf(out, size, "ls=%d state=%s rc=%d xmt_failed=%d rsplen=%u rspb=%*phN\n",
		      ls->id, names[ls->state], ls->rcv_rc, ls->xmt_failed, ls->resplen,
		      min_t(int, ls->resplen, 64), ls->resp);
	spin_unlock_irqrestore(&fch_lock, flags);
	return n;
}

/* fcp [auto=MASK] [fill=BYTE] IU_HEX: a new exchange with that CMD IU. */
static int fch_cmd_fcp(char *args, char *out, size_t size)
{
	struct nvmet_fc_target_port *tp = fch_tport;
	struct fch_xchg *x = NULL;
	unsigned long flags;
	u8 autom = 0, fill = 0;
	char *w;
	int i, rc;

	for (;;) {
		w = fch_word(&args);
		if (!strncmp(w, "auto=", 5)) {
			if (kstrtou8(w + 5, 0, &autom))
				return -EINVAL;
		} else if (!strncmp(w, "fill=", 5)) {
			if (kstrtou8(w + 5, 0, &fill))
				return -EINVAL;
		} else {
			break;
		}
	}
	spin_lock_irqsave(&fch_lock, flags);
	if (!fch_registered) {
		spin_unlock_irqrestore(&fch_lock, flags);
		return -ENODEV;
	}
	for (i = 0; i < FCH_NR_XCHG; i++) {
		struct fch_xchg *c = &fch_xchgs[(fch_next_x + i) % FCH_NR_XCHG];

		if (c->state == FCH_X_FREE || c->state == FCH_X_DONE) {
			x = c;
			break;
		}
	}
	if (!x) {
		spin_unlock_irqrestore(&fch_lock, flags);
		return -EBUSY;
	}
	fch_next_x = (x->id + 1) % FCH_NR_XCHG;
	if (fch_hex(w, x->iu, FCH_IU_MAX, &x->iu_len)) {
		spin_unlock_irqrestore(&fch_lock, flags);
		return -EINVAL;
	}
	memset(&x->req, 0, sizeof(x->req));
	memset(x->ops, 0, sizeof(x->ops));
	x->state = FCH_X_BUSY;
	x->in_rcv = true;
	x->rcv_rc = 0;
	x->autom = autom;
	x->fill = fill;
	x->op_pending = false;
	x->fail_pending = false;
	x->op = 0;
	x->off = 0;
	x->len = 0;
	x->aborts = 0;
	x->releases = 0;
	x->defer_rcvs = 0;
	x->abts = 0;
	x->rsplen = 0;
	x->rdata_len = 0;
	x->wdata_len = 0;
	memset(x->rdata, 0, sizeof(x->rdata));
	fch_log_locked("fcp x=%d len=%u", x->id, x->iu_len);
	spin_unlock_irqrestore(&fch_lock, flags);

	rc = nvmet_fc_rcv_fcp_req(tp, &x->req, x->iu, x->iu_len);

	spin_lock_irqsave(&fch_lock, flags);
	x->in_rcv = false;
	x->rcv_rc = rc;
	if (rc == -EOVERFLOW) {
		if (!x->defer_rcvs)
			x->state = FCH_X_DEFERRED;
	} else if (rc) {
		if (x->releases)
			fch_violation_locked("exchange %d refused (%d) and released", x->id, rc);
		x->state = FCH_X_DONE;
	}
	fch_log_locked("fcp x=%d rc=%d", x->id, rc);
	spin_unlock_irqrestore(&fch_lock, flags);
	wake_up(&fch_waitq);
	return fch_show_x(x, out, size);
}

/* done ID [err=E] [xfer=N] [fill=B] [hex=DATA]: completes the pending op. */
static int fch_cmd_done(char *args, char *out, size_t size)
{
	int id = fch_id(&args, FCH_NR_XCHG), err = 0, sg_cnt;
	struct scatterlist *sg;
	struct fch_xchg *x;
	unsigned long flags;
	u8 *data = NULL, op, fill = 0;
	u32 dlen = 0, len;
	s64 xfer = -1;
	bool take;
	char *w;
	int ret = 0;

	if (id < 0)
		return -EINVAL;
	x = &fch_xchgs[id];
	while (*(w = fch_word(&args))) {
		if (!strncmp(w, "err=", 4)) {
			ret = kstrtoint(w + 4, 0, &err);
		} else if (!strncmp(w, "xfer=", 5)) {
			ret = kstrtos64(w + 5, 0, &xfer);
		} else if (!strncmp(w, "fill=", 5)) {
			ret = kstrtou8(w + 5, 0, &fill);
		} else if (!strncmp(w, "hex=", 4)) {
			kfree(data);
			data = kmalloc(strlen(w) / 2 + 1, GFP_KERNEL);
			ret = data ? fch_hex(w + 4, data, strlen(w) / 2, &dlen) : -ENOMEM;
		} else {
			ret = -EINVAL;
		}
		if (ret)
			goto out;
	}
	spin_lock_irqsave(&fch_lock, flags);
	take = fch_take_op_locked(x, false, &err, &op, &len, &sg, &sg_cnt);
	spin_unlock_irqrestore(&fch_lock, flags);
	if (!take) {
		ret = scnprintf(out, size, "nothing pending\n");
		goto out;
	}
	fch_complete(x, op, len, sg, sg_cnt, err, xfer, data, dlen, fill);
	ret = fch_show_x(x, out, size);
out:
	kfree(data);
	return ret;
}

/* rdata ID OFF LEN: read data the exchange received (hex). */
static int fch_cmd_rdata(char *args, char *out, size_t size)
{
	int id = fch_id(&args, FCH_NR_XCHG);
	unsigned long flags;
	u32 off, len;
	char *end;

	if (id < 0 || kstrtou32(fch_word(&args), 0, &off) ||
	    kstrtou32(fch_word(&args), 0, &len) || off >= FCH_RDATA)
		return -EINVAL;
	len = min3(len, (u32)FCH_RDATA - off, (u32)(size - 2) / 2);
	spin_lock_irqsave(&fch_lock, flags);
	end = bin2hex(out, fch_xchgs[id].rdata + off, len);
	spin_unlock_irqrestore(&fch_lock, flags);
	*end++ = '\n';
	return end - out;
}

/* ls HOST HEX: an LS request from host HOST (1..4). */
static int fch_cmd_ls(char *args, char *out, size_t size)
{
	int host = fch_id(&args, FCH_NR_HOSTS + 1), i, rc;
	struct nvmet_fc_target_port *tp = fch_tport;
	struct fch_ls *ls = NULL;
	unsigned long flags;
	char *w = fch_word(&args);

	if (host < 1)
		return -EINVAL;
	spin_lock_irqsave(&fch_lock, flags);
	if (!fch_registered) {
		spin_unlock_irqrestore(&fch_lock, flags);
		return -ENODEV;
	}
	for (i = 0; i < FCH_NR_LS; i++) {
		struct fch_ls *c = &fch_lss[(fch_next_ls + i) % FCH_NR_LS];

		if (c->state == FCH_LS_FREE || c->state == FCH_LS_DONE) {
			ls = c;
			break;
		}
	}
	if (!ls || fch_hex(w, ls->rqst, FCH_LS_MAX, &ls->len)) {
		spin_unlock_irqrestore(&fch_lock, flags);
		return ls ? -EINVAL : -EBUSY;
	}
	fch_next_ls = (ls->id + 1) % FCH_NR_LS;
	memset(&ls->rsp, 0, sizeof(ls->rsp));
	ls->host = host;
	ls->state = FCH_LS_WAIT;
	ls->rcv_rc = 0;
	ls->xmt_failed = false;
	ls->resplen = 0;
	fch_hosts[host].handed = true;
	fch_hosts[host].released = false;
	fch_log_locked("ls ls=%d host=%d len=%u w0=%02x", ls->id, host, ls->len,
		       ls->len ? ls->rqst[0] : 0);
	spin_unlock_irqrestore(&fch_lock, flags);

	rc = nvmet_fc_rcv_ls_req(tp, &fch_hosts[host], &ls->rsp, ls->rqst, ls->len);

	spin_lock_irqsave(&fch_lock, flags);
	ls->rcv_rc = rc;
	if (rc)
		ls->state = FCH_LS_DONE;
	fch_log_locked("ls ls=%d rc=%d", ls->id, rc);
	spin_unlock_irqrestore(&fch_lock, flags);
	return fch_show_ls(ls, out, size);
}

static bool fch_ls_answered(struct fch_ls *ls)
{
	unsigned long flags;
	bool ret;

	spin_lock_irqsave(&fch_lock, flags);
	ret = ls->state != FCH_LS_WAIT;
	spin_unlock_irqrestore(&fch_lock, flags);
	return ret;
}

static bool fch_x_moved(struct fch_xchg *x)
{
	unsigned long flags;
	bool ret;

	spin_lock_irqsave(&fch_lock, flags);
	ret = x->op_pending || x->state == FCH_X_DONE || x->state == FCH_X_FREE;
	spin_unlock_irqrestore(&fch_lock, flags);
	return ret;
}

/* ev SEQ: the events after SEQ that fit. */
static int fch_cmd_ev(char *args, char *out, size_t size)
{
	unsigned long flags;
	u64 seq, first;
	int n = 0;

	if (kstrtou64(fch_word(&args), 0, &seq))
		return -EINVAL;
	spin_lock_irqsave(&fch_lock, flags);
	first = fch_ev_seq > FCH_NR_EV ? fch_ev_seq - FCH_NR_EV : 0;
	if (seq < first) {
		n = scnprintf(out, size, "%llu lost %llu events\n", first, first - seq);
		seq = first;
	}
	for (; seq < fch_ev_seq && size - n > FCH_EV_LEN + 2; seq++)
		n += scnprintf(out + n, size - n, "%s\n", fch_ev[seq % FCH_NR_EV]);
	spin_unlock_irqrestore(&fch_lock, flags);
	return n;
}

static int fch_cmd_stats(char *out, size_t size)
{
	unsigned long flags;
	int n, i;

	spin_lock_irqsave(&fch_lock, flags);
	n = scnprintf(out, size,
		      "registered=%d unregistering=%d deleted=%d registers=%u unreg_returned=%u unreg_rc=%d deletes=%u ls_rsp=%u xmt_fail=%u rd=%u wd=%u rrsp=%u rsp=%u op_fail=%u aborts=%u releases=%u defer_rcv=%u ls_req=%u ls_abort=%u host_release=%u disc_events=%u violations=%u ev=%llu",
		      fch_registered, fch_unregistering, fch_deleted, fch_stats.registers,
		      fch_stats.unreg_returned, fch_stats.unreg_rc, fch_stats.deletes,
		      fch_stats.ls_rsp, fch_stats.xmt_fail, fch_stats.ops[NVMET_FCOP_READDATA],
		      fch_stats.ops[NVMET_FCOP_WRITEDATA], fch_stats.ops[NVMET_FCOP_READDATA_RSP],
		      fch_stats.ops[NVMET_FCOP_RSP], fch_stats.op_fail, fch_stats.aborts,
		      fch_stats.releases, fch_stats.defer_rcv, fch_stats.ls_req,
		      fch_stats.ls_abort, fch_stats.host_release, fch_stats.disc_events,
		      fch_stats.violations, fch_ev_seq);
	for (i = 1; i <= FCH_NR_HOSTS; i++)
		n += scnprintf(out + n, size - n, " host%d=%s/%u", i,
			       fch_hosts[i].released ? "released" :
			       fch_hosts[i].handed ? "handed" : "unused", fch_hosts[i].releases);
	for (i = 0; i < FCH_NR_LSREQ; i++)
		if (fch_lsreqs[i].state == FCH_LSR_HELD)
			n += scnprintf(out + n, size - n, " held_lsreq=%d", i);
	n += scnprintf(out + n, size - n, " last_violation=\"%s\"\n", fch_stats.last_violation);
	spin_unlock_irqrestore(&fch_lock, flags);
	return n;
}

/* lsreq ID: an LS request the transport sent. */
static int fch_cmd_lsreq(char *args, char *out, size_t size)
{
	static const char *const names[] = { "free", "held", "done" };
	int id = fch_id(&args, FCH_NR_LSREQ);
	struct fch_lsreq *r;
	unsigned long flags;
	int n;

	if (id < 0)
		return -EINVAL;
	r = &fch_lsreqs[id];
	spin_lock_irqsave(&fch_lock, flags);
	n = scnprintf(out, size, "r=%d state=%s host=%d aborted=%d len=%u rqst=%*phN\n", r->id,
		      names[r->state], r->host, r->aborted, r->len, (int)min_t(u32, r->len, 64),
		      r->rqst);
	spin_unlock_irqrestore(&fch_lock, flags);
	return n;
}

/* lsreq_done ID acc|rjt|ERRNO, lsreq_forget ID. */
static int fch_cmd_lsreq_end(char *args, bool forget)
{
	int id = fch_id(&args, FCH_NR_LSREQ), answer = 0;
	struct fch_lsreq *r;
	unsigned long flags;
	char *w;
	int ret = 0;

	if (id < 0)
		return -EINVAL;
	r = &fch_lsreqs[id];
	w = fch_word(&args);
	if (!forget && !strcmp(w, "rjt"))
		answer = 1;
	else if (!forget && strcmp(w, "acc") && (kstrtoint(w, 0, &answer) || answer >= 0))
		return -EINVAL;
	spin_lock_irqsave(&fch_lock, flags);
	if (r->state != FCH_LSR_HELD) {
		ret = -ENOENT;
	} else if (forget) {
		r->state = FCH_LSR_FREE;
		fch_log_locked("lsreq_forget r=%d", r->id);
	} else {
		r->answer = answer;
		queue_work(fch_wq, &r->work);
	}
	spin_unlock_irqrestore(&fch_lock, flags);
	if (!ret && !forget)
		flush_work(&r->work);
	return ret;
}

static int fch_cmd_set(char *args)
{
	char *key = fch_word(&args);
	unsigned long flags;
	u32 v;

	if (kstrtou32(fch_word(&args), 0, &v))
		return -EINVAL;
	/* The template's: only while no target port uses it. */
	if (!strcmp(key, "readdata_rsp") || !strcmp(key, "defer") || !strcmp(key, "lsreq") ||
	    !strcmp(key, "hw_queues") || !strcmp(key, "max_sgl")) {
		if (!fch_deleted)
			return -EBUSY;
		if (!strcmp(key, "readdata_rsp"))
			fch_knobs.readdata_rsp = v;
		else if (!strcmp(key, "defer"))
			fch_knobs.defer = v;
		else if (!strcmp(key, "lsreq"))
			fch_knobs.lsreq = v;
		else if (!strcmp(key, "hw_queues") && v)
			fch_knobs.hw_queues = v;
		else if (!strcmp(key, "max_sgl") && v && v <= 1024)
			fch_knobs.max_sgl = v;
		else
			return -EINVAL;
		return 0;
	}
	spin_lock_irqsave(&fch_lock, flags);
	if (!strcmp(key, "fail_ops"))
		fch_knobs.fail_ops = v;
	else if (!strcmp(key, "fail_mask"))
		fch_knobs.fail_mask = v;
	else if (!strcmp(key, "fail_xmt_ls"))
		fch_knobs.fail_xmt_ls = v;
	else if (!strcmp(key, "lsreq_mode") && v <= 2)
		fch_knobs.lsreq_mode = v;
	else if (!strcmp(key, "ls_abort_completes"))
		fch_knobs.ls_abort_completes = v;
	else if (!strcmp(key, "abort_completes"))
		fch_knobs.abort_completes = v;
	else
		v = U32_MAX;
	spin_unlock_irqrestore(&fch_lock, flags);
	return v == U32_MAX ? -EINVAL : 0;
}

/* Runs one command of LINE; the answer goes to OUT. Returns its length or an error. */
static int fch_run(char *line, char *out, size_t size)
{
	char *cmd = fch_word(&line);
	struct nvmet_fc_target_port *tp;
	unsigned long flags;
	u32 ms;
	int id, ret;

	if (!strcmp(cmd, "fcp"))
		return fch_cmd_fcp(line, out, size);
	if (!strcmp(cmd, "done"))
		return fch_cmd_done(line, out, size);
	if (!strcmp(cmd, "ls"))
		return fch_cmd_ls(line, out, size);
	if (!strcmp(cmd, "rdata"))
		return fch_cmd_rdata(line, out, size);
	if (!strcmp(cmd, "ev"))
		return fch_cmd_ev(line, out, size);
	if (!strcmp(cmd, "stats"))
		return fch_cmd_stats(out, size);
	if (!strcmp(cmd, "lsreq"))
		return fch_cmd_lsreq(line, out, size);
	if (!strcmp(cmd, "lsreq_done"))
		return fch_cmd_lsreq_end(line, false);
	if (!strcmp(cmd, "lsreq_forget"))
		return fch_cmd_lsreq_end(line, true);
	if (!strcmp(cmd, "x") || !strcmp(cmd, "xwait")) {
		id = fch_id(&line, FCH_NR_XCHG);
		if (id < 0)
			return -EINVAL;
		/* xwait ID MS: until an op is pending or the exchange ended. */
		if (cmd[1] && !kstrtou32(fch_word(&line), 0, &ms))
			wait_event_interruptible_timeout(fch_waitq, fch_x_moved(&fch_xchgs[id]),
							 msecs_to_jiffies(ms));
		return fch_show_x(&fch_xchgs[id], out, size);
	}
	if (!strcmp(cmd, "lsget") || !strcmp(cmd, "lswait")) {
		id = fch_id(&line, FCH_NR_LS);
		if (id < 0)
			return -EINVAL;
		/* lswait ID MS: until the response came (or the LS was refused). */
		if (cmd[2] == 'w' && !kstrtou32(fch_word(&line), 0, &ms))
			wait_event_interruptible_timeout(fch_waitq, fch_ls_answered(&fch_lss[id]),
							 msecs_to_jiffies(ms));
		return fch_show_ls(&fch_lss[id], out, size);
	}
	if (!strcmp(cmd, "forget")) {
		/* forget ID: the exchange is given up without done() (its target port is gone). */
		id = fch_id(&line, FCH_NR_XCHG);
		if (id < 0)
			return -EINVAL;
		spin_lock_irqsave(&fch_lock, flags);
		fch_xchgs[id].op_pending = false;
		fch_xchgs[id].state = FCH_X_DONE;
		fch_log_locked("forget x=%d", id);
		spin_unlock_irqrestore(&fch_lock, flags);
		return fch_show_x(&fch_xchgs[id], out, size);
	}
	if (!strcmp(cmd, "abts")) {
		id = fch_id(&line, FCH_NR_XCHG);
		if (id < 0)
			return -EINVAL;
		spin_lock_irqsave(&fch_lock, flags);
		tp = fch_deleted ? NULL : fch_tport;
		fch_xchgs[id].abts++;
		fch_log_locked("abts x=%d", id);
		spin_unlock_irqrestore(&fch_lock, flags);
		if (!tp)
			return -ENODEV;
		nvmet_fc_rcv_fcp_abort(tp, &fch_xchgs[id].req);
		return fch_show_x(&fch_xchgs[id], out, size);
	}
	if (!strcmp(cmd, "invalidate")) {
		id = fch_id(&line, FCH_NR_HOSTS + 1);
		if (id < 1)
			return -EINVAL;
		spin_lock_irqsave(&fch_lock, flags);
		tp = fch_deleted ? NULL : fch_tport;
		fch_log_locked("invalidate host=%d", id);
		spin_unlock_irqrestore(&fch_lock, flags);
		if (!tp)
			return -ENODEV;
		nvmet_fc_invalidate_host(tp, &fch_hosts[id]);
		return 0;
	}
	if (!strcmp(cmd, "set")) {
		mutex_lock(&fch_mutex);
		ret = fch_cmd_set(line);
		mutex_unlock(&fch_mutex);
		return ret;
	}
	if (!strcmp(cmd, "register") || !strcmp(cmd, "unregister")) {
		mutex_lock(&fch_mutex);
		ret = cmd[0] == 'r' ? fch_register() : fch_unregister();
		mutex_unlock(&fch_mutex);
		return ret;
	}
	return -EOPNOTSUPP;
}

/*
 * Commands (one per open; the answer is read back from the same file):
 *   fcp [auto=MASK] [fill=B] IU_HEX  new exchange; MASK: 1 WRITEDATA, 2 READDATA, 4 RSP
 *   x ID / xwait ID MS                an exchange (waits for an op or its end)
 *   done ID [err=E] [xfer=N] [fill=B] [hex=DATA]  completes its pending op
 *   rdata ID OFF LEN                  read data it received
 *   abts ID                           nvmet_fc_rcv_fcp_abort()
 *   forget ID                         gives an exchange up without done()
 *   ls HOST HEX / lsget ID / lswait ID MS   an LS request from HOST (1-4)
 *   lsreq ID / lsreq_done ID acc|rjt|ERRNO / lsreq_forget ID
 *   invalidate HOST, register, unregister, set KEY VALUE, stats, ev SEQ
 */
static ssize_t fch_ctl_write(struct file *file, const char __user *buf, size_t size,
			     loff_t *pos)
{
	char *data = simple_transaction_get(file, buf, size);
	char *line;
	int n;

	if (IS_ERR(data))
		return PTR_ERR(data);
	line = kstrndup(data, size, GFP_KERNEL);
	if (!line)
		return -ENOMEM;
	n = fch_run(line, data, SIMPLE_TRANSACTION_LIMIT);
	kfree(line);
	if (n < 0)
		n = scnprintf(data, SIMPLE_TRANSACTION_LIMIT, "error %d\n", n);
	simple_transaction_set(file, n);
	return size;
}

static const struct file_operations fch_ctl_fops = {
	.owner		= THIS_MODULE,
	.write		= fch_ctl_write,
	.read		= simple_transaction_read,
	.release	= simple_transaction_release,
	.llseek		= default_llseek,
};

static int __init fch_init(void)
{
	int i, ret;

	fch_xchgs = vzalloc(FCH_NR_XCHG * sizeof(*fch_xchgs));
	fch_lss = vzalloc(FCH_NR_LS * sizeof(*fch_lss));
	fch_ev = vzalloc(FCH_NR_EV * sizeof(*fch_ev));
	fch_wq = alloc_workqueue("fc_hostile", WQ_UNBOUND, 0);
	if (!fch_xchgs || !fch_lss || !fch_ev || !fch_wq) {
		ret = -ENOMEM;
		goto free;
	}
	for (i = 1; i <= FCH_NR_HOSTS; i++)
		fch_hosts[i].id = i;
	for (i = 0; i < FCH_NR_XCHG; i++) {
		fch_xchgs[i].id = i;
		INIT_WORK(&fch_xchgs[i].work, fch_xchg_work);
	}
	for (i = 0; i < FCH_NR_LS; i++) {
		fch_lss[i].id = i;
		INIT_WORK(&fch_lss[i].work, fch_ls_work);
	}
	for (i = 0; i < FCH_NR_LSREQ; i++) {
		fch_lsreqs[i].id = i;
		INIT_WORK(&fch_lsreqs[i].work, fch_lsreq_work);
	}
	INIT_WORK(&fch_unreg_work, fch_unreg_work_fn);
	if (register_at_load) {
		mutex_lock(&fch_mutex);
		ret = fch_register();
		mutex_unlock(&fch_mutex);
		if (ret) {
			pr_err("registering target port WWNN 0x%016llx WWPN 0x%016llx: %d\n",
			       wwnn, wwpn, ret);
			goto free;
		}
	}
	fch_dir = debugfs_create_dir("fc_hostile", NULL);
	debugfs_create_file("ctl", 0600, fch_dir, NULL, &fch_ctl_fops);
	pr_info("target port WWNN 0x%016llx WWPN 0x%016llx%s\n", wwnn, wwpn,
		register_at_load ? " registered" : "");
	return 0;

free:
	if (fch_wq)
		destroy_workqueue(fch_wq);
	vfree(fch_ev);
	vfree(fch_lss);
	vfree(fch_xchgs);
	return ret;
}
module_init(fch_init);

static void __exit fch_exit(void)
{
	unsigned long flags;
	int i;

	/* No command runs any more (debugfs waits for the ones inside). */
	debugfs_remove_recursive(fch_dir);
	/* Like a link going down: what is pending fails, what comes fails. */
	spin_lock_irqsave(&fch_lock, flags);
	fch_teardown = true;
	for (i = 0; i < FCH_NR_XCHG; i++)
		if (fch_xchgs[i].op_pending)
			queue_work(fch_wq, &fch_xchgs[i].work);
	spin_unlock_irqrestore(&fch_lock, flags);
	mutex_lock(&fch_mutex);
	fch_unregister();
	mutex_unlock(&fch_mutex);
	flush_work(&fch_unreg_work);
	/* The transport may call back until targetport_delete(). */
	if (!fch_deleted && !wait_for_completion_timeout(&fch_delete_done, 60 * HZ)) {
		pr_err("no targetport_delete 60 s after unregistering; waiting on\n");
		wait_for_completion(&fch_delete_done);
	}
	/* LS requests still held: the transport gave them up (it is gone). */
	destroy_workqueue(fch_wq);
	vfree(fch_ev);
	vfree(fch_lss);
	vfree(fch_xchgs);
	pr_info("unloaded: %u API violations seen\n", fch_stats.violations);
}
module_exit(fch_exit);

MODULE_DESCRIPTION("nvmet-oot test: a hostile FC host at the LLD API of nvmet-fc");
MODULE_LICENSE("GPL");
