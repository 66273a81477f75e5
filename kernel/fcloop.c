// SPDX-License-Identifier: GPL-2.0
/*
 * nvme-fcloop: a Fibre Channel loopback LLD for testing NVMe over FC.
 *
 * It registers FC ports with both halves of the kernel's FC-NVMe stack
 * through the public LLD API of <linux/nvme-fc-driver.h>: local (host) ports
 * and the remote ports seen from them with the NVMe/FC host (nvme-fc), target
 * ports with the NVMe/FC target (nvmet-fc). A remote port and a target port
 * with the same WWNN and WWPN are the two ends of one loop: link service
 * requests (LS) and FCP exchanges the host sends to the remote port arrive at
 * the target port, and the target's LS requests (Disconnect Association)
 * arrive at the host; data moves by copying between the two sides'
 * scatterlists.
 *
 * The user interface is the in-tree module's: class "fcloop", device "ctl",
 * write-only attributes add_local_port, del_local_port, add_remote_port,
 * del_remote_port, add_target_port, del_target_port and set_cmd_drop, with
 * the same option strings and errors (docs/fcloop.md).
 *
 * Objects:
 *   lport  a local port (nvme_fc_local_port)
 *   rport  a remote port on a local port (nvme_fc_remote_port)
 *   tport  a target port (nvmet_fc_target_port)
 *   link   a remote port joined to the target port of its names; the target
 *          side knows it as the hosthandle of the host behind the remote port
 *   fcp    an FCP exchange: the host's nvmefc_fcp_req and the target's
 *          nvmefc_tgt_fcp_req
 *   ls     an LS exchange: the requester's nvmefc_ls_req and the responder's
 *          nvmefc_ls_rsp
 *
 * A port is REGISTERED from its registration until its deletion starts, then
 * UNREGISTERED until the transport's delete callback (localport_delete,
 * remoteport_delete, targetport_delete) says it is done with it; the object
 * then leaves its list and is freed with its last reference. The host's
 * transport may give back a port it still holds when one of the same names
 * is registered again (nvme-fc resumes it): an UNREGISTERED object becomes
 * REGISTERED again.
 *
 * No call into nvme-fc or nvmet-fc names a port that may be unregistered:
 * each is made inside an SRCU read section after checking, under fcloop_lock,
 * that the port is REGISTERED, and deleting a port marks it UNREGISTERED,
 * waits for those sections (synchronize_srcu) and only then unregisters it.
 * Everything the transports hand over (LS and FCP exchanges, hosthandles) is
 * looked up in this module's lists before it is used, so a stale pointer
 * from a transport is never dereferenced.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/device.h>
#include <linux/slab.h>
#include <linux/parser.h>
#include <linux/highmem.h>
#include <linux/scatterlist.h>
#include <linux/workqueue.h>
#include <linux/srcu.h>
#include <linux/wait_bit.h>
#include <linux/kref.h>
#include <linux/nvme.h>
#include <uapi/scsi/fc/fc_fs.h>
#include <linux/nvme-fc-driver.h>
#include <linux/nvme-fc.h>

/* What the LLD templates announce (the in-tree module's values). */
#define FCLOOP_HW_QUEUES	4
#define FCLOOP_SGL_SEGS		256
#define FCLOOP_DMA_BOUNDARY	0xffffffffULL
/* An FC name in an option: "0x" and 16 hex digits. */
#define FCLOOP_NAME_LEN		(2 + 16)

static bool readdata_rsp;
module_param(readdata_rsp, bool, 0444);
MODULE_PARM_DESC(readdata_rsp,
		 "announce NVMET_FCTGTFEAT_READDATA_RSP (a read's last data and its response in one operation; default no, as in-tree)");

enum fcloop_state {
	FCLOOP_REGISTERED,
	FCLOOP_UNREGISTERED,
};

struct fcloop_lport {
	struct list_head		entry;		/* fcloop_lports */
	struct kref			ref;		/* the list's, and one per rport */
	u64				wwnn;
	u64				wwpn;
	enum fcloop_state		state;
	struct nvme_fc_local_port	*localport;
};

struct fcloop_rport {
	struct list_head		entry;		/* fcloop_rports */
	struct kref			ref;		/* the list's, and one per link */
	u64				wwnn;
	u64				wwpn;
	u32				roles;
	u32				fcaddr;
	enum fcloop_state		state;
	struct fcloop_lport		*lport;		/* a reference */
	struct nvme_fc_remote_port	*remoteport;
	struct fcloop_link		*link;		/* the current one, if any */
};

struct fcloop_tport {
	struct list_head		entry;		/* fcloop_tports */
	struct kref			ref;		/* the list's, per link, rscn_work */
	u64				wwnn;
	u64				wwpn;
	u32				roles;
	u32				fcaddr;
	enum fcloop_state		state;
	struct nvmet_fc_target_port	*targetport;
	struct fcloop_link		*link;		/* the current one, if any */
	struct work_struct		rscn_work;	/* the target's discovery event */
};

/*
 * The loop between a remote port and the target port of the same names, and
 * the target side's hosthandle for the host behind it. A new one is made each
 * time both exist again, so a target port never sees a host it was told to
 * forget (nvmet_fc_invalidate_host) come back under the same handle.
 */
struct fcloop_link {
	struct list_head		entry;		/* fcloop_links */
	struct list_head		forget_entry;	/* fcloop_del_rport()'s */
	struct list_head		unheld_entry;	/* fcloop_targetport_delete()'s */
	struct kref			ref;
	struct fcloop_rport		*rport;		/* a reference */
	struct fcloop_tport		*tport;		/* a reference */
	u64				host_wwnn;	/* the local port's names (host_traddr) */
	u64				host_wwpn;
	/*
	 * Under fcloop_lock. open: the host reaches the target (until either
	 * port's deletion starts); host_alive: the target reaches the host
	 * (until the remote port's deletion starts); held: nvmet-fc may use it
	 * as a hosthandle (until host_release() or targetport_delete()), a
	 * reference.
	 */
	bool				open;
	bool				host_alive;
	bool				held;
};

enum fcloop_tgt_state {
	FCLOOP_TGT_NEW,		/* not handed to the target yet */
	FCLOOP_TGT_OWNED,	/* nvmet-fc has it (until fcp_req_release) */
	FCLOOP_TGT_DONE,	/* released, refused, dropped or never delivered */
};

/*
 * An FCP exchange. References: the host's (until its done() is called), the
 * target's (until fcp_req_release(), or until it is clear the target never
 * gets it), and one for the abort work while it is queued.
 */
struct fcloop_fcp {
	struct nvmefc_tgt_fcp_req	tgt;		/* what nvmet-fc sees */
	struct kref			ref;
	struct list_head		entry;		/* fcloop_fcps while ini is set */
	struct fcloop_link		*link;		/* a reference; NULL: no target */
	struct nvmefc_fcp_req		*ini;		/* the host's request */
	struct work_struct		rcv_work;	/* hands it to the target */
	struct work_struct		abort_work;	/* tells the target of the host's abort */
	struct work_struct		done_work;	/* completes the host's request */
	/*
	 * Under fcloop_lock. busy: a data copy uses ini's buffers, so the
	 * host's completion waits (done_pending) until it ends; done_queued:
	 * the host's completion is on its way with ini_status, nothing else
	 * touches ini.
	 */
	enum fcloop_tgt_state		tstate;
	int				ini_status;
	bool				busy;
	bool				done_pending;
	bool				done_queued;
	bool				ini_aborted;
	bool				tgt_aborted;
	u32				iulen;
	u8				iu[sizeof(struct nvme_fc_cmd_iu)];
};

/*
 * An LS exchange. References: the requester's (until its done() is called),
 * the responder's (from delivery until xmt_ls_rsp()), and the delivery
 * work's. The host's requests go to the target port its remote port is
 * joined to when they are delivered (a remote port nvme-fc resumes may ask
 * before its registration has returned here).
 */
struct fcloop_ls {
	struct nvmefc_ls_rsp		rsp;		/* what the responder sees */
	struct kref			ref;
	struct list_head		entry;		/* fcloop_lss while req is set */
	struct fcloop_rport		*rport;		/* the host's request: a reference */
	struct fcloop_link		*link;		/* a reference, once known */
	bool				to_host;	/* the target's request to the host */
	struct nvmefc_ls_req		*req;		/* the requester's, under fcloop_lock */
	int				status;		/* fcloop_lock */
	bool				done_queued;	/* fcloop_lock: req is completed */
	struct work_struct		rcv_work;
	struct work_struct		done_work;
	u32				len;
	u8				rqst[] __counted_by(len);
};

/*
 * fcloop_mutex serializes the ctl attributes and module unload: adding and
 * deleting ports, registering and unregistering them with the transports,
 * and waiting for SRCU readers. No callback from a transport takes it.
 *
 * fcloop_lock protects the lists below, every object's state and pointers
 * and the exchanges' fields marked so; taken with interrupts off (the
 * transports call from any context), never held across a call into another
 * module or a wait.
 *
 * fcloop_srcu: calls into nvme-fc or nvmet-fc that name a port run inside a
 * read section, after checking under fcloop_lock that the port is
 * REGISTERED; deleting a port synchronizes before unregistering it.
 */
static DEFINE_MUTEX(fcloop_mutex);
static DEFINE_SPINLOCK(fcloop_lock);
static struct srcu_struct fcloop_srcu;
static LIST_HEAD(fcloop_lports);
static LIST_HEAD(fcloop_rports);
static LIST_HEAD(fcloop_tports);
static LIST_HEAD(fcloop_links);
static LIST_HEAD(fcloop_fcps);
static LIST_HEAD(fcloop_lss);

/* Objects allocated and not yet freed; unload waits for none. */
static atomic_t fcloop_nobjs = ATOMIC_INIT(0);

static struct workqueue_struct *fcloop_wq;

