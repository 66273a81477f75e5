// SPDX-License-Identifier: GPL-2.0
/*
 * nvme-loop: NVMe over Fabrics in one machine (trtype loop), module
 * nvme-loop, host and target in one module as in-tree.
 *
 * The host half is a fabrics transport of the kernel's NVMe host ("loop",
 * registered with nvme-fabrics): `nvme connect -t loop -n NQN` makes a host
 * controller whose admin and I/O queues are blk-mq queues of this file. The
 * target half is an nvmet transport (NVMF_TRTYPE_LOOP): a configfs port with
 * addr_trtype loop, linked to subsystems, is what those controllers connect
 * through (the port whose addr_traddr equals the connect's traddr, or the
 * first loop port when the connect names none).
 *
 * There is no wire: each blk-mq request carries, behind the host's
 * nvme_request, an nvmet request whose SQE is the one the host built and
 * whose data is the host request's own pages (mapped to a scatterlist, no
 * copy). queue_rq() hands it to the core (nvmet_req_init()) and runs it on a
 * work item, because queue_rq() must not sleep and execution may; the core's
 * completion (queue_response) completes the blk-mq request with the CQE's
 * status and result. The Asynchronous Event Request is not a blk-mq request
 * (it may stay outstanding forever): the host controller has one command
 * slot of its own for it, as every fabrics transport of the Linux host has.
 *
 * Each host queue is an nvmet SQ/CQ pair. Tearing a queue down destroys its
 * SQ, which waits for every command the target still executes: those
 * complete normally, so nothing is cancelled behind the target's back.
 *
 * Objects and locks:
 *   nvmet_loop_ports_lock  the enabled loop ports (add_port/remove_port)
 *   nvmet_loop_ctrls_lock  the host controllers that are live or resetting,
 *                          and each one's target controller; taken by the
 *                          core's delete_ctrl() under subsys->lock, so nothing
 *                          that may take subsys->lock (destroying an SQ
 *                          drops a controller reference) runs under it
 * Each host controller holds a reference to its port, so a port disabled
 * (or removed) while a controller still points at it stays valid memory;
 * Connects through it fail once no subsystem is linked.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/blk-mq.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <linux/nvme.h>

#include "nvmet.h"
/* The NVMe host's internal headers, from the kernel's own source (Kbuild). */
#include "drivers/nvme/host/nvme.h"
#include "drivers/nvme/host/fabrics.h"
#include "compat/nvme-host.h"

/*
 * Data segments of one command: requests up to this many pages (less the
 * one an unaligned start needs) are what the host controller is told it may
 * send (max_hw_sectors); MDTS stays unreported, as in-tree.
 */
#define NVMET_LOOP_MAX_SEGMENTS		256

enum {
	NVMET_LOOP_Q_LIVE,	/* connected: the host may send commands on it */
};

struct nvmet_loop_ctrl;
struct nvmet_loop_queue;

/*
 * One command: what blk-mq allocates behind each request of our tag sets
 * (the host core's nvme_request must come first), and the host
 * controller's Asynchronous Event Request slot.
 */
struct nvmet_loop_iod {
	struct nvme_request	nvme_req;
	struct nvme_command	cmd;		/* the SQE, built by the host core */
	struct nvme_completion	cqe;		/* filled by the target core */
	struct nvmet_req	req;
	struct nvmet_loop_queue	*queue;
	struct work_struct	work;		/* runs req.execute */
	struct sg_table		sgt;		/* the host request's data pages */
	bool			mapped;		/* sgt holds an allocation */
	struct scatterlist	inline_sg[];	/* NVME_INLINE_SG_CNT entries */
};

struct nvmet_loop_queue {
	struct nvmet_sq		sq;
	struct nvmet_cq		cq;
	struct nvmet_loop_ctrl	*ctrl;
	unsigned long		flags;		/* NVMET_LOOP_Q_* */
};

