// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-oot: the NVMe over RDMA transport of the target (NVMe over Fabrics
 * 1.1, RDMA transport binding), module nvmet-rdma.
 *
 * One RDMA_CM listener per enabled port; one queue per accepted connection,
 * each with its own completion queue and RC queue pair. A command capsule
 * arrives as an RDMA SEND into a receive buffer (the SQE, then in-capsule
 * data on I/O queues); its response goes back as an RDMA SEND (with
 * Invalidate when the host asked for it). Data described by a keyed SGL is
 * moved with the rdma_rw API: RDMA READ before a write executes, RDMA WRITE
 * chained in front of the response of a read. Every field of the RDMA_CM
 * private data and of the SGL descriptor is checked by the pure helpers of
 * wire/rdma.c before it is used.
 *
 * Completions of a queue are handled in its CQ's work (IB_POLL_WORKQUEUE):
 * receive, RDMA READ done and send done run one at a time per queue, and
 * commands start from there. Responses arrive from any context through
 * queue_response(), which only posts.
 *
 * Send queue budget: the queue pair has one send slot per command for its
 * response, so responses never wait; RDMA READ/WRITE work requests draw on
 * a separate budget (rw_avail), and a command whose transfer does not fit
 * waits, in arrival order, until earlier ones give theirs back.
 *
 * A queue is torn down by its release work only: it disconnects, drops the
 * commands that never started, waits for those in the core, drains the
 * queue pair and frees everything.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/init.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/inet.h>
#include <linux/scatterlist.h>
#include <linux/nvme-rdma.h>
#include <rdma/ib_cm.h>
#include <rdma/ib_verbs.h>
#include <rdma/rdma_cm.h>
#include <rdma/rw.h>

#include "nvmet.h"
#include "wire/rdma.h"
#include "wire/cmd.h"

/* In-capsule data on I/O queues when the port does not say, and the most. */
#define NVMET_RDMA_DEF_INLINE_DATA_SIZE	PAGE_SIZE
#define NVMET_RDMA_MAX_INLINE_DATA_SIZE	max_t(int, SZ_16K, PAGE_SIZE)
#define NVMET_RDMA_MAX_INLINE_PAGES	DIV_ROUND_UP(SZ_16K, PAGE_SIZE)
/*
 * Largest transfer of one command, as Identify reports it (MDTS, log2 of
 * 4 KiB pages); larger keyed SGLs are refused before anything is allocated.
 */
#define NVMET_RDMA_MDTS			8
#define NVMET_RDMA_MAX_XFER		(SZ_4K << NVMET_RDMA_MDTS)
/* Queue entries on I/O queues: the port default and the most (as in-tree). */
#define NVMET_RDMA_DEF_QUEUE_SIZE	NVME_RDMA_DEFAULT_QUEUE_SIZE
#define NVMET_RDMA_MAX_QUEUE_SIZE	NVME_RDMA_MAX_QUEUE_SIZE
#define NVMET_RDMA_BACKLOG		128
/* A connection must complete its Connect command within this time. */
#define NVMET_RDMA_CONNECT_TIMEOUT	(10 * HZ)
/* A listener lost to an address change or device removal is retried this often. */
#define NVMET_RDMA_REPAIR_DELAY		(5 * HZ)
#define NVMET_RDMA_MIN_SRQ_SIZE		256

static bool use_srq;
module_param(use_srq, bool, 0444);
MODULE_PARM_DESC(use_srq, "Use shared receive queue.");

static int nvmet_rdma_set_srq_size(const char *val, const struct kernel_param *kp)
{
	int n, ret;

	ret = kstrtoint(val, 10, &n);
	if (ret)
		return ret;
	if (n < NVMET_RDMA_MIN_SRQ_SIZE) {
		pr_err("srq_size %d refused: it must be at least %d\n", n,
		       NVMET_RDMA_MIN_SRQ_SIZE);
		return -EINVAL;
	}
	return param_set_int(val, kp);
}

static const struct kernel_param_ops nvmet_rdma_srq_size_ops = {
	.set = nvmet_rdma_set_srq_size,
	.get = param_get_int,
};

/* Read when a device is first used; devices in use keep their size. */
static int srq_size = 1024;
module_param_cb(srq_size, &nvmet_rdma_srq_size_ops, &srq_size, 0644);
MODULE_PARM_DESC(srq_size, "set Shared Receive Queue (SRQ) size, should >= 256 (default: 1024)");

struct nvmet_rdma_dev;
struct nvmet_rdma_queue;

/*
 * One receive buffer: the SQE and, on I/O queues, in-capsule data pages.
 * Owned by a queue (queue set) or by a shared receive queue (srq set).
 */
struct nvmet_rdma_recv {
	struct ib_cqe		cqe;
	struct ib_recv_wr	wr;
	struct ib_sge		sge[1 + NVMET_RDMA_MAX_INLINE_PAGES];
	struct nvme_command	*sqe;
	struct page		*pages[NVMET_RDMA_MAX_INLINE_PAGES];
	u32			nr_pages;
	struct nvmet_rdma_queue	*queue;
	struct nvmet_rdma_srq	*srq;
};

/* A shared receive queue of a device: one per completion vector used. */
struct nvmet_rdma_srq {
	struct ib_srq		*srq;
	struct nvmet_rdma_dev	*dev;
	struct nvmet_rdma_recv	*recvs;
	u32			nr;
};

/* One command in flight: request, response and data transfer. */
struct nvmet_rdma_cmd {
	struct nvmet_rdma_queue	*queue;
	struct list_head	entry;		/* free, pending or rw_wait list */
	struct nvmet_req	req;
	/* Data flows to the controller (RDMA READ); the SQE may be reused before the end. */
	bool			write;
	struct nvmet_rdma_recv	*recv;		/* its capsule, until the response */
	u32			incapsule_len;	/* bytes after the SQE */
	struct nvme_completion	*cqe;		/* queue->cqes[i], DMA-mapped */
	u64			cqe_dma;
	struct ib_cqe		send_cqe;
	struct ib_cqe		read_cqe;
	struct ib_send_wr	send_wr;
	struct ib_sge		send_sge;
	/* Keyed SGL transfer; rw_valid while rw is initialized. */
	struct rdma_rw_ctx	rw;
	bool			rw_valid;
	u32			rw_wrs;		/* budget held (queue->rw_avail) */
	u64			remote_addr;
	u32			rkey;
	bool			invalidate;	/* Send with Invalidate of rkey */
	struct scatterlist	inline_sg[NVMET_RDMA_MAX_INLINE_PAGES];
};

enum nvmet_rdma_queue_state {
	NVMET_RDMA_Q_CONNECTING,	/* accepted, not yet established */
	NVMET_RDMA_Q_LIVE,
	NVMET_RDMA_Q_CLOSING,		/* release_work is queued; set once */
};

/* What an RDMA_CM id's context points at: a port's listener or a queue. */
enum nvmet_rdma_ctx_kind {
	NVMET_RDMA_CTX_PORT,
	NVMET_RDMA_CTX_QUEUE,
};

struct nvmet_rdma_port {
	enum nvmet_rdma_ctx_kind kind;		/* NVMET_RDMA_CTX_PORT, first */
	struct nvmet_port	*nport;
	struct sockaddr_storage	addr;
	/* The listener; taken with xchg by whoever destroys it. */
	struct rdma_cm_id	*cm_id;
	struct delayed_work	repair_work;
};

struct nvmet_rdma_queue {
	enum nvmet_rdma_ctx_kind kind;		/* NVMET_RDMA_CTX_QUEUE, first */
	struct rdma_cm_id	*cm_id;
	struct ib_qp		*qp;
	struct ib_cq		*cq;
	struct nvmet_rdma_dev	*dev;		/* holds a reference */
	struct nvmet_rdma_port	*port;		/* compared only, never dereferenced */
	struct nvmet_port	*nport;		/* holds a reference */
	struct nvmet_sq		sq;
	struct nvmet_cq		nvme_cq;
	unsigned int		id;		/* for log messages */
	struct sockaddr_storage	peer_addr;
	u16			host_qid;	/* from the RDMA_CM request */
	u32			entries;	/* commands, as the RDMA_CM request sized it */
	u32			nr_cmds;	/* entries, and the AERs on the admin queue */
	u32			inline_size;	/* in-capsule bytes a capsule may bring */
	u32			nr_cqe;
	struct nvmet_rdma_srq	*srq;		/* NULL: the queue's own receive buffers */
	struct nvmet_rdma_recv	*recvs;		/* [nr_cmds] without srq */
	struct nvmet_rdma_cmd	*cmds;		/* [nr_cmds] */
	struct nvme_completion	*cqes;		/* [nr_cmds] */
	bool			connected;	/* Connect succeeded (install_queue) */