/* set_cmd_drop: FCP commands the host sends that never reach the target. */
static struct {
	bool	on;
	bool	fabrics;	/* opcode is a fabrics command type */
	u8	opcode;
	int	first;		/* the first match dropped (1-based, as in-tree) */
	int	last;		/* the last */
	int	seen;		/* matches so far */
} fcloop_drop;			/* under fcloop_lock */

static void *fcloop_alloc(size_t size, gfp_t gfp)
{
	void *p = kzalloc(size, gfp);

	if (p)
		atomic_inc(&fcloop_nobjs);
	return p;
}

static void fcloop_free(void *p)
{
	kfree(p);
	if (atomic_dec_and_test(&fcloop_nobjs))
		wake_up_var(&fcloop_nobjs);
}

/* --- references ------------------------------------------------------------- */

static void fcloop_lport_release(struct kref *ref)
{
	fcloop_free(container_of(ref, struct fcloop_lport, ref));
}

static void fcloop_lport_put(struct fcloop_lport *lport)
{
	kref_put(&lport->ref, fcloop_lport_release);
}

static void fcloop_rport_release(struct kref *ref)
{
	struct fcloop_rport *rport = container_of(ref, struct fcloop_rport, ref);

	fcloop_lport_put(rport->lport);
	fcloop_free(rport);
}

static void fcloop_rport_put(struct fcloop_rport *rport)
{
	kref_put(&rport->ref, fcloop_rport_release);
}

static void fcloop_tport_release(struct kref *ref)
{
	fcloop_free(container_of(ref, struct fcloop_tport, ref));
}

static void fcloop_tport_put(struct fcloop_tport *tport)
{
	kref_put(&tport->ref, fcloop_tport_release);
}

static void fcloop_link_release(struct kref *ref)
{
	struct fcloop_link *link = container_of(ref, struct fcloop_link, ref);
	unsigned long flags;

	spin_lock_irqsave(&fcloop_lock, flags);
	list_del(&link->entry);
	spin_unlock_irqrestore(&fcloop_lock, flags);
	fcloop_rport_put(link->rport);
	fcloop_tport_put(link->tport);
	fcloop_free(link);
}

static void fcloop_link_put(struct fcloop_link *link)
{
	kref_put(&link->ref, fcloop_link_release);
}

static void fcloop_fcp_release(struct kref *ref)
{
	struct fcloop_fcp *fcp = container_of(ref, struct fcloop_fcp, ref);

	if (fcp->link)
		fcloop_link_put(fcp->link);
	fcloop_free(fcp);
}

static void fcloop_fcp_put(struct fcloop_fcp *fcp)
{
	kref_put(&fcp->ref, fcloop_fcp_release);
}

static void fcloop_ls_release(struct kref *ref)
{
	struct fcloop_ls *ls = container_of(ref, struct fcloop_ls, ref);

	if (ls->link)
		fcloop_link_put(ls->link);
	if (ls->rport)
		fcloop_rport_put(ls->rport);
	fcloop_free(ls);
}

static void fcloop_ls_put(struct fcloop_ls *ls)
{
	kref_put(&ls->ref, fcloop_ls_release);
}

/* --- lookups (fcloop_lock held) --------------------------------------------- */

static struct fcloop_lport *fcloop_find_lport(u64 wwnn, u64 wwpn, bool any_state)
{
	struct fcloop_lport *lport;

	list_for_each_entry(lport, &fcloop_lports, entry)
		if (lport->wwnn == wwnn && lport->wwpn == wwpn &&
		    (any_state || lport->state == FCLOOP_REGISTERED))
			return lport;
	return NULL;
}

static struct fcloop_lport *fcloop_lport_of(struct nvme_fc_local_port *localport)
{
	struct fcloop_lport *lport;

	list_for_each_entry(lport, &fcloop_lports, entry)
		if (lport->localport == localport)
			return lport;
	return NULL;
}

static struct fcloop_rport *fcloop_find_rport(u64 wwnn, u64 wwpn)
{
	struct fcloop_rport *rport;

	list_for_each_entry(rport, &fcloop_rports, entry)
		if (rport->wwnn == wwnn && rport->wwpn == wwpn &&
		    rport->state == FCLOOP_REGISTERED)
			return rport;
	return NULL;
}

static struct fcloop_rport *fcloop_rport_of(struct nvme_fc_remote_port *remoteport)
{
	struct fcloop_rport *rport;

	list_for_each_entry(rport, &fcloop_rports, entry)
		if (rport->remoteport == remoteport)
			return rport;
	return NULL;
}

/*
 * The remote port nvme-fc calls with, or the one being registered under its
 * names on its local port (nvme-fc may call before the registration returns).
 */
static struct fcloop_rport *fcloop_rport_for(struct nvme_fc_local_port *localport,
					     struct nvme_fc_remote_port *remoteport)
{
	struct fcloop_rport *rport = fcloop_rport_of(remoteport);

	if (rport)
		return rport;
	list_for_each_entry(rport, &fcloop_rports, entry)
		if (!rport->remoteport && rport->lport->localport == localport &&
		    rport->wwnn == remoteport->node_name && rport->wwpn == remoteport->port_name)
			return rport;
	return NULL;
}

static struct fcloop_tport *fcloop_find_tport(u64 wwnn, u64 wwpn)
{
	struct fcloop_tport *tport;

	list_for_each_entry(tport, &fcloop_tports, entry)
		if (tport->wwnn == wwnn && tport->wwpn == wwpn &&
		    tport->state == FCLOOP_REGISTERED)
			return tport;
	return NULL;
}

static struct fcloop_tport *fcloop_tport_of(struct nvmet_fc_target_port *targetport)
{
	struct fcloop_tport *tport;

	list_for_each_entry(tport, &fcloop_tports, entry)
		if (tport->targetport == targetport)
			return tport;
	return NULL;
}

/* The link a transport handed back as a hosthandle, if it is one of ours. */
static struct fcloop_link *fcloop_link_of(void *hosthandle)
{
	struct fcloop_link *link;

	list_for_each_entry(link, &fcloop_links, entry)
		if (link == hosthandle)
			return link;
	return NULL;
}

/* --- gates: calls into the transports naming a port ------------------------ */

/*
 * In an fcloop_srcu read section: LINK's target port, if it is REGISTERED
 * (and, for NEW traffic, the link is open); NULL otherwise. The port stays
 * registered until the read section ends.
 */
static struct nvmet_fc_target_port *fcloop_gate_target(struct fcloop_link *link, bool new)
{
	struct nvmet_fc_target_port *targetport = NULL;
	unsigned long flags;

	spin_lock_irqsave(&fcloop_lock, flags);
	if (link->tport->state == FCLOOP_REGISTERED && (!new || link->open))
		targetport = link->tport->targetport;
	spin_unlock_irqrestore(&fcloop_lock, flags);
	return targetport;
}

/* In an fcloop_srcu read section: LINK's remote port, if the target still reaches it. */
static struct nvme_fc_remote_port *fcloop_gate_host(struct fcloop_link *link)
{
	struct nvme_fc_remote_port *remoteport = NULL;
	unsigned long flags;

	spin_lock_irqsave(&fcloop_lock, flags);
	if (link->host_alive && link->rport->state == FCLOOP_REGISTERED)
		remoteport = link->rport->remoteport;
	spin_unlock_irqrestore(&fcloop_lock, flags);
	return remoteport;
}

/* --- LS exchanges ------------------------------------------------------------ */

/* The requester's done() goes out with STATUS unless it went already; under fcloop_lock. */
static bool fcloop_ls_end_locked(struct fcloop_ls *ls, int status)
{
	if (!ls->req || ls->done_queued)
		return false;
	ls->status = status;
	ls->done_queued = true;
	return true;
}

static void fcloop_ls_end(struct fcloop_ls *ls, int status)
{
	unsigned long flags;
	bool end;

	spin_lock_irqsave(&fcloop_lock, flags);
	end = fcloop_ls_end_locked(ls, status);
	spin_unlock_irqrestore(&fcloop_lock, flags);
	if (end)
		queue_work(fcloop_wq, &ls->done_work);
}

static void fcloop_ls_done_work(struct work_struct *w)
{
	struct fcloop_ls *ls = container_of(w, struct fcloop_ls, done_work);
	struct nvmefc_ls_req *req;
	unsigned long flags;
	int status;

	spin_lock_irqsave(&fcloop_lock, flags);
	req = ls->req;
	ls->req = NULL;
	list_del(&ls->entry);
	status = ls->status;
	spin_unlock_irqrestore(&fcloop_lock, flags);
	req->done(req, status);
	fcloop_ls_put(ls);	/* the requester's */
}

/* The open link from RPORT to its target port, with a reference. */
static struct fcloop_link *fcloop_rport_link(struct fcloop_rport *rport)
{
	struct fcloop_link *link = NULL;
	unsigned long flags;

	spin_lock_irqsave(&fcloop_lock, flags);
	if (rport->state == FCLOOP_REGISTERED && rport->link && rport->link->open) {
		link = rport->link;
		kref_get(&link->ref);
	}
	spin_unlock_irqrestore(&fcloop_lock, flags);
	return link;
}