struct nvmet_loop_ctrl {
	struct nvme_ctrl	ctrl;		/* the host controller */
	struct nvmet_loop_queue	*queues;	/* [opts->nr_io_queues + 1], admin first */
	struct blk_mq_tag_set	admin_tag_set;
	struct blk_mq_tag_set	tag_set;
	struct nvmet_port	*port;		/* holds a reference */
	/*
	 * Under nvmet_loop_ctrls_lock: on the list while live (and through
	 * resets), with the target controller its admin queue is connected to
	 * (NULL while the queues are down), which the core's delete_ctrl()
	 * looks for.
	 */
	struct list_head	entry;
	struct nvmet_ctrl	*target;
	bool			listed;
	bool			created;	/* create_ctrl succeeded: opts are ours */
	/* Last: ends in a flexible array. */
	struct nvmet_loop_iod	aer_iod;
};

struct nvmet_loop_port {
	struct list_head	entry;		/* in nvmet_loop_ports */
	struct nvmet_port	*port;
};

static LIST_HEAD(nvmet_loop_ports);
static DEFINE_MUTEX(nvmet_loop_ports_lock);
static LIST_HEAD(nvmet_loop_ctrls);
static DEFINE_MUTEX(nvmet_loop_ctrls_lock);
/* Command execution: may sleep (submitting bios, file I/O, admin commands). */
static struct workqueue_struct *nvmet_loop_wq;

static const struct nvmet_fabrics_ops nvmet_loop_ops;

static inline struct nvmet_loop_ctrl *to_loop_ctrl(struct nvme_ctrl *nctrl)
{
	return container_of(nctrl, struct nvmet_loop_ctrl, ctrl);
}

static inline u16 nvmet_loop_qid(const struct nvmet_loop_queue *queue)
{
	return queue - queue->ctrl->queues;
}

/* --- the target half: completions back to the host ------------------------ */

static void nvmet_loop_complete_rq(struct request *rq)
{
	struct nvmet_loop_iod *iod = blk_mq_rq_to_pdu(rq);

	if (iod->mapped) {
		sg_free_table_chained(&iod->sgt, NVME_INLINE_SG_CNT);
		iod->mapped = false;
	}
	nvme_complete_rq(rq);
}

static void nvmet_loop_queue_response(struct nvmet_req *req)
{
	struct nvmet_loop_queue *queue = container_of(req->sq, struct nvmet_loop_queue, sq);
	struct nvmet_loop_ctrl *ctrl = queue->ctrl;
	struct nvme_completion *cqe = req->cqe;
	u16 qid = nvmet_loop_qid(queue);
	struct blk_mq_tags *tags;
	struct request *rq;

	if (unlikely(nvme_is_aen_req(qid, cqe->command_id))) {
		nvme_complete_async_event(&ctrl->ctrl, cqe->status, &cqe->result);
		return;
	}
	tags = qid ? ctrl->tag_set.tags[qid - 1] : ctrl->admin_tag_set.tags[0];
	rq = nvme_find_rq(tags, cqe->command_id);
	if (!rq) {
		dev_err(ctrl->ctrl.device, "completion of unknown command %#x on queue %u\n",
			cqe->command_id, qid);
		return;
	}
	if (!nvme_try_complete_req(rq, cqe->status, cqe->result))
		nvmet_loop_complete_rq(rq);
}

static void nvmet_loop_execute_work(struct work_struct *work)
{
	struct nvmet_loop_iod *iod = container_of(work, struct nvmet_loop_iod, work);

	iod->req.execute(&iod->req);
}

/* --- the host half: blk-mq queues ----------------------------------------- */