	/*
	 * lock (irqsave: queue_response runs in any context) protects state,
	 * the command lists and rw_avail.
	 */
	spinlock_t		lock;
	enum nvmet_rdma_queue_state state;
	struct list_head	free_cmds;
	struct list_head	pending;	/* received while CONNECTING */
	struct list_head	rw_wait;	/* wait for rw_avail, in arrival order */
	u32			rw_avail;	/* RDMA READ/WRITE work requests left */
	u32			rw_max;		/* the most one command may use */

	struct work_struct	release_work;
	struct delayed_work	connect_timer;
	struct list_head	entry;		/* nvmet_rdma_queues, under its mutex */
};

/*
 * A device in use: its protection domain and shared receive queues. One
 * reference per queue on it; the list (under nvmet_rdma_devs_lock) holds
 * none.
 */
struct nvmet_rdma_dev {
	struct ib_device	*ibdev;
	struct ib_pd		*pd;
	struct kref		ref;
	struct list_head	entry;
	struct nvmet_rdma_srq	*srqs;		/* NULL without use_srq */
	u32			nr_srqs;
	u32			srq_size;
	u32			srq_inline_size;	/* in-capsule bytes SRQ buffers hold */
	u16			srq_portid;		/* the port they were sized for */
	u32			max_inline_pages;	/* what the receive SGE limit allows */
};

static const struct nvmet_fabrics_ops nvmet_rdma_ops;

/* release_work of the queues and repair_work of the ports. */
static struct workqueue_struct *nvmet_rdma_wq;

static LIST_HEAD(nvmet_rdma_queues);
static DEFINE_MUTEX(nvmet_rdma_queues_lock);
static atomic_t nvmet_rdma_queue_ids = ATOMIC_INIT(0);

static LIST_HEAD(nvmet_rdma_devs);
static DEFINE_MUTEX(nvmet_rdma_devs_lock);

/* --- helpers ------------------------------------------------------------ */

static void nvmet_rdma_close(struct nvmet_rdma_queue *queue)
{
	unsigned long flags;
	bool queue_it = false;

	spin_lock_irqsave(&queue->lock, flags);
	if (queue->state != NVMET_RDMA_Q_CLOSING) {
		queue->state = NVMET_RDMA_Q_CLOSING;
		queue_it = true;
	}
	spin_unlock_irqrestore(&queue->lock, flags);
	if (queue_it)
		queue_work(nvmet_rdma_wq, &queue->release_work);
}

static bool nvmet_rdma_closing(struct nvmet_rdma_queue *queue)
{
	return READ_ONCE(queue->state) == NVMET_RDMA_Q_CLOSING;
}

static u16 nvmet_rdma_portid(const struct nvmet_port *nport)
{
	return le16_to_cpu(nport->disc_addr.portid);
}

/* --- receive buffers ---------------------------------------------------- */

static void nvmet_rdma_recv_done(struct ib_cq *cq, struct ib_wc *wc);

static void nvmet_rdma_free_recv(struct ib_device *ibdev, struct nvmet_rdma_recv *recv)
{
	u32 i;

	for (i = 0; i < recv->nr_pages; i++) {
		ib_dma_unmap_page(ibdev, recv->sge[1 + i].addr, PAGE_SIZE, DMA_FROM_DEVICE);
		__free_page(recv->pages[i]);
	}
	recv->nr_pages = 0;
	if (recv->sqe) {
		ib_dma_unmap_single(ibdev, recv->sge[0].addr, sizeof(*recv->sqe),
				    DMA_FROM_DEVICE);
		kfree(recv->sqe);
		recv->sqe = NULL;
	}
}

/* A buffer for the SQE and INLINE_PAGES pages of in-capsule data. */
static int nvmet_rdma_alloc_recv(struct nvmet_rdma_dev *dev, struct nvmet_rdma_recv *recv,
				 u32 inline_pages)
{
	struct ib_device *ibdev = dev->ibdev;
	u32 i;

	recv->sqe = kzalloc_obj(*recv->sqe);
	if (!recv->sqe)
		return -ENOMEM;
	recv->sge[0].addr = ib_dma_map_single(ibdev, recv->sqe, sizeof(*recv->sqe),
					      DMA_FROM_DEVICE);
	if (ib_dma_mapping_error(ibdev, recv->sge[0].addr)) {
		kfree(recv->sqe);
		recv->sqe = NULL;
		return -ENOMEM;
	}
	recv->sge[0].length = sizeof(*recv->sqe);
	recv->sge[0].lkey = dev->pd->local_dma_lkey;

	for (i = 0; i < inline_pages; i++) {
		struct ib_sge *sge = &recv->sge[1 + i];

		recv->pages[i] = alloc_page(GFP_KERNEL);
		if (!recv->pages[i])
			goto fail;
		sge->addr = ib_dma_map_page(ibdev, recv->pages[i], 0, PAGE_SIZE,
					    DMA_FROM_DEVICE);
		if (ib_dma_mapping_error(ibdev, sge->addr)) {
			__free_page(recv->pages[i]);
			goto fail;
		}
		sge->length = PAGE_SIZE;
		sge->lkey = dev->pd->local_dma_lkey;
		recv->nr_pages = i + 1;
	}

	recv->cqe.done = nvmet_rdma_recv_done;
	recv->wr.wr_cqe = &recv->cqe;
	recv->wr.sg_list = recv->sge;
	recv->wr.num_sge = 1 + inline_pages;
	recv->wr.next = NULL;
	return 0;

fail:
	nvmet_rdma_free_recv(ibdev, recv);
	return -ENOMEM;
}

static struct ib_device *nvmet_rdma_recv_ibdev(struct nvmet_rdma_recv *recv)
{
	return recv->srq ? recv->srq->dev->ibdev : recv->queue->dev->ibdev;
}

static int nvmet_rdma_post_recv(struct nvmet_rdma_recv *recv)
{
	struct ib_device *ibdev = nvmet_rdma_recv_ibdev(recv);
	u32 i;

	ib_dma_sync_single_for_device(ibdev, recv->sge[0].addr, recv->sge[0].length,
				      DMA_FROM_DEVICE);
	for (i = 0; i < recv->nr_pages; i++)
		ib_dma_sync_single_for_device(ibdev, recv->sge[1 + i].addr, PAGE_SIZE,
					      DMA_FROM_DEVICE);
	if (recv->srq)
		return ib_post_srq_recv(recv->srq->srq, &recv->wr, NULL);
	return ib_post_recv(recv->queue->qp, &recv->wr, NULL);
}

/*
 * A command is done with its capsule: the buffer takes the next one. A
 * closing queue's own buffers are not posted again (its queue pair is in
 * error); a shared buffer always is.
 */
static void nvmet_rdma_put_recv(struct nvmet_rdma_recv *recv)
{
	int ret;

	if (!recv || (!recv->srq && nvmet_rdma_closing(recv->queue)))
		return;
	ret = nvmet_rdma_post_recv(recv);
	if (ret && !recv->srq) {
		pr_err_ratelimited("queue %u: cannot post a receive buffer: %d\n",
				   recv->queue->id, ret);
		nvmet_rdma_close(recv->queue);
	} else if (ret) {
		pr_err_ratelimited("%s: cannot post a shared receive buffer: %d\n",
				   dev_name(&recv->srq->dev->ibdev->dev), ret);
	}
}

/* --- devices and shared receive queues ---------------------------------- */

static void nvmet_rdma_free_srq(struct nvmet_rdma_srq *srq)
{
	u32 i;

	if (srq->srq)
		ib_destroy_srq(srq->srq);
	for (i = 0; srq->recvs && i < srq->nr; i++)
		nvmet_rdma_free_recv(srq->dev->ibdev, &srq->recvs[i]);
	kvfree(srq->recvs);
}