/* Delivers the request to the responder (process context: both transports allocate). */
static void fcloop_ls_rcv_work(struct work_struct *w)
{
	struct fcloop_ls *ls = container_of(w, struct fcloop_ls, rcv_work);
	struct nvmet_fc_target_port *targetport = NULL;
	struct nvme_fc_remote_port *remoteport = NULL;
	int idx, ret = -ECONNREFUSED;
	unsigned long flags;
	bool waits;

	if (!ls->to_host)
		ls->link = fcloop_rport_link(ls->rport);
	idx = srcu_read_lock(&fcloop_srcu);
	if (ls->to_host)
		remoteport = fcloop_gate_host(ls->link);
	else if (ls->link)
		targetport = fcloop_gate_target(ls->link, true);
	spin_lock_irqsave(&fcloop_lock, flags);
	/* One the requester gave up on is not delivered. */
	waits = ls->req && !ls->done_queued;
	spin_unlock_irqrestore(&fcloop_lock, flags);
	if (waits && (remoteport || targetport)) {
		kref_get(&ls->ref);	/* the responder's, until xmt_ls_rsp() */
		if (remoteport)
			ret = nvme_fc_rcv_ls_req(remoteport, &ls->rsp, ls->rqst, ls->len);
		else
			ret = nvmet_fc_rcv_ls_req(targetport, ls->link, &ls->rsp, ls->rqst,
						  ls->len);
		if (ret)
			fcloop_ls_put(ls);
	}
	srcu_read_unlock(&fcloop_srcu, idx);
	if (ret)
		fcloop_ls_end(ls, ret);
	fcloop_ls_put(ls);	/* this work's */
}

/* Sends REQ from RPORT (the host) or over LINK (the target); takes over the reference. */
static int fcloop_ls_send(struct fcloop_rport *rport, struct fcloop_link *link,
			  struct nvmefc_ls_req *req)
{
	struct fcloop_ls *ls;
	unsigned long flags;

	ls = fcloop_alloc(struct_size(ls, rqst, req->rqstlen), GFP_ATOMIC);
	if (!ls) {
		if (rport)
			fcloop_rport_put(rport);
		if (link)
			fcloop_link_put(link);
		return -ENOMEM;
	}
	kref_init(&ls->ref);		/* the requester's */
	kref_get(&ls->ref);		/* the delivery work's */
	ls->rport = rport;
	ls->link = link;
	ls->to_host = !rport;
	ls->req = req;
	ls->len = req->rqstlen;
	memcpy(ls->rqst, req->rqstaddr, req->rqstlen);
	INIT_WORK(&ls->rcv_work, fcloop_ls_rcv_work);
	INIT_WORK(&ls->done_work, fcloop_ls_done_work);
	spin_lock_irqsave(&fcloop_lock, flags);
	list_add_tail(&ls->entry, &fcloop_lss);
	spin_unlock_irqrestore(&fcloop_lock, flags);
	queue_work(fcloop_wq, &ls->rcv_work);
	return 0;
}

/*
 * The responder answered (either direction): the response goes to the
 * requester if it waits. 0, or an errno when the response cannot be sent
 * (the responder then frees it itself).
 */
static int fcloop_ls_answer(struct nvmefc_ls_rsp *lsrsp)
{
	struct fcloop_ls *ls = container_of(lsrsp, struct fcloop_ls, rsp);
	unsigned long flags;
	bool end = false;

	/*
	 * nvme-fc answers an LS that arrived as its remote port went offline
	 * with a reject it never hands over: rspbuf and done() are not set
	 * (they were zero here). Refused: nvme-fc frees its side itself.
	 */
	if (!lsrsp->done || !lsrsp->rspbuf) {
		fcloop_ls_end(ls, -ENODEV);
		fcloop_ls_put(ls);	/* the responder's */
		return -ENODEV;
	}
	spin_lock_irqsave(&fcloop_lock, flags);
	if (ls->req && !ls->done_queued) {
		memcpy(ls->req->rspaddr, lsrsp->rspbuf, min_t(u32, ls->req->rsplen, lsrsp->rsplen));
		end = fcloop_ls_end_locked(ls, 0);
	}
	spin_unlock_irqrestore(&fcloop_lock, flags);
	lsrsp->done(lsrsp);
	if (end)
		queue_work(fcloop_wq, &ls->done_work);
	fcloop_ls_put(ls);	/* the responder's */
	return 0;
}

/* The requester gives up on REQ: it is completed as aborted; a late answer is dropped. */
static void fcloop_ls_abort(struct nvmefc_ls_req *req)
{
	struct fcloop_ls *ls, *found = NULL;
	unsigned long flags;
	bool end = false;

	spin_lock_irqsave(&fcloop_lock, flags);
	list_for_each_entry(ls, &fcloop_lss, entry) {
		if (ls->req == req) {
			found = ls;
			end = fcloop_ls_end_locked(ls, -ECANCELED);
			break;
		}
	}
	spin_unlock_irqrestore(&fcloop_lock, flags);
	if (end)
		queue_work(fcloop_wq, &found->done_work);
}

/* --- FCP exchanges: copying data -------------------------------------------- */

/* A position in a scatterlist of at most LEFT entries. */
struct fcloop_sgpos {
	struct scatterlist	*sg;
	unsigned int		left;	/* entries from sg on */
	u32			off;	/* bytes into sg */
};

/* Moves POS N bytes on (N 0: past exhausted entries); false when the list ends first. */
static bool fcloop_sg_advance(struct fcloop_sgpos *pos, u32 n)
{
	while (pos->left) {
		u32 room = pos->sg->length - pos->off;

		if (n < room || (!n && room)) {
			pos->off += n;
			return true;
		}
		n -= room;
		pos->off = 0;
		if (!--pos->left)
			break;
		pos->sg = sg_next(pos->sg);
		if (!pos->sg)
			pos->left = 0;
	}
	return !n;
}

/* The bytes of POS's page from POS on, mapped with kmap_local_page() by the caller. */
static u32 fcloop_sg_piece(const struct fcloop_sgpos *pos, struct page **page, u32 *poff)
{
	u32 off = pos->sg->offset + pos->off;

	*page = pfn_to_page(page_to_pfn(sg_page(pos->sg)) + (off >> PAGE_SHIFT));
	*poff = offset_in_page(off);
	return min_t(u32, pos->sg->length - pos->off, PAGE_SIZE - *poff);
}

/* Copies up to LEN bytes from SRC to DST; returns how many. */
static u32 fcloop_sg_copy(struct fcloop_sgpos *dst, struct fcloop_sgpos *src, u32 len)
{
	u32 done = 0;

	while (done < len && fcloop_sg_advance(dst, 0) && fcloop_sg_advance(src, 0) &&
	       dst->left && src->left) {
		struct page *dpage, *spage;
		u32 doff, soff, n;
		void *d, *s;

		n = min3(len - done, fcloop_sg_piece(dst, &dpage, &doff),
			 fcloop_sg_piece(src, &spage, &soff));
		d = kmap_local_page(dpage);
		s = kmap_local_page(spage);
		memcpy(d + doff, s + soff, n);
		kunmap_local(s);
		kunmap_local(d);
		done += n;
		fcloop_sg_advance(dst, n);
		fcloop_sg_advance(src, n);
	}
	return done;
}

/* Moves the data of a READDATA, READDATA_RSP or WRITEDATA operation; 0 or an errno. */
static int fcloop_fcp_move(struct nvmefc_fcp_req *ini, struct nvmefc_tgt_fcp_req *tgt,
			   u32 *moved)
{
	bool write = tgt->op == NVMET_FCOP_WRITEDATA;
	struct fcloop_sgpos hpos = { ini->first_sgl, ini->sg_cnt, 0 };
	struct fcloop_sgpos tpos = { tgt->sg, tgt->sg_cnt, 0 };

	*moved = 0;
	if (ini->io_dir != (write ? NVMEFC_FCP_WRITE : NVMEFC_FCP_READ) ||
	    tgt->offset > ini->payload_length ||
	    tgt->transfer_length > ini->payload_length - tgt->offset) {
		pr_err_ratelimited("target moves %u bytes at %u %s a host buffer of %u (%s)\n",
				   tgt->transfer_length, tgt->offset,
				   write ? "from" : "to", ini->payload_length,
				   ini->io_dir == NVMEFC_FCP_WRITE ? "write" :
				   ini->io_dir == NVMEFC_FCP_READ ? "read" : "no data");
		return -EIO;
	}
	if (!fcloop_sg_advance(&hpos, tgt->offset))
		return -EIO;
	if (write)
		*moved = fcloop_sg_copy(&tpos, &hpos, tgt->transfer_length);
	else
		*moved = fcloop_sg_copy(&hpos, &tpos, tgt->transfer_length);
	return *moved == tgt->transfer_length ? 0 : -EIO;
}

/* --- FCP exchanges ------------------------------------------------------------ */

/* The host's request while data may still move to or from it; under fcloop_lock. */
static struct nvmefc_fcp_req *fcloop_fcp_host(struct fcloop_fcp *fcp)
{
	return fcp->done_queued || fcp->done_pending ? NULL : fcp->ini;
}

/*
 * The host's request is to be completed with STATUS, unless that is decided
 * already; under fcloop_lock. True: the caller queues done_work.
 */
static bool fcloop_fcp_end_locked(struct fcloop_fcp *fcp, int status)
{
	if (!fcloop_fcp_host(fcp))
		return false;
	fcp->ini_status = status;
	if (fcp->busy) {
		fcp->done_pending = true;
		return false;
	}
	fcp->done_queued = true;
	return true;
}

static void fcloop_fcp_end(struct fcloop_fcp *fcp, int status)
{
	unsigned long flags;
	bool end;

	spin_lock_irqsave(&fcloop_lock, flags);
	end = fcloop_fcp_end_locked(fcp, status);
	spin_unlock_irqrestore(&fcloop_lock, flags);
	if (end)
		queue_work(fcloop_wq, &fcp->done_work);
}

static void fcloop_fcp_done_work(struct work_struct *w)
{
	struct fcloop_fcp *fcp = container_of(w, struct fcloop_fcp, done_work);
	struct nvmefc_fcp_req *ini;
	unsigned long flags;

	spin_lock_irqsave(&fcloop_lock, flags);
	ini = fcp->ini;
	fcp->ini = NULL;
	list_del(&fcp->entry);
	ini->status = fcp->ini_status;
	spin_unlock_irqrestore(&fcloop_lock, flags);
	ini->done(ini);
	fcloop_fcp_put(fcp);	/* the host's */
}