static blk_status_t nvmet_loop_queue_rq(struct blk_mq_hw_ctx *hctx,
					const struct blk_mq_queue_data *bd)
{
	struct nvmet_loop_queue *queue = hctx->driver_data;
	struct nvmet_loop_ctrl *ctrl = queue->ctrl;
	struct request *rq = bd->rq;
	struct nvmet_loop_iod *iod = blk_mq_rq_to_pdu(rq);
	unsigned short nsegs = blk_rq_nr_phys_segments(rq);
	blk_status_t ret;
	u16 status;

	if (!nvme_check_ready(&ctrl->ctrl, rq, test_bit(NVMET_LOOP_Q_LIVE, &queue->flags)))
		return nvme_fail_nonready_command(&ctrl->ctrl, rq);
	ret = nvme_setup_cmd(hctx->queue->queuedata, rq);
	if (ret)
		return ret;
	/* The scatterlist first: once the core took the command it must complete. */
	iod->mapped = false;
	if (nsegs) {
		iod->sgt.sgl = iod->inline_sg;
		if (sg_alloc_table_chained(&iod->sgt, nsegs, iod->inline_sg, NVME_INLINE_SG_CNT)) {
			nvme_cleanup_cmd(rq);
			return BLK_STS_RESOURCE;
		}
		iod->mapped = true;
	}
	nvme_start_request(rq);

	/* The host core builds no data pointer here: the data is in the request. */
	iod->cmd.common.flags |= NVME_CMD_SGL_METABUF;
	iod->req.port = ctrl->port;
	if (!nvmet_req_init(&iod->req, &queue->sq, &nvmet_loop_ops))
		return BLK_STS_OK;	/* completed with the error (queue_response) */
	if (nsegs) {
		iod->req.sg = iod->sgt.sgl;
		iod->req.sg_cnt = blk_rq_map_sg(rq, iod->sgt.sgl);
		iod->req.transfer_len = blk_rq_payload_bytes(rq);
		status = nvmet_check_read_sgl_len(&iod->req);
		if (status) {
			nvmet_req_complete(&iod->req, status);
			return BLK_STS_OK;
		}
	}
	queue_work(nvmet_loop_wq, &iod->work);
	return BLK_STS_OK;
}

static void nvmet_loop_init_iod(struct nvmet_loop_ctrl *ctrl, struct nvmet_loop_iod *iod,
				unsigned int qid)
{
	iod->queue = &ctrl->queues[qid];
	iod->req.cmd = &iod->cmd;
	iod->req.cqe = &iod->cqe;
	iod->req.cq = &ctrl->queues[qid].cq;
	iod->mapped = false;
	INIT_WORK(&iod->work, nvmet_loop_execute_work);
}

static int nvmet_loop_init_request(struct blk_mq_tag_set *set, struct request *rq,
				   unsigned int hctx_idx, NVMET_COMPAT_NUMA_NODE_T numa_node)
{
	struct nvmet_loop_ctrl *ctrl = to_loop_ctrl(set->driver_data);
	struct nvmet_loop_iod *iod = blk_mq_rq_to_pdu(rq);

	nvme_req(rq)->ctrl = &ctrl->ctrl;
	nvme_req(rq)->cmd = &iod->cmd;
	/* I/O tag set hardware context N is I/O queue N + 1. */
	nvmet_loop_init_iod(ctrl, iod, set == &ctrl->tag_set ? hctx_idx + 1 : 0);
	return 0;
}

/*
 * Flushes of a device on top of ours (a file system on an nvme-loop disk
 * exported again through nvme-loop) nest in a flush of ours: one lock class
 * for our I/O contexts' flush queues keeps lockdep from calling that
 * recursion and from registering a class per context.
 */
static struct lock_class_key nvmet_loop_hctx_fq_lock_key;

static int nvmet_loop_init_hctx(struct blk_mq_hw_ctx *hctx, void *data, unsigned int hctx_idx)
{
	struct nvmet_loop_ctrl *ctrl = to_loop_ctrl(data);

	if (WARN_ON_ONCE(hctx_idx + 1 >= ctrl->ctrl.queue_count))
		return -EINVAL;
	blk_mq_hctx_set_fq_lock_class(hctx, &nvmet_loop_hctx_fq_lock_key);
	hctx->driver_data = &ctrl->queues[hctx_idx + 1];
	return 0;
}

static int nvmet_loop_init_admin_hctx(struct blk_mq_hw_ctx *hctx, void *data,
				      unsigned int hctx_idx)
{
	struct nvmet_loop_ctrl *ctrl = to_loop_ctrl(data);

	if (WARN_ON_ONCE(hctx_idx))
		return -EINVAL;
	hctx->driver_data = &ctrl->queues[0];
	return 0;
}

static const struct blk_mq_ops nvmet_loop_mq_ops = {
	.queue_rq	= nvmet_loop_queue_rq,
	.complete	= nvmet_loop_complete_rq,
	.init_request	= nvmet_loop_init_request,
	.init_hctx	= nvmet_loop_init_hctx,
};

static const struct blk_mq_ops nvmet_loop_admin_mq_ops = {
	.queue_rq	= nvmet_loop_queue_rq,
	.complete	= nvmet_loop_complete_rq,
	.init_request	= nvmet_loop_init_request,
	.init_hctx	= nvmet_loop_init_admin_hctx,
};

