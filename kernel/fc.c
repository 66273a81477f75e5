// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-fc: NVMe over Fibre Channel, the controller (target) side.
 *
 * An FC host bus adapter driver (the LLD: lpfc, or nvme-fcloop for tests)
 * registers each of its target-mode FC ports here through the FC-NVMe LLD
 * API of <linux/nvme-fc-driver.h> and hands over what arrives on it: link
 * service requests (LS: Create Association, Create I/O Connection,
 * Disconnect Association) and FCP exchanges carrying a CMD IU. This file
 * turns them into associations (one controller each), connections (one per
 * queue) and commands for the nvmet core, and asks the LLD to move data
 * (READDATA, WRITEDATA) and to send the response (a 12-byte all-zeros RSP,
 * or an ERSP IU with the CQE). Wire formats: FC-NVMe-2; the byte-level
 * checks and builders are in wire/fc.c.
 *
 * Objects, from the LLD down:
 *   tport   an FC target port the LLD registered (nvmet_fc_target_port is
 *           the part the LLD sees). A configfs port with addr_trtype fc
 *           binds to the tport whose WWNN and WWPN its addr_traddr names.
 *   host    a remote FC port (the LLD's hosthandle) with associations here
 *   assoc   an association: the admin connection and the I/O connections
 *           of one controller
 *   queue   a connection: an nvmet SQ/CQ pair and its command slots
 *   cmd     a command slot, owned by one FCP exchange at a time
 *
 * Life cycle of a command: nvmet_fc_rcv_fcp_req() checks the CMD IU, finds
 * the queue by connection id and takes a free slot (or defers the exchange
 * when the host sent more than the queue holds, as the API allows), then
 * nvmet_req_init(); a write's data comes in with WRITEDATA before
 * req->execute(); the core's completion (queue_response) sends a read's data
 * with READDATA and then the response, or both at once (READDATA_RSP); the
 * LLD's done() for the response gives the slot back (fcp_req_release).
 *
 * Lock order: the core's ctrl->lock (delete_ctrl, ns_stalled), then
 * nvmet_fc_lock, then tport->lock, then queue->lock. None of ours is held
 * across a call into the nvmet core that may sleep.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

/*
 * The exported functions keep the in-tree prototypes, and genksyms derives
 * their CRCs (MODVERSIONS) from the types those reach: these headers come
 * first, as in the stand-in this file replaced; tests/vm/build-modules
 * compares the CRCs with the kernel's Module.symvers.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/blk-mq.h>
#include <linux/parser.h>
#include <linux/random.h>
#include <linux/dma-mapping.h>
#include <linux/types.h>
#include <linux/device.h>
#include <linux/kref.h>
#include <linux/percpu-refcount.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/uuid.h>
#include <linux/nvme.h>
#include <linux/configfs.h>
#include <linux/rcupdate.h>
#include <linux/blkdev.h>
#include <linux/radix-tree.h>
#include <linux/t10-pi.h>
#include <uapi/scsi/fc/fc_fs.h>
#include <linux/nvme-fc-driver.h>
#include <linux/nvme-fc.h>

#include <linux/idr.h>
#include <linux/wait_bit.h>
#include <linux/delay.h>

#include "nvmet.h"
#include "wire/fc.h"

/* LS requests a target port works on at once; more are refused (the LLD aborts them). */
#define NVMET_FC_LS_CTX		64
/* Data moved by one READDATA or WRITEDATA operation, at most. */
#define NVMET_FC_MAX_SEQ	(256 * 1024)
/* MDTS (log2 of 4 KiB pages): 1 MiB, within what the LLD's SGL reaches. */
#define NVMET_FC_MDTS		8
/* Seconds the LLD waits for the host's write data or the response's confirmation. */
#define NVMET_FC_OP_TIMEOUT	NVME_FC_TGTOP_TIMEOUT_SEC
/* Seconds an LS request we send (Disconnect Association) may take. */
#define NVMET_FC_LS_TIMEOUT	(3 * FC_DEF_R_A_TOV / 1000 + 1)

enum nvmet_fc_dir { NVMET_FC_NODATA, NVMET_FC_WRITE, NVMET_FC_READ };

struct nvmet_fc_tport;
struct nvmet_fc_queue;

struct nvmet_fc_cmd {
	struct nvmet_req		req;
	struct nvme_command		sqe;
	struct nvme_completion		cqe;
	u8				rsp[NVMET_WIRE_FC_ERSP_LEN];	/* RSP or ERSP IU */
	dma_addr_t			rsp_dma;

	struct nvmet_fc_queue		*queue;
	/* The exchange that owns the slot; NULL while the slot is free. */
	struct nvmefc_tgt_fcp_req	*fcpreq;
	/* From the CMD IU, checked once when the exchange arrived. */
	enum nvmet_fc_dir		dir;
	u32				data_len;
	u32				xfer_len;	/* data buffer bytes */
	u32				offset;		/* bytes moved so far */
	struct scatterlist		*next_sg;
	bool				mapped;		/* req.sg is DMA mapped */

	/*
	 * Under queue->lock. abort: stop at the next step and drop the
	 * exchange (teardown or the host's ABTS); aborted: the LLD knows
	 * (fcp_abort called, or the ABTS came from it), so it is not told
	 * again; write_active: a WRITEDATA is with the LLD.
	 */
	bool				active;
	bool				abort;
	bool				aborted;
	bool				write_active;

	struct work_struct		defer_work;	/* starts a deferred exchange */
	struct list_head		entry;		/* queue->free_cmds */
};

/* An exchange that arrived while every slot was taken (-EOVERFLOW to the LLD). */
struct nvmet_fc_deferred {
	struct nvmefc_tgt_fcp_req	*fcpreq;
	/* Checked; its sqe points into the LLD's buffer, kept until defer_rcv. */
	struct nvmet_wire_fc_cmd_iu	iu;
	struct list_head		entry;
};

struct nvmet_fc_queue {
	struct nvmet_sq			sq;
	struct nvmet_cq			cq;
	struct nvmet_fc_assoc		*assoc;
	u16				qid;
	u16				entries;	/* command slots: SQSIZE + 1 */
	u16				ersp_ratio;
	/* 1 from the LS that made it until deletion starts; lookups need it. */
	atomic_t			connected;
	/* Exchanges between the connected check and nvmet_req_init(). */
	atomic_t			entering;
	atomic_t			rsp_count;	/* responses sent (ERSP ratio) */
	atomic_t			rsn;		/* ERSP response sequence number */
	atomic_t			used;		/* busy slots (the 90% rule) */
	/*
	 * The assoc's, and one per exchange. The queue holds a reference on
	 * its assoc (and that one on the tport): an exchange the LLD still
	 * has (a response or read data not yet done) outlives the deletion.
	 */
	struct kref			ref;

	spinlock_t			lock;		/* free_cmds, deferred, cmd flags */
	struct list_head		free_cmds;
	struct list_head		deferred;	/* nvmet_fc_deferred, oldest first */
	struct list_head		spare_deferred;	/* preallocated, one per slot */
	struct nvmet_fc_deferred	*deferred_mem;
	struct nvmet_fc_cmd		cmds[] __counted_by(entries);
};

struct nvmet_fc_host {
	struct nvmet_fc_tport		*tport;
	void				*handle;	/* the LLD's hosthandle */
	struct kref			ref;		/* one per association */
	bool				invalid;	/* the LLD invalidated it (tport->lock) */
	struct list_head		entry;		/* tport->hosts */
};

struct nvmet_fc_assoc {
	u64				id;		/* low 16 bits zero: qid goes there */
	struct nvmet_fc_tport		*tport;
	struct nvmet_fc_host		*host;
	/* The nvmet port bound at Create Association, with a reference. */
	struct nvmet_port		*port;
	/* The tport's list holds one, each queue one; the last put releases the tport. */
	struct kref			ref;
	atomic_t			terminating;	/* deletion scheduled */
	struct work_struct		del_work;
	/*
	 * Under tport->lock: the queues by qid (set by the LS work, read under
	 * RCU by FCP lookups), the host's Disconnect Association that waits
	 * for the teardown to finish, and deleted once it has.
	 */
	struct nvmet_fc_queue		*queues[NVMET_NR_QUEUES + 1];
	struct nvmet_fc_ls		*disc_ls;
	bool				deleted;
	struct list_head		entry;		/* tport->assocs (RCU) */
	struct rcu_head			rcu;
};

/* A received LS request, its response and the work that handles it. */
struct nvmet_fc_ls {
	struct nvmet_fc_tport		*tport;
	struct nvmefc_ls_rsp		*lsrsp;
	void				*hosthandle;
	u32				len;
	u8				rqst[NVMET_WIRE_FC_LS_RQST_MAX];
	u8				rsp[NVMET_WIRE_FC_LS_RSP_MAX];
	dma_addr_t			rsp_dma;
	struct work_struct		work;
	struct list_head		entry;		/* tport->free_ls */
};

/*
 * An LS request we send (Disconnect Association), with its buffers. It holds
 * a reference on its tport and on its host (whose handle the LLD must not
 * see released while the request may still be aborted) until done(), or
 * until the tport is unregistered: an LLD need not complete an LS request
 * it cannot deliver (nvme-fcloop's ls_abort does nothing), and the tport
 * must still go. It is then orphaned: done(), if it ever comes, only frees
 * it.
 */
struct nvmet_fc_ls_out {
	struct nvmefc_ls_req		lsreq;
	struct nvmet_fc_tport		*tport;
	struct device			*dev;		/* its mapping's, with a reference */
	struct nvmet_fc_host		*host;		/* nvmet_fc_lock; NULL once orphaned */
	struct list_head		entry;		/* tport->ls_out while with the LLD */
	/*
	 * Under nvmet_fc_lock: unregistering asked the LLD to abort it
	 * (abort_sent), is inside that call (pinned: done() leaves the
	 * freeing to it), done() came (completed), the tport let it go (orphan).
	 */
	bool				abort_sent;
	bool				pinned;
	bool				completed;
	bool				orphan;
	u8				rqst[NVMET_WIRE_FC_LS_RSP_MAX];
	u8				rsp[NVMET_WIRE_FC_LS_RSP_MAX];
	/* the LLD's lsrqst_priv_sz bytes follow */
};

/* A configfs port bound (or to be bound again) to a target port by its WWNs. */
struct nvmet_fc_binding {
	struct nvmet_port		*port;
	u64				wwnn;
	u64				wwpn;
	struct nvmet_fc_tport		*tport;		/* nvmet_fc_lock; NULL: unregistered */
	struct list_head		entry;		/* nvmet_fc_bindings */
};

struct nvmet_fc_tport {
	struct nvmet_fc_target_port	fc;		/* what the LLD sees */
	struct nvmet_fc_target_template	*ops;
	struct device			*dev;		/* for DMA mapping; NULL: none (fcloop) */
	struct kref			ref;
	struct list_head		entry;		/* nvmet_fc_tports */
	struct nvmet_fc_binding		*binding;	/* under nvmet_fc_lock */
	bool				unregistering;	/* under tport->lock */

	/* assocs (written under it, read under RCU), hosts, free_ls */
	spinlock_t			lock;
	struct list_head		assocs;
	struct list_head		hosts;
	struct list_head		free_ls;
	struct list_head		ls_out;		/* under nvmet_fc_lock */
	struct nvmet_fc_ls		*ls;		/* NVMET_FC_LS_CTX of them */
	struct work_struct		free_work;	/* after the last reference */
	/* the LLD's target_priv_sz bytes follow */
};

/* Target ports and bindings; taken with interrupts off (LLDs call from any context). */
static DEFINE_SPINLOCK(nvmet_fc_lock);
static LIST_HEAD(nvmet_fc_tports);
static LIST_HEAD(nvmet_fc_bindings);
static DEFINE_IDA(nvmet_fc_port_nums);

static const struct nvmet_fabrics_ops nvmet_fc_ops;

static struct nvmet_fc_tport *to_tport(struct nvmet_fc_target_port *fc)
{
	return container_of(fc, struct nvmet_fc_tport, fc);
}

/* --- DMA: an LLD without a device (fcloop) moves kernel addresses --------- */

static dma_addr_t nvmet_fc_map_single(struct nvmet_fc_tport *tport, void *p, size_t len,
				      enum dma_data_direction dir)
{
	return tport->dev ? dma_map_single(tport->dev, p, len, dir) : 0;
}

static bool nvmet_fc_map_failed(struct nvmet_fc_tport *tport, dma_addr_t a)
{
	return tport->dev && dma_mapping_error(tport->dev, a);
}

static void nvmet_fc_unmap_single(struct nvmet_fc_tport *tport, dma_addr_t a, size_t len,
				  enum dma_data_direction dir)
{
	if (tport->dev)
		dma_unmap_single(tport->dev, a, len, dir);
}

static void nvmet_fc_sync_for_device(struct nvmet_fc_tport *tport, dma_addr_t a, size_t len,
				     enum dma_data_direction dir)
{
	if (tport->dev)
		dma_sync_single_for_device(tport->dev, a, len, dir);
}

static enum dma_data_direction nvmet_fc_data_dir(const struct nvmet_fc_cmd *cmd)
{
	/* A host's write comes from the device into memory. */
	return cmd->dir == NVMET_FC_WRITE ? DMA_FROM_DEVICE : DMA_TO_DEVICE;
}

static int nvmet_fc_map_data(struct nvmet_fc_tport *tport, struct nvmet_fc_cmd *cmd)
{
	struct scatterlist *sg;
	int i;

	if (tport->dev) {
		if (!dma_map_sg(tport->dev, cmd->req.sg, cmd->req.sg_cnt, nvmet_fc_data_dir(cmd)))
			return -EIO;
	} else {
		for_each_sg(cmd->req.sg, sg, cmd->req.sg_cnt, i) {
			sg->dma_address = 0;
			sg_dma_len(sg) = sg->length;
		}
	}
	cmd->mapped = true;
	return 0;
}

static void nvmet_fc_free_data(struct nvmet_fc_tport *tport, struct nvmet_fc_cmd *cmd)
{
	if (!cmd->req.sg)
		return;
	if (cmd->mapped && tport->dev)
		dma_unmap_sg(tport->dev, cmd->req.sg, cmd->req.sg_cnt, nvmet_fc_data_dir(cmd));
	cmd->mapped = false;
	nvmet_req_free_sgls(&cmd->req);
}

/* --- target ports: references ---------------------------------------------- */

static void nvmet_fc_tport_free_work(struct work_struct *w)
{
	struct nvmet_fc_tport *tport = container_of(w, struct nvmet_fc_tport, free_work);
	struct device *dev = tport->dev;
	int i;

	for (i = 0; i < NVMET_FC_LS_CTX; i++)
		nvmet_fc_unmap_single(tport, tport->ls[i].rsp_dma, sizeof(tport->ls[i].rsp),
				      DMA_TO_DEVICE);
	kvfree(tport->ls);
	pr_info("target port %u (WWNN 0x%016llx WWPN 0x%016llx) deleted\n",
		tport->fc.port_num, tport->fc.node_name, tport->fc.port_name);
	ida_free(&nvmet_fc_port_nums, tport->fc.port_num);
	/* The LLD may free its private area from here on: last touch. */
	tport->ops->targetport_delete(&tport->fc);
	kfree(tport);
	put_device(dev);
}

/*
 * The last reference can go in the LLD's completion of an exchange (its
 * queue holds the association, which holds the tport), in whatever context
 * the LLD completes in: the frees and the LLD's targetport_delete(), which
 * may sleep (nvme-fcloop's flushes work), run from nvmet_wq. Module exit
 * flushes it.
 */
static void nvmet_fc_tport_free(struct kref *ref)
{
	struct nvmet_fc_tport *tport = container_of(ref, struct nvmet_fc_tport, ref);

	queue_work(nvmet_wq, &tport->free_work);
}

static void nvmet_fc_tport_put(struct nvmet_fc_tport *tport)
{
	kref_put(&tport->ref, nvmet_fc_tport_free);
}

static bool nvmet_fc_tport_get(struct nvmet_fc_tport *tport)
{
	return kref_get_unless_zero(&tport->ref);
}

/* --- hosts ------------------------------------------------------------------ */

static void nvmet_fc_host_free(struct kref *ref)
{
	struct nvmet_fc_host *host = container_of(ref, struct nvmet_fc_host, ref);
	struct nvmet_fc_tport *tport = host->tport;
	unsigned long flags;
	bool release;

	spin_lock_irqsave(&tport->lock, flags);
	list_del(&host->entry);
	release = host->invalid;
	spin_unlock_irqrestore(&tport->lock, flags);
	/* The LLD invalidated it and waits to hear it is no longer referenced. */
	if (release && tport->ops->host_release)
		tport->ops->host_release(host->handle);
	kfree(host);
	nvmet_fc_tport_put(tport);
}

static void nvmet_fc_host_put(struct nvmet_fc_host *host)
{
	kref_put(&host->ref, nvmet_fc_host_free);
}

/* The host object of HANDLE, valid, with a reference; made if new. */
static struct nvmet_fc_host *nvmet_fc_host_get(struct nvmet_fc_tport *tport, void *handle)
{
	struct nvmet_fc_host *host, *new;
	unsigned long flags;

	new = kzalloc_obj(*new);
	if (!new)
		return NULL;
	spin_lock_irqsave(&tport->lock, flags);
	list_for_each_entry(host, &tport->hosts, entry) {
		if (host->handle == handle && !host->invalid && kref_get_unless_zero(&host->ref)) {
			spin_unlock_irqrestore(&tport->lock, flags);
			kfree(new);
			return host;
		}
	}
	new->tport = tport;
	new->handle = handle;
	kref_init(&new->ref);
	kref_get(&tport->ref);
	list_add_tail(&new->entry, &tport->hosts);
	spin_unlock_irqrestore(&tport->lock, flags);
	return new;
}

/* --- LS requests we send: Disconnect Association ---------------------------- */

static void nvmet_fc_ls_out_free(struct nvmet_fc_ls_out *out)
{
	put_device(out->dev);
	kfree(out);
}

static void nvmet_fc_ls_out_done(struct nvmefc_ls_req *lsreq, int status)
{
	struct nvmet_fc_ls_out *out = container_of(lsreq, struct nvmet_fc_ls_out, lsreq);
	struct nvmet_fc_host *host = NULL;
	struct nvmet_fc_tport *tport;
	unsigned long flags;
	bool pinned;

	if (out->dev)
		dma_unmap_single(out->dev, lsreq->rqstdma, sizeof(out->rqst) + sizeof(out->rsp),
				 DMA_BIDIRECTIONAL);
	/* The host's answer changes nothing: the association is gone either way. */
	if (!status && nvmet_wire_fc_check_disconn_assoc_rsp(out->rsp, lsreq->rsplen))
		status = -EPROTO;
	if (status)
		pr_debug("Disconnect Association to the host: %d\n", status);
	spin_lock_irqsave(&nvmet_fc_lock, flags);
	tport = out->orphan ? NULL : out->tport;
	pinned = out->pinned;
	if (tport)
		list_del(&out->entry);
	/* Pinned: unregistering is handing the host's handle to ls_abort(). */
	if (tport && !pinned) {
		host = out->host;
		out->host = NULL;
	}
	out->completed = true;
	spin_unlock_irqrestore(&nvmet_fc_lock, flags);
	if (!pinned)
		nvmet_fc_ls_out_free(out);
	if (host)
		nvmet_fc_host_put(host);
	if (tport)
		nvmet_fc_tport_put(tport);
}

/*
 * Tells the host the association is gone, if the LLD can send LS requests
 * and the host needs telling: not when it asked itself (its Disconnect
 * Association is answered instead), nor when the LLD invalidated it or is
 * taking the target port away (the host learns that from the LLD; an LS
 * sent into a port being torn down may never complete, and the Linux
 * host, finding its remote port offline by then, answers it with a
 * response missing its buffer, which fcloop dereferences).
 */
static void nvmet_fc_send_disconnect(struct nvmet_fc_assoc *assoc)
{
	struct nvmet_fc_tport *tport = assoc->tport;
	struct nvmet_fc_ls_out *out;
	unsigned long flags;
	bool skip;
	int ret;

	spin_lock_irqsave(&tport->lock, flags);
	skip = assoc->host->invalid || assoc->disc_ls || tport->unregistering;
	spin_unlock_irqrestore(&tport->lock, flags);
	if (!tport->ops->ls_req || skip)
		return;
	out = kzalloc(sizeof(*out) + tport->ops->lsrqst_priv_sz, GFP_KERNEL);
	if (!out)
		return;
	out->tport = tport;
	out->dev = get_device(tport->dev);
	out->lsreq.rqstaddr = out->rqst;
	out->lsreq.rqstlen = nvmet_wire_fc_build_disconn_assoc_rqst(out->rqst, assoc->id);
	out->lsreq.rspaddr = out->rsp;
	out->lsreq.rsplen = sizeof(out->rsp);
	out->lsreq.timeout = NVMET_FC_LS_TIMEOUT;
	out->lsreq.private = tport->ops->lsrqst_priv_sz ? (void *)&out[1] : NULL;
	out->lsreq.done = nvmet_fc_ls_out_done;
	/* Request and response buffers are adjacent: one mapping. */
	out->lsreq.rqstdma = nvmet_fc_map_single(tport, out->rqst,
						 sizeof(out->rqst) + sizeof(out->rsp),
						 DMA_BIDIRECTIONAL);
	if (nvmet_fc_map_failed(tport, out->lsreq.rqstdma)) {
		nvmet_fc_ls_out_free(out);
		return;
	}
	out->lsreq.rspdma = out->lsreq.rqstdma + sizeof(out->rqst);
	kref_get(&tport->ref);
	kref_get(&assoc->host->ref);
	out->host = assoc->host;
	spin_lock_irqsave(&nvmet_fc_lock, flags);
	list_add_tail(&out->entry, &tport->ls_out);
	spin_unlock_irqrestore(&nvmet_fc_lock, flags);
	ret = tport->ops->ls_req(&tport->fc, assoc->host->handle, &out->lsreq);
	if (ret)
		nvmet_fc_ls_out_done(&out->lsreq, ret);
}

/*
 * Asks the LLD to abort the LS requests it still has (of HOST only, unless
 * NULL), each once: when the host is invalidated or the tport unregistered.
 * Process context, no lock held.
 */
static void nvmet_fc_abort_ls_out(struct nvmet_fc_tport *tport, struct nvmet_fc_host *only)
{
	struct nvmet_fc_ls_out *out, *found;
	struct nvmet_fc_host *host;
	unsigned long flags;
	bool completed;

	for (;;) {
		spin_lock_irqsave(&nvmet_fc_lock, flags);
		found = NULL;
		list_for_each_entry(out, &tport->ls_out, entry) {
			if (!out->abort_sent && (!only || out->host == only)) {
				out->abort_sent = true;
				out->pinned = true;
				found = out;
				break;
			}
		}
		spin_unlock_irqrestore(&nvmet_fc_lock, flags);
		if (!found)
			break;
		/* Pinned, found->host keeps its reference (done() leaves it). */
		tport->ops->ls_abort(&tport->fc, found->host->handle, &found->lsreq);
		spin_lock_irqsave(&nvmet_fc_lock, flags);
		found->pinned = false;
		completed = found->completed;
		host = NULL;
		if (completed) {
			host = found->host;
			found->host = NULL;
		}
		spin_unlock_irqrestore(&nvmet_fc_lock, flags);
		if (completed) {
			nvmet_fc_ls_out_free(found);
			if (host)
				nvmet_fc_host_put(host);
		}
	}
}

/* --- queues ----------------------------------------------------------------- */

static void nvmet_fc_assoc_put(struct nvmet_fc_assoc *assoc);

static void nvmet_fc_queue_free(struct kref *ref)
{
	struct nvmet_fc_queue *queue = container_of(ref, struct nvmet_fc_queue, ref);
	struct nvmet_fc_assoc *assoc = queue->assoc;
	int i;

	for (i = 0; i < queue->entries; i++)
		nvmet_fc_unmap_single(assoc->tport, queue->cmds[i].rsp_dma,
				      sizeof(queue->cmds[i].rsp), DMA_TO_DEVICE);
	kfree(queue->deferred_mem);
	kvfree(queue);
	nvmet_fc_assoc_put(assoc);	/* the queue's */
}

static void nvmet_fc_queue_put(struct nvmet_fc_queue *queue)
{
	kref_put(&queue->ref, nvmet_fc_queue_free);
}

static void nvmet_fc_defer_work(struct work_struct *w);

static struct nvmet_fc_queue *nvmet_fc_alloc_queue(struct nvmet_fc_assoc *assoc, u16 qid,
						   u16 sqsize, u16 ersp_ratio)
{
	struct nvmet_fc_tport *tport = assoc->tport;
	u32 entries = (u32)sqsize + 1;
	struct nvmet_fc_queue *queue;
	int i;

	queue = kvzalloc(struct_size(queue, cmds, entries), GFP_KERNEL);
	if (!queue)
		return NULL;
	queue->entries = entries;
	queue->deferred_mem = kcalloc(entries, sizeof(*queue->deferred_mem), GFP_KERNEL);
	if (!queue->deferred_mem)
		goto free_queue;
	queue->assoc = assoc;
	queue->qid = qid;
	queue->ersp_ratio = ersp_ratio;
	kref_init(&queue->ref);
	spin_lock_init(&queue->lock);
	INIT_LIST_HEAD(&queue->free_cmds);
	INIT_LIST_HEAD(&queue->deferred);
	INIT_LIST_HEAD(&queue->spare_deferred);
	for (i = 0; i < entries; i++)
		list_add_tail(&queue->deferred_mem[i].entry, &queue->spare_deferred);
	for (i = 0; i < entries; i++) {
		struct nvmet_fc_cmd *cmd = &queue->cmds[i];

		cmd->queue = queue;
		INIT_WORK(&cmd->defer_work, nvmet_fc_defer_work);
		cmd->rsp_dma = nvmet_fc_map_single(tport, cmd->rsp, sizeof(cmd->rsp),
						   DMA_TO_DEVICE);
		if (nvmet_fc_map_failed(tport, cmd->rsp_dma))
			goto unmap;
		list_add_tail(&cmd->entry, &queue->free_cmds);
	}
	if (nvmet_sq_init(&queue->sq))
		goto unmap;
	kref_get(&assoc->ref);		/* dropped by nvmet_fc_queue_free() */
	return queue;

unmap:
	while (--i >= 0)
		nvmet_fc_unmap_single(tport, queue->cmds[i].rsp_dma, sizeof(queue->cmds[i].rsp),
				      DMA_TO_DEVICE);
	kfree(queue->deferred_mem);
free_queue:
	kvfree(queue);
	return NULL;
}

/*
 * Ends a queue (assoc deletion, process context): no new exchange finds it,
 * exchanges waiting for write data are aborted, deferred ones handed back,
 * and nvmet_sq_destroy() waits for every command to complete. Exchanges
 * still sending data or a response keep the queue (a reference each).
 */
static void nvmet_fc_delete_queue(struct nvmet_fc_queue *queue)
{
	struct nvmet_fc_tport *tport = queue->assoc->tport;
	struct nvmet_fc_deferred *d;
	unsigned long flags;
	int i;

	if (!atomic_xchg(&queue->connected, 0))
		goto put;
	/* Pairs with the barrier in nvmet_fc_start_cmd(). */
	smp_mb();
	wait_var_event(&queue->entering, !atomic_read(&queue->entering));

	spin_lock_irqsave(&queue->lock, flags);
	for (i = 0; i < queue->entries; i++) {
		struct nvmet_fc_cmd *cmd = &queue->cmds[i];

		if (!cmd->active)
			continue;
		cmd->abort = true;
		/* Other operations end by themselves; write data may never come. */
		if (cmd->write_active && !cmd->aborted) {
			cmd->aborted = true;
			tport->ops->fcp_abort(&tport->fc, cmd->fcpreq);
		}
	}
	while ((d = list_first_entry_or_null(&queue->deferred, struct nvmet_fc_deferred,
					     entry))) {
		list_del(&d->entry);
		spin_unlock_irqrestore(&queue->lock, flags);
		if (tport->ops->defer_rcv)
			tport->ops->defer_rcv(&tport->fc, d->fcpreq);
		tport->ops->fcp_abort(&tport->fc, d->fcpreq);
		tport->ops->fcp_req_release(&tport->fc, d->fcpreq);
		nvmet_fc_queue_put(queue);	/* the deferred exchange's */
		spin_lock_irqsave(&queue->lock, flags);
		list_add(&d->entry, &queue->spare_deferred);
	}
	spin_unlock_irqrestore(&queue->lock, flags);
	for (i = 0; i < queue->entries; i++)
		flush_work(&queue->cmds[i].defer_work);

	nvmet_sq_destroy(&queue->sq);
put:
	nvmet_fc_queue_put(queue);
}

/*
 * The queue of CONN_ID with a reference, if it takes exchanges. Any context.
 */
static struct nvmet_fc_queue *nvmet_fc_find_queue(struct nvmet_fc_tport *tport, u64 conn_id)
{
	u64 id = nvmet_wire_fc_conn_assoc(conn_id);
	u16 qid = nvmet_wire_fc_conn_qid(conn_id);
	struct nvmet_fc_queue *queue = NULL;
	struct nvmet_fc_assoc *assoc;

	if (qid > NVMET_NR_QUEUES)
		return NULL;
	rcu_read_lock();
	list_for_each_entry_rcu(assoc, &tport->assocs, entry) {
		if (assoc->id != id)
			continue;
		queue = READ_ONCE(assoc->queues[qid]);
		if (queue && (!atomic_read(&queue->connected) ||
			      !kref_get_unless_zero(&queue->ref)))
			queue = NULL;
		break;
	}
	rcu_read_unlock();
	return queue;
}

/* --- associations ----------------------------------------------------------- */

static void nvmet_fc_assoc_free(struct kref *ref)
{
	struct nvmet_fc_assoc *assoc = container_of(ref, struct nvmet_fc_assoc, ref);

	nvmet_fc_tport_put(assoc->tport);	/* the assoc's */
	kfree_rcu(assoc, rcu);
}

static void nvmet_fc_assoc_put(struct nvmet_fc_assoc *assoc)
{
	kref_put(&assoc->ref, nvmet_fc_assoc_free);
}

static void nvmet_fc_xmt_ls_rsp(struct nvmet_fc_ls *ls);

/*
 * Deletes an association (nvmet_wq): out of the lookups, its queues ended
 * (I/O queues first, the admin queue and with it the controller last), the
 * host told, and the host's own Disconnect Association answered last.
 */
static void nvmet_fc_assoc_del_work(struct work_struct *w)
{
	struct nvmet_fc_assoc *assoc = container_of(w, struct nvmet_fc_assoc, del_work);
	struct nvmet_fc_tport *tport = assoc->tport;
	struct nvmet_fc_queue *queue;
	struct nvmet_fc_ls *disc_ls;
	unsigned long flags;
	int qid;

	spin_lock_irqsave(&tport->lock, flags);
	list_del_rcu(&assoc->entry);
	spin_unlock_irqrestore(&tport->lock, flags);
	synchronize_rcu();

	for (qid = NVMET_NR_QUEUES; qid >= 0; qid--) {
		spin_lock_irqsave(&tport->lock, flags);
		queue = assoc->queues[qid];
		WRITE_ONCE(assoc->queues[qid], NULL);
		spin_unlock_irqrestore(&tport->lock, flags);
		if (queue)
			nvmet_fc_delete_queue(queue);
	}
	nvmet_fc_send_disconnect(assoc);

	spin_lock_irqsave(&tport->lock, flags);
	disc_ls = assoc->disc_ls;
	assoc->disc_ls = NULL;
	assoc->deleted = true;
	spin_unlock_irqrestore(&tport->lock, flags);
	if (disc_ls)
		nvmet_fc_xmt_ls_rsp(disc_ls);

	pr_info("target port %u: association 0x%016llx deleted\n", tport->fc.port_num, assoc->id);
	nvmet_fc_host_put(assoc->host);
	nvmet_port_put(assoc->port);
	/* Exchanges the LLD still has keep it (and the tport) through their queues. */
	nvmet_fc_assoc_put(assoc);	/* the list's */
}

static void nvmet_fc_schedule_delete(struct nvmet_fc_assoc *assoc)
{
	if (atomic_xchg(&assoc->terminating, 1))
		return;
	queue_work(nvmet_wq, &assoc->del_work);
}

/* Every association of TPORT (optionally: of HOST only) goes. */
static void nvmet_fc_delete_assocs(struct nvmet_fc_tport *tport, struct nvmet_fc_host *host)
{
	struct nvmet_fc_assoc *assoc;

	rcu_read_lock();
	list_for_each_entry_rcu(assoc, &tport->assocs, entry)
		if (!host || assoc->host == host)
			nvmet_fc_schedule_delete(assoc);
	rcu_read_unlock();
}

/* The association ID with a reference; one being deleted only if DYING_OK. */
static struct nvmet_fc_assoc *nvmet_fc_find_assoc(struct nvmet_fc_tport *tport, u64 id,
						  bool dying_ok)
{
	struct nvmet_fc_assoc *assoc, *found = NULL;

	rcu_read_lock();
	list_for_each_entry_rcu(assoc, &tport->assocs, entry) {
		if (assoc->id == id) {
			if ((dying_ok || !atomic_read(&assoc->terminating)) &&
			    kref_get_unless_zero(&assoc->ref))
				found = assoc;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/* Puts QUEUE in ASSOC under QID unless one is there or the assoc is going; 0 or an RJT code. */
static u16 nvmet_fc_install_conn(struct nvmet_fc_assoc *assoc, struct nvmet_fc_queue *queue)
{
	struct nvmet_fc_tport *tport = assoc->tport;
	unsigned long flags;
	u16 ret = 0;

	spin_lock_irqsave(&tport->lock, flags);
	if (atomic_read(&assoc->terminating)) {
		ret = NVMET_WIRE_FC_RJT_RC_INV_ASSOC << 8;
	} else if (assoc->queues[queue->qid]) {
		ret = NVMET_WIRE_FC_RJT_RC_INV_PARAM << 8 | NVMET_WIRE_FC_RJT_EXP_INV_QUEUE_ID;
	} else {
		atomic_set(&queue->connected, 1);
		WRITE_ONCE(assoc->queues[queue->qid], queue);
	}
	spin_unlock_irqrestore(&tport->lock, flags);
	return ret;
}

/* --- LS requests from the host ---------------------------------------------- */

/* The nvmet port bound to TPORT, with a reference; NULL when none is. */
static struct nvmet_port *nvmet_fc_bound_port(struct nvmet_fc_tport *tport)
{
	struct nvmet_port *port = NULL;
	unsigned long flags;

	spin_lock_irqsave(&nvmet_fc_lock, flags);
	if (tport->binding) {
		port = tport->binding->port;
		nvmet_port_get(port);
	}
	spin_unlock_irqrestore(&nvmet_fc_lock, flags);
	return port;
}

static u16 nvmet_fc_max_io_sqsize(const struct nvmet_port *port)
{
	int max = NVMET_MAX_QUEUE_SIZE;

	if (port && port->max_queue_size > 0)
		max = min(port->max_queue_size, NVMET_MAX_QUEUE_SIZE);
	return max - 1;
}

/*
 * Create Association: a new association with its admin queue, through
 * *PORT (the bound nvmet port, whose reference it takes on success).
 */

static u16 nvmet_fc_create_assoc(struct nvmet_fc_ls *ls, const struct nvmet_wire_fc_ls *req,
				 struct nvmet_port **port, u32 *rsplen)
{
	struct nvmet_fc_tport *tport = ls->tport;
	struct nvmet_fc_assoc *assoc;
	struct nvmet_fc_queue *queue;
	unsigned long flags;
	bool unique;

	if (!*port) {
		pr_err_ratelimited("target port %u (WWPN 0x%016llx): Create Association from %s refused: no enabled nvmet port has this target port's addr_traddr\n",
				   tport->fc.port_num, tport->fc.port_name, req->hostnqn);
		return NVMET_WIRE_FC_RJT_RC_UNAB << 8;
	}
	assoc = kzalloc_obj(*assoc);
	if (!assoc)
		return NVMET_WIRE_FC_RJT_RC_INSUF_RES << 8;
	assoc->tport = tport;
	kref_init(&assoc->ref);
	INIT_WORK(&assoc->del_work, nvmet_fc_assoc_del_work);
	assoc->host = nvmet_fc_host_get(tport, ls->hosthandle);
	if (!assoc->host)
		goto free_assoc;
	queue = nvmet_fc_alloc_queue(assoc, 0, req->sqsize, req->ersp_ratio);
	if (!queue)
		goto put_host;
	atomic_set(&queue->connected, 1);
	assoc->queues[0] = queue;
	assoc->port = *port;

	kref_get(&tport->ref);
	do {
		struct nvmet_fc_assoc *a;

		assoc->id = nvmet_wire_fc_assoc_id(get_random_u64());
		unique = nvmet_wire_fc_assoc_id_valid(assoc->id);
		spin_lock_irqsave(&tport->lock, flags);
		list_for_each_entry(a, &tport->assocs, entry)
			if (a->id == assoc->id)
				unique = false;
		if (unique && tport->unregistering) {
			spin_unlock_irqrestore(&tport->lock, flags);
			goto unregistering;
		}
		if (unique)
			list_add_tail_rcu(&assoc->entry, &tport->assocs);
		spin_unlock_irqrestore(&tport->lock, flags);
	} while (!unique);

	*port = NULL;	/* assoc->port's now */
	pr_info("target port %u: association 0x%016llx created for %s (admin queue of %u entries)\n",
		tport->fc.port_num, assoc->id, req->hostnqn, queue->entries);
	*rsplen = nvmet_wire_fc_build_create_assoc_acc(ls->rsp, assoc->id,
						       nvmet_wire_fc_conn_id(assoc->id, 0));
	return 0;

unregistering:
	nvmet_fc_tport_put(tport);
	atomic_set(&queue->connected, 0);
	nvmet_sq_destroy(&queue->sq);
	nvmet_fc_queue_put(queue);
put_host:
	nvmet_fc_host_put(assoc->host);
free_assoc:
	kfree(assoc);
	return NVMET_WIRE_FC_RJT_RC_INSUF_RES << 8;
}

static u16 nvmet_fc_create_conn(struct nvmet_fc_ls *ls, const struct nvmet_wire_fc_ls *req,
				u32 *rsplen)
{
	struct nvmet_fc_tport *tport = ls->tport;
	struct nvmet_fc_assoc *assoc;
	struct nvmet_fc_queue *queue;
	u16 ret;

	assoc = nvmet_fc_find_assoc(tport, req->association_id, false);
	if (!assoc)
		return NVMET_WIRE_FC_RJT_RC_INV_ASSOC << 8;
	queue = nvmet_fc_alloc_queue(assoc, req->qid, req->sqsize, req->ersp_ratio);
	if (!queue) {
		nvmet_fc_assoc_put(assoc);
		return NVMET_WIRE_FC_RJT_RC_INSUF_RES << 8;
	}
	ret = nvmet_fc_install_conn(assoc, queue);
	if (ret) {
		nvmet_sq_destroy(&queue->sq);
		nvmet_fc_queue_put(queue);
	} else {
		u64 conn_id = nvmet_wire_fc_conn_id(assoc->id, req->qid);

		*rsplen = nvmet_wire_fc_build_create_conn_acc(ls->rsp, conn_id);
	}
	nvmet_fc_assoc_put(assoc);
	return ret;
}

/* Returns true when the response goes now, false when the teardown sends it. */
static bool nvmet_fc_disconnect_assoc(struct nvmet_fc_ls *ls, const struct nvmet_wire_fc_ls *req,
				      u32 *rsplen, u16 *rjt)
{
	struct nvmet_fc_tport *tport = ls->tport;
	struct nvmet_fc_ls *old = NULL;
	struct nvmet_fc_assoc *found;
	unsigned long flags;
	bool now = false;

	/* One already being deleted is answered when its deletion ends. */
	found = nvmet_fc_find_assoc(tport, req->association_id, true);
	if (!found) {
		*rjt = NVMET_WIRE_FC_RJT_RC_INV_ASSOC << 8;
		return true;
	}
	*rsplen = nvmet_wire_fc_build_disconn_assoc_acc(ls->rsp);
	ls->lsrsp->rsplen = *rsplen;
	spin_lock_irqsave(&tport->lock, flags);
	if (found->deleted) {
		now = true;
	} else {
		old = found->disc_ls;
		found->disc_ls = ls;
	}
	spin_unlock_irqrestore(&tport->lock, flags);
	if (old) {
		/* A second Disconnect for the same association: the first is refused. */
		old->lsrsp->rsplen = nvmet_wire_fc_build_ls_rjt(old->rsp,
								NVMET_WIRE_FC_LS_DISCONN_ASSOC,
								NVMET_WIRE_FC_RJT_RC_UNAB,
								NVMET_WIRE_FC_RJT_EXP_NONE);
		nvmet_fc_xmt_ls_rsp(old);
	}
	pr_info("target port %u: the host disconnects association 0x%016llx\n",
		tport->fc.port_num, found->id);
	nvmet_fc_schedule_delete(found);
	nvmet_fc_assoc_put(found);
	return now;
}

static void nvmet_fc_xmt_ls_rsp_done(struct nvmefc_ls_rsp *lsrsp)
{
	struct nvmet_fc_ls *ls = lsrsp->nvme_fc_private;
	struct nvmet_fc_tport *tport = ls->tport;
	unsigned long flags;

	spin_lock_irqsave(&tport->lock, flags);
	list_add_tail(&ls->entry, &tport->free_ls);
	spin_unlock_irqrestore(&tport->lock, flags);
	nvmet_fc_tport_put(tport);
}

/* Sends ls->rsp (ls->lsrsp->rsplen bytes); the LS context is free once the LLD is done. */
static void nvmet_fc_xmt_ls_rsp(struct nvmet_fc_ls *ls)
{
	struct nvmet_fc_tport *tport = ls->tport;
	struct nvmefc_ls_rsp *lsrsp = ls->lsrsp;

	lsrsp->nvme_fc_private = ls;
	lsrsp->rspbuf = ls->rsp;
	lsrsp->rspdma = ls->rsp_dma;
	lsrsp->done = nvmet_fc_xmt_ls_rsp_done;
	nvmet_fc_sync_for_device(tport, ls->rsp_dma, sizeof(ls->rsp), DMA_TO_DEVICE);
	if (tport->ops->xmt_ls_rsp(&tport->fc, lsrsp))
		nvmet_fc_xmt_ls_rsp_done(lsrsp);
}

static const char *nvmet_fc_ls_name(u8 cmd)
{
	switch (cmd) {
	case NVMET_WIRE_FC_LS_CREATE_ASSOC:	return "Create Association";
	case NVMET_WIRE_FC_LS_CREATE_CONN:	return "Create I/O Connection";
	case NVMET_WIRE_FC_LS_DISCONN_ASSOC:	return "Disconnect Association";
	case NVMET_WIRE_FC_LS_DISCONN_CONN:	return "Disconnect Connection";
	default:				return "unknown LS";
	}
}

static void nvmet_fc_ls_work(struct work_struct *w)
{
	struct nvmet_fc_ls *ls = container_of(w, struct nvmet_fc_ls, work);
	struct nvmet_fc_tport *tport = ls->tport;
	struct nvmet_wire_fc_ls *req;
	struct nvmet_port *port;
	u32 rsplen = 0;
	u16 rjt;
	u8 cmd = ls->len ? ls->rqst[0] : 0;

	req = kmalloc_obj(*req);
	if (!req) {
		rjt = NVMET_WIRE_FC_RJT_RC_INSUF_RES << 8;
		goto reject;
	}
	port = nvmet_fc_bound_port(tport);
	rjt = nvmet_wire_fc_parse_ls(ls->rqst, ls->len, NVMET_NR_QUEUES, NVMET_AQ_DEPTH - 1,
				     nvmet_fc_max_io_sqsize(port), req);
	if (!rjt) {
		switch (req->cmd) {
		case NVMET_WIRE_FC_LS_CREATE_ASSOC:
			rjt = nvmet_fc_create_assoc(ls, req, &port, &rsplen);
			break;
		case NVMET_WIRE_FC_LS_CREATE_CONN:
			rjt = nvmet_fc_create_conn(ls, req, &rsplen);
			break;
		case NVMET_WIRE_FC_LS_DISCONN_ASSOC:
			if (!nvmet_fc_disconnect_assoc(ls, req, &rsplen, &rjt)) {
				if (port)
					nvmet_port_put(port);
				kfree(req);
				return;	/* answered when the association is gone */
			}
			break;
		default:
			rjt = NVMET_WIRE_FC_RJT_RC_UNSUP << 8;
			break;
		}
	}
	if (port)
		nvmet_port_put(port);
	kfree(req);
reject:
	if (rjt) {
		pr_err_ratelimited("target port %u: %s refused: reason 0x%02x, explanation 0x%02x\n",
				   tport->fc.port_num, nvmet_fc_ls_name(cmd), rjt >> 8, rjt & 0xff);
		rsplen = nvmet_wire_fc_build_ls_rjt(ls->rsp, cmd, rjt >> 8, rjt & 0xff);
	}
	ls->lsrsp->rsplen = rsplen;
	nvmet_fc_xmt_ls_rsp(ls);
}

int nvmet_fc_rcv_ls_req(struct nvmet_fc_target_port *target_port, void *hosthandle,
			struct nvmefc_ls_rsp *lsrsp, void *lsreqbuf, u32 lsreqbuf_len)
{
	struct nvmet_fc_tport *tport = to_tport(target_port);
	struct nvmet_fc_ls *ls;
	unsigned long flags;

	if (lsreqbuf_len > NVMET_WIRE_FC_LS_RQST_MAX) {
		pr_err_ratelimited("target port %u: LS request of %u bytes refused (at most %u)\n",
				   tport->fc.port_num, lsreqbuf_len, NVMET_WIRE_FC_LS_RQST_MAX);
		return -E2BIG;
	}
	if (!nvmet_fc_tport_get(tport))
		return -ESHUTDOWN;
	spin_lock_irqsave(&tport->lock, flags);
	ls = tport->unregistering ? NULL :
	     list_first_entry_or_null(&tport->free_ls, struct nvmet_fc_ls, entry);
	if (ls)
		list_del(&ls->entry);
	spin_unlock_irqrestore(&tport->lock, flags);
	if (!ls) {
		pr_err_ratelimited("target port %u: LS request refused: %s\n", tport->fc.port_num,
				   tport->unregistering ? "the port is being unregistered" :
				   "too many LS requests at once");
		nvmet_fc_tport_put(tport);
		return -ENOENT;
	}
	ls->lsrsp = lsrsp;
	ls->hosthandle = hosthandle;
	ls->len = lsreqbuf_len;
	memcpy(ls->rqst, lsreqbuf, lsreqbuf_len);
	queue_work(nvmet_wq, &ls->work);
	return 0;
}
EXPORT_SYMBOL_GPL(nvmet_fc_rcv_ls_req);

/* --- FCP: commands, data and responses ------------------------------------- */

static void nvmet_fc_fcp_done(struct nvmefc_tgt_fcp_req *fcpreq);
static void nvmet_fc_start_cmd(struct nvmet_fc_cmd *cmd);

/* What the slot keeps of a checked CMD IU: the SQE, the direction, the length. */
static void nvmet_fc_take_iu(struct nvmet_fc_cmd *cmd, const struct nvmet_wire_fc_cmd_iu *iu)
{
	memcpy(&cmd->sqe, iu->sqe, sizeof(cmd->sqe));
	if (iu->flags & NVMET_WIRE_FC_CMD_WRITE)
		cmd->dir = NVMET_FC_WRITE;
	else if (iu->flags & NVMET_WIRE_FC_CMD_READ)
		cmd->dir = NVMET_FC_READ;
	else
		cmd->dir = NVMET_FC_NODATA;
	cmd->data_len = iu->data_len;
}

/*
 * The exchange is over: the slot goes to the oldest deferred exchange, or
 * back to the free list. Drops the exchange's queue reference.
 */
static void nvmet_fc_release(struct nvmet_fc_cmd *cmd)
{
	struct nvmet_fc_queue *queue = cmd->queue;
	struct nvmet_fc_tport *tport = queue->assoc->tport;
	struct nvmefc_tgt_fcp_req *fcpreq = cmd->fcpreq;
	struct nvmet_fc_deferred *d;
	unsigned long flags;

	nvmet_fc_free_data(tport, cmd);
	fcpreq->nvmet_fc_private = NULL;
	spin_lock_irqsave(&queue->lock, flags);
	cmd->fcpreq = NULL;
	cmd->active = false;
	cmd->abort = false;
	cmd->aborted = false;
	cmd->write_active = false;
	spin_unlock_irqrestore(&queue->lock, flags);
	tport->ops->fcp_req_release(&tport->fc, fcpreq);

	spin_lock_irqsave(&queue->lock, flags);
	d = list_first_entry_or_null(&queue->deferred, struct nvmet_fc_deferred, entry);
	if (!d) {
		list_add_tail(&cmd->entry, &queue->free_cmds);
		atomic_dec(&queue->used);
		spin_unlock_irqrestore(&queue->lock, flags);
		nvmet_fc_queue_put(queue);
		return;
	}
	list_move(&d->entry, &queue->spare_deferred);
	cmd->fcpreq = d->fcpreq;
	cmd->active = true;
	nvmet_fc_take_iu(cmd, &d->iu);
	d->fcpreq->nvmet_fc_private = cmd;
	spin_unlock_irqrestore(&queue->lock, flags);
	/* The LLD may reuse the IU buffer now; the deferred exchange's reference passes on. */
	if (tport->ops->defer_rcv)
		tport->ops->defer_rcv(&tport->fc, cmd->fcpreq);
	queue_work(nvmet_wq, &cmd->defer_work);
	nvmet_fc_queue_put(queue);
}

/* Drops the exchange: the LLD aborts it (unless it knows), then the slot is free. */
static void nvmet_fc_abort_exchange(struct nvmet_fc_cmd *cmd)
{
	struct nvmet_fc_tport *tport = cmd->queue->assoc->tport;
	unsigned long flags;
	bool tell;

	spin_lock_irqsave(&cmd->queue->lock, flags);
	tell = !cmd->aborted;
	cmd->aborted = true;
	spin_unlock_irqrestore(&cmd->queue->lock, flags);
	nvmet_fc_free_data(tport, cmd);
	if (tell)
		tport->ops->fcp_abort(&tport->fc, cmd->fcpreq);
	nvmet_fc_release(cmd);
}

/* The RSP (all zeros) or ERSP for the command, into fcpreq's response fields. */
static void nvmet_fc_prep_rsp(struct nvmet_fc_cmd *cmd, u32 xfrd)
{
	struct nvmet_fc_queue *queue = cmd->queue;
	struct nvmefc_tgt_fcp_req *fcpreq = cmd->fcpreq;
	u32 count = atomic_inc_return(&queue->rsp_count);

	if (nvmet_wire_fc_need_ersp((const u8 *)&cmd->cqe, xfrd, cmd->xfer_len,
				    (const u8 *)&cmd->sqe, count, queue->ersp_ratio,
				    atomic_read(&queue->used), queue->entries)) {
		nvmet_wire_fc_build_ersp(cmd->rsp, atomic_inc_return(&queue->rsn), xfrd,
					 (const u8 *)&cmd->cqe);
		fcpreq->rsplen = NVMET_WIRE_FC_ERSP_LEN;
	} else {
		memset(cmd->rsp, 0, NVMET_WIRE_FC_ZEROS_RSP_LEN);
		fcpreq->rsplen = NVMET_WIRE_FC_ZEROS_RSP_LEN;
	}
	fcpreq->rspaddr = cmd->rsp;
	fcpreq->rspdma = cmd->rsp_dma;
	nvmet_fc_sync_for_device(cmd->queue->assoc->tport, cmd->rsp_dma, sizeof(cmd->rsp),
				 DMA_TO_DEVICE);
}

static void nvmet_fc_send_rsp(struct nvmet_fc_cmd *cmd)
{
	struct nvmet_fc_tport *tport = cmd->queue->assoc->tport;
	struct nvmefc_tgt_fcp_req *fcpreq = cmd->fcpreq;

	nvmet_fc_free_data(tport, cmd);
	fcpreq->op = NVMET_FCOP_RSP;
	fcpreq->timeout = 0;
	fcpreq->transfer_length = 0;
	fcpreq->sg = NULL;
	fcpreq->sg_cnt = 0;
	nvmet_fc_prep_rsp(cmd, cmd->offset);
	if (tport->ops->fcp_op(&tport->fc, fcpreq))
		nvmet_fc_abort_exchange(cmd);
}

/* The next piece of data, from cmd->offset, in one READDATA/WRITEDATA (or READDATA_RSP). */
static void nvmet_fc_move_data(struct nvmet_fc_cmd *cmd, u8 op)
{
	struct nvmet_fc_queue *queue = cmd->queue;
	struct nvmet_fc_tport *tport = queue->assoc->tport;
	struct nvmefc_tgt_fcp_req *fcpreq = cmd->fcpreq;
	u32 left = cmd->xfer_len - cmd->offset, len = 0;
	struct scatterlist *sg = cmd->next_sg;
	unsigned long flags;
	int n = 0, ret;

	fcpreq->op = op;
	fcpreq->offset = cmd->offset;
	fcpreq->timeout = NVMET_FC_OP_TIMEOUT;
	fcpreq->sg = sg;
	/* Whole SG entries, within the LLD's SGL and the sequence length; at least one. */
	while (sg && len < left && n < tport->ops->max_sgl_segments &&
	       (n == 0 || len + sg_dma_len(sg) <= NVMET_FC_MAX_SEQ)) {
		len += sg_dma_len(sg);
		n++;
		sg = sg_next(sg);
	}
	len = min(len, left);
	cmd->next_sg = sg;
	fcpreq->sg_cnt = n;
	fcpreq->transfer_length = len;
	fcpreq->transferred_length = 0;
	fcpreq->fcp_error = 0;
	fcpreq->rsplen = 0;

	if (op == NVMET_FCOP_READDATA && len == left &&
	    (tport->ops->target_features & NVMET_FCTGTFEAT_READDATA_RSP)) {
		fcpreq->op = NVMET_FCOP_READDATA_RSP;
		nvmet_fc_prep_rsp(cmd, cmd->xfer_len);
	}
	if (op == NVMET_FCOP_WRITEDATA) {
		spin_lock_irqsave(&queue->lock, flags);
		if (cmd->abort) {
			spin_unlock_irqrestore(&queue->lock, flags);
			nvmet_req_complete(&cmd->req, NVME_SC_DATA_XFER_ERROR);
			return;
		}
		cmd->write_active = true;
		spin_unlock_irqrestore(&queue->lock, flags);
	}
	ret = tport->ops->fcp_op(&tport->fc, fcpreq);
	if (!ret)
		return;
	pr_err_ratelimited("target port %u: queue %u: the LLD cannot move a command's data: %d\n",
			   tport->fc.port_num, queue->qid, ret);
	spin_lock_irqsave(&queue->lock, flags);
	cmd->abort = true;
	cmd->write_active = false;
	spin_unlock_irqrestore(&queue->lock, flags);
	if (op == NVMET_FCOP_WRITEDATA)
		nvmet_req_complete(&cmd->req, NVME_SC_DATA_XFER_ERROR);
	else
		nvmet_fc_abort_exchange(cmd);
}

/* The LLD finished an operation of the exchange. */
static void nvmet_fc_fcp_done(struct nvmefc_tgt_fcp_req *fcpreq)
{
	struct nvmet_fc_cmd *cmd = fcpreq->nvmet_fc_private;
	struct nvmet_fc_queue *queue = cmd->queue;
	bool failed = fcpreq->fcp_error || fcpreq->transferred_length != fcpreq->transfer_length;
	unsigned long flags;
	bool abort;

	spin_lock_irqsave(&queue->lock, flags);
	cmd->write_active = false;
	if (failed && fcpreq->op != NVMET_FCOP_RSP)
		cmd->abort = true;
	abort = cmd->abort;
	spin_unlock_irqrestore(&queue->lock, flags);

	switch (fcpreq->op) {
	case NVMET_FCOP_WRITEDATA:
		if (abort) {
			/* queue_response sees abort and drops the exchange. */
			nvmet_req_complete(&cmd->req, NVME_SC_DATA_XFER_ERROR);
			return;
		}
		cmd->offset += fcpreq->transferred_length;
		if (cmd->offset < cmd->xfer_len) {
			nvmet_fc_move_data(cmd, NVMET_FCOP_WRITEDATA);
			return;
		}
		if (cmd->queue->assoc->tport->dev)
			dma_sync_sg_for_cpu(cmd->queue->assoc->tport->dev, cmd->req.sg,
					    cmd->req.sg_cnt, DMA_FROM_DEVICE);
		cmd->req.execute(&cmd->req);
		return;
	case NVMET_FCOP_READDATA:
	case NVMET_FCOP_READDATA_RSP:
		if (abort) {
			nvmet_fc_abort_exchange(cmd);
			return;
		}
		if (fcpreq->op == NVMET_FCOP_READDATA_RSP) {
			nvmet_fc_release(cmd);
			return;
		}
		cmd->offset += fcpreq->transferred_length;
		if (cmd->offset < cmd->xfer_len)
			nvmet_fc_move_data(cmd, NVMET_FCOP_READDATA);
		else
			nvmet_fc_send_rsp(cmd);
		return;
	case NVMET_FCOP_RSP:
	default:
		/* Sent or not, the exchange is over (the LLD aborts a failed one itself). */
		nvmet_fc_release(cmd);
		return;
	}
}

/* The core completed the command (req->cqe is filled). */
static void nvmet_fc_queue_response(struct nvmet_req *req)
{
	struct nvmet_fc_cmd *cmd = container_of(req, struct nvmet_fc_cmd, req);
	unsigned long flags;
	bool abort;

	spin_lock_irqsave(&cmd->queue->lock, flags);
	abort = cmd->abort;
	spin_unlock_irqrestore(&cmd->queue->lock, flags);
	if (abort) {
		nvmet_fc_abort_exchange(cmd);
		return;
	}
	/* A read's data goes first, unless the command failed: then none is sent. */
	if (cmd->dir == NVMET_FC_READ && cmd->req.sg && !(le16_to_cpu(cmd->cqe.status) >> 1)) {
		cmd->offset = 0;
		cmd->next_sg = cmd->req.sg;
		nvmet_fc_move_data(cmd, NVMET_FCOP_READDATA);
		return;
	}
	if (cmd->dir == NVMET_FC_READ)
		cmd->offset = 0;
	nvmet_fc_send_rsp(cmd);
}

/*
 * A slot has an exchange whose CMD IU is checked (nvmet_fc_rcv_fcp_req():
 * its direction agrees with the opcode and the length): init, get the data
 * in for writes, execute.
 */
static void nvmet_fc_start_cmd(struct nvmet_fc_cmd *cmd)
{
	struct nvmet_fc_queue *queue = cmd->queue;
	struct nvmet_fc_tport *tport = queue->assoc->tport;
	struct nvmet_req *req = &cmd->req;
	u16 status;

	cmd->fcpreq->hwqid = queue->qid ? (queue->qid - 1) % tport->ops->max_hw_queues : 0;
	cmd->fcpreq->done = nvmet_fc_fcp_done;
	memset(&cmd->cqe, 0, sizeof(cmd->cqe));
	req->cmd = &cmd->sqe;
	req->cqe = &cmd->cqe;
	req->cq = &queue->cq;
	req->port = queue->assoc->port;
	req->sg = NULL;
	req->sg_cnt = 0;
	req->transfer_len = 0;
	cmd->xfer_len = 0;
	cmd->offset = 0;
	cmd->mapped = false;

	/* Queue deletion waits for exchanges between these two points. */
	atomic_inc(&queue->entering);
	/* entering is raised before connected is read; deletion orders the reverse. */
	smp_mb__after_atomic();
	if (!atomic_read(&queue->connected)) {
		if (atomic_dec_and_test(&queue->entering))
			wake_up_var(&queue->entering);
		goto abort;
	}
	/* A failed init completes the command through queue_response(). */
	if (!nvmet_req_init(req, &queue->sq, &nvmet_fc_ops))
		goto leave;
	req->transfer_len = cmd->data_len;
	status = nvmet_check_read_sgl_len(req);
	if (status)
		goto fail;
	cmd->xfer_len = nvmet_req_buf_len(req);
	if (cmd->xfer_len) {
		if (nvmet_req_alloc_sgls(req) || nvmet_fc_map_data(tport, cmd)) {
			status = NVME_SC_INTERNAL;
			goto fail;
		}
	}
	if (atomic_dec_and_test(&queue->entering))
		wake_up_var(&queue->entering);
	if (cmd->dir == NVMET_FC_WRITE && cmd->xfer_len) {
		cmd->next_sg = req->sg;
		nvmet_fc_move_data(cmd, NVMET_FCOP_WRITEDATA);
		return;
	}
	req->execute(req);
	return;

fail:
	nvmet_req_complete(req, status);
leave:
	if (atomic_dec_and_test(&queue->entering))
		wake_up_var(&queue->entering);
	return;
abort:
	nvmet_fc_abort_exchange(cmd);
}

static void nvmet_fc_defer_work(struct work_struct *w)
{
	nvmet_fc_start_cmd(container_of(w, struct nvmet_fc_cmd, defer_work));
}

static const char *nvmet_fc_iu_error(int err)
{
	switch (err) {
	case NVMET_WIRE_FC_IU_BAD_LEN:		return "bad IU length";
	case NVMET_WIRE_FC_IU_BAD_FORMAT:	return "bad format ID";
	case NVMET_WIRE_FC_IU_BAD_FC_ID:	return "FC ID is not NVMe";
	case NVMET_WIRE_FC_IU_BAD_DIR:		return "data direction does not fit the opcode";
	case NVMET_WIRE_FC_IU_BAD_DATA_LEN:	return "data length does not fit the direction";
	case NVMET_WIRE_FC_IU_TOO_LONG:		return "data length too long";
	default:				return "malformed";
	}
}

int nvmet_fc_rcv_fcp_req(struct nvmet_fc_target_port *target_port,
			 struct nvmefc_tgt_fcp_req *fcpreq, void *cmdiubuf, u32 cmdiubuf_len)
{
	struct nvmet_fc_tport *tport = to_tport(target_port);
	struct nvmet_wire_fc_cmd_iu iu;
	struct nvmet_fc_queue *queue;
	struct nvmet_fc_deferred *d;
	struct nvmet_fc_cmd *cmd;
	unsigned long flags;
	int ret;

	ret = nvmet_wire_fc_parse_cmd_iu(cmdiubuf, cmdiubuf_len, U32_MAX, &iu);
	if (ret) {
		pr_err_ratelimited("target port %u: CMD IU (%u bytes, connection 0x%016llx) refused: %s\n",
				   tport->fc.port_num, cmdiubuf_len, iu.connection_id,
				   nvmet_fc_iu_error(ret));
		return -EIO;
	}
	queue = nvmet_fc_find_queue(tport, iu.connection_id);
	if (!queue)
		return -ENOTCONN;

	spin_lock_irqsave(&queue->lock, flags);
	if (!atomic_read(&queue->connected)) {
		spin_unlock_irqrestore(&queue->lock, flags);
		nvmet_fc_queue_put(queue);
		return -ENOTCONN;
	}
	cmd = list_first_entry_or_null(&queue->free_cmds, struct nvmet_fc_cmd, entry);
	if (cmd) {
		list_del(&cmd->entry);
		atomic_inc(&queue->used);
		cmd->active = true;
		cmd->fcpreq = fcpreq;
		fcpreq->nvmet_fc_private = cmd;
		spin_unlock_irqrestore(&queue->lock, flags);
		nvmet_fc_take_iu(cmd, &iu);
		/* The queue reference is the exchange's now. */
		nvmet_fc_start_cmd(cmd);
		return 0;
	}
	/* More than the queue holds: keep it for the next free slot, once per slot. */
	d = tport->ops->defer_rcv ?
	    list_first_entry_or_null(&queue->spare_deferred, struct nvmet_fc_deferred, entry) :
	    NULL;
	if (!d) {
		spin_unlock_irqrestore(&queue->lock, flags);
		pr_err_ratelimited("target port %u: queue %u: command beyond the queue's %u entries refused\n",
				   tport->fc.port_num, queue->qid, queue->entries);
		nvmet_fc_queue_put(queue);
		return -ENOENT;
	}
	fcpreq->nvmet_fc_private = NULL;
	d->fcpreq = fcpreq;
	d->iu = iu;
	list_move_tail(&d->entry, &queue->deferred);
	spin_unlock_irqrestore(&queue->lock, flags);
	return -EOVERFLOW;
}
EXPORT_SYMBOL_GPL(nvmet_fc_rcv_fcp_req);

void nvmet_fc_rcv_fcp_abort(struct nvmet_fc_target_port *target_port,
			    struct nvmefc_tgt_fcp_req *fcpreq)
{
	struct nvmet_fc_cmd *cmd = fcpreq->nvmet_fc_private;
	unsigned long flags;

	/* Already released, or still deferred (handed back at queue deletion). */
	if (!cmd || cmd->fcpreq != fcpreq)
		return;
	spin_lock_irqsave(&cmd->queue->lock, flags);
	if (cmd->active && cmd->fcpreq == fcpreq) {
		cmd->abort = true;
		cmd->aborted = true;
	}
	spin_unlock_irqrestore(&cmd->queue->lock, flags);
}
EXPORT_SYMBOL_GPL(nvmet_fc_rcv_fcp_abort);

/* --- target ports: registration ------------------------------------------- */

int nvmet_fc_register_targetport(struct nvmet_fc_port_info *pinfo,
				 struct nvmet_fc_target_template *template,
				 struct device *dev,
				 struct nvmet_fc_target_port **portptr)
{
	struct nvmet_fc_binding *b;
	struct nvmet_fc_tport *tport;
	unsigned long flags;
	int ret, i;

	*portptr = NULL;
	if (!template->xmt_ls_rsp || !template->fcp_op || !template->fcp_abort ||
	    !template->fcp_req_release || !template->targetport_delete ||
	    !template->max_hw_queues || !template->max_sgl_segments ||
	    !template->max_dif_sgl_segments || !template->dma_boundary ||
	    (template->ls_req && !template->ls_abort)) {
		pr_err("%s: target port WWPN 0x%016llx refused: the LLD's template lacks a mandatory entry point or value\n",
		       dev ? dev_name(dev) : "LLD", pinfo->port_name);
		return -EINVAL;
	}
	tport = kzalloc(sizeof(*tport) + template->target_priv_sz, GFP_KERNEL);
	if (!tport)
		return -ENOMEM;
	tport->ls = kvcalloc(NVMET_FC_LS_CTX, sizeof(*tport->ls), GFP_KERNEL);
	if (!tport->ls) {
		ret = -ENOMEM;
		goto free;
	}
	ret = ida_alloc(&nvmet_fc_port_nums, GFP_KERNEL);
	if (ret < 0)
		goto free;
	tport->fc.port_num = ret;
	tport->fc.node_name = pinfo->node_name;
	tport->fc.port_name = pinfo->port_name;
	tport->fc.port_id = pinfo->port_id;
	tport->fc.private = template->target_priv_sz ? (void *)&tport[1] : NULL;
	tport->ops = template;
	tport->dev = dev;
	kref_init(&tport->ref);
	INIT_WORK(&tport->free_work, nvmet_fc_tport_free_work);
	spin_lock_init(&tport->lock);
	INIT_LIST_HEAD(&tport->assocs);
	INIT_LIST_HEAD(&tport->hosts);
	INIT_LIST_HEAD(&tport->free_ls);
	INIT_LIST_HEAD(&tport->ls_out);
	for (i = 0; i < NVMET_FC_LS_CTX; i++) {
		struct nvmet_fc_ls *ls = &tport->ls[i];

		ls->tport = tport;
		INIT_WORK(&ls->work, nvmet_fc_ls_work);
		ls->rsp_dma = nvmet_fc_map_single(tport, ls->rsp, sizeof(ls->rsp), DMA_TO_DEVICE);
		if (nvmet_fc_map_failed(tport, ls->rsp_dma)) {
			while (--i >= 0)
				nvmet_fc_unmap_single(tport, tport->ls[i].rsp_dma,
						      sizeof(tport->ls[i].rsp), DMA_TO_DEVICE);
			ida_free(&nvmet_fc_port_nums, tport->fc.port_num);
			ret = -ENOMEM;
			goto free;
		}
		list_add_tail(&ls->entry, &tport->free_ls);
	}
	get_device(dev);

	spin_lock_irqsave(&nvmet_fc_lock, flags);
	/* A configfs port bound to these WWNs before the LLD unregistered serves again. */
	list_for_each_entry(b, &nvmet_fc_bindings, entry) {
		if (!b->tport && b->wwnn == tport->fc.node_name && b->wwpn == tport->fc.port_name) {
			kref_get(&tport->ref);
			b->tport = tport;
			tport->binding = b;
			break;
		}
	}
	list_add_tail(&tport->entry, &nvmet_fc_tports);
	spin_unlock_irqrestore(&nvmet_fc_lock, flags);

	pr_info("%s: target port %u registered: WWNN 0x%016llx WWPN 0x%016llx%s\n",
		dev ? dev_name(dev) : "LLD", tport->fc.port_num, tport->fc.node_name,
		tport->fc.port_name, tport->binding ? " (its nvmet port serves again)" : "");
	*portptr = &tport->fc;
	return 0;

free:
	kvfree(tport->ls);
	kfree(tport);
	return ret;
}
EXPORT_SYMBOL_GPL(nvmet_fc_register_targetport);

int nvmet_fc_unregister_targetport(struct nvmet_fc_target_port *target_port)
{
	struct nvmet_fc_tport *tport = to_tport(target_port);
	struct nvmet_fc_ls_out *out;
	struct nvmet_fc_host *host;
	unsigned int orphans = 0;
	unsigned long flags;
	bool bound;

	spin_lock_irqsave(&nvmet_fc_lock, flags);
	list_del(&tport->entry);
	bound = tport->binding;
	if (tport->binding) {
		tport->binding->tport = NULL;
		tport->binding = NULL;
	}
	spin_unlock_irqrestore(&nvmet_fc_lock, flags);
	if (bound)
		nvmet_fc_tport_put(tport);

	spin_lock_irqsave(&tport->lock, flags);
	tport->unregistering = true;
	spin_unlock_irqrestore(&tport->lock, flags);
	nvmet_fc_delete_assocs(tport, NULL);
	flush_workqueue(nvmet_wq);

	/* LS requests still with the LLD: asked to abort, then let go. */
	nvmet_fc_abort_ls_out(tport, NULL);
	/*
	 * Orphaned one at a time: a done() that comes now frees the request,
	 * so its host is taken off it under the lock and released outside
	 * (host_release(), when the LLD invalidated the host, is the LLD's).
	 */
	for (;;) {
		spin_lock_irqsave(&nvmet_fc_lock, flags);
		out = list_first_entry_or_null(&tport->ls_out, struct nvmet_fc_ls_out, entry);
		if (out && out->pinned) {
			/* invalidate_host is inside ls_abort() with it: not for long. */
			spin_unlock_irqrestore(&nvmet_fc_lock, flags);
			usleep_range(100, 1000);
			continue;
		}
		if (out) {
			list_del(&out->entry);
			out->orphan = true;
			host = out->host;
			out->host = NULL;
		}
		spin_unlock_irqrestore(&nvmet_fc_lock, flags);
		if (!out)
			break;
		orphans++;
		if (host)
			nvmet_fc_host_put(host);
		nvmet_fc_tport_put(tport);
	}
	if (orphans)
		pr_info("target port %u: %u Disconnect Association requests left with the LLD\n",
			tport->fc.port_num, orphans);

	pr_info("target port %u (WWNN 0x%016llx WWPN 0x%016llx) unregistering\n",
		tport->fc.port_num, tport->fc.node_name, tport->fc.port_name);
	/* targetport_delete() follows when the last exchange is done. */
	nvmet_fc_tport_put(tport);
	return 0;
}
EXPORT_SYMBOL_GPL(nvmet_fc_unregister_targetport);

void nvmet_fc_invalidate_host(struct nvmet_fc_target_port *target_port, void *hosthandle)
{
	struct nvmet_fc_tport *tport = to_tport(target_port);
	struct nvmet_fc_host *host, *found = NULL;
	unsigned long flags;
	bool dying = false;

	spin_lock_irqsave(&tport->lock, flags);
	list_for_each_entry(host, &tport->hosts, entry) {
		if (host->handle == hosthandle && !host->invalid) {
			host->invalid = true;
			found = host;
			break;
		}
	}
	/* One whose last reference is going: nvmet_fc_host_free() releases it. */
	if (found && !kref_get_unless_zero(&found->ref)) {
		found = NULL;
		dying = true;
	}
	if (found)
		nvmet_fc_delete_assocs(tport, found);
	spin_unlock_irqrestore(&tport->lock, flags);
	if (dying)
		return;
	/* Nothing refers to the host: released at once. */
	if (!found) {
		if (tport->ops->host_release)
			tport->ops->host_release(hosthandle);
		return;
	}
	/*
	 * The Disconnect Associations it still has go too (an LLD that cannot
	 * reach the host fails them); host_release() follows the last reference.
	 */
	if (tport->ops->ls_abort)
		nvmet_fc_abort_ls_out(tport, found);
	nvmet_fc_host_put(found);
}
EXPORT_SYMBOL_GPL(nvmet_fc_invalidate_host);

/* --- the nvmet transport ---------------------------------------------------- */

/*
 * addr_traddr "nn-0x<16 hex>:pn-0x<16 hex>" or "nn-<16 hex>:pn-<16 hex>",
 * as the in-tree transport and nvme-cli spell FC addresses.
 */
static int nvmet_fc_parse_traddr(const char *s, u64 *wwnn, u64 *wwpn)
{
	char hex[17];
	size_t len = strnlen(s, NVMF_TRADDR_SIZE);
	size_t prefix;

	if (len == 2 * (5 + 16) + 1 && !strncmp(s, "nn-0x", 5) && !strncmp(s + 22, "pn-0x", 5))
		prefix = 5;
	else if (len == 2 * (3 + 16) + 1 && !strncmp(s, "nn-", 3) && !strncmp(s + 20, "pn-", 3))
		prefix = 3;
	else
		return -EINVAL;
	if (s[prefix + 16] != ':')
		return -EINVAL;
	memcpy(hex, s + prefix, 16);
	hex[16] = 0;
	if (kstrtou64(hex, 16, wwnn))
		return -EINVAL;
	memcpy(hex, s + 2 * prefix + 17, 16);
	if (kstrtou64(hex, 16, wwpn))
		return -EINVAL;
	return 0;
}

static int nvmet_fc_add_port(struct nvmet_port *port)
{
	u16 portid = le16_to_cpu(port->disc_addr.portid);
	struct nvmet_fc_binding *b;
	struct nvmet_fc_tport *tport;
	unsigned long flags;
	u64 wwnn, wwpn;
	int ret = -ENXIO;

	if (port->disc_addr.adrfam != NVMF_ADDR_FAMILY_FC) {
		pr_err("port %u: trtype fc needs adrfam fc\n", portid);
		return -EINVAL;
	}
	if (nvmet_fc_parse_traddr(port->disc_addr.traddr, &wwnn, &wwpn)) {
		pr_err("port %u: addr_traddr '%.*s' is not an FC address: write nn-0x<WWNN>:pn-0x<WWPN> (16 hex digits each)\n",
		       portid, NVMF_TRADDR_SIZE, port->disc_addr.traddr);
		return -EINVAL;
	}
	b = kzalloc_obj(*b);
	if (!b)
		return -ENOMEM;
	b->port = port;
	b->wwnn = wwnn;
	b->wwpn = wwpn;
	spin_lock_irqsave(&nvmet_fc_lock, flags);
	list_for_each_entry(tport, &nvmet_fc_tports, entry) {
		if (tport->fc.node_name != wwnn || tport->fc.port_name != wwpn)
			continue;
		if (tport->binding) {
			ret = -EALREADY;
		} else if (nvmet_fc_tport_get(tport)) {
			b->tport = tport;
			tport->binding = b;
			list_add_tail(&b->entry, &nvmet_fc_bindings);
			ret = 0;
		}
		break;
	}
	spin_unlock_irqrestore(&nvmet_fc_lock, flags);
	if (ret) {
		pr_err("port %u: %s FC target port WWNN 0x%016llx WWPN 0x%016llx: %s\n", portid,
		       ret == -EALREADY ? "another nvmet port already serves" : "no registered",
		       wwnn, wwpn, ret == -EALREADY ? "disable that port first" :
		       "load the HBA driver in target mode (or add an nvme-fcloop target port) first");
		kfree(b);
		return ret;
	}
	port->priv = b;
	return 0;
}

static void nvmet_fc_remove_port(struct nvmet_port *port)
{
	struct nvmet_fc_binding *b = port->priv;
	struct nvmet_fc_tport *tport;
	unsigned long flags;

	spin_lock_irqsave(&nvmet_fc_lock, flags);
	tport = b->tport;
	if (tport)
		tport->binding = NULL;
	b->tport = NULL;
	list_del(&b->entry);
	spin_unlock_irqrestore(&nvmet_fc_lock, flags);
	if (tport) {
		nvmet_fc_delete_assocs(tport, NULL);
		nvmet_fc_tport_put(tport);
	}
	kfree(b);
	port->priv = NULL;
}

static struct nvmet_fc_assoc *nvmet_fc_ctrl_assoc(struct nvmet_ctrl *ctrl)
{
	struct nvmet_fc_queue *queue;

	if (!ctrl->sqs || !ctrl->sqs[0])
		return NULL;
	queue = container_of(ctrl->sqs[0], struct nvmet_fc_queue, sq);
	return queue->assoc;
}

static void nvmet_fc_delete_ctrl(struct nvmet_ctrl *ctrl)
{
	struct nvmet_fc_assoc *assoc;

	mutex_lock(&ctrl->lock);
	assoc = nvmet_fc_ctrl_assoc(ctrl);
	if (assoc)
		nvmet_fc_schedule_delete(assoc);
	mutex_unlock(&ctrl->lock);
}

/* True when a command of NS on QUEUE waits for write data (WRITEDATA with the LLD). */
static bool nvmet_fc_queue_stalled(struct nvmet_fc_queue *queue, struct nvmet_ns *ns)
{
	unsigned long flags;
	bool stalled = false;
	int i;

	spin_lock_irqsave(&queue->lock, flags);
	for (i = 0; i < queue->entries && !stalled; i++)
		stalled = queue->cmds[i].write_active && queue->cmds[i].req.ns == ns;
	spin_unlock_irqrestore(&queue->lock, flags);
	return stalled;
}

/*
 * NS is being disabled and a command of it still waits for write data the
 * host has not sent: the association goes (its exchanges are aborted), as
 * a TCP queue is closed, instead of waiting for the LLD's op timeout.
 * ctrl->lock keeps the admin queue, and so the association (freed after
 * it), while its I/O queues are looked at with a reference each.
 */
static void nvmet_fc_ns_stalled(struct nvmet_ctrl *ctrl, struct nvmet_ns *ns)
{
	struct nvmet_fc_assoc *assoc;
	struct nvmet_fc_queue *queue;
	unsigned long flags;
	bool stalled = false;
	int qid;

	mutex_lock(&ctrl->lock);
	assoc = nvmet_fc_ctrl_assoc(ctrl);
	for (qid = 1; assoc && qid <= NVMET_NR_QUEUES && !stalled; qid++) {
		spin_lock_irqsave(&assoc->tport->lock, flags);
		queue = assoc->queues[qid];
		if (queue && !kref_get_unless_zero(&queue->ref))
			queue = NULL;
		spin_unlock_irqrestore(&assoc->tport->lock, flags);
		if (!queue)
			continue;
		stalled = nvmet_fc_queue_stalled(queue, ns);
		nvmet_fc_queue_put(queue);
	}
	if (stalled) {
		pr_warn("target port %u: association 0x%016llx deleted: it holds a write of %s namespace %u, which is being disabled, without its data for %d s\n",
			assoc->tport->fc.port_num, assoc->id, ctrl->subsysnqn, ns->nsid,
			NVMET_NS_DISABLE_GRACE_SECS);
		nvmet_fc_schedule_delete(assoc);
	}
	mutex_unlock(&ctrl->lock);
}

static ssize_t nvmet_fc_host_traddr(struct nvmet_ctrl *ctrl, char *traddr, size_t len)
{
	struct nvmet_fc_assoc *assoc = nvmet_fc_ctrl_assoc(ctrl);
	struct nvmet_fc_tport *tport;
	u64 wwnn, wwpn;

	if (!assoc)
		return -EINVAL;
	tport = assoc->tport;
	if (!tport->ops->host_traddr || tport->ops->host_traddr(assoc->host->handle, &wwnn, &wwpn))
		return 0;
	return snprintf(traddr, len, "nn-0x%llx:pn-0x%llx", wwnn, wwpn);
}

/* Connect must name the queue of its connection and fit its slots. */
static u16 nvmet_fc_install_queue(struct nvmet_sq *sq)
{
	struct nvmet_fc_queue *queue = container_of(sq, struct nvmet_fc_queue, sq);

	if (sq->qid != queue->qid) {
		pr_err("target port %u: Connect for queue %u on the connection of queue %u\n",
		       queue->assoc->tport->fc.port_num, sq->qid, queue->qid);
		return NVME_SC_CONNECT_INVALID_PARAM | NVME_STATUS_DNR;
	}
	if (sq->size > queue->entries) {
		pr_err("target port %u: Connect asks for %u entries on queue %u, its connection has %u\n",
		       queue->assoc->tport->fc.port_num, sq->size, queue->qid, queue->entries);
		return NVME_SC_CONNECT_INVALID_PARAM | NVME_STATUS_DNR;
	}
	return 0;
}

static void nvmet_fc_discovery_chg(struct nvmet_port *port)
{
	struct nvmet_fc_binding *b = port->priv;
	struct nvmet_fc_tport *tport = NULL;
	unsigned long flags;

	spin_lock_irqsave(&nvmet_fc_lock, flags);
	if (b && b->tport && nvmet_fc_tport_get(b->tport))
		tport = b->tport;
	spin_unlock_irqrestore(&nvmet_fc_lock, flags);
	if (!tport)
		return;
	/* The LLD sends an RSCN; hosts read the discovery log again. */
	if (tport->ops->discovery_event)
		tport->ops->discovery_event(&tport->fc);
	nvmet_fc_tport_put(tport);
}

static u8 nvmet_fc_get_mdts(const struct nvmet_ctrl *ctrl)
{
	return NVMET_FC_MDTS;
}

static const struct nvmet_fabrics_ops nvmet_fc_ops = {
	.owner			= THIS_MODULE,
	.type			= NVMF_TRTYPE_FC,
	.msdbd			= 1,
	.add_port		= nvmet_fc_add_port,
	.remove_port		= nvmet_fc_remove_port,
	.queue_response		= nvmet_fc_queue_response,
	.delete_ctrl		= nvmet_fc_delete_ctrl,
	.ns_stalled		= nvmet_fc_ns_stalled,
	.host_traddr		= nvmet_fc_host_traddr,
	.install_queue		= nvmet_fc_install_queue,
	.discovery_chg		= nvmet_fc_discovery_chg,
	.get_mdts		= nvmet_fc_get_mdts,
};

static int __init nvmet_fc_init(void)
{
	return nvmet_register_transport(&nvmet_fc_ops);
}
module_init(nvmet_fc_init);

static void __exit nvmet_fc_exit(void)
{
	/* LLDs that imported our symbols are gone (they hold this module). */
	flush_workqueue(nvmet_wq);
	if (!list_empty(&nvmet_fc_tports))
		pr_err("unloaded with FC target ports still registered\n");
	nvmet_unregister_transport(&nvmet_fc_ops);
	ida_destroy(&nvmet_fc_port_nums);
}
module_exit(nvmet_fc_exit);

MODULE_DESCRIPTION("nvmet-oot NVMe/FC target transport");
MODULE_LICENSE("GPL");
MODULE_VERSION(NVMET_OOT_VERSION);
MODULE_ALIAS("nvmet-transport-2");