/* Whether set_cmd_drop asks to drop the command in FCP's CMD IU. */
static bool fcloop_drop_cmd(struct fcloop_fcp *fcp)
{
	const struct nvme_fc_cmd_iu *iu = (const struct nvme_fc_cmd_iu *)fcp->iu;
	const struct nvme_command *sqe = &iu->sqe;
	bool fabrics = sqe->common.opcode == nvme_fabrics_command;
	unsigned long flags;
	bool drop = false;
	int seen = 0;
	u8 op;

	spin_lock_irqsave(&fcloop_lock, flags);
	op = fcloop_drop.fabrics ? sqe->fabrics.fctype : sqe->common.opcode;
	if (fcloop_drop.on && (!fcloop_drop.fabrics || fabrics) && op == fcloop_drop.opcode &&
	    ++fcloop_drop.seen >= fcloop_drop.first) {
		drop = true;
		seen = fcloop_drop.seen;
		if (fcloop_drop.seen >= fcloop_drop.last)
			fcloop_drop.on = false;
	}
	spin_unlock_irqrestore(&fcloop_lock, flags);
	if (drop && fabrics)
		pr_info("set_cmd_drop: dropped fabrics command type 0x%02x (match %d)\n",
			sqe->fabrics.fctype, seen);
	else if (drop)
		pr_info("set_cmd_drop: dropped command opcode 0x%02x (match %d)\n",
			sqe->common.opcode, seen);
	return drop;
}

/* Hands the exchange to the target (process context: nvmet-fc may allocate). */
static void fcloop_fcp_rcv_work(struct work_struct *w)
{
	struct fcloop_fcp *fcp = container_of(w, struct fcloop_fcp, rcv_work);
	struct nvmet_fc_target_port *targetport = NULL;
	unsigned long flags;
	int idx, ret = -ECONNREFUSED;
	bool deliver;

	idx = srcu_read_lock(&fcloop_srcu);
	if (fcp->link)
		targetport = fcloop_gate_target(fcp->link, true);
	if (targetport && fcloop_drop_cmd(fcp)) {
		/* Lost on the way: the host times out and aborts it. */
		targetport = NULL;
		ret = 0;
	}
	spin_lock_irqsave(&fcloop_lock, flags);
	deliver = targetport && !fcp->ini_aborted;
	fcp->tstate = deliver ? FCLOOP_TGT_OWNED : FCLOOP_TGT_DONE;
	spin_unlock_irqrestore(&fcloop_lock, flags);
	if (deliver) {
		/* The target may finish and release it before this returns. */
		kref_get(&fcp->ref);
		ret = nvmet_fc_rcv_fcp_req(targetport, &fcp->tgt, fcp->iu, fcp->iulen);
		/* -EOVERFLOW: taken, started when a slot frees (defer_rcv); the IU is ours. */
		if (ret == -EOVERFLOW)
			ret = 0;
		if (ret) {
			spin_lock_irqsave(&fcloop_lock, flags);
			fcp->tstate = FCLOOP_TGT_DONE;
			spin_unlock_irqrestore(&fcloop_lock, flags);
		}
		fcloop_fcp_put(fcp);
	}
	srcu_read_unlock(&fcloop_srcu, idx);
	/* Refused or no target: the host sees a transport error (a path error). */
	if (ret)
		fcloop_fcp_end(fcp, ret);
	if (!deliver || ret)
		fcloop_fcp_put(fcp);	/* the target's */
}

/* Tells the target the host aborted an exchange it holds. */
static void fcloop_fcp_abort_work(struct work_struct *w)
{
	struct fcloop_fcp *fcp = container_of(w, struct fcloop_fcp, abort_work);
	struct nvmet_fc_target_port *targetport;
	unsigned long flags;
	bool owned;
	int idx;

	idx = srcu_read_lock(&fcloop_srcu);
	targetport = fcloop_gate_target(fcp->link, false);
	spin_lock_irqsave(&fcloop_lock, flags);
	owned = fcp->tstate == FCLOOP_TGT_OWNED;
	spin_unlock_irqrestore(&fcloop_lock, flags);
	/* Released meanwhile: nvmet-fc finds its private pointer cleared and ignores it. */
	if (targetport && owned)
		nvmet_fc_rcv_fcp_abort(targetport, &fcp->tgt);
	srcu_read_unlock(&fcloop_srcu, idx);
	fcloop_fcp_put(fcp);	/* this work's */
}

/* --- the host's template ------------------------------------------------------ */

/* The link from REMOTEPORT to its target port, with a reference, if open. */
static struct fcloop_link *fcloop_host_link(struct nvme_fc_remote_port *remoteport)
{
	struct fcloop_link *link = NULL;
	struct fcloop_rport *rport;
	unsigned long flags;

	spin_lock_irqsave(&fcloop_lock, flags);
	rport = fcloop_rport_of(remoteport);
	if (rport && rport->state == FCLOOP_REGISTERED && rport->link && rport->link->open) {
		link = rport->link;
		kref_get(&link->ref);
	}
	spin_unlock_irqrestore(&fcloop_lock, flags);
	return link;
}

static void fcloop_localport_delete(struct nvme_fc_local_port *localport)
{
	struct fcloop_lport *lport;
	unsigned long flags;

	spin_lock_irqsave(&fcloop_lock, flags);
	lport = fcloop_lport_of(localport);
	/* REGISTERED: given back again by a registration that raced with this. */
	if (lport && lport->state == FCLOOP_UNREGISTERED)
		list_del(&lport->entry);
	else
		lport = NULL;
	spin_unlock_irqrestore(&fcloop_lock, flags);
	if (!lport)
		return;
	pr_info("local port WWNN 0x%016llx WWPN 0x%016llx deleted\n", lport->wwnn, lport->wwpn);
	fcloop_lport_put(lport);	/* the list's */
}

static void fcloop_remoteport_delete(struct nvme_fc_remote_port *remoteport)
{
	struct fcloop_rport *rport;
	unsigned long flags;

	spin_lock_irqsave(&fcloop_lock, flags);
	rport = fcloop_rport_of(remoteport);
	if (rport && rport->state == FCLOOP_UNREGISTERED)
		list_del(&rport->entry);
	else
		rport = NULL;
	spin_unlock_irqrestore(&fcloop_lock, flags);
	if (!rport)
		return;
	pr_info("remote port WWNN 0x%016llx WWPN 0x%016llx deleted\n", rport->wwnn, rport->wwpn);
	fcloop_rport_put(rport);	/* the list's */
}

static int fcloop_host_ls_req(struct nvme_fc_local_port *localport,
			      struct nvme_fc_remote_port *remoteport,
			      struct nvmefc_ls_req *req)
{
	struct fcloop_rport *rport;
	unsigned long flags;

	spin_lock_irqsave(&fcloop_lock, flags);
	rport = fcloop_rport_for(localport, remoteport);
	if (rport)
		kref_get(&rport->ref);
	spin_unlock_irqrestore(&fcloop_lock, flags);
	if (!rport)
		return -ECONNREFUSED;
	return fcloop_ls_send(rport, NULL, req);
}

static void fcloop_host_ls_abort(struct nvme_fc_local_port *localport,
				 struct nvme_fc_remote_port *remoteport,
				 struct nvmefc_ls_req *req)
{
	fcloop_ls_abort(req);
}

static int fcloop_host_xmt_ls_rsp(struct nvme_fc_local_port *localport,
				  struct nvme_fc_remote_port *remoteport,
				  struct nvmefc_ls_rsp *lsrsp)
{
	return fcloop_ls_answer(lsrsp);
}

static int fcloop_fcp_io(struct nvme_fc_local_port *localport,
			 struct nvme_fc_remote_port *remoteport, void *hw_queue_handle,
			 struct nvmefc_fcp_req *ini)
{
	struct fcloop_fcp *fcp;
	unsigned long flags;

	/* Retried by the host's block layer. */
	fcp = fcloop_alloc(sizeof(*fcp), GFP_ATOMIC);
	if (!fcp)
		return -EBUSY;
	kref_init(&fcp->ref);		/* the host's */
	kref_get(&fcp->ref);		/* the target's */
	INIT_WORK(&fcp->rcv_work, fcloop_fcp_rcv_work);
	INIT_WORK(&fcp->abort_work, fcloop_fcp_abort_work);
	INIT_WORK(&fcp->done_work, fcloop_fcp_done_work);
	fcp->ini = ini;
	fcp->iulen = min_t(u32, ini->cmdlen, sizeof(fcp->iu));
	memcpy(fcp->iu, ini->cmdaddr, fcp->iulen);
	ini->transferred_length = 0;
	ini->rcv_rsplen = 0;
	/* Without a target port the exchange fails on its way (rcv_work). */
	if (ini->cmdlen <= sizeof(fcp->iu))
		fcp->link = fcloop_host_link(remoteport);
	spin_lock_irqsave(&fcloop_lock, flags);
	list_add_tail(&fcp->entry, &fcloop_fcps);
	spin_unlock_irqrestore(&fcloop_lock, flags);
	queue_work(fcloop_wq, &fcp->rcv_work);
	return 0;
}

/* The host aborts INI: it completes as aborted; the target, if it has it, is told. */
static void fcloop_fcp_abort(struct nvme_fc_local_port *localport,
			     struct nvme_fc_remote_port *remoteport, void *hw_queue_handle,
			     struct nvmefc_fcp_req *ini)
{
	struct fcloop_fcp *fcp, *found = NULL;
	bool end = false, tell = false;
	unsigned long flags;