/* Per request: the iod and the inline part of its scatterlist. */
#define NVMET_LOOP_CMD_SIZE \
	(sizeof(struct nvmet_loop_iod) + NVME_INLINE_SG_CNT * sizeof(struct scatterlist))

static void nvmet_loop_submit_async_event(struct nvme_ctrl *nctrl)
{
	struct nvmet_loop_ctrl *ctrl = to_loop_ctrl(nctrl);
	struct nvmet_loop_queue *queue = &ctrl->queues[0];
	struct nvmet_loop_iod *iod = &ctrl->aer_iod;

	if (!test_bit(NVMET_LOOP_Q_LIVE, &queue->flags))
		return;		/* the next connect asks again (nvme_start_ctrl) */
	memset(&iod->cmd, 0, sizeof(iod->cmd));
	iod->cmd.common.opcode = nvme_admin_async_event;
	/* Above the admin tag set's tags: what nvme_is_aen_req() recognises. */
	iod->cmd.common.command_id = NVME_AQ_BLK_MQ_DEPTH;
	iod->cmd.common.flags |= NVME_CMD_SGL_METABUF;
	iod->req.port = ctrl->port;
	if (!nvmet_req_init(&iod->req, &queue->sq, &nvmet_loop_ops)) {
		dev_err(ctrl->ctrl.device, "Asynchronous Event Request refused by the target\n");
		return;
	}
	queue_work(nvmet_loop_wq, &iod->work);
}

/* --- queues and controller life cycle ------------------------------------ */

static void nvmet_loop_unlist_target(struct nvmet_loop_ctrl *ctrl)
{
	mutex_lock(&nvmet_loop_ctrls_lock);
	ctrl->target = NULL;
	mutex_unlock(&nvmet_loop_ctrls_lock);
}

static void nvmet_loop_destroy_admin_queue(struct nvmet_loop_ctrl *ctrl)
{
	if (!test_and_clear_bit(NVMET_LOOP_Q_LIVE, &ctrl->queues[0].flags))
		return;
	/*
	 * Requests that reached the quiesced queue meanwhile go through
	 * queue_rq() now and fail there as not ready.
	 */
	nvme_unquiesce_admin_queue(&ctrl->ctrl);
	nvmet_sq_destroy(&ctrl->queues[0].sq);
}

static void nvmet_loop_destroy_io_queues(struct nvmet_loop_ctrl *ctrl)
{
	unsigned int i;

	for (i = 1; i < ctrl->ctrl.queue_count; i++) {
		clear_bit(NVMET_LOOP_Q_LIVE, &ctrl->queues[i].flags);
		nvmet_sq_destroy(&ctrl->queues[i].sq);
	}
	ctrl->ctrl.queue_count = 1;
	nvme_unquiesce_io_queues(&ctrl->ctrl);
}

static int nvmet_loop_init_queue(struct nvmet_loop_ctrl *ctrl, unsigned int qid)
{
	struct nvmet_loop_queue *queue = &ctrl->queues[qid];

	queue->ctrl = ctrl;
	queue->flags = 0;
	return nvmet_sq_init(&queue->sq);
}

/* The I/O queues' SQs (not yet connected); ctrl.queue_count counts them. */
static int nvmet_loop_init_io_queues(struct nvmet_loop_ctrl *ctrl)
{
	int nr = min_t(int, ctrl->ctrl.opts->nr_io_queues, num_online_cpus());
	int ret, i;

	ret = nvme_set_queue_count(&ctrl->ctrl, &nr);
	if (ret || !nr)
		return ret;
	dev_info(ctrl->ctrl.device, "creating %d I/O queues.\n", nr);
	for (i = 1; i <= nr; i++) {
		ret = nvmet_loop_init_queue(ctrl, i);
		if (ret) {
			nvmet_loop_destroy_io_queues(ctrl);
			return ret;
		}
		ctrl->ctrl.queue_count++;
	}
	return 0;
}

static int nvmet_loop_connect_io_queues(struct nvmet_loop_ctrl *ctrl)
{
	unsigned int i;
	int ret;

	for (i = 1; i < ctrl->ctrl.queue_count; i++) {
		ret = nvmf_connect_io_queue(&ctrl->ctrl, i);
		if (ret)
			return ret;
		set_bit(NVMET_LOOP_Q_LIVE, &ctrl->queues[i].flags);
	}
	return 0;
}