static int nvmet_rdma_init_srq(struct nvmet_rdma_dev *dev, struct nvmet_rdma_srq *srq,
			       u32 inline_pages)
{
	struct ib_srq_init_attr attr = { };
	u32 i;
	int ret;

	srq->dev = dev;
	srq->nr = dev->srq_size;
	srq->recvs = kvcalloc(srq->nr, sizeof(*srq->recvs), GFP_KERNEL);
	if (!srq->recvs)
		return -ENOMEM;
	attr.attr.max_wr = srq->nr;
	attr.attr.max_sge = 1 + inline_pages;
	attr.srq_type = IB_SRQT_BASIC;
	srq->srq = ib_create_srq(dev->pd, &attr);
	if (IS_ERR(srq->srq)) {
		ret = PTR_ERR(srq->srq);
		srq->srq = NULL;
		return ret;
	}
	for (i = 0; i < srq->nr; i++) {
		srq->recvs[i].srq = srq;
		ret = nvmet_rdma_alloc_recv(dev, &srq->recvs[i], inline_pages);
		if (ret)
			return ret;
		ret = nvmet_rdma_post_recv(&srq->recvs[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static void nvmet_rdma_free_srqs(struct nvmet_rdma_dev *dev)
{
	u32 i;

	for (i = 0; dev->srqs && i < dev->nr_srqs; i++)
		nvmet_rdma_free_srq(&dev->srqs[i]);
	kfree(dev->srqs);
	dev->srqs = NULL;
	dev->nr_srqs = 0;
}

/*
 * Shared receive queues for a device, one per completion vector (as many
 * as the device allows), their buffers sized for NPORT's in-capsule data.
 * A device without them gets none: its queues use their own buffers.
 */
static int nvmet_rdma_init_srqs(struct nvmet_rdma_dev *dev, struct nvmet_port *nport,
				u32 inline_size)
{
	const struct ib_device_attr *attrs = &dev->ibdev->attrs;
	u32 i, inline_pages = DIV_ROUND_UP(inline_size, PAGE_SIZE);
	int ret;

	if (!attrs->max_srq || !attrs->max_srq_wr) {
		pr_info("%s: use_srq is set but the device has no shared receive queues; its queues use their own receive buffers\n",
			dev_name(&dev->ibdev->dev));
		return 0;
	}
	dev->srq_size = min_t(u32, attrs->max_srq_wr, READ_ONCE(srq_size));
	dev->nr_srqs = min_t(u32, dev->ibdev->num_comp_vectors, attrs->max_srq);
	dev->srqs = kcalloc(dev->nr_srqs, sizeof(*dev->srqs), GFP_KERNEL);
	if (!dev->srqs)
		return -ENOMEM;
	for (i = 0; i < dev->nr_srqs; i++) {
		ret = nvmet_rdma_init_srq(dev, &dev->srqs[i], inline_pages);
		if (ret) {
			pr_err("%s: cannot create shared receive queue %u of %u (%u entries): %d\n",
			       dev_name(&dev->ibdev->dev), i, dev->nr_srqs, dev->srq_size, ret);
			nvmet_rdma_free_srqs(dev);
			return ret;
		}
	}
	dev->srq_inline_size = inline_size;
	dev->srq_portid = nvmet_rdma_portid(nport);
	pr_debug("%s: %u shared receive queues of %u entries, %u bytes in-capsule (port %u)\n",
		 dev_name(&dev->ibdev->dev), dev->nr_srqs, dev->srq_size, inline_size,
		 dev->srq_portid);
	return 0;
}

static void nvmet_rdma_dev_free(struct kref *ref)
{
	struct nvmet_rdma_dev *dev = container_of(ref, struct nvmet_rdma_dev, ref);

	mutex_lock(&nvmet_rdma_devs_lock);
	list_del(&dev->entry);
	mutex_unlock(&nvmet_rdma_devs_lock);
	nvmet_rdma_free_srqs(dev);
	ib_dealloc_pd(dev->pd);
	kfree(dev);
}

static void nvmet_rdma_dev_put(struct nvmet_rdma_dev *dev)
{
	kref_put(&dev->ref, nvmet_rdma_dev_free);
}

/*
 * The device of a new connection on NPORT, with a reference. Also fits
 * the port's in-capsule data size to what the device can receive, as the
 * in-tree transport does (Identify reports the reduced size).
 */
static struct nvmet_rdma_dev *nvmet_rdma_dev_get(struct ib_device *ibdev,
						 struct nvmet_port *nport)
{
	const struct ib_device_attr *attrs = &ibdev->attrs;
	struct nvmet_rdma_dev *dev;
	u32 max_pages, inline_size;
	int ret;

	/* One receive SGE is the SQE's. */
	max_pages = min_t(u32, NVMET_RDMA_MAX_INLINE_PAGES,
			  attrs->max_recv_sge > 1 ? attrs->max_recv_sge - 1 : 0);
	inline_size = max(READ_ONCE(nport->inline_data_size), 0);
	if (inline_size > max_pages * PAGE_SIZE) {
		pr_warn("port %u: param_inline_data_size %u is more than device %s can receive; reducing it to %lu\n",
			nvmet_rdma_portid(nport), inline_size, dev_name(&ibdev->dev),
			max_pages * PAGE_SIZE);
		inline_size = max_pages * PAGE_SIZE;
		WRITE_ONCE(nport->inline_data_size, inline_size);
	}

	mutex_lock(&nvmet_rdma_devs_lock);
	list_for_each_entry(dev, &nvmet_rdma_devs, entry) {
		if (dev->ibdev == ibdev && kref_get_unless_zero(&dev->ref))
			goto out;
	}
	dev = kzalloc_obj(*dev);
	if (!dev) {
		dev = ERR_PTR(-ENOMEM);
		goto out;
	}
	dev->ibdev = ibdev;
	dev->max_inline_pages = max_pages;
	kref_init(&dev->ref);
	dev->pd = ib_alloc_pd(ibdev, 0);
	if (IS_ERR(dev->pd)) {
		ret = PTR_ERR(dev->pd);
		pr_err("%s: cannot allocate a protection domain: %d\n", dev_name(&ibdev->dev), ret);
		kfree(dev);
		dev = ERR_PTR(ret);
		goto out;
	}
	if (use_srq) {
		ret = nvmet_rdma_init_srqs(dev, nport, inline_size);
		if (ret) {
			ib_dealloc_pd(dev->pd);
			kfree(dev);
			dev = ERR_PTR(ret);
			goto out;
		}
	}
	list_add(&dev->entry, &nvmet_rdma_devs);
out:
	mutex_unlock(&nvmet_rdma_devs_lock);
	return dev;
}

/* --- commands ----------------------------------------------------------- */

static void nvmet_rdma_send_done(struct ib_cq *cq, struct ib_wc *wc);
static void nvmet_rdma_read_done(struct ib_cq *cq, struct ib_wc *wc);
static void nvmet_rdma_start_cmd(struct nvmet_rdma_cmd *cmd);

static enum dma_data_direction nvmet_rdma_data_dir(const struct nvmet_rdma_cmd *cmd)
{
	return cmd->write ? DMA_FROM_DEVICE : DMA_TO_DEVICE;
}

/*
 * Gives back budget and lets waiting commands start, in arrival order, as
 * far as it now reaches. Waiting commands of a closing queue stay for the
 * release work.
 */
static void nvmet_rdma_put_rw(struct nvmet_rdma_queue *queue, u32 n)
{
	struct nvmet_rdma_cmd *cmd;
	unsigned long flags;
	LIST_HEAD(ready);

	spin_lock_irqsave(&queue->lock, flags);
	queue->rw_avail += n;
	while (queue->state != NVMET_RDMA_Q_CLOSING && !list_empty(&queue->rw_wait)) {
		cmd = list_first_entry(&queue->rw_wait, struct nvmet_rdma_cmd, entry);
		if (cmd->rw_wrs > queue->rw_avail)
			break;
		queue->rw_avail -= cmd->rw_wrs;
		list_move_tail(&cmd->entry, &ready);
	}
	spin_unlock_irqrestore(&queue->lock, flags);

	while (!list_empty(&ready)) {
		cmd = list_first_entry(&ready, struct nvmet_rdma_cmd, entry);
		list_del_init(&cmd->entry);
		nvmet_rdma_start_cmd(cmd);
	}
}

/* Takes CMD's budget now (true) or queues it behind earlier waiters (false). */
static bool nvmet_rdma_get_rw(struct nvmet_rdma_cmd *cmd)
{
	struct nvmet_rdma_queue *queue = cmd->queue;
	unsigned long flags;
	bool got = false;

	spin_lock_irqsave(&queue->lock, flags);
	if (queue->state == NVMET_RDMA_Q_CLOSING) {
		/* Its work requests flush: the command ends through them. */
		cmd->rw_wrs = 0;
		got = true;
	} else if (list_empty(&queue->rw_wait) && cmd->rw_wrs <= queue->rw_avail) {
		queue->rw_avail -= cmd->rw_wrs;
		got = true;
	} else {
		list_add_tail(&cmd->entry, &queue->rw_wait);
	}
	spin_unlock_irqrestore(&queue->lock, flags);
	return got;
}

static void nvmet_rdma_destroy_rw(struct nvmet_rdma_cmd *cmd)
{
	struct nvmet_rdma_queue *queue = cmd->queue;

	if (!cmd->rw_valid)
		return;
	rdma_rw_ctx_destroy(&cmd->rw, queue->qp, queue->cm_id->port_num, cmd->req.sg,
			    cmd->req.sg_cnt, nvmet_rdma_data_dir(cmd));
	cmd->rw_valid = false;
}

/* The command is over: everything it held goes back, the slot is free. */
static void nvmet_rdma_release_cmd(struct nvmet_rdma_cmd *cmd)
{
	struct nvmet_rdma_queue *queue = cmd->queue;
	unsigned long flags;
	u32 rw = cmd->rw_wrs;

	nvmet_rdma_destroy_rw(cmd);
	if (cmd->req.sg && cmd->req.sg != cmd->inline_sg)
		nvmet_req_free_sgls(&cmd->req);
	cmd->req.sg = NULL;
	cmd->req.sg_cnt = 0;
	nvmet_rdma_put_recv(cmd->recv);
	cmd->recv = NULL;
	cmd->rw_wrs = 0;

	spin_lock_irqsave(&queue->lock, flags);
	list_add_tail(&cmd->entry, &queue->free_cmds);
	spin_unlock_irqrestore(&queue->lock, flags);
	if (rw)
		nvmet_rdma_put_rw(queue, rw);
}

static void nvmet_rdma_execute(struct nvmet_rdma_cmd *cmd)
{
	cmd->req.execute(&cmd->req);
}

/* Budget in hand: fetch a write's data, or execute. */
static void nvmet_rdma_start_cmd(struct nvmet_rdma_cmd *cmd)
{
	struct nvmet_rdma_queue *queue = cmd->queue;
	int ret;

	if (!cmd->rw_valid || nvmet_rdma_data_dir(cmd) != DMA_FROM_DEVICE) {
		nvmet_rdma_execute(cmd);
		return;
	}
	ret = rdma_rw_ctx_post(&cmd->rw, queue->qp, queue->cm_id->port_num, &cmd->read_cqe,
			       NULL);
	if (ret) {
		pr_err_ratelimited("queue %u: cannot post the RDMA READ of a command's data: %d\n",
				   queue->id, ret);
		nvmet_req_complete(&cmd->req, NVME_SC_DATA_XFER_ERROR);
	}
}

/*
 * In-capsule data: the command's buffer is the capsule's pages. The wire
 * check keeps OFF + LEN (LEN > 0) within what was received, hence within
 * the buffer's pages.
 */
static void nvmet_rdma_map_inline(struct nvmet_rdma_cmd *cmd, u32 off, u32 len)
{
	struct nvmet_rdma_recv *recv = cmd->recv;
	u32 page = off >> PAGE_SHIFT, poff = offset_in_page(off), n, i = 0;

	sg_init_table(cmd->inline_sg, ARRAY_SIZE(cmd->inline_sg));
	while (len) {
		n = min_t(u32, len, PAGE_SIZE - poff);
		sg_set_page(&cmd->inline_sg[i++], recv->pages[page++], n, poff);
		len -= n;
		poff = 0;
	}
	sg_mark_end(&cmd->inline_sg[i - 1]);
	cmd->req.sg = cmd->inline_sg;
	cmd->req.sg_cnt = i;
}

/* A keyed SGL: buffer and RDMA context; an NVMe status. */
static u16 nvmet_rdma_map_keyed(struct nvmet_rdma_cmd *cmd, const struct nvmet_wire_rdma_sgl *sgl)
{
	struct nvmet_rdma_queue *queue = cmd->queue;
	struct nvmet_req *req = &cmd->req;
	u16 status;
	int ret;

	req->transfer_len = sgl->length;
	status = nvmet_check_read_sgl_len(req);
	if (status)
		return status;
	if (!nvmet_req_buf_len(req))
		return 0;
	if (nvmet_req_alloc_sgls(req))
		return NVME_SC_INTERNAL;
	ret = rdma_rw_ctx_init(&cmd->rw, queue->qp, queue->cm_id->port_num, req->sg,
			       req->sg_cnt, 0, sgl->addr, sgl->key, nvmet_rdma_data_dir(cmd));
	if (ret < 0) {
		pr_err_ratelimited("queue %u: cannot map %zu bytes for RDMA: %d\n", queue->id,
				   nvmet_req_buf_len(req), ret);
		nvmet_req_free_sgls(req);
		return NVME_SC_INTERNAL;
	}
	cmd->rw_valid = true;
	cmd->rw_wrs = ret;
	if (cmd->rw_wrs > queue->rw_max) {
		pr_err_ratelimited("queue %u: a transfer of %zu bytes needs %u RDMA work requests, more than the queue's %u\n",
				   queue->id, nvmet_req_buf_len(req), cmd->rw_wrs, queue->rw_max);
		cmd->rw_wrs = 0;
		return NVME_SC_INTERNAL;
	}
	return 0;
}

/* A capsule received on a live queue: parse, move data, execute. */
static void nvmet_rdma_handle_cmd(struct nvmet_rdma_cmd *cmd)
{
	struct nvmet_rdma_queue *queue = cmd->queue;
	struct nvmet_req *req = &cmd->req;
	struct nvmet_wire_rdma_sgl sgl;
	u16 status;

	req->cmd = cmd->recv->sqe;
	req->cqe = cmd->cqe;
	memset(cmd->cqe, 0, sizeof(*cmd->cqe));
	req->cq = &queue->nvme_cq;
	req->port = queue->nport;
	req->sg = NULL;
	req->sg_cnt = 0;
	req->transfer_len = 0;
	cmd->rw_valid = false;
	cmd->rw_wrs = 0;
	cmd->invalidate = false;
	cmd->write = nvmet_wire_sqe_is_write((const u8 *)req->cmd);

	/* A failed init completes the command through queue_response(). */
	if (!nvmet_req_init(req, &queue->sq, &nvmet_rdma_ops))
		return;

	status = nvmet_wire_rdma_parse_sgl((const u8 *)req->cmd, cmd->incapsule_len,
					   NVMET_RDMA_MAX_XFER, &sgl);
	if (status) {
		req->error_loc = offsetof(struct nvme_common_command, dptr);
		goto fail;
	}
	/* The host may ask for its key to go with the response, data or not. */
	cmd->rkey = sgl.key;
	cmd->invalidate = sgl.invalidate;
	switch (sgl.kind) {
	case NVMET_WIRE_SGL_INCAPSULE:
		req->transfer_len = sgl.length;
		nvmet_rdma_map_inline(cmd, sgl.offset, sgl.length);
		break;
	case NVMET_WIRE_SGL_TRANSPORT:
		status = nvmet_rdma_map_keyed(cmd, &sgl);
		if (status)
			goto fail;
		break;
	default:
		break;
	}
	if (cmd->rw_wrs && !nvmet_rdma_get_rw(cmd))
		return;
	nvmet_rdma_start_cmd(cmd);
	return;

fail:
	nvmet_req_complete(req, status);
}

/* --- completions -------------------------------------------------------- */

static void nvmet_rdma_wc_error(struct nvmet_rdma_queue *queue, struct ib_wc *wc,
				const char *what)
{
	if (wc->status != IB_WC_WR_FLUSH_ERR)
		pr_err_ratelimited("queue %u (host %pISc): %s failed: %s (%d)\n", queue->id,
				   &queue->peer_addr, what, ib_wc_status_msg(wc->status),
				   wc->status);
	nvmet_rdma_close(queue);
}

static void nvmet_rdma_recv_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct nvmet_rdma_recv *recv = container_of(wc->wr_cqe, struct nvmet_rdma_recv, cqe);
	struct nvmet_rdma_queue *queue = cq->cq_context;
	struct ib_device *ibdev = queue->dev->ibdev;
	struct nvmet_rdma_cmd *cmd;
	unsigned long flags;
	u32 i, got;

	if (unlikely(wc->status != IB_WC_SUCCESS)) {
		nvmet_rdma_wc_error(queue, wc, "receive");
		/* A shared buffer must not be lost with this queue. */
		if (recv->srq)
			nvmet_rdma_put_recv(recv);
		return;
	}
	if (unlikely(wc->byte_len < sizeof(struct nvme_command))) {
		pr_err_ratelimited("queue %u (host %pISc): capsule of %u bytes, shorter than an SQE; closing\n",
				   queue->id, &queue->peer_addr, wc->byte_len);
		nvmet_rdma_close(queue);
		nvmet_rdma_put_recv(recv);
		return;
	}
	ib_dma_sync_single_for_cpu(ibdev, recv->sge[0].addr, recv->sge[0].length,
				   DMA_FROM_DEVICE);
	got = wc->byte_len - sizeof(struct nvme_command);
	for (i = 0; i < recv->nr_pages && i * PAGE_SIZE < got; i++)
		ib_dma_sync_single_for_cpu(ibdev, recv->sge[1 + i].addr, PAGE_SIZE,
					   DMA_FROM_DEVICE);

	spin_lock_irqsave(&queue->lock, flags);
	if (queue->state == NVMET_RDMA_Q_CLOSING) {
		spin_unlock_irqrestore(&queue->lock, flags);
		nvmet_rdma_put_recv(recv);
		return;
	}
	cmd = list_first_entry_or_null(&queue->free_cmds, struct nvmet_rdma_cmd, entry);
	if (unlikely(!cmd)) {
		spin_unlock_irqrestore(&queue->lock, flags);
		pr_err_ratelimited("queue %u (host %pISc): host sent more commands than the queue holds (%u); closing\n",
				   queue->id, &queue->peer_addr, queue->nr_cmds);
		nvmet_rdma_close(queue);
		nvmet_rdma_put_recv(recv);
		return;
	}
	list_del_init(&cmd->entry);
	cmd->recv = recv;
	cmd->incapsule_len = got;
	if (queue->state == NVMET_RDMA_Q_CONNECTING) {
		/* Sent before our side saw the connection established. */
		list_add_tail(&cmd->entry, &queue->pending);
		spin_unlock_irqrestore(&queue->lock, flags);
		return;
	}
	spin_unlock_irqrestore(&queue->lock, flags);
	nvmet_rdma_handle_cmd(cmd);
}

static void nvmet_rdma_read_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct nvmet_rdma_cmd *cmd = container_of(wc->wr_cqe, struct nvmet_rdma_cmd, read_cqe);
	struct nvmet_rdma_queue *queue = cmd->queue;
	u32 rw = cmd->rw_wrs;

	/* The READs are done: their budget goes back, the data is the CPU's. */
	nvmet_rdma_destroy_rw(cmd);
	cmd->rw_wrs = 0;
	nvmet_rdma_put_rw(queue, rw);

	if (unlikely(wc->status != IB_WC_SUCCESS)) {
		nvmet_req_uninit(&cmd->req);
		nvmet_rdma_release_cmd(cmd);
		nvmet_rdma_wc_error(queue, wc, "RDMA READ of a command's data");
		return;
	}
	nvmet_rdma_execute(cmd);
}

static void nvmet_rdma_send_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct nvmet_rdma_cmd *cmd = container_of(wc->wr_cqe, struct nvmet_rdma_cmd, send_cqe);
	struct nvmet_rdma_queue *queue = cmd->queue;

	nvmet_rdma_release_cmd(cmd);
	if (unlikely(wc->status != IB_WC_SUCCESS))
		nvmet_rdma_wc_error(queue, wc, "send of a response");
}

/* From any context: the response (after a read's data) goes out. */
static void nvmet_rdma_queue_response(struct nvmet_req *req)
{
	struct nvmet_rdma_cmd *cmd = container_of(req, struct nvmet_rdma_cmd, req);
	struct nvmet_rdma_queue *queue = cmd->queue;
	struct ib_send_wr *first = &cmd->send_wr;
	int ret;

	/* Done with the SQE and in-capsule data: the buffer takes the next capsule. */
	nvmet_rdma_put_recv(cmd->recv);
	cmd->recv = NULL;

	if (cmd->invalidate) {
		cmd->send_wr.opcode = IB_WR_SEND_WITH_INV;
		cmd->send_wr.ex.invalidate_rkey = cmd->rkey;
	} else {
		cmd->send_wr.opcode = IB_WR_SEND;
	}
	if (cmd->rw_valid && nvmet_rdma_data_dir(cmd) == DMA_TO_DEVICE && !req->cqe->status)
		first = rdma_rw_ctx_wrs(&cmd->rw, queue->qp, queue->cm_id->port_num, NULL,
					&cmd->send_wr);
	ib_dma_sync_single_for_device(queue->dev->ibdev, cmd->cqe_dma, sizeof(*cmd->cqe),
				      DMA_TO_DEVICE);
	ret = ib_post_send(queue->qp, first, NULL);
	if (unlikely(ret)) {
		pr_err_ratelimited("queue %u: cannot post a response: %d; closing\n", queue->id,
				   ret);
		nvmet_rdma_release_cmd(cmd);
		nvmet_rdma_close(queue);
	}
}

/* --- queues ------------------------------------------------------------- */

static void nvmet_rdma_free_cmds(struct nvmet_rdma_queue *queue)
{
	struct ib_device *ibdev = queue->dev->ibdev;
	u32 i;

	for (i = 0; queue->cmds && i < queue->nr_cmds; i++) {
		if (queue->cmds[i].cqe_dma)
			ib_dma_unmap_single(ibdev, queue->cmds[i].cqe_dma,
					    sizeof(struct nvme_completion), DMA_TO_DEVICE);
	}
	for (i = 0; queue->recvs && i < queue->nr_cmds; i++)
		nvmet_rdma_free_recv(ibdev, &queue->recvs[i]);
	kvfree(queue->cmds);
	kvfree(queue->recvs);
	kfree(queue->cqes);
	queue->cmds = NULL;
	queue->recvs = NULL;
	queue->cqes = NULL;
}

static int nvmet_rdma_alloc_cmds(struct nvmet_rdma_queue *queue)
{
	struct ib_device *ibdev = queue->dev->ibdev;
	u32 i, inline_pages = DIV_ROUND_UP(queue->inline_size, PAGE_SIZE);

	queue->cmds = kvcalloc(queue->nr_cmds, sizeof(*queue->cmds), GFP_KERNEL);
	queue->cqes = kcalloc(queue->nr_cmds, sizeof(*queue->cqes), GFP_KERNEL);
	if (!queue->cmds || !queue->cqes)
		return -ENOMEM;
	for (i = 0; i < queue->nr_cmds; i++) {
		struct nvmet_rdma_cmd *cmd = &queue->cmds[i];

		cmd->queue = queue;
		cmd->cqe = &queue->cqes[i];
		cmd->cqe_dma = ib_dma_map_single(ibdev, cmd->cqe, sizeof(*cmd->cqe),
						 DMA_TO_DEVICE);
		if (ib_dma_mapping_error(ibdev, cmd->cqe_dma)) {
			cmd->cqe_dma = 0;
			return -ENOMEM;
		}
		cmd->send_sge.addr = cmd->cqe_dma;
		cmd->send_sge.length = sizeof(*cmd->cqe);
		cmd->send_sge.lkey = queue->dev->pd->local_dma_lkey;
		cmd->send_cqe.done = nvmet_rdma_send_done;
		cmd->read_cqe.done = nvmet_rdma_read_done;
		cmd->send_wr.wr_cqe = &cmd->send_cqe;
		cmd->send_wr.sg_list = &cmd->send_sge;
		cmd->send_wr.num_sge = 1;
		cmd->send_wr.send_flags = IB_SEND_SIGNALED;
		INIT_LIST_HEAD(&cmd->entry);
		list_add_tail(&cmd->entry, &queue->free_cmds);
	}
	if (queue->srq)
		return 0;
	queue->recvs = kvcalloc(queue->nr_cmds, sizeof(*queue->recvs), GFP_KERNEL);
	if (!queue->recvs)
		return -ENOMEM;
	for (i = 0; i < queue->nr_cmds; i++) {
		queue->recvs[i].queue = queue;
		if (nvmet_rdma_alloc_recv(queue->dev, &queue->recvs[i], inline_pages))
			return -ENOMEM;
	}
	return 0;
}

static void nvmet_rdma_qp_event(struct ib_event *event, void *priv)
{
	struct nvmet_rdma_queue *queue = priv;

	switch (event->event) {
	case IB_EVENT_COMM_EST:
		/* Data before the CM's established event: let the CM know. */
		rdma_notify(queue->cm_id, event->event);
		break;
	case IB_EVENT_QP_LAST_WQE_REACHED:
		break;
	default:
		pr_err_ratelimited("queue %u: QP event %s (%d)\n", queue->id,
				   ib_event_msg(event->event), event->event);
		break;
	}
}

/* Completion queue and queue pair of a new queue, receive buffers posted. */
static int nvmet_rdma_create_qp(struct nvmet_rdma_queue *queue, int comp_vector)
{
	struct ib_device *ibdev = queue->dev->ibdev;
	const struct ib_device_attr *attrs = &ibdev->attrs;
	struct ib_qp_init_attr attr = { };
	u32 max_sge, one_xfer, i;
	int ret;

	/* Work requests the largest transfer needs without memory registration. */
	max_sge = max_t(u32, 1, min_t(u32, attrs->max_send_sge, attrs->max_sge_rd));
	one_xfer = DIV_ROUND_UP(NVMET_RDMA_MAX_XFER / PAGE_SIZE, max_sge);

	/* Receives, responses, RDMA READ completions and the two drain markers. */
	queue->nr_cqe = 3 * queue->nr_cmds + 2;
	queue->cq = ib_alloc_cq(ibdev, queue, queue->nr_cqe, comp_vector, IB_POLL_WORKQUEUE);
	if (IS_ERR(queue->cq)) {
		ret = PTR_ERR(queue->cq);
		queue->cq = NULL;
		pr_err("queue %u: cannot allocate a completion queue of %u entries on %s: %d\n",
		       queue->id, queue->nr_cqe, dev_name(&ibdev->dev), ret);
		return ret;
	}

	attr.qp_context = queue;
	attr.event_handler = nvmet_rdma_qp_event;
	attr.send_cq = queue->cq;
	attr.recv_cq = queue->cq;
	attr.sq_sig_type = IB_SIGNAL_REQ_WR;
	attr.qp_type = IB_QPT_RC;
	attr.port_num = queue->cm_id->port_num;
	/* One response per command, the drain marker, one largest transfer. */
	attr.cap.max_send_wr = queue->nr_cmds + 1 + one_xfer;
	attr.cap.max_rdma_ctxs = queue->nr_cmds;
	attr.cap.max_send_sge = max_t(u32, 1, attrs->max_send_sge);
	if (queue->srq) {
		attr.srq = queue->srq->srq;
	} else {
		attr.cap.max_recv_wr = queue->nr_cmds + 1;
		attr.cap.max_recv_sge = 1 + DIV_ROUND_UP(queue->inline_size, PAGE_SIZE);
	}
	ret = rdma_create_qp(queue->cm_id, queue->dev->pd, &attr);
	if (ret) {
		pr_err("queue %u: cannot create a queue pair (%u send, %u receive work requests) on %s: %d\n",
		       queue->id, attr.cap.max_send_wr, attr.cap.max_recv_wr,
		       dev_name(&ibdev->dev), ret);
		return ret;
	}
	queue->qp = queue->cm_id->qp;
	/* What is left after responses and drain is the RDMA READ/WRITE budget. */
	if (attr.cap.max_send_wr < queue->nr_cmds + 1 + one_xfer) {
		pr_err("queue %u: %s gave %u send work requests, %u needed\n", queue->id,
		       dev_name(&ibdev->dev), attr.cap.max_send_wr,
		       queue->nr_cmds + 1 + one_xfer);
		return -ENOSPC;
	}
	queue->rw_avail = attr.cap.max_send_wr - queue->nr_cmds - 1;
	queue->rw_max = queue->rw_avail;

	for (i = 0; !queue->srq && i < queue->nr_cmds; i++) {
		ret = nvmet_rdma_post_recv(&queue->recvs[i]);
		if (ret) {
			pr_err("queue %u: cannot post receive buffers: %d\n", queue->id, ret);
			return ret;
		}
	}
	return 0;
}

/* Frees what nvmet_rdma_alloc_queue() made; the CM id is not ours to destroy. */
static void nvmet_rdma_free_queue(struct nvmet_rdma_queue *queue)
{
	if (queue->qp)
		rdma_destroy_qp(queue->cm_id);
	if (queue->cq)
		ib_free_cq(queue->cq);
	nvmet_rdma_free_cmds(queue);
	nvmet_rdma_dev_put(queue->dev);
	nvmet_port_put(queue->nport);
	kfree(queue);
}

static void nvmet_rdma_release_work(struct work_struct *work)
{
	struct nvmet_rdma_queue *queue =
		container_of(work, struct nvmet_rdma_queue, release_work);
	struct nvmet_rdma_cmd *cmd, *tmp;
	struct rdma_cm_id *cm_id = queue->cm_id;
	unsigned long flags;
	LIST_HEAD(pending);
	LIST_HEAD(waiting);

	mutex_lock(&nvmet_rdma_queues_lock);
	list_del_init(&queue->entry);
	mutex_unlock(&nvmet_rdma_queues_lock);
	cancel_delayed_work_sync(&queue->connect_timer);

	/* The queue pair goes to error: what is posted completes, flushed. */
	rdma_disconnect(cm_id);
	ib_drain_qp(queue->qp);

	/*
	 * Commands that never started: no more join these lists (the queue
	 * is closing). Those waiting for budget were initialized.
	 */
	spin_lock_irqsave(&queue->lock, flags);
	list_splice_init(&queue->pending, &pending);
	list_splice_init(&queue->rw_wait, &waiting);
	spin_unlock_irqrestore(&queue->lock, flags);
	list_for_each_entry_safe(cmd, tmp, &pending, entry) {
		list_del_init(&cmd->entry);
		nvmet_rdma_release_cmd(cmd);
	}
	list_for_each_entry_safe(cmd, tmp, &waiting, entry) {
		list_del_init(&cmd->entry);
		nvmet_req_uninit(&cmd->req);
		cmd->rw_wrs = 0;	/* never taken from the budget */
		nvmet_rdma_release_cmd(cmd);
	}

	/* Commands in the core or a backend complete; their responses flush. */
	nvmet_sq_destroy(&queue->sq);
	ib_drain_qp(queue->qp);

	rdma_destroy_qp(cm_id);
	queue->qp = NULL;
	ib_free_cq(queue->cq);
	queue->cq = NULL;
	rdma_destroy_id(cm_id);
	nvmet_rdma_free_queue(queue);
}

/* No successful Connect in time: the connection goes. */
static void nvmet_rdma_connect_timeout(struct work_struct *work)
{
	struct nvmet_rdma_queue *queue =
		container_of(to_delayed_work(work), struct nvmet_rdma_queue, connect_timer);

	if (READ_ONCE(queue->connected))
		return;
	pr_warn_ratelimited("queue %u (host %pISc): no successful Connect within %d s, closing\n",
			    queue->id, &queue->peer_addr, NVMET_RDMA_CONNECT_TIMEOUT / HZ);
	nvmet_rdma_close(queue);
}

/* Connect sized the queue: it must be the queue the RDMA_CM request announced. */
static u16 nvmet_rdma_install_queue(struct nvmet_sq *sq)
{
	struct nvmet_rdma_queue *queue = container_of(sq, struct nvmet_rdma_queue, sq);

	if (sq->qid != queue->host_qid) {
		pr_err("queue %u (host %pISc): Connect for queue %u on the connection of queue %u\n",
		       queue->id, &queue->peer_addr, sq->qid, queue->host_qid);
		return NVME_SC_CONNECT_INVALID_PARAM | NVME_STATUS_DNR;
	}
	if (sq->size > queue->entries) {
		pr_err("queue %u (host %pISc): Connect asks for %u entries, the RDMA_CM request for %u\n",
		       queue->id, &queue->peer_addr, sq->size, queue->entries);
		return NVME_SC_CONNECT_INVALID_PARAM | NVME_STATUS_DNR;
	}
	WRITE_ONCE(queue->connected, true);
	return 0;
}

static struct nvmet_rdma_queue *
nvmet_rdma_alloc_queue(struct nvmet_rdma_port *port, struct rdma_cm_id *cm_id,
		       struct nvmet_rdma_dev *dev, const struct nvmet_wire_rdma_cm_req *creq,
		       u16 *rej)
{
	struct nvmet_port *nport = port->nport;
	struct nvmet_rdma_queue *queue;
	u32 inline_size;
	int comp_vector;

	*rej = NVME_RDMA_CM_NO_RSC;
	queue = kzalloc_obj(*queue);
	if (!queue)
		return NULL;
	queue->kind = NVMET_RDMA_CTX_QUEUE;
	queue->cm_id = cm_id;
	queue->dev = dev;
	queue->port = port;
	queue->nport = nport;
	nvmet_port_get(nport);
	queue->id = atomic_inc_return(&nvmet_rdma_queue_ids);
	queue->host_qid = creq->qid;
	queue->entries = creq->entries;
	queue->nr_cmds = creq->entries + (creq->qid ? 0 : NVMET_ASYNC_EVENTS);
	memcpy(&queue->peer_addr, &cm_id->route.addr.dst_addr, sizeof(queue->peer_addr));
	spin_lock_init(&queue->lock);
	queue->state = NVMET_RDMA_Q_CONNECTING;
	INIT_LIST_HEAD(&queue->free_cmds);
	INIT_LIST_HEAD(&queue->pending);
	INIT_LIST_HEAD(&queue->rw_wait);
	INIT_LIST_HEAD(&queue->entry);
	INIT_WORK(&queue->release_work, nvmet_rdma_release_work);
	INIT_DELAYED_WORK(&queue->connect_timer, nvmet_rdma_connect_timeout);

	/* Admin queues take no in-capsule data (the Linux host sends none). */
	inline_size = creq->qid ? max(READ_ONCE(nport->inline_data_size), 0) : 0;
	comp_vector = creq->qid ? queue->id % dev->ibdev->num_comp_vectors : 0;
	if (creq->qid && dev->srqs) {
		if (inline_size > dev->srq_inline_size) {
			pr_err("port %u: refused a queue: its param_inline_data_size %u is more than the %u bytes of the shared receive queues of %s (sized for port %u); give ports on one device the same size, or load nvmet-rdma with use_srq=0\n",
			       nvmet_rdma_portid(nport), inline_size, dev->srq_inline_size,
			       dev_name(&dev->ibdev->dev), dev->srq_portid);
			goto fail;
		}
		queue->srq = &dev->srqs[comp_vector % dev->nr_srqs];
	}
	queue->inline_size = inline_size;

	if (nvmet_sq_init(&queue->sq))
		goto fail;
	if (nvmet_rdma_alloc_cmds(queue)) {
		pr_err("queue %u: cannot allocate %u commands\n", queue->id, queue->nr_cmds);
		goto destroy_sq;
	}
	if (nvmet_rdma_create_qp(queue, comp_vector))
		goto destroy_sq;
	return queue;

destroy_sq:
	nvmet_sq_destroy(&queue->sq);
fail:
	/* The caller still holds its own reference on DEV. */
	kref_get(&dev->ref);
	nvmet_rdma_free_queue(queue);
	return NULL;
}

static void nvmet_rdma_reject(struct rdma_cm_id *cm_id, u16 sts)
{
	u8 rej[NVMET_WIRE_RDMA_CM_REJ_LEN];

	nvmet_wire_rdma_build_cm_rej(rej, sts);
	rdma_reject(cm_id, rej, sizeof(rej), IB_CM_REJ_CONSUMER_DEFINED);
}

/* A host asks to connect; non-zero makes the CM destroy CM_ID. */
static int nvmet_rdma_connect_request(struct rdma_cm_id *cm_id, struct rdma_cm_event *ev,
				      struct nvmet_rdma_port *port)
{
	struct nvmet_port *nport = port->nport;
	struct nvmet_wire_rdma_cm_req creq;
	u8 rep[NVMET_WIRE_RDMA_CM_REP_LEN];
	struct rdma_conn_param param = { };
	struct nvmet_rdma_queue *queue;
	struct nvmet_rdma_dev *dev;
	u16 sts;
	int ret;

	sts = nvmet_wire_rdma_parse_cm_req(ev->param.conn.private_data,
					   ev->param.conn.private_data_len,
					   min_t(u32, max(READ_ONCE(nport->max_queue_size), 0),
						 NVMET_RDMA_MAX_QUEUE_SIZE),
					   &creq);
	if (sts) {
		pr_err("port %u: rejected a connection from %pISc: %s (RDMA_CM status %u)\n",
		       nvmet_rdma_portid(nport), &cm_id->route.addr.dst_addr,
		       nvme_rdma_cm_msg(sts), sts);
		nvmet_rdma_reject(cm_id, sts);
		return -ECONNREFUSED;
	}
	dev = nvmet_rdma_dev_get(cm_id->device, nport);
	if (IS_ERR(dev)) {
		nvmet_rdma_reject(cm_id, NVME_RDMA_CM_NO_RSC);
		return PTR_ERR(dev);
	}
	queue = nvmet_rdma_alloc_queue(port, cm_id, dev, &creq, &sts);
	if (!queue) {
		nvmet_rdma_dev_put(dev);
		nvmet_rdma_reject(cm_id, sts);
		return -ECONNREFUSED;
	}
	cm_id->context = queue;

	nvmet_wire_rdma_build_cm_rep(rep, queue->entries);
	param.private_data = rep;
	param.private_data_len = sizeof(rep);
	param.rnr_retry_count = 7;
	param.flow_control = 1;
	param.initiator_depth = min_t(u8, ev->param.conn.initiator_depth,
				      cm_id->device->attrs.max_qp_init_rd_atom);

	mutex_lock(&nvmet_rdma_queues_lock);
	list_add_tail(&queue->entry, &nvmet_rdma_queues);
	mutex_unlock(&nvmet_rdma_queues_lock);
	queue_delayed_work(nvmet_rdma_wq, &queue->connect_timer, NVMET_RDMA_CONNECT_TIMEOUT);

	ret = rdma_accept(cm_id, &param);
	if (ret) {
		pr_err("queue %u (host %pISc): accept failed: %d\n", queue->id,
		       &queue->peer_addr, ret);
		/* The queue goes through its release work, which destroys CM_ID. */
		nvmet_rdma_close(queue);
		return 0;
	}
	return 0;
}

/* The connection is up: commands received meanwhile run now. */
static void nvmet_rdma_established(struct nvmet_rdma_queue *queue)
{
	struct nvmet_rdma_cmd *cmd;
	unsigned long flags;
	LIST_HEAD(pending);

	spin_lock_irqsave(&queue->lock, flags);
	if (queue->state != NVMET_RDMA_Q_CONNECTING) {
		spin_unlock_irqrestore(&queue->lock, flags);
		return;
	}
	queue->state = NVMET_RDMA_Q_LIVE;
	list_splice_init(&queue->pending, &pending);
	spin_unlock_irqrestore(&queue->lock, flags);

	while (!list_empty(&pending)) {
		cmd = list_first_entry(&pending, struct nvmet_rdma_cmd, entry);
		list_del_init(&cmd->entry);
		nvmet_rdma_handle_cmd(cmd);
	}
}

/* --- ports -------------------------------------------------------------- */

static int nvmet_rdma_listen(struct nvmet_rdma_port *port);

/*
 * The listener of PORT is gone (address change, device removal): forget it
 * and try again later. True if CM_ID was the listener (the CM destroys it).
 */
static bool nvmet_rdma_listener_lost(struct nvmet_rdma_port *port, struct rdma_cm_id *cm_id,
				     const char *why)
{
	if (cmpxchg(&port->cm_id, cm_id, NULL) != cm_id)
		return false;
	pr_warn("port %u: listener on %pISpc lost (%s); retrying every %d s\n",
		nvmet_rdma_portid(port->nport), &port->addr, why, NVMET_RDMA_REPAIR_DELAY / HZ);
	queue_delayed_work(nvmet_rdma_wq, &port->repair_work, NVMET_RDMA_REPAIR_DELAY);
	return true;
}

static int nvmet_rdma_port_event(struct rdma_cm_id *cm_id, struct rdma_cm_event *ev,
				 struct nvmet_rdma_port *port)
{
	switch (ev->event) {
	case RDMA_CM_EVENT_CONNECT_REQUEST:
		/* CM_ID is the new connection's; its context is still the port. */
		return nvmet_rdma_connect_request(cm_id, ev, port);
	case RDMA_CM_EVENT_ADDR_CHANGE:
		return nvmet_rdma_listener_lost(port, cm_id, "address change");
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
		return nvmet_rdma_listener_lost(port, cm_id, "device removal");
	default:
		return 0;
	}
}

static int nvmet_rdma_queue_event(struct rdma_cm_id *cm_id, struct rdma_cm_event *ev,
				  struct nvmet_rdma_queue *queue)
{
	switch (ev->event) {
	case RDMA_CM_EVENT_ESTABLISHED:
		nvmet_rdma_established(queue);
		break;
	case RDMA_CM_EVENT_REJECTED:
		pr_debug("queue %u: host rejected our accept: %s\n", queue->id,
			 rdma_reject_msg(cm_id, ev->status));
		fallthrough;
	case RDMA_CM_EVENT_DISCONNECTED:
	case RDMA_CM_EVENT_TIMEWAIT_EXIT:
	case RDMA_CM_EVENT_ADDR_CHANGE:
	case RDMA_CM_EVENT_UNREACHABLE:
	case RDMA_CM_EVENT_CONNECT_ERROR:
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
		/* The release work destroys CM_ID (the ib_client waits for it). */
		nvmet_rdma_close(queue);
		break;
	default:
		break;
	}
	return 0;
}

static int nvmet_rdma_cm_handler(struct rdma_cm_id *cm_id, struct rdma_cm_event *ev)
{
	enum nvmet_rdma_ctx_kind *kind = cm_id->context;

	if (*kind == NVMET_RDMA_CTX_PORT)
		return nvmet_rdma_port_event(cm_id, ev,
					     container_of(kind, struct nvmet_rdma_port, kind));
	return nvmet_rdma_queue_event(cm_id, ev,
				      container_of(kind, struct nvmet_rdma_queue, kind));
}

static int nvmet_rdma_listen(struct nvmet_rdma_port *port)
{
	struct nvmet_port *nport = port->nport;
	struct rdma_cm_id *cm_id;
	int ret;

	cm_id = rdma_create_id(&init_net, nvmet_rdma_cm_handler, port, RDMA_PS_TCP, IB_QPT_RC);
	if (IS_ERR(cm_id)) {
		pr_err("port %u: cannot create an RDMA_CM id: %ld\n", nvmet_rdma_portid(nport),
		       PTR_ERR(cm_id));
		return PTR_ERR(cm_id);
	}
	/* An IPv6 port does not also take IPv4 connections (ports may share the number). */
	ret = rdma_set_afonly(cm_id, 1);
	if (ret) {
		pr_err("port %u: cannot restrict the listener to its address family: %d\n",
		       nvmet_rdma_portid(nport), ret);
		goto destroy;
	}
	ret = rdma_bind_addr(cm_id, (struct sockaddr *)&port->addr);
	if (ret) {
		pr_err("port %u: cannot bind %pISpc: %d\n", nvmet_rdma_portid(nport),
		       &port->addr, ret);
		goto destroy;
	}
	ret = rdma_listen(cm_id, NVMET_RDMA_BACKLOG);
	if (ret) {
		pr_err("port %u: cannot listen on %pISpc: %d\n", nvmet_rdma_portid(nport),
		       &port->addr, ret);
		goto destroy;
	}
	WRITE_ONCE(port->cm_id, cm_id);
	return 0;

destroy:
	rdma_destroy_id(cm_id);
	return ret;
}

static void nvmet_rdma_repair_work(struct work_struct *work)
{
	struct nvmet_rdma_port *port =
		container_of(to_delayed_work(work), struct nvmet_rdma_port, repair_work);

	if (READ_ONCE(port->cm_id))
		return;
	if (nvmet_rdma_listen(port)) {
		queue_delayed_work(nvmet_rdma_wq, &port->repair_work, NVMET_RDMA_REPAIR_DELAY);
		return;
	}
	pr_info("port %u: listening on %pISpc again\n", nvmet_rdma_portid(port->nport),
		&port->addr);
}

static int nvmet_rdma_add_port(struct nvmet_port *nport)
{
	struct nvmet_rdma_port *port;
	int ret;

	port = kzalloc_obj(*port);
	if (!port)
		return -ENOMEM;
	port->kind = NVMET_RDMA_CTX_PORT;
	port->nport = nport;
	INIT_DELAYED_WORK(&port->repair_work, nvmet_rdma_repair_work);
	ret = nvmet_port_sockaddr(nport, &port->addr);
	if (ret) {
		pr_err("port %u: invalid address %.*s:%.*s (adrfam must be ipv4 or ipv6)\n",
		       nvmet_rdma_portid(nport), NVMF_TRADDR_SIZE, nport->disc_addr.traddr,
		       NVMF_TRSVCID_SIZE, nport->disc_addr.trsvcid);
		goto free;
	}

	if (nport->inline_data_size < 0) {
		nport->inline_data_size = NVMET_RDMA_DEF_INLINE_DATA_SIZE;
	} else if (nport->inline_data_size > NVMET_RDMA_MAX_INLINE_DATA_SIZE) {
		pr_warn("port %u: param_inline_data_size %d is too large, using %d\n",
			nvmet_rdma_portid(nport), nport->inline_data_size,
			NVMET_RDMA_MAX_INLINE_DATA_SIZE);
		nport->inline_data_size = NVMET_RDMA_MAX_INLINE_DATA_SIZE;
	}
	if (nport->max_queue_size < 0) {
		nport->max_queue_size = NVMET_RDMA_DEF_QUEUE_SIZE;
	} else if (nport->max_queue_size > NVMET_RDMA_MAX_QUEUE_SIZE) {
		pr_warn("port %u: param_max_queue_size %d is too large, using %d\n",
			nvmet_rdma_portid(nport), nport->max_queue_size,
			NVMET_RDMA_MAX_QUEUE_SIZE);
		nport->max_queue_size = NVMET_RDMA_MAX_QUEUE_SIZE;
	}

	ret = nvmet_rdma_listen(port);
	if (ret)
		goto free;
	nport->priv = port;
	pr_info("enabling port %u (%pISpc)\n", nvmet_rdma_portid(nport), &port->addr);
	return 0;

free:
	kfree(port);
	return ret;
}

static void nvmet_rdma_remove_port(struct nvmet_port *nport)
{
	struct nvmet_rdma_port *port = nport->priv;
	struct nvmet_rdma_queue *queue;
	struct rdma_cm_id *cm_id;

	if (!port)
		return;
	cancel_delayed_work_sync(&port->repair_work);
	/* Waits for the listener's handlers, which may queue repair_work. */
	cm_id = xchg(&port->cm_id, NULL);
	if (cm_id)
		rdma_destroy_id(cm_id);
	cancel_delayed_work_sync(&port->repair_work);

	/* The port goes away: so do the connections made through it. */
	mutex_lock(&nvmet_rdma_queues_lock);
	list_for_each_entry(queue, &nvmet_rdma_queues, entry)
		if (queue->port == port)
			nvmet_rdma_close(queue);
	mutex_unlock(&nvmet_rdma_queues_lock);
	/* Their release works compare queue->port only: PORT may go now. */
	nport->priv = NULL;
	kfree(port);
}

static void nvmet_rdma_delete_ctrl(struct nvmet_ctrl *ctrl)
{
	struct nvmet_rdma_queue *queue;

	mutex_lock(&nvmet_rdma_queues_lock);
	list_for_each_entry(queue, &nvmet_rdma_queues, entry)
		if (queue->sq.ctrl == ctrl)
			nvmet_rdma_close(queue);
	mutex_unlock(&nvmet_rdma_queues_lock);
}

static void nvmet_rdma_disc_traddr(struct nvmet_req *req, struct nvmet_port *nport,
				   char *traddr)
{
	struct nvmet_rdma_cmd *cmd = container_of(req, struct nvmet_rdma_cmd, req);
	struct nvmet_rdma_port *port = nport->priv;

	if (port && nvmet_sockaddr_is_any(&port->addr))
		snprintf(traddr, NVMF_TRADDR_SIZE, "%pISc",
			 &cmd->queue->cm_id->route.addr.src_addr);
	else
		memcpy(traddr, nport->disc_addr.traddr, NVMF_TRADDR_SIZE);
}

static ssize_t nvmet_rdma_host_traddr(struct nvmet_ctrl *ctrl, char *traddr, size_t len)
{
	struct nvmet_rdma_queue *queue;

	if (!ctrl->sqs || !ctrl->sqs[0])
		return -EINVAL;
	queue = container_of(ctrl->sqs[0], struct nvmet_rdma_queue, sq);
	return snprintf(traddr, len, "%pISc", &queue->peer_addr);
}

static u16 nvmet_rdma_get_max_queue_size(const struct nvmet_ctrl *ctrl)
{
	return NVMET_RDMA_MAX_QUEUE_SIZE;
}

static u8 nvmet_rdma_get_mdts(const struct nvmet_ctrl *ctrl)
{
	return NVMET_RDMA_MDTS;
}

static const struct nvmet_fabrics_ops nvmet_rdma_ops = {
	.owner			= THIS_MODULE,
	.type			= NVMF_TRTYPE_RDMA,
	.msdbd			= 1,
	.flags			= NVMF_KEYED_SGLS,
	.add_port		= nvmet_rdma_add_port,
	.remove_port		= nvmet_rdma_remove_port,
	.queue_response		= nvmet_rdma_queue_response,
	.delete_ctrl		= nvmet_rdma_delete_ctrl,
	.disc_traddr		= nvmet_rdma_disc_traddr,
	.host_traddr		= nvmet_rdma_host_traddr,
	.install_queue		= nvmet_rdma_install_queue,
	.get_max_queue_size	= nvmet_rdma_get_max_queue_size,
	.get_mdts		= nvmet_rdma_get_mdts,
};

/* --- devices going away ------------------------------------------------- */

/*
 * An RDMA device is being removed: its queues go first (this client was
 * registered after the RDMA_CM's, so it is removed before it).
 */
static void nvmet_rdma_remove_one(struct ib_device *ibdev, void *client_data)
{
	struct nvmet_rdma_queue *queue;
	bool used = false;

	mutex_lock(&nvmet_rdma_queues_lock);
	list_for_each_entry(queue, &nvmet_rdma_queues, entry) {
		if (queue->dev->ibdev != ibdev)
			continue;
		used = true;
		nvmet_rdma_close(queue);
	}
	mutex_unlock(&nvmet_rdma_queues_lock);
	if (used)
		pr_info("%s: device removed, its queues are closed\n", dev_name(&ibdev->dev));
	flush_workqueue(nvmet_rdma_wq);
}

static struct ib_client nvmet_rdma_ib_client = {
	.name	= "nvmet_rdma",
	.remove	= nvmet_rdma_remove_one,
};

/* --- module ------------------------------------------------------------- */

static int __init nvmet_rdma_init(void)
{
	int ret;

	nvmet_rdma_wq = alloc_workqueue("nvmet_rdma_wq", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!nvmet_rdma_wq)
		return -ENOMEM;
	ret = ib_register_client(&nvmet_rdma_ib_client);
	if (ret)
		goto destroy_wq;
	ret = nvmet_register_transport(&nvmet_rdma_ops);
	if (ret)
		goto unregister_client;
	return 0;

unregister_client:
	ib_unregister_client(&nvmet_rdma_ib_client);
destroy_wq:
	destroy_workqueue(nvmet_rdma_wq);
	return ret;
}

static void __exit nvmet_rdma_exit(void)
{
	struct nvmet_rdma_queue *queue;

	nvmet_unregister_transport(&nvmet_rdma_ops);
	mutex_lock(&nvmet_rdma_queues_lock);
	list_for_each_entry(queue, &nvmet_rdma_queues, entry)
		nvmet_rdma_close(queue);
	mutex_unlock(&nvmet_rdma_queues_lock);
	flush_workqueue(nvmet_rdma_wq);
	ib_unregister_client(&nvmet_rdma_ib_client);
	destroy_workqueue(nvmet_rdma_wq);
}

module_init(nvmet_rdma_init);
module_exit(nvmet_rdma_exit);

MODULE_DESCRIPTION("NVMe over Fabrics target: RDMA transport (nvmet-oot)");
MODULE_LICENSE("GPL");
MODULE_VERSION(NVMET_OOT_VERSION);
MODULE_ALIAS("nvmet-transport-1");