	spin_lock_irqsave(&fcloop_lock, flags);
	list_for_each_entry(fcp, &fcloop_fcps, entry) {
		if (fcp->ini != ini)
			continue;
		if (!fcp->ini_aborted) {
			found = fcp;
			fcp->ini_aborted = true;
			end = fcloop_fcp_end_locked(fcp, -ECANCELED);
			tell = fcp->tstate == FCLOOP_TGT_OWNED;
			if (tell)
				kref_get(&fcp->ref);
		}
		break;
	}
	spin_unlock_irqrestore(&fcloop_lock, flags);
	if (end)
		queue_work(fcloop_wq, &found->done_work);
	if (tell)
		queue_work(fcloop_wq, &found->abort_work);
}

static struct nvme_fc_port_template fcloop_host_template = {
	.localport_delete	= fcloop_localport_delete,
	.remoteport_delete	= fcloop_remoteport_delete,
	.ls_req			= fcloop_host_ls_req,
	.fcp_io			= fcloop_fcp_io,
	.ls_abort		= fcloop_host_ls_abort,
	.fcp_abort		= fcloop_fcp_abort,
	.xmt_ls_rsp		= fcloop_host_xmt_ls_rsp,
	.max_hw_queues		= FCLOOP_HW_QUEUES,
	.max_sgl_segments	= FCLOOP_SGL_SEGS,
	.max_dif_sgl_segments	= FCLOOP_SGL_SEGS,
	.dma_boundary		= FCLOOP_DMA_BOUNDARY,
};

/* --- the target's template ---------------------------------------------------- */

static void fcloop_targetport_delete(struct nvmet_fc_target_port *targetport)
{
	struct fcloop_link *link, *next;
	struct fcloop_tport *tport;
	unsigned long flags;
	LIST_HEAD(unheld);

	spin_lock_irqsave(&fcloop_lock, flags);
	tport = fcloop_tport_of(targetport);
	if (tport) {
		list_del(&tport->entry);
		/* nvmet-fc is done with every hosthandle of the port. */
		list_for_each_entry(link, &fcloop_links, entry) {
			if (link->tport == tport && link->held) {
				link->held = false;
				list_add_tail(&link->unheld_entry, &unheld);
			}
		}
	}
	spin_unlock_irqrestore(&fcloop_lock, flags);
	if (!tport)
		return;
	list_for_each_entry_safe(link, next, &unheld, unheld_entry)
		fcloop_link_put(link);
	pr_info("target port WWNN 0x%016llx WWPN 0x%016llx deleted\n", tport->wwnn, tport->wwpn);
	fcloop_tport_put(tport);	/* the list's */
}

static int fcloop_tgt_xmt_ls_rsp(struct nvmet_fc_target_port *targetport,
				 struct nvmefc_ls_rsp *lsrsp)
{
	return fcloop_ls_answer(lsrsp);
}

static int fcloop_fcp_op(struct nvmet_fc_target_port *targetport,
			 struct nvmefc_tgt_fcp_req *tgt)
{
	struct fcloop_fcp *fcp = container_of(tgt, struct fcloop_fcp, tgt);
	bool data = tgt->op != NVMET_FCOP_RSP;
	struct nvmefc_fcp_req *ini;
	bool end = false;
	unsigned long flags;
	u32 moved = 0;
	int err = 0;

	if (tgt->op < NVMET_FCOP_READDATA || tgt->op > NVMET_FCOP_RSP)
		return -EINVAL;
	spin_lock_irqsave(&fcloop_lock, flags);
	ini = fcloop_fcp_host(fcp);
	if (fcp->tgt_aborted || fcp->tstate != FCLOOP_TGT_OWNED || !ini)
		err = -ECANCELED;	/* the host (or the target itself) aborted it */
	else if (data)
		fcp->busy = true;
	spin_unlock_irqrestore(&fcloop_lock, flags);

	if (!err && data)
		err = fcloop_fcp_move(ini, tgt, &moved);

	spin_lock_irqsave(&fcloop_lock, flags);
	if (fcp->busy) {
		fcp->busy = false;
		ini->transferred_length += moved;
	}
	if (!err && (tgt->op == NVMET_FCOP_RSP || tgt->op == NVMET_FCOP_READDATA_RSP)) {
		ini = fcloop_fcp_host(fcp);
		if (ini) {
			u32 len = min_t(u32, ini->rsplen, tgt->rsplen);

			memcpy(ini->rspaddr, tgt->rspaddr, len);
			ini->rcv_rsplen = len;
			if (len < tgt->rsplen)
				err = -E2BIG;
			end = fcloop_fcp_end_locked(fcp, 0);
		} else {
			err = -ECANCELED;
		}
	}
	if (fcp->done_pending) {
		fcp->done_pending = false;
		fcp->done_queued = true;
		end = true;
	}
	spin_unlock_irqrestore(&fcloop_lock, flags);
	if (end)
		queue_work(fcloop_wq, &fcp->done_work);

	tgt->transferred_length = moved;
	tgt->fcp_error = err;
	tgt->done(tgt);
	return 0;
}

/* The target aborts the exchange: the host's request fails, as after an ABTS. */
static void fcloop_tgt_fcp_abort(struct nvmet_fc_target_port *targetport,
				 struct nvmefc_tgt_fcp_req *tgt)
{
	struct fcloop_fcp *fcp = container_of(tgt, struct fcloop_fcp, tgt);
	unsigned long flags;
	bool end;

	spin_lock_irqsave(&fcloop_lock, flags);
	fcp->tgt_aborted = true;
	end = fcloop_fcp_end_locked(fcp, -ECANCELED);
	spin_unlock_irqrestore(&fcloop_lock, flags);
	if (end)
		queue_work(fcloop_wq, &fcp->done_work);
}

static void fcloop_fcp_req_release(struct nvmet_fc_target_port *targetport,
				   struct nvmefc_tgt_fcp_req *tgt)
{
	struct fcloop_fcp *fcp = container_of(tgt, struct fcloop_fcp, tgt);
	unsigned long flags;
	bool end;

	spin_lock_irqsave(&fcloop_lock, flags);
	fcp->tstate = FCLOOP_TGT_DONE;
	/* Without a response the host's request failed. */
	end = fcloop_fcp_end_locked(fcp, -ECANCELED);
	spin_unlock_irqrestore(&fcloop_lock, flags);
	if (end)
		queue_work(fcloop_wq, &fcp->done_work);
	fcloop_fcp_put(fcp);	/* the target's */
}

/* The target starts a command it deferred: its CMD IU is a copy, nothing to give back. */
static void fcloop_defer_rcv(struct nvmet_fc_target_port *targetport,
			     struct nvmefc_tgt_fcp_req *tgt)
{
}

/* A discovery log change: the host's remote port is rescanned, as on an RSCN. */
static void fcloop_rscn_work(struct work_struct *w)
{
	struct fcloop_tport *tport = container_of(w, struct fcloop_tport, rscn_work);
	struct nvme_fc_remote_port *remoteport = NULL;
	struct fcloop_link *link;
	unsigned long flags;
	int idx;

	spin_lock_irqsave(&fcloop_lock, flags);
	link = tport->link;
	if (link)
		kref_get(&link->ref);
	spin_unlock_irqrestore(&fcloop_lock, flags);
	if (link) {
		idx = srcu_read_lock(&fcloop_srcu);
		remoteport = fcloop_gate_host(link);
		if (remoteport)
			nvme_fc_rescan_remoteport(remoteport);
		srcu_read_unlock(&fcloop_srcu, idx);
		fcloop_link_put(link);
	}
	fcloop_tport_put(tport);	/* this work's */
}

static void fcloop_discovery_event(struct nvmet_fc_target_port *targetport)
{
	struct fcloop_tport *tport;
	unsigned long flags;

	spin_lock_irqsave(&fcloop_lock, flags);
	tport = fcloop_tport_of(targetport);
	if (tport && tport->state == FCLOOP_REGISTERED)
		kref_get(&tport->ref);
	else
		tport = NULL;
	spin_unlock_irqrestore(&fcloop_lock, flags);
	if (tport && !queue_work(fcloop_wq, &tport->rscn_work))
		fcloop_tport_put(tport);	/* one is pending already */
}

static int fcloop_tgt_ls_req(struct nvmet_fc_target_port *targetport, void *hosthandle,
			     struct nvmefc_ls_req *req)
{
	struct fcloop_link *link;
	unsigned long flags;

	spin_lock_irqsave(&fcloop_lock, flags);
	link = fcloop_link_of(hosthandle);
	if (link && link->host_alive && link->tport->targetport == targetport)
		kref_get(&link->ref);
	else
		link = NULL;
	spin_unlock_irqrestore(&fcloop_lock, flags);
	if (!link)
		return -ECONNREFUSED;
	return fcloop_ls_send(NULL, link, req);
}

static void fcloop_tgt_ls_abort(struct nvmet_fc_target_port *targetport, void *hosthandle,
				struct nvmefc_ls_req *req)
{
	fcloop_ls_abort(req);
}

/* nvmet-fc no longer refers to the host (a link) we invalidated. */
static void fcloop_host_release(void *hosthandle)
{
	struct fcloop_link *link;
	unsigned long flags;

	spin_lock_irqsave(&fcloop_lock, flags);
	link = fcloop_link_of(hosthandle);
	if (link && link->held)
		link->held = false;
	else
		link = NULL;
	spin_unlock_irqrestore(&fcloop_lock, flags);
	if (link)
		fcloop_link_put(link);
}

static int fcloop_host_traddr(void *hosthandle, u64 *wwnn, u64 *wwpn)
{
	struct fcloop_link *link;
	unsigned long flags;
	int ret = -ENODEV;

	spin_lock_irqsave(&fcloop_lock, flags);
	link = fcloop_link_of(hosthandle);
	if (link) {
		*wwnn = link->host_wwnn;
		*wwpn = link->host_wwpn;
		ret = 0;
	}
	spin_unlock_irqrestore(&fcloop_lock, flags);
	return ret;
}