/* Admin queue: SQ, Connect, enable, Identify (the admin tag set exists). */
static int nvmet_loop_configure_admin_queue(struct nvmet_loop_ctrl *ctrl)
{
	int ret;

	ret = nvmet_loop_init_queue(ctrl, 0);
	if (ret)
		return ret;
	ctrl->ctrl.queue_count = 1;
	/* A fresh admin queue: the stop of the previous one is over. */
	clear_bit(NVME_CTRL_ADMIN_Q_STOPPED, &ctrl->ctrl.flags);

	ret = nvmf_connect_admin_queue(&ctrl->ctrl);
	if (ret)
		goto out_destroy_sq;
	set_bit(NVMET_LOOP_Q_LIVE, &ctrl->queues[0].flags);

	ret = nvme_enable_ctrl(&ctrl->ctrl);
	if (ret)
		goto out_destroy_sq;
	ctrl->ctrl.max_hw_sectors = (NVMET_LOOP_MAX_SEGMENTS - 1) << PAGE_SECTORS_SHIFT;
	nvme_unquiesce_admin_queue(&ctrl->ctrl);
	ret = nvme_init_ctrl_finish(&ctrl->ctrl, false);
	if (ret)
		goto out_destroy_sq;
	return 0;

out_destroy_sq:
	clear_bit(NVMET_LOOP_Q_LIVE, &ctrl->queues[0].flags);
	nvmet_sq_destroy(&ctrl->queues[0].sq);
	return ret;
}

/* Every queue down (the admin tag set stays); for a reset and for deletion. */
static void nvmet_loop_shutdown_ctrl(struct nvmet_loop_ctrl *ctrl)
{
	/*
	 * No Keep Alive may be sent into a queue going down: it would fail as
	 * not ready (an error in the log). nvme_start_ctrl() starts it again.
	 */
	nvme_stop_keep_alive(&ctrl->ctrl);
	nvmet_loop_unlist_target(ctrl);
	if (ctrl->ctrl.queue_count > 1) {
		nvme_quiesce_io_queues(&ctrl->ctrl);
		nvmet_loop_destroy_io_queues(ctrl);
	}
	nvme_quiesce_admin_queue(&ctrl->ctrl);
	if (nvme_ctrl_state(&ctrl->ctrl) == NVME_CTRL_LIVE)
		nvme_disable_ctrl(&ctrl->ctrl, true);
	nvmet_loop_destroy_admin_queue(ctrl);
}

/*
 * The controller is live (again): from now on the core's delete_ctrl() for
 * its target controller finds it. A target controller that was told to go
 * away before (a port unlinked during the connect) is gone after this too.
 */
static void nvmet_loop_list_live(struct nvmet_loop_ctrl *ctrl)
{
	struct nvmet_ctrl *target;
	bool deleting;

	mutex_lock(&nvmet_loop_ctrls_lock);
	if (!ctrl->listed) {
		list_add_tail(&ctrl->entry, &nvmet_loop_ctrls);
		ctrl->listed = true;
	}
	/* The admin SQ holds a reference to it while connected. */
	target = ctrl->queues[0].sq.ctrl;
	ctrl->target = target;
	mutex_lock(&target->lock);
	deleting = target->deleting;
	mutex_unlock(&target->lock);
	if (deleting)
		nvme_delete_ctrl(&ctrl->ctrl);
	mutex_unlock(&nvmet_loop_ctrls_lock);
}