static struct nvmet_fc_target_template fcloop_target_template = {
	.targetport_delete	= fcloop_targetport_delete,
	.xmt_ls_rsp		= fcloop_tgt_xmt_ls_rsp,
	.fcp_op			= fcloop_fcp_op,
	.fcp_abort		= fcloop_tgt_fcp_abort,
	.fcp_req_release	= fcloop_fcp_req_release,
	.defer_rcv		= fcloop_defer_rcv,
	.discovery_event	= fcloop_discovery_event,
	.ls_req			= fcloop_tgt_ls_req,
	.ls_abort		= fcloop_tgt_ls_abort,
	.host_release		= fcloop_host_release,
	.host_traddr		= fcloop_host_traddr,
	.max_hw_queues		= FCLOOP_HW_QUEUES,
	.max_sgl_segments	= FCLOOP_SGL_SEGS,
	.max_dif_sgl_segments	= FCLOOP_SGL_SEGS,
	.dma_boundary		= FCLOOP_DMA_BOUNDARY,
};

/* --- ports: links, adding and deleting (fcloop_mutex held) ------------------- */

/* Joins RPORT and TPORT (both REGISTERED, of the same names) with LINK; fcloop_lock held. */
static void fcloop_link_init(struct fcloop_link *link, struct fcloop_rport *rport,
			     struct fcloop_tport *tport)
{
	kref_init(&link->ref);		/* rport->link and tport->link */
	kref_get(&link->ref);		/* held */
	kref_get(&rport->ref);
	kref_get(&tport->ref);
	link->rport = rport;
	link->tport = tport;
	link->host_wwnn = rport->lport->wwnn;
	link->host_wwpn = rport->lport->wwpn;
	link->open = true;
	link->host_alive = true;
	link->held = true;
	list_add_tail(&link->entry, &fcloop_links);
	rport->link = link;
	tport->link = link;
}

/* Takes the current link away from RPORT and its target port; fcloop_lock held. */
static struct fcloop_link *fcloop_unlink_locked(struct fcloop_link *link)
{
	if (!link)
		return NULL;
	link->open = false;
	if (link->rport->link == link)
		link->rport->link = NULL;
	if (link->tport->link == link)
		link->tport->link = NULL;
	return link;
}

/*
 * Deletes a remote port (REGISTERED, with a reference held by the caller):
 * nothing new reaches the host or the target through it, the target
 * forgets the host behind it (its associations go), and nvme-fc lets its
 * controllers reconnect once a remote port of these names is back.
 */
static int fcloop_del_rport(struct fcloop_rport *rport)
{
	struct fcloop_link *link, *next, *cur;
	unsigned long flags;
	LIST_HEAD(forget);
	int ret;

	spin_lock_irqsave(&fcloop_lock, flags);
	rport->state = FCLOOP_UNREGISTERED;
	cur = fcloop_unlink_locked(rport->link);
	list_for_each_entry(link, &fcloop_links, entry) {
		if (link->rport != rport)
			continue;
		/*
		 * Once per link: a link an earlier deletion of this remote port
		 * already invalidated (host_alive clear) may still be held until
		 * host_release(); invalidating it again would release it twice.
		 */
		if (link->host_alive && link->held &&
		    link->tport->state == FCLOOP_REGISTERED) {
			kref_get(&link->ref);
			list_add_tail(&link->forget_entry, &forget);
		}
		link->open = false;
		link->host_alive = false;
	}
	spin_unlock_irqrestore(&fcloop_lock, flags);
	if (cur)
		fcloop_link_put(cur);
	synchronize_srcu(&fcloop_srcu);

	list_for_each_entry_safe(link, next, &forget, forget_entry) {
		struct nvmet_fc_target_port *targetport;
		int idx = srcu_read_lock(&fcloop_srcu);

		targetport = fcloop_gate_target(link, false);
		/* host_release() follows once its associations are gone. */
		if (targetport)
			nvmet_fc_invalidate_host(targetport, link);
		srcu_read_unlock(&fcloop_srcu, idx);
		fcloop_link_put(link);
	}

	ret = nvme_fc_unregister_remoteport(rport->remoteport);
	if (ret) {
		/* No remoteport_delete() will come: the port is forgotten here. */
		pr_warn("remote port WWNN 0x%016llx WWPN 0x%016llx: nvme-fc refused to unregister it: %d\n",
			rport->wwnn, rport->wwpn, ret);
		fcloop_remoteport_delete(rport->remoteport);
	}
	return ret;
}

/* Deletes a target port (REGISTERED, with a reference held by the caller). */
static int fcloop_del_tport(struct fcloop_tport *tport)
{
	struct fcloop_link *cur;
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&fcloop_lock, flags);
	tport->state = FCLOOP_UNREGISTERED;
	cur = fcloop_unlink_locked(tport->link);
	spin_unlock_irqrestore(&fcloop_lock, flags);
	if (cur)
		fcloop_link_put(cur);
	synchronize_srcu(&fcloop_srcu);
	/*
	 * nvmet-fc ends the port's associations (their exchanges complete here
	 * or fail), may still tell the host with Disconnect Association, and
	 * calls targetport_delete() when it is done.
	 */
	ret = nvmet_fc_unregister_targetport(tport->targetport);
	if (ret) {
		pr_warn("target port WWNN 0x%016llx WWPN 0x%016llx: nvmet-fc refused to unregister it: %d\n",
			tport->wwnn, tport->wwpn, ret);
		fcloop_targetport_delete(tport->targetport);
	}
	return ret;
}

/* Deletes a local port and, first, every remote port on it. */
static int fcloop_del_lport(struct fcloop_lport *lport)
{
	struct fcloop_rport *rport;
	unsigned long flags;
	int ret;

	for (;;) {
		spin_lock_irqsave(&fcloop_lock, flags);
		list_for_each_entry(rport, &fcloop_rports, entry)
			if (rport->lport == lport && rport->state == FCLOOP_REGISTERED)
				goto found;
		rport = NULL;
found:
		if (rport)
			kref_get(&rport->ref);
		spin_unlock_irqrestore(&fcloop_lock, flags);
		if (!rport)
			break;
		fcloop_del_rport(rport);
		fcloop_rport_put(rport);
	}

	spin_lock_irqsave(&fcloop_lock, flags);
	lport->state = FCLOOP_UNREGISTERED;
	spin_unlock_irqrestore(&fcloop_lock, flags);
	ret = nvme_fc_unregister_localport(lport->localport);
	if (ret) {
		pr_warn("local port WWNN 0x%016llx WWPN 0x%016llx: nvme-fc refused to unregister it: %d\n",
			lport->wwnn, lport->wwpn, ret);
		fcloop_localport_delete(lport->localport);
	}
	return ret;
}

/* --- the ctl attributes ---------------------------------------------------------- */

enum {
	FCLOOP_OPT_ERR		= 0,
	FCLOOP_OPT_WWNN		= 1 << 0,
	FCLOOP_OPT_WWPN		= 1 << 1,
	FCLOOP_OPT_ROLES	= 1 << 2,
	FCLOOP_OPT_FCADDR	= 1 << 3,
	FCLOOP_OPT_LPWWNN	= 1 << 4,
	FCLOOP_OPT_LPWWPN	= 1 << 5,
};

#define FCLOOP_OPT_NAMES	(FCLOOP_OPT_WWNN | FCLOOP_OPT_WWPN)
#define FCLOOP_OPT_ALL		(FCLOOP_OPT_NAMES | FCLOOP_OPT_ROLES | FCLOOP_OPT_FCADDR | \
				 FCLOOP_OPT_LPWWNN | FCLOOP_OPT_LPWWPN)

static const match_table_t fcloop_opt_tokens = {
	{ FCLOOP_OPT_WWNN,	"wwnn=%s"	},
	{ FCLOOP_OPT_WWPN,	"wwpn=%s"	},
	{ FCLOOP_OPT_ROLES,	"roles=%d"	},
	{ FCLOOP_OPT_FCADDR,	"fcaddr=%x"	},
	{ FCLOOP_OPT_LPWWNN,	"lpwwnn=%s"	},
	{ FCLOOP_OPT_LPWWPN,	"lpwwpn=%s"	},
	{ FCLOOP_OPT_ERR,	NULL		},
};

struct fcloop_opts {
	unsigned int	mask;		/* the options given */
	u64		wwnn;
	u64		wwpn;
	u64		lpwwnn;
	u64		lpwwpn;
	u32		roles;
	u32		fcaddr;
};

/* An FC name: "0x" and 16 hex digits. */
static int fcloop_parse_name(substring_t *arg, u64 *name)
{
	if (arg->to - arg->from != FCLOOP_NAME_LEN || strncmp(arg->from, "0x", 2))
		return -EINVAL;
	return match_u64(arg, name) ? -EINVAL : 0;
}

/*
 * Parses "opt=value,..." (commas or newlines between options) into OPTS,
 * taking only the options in ALLOWED; -EINVAL for anything else.
 */
static int fcloop_parse(const char *buf, size_t count, unsigned int allowed,
			struct fcloop_opts *opts)
{
	substring_t args[MAX_OPT_ARGS];
	char *options, *o, *p;
	int ret = 0, val;

	memset(opts, 0, sizeof(*opts));
	options = kstrndup(buf, count, GFP_KERNEL);
	if (!options)
		return -ENOMEM;
	o = options;
	while ((p = strsep(&o, ",\n"))) {
		int token;

		if (!*p)
			continue;
		token = match_token(p, fcloop_opt_tokens, args);
		if (!(token & allowed)) {
			pr_warn("unknown parameter or missing value '%s'\n", p);
			ret = -EINVAL;
			break;
		}
		switch (token) {
		case FCLOOP_OPT_WWNN:
			ret = fcloop_parse_name(args, &opts->wwnn);
			break;
		case FCLOOP_OPT_WWPN:
			ret = fcloop_parse_name(args, &opts->wwpn);
			break;
		case FCLOOP_OPT_LPWWNN:
			ret = fcloop_parse_name(args, &opts->lpwwnn);
			break;
		case FCLOOP_OPT_LPWWPN:
			ret = fcloop_parse_name(args, &opts->lpwwpn);
			break;
		case FCLOOP_OPT_ROLES:
			if (match_int(args, &val))
				ret = -EINVAL;
			else
				opts->roles = val;
			break;
		case FCLOOP_OPT_FCADDR:
			if (match_hex(args, &val))
				ret = -EINVAL;
			else
				opts->fcaddr = val;
			break;
		}
		if (ret)
			break;
		opts->mask |= token;
	}
	kfree(options);
	return ret;
}

/* The names of a port to delete: wwnn and wwpn, both, nothing else. */
static int fcloop_parse_names(const char *buf, size_t count, struct fcloop_opts *opts)
{
	int ret = fcloop_parse(buf, count, FCLOOP_OPT_NAMES, opts);

	if (ret)
		return ret;
	/* All ones is no name (in-tree uses it as "not given"). */
	if ((opts->mask & FCLOOP_OPT_NAMES) != FCLOOP_OPT_NAMES ||
	    opts->wwnn == U64_MAX || opts->wwpn == U64_MAX)
		return -EINVAL;
	return 0;
}

static ssize_t add_local_port_store(struct device *dev, struct device_attribute *attr,
				    const char *buf, size_t count)
{
	struct nvme_fc_port_info pinfo = {};
	struct nvme_fc_local_port *localport;
	struct fcloop_lport *lport, *old;
	struct fcloop_opts opts;
	unsigned long flags;
	int ret;

	ret = fcloop_parse(buf, count, FCLOOP_OPT_ALL, &opts);
	if (ret)
		return ret;
	if ((opts.mask & FCLOOP_OPT_NAMES) != FCLOOP_OPT_NAMES)
		return -EINVAL;
	lport = fcloop_alloc(sizeof(*lport), GFP_KERNEL);
	if (!lport)
		return -ENOMEM;
	kref_init(&lport->ref);
	lport->wwnn = opts.wwnn;
	lport->wwpn = opts.wwpn;

	mutex_lock(&fcloop_mutex);
	spin_lock_irqsave(&fcloop_lock, flags);
	old = fcloop_find_lport(opts.wwnn, opts.wwpn, false);
	spin_unlock_irqrestore(&fcloop_lock, flags);
	if (old) {
		ret = -EEXIST;	/* nvme-fc's answer for a port it has online */
		goto out;
	}
	pinfo.node_name = opts.wwnn;
	pinfo.port_name = opts.wwpn;
	pinfo.port_role = opts.roles;
	pinfo.port_id = opts.fcaddr;
	ret = nvme_fc_register_localport(&pinfo, &fcloop_host_template, NULL, &localport);
	if (ret)
		goto out;
	spin_lock_irqsave(&fcloop_lock, flags);
	old = fcloop_lport_of(localport);
	if (old) {
		/* nvme-fc gave back the one being deleted: it lives on. */
		old->state = FCLOOP_REGISTERED;
	} else {
		lport->localport = localport;
		lport->state = FCLOOP_REGISTERED;
		list_add_tail(&lport->entry, &fcloop_lports);
		lport = NULL;
	}
	spin_unlock_irqrestore(&fcloop_lock, flags);
	pr_info("local port WWNN 0x%016llx WWPN 0x%016llx added%s\n", opts.wwnn, opts.wwpn,
		old ? " (resumed)" : "");
out:
	mutex_unlock(&fcloop_mutex);
	if (lport)
		fcloop_lport_put(lport);
	return ret ? ret : count;
}

static ssize_t del_local_port_store(struct device *dev, struct device_attribute *attr,
				    const char *buf, size_t count)
{
	struct fcloop_lport *lport;
	struct fcloop_opts opts;
	unsigned long flags;
	int ret;

	ret = fcloop_parse_names(buf, count, &opts);
	if (ret)
		return ret;
	mutex_lock(&fcloop_mutex);
	spin_lock_irqsave(&fcloop_lock, flags);
	lport = fcloop_find_lport(opts.wwnn, opts.wwpn, false);
	if (lport)
		kref_get(&lport->ref);
	spin_unlock_irqrestore(&fcloop_lock, flags);
	if (lport) {
		ret = fcloop_del_lport(lport);
		fcloop_lport_put(lport);
	} else {
		ret = -ENOENT;
	}
	mutex_unlock(&fcloop_mutex);
	return ret ? ret : count;
}

/* Roles and FC address a port was given, or those of its other half. */
static void fcloop_inherit(struct fcloop_opts *opts, u32 roles, u32 fcaddr)
{
	if (!(opts->mask & FCLOOP_OPT_ROLES))
		opts->roles = roles;
	if (!(opts->mask & FCLOOP_OPT_FCADDR))
		opts->fcaddr = fcaddr;
}

static ssize_t add_remote_port_store(struct device *dev, struct device_attribute *attr,
				     const char *buf, size_t count)
{
	const unsigned int need = FCLOOP_OPT_NAMES | FCLOOP_OPT_LPWWNN | FCLOOP_OPT_LPWWPN;
	struct nvme_fc_remote_port *remoteport;
	struct nvme_fc_port_info pinfo = {};
	struct fcloop_rport *rport, *old;
	struct fcloop_lport *lport;
	struct fcloop_tport *tport;
	struct fcloop_link *link;
	struct fcloop_opts opts;
	unsigned long flags;
	int ret;

	/* As in-tree: a malformed or incomplete option string is -EIO here. */
	if (fcloop_parse(buf, count, FCLOOP_OPT_ALL, &opts) || (opts.mask & need) != need)
		return -EIO;
	rport = fcloop_alloc(sizeof(*rport), GFP_KERNEL);
	link = fcloop_alloc(sizeof(*link), GFP_KERNEL);
	if (!rport || !link) {
		ret = -EIO;
		goto free;
	}
	kref_init(&rport->ref);
	rport->wwnn = opts.wwnn;
	rport->wwpn = opts.wwpn;

	mutex_lock(&fcloop_mutex);
	spin_lock_irqsave(&fcloop_lock, flags);
	lport = fcloop_find_lport(opts.lpwwnn, opts.lpwwpn, false);
	if (fcloop_find_lport(opts.wwnn, opts.wwpn, true) || !lport ||
	    fcloop_find_rport(opts.wwnn, opts.wwpn)) {
		spin_unlock_irqrestore(&fcloop_lock, flags);
		mutex_unlock(&fcloop_mutex);
		ret = -EIO;
		goto free;
	}
	tport = fcloop_find_tport(opts.wwnn, opts.wwpn);
	if (tport)
		fcloop_inherit(&opts, tport->roles, tport->fcaddr);
	kref_get(&lport->ref);
	rport->lport = lport;
	rport->roles = opts.roles;
	rport->fcaddr = opts.fcaddr;
	/* Listed while nvme-fc registers it, without a remoteport (fcloop_rport_for()). */
	rport->state = FCLOOP_UNREGISTERED;
	list_add_tail(&rport->entry, &fcloop_rports);
	spin_unlock_irqrestore(&fcloop_lock, flags);

	pinfo.node_name = opts.wwnn;
	pinfo.port_name = opts.wwpn;
	pinfo.port_role = opts.roles;
	pinfo.port_id = opts.fcaddr;
	/* The local port is REGISTERED: only ctl writes (fcloop_mutex) delete ports. */
	ret = nvme_fc_register_remoteport(lport->localport, &pinfo, &remoteport);
	spin_lock_irqsave(&fcloop_lock, flags);
	old = ret ? NULL : fcloop_rport_of(remoteport);
	if (ret || old)
		list_del(&rport->entry);
	if (ret) {
		spin_unlock_irqrestore(&fcloop_lock, flags);
		mutex_unlock(&fcloop_mutex);
		goto free;
	}
	if (old) {
		/* nvme-fc resumed the one being deleted (its controllers reconnect). */
		old->state = FCLOOP_REGISTERED;
		old->roles = opts.roles;
		old->fcaddr = opts.fcaddr;
	} else {
		rport->remoteport = remoteport;
		rport->state = FCLOOP_REGISTERED;
	}
	tport = fcloop_find_tport(opts.wwnn, opts.wwpn);
	if (tport) {
		tport->roles = opts.roles;
		tport->fcaddr = opts.fcaddr;
		fcloop_link_init(link, old ? old : rport, tport);
		link = NULL;
	}
	if (!old)
		rport = NULL;
	spin_unlock_irqrestore(&fcloop_lock, flags);
	mutex_unlock(&fcloop_mutex);
	pr_info("remote port WWNN 0x%016llx WWPN 0x%016llx added on local port WWPN 0x%016llx%s%s\n",
		opts.wwnn, opts.wwpn, opts.lpwwpn, old ? " (resumed)" : "",
		tport ? ", joined to its target port" : "");
	ret = 0;
free:
	if (rport) {
		if (rport->lport)
			fcloop_rport_put(rport);
		else
			fcloop_free(rport);
	}
	if (link)
		fcloop_free(link);
	return ret ? ret : count;
}

static ssize_t del_remote_port_store(struct device *dev, struct device_attribute *attr,
				     const char *buf, size_t count)
{
	struct fcloop_rport *rport;
	struct fcloop_opts opts;
	unsigned long flags;
	int ret;

	ret = fcloop_parse_names(buf, count, &opts);
	if (ret)
		return ret;
	mutex_lock(&fcloop_mutex);
	spin_lock_irqsave(&fcloop_lock, flags);
	rport = fcloop_find_rport(opts.wwnn, opts.wwpn);
	if (rport)
		kref_get(&rport->ref);
	spin_unlock_irqrestore(&fcloop_lock, flags);
	if (rport) {
		ret = fcloop_del_rport(rport);
		fcloop_rport_put(rport);
	} else {
		ret = -ENOENT;
	}
	mutex_unlock(&fcloop_mutex);
	return ret ? ret : count;
}