static void nvmet_loop_reset_ctrl_work(struct work_struct *work)
{
	struct nvmet_loop_ctrl *ctrl = container_of(work, struct nvmet_loop_ctrl, ctrl.reset_work);
	int ret;

	nvme_stop_ctrl(&ctrl->ctrl);
	nvmet_loop_shutdown_ctrl(ctrl);
	/* Deleted meanwhile: the deletion, which waits for this work, goes on. */
	if (!nvme_change_ctrl_state(&ctrl->ctrl, NVME_CTRL_CONNECTING))
		return;

	ret = nvmet_loop_configure_admin_queue(ctrl);
	if (ret)
		goto out_fail;
	ret = nvmet_loop_init_io_queues(ctrl);
	if (ret)
		goto out_destroy_admin;
	ret = nvmet_loop_connect_io_queues(ctrl);
	if (ret)
		goto out_destroy_io;
	blk_mq_update_nr_hw_queues(&ctrl->tag_set, ctrl->ctrl.queue_count - 1);
	if (!nvme_change_ctrl_state(&ctrl->ctrl, NVME_CTRL_LIVE))
		return;		/* deleted meanwhile */
	nvmet_loop_list_live(ctrl);
	nvme_start_ctrl(&ctrl->ctrl);
	return;

out_destroy_io:
	nvmet_loop_destroy_io_queues(ctrl);
out_destroy_admin:
	nvme_quiesce_admin_queue(&ctrl->ctrl);
	nvmet_loop_destroy_admin_queue(ctrl);
out_fail:
	/* Nothing reconnects a loop controller later: it goes away, as in-tree. */
	dev_warn(ctrl->ctrl.device, "reconnect after reset failed (%d): removing the controller\n",
		 ret);
	nvme_delete_ctrl(&ctrl->ctrl);
}

/* nvme_ctrl_ops.delete_ctrl: the last step of deleting a host controller. */
static void nvmet_loop_delete_ctrl_host(struct nvme_ctrl *nctrl)
{
	nvmet_loop_shutdown_ctrl(to_loop_ctrl(nctrl));
	nvme_remove_admin_tag_set(nctrl);
}

static void nvmet_loop_free_ctrl(struct nvme_ctrl *nctrl)
{
	struct nvmet_loop_ctrl *ctrl = to_loop_ctrl(nctrl);

	mutex_lock(&nvmet_loop_ctrls_lock);
	if (ctrl->listed)
		list_del(&ctrl->entry);
	mutex_unlock(&nvmet_loop_ctrls_lock);
	if (nctrl->tagset)
		nvme_remove_io_tag_set(nctrl);
	kfree(ctrl->queues);
	/* A failed create leaves the options to nvme-fabrics, which frees them. */
	if (ctrl->created)
		nvmf_free_options(nctrl->opts);
	nvmet_port_put(ctrl->port);
	kfree(ctrl);
}

static const struct nvme_ctrl_ops nvmet_loop_ctrl_ops = {
	.name			= "loop",
	.module			= THIS_MODULE,
	.flags			= NVME_F_FABRICS,
	.reg_read32		= nvmf_reg_read32,
	.reg_read64		= nvmf_reg_read64,
	.reg_write32		= nvmf_reg_write32,
	.free_ctrl		= nvmet_loop_free_ctrl,
	.submit_async_event	= nvmet_loop_submit_async_event,
	.delete_ctrl		= nvmet_loop_delete_ctrl_host,
	.get_address		= nvmf_get_address,
	NVMET_COMPAT_CTRL_OPS_VIRT_BOUNDARY
};

static int nvmet_loop_create_io_queues(struct nvmet_loop_ctrl *ctrl)
{
	int ret;

	ret = nvmet_loop_init_io_queues(ctrl);
	if (ret)
		return ret;
	ret = nvme_alloc_io_tag_set(&ctrl->ctrl, &ctrl->tag_set, &nvmet_loop_mq_ops, 1,
				    NVMET_LOOP_CMD_SIZE);
	if (ret)
		goto out_destroy_queues;
	ret = nvmet_loop_connect_io_queues(ctrl);
	if (ret)
		goto out_remove_tag_set;
	return 0;

out_remove_tag_set:
	nvme_remove_io_tag_set(&ctrl->ctrl);
out_destroy_queues:
	nvmet_loop_destroy_io_queues(ctrl);
	return ret;
}

/*
 * The loop port a new controller connects through, with a reference: the
 * one whose addr_traddr is the connect's traddr, or the first without one.
 */
static struct nvmet_port *nvmet_loop_find_port(struct nvmf_ctrl_options *opts)
{
	struct nvmet_loop_port *lp;
	struct nvmet_port *found = NULL;

	mutex_lock(&nvmet_loop_ports_lock);
	list_for_each_entry(lp, &nvmet_loop_ports, entry) {
		if ((opts->mask & NVMF_OPT_TRADDR) &&
		    strncmp(opts->traddr, lp->port->disc_addr.traddr, NVMF_TRADDR_SIZE))
			continue;
		found = lp->port;
		nvmet_port_get(found);
		break;
	}
	mutex_unlock(&nvmet_loop_ports_lock);
	return found;
}

static struct nvme_ctrl *nvmet_loop_create_ctrl(struct device *dev,
						struct nvmf_ctrl_options *opts)
{
	struct nvmet_loop_ctrl *ctrl;
	struct nvmet_port *port;
	int ret;

	port = nvmet_loop_find_port(opts);
	if (!port) {
		pr_err("connect to %s refused: no nvmet port with addr_trtype loop%s%s%s is enabled; make one and link the subsystem to it\n",
		       opts->subsysnqn, (opts->mask & NVMF_OPT_TRADDR) ? " and addr_traddr '" : "",
		       (opts->mask & NVMF_OPT_TRADDR) ? opts->traddr : "",
		       (opts->mask & NVMF_OPT_TRADDR) ? "'" : "");
		return ERR_PTR(-ENODEV);
	}
	ctrl = kzalloc_obj(*ctrl);
	if (!ctrl) {
		nvmet_port_put(port);
		return ERR_PTR(-ENOMEM);
	}
	ctrl->port = port;
	ctrl->ctrl.opts = opts;
	INIT_LIST_HEAD(&ctrl->entry);
	INIT_WORK(&ctrl->ctrl.reset_work, nvmet_loop_reset_ctrl_work);

	ret = nvme_init_ctrl(&ctrl->ctrl, dev, &nvmet_loop_ctrl_ops, 0);
	if (ret) {
		nvmet_port_put(port);
		kfree(ctrl);
		return ERR_PTR(ret);
	}
	/* From here on the last reference frees it (nvmet_loop_free_ctrl). */
	ret = nvme_add_ctrl(&ctrl->ctrl);
	if (ret)
		goto out_put_ctrl;
	if (!nvme_change_ctrl_state(&ctrl->ctrl, NVME_CTRL_CONNECTING))
		WARN_ON_ONCE(1);

	ctrl->ctrl.kato = opts->kato;
	ret = -ENOMEM;
	ctrl->queues = kzalloc_objs(*ctrl->queues, opts->nr_io_queues + 1);
	if (!ctrl->queues)
		goto out_uninit_ctrl;
	nvmet_loop_init_iod(ctrl, &ctrl->aer_iod, 0);

	ret = nvme_alloc_admin_tag_set(&ctrl->ctrl, &ctrl->admin_tag_set,
				       &nvmet_loop_admin_mq_ops, NVMET_LOOP_CMD_SIZE);
	if (ret)
		goto out_uninit_ctrl;
	ret = nvmet_loop_configure_admin_queue(ctrl);
	if (ret)
		goto out_remove_admin_tag_set;

	if (opts->queue_size > ctrl->ctrl.maxcmd) {
		dev_warn(ctrl->ctrl.device, "queue_size %u > ctrl maxcmd %u, clamping down\n",
			 (unsigned int)opts->queue_size, ctrl->ctrl.maxcmd);
		opts->queue_size = ctrl->ctrl.maxcmd;
	}
	ctrl->ctrl.sqsize = opts->queue_size - 1;

	if (opts->nr_io_queues) {
		ret = nvmet_loop_create_io_queues(ctrl);
		if (ret)
			goto out_destroy_admin;
	}

	dev_info(ctrl->ctrl.device, "new ctrl: \"%s\"\n", opts->subsysnqn);
	if (!nvme_change_ctrl_state(&ctrl->ctrl, NVME_CTRL_LIVE))
		WARN_ON_ONCE(1);
	ctrl->created = true;
	nvmet_loop_list_live(ctrl);
	nvme_start_ctrl(&ctrl->ctrl);
	return &ctrl->ctrl;

out_destroy_admin:
	/* Nothing is cancelled: destroying the SQ waits for the target's commands. */
	nvme_quiesce_admin_queue(&ctrl->ctrl);
	nvmet_loop_destroy_admin_queue(ctrl);
out_remove_admin_tag_set:
	nvme_remove_admin_tag_set(&ctrl->ctrl);
out_uninit_ctrl:
	nvme_uninit_ctrl(&ctrl->ctrl);
out_put_ctrl:
	nvme_put_ctrl(&ctrl->ctrl);
	/* A Connect refused by the target is an NVMe status: an I/O error here. */
	return ERR_PTR(ret > 0 ? -EIO : ret);
}