static ssize_t add_target_port_store(struct device *dev, struct device_attribute *attr,
				     const char *buf, size_t count)
{
	struct nvmet_fc_port_info tinfo = {};
	struct nvmet_fc_target_port *targetport;
	struct fcloop_tport *tport;
	struct fcloop_rport *rport;
	struct fcloop_link *link;
	struct fcloop_opts opts;
	unsigned long flags;
	int ret;

	if (fcloop_parse(buf, count, FCLOOP_OPT_ALL, &opts) ||
	    (opts.mask & FCLOOP_OPT_NAMES) != FCLOOP_OPT_NAMES)
		return -EIO;
	tport = fcloop_alloc(sizeof(*tport), GFP_KERNEL);
	link = fcloop_alloc(sizeof(*link), GFP_KERNEL);
	if (!tport || !link) {
		ret = -EIO;
		goto free;
	}
	kref_init(&tport->ref);
	INIT_WORK(&tport->rscn_work, fcloop_rscn_work);
	tport->wwnn = opts.wwnn;
	tport->wwpn = opts.wwpn;

	mutex_lock(&fcloop_mutex);
	spin_lock_irqsave(&fcloop_lock, flags);
	if (fcloop_find_lport(opts.wwnn, opts.wwpn, true) ||
	    fcloop_find_tport(opts.wwnn, opts.wwpn)) {
		spin_unlock_irqrestore(&fcloop_lock, flags);
		mutex_unlock(&fcloop_mutex);
		ret = -EIO;
		goto free;
	}
	rport = fcloop_find_rport(opts.wwnn, opts.wwpn);
	if (rport)
		fcloop_inherit(&opts, rport->roles, rport->fcaddr);
	spin_unlock_irqrestore(&fcloop_lock, flags);

	tinfo.node_name = opts.wwnn;
	tinfo.port_name = opts.wwpn;
	tinfo.port_id = opts.fcaddr;
	ret = nvmet_fc_register_targetport(&tinfo, &fcloop_target_template, NULL, &targetport);
	if (ret) {
		mutex_unlock(&fcloop_mutex);
		goto free;
	}
	spin_lock_irqsave(&fcloop_lock, flags);
	tport->targetport = targetport;
	tport->roles = opts.roles;
	tport->fcaddr = opts.fcaddr;
	tport->state = FCLOOP_REGISTERED;
	list_add_tail(&tport->entry, &fcloop_tports);
	rport = fcloop_find_rport(opts.wwnn, opts.wwpn);
	if (rport) {
		fcloop_link_init(link, rport, tport);
		link = NULL;
	}
	tport = NULL;
	spin_unlock_irqrestore(&fcloop_lock, flags);
	mutex_unlock(&fcloop_mutex);
	pr_info("target port WWNN 0x%016llx WWPN 0x%016llx added%s\n", opts.wwnn, opts.wwpn,
		rport ? ", joined to its remote port" : "");
	ret = 0;
free:
	if (tport)
		fcloop_free(tport);
	if (link)
		fcloop_free(link);
	return ret ? ret : count;
}

static ssize_t del_target_port_store(struct device *dev, struct device_attribute *attr,
				     const char *buf, size_t count)
{
	struct fcloop_tport *tport;
	struct fcloop_opts opts;
	unsigned long flags;
	int ret;

	ret = fcloop_parse_names(buf, count, &opts);
	if (ret)
		return ret;
	mutex_lock(&fcloop_mutex);
	spin_lock_irqsave(&fcloop_lock, flags);
	tport = fcloop_find_tport(opts.wwnn, opts.wwpn);
	if (tport)
		kref_get(&tport->ref);
	spin_unlock_irqrestore(&fcloop_lock, flags);
	if (tport) {
		ret = fcloop_del_tport(tport);
		fcloop_tport_put(tport);
	} else {
		ret = -ENOENT;
	}
	mutex_unlock(&fcloop_mutex);
	return ret ? ret : count;
}

/*
 * "OPCODE:FIRST:AMOUNT" (hex, decimal, decimal): drop AMOUNT FCP commands
 * with OPCODE from the FIRST one that matches on (an OPCODE above 0xff names
 * a fabrics command type in its low byte), as in-tree.
 */
static ssize_t set_cmd_drop_store(struct device *dev, struct device_attribute *attr,
				  const char *buf, size_t count)
{
	unsigned int opcode;
	int first, amount;
	unsigned long flags;

	if (sscanf(buf, "%x:%d:%d", &opcode, &first, &amount) != 3)
		return -EBADRQC;
	spin_lock_irqsave(&fcloop_lock, flags);
	fcloop_drop.fabrics = opcode > 0xff;
	fcloop_drop.opcode = opcode & 0xff;
	fcloop_drop.first = first;
	fcloop_drop.last = first + amount - 1;
	fcloop_drop.seen = 0;
	fcloop_drop.on = true;
	spin_unlock_irqrestore(&fcloop_lock, flags);
	pr_info("set_cmd_drop: dropping %d %s 0x%02x from match %d on\n", amount,
		opcode > 0xff ? "fabrics commands" : "commands", opcode & 0xff, first);
	return count;
}

static DEVICE_ATTR_WO(add_local_port);
static DEVICE_ATTR_WO(del_local_port);
static DEVICE_ATTR_WO(add_remote_port);
static DEVICE_ATTR_WO(del_remote_port);
static DEVICE_ATTR_WO(add_target_port);
static DEVICE_ATTR_WO(del_target_port);
static DEVICE_ATTR_WO(set_cmd_drop);

static struct attribute *fcloop_ctl_attrs[] = {
	&dev_attr_add_local_port.attr,
	&dev_attr_del_local_port.attr,
	&dev_attr_add_remote_port.attr,
	&dev_attr_del_remote_port.attr,
	&dev_attr_add_target_port.attr,
	&dev_attr_del_target_port.attr,
	&dev_attr_set_cmd_drop.attr,
	NULL,
};
ATTRIBUTE_GROUPS(fcloop_ctl);

static const struct class fcloop_class = {
	.name = "fcloop",
};

static struct device *fcloop_ctl;

/* --- module ---------------------------------------------------------------------- */

/* Deletes every port: target ports, then remote ports, then local ports. */
static void fcloop_del_all(void)
{
	unsigned long flags;

	mutex_lock(&fcloop_mutex);
	for (;;) {
		struct fcloop_tport *tport;

		spin_lock_irqsave(&fcloop_lock, flags);
		list_for_each_entry(tport, &fcloop_tports, entry)
			if (tport->state == FCLOOP_REGISTERED)
				goto tfound;
		tport = NULL;
tfound:
		if (tport)
			kref_get(&tport->ref);
		spin_unlock_irqrestore(&fcloop_lock, flags);
		if (!tport)
			break;
		fcloop_del_tport(tport);
		fcloop_tport_put(tport);
	}
	for (;;) {
		struct fcloop_lport *lport;

		spin_lock_irqsave(&fcloop_lock, flags);
		list_for_each_entry(lport, &fcloop_lports, entry)
			if (lport->state == FCLOOP_REGISTERED)
				goto lfound;
		lport = NULL;
lfound:
		if (lport)
			kref_get(&lport->ref);
		spin_unlock_irqrestore(&fcloop_lock, flags);
		if (!lport)
			break;
		/* Its remote ports first. */
		fcloop_del_lport(lport);
		fcloop_lport_put(lport);
	}
	mutex_unlock(&fcloop_mutex);
}

static int __init fcloop_init(void)
{
	int ret;

	if (readdata_rsp)
		fcloop_target_template.target_features |= NVMET_FCTGTFEAT_READDATA_RSP;
	ret = init_srcu_struct(&fcloop_srcu);
	if (ret)
		return ret;
	fcloop_wq = alloc_workqueue("nvme_fcloop", WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
	if (!fcloop_wq) {
		ret = -ENOMEM;
		goto out_srcu;
	}
	ret = class_register(&fcloop_class);
	if (ret) {
		pr_err("cannot register class fcloop: %d\n", ret);
		goto out_wq;
	}
	fcloop_ctl = device_create_with_groups(&fcloop_class, NULL, MKDEV(0, 0), NULL,
					       fcloop_ctl_groups, "ctl");
	if (IS_ERR(fcloop_ctl)) {
		ret = PTR_ERR(fcloop_ctl);
		pr_err("cannot create the ctl device: %d\n", ret);
		goto out_class;
	}
	return 0;

out_class:
	class_unregister(&fcloop_class);
out_wq:
	destroy_workqueue(fcloop_wq);
out_srcu:
	cleanup_srcu_struct(&fcloop_srcu);
	return ret;
}
module_init(fcloop_init);

static void __exit fcloop_exit(void)
{
	unsigned int waited = 0;

	/* No ctl write runs after this. */
	device_unregister(fcloop_ctl);
	class_unregister(&fcloop_class);
	fcloop_del_all();
	/* The transports' delete callbacks, then the last exchanges. */
	while (!wait_var_event_timeout(&fcloop_nobjs, !atomic_read(&fcloop_nobjs), 10 * HZ)) {
		waited += 10;
		pr_info("unloading: %u s, waiting for %d objects (ports the transports still hold, exchanges)\n",
			waited, atomic_read(&fcloop_nobjs));
	}
	destroy_workqueue(fcloop_wq);
	cleanup_srcu_struct(&fcloop_srcu);
}
module_exit(fcloop_exit);

MODULE_DESCRIPTION("NVMe over Fibre Channel loopback LLD (nvmet-oot)");
MODULE_LICENSE("GPL");
MODULE_VERSION(NVMET_OOT_VERSION);