/* --- the target half: ports and controllers ------------------------------ */

static int nvmet_loop_add_port(struct nvmet_port *port)
{
	struct nvmet_loop_port *lp;

	lp = kzalloc_obj(*lp);
	if (!lp)
		return -ENOMEM;
	lp->port = port;
	port->priv = lp;
	mutex_lock(&nvmet_loop_ports_lock);
	list_add_tail(&lp->entry, &nvmet_loop_ports);
	mutex_unlock(&nvmet_loop_ports_lock);
	return 0;
}

/*
 * New controllers no longer find the port. Those made through it hold a
 * reference (the port's memory stays) and their target controllers were
 * deleted when its subsystems were unlinked, so nothing waits here.
 */
static void nvmet_loop_remove_port(struct nvmet_port *port)
{
	struct nvmet_loop_port *lp = port->priv;

	mutex_lock(&nvmet_loop_ports_lock);
	list_del(&lp->entry);
	mutex_unlock(&nvmet_loop_ports_lock);
	port->priv = NULL;
	kfree(lp);
}

/*
 * The core deletes a target controller (port unlinked, keep-alive expired,
 * fatal error, subsystem removed): the host controller connected to it is
 * deleted, which tears its queues down. Under subsys->lock.
 */
static void nvmet_loop_delete_ctrl(struct nvmet_ctrl *target)
{
	struct nvmet_loop_ctrl *ctrl;

	mutex_lock(&nvmet_loop_ctrls_lock);
	list_for_each_entry(ctrl, &nvmet_loop_ctrls, entry) {
		if (ctrl->target == target)
			nvme_delete_ctrl(&ctrl->ctrl);
	}
	mutex_unlock(&nvmet_loop_ctrls_lock);
}

static const struct nvmet_fabrics_ops nvmet_loop_ops = {
	.owner		= THIS_MODULE,
	.type		= NVMF_TRTYPE_LOOP,
	.add_port	= nvmet_loop_add_port,
	.remove_port	= nvmet_loop_remove_port,
	.queue_response	= nvmet_loop_queue_response,
	.delete_ctrl	= nvmet_loop_delete_ctrl,
};

static struct nvmf_transport_ops nvmet_loop_transport = {
	.name		= "loop",
	.module		= THIS_MODULE,
	.create_ctrl	= nvmet_loop_create_ctrl,
	.allowed_opts	= NVMF_OPT_TRADDR,
};

static int __init nvmet_loop_init(void)
{
	int ret;

	nvmet_loop_wq = alloc_workqueue("nvmet-loop-wq", WQ_MEM_RECLAIM | WQ_PERCPU, 0);
	if (!nvmet_loop_wq)
		return -ENOMEM;
	ret = nvmet_register_transport(&nvmet_loop_ops);
	if (ret)
		goto out_destroy_wq;
	ret = nvmf_register_transport(&nvmet_loop_transport);
	if (ret)
		goto out_unregister;
	return 0;

out_unregister:
	nvmet_unregister_transport(&nvmet_loop_ops);
out_destroy_wq:
	destroy_workqueue(nvmet_loop_wq);
	return ret;
}
module_init(nvmet_loop_init);

/*
 * No loop port is enabled (each holds the module), but host controllers may
 * be left whose port went away: they are deleted, and the deletions waited
 * for, before the code goes.
 */
static void __exit nvmet_loop_exit(void)
{
	struct nvmet_loop_ctrl *ctrl;

	nvmf_unregister_transport(&nvmet_loop_transport);
	nvmet_unregister_transport(&nvmet_loop_ops);
	mutex_lock(&nvmet_loop_ctrls_lock);
	list_for_each_entry(ctrl, &nvmet_loop_ctrls, entry)
		nvme_delete_ctrl(&ctrl->ctrl);
	mutex_unlock(&nvmet_loop_ctrls_lock);
	flush_workqueue(nvme_delete_wq);
	destroy_workqueue(nvmet_loop_wq);
}
module_exit(nvmet_loop_exit);

MODULE_DESCRIPTION("nvmet-oot NVMe loopback transport (host and target, trtype loop)");
MODULE_LICENSE("GPL");
MODULE_VERSION(NVMET_OOT_VERSION);
MODULE_ALIAS("nvmet-transport-254");	/* NVMF_TRTYPE_LOOP */
