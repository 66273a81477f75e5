// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-oot: passthru. A subsystem with passthru/enable exports one local
 * NVMe controller whole: the host's admin and I/O commands go to that
 * controller through nvme-core's passthrough requests (its admin queue, the
 * request queues of its namespaces), so the host sees the real controller's
 * model, namespaces, log pages and features. What a fabrics controller must
 * say differently, the target says itself: Identify Controller and
 * Namespace are fixed up after the device answered (controller ID, MDTS
 * from the device's and the transport's limits, fabrics fields, no
 * metadata, clear_ids), and the commands that belong to the fabrics
 * controller (Asynchronous Event Request, Keep Alive, the features of the
 * connection: events, keep alive, queues, host identifier) are the core's.
 * Only the admin commands and features the in-tree target forwards are
 * forwarded; reservations are refused (the device cannot tell fabrics
 * hosts apart). Command effects are honoured: commands with effects beyond
 * the logical blocks run from a work item between nvme_passthru_start() and
 * nvme_passthru_end() (freeze, rescan).
 *
 * One subsystem per controller; the controller (and its driver module) is
 * held while exported. Disable (or rmdir of the subsystem) deletes the
 * subsystem's fabrics controllers, waits for the commands in flight and
 * lets the NVMe controller go; a controller removed meanwhile (hot unplug)
 * fails the commands that reach it, and the export holds its memory until
 * then.
 *
 * This needs the NVMe host's internal definitions (drivers/nvme/host/nvme.h)
 * of the kernel built for, which kernel/host-internals.sh copies from that
 * kernel's source at build time (docs/compat.md); without them, enable says
 * what to install.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/file.h>
#include <linux/rcupdate.h>
#include <linux/unaligned.h>

#include "nvmet.h"

#ifdef NVMET_OOT_HOST_INTERNALS

#include "drivers/nvme/host/nvme.h"
#include "compat/module-ns.h"

MODULE_IMPORT_NS("NVME_TARGET_PASSTHRU");

/* An exported controller. */
struct nvmet_passthru {
	struct nvme_ctrl	*ctrl;		/* nvme_get_ctrl() and its driver module */
	/* Every command from its execute to its completion; disable waits. */
	struct percpu_ref	ref;
	struct completion	idle;
};

/* NVMe controller instance -> the subsystem that exports it. */
static DEFINE_XARRAY(nvmet_passthru_ctrls);

/* Error location of an I/O command's NLB. */
#define NVMET_LOC_RW_LENGTH	offsetof(struct nvme_rw_command, length)
/* Flexible Data Placement (FID 1Dh): not named by 6.12's linux/nvme.h. */
#define NVMET_FEAT_FDP		0x1d
/* Version reported for a controller older than the fabrics minimum. */
#define NVMET_PASSTHRU_MIN_VS	NVME_VS(1, 2, 1)
/* Capsules (fabrics): 64-byte SQEs, 16-byte CQEs, no larger entries. */
#define NVMET_PASSTHRU_SQES	((6 << 4) | 6)
#define NVMET_PASSTHRU_CQES	((4 << 4) | 4)
/* Data lengths of the features forwarded with a data buffer. */
#define NVMET_FEAT_LBA_RANGE_LEN	4096
#define NVMET_FEAT_AUTO_PST_LEN		256
#define NVMET_FEAT_TIMESTAMP_LEN	8
#define NVMET_FEAT_HOST_BEHAVIOR_LEN	512
#define NVMET_FEAT_PLM_CONFIG_LEN	512

static void nvmet_passthru_idle(struct percpu_ref *ref)
{
	struct nvmet_passthru *pt = container_of(ref, struct nvmet_passthru, ref);

	complete(&pt->idle);
}

/* The export of REQ's subsystem with a reference, or NULL if it is going. */
static struct nvmet_passthru *nvmet_passthru_get(struct nvmet_req *req)
{
	struct nvmet_subsys *subsys = req->sq->ctrl->subsys;
	struct nvmet_passthru *pt;

	rcu_read_lock();
	pt = rcu_dereference(subsys->passthru);
	if (pt && !percpu_ref_tryget_live(&pt->ref))
		pt = NULL;
	rcu_read_unlock();
	return pt;
}

/*
 * MDTS of the device as a fabrics controller reports it (CAP.MPSMIN 0: 4 KiB
 * units): what one request of the controller may carry (its largest
 * request, and a page per segment, as the data arrives in pages), and at
 * most one bio's worth, which is how the data is handed over.
 */
static u8 nvmet_passthru_dev_mdts(struct nvme_ctrl *ctrl)
{
	u32 sectors = min_not_zero(ctrl->max_segments << PAGE_SECTORS_SHIFT,
				   ctrl->max_hw_sectors);

	sectors = min_not_zero((u32)BIO_MAX_VECS << PAGE_SECTORS_SHIFT, sectors);
	if (sectors < (SZ_4K >> SECTOR_SHIFT))
		return 1;	/* not below one page */
	return ilog2(sectors) - (12 - SECTOR_SHIFT);
}

/* This controller's MDTS: the device's, lowered to the transport's and port's. */
static u8 nvmet_passthru_mdts(struct nvmet_ctrl *ctrl)
{
	return min_not_zero(READ_ONCE(ctrl->subsys->passthru_mdts), nvmet_ctrl_mdts(ctrl));
}

static u32 nvmet_passthru_mdts_bytes(struct nvmet_ctrl *ctrl)
{
	return SZ_4K << nvmet_passthru_mdts(ctrl);
}

/* --- Identify fix-ups ---------------------------------------------------- */

static u16 nvmet_passthru_fix_id_ctrl(struct nvmet_req *req)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;
	int inline_size = req->port->inline_data_size;
	struct nvme_id_ctrl *id;
	u32 ioccsz;
	u16 status;

	id = kzalloc_obj(*id);
	if (!id)
		return NVME_SC_INTERNAL;
	status = nvmet_copy_from_sgl(req, 0, id, sizeof(*id));
	if (status)
		goto out;

	/* This fabrics controller, not the device's PCIe function. */
	id->cntlid = cpu_to_le16(ctrl->cntlid);
	id->ver = cpu_to_le32(READ_ONCE(ctrl->subsys->ver));
	id->mdts = nvmet_passthru_mdts(ctrl);
	/* The core answers these (never forwarded). */
	id->acl = 3;
	id->aerl = NVMET_ASYNC_EVENTS - 1;
	id->kas = cpu_to_le16(NVMET_KAS);
	id->hmpre = 0;
	id->hmmin = 0;
	id->fuses = 0;
	id->sqes = min_t(u8, NVMET_PASSTHRU_SQES, id->sqes);
	id->cqes = min_t(u8, NVMET_PASSTHRU_CQES, id->cqes);
	id->maxcmd = cpu_to_le16(NVME_CAP_MQES(ctrl->cap) + 1);
	/* Reservations are refused: the device cannot tell hosts apart. */
	id->oncs &= cpu_to_le16(~NVME_CTRL_ONCS_RESERVATIONS);
	/* Hosts reach it through several fabrics controllers. */
	id->cmic |= NVME_CTRL_CMIC_MULTI_CTRL;
	/*
	 * The subsystem's NQN, not the device's: a host that also has the
	 * device (nvme-loop on the same machine) would see two controllers
	 * of one subsystem that are not.
	 */
	memset(id->subnqn, 0, sizeof(id->subnqn));
	strscpy(id->subnqn, ctrl->subsys->subsysnqn, sizeof(id->subnqn));

	/* Fabrics fields, as for the target's own controllers. */
	id->sgls = cpu_to_le32(NVMET_SGLS_BYTE_ALIGNED);
	if (ctrl->ops->flags & NVMF_KEYED_SGLS)
		id->sgls |= cpu_to_le32(NVMET_SGLS_KEYED);
	if (inline_size > 0)
		id->sgls |= cpu_to_le32(NVMET_SGLS_OFFSET);
	ioccsz = sizeof(struct nvme_command);
	if (inline_size > 0 && !ctrl->pi_support)
		ioccsz += inline_size;
	id->ioccsz = cpu_to_le32(ioccsz / 16);
	id->iorcsz = cpu_to_le32(sizeof(struct nvme_completion) / 16);
	id->icdoff = 0;
	id->msdbd = ctrl->ops->msdbd;
	/* OFCS (by offset, as admin-cmd.c): Disconnect where the transport has it. */
	put_unaligned_le16(ctrl->ops->disconnect_sq ? 1 : 0, (u8 *)id + NVMET_ID_CTRL_OFCS);

	status = nvmet_copy_to_sgl(req, 0, id, sizeof(*id));
out:
	kfree(id);
	return status;
}

static u16 nvmet_passthru_fix_id_ns(struct nvmet_req *req)
{
	struct nvme_id_ns *id;
	u16 status;
	int i;

	id = kzalloc_obj(*id);
	if (!id)
		return NVME_SC_INTERNAL;
	status = nvmet_copy_from_sgl(req, 0, id, sizeof(*id));
	if (status)
		goto out;

	/* No metadata over the fabric: formats that have it are not offered. */
	for (i = 0; i <= id->nlbaf && i < ARRAY_SIZE(id->lbaf); i++)
		if (id->lbaf[i].ms)
			memset(&id->lbaf[i], 0, sizeof(id->lbaf[i]));
	id->flbas &= ~NVME_NS_FLBAS_META_EXT;
	id->mc = 0;
	if (READ_ONCE(req->sq->ctrl->subsys->passthru_clear_ids)) {
		memset(id->nguid, 0, sizeof(id->nguid));
		memset(id->eui64, 0, sizeof(id->eui64));
	}

	status = nvmet_copy_to_sgl(req, 0, id, sizeof(*id));
out:
	kfree(id);
	return status;
}

/* clear_ids: of the descriptors, only the command set identifier stays. */
static u16 nvmet_passthru_fix_id_descs(struct nvmet_req *req)
{
	struct nvme_ns_id_desc *d;
	bool have_csi = false;
	unsigned int pos = 0;
	u8 *buf, csi = 0;
	u16 status;

	if (!READ_ONCE(req->sq->ctrl->subsys->passthru_clear_ids))
		return NVME_SC_SUCCESS;
	buf = kzalloc(NVME_IDENTIFY_DATA_SIZE, GFP_KERNEL);
	if (!buf)
		return NVME_SC_INTERNAL;
	status = nvmet_copy_from_sgl(req, 0, buf, NVME_IDENTIFY_DATA_SIZE);
	if (status)
		goto out;

	while (pos + sizeof(*d) <= NVME_IDENTIFY_DATA_SIZE) {
		d = (struct nvme_ns_id_desc *)(buf + pos);
		if (!d->nidl)
			break;
		if (d->nidt == NVME_NIDT_CSI) {
			if (pos + sizeof(*d) + NVME_NIDT_CSI_LEN <= NVME_IDENTIFY_DATA_SIZE) {
				csi = buf[pos + sizeof(*d)];
				have_csi = true;
			}
			break;
		}
		pos += sizeof(*d) + d->nidl;
	}
	memset(buf, 0, NVME_IDENTIFY_DATA_SIZE);
	if (have_csi) {
		d = (struct nvme_ns_id_desc *)buf;
		d->nidt = NVME_NIDT_CSI;
		d->nidl = NVME_NIDT_CSI_LEN;
		buf[sizeof(*d)] = csi;
	}
	status = nvmet_copy_to_sgl(req, 0, buf, NVME_IDENTIFY_DATA_SIZE);
out:
	kfree(buf);
	return status;
}

/* The fix-up of a successful command, if it needs one (from the work item). */
static u16 nvmet_passthru_fixup(struct nvmet_req *req)
{
	if (req->cmd->common.opcode != nvme_admin_identify || req->sq->qid)
		return NVME_SC_SUCCESS;
	switch (req->cmd->identify.cns) {
	case NVME_ID_CNS_CTRL:
		return nvmet_passthru_fix_id_ctrl(req);
	case NVME_ID_CNS_NS:
		return nvmet_passthru_fix_id_ns(req);
	case NVME_ID_CNS_NS_DESC_LIST:
		return nvmet_passthru_fix_id_descs(req);
	default:
		return NVME_SC_SUCCESS;
	}
}

/* --- execute ------------------------------------------------------------- */

/*
 * The bytes of data the device moves for a command whose layout the target
 * knows, or -1 (vendor-specific and other commands: the host's SGL is
 * trusted, as in-tree, and a read buffer starts zeroed). A forwarded command
 * must not make the device move more than the buffer holds, nor leave part
 * of a read buffer unwritten.
 */
static s64 nvmet_passthru_data_len(struct nvmet_req *req, struct nvme_ns *ns)
{
	struct nvme_command *cmd = req->cmd;

	if (ns) {
		switch (cmd->common.opcode) {
		case nvme_cmd_read:
		case nvme_cmd_write:
		case nvme_cmd_compare:
		case nvme_cmd_zone_append:
			return ((u64)le16_to_cpu(cmd->rw.length) + 1) << ns->head->lba_shift;
		case nvme_cmd_dsm:
			return ((u64)(le32_to_cpu(cmd->dsm.nr) & 0xff) + 1) *
			       sizeof(struct nvme_dsm_range);
		case nvme_cmd_zone_mgmt_recv:
			return ((u64)le32_to_cpu(cmd->zmr.numd) + 1) * 4;
		case nvme_cmd_flush:
		case nvme_cmd_write_zeroes:
		case nvme_cmd_verify:
		case nvme_cmd_zone_mgmt_send:
			return 0;
		default:
			return -1;
		}
	}
	switch (cmd->common.opcode) {
	case nvme_admin_identify:
		return NVME_IDENTIFY_DATA_SIZE;
	case nvme_admin_get_log_page:
		return nvmet_get_log_page_len(cmd);
	case nvme_admin_get_features:
	case nvme_admin_set_features:
		switch (le32_to_cpu(cmd->features.fid) & 0xff) {
		case NVME_FEAT_LBA_RANGE:
			return NVMET_FEAT_LBA_RANGE_LEN;
		case NVME_FEAT_AUTO_PST:
			return NVMET_FEAT_AUTO_PST_LEN;
		case NVME_FEAT_TIMESTAMP:
			return NVMET_FEAT_TIMESTAMP_LEN;
		case NVME_FEAT_HOST_BEHAVIOR:
			return NVMET_FEAT_HOST_BEHAVIOR_LEN;
		case NVME_FEAT_PLM_CONFIG:
			return NVMET_FEAT_PLM_CONFIG_LEN;
		case NVME_FEAT_ARBITRATION:
		case NVME_FEAT_POWER_MGMT:
		case NVME_FEAT_TEMP_THRESH:
		case NVME_FEAT_ERR_RECOVERY:
		case NVME_FEAT_VOLATILE_WC:
		case NVME_FEAT_WRITE_ATOMIC:
		case NVME_FEAT_HCTM:
		case NVME_FEAT_NOPSC:
		case NVME_FEAT_RRL:
		case NVME_FEAT_PLM_WINDOW:
		case NVME_FEAT_SANITIZE:
			return 0;
		default:
			return -1;
		}
	default:
		return -1;
	}
}

/* REQ's data (req->sg) as one bio of RQ. */
static int nvmet_passthru_map(struct nvmet_req *req, struct request *rq)
{
	struct scatterlist *sg;
	struct bio *bio;
	int i, ret;

	if (req->sg_cnt > BIO_MAX_VECS)
		return -EINVAL;
	bio = bio_alloc(NULL, bio_max_segs(req->sg_cnt), req_op(rq), GFP_KERNEL);
	if (!bio)
		return -ENOMEM;
	bio->bi_end_io = bio_put;
	for_each_sg(req->sg, sg, req->sg_cnt, i) {
		if (bio_add_page(bio, sg_page(sg), sg->length, sg->offset) != sg->length) {
			ret = -EINVAL;
			goto out_put;
		}
	}
	ret = blk_rq_append_bio(rq, bio);
	if (ret)
		goto out_put;
	return 0;
out_put:
	bio_put(bio);
	return ret;
}

/* A status of nvme-core: an NVMe status, or a negative errno (no answer). */
static u16 nvmet_passthru_status(int ret)
{
	return ret < 0 ? NVME_SC_INTERNAL : ret;
}

/*
 * Commands with effects beyond their logical blocks, and Identify (fixed up
 * afterwards): synchronously, with nvme-core's quiesce and rescan around.
 */
static void nvmet_passthru_work(struct work_struct *w)
{
	struct nvmet_req *req = container_of(w, struct nvmet_req, p.work);
	struct nvmet_passthru *pt = req->p.pt;
	struct request *rq = req->p.rq;
	struct nvme_ns *ns = req->p.ns;
	u8 opcode = req->cmd->common.opcode;
	struct nvme_command cmd;
	u32 effects;
	u16 status;
	int ret;

	/* nvme_passthru_end() looks at the command after it completed. */
	cmd = *req->cmd;
	effects = nvme_passthru_start(pt->ctrl, ns, opcode);
	ret = nvme_execute_rq(rq, false);
	status = nvmet_passthru_status(ret);
	if (!status)
		status = nvmet_passthru_fixup(req);
	req->cqe->result = nvme_req(rq)->result;
	blk_mq_free_request(rq);
	nvmet_req_complete(req, status);
	if (effects)
		nvme_passthru_end(pt->ctrl, ns, effects, &cmd, ret);
	if (ns)
		nvme_put_ns(ns);
	percpu_ref_put(&pt->ref);
}

static enum rq_end_io_ret nvmet_passthru_done(struct request *rq, blk_status_t blk_status,
					      const struct io_comp_batch *iob)
{
	struct nvmet_req *req = rq->end_io_data;
	struct nvmet_passthru *pt = req->p.pt;
	u16 status = nvme_req(rq)->status;

	/* Failed before the device answered (its queue is dying): no success. */
	if (!status && (blk_status || (nvme_req(rq)->flags & NVME_REQ_CANCELLED)))
		status = NVME_SC_INTERNAL;
	req->cqe->result = nvme_req(rq)->result;
	nvmet_req_complete(req, status);
	percpu_ref_put(&pt->ref);
	return RQ_END_IO_FREE;
}

NVMET_DEFINE_RQ_END_IO(nvmet_passthru_done);

static void nvmet_passthru_execute(struct nvmet_req *req)
{
	struct nvmet_subsys *subsys = req->sq->ctrl->subsys;
	struct nvme_ns *ns = NULL;
	struct nvmet_passthru *pt;
	struct request_queue *q;
	unsigned int timeout;
	struct request *rq;
	u32 effects;
	s64 len;
	u16 status;
	int ret;

	pt = nvmet_passthru_get(req);
	if (!pt) {
		/* Disabled since the command was parsed: its controller goes too. */
		nvmet_req_complete(req, NVME_SC_INTERNAL);
		return;
	}
	if (req->sq->qid) {
		ns = nvme_find_get_ns(pt->ctrl, le32_to_cpu(req->cmd->common.nsid));
		if (!ns) {
			req->error_loc = offsetof(struct nvme_common_command, nsid);
			status = NVME_SC_INVALID_NS | NVME_STATUS_DNR;
			goto out_put_pt;
		}
		/* The metadata of a format that has it would need a buffer we do not have. */
		if (ns->head->ms) {
			pr_err_ratelimited("passthru %s: nsid %u is formatted with metadata, which the target does not carry\n",
					   subsys->subsysnqn, ns->head->ns_id);
			status = NVME_SC_INVALID_FORMAT | NVME_STATUS_DNR;
			goto out_put_ns;
		}
		q = ns->queue;
		timeout = READ_ONCE(subsys->passthru_io_timeout);
	} else {
		q = pt->ctrl->admin_q;
		timeout = READ_ONCE(subsys->passthru_admin_timeout);
	}

	/* The data the device moves must be what the buffer holds. */
	if (req->transfer_len > req->data_len) {
		status = nvmet_field_error(req, req->sq->qid ? NVMET_LOC_RW_LENGTH :
							       NVMET_LOC_CDW10);
		goto out_put_ns;
	}
	len = nvmet_passthru_data_len(req, ns);
	/* nvmet_check_transfer_len() completes the request when it fails. */
	if (len >= 0 && !nvmet_check_transfer_len(req, len))
		goto out_silent;
	if (len < 0 && !nvme_is_write(req->cmd) && req->sg_cnt)
		sg_zero_buffer(req->sg, req->sg_cnt, req->transfer_len, 0);

	/* The device must not see a metadata pointer from the host. */
	req->cmd->common.metadata = 0;
	rq = blk_mq_alloc_request(q, nvme_req_op(req->cmd), 0);
	if (IS_ERR(rq)) {
		status = NVME_SC_INTERNAL;
		goto out_put_ns;
	}
	nvme_init_request(rq, req->cmd);
	if (timeout)
		rq->timeout = timeout;
	if (req->sg_cnt) {
		ret = nvmet_passthru_map(req, rq);
		if (ret) {
			blk_mq_free_request(rq);
			status = NVME_SC_INTERNAL;
			goto out_put_ns;
		}
	}

	req->p.pt = pt;
	effects = nvme_command_effects(pt->ctrl, ns, req->cmd->common.opcode);
	if (req->p.sync || (effects & ~(NVME_CMD_EFFECTS_CSUPP | NVME_CMD_EFFECTS_LBCC))) {
		/* The work item puts ns and pt. */
		req->p.rq = rq;
		req->p.ns = ns;
		INIT_WORK(&req->p.work, nvmet_passthru_work);
		queue_work(nvmet_io_wq, &req->p.work);
		return;
	}
	rq->end_io = nvmet_passthru_done_rq_end_io;
	rq->end_io_data = req;
	blk_execute_rq_nowait(rq, false);
	/* The request holds its queue (a removal waits for it); REQ may be gone. */
	if (ns)
		nvme_put_ns(ns);
	return;

out_put_ns:
	nvmet_req_complete(req, status);
out_silent:
	if (ns)
		nvme_put_ns(ns);
	percpu_ref_put(&pt->ref);
	return;
out_put_pt:
	nvmet_req_complete(req, status);
	percpu_ref_put(&pt->ref);
}

/*
 * Set Features Host Behavior Support: the device has one host, the kernel;
 * a fabrics host may ask only for what that host already set.
 */
static void nvmet_passthru_set_host_behavior(struct nvmet_req *req)
{
	struct nvme_feat_host_behavior *cur;
	struct nvmet_passthru *pt;
	u16 status = NVME_SC_INTERNAL;
	int ret;

	if (!nvmet_check_transfer_len(req, NVMET_FEAT_HOST_BEHAVIOR_LEN))
		return;
	pt = nvmet_passthru_get(req);
	if (!pt)
		goto out;
	cur = kzalloc(2 * NVMET_FEAT_HOST_BEHAVIOR_LEN, GFP_KERNEL);
	if (!cur)
		goto out_put;
	ret = nvme_get_features(pt->ctrl, NVME_FEAT_HOST_BEHAVIOR, 0, cur,
				NVMET_FEAT_HOST_BEHAVIOR_LEN, NULL);
	if (ret) {
		status = nvmet_passthru_status(ret);
		goto out_free;
	}
	status = nvmet_copy_from_sgl(req, 0, (u8 *)cur + NVMET_FEAT_HOST_BEHAVIOR_LEN,
				     NVMET_FEAT_HOST_BEHAVIOR_LEN);
	if (!status && memcmp(cur, (u8 *)cur + NVMET_FEAT_HOST_BEHAVIOR_LEN,
			      NVMET_FEAT_HOST_BEHAVIOR_LEN)) {
		pr_warn_ratelimited("passthru %s: a host asked for another host behavior than the device's host set\n",
				    req->sq->ctrl->subsysnqn);
		status = NVME_SC_INTERNAL;
	}
out_free:
	kfree(cur);
out_put:
	percpu_ref_put(&pt->ref);
out:
	nvmet_req_complete(req, status);
}

/* --- parse --------------------------------------------------------------- */

/* A command for the device: any data up to MDTS, checked at execute. */
static u16 nvmet_passthru_forward(struct nvmet_req *req, bool sync)
{
	req->data_len = nvmet_passthru_mdts_bytes(req->sq->ctrl);
	req->p.sync = sync;
	req->execute = nvmet_passthru_execute;
	return NVME_SC_SUCCESS;
}

static u16 nvmet_passthru_refuse(struct nvmet_req *req)
{
	req->error_loc = NVMET_LOC_OPCODE;
	return NVME_SC_INVALID_OPCODE | NVME_STATUS_DNR;
}

/* Set and Get Features: the FIDs the device decides (the in-tree list). */
static u16 nvmet_passthru_parse_features(struct nvmet_req *req)
{
	u8 fid = le32_to_cpu(req->cmd->features.fid) & 0xff;

	switch (fid) {
	case NVME_FEAT_ASYNC_EVENT:
	case NVME_FEAT_KATO:
	case NVME_FEAT_NUM_QUEUES:
	case NVME_FEAT_HOST_ID:
		/* This fabrics controller's own. */
		return NVMET_PARSE_COMMON;
	case NVME_FEAT_HOST_BEHAVIOR:
		if (req->cmd->common.opcode == nvme_admin_get_features)
			return nvmet_passthru_forward(req, false);
		req->data_len = NVMET_FEAT_HOST_BEHAVIOR_LEN;
		req->execute = nvmet_passthru_set_host_behavior;
		return NVME_SC_SUCCESS;
	case NVMET_FEAT_FDP:
		if (req->cmd->common.opcode == nvme_admin_get_features)
			return nvmet_passthru_forward(req, false);
		return nvmet_passthru_refuse(req);
	case NVME_FEAT_ARBITRATION:
	case NVME_FEAT_POWER_MGMT:
	case NVME_FEAT_LBA_RANGE:
	case NVME_FEAT_TEMP_THRESH:
	case NVME_FEAT_ERR_RECOVERY:
	case NVME_FEAT_VOLATILE_WC:
	case NVME_FEAT_WRITE_ATOMIC:
	case NVME_FEAT_AUTO_PST:
	case NVME_FEAT_TIMESTAMP:
	case NVME_FEAT_HCTM:
	case NVME_FEAT_NOPSC:
	case NVME_FEAT_RRL:
	case NVME_FEAT_PLM_CONFIG:
	case NVME_FEAT_PLM_WINDOW:
	case NVME_FEAT_SANITIZE:
	case NVME_FEAT_VENDOR_START ... NVME_FEAT_VENDOR_END:
		return nvmet_passthru_forward(req, false);
	default:
		/*
		 * Interrupts, the host memory buffer, software progress and
		 * reservations mean nothing through a fabric (the in-tree
		 * target's answer).
		 */
		return nvmet_passthru_refuse(req);
	}
}

/* Identify: the data structures of this controller go through a fix-up. */
static u16 nvmet_passthru_parse_identify(struct nvmet_req *req)
{
	switch (req->cmd->identify.cns) {
	case NVME_ID_CNS_CTRL:
	case NVME_ID_CNS_NS:
	case NVME_ID_CNS_NS_DESC_LIST:
		return nvmet_passthru_forward(req, true);
	case NVME_ID_CNS_CS_CTRL:
	case NVME_ID_CNS_CS_NS:
		/* Only the Zoned Namespace command set's (as in-tree). */
		if (req->cmd->identify.csi == NVME_CSI_ZNS)
			return nvmet_passthru_forward(req, true);
		return nvmet_passthru_refuse(req);
	default:
		return nvmet_passthru_forward(req, false);
	}
}

/*
 * With passthru/forward_all_admin (beyond in-tree): the admin commands a
 * fabrics host may send to the device besides the ones in-tree forwards.
 * Never the ones that manage the device's own queues or its link to the
 * local driver (Create/Delete I/O SQ/CQ, Abort, Doorbell Buffer Config,
 * Virtualization Management): they would break the local host's use of it.
 */
static bool nvmet_passthru_admin_forwardable(u8 opcode)
{
	switch (opcode) {
	case nvme_admin_ns_mgmt:
	case nvme_admin_activate_fw:
	case nvme_admin_download_fw:
	case nvme_admin_dev_self_test:
	case nvme_admin_ns_attach:
	case nvme_admin_directive_send:
	case nvme_admin_directive_recv:
	case nvme_admin_nvme_mi_send:
	case nvme_admin_nvme_mi_recv:
	case nvme_admin_format_nvm:
	case nvme_admin_security_send:
	case nvme_admin_security_recv:
	case nvme_admin_sanitize_nvm:
	case nvme_admin_get_lba_status:
		return true;
	default:
		return false;
	}
}

static u16 nvmet_passthru_parse_admin(struct nvmet_req *req)
{
	u8 opcode = req->cmd->common.opcode;

	if (opcode >= nvme_admin_vendor_start)
		return nvmet_passthru_forward(req, false);
	switch (opcode) {
	case nvme_admin_async_event:
	case nvme_admin_keep_alive:
		/* The fabrics controller's: the device's events stay with its host. */
		return NVMET_PARSE_COMMON;
	case nvme_admin_set_features:
	case nvme_admin_get_features:
		return nvmet_passthru_parse_features(req);
	case nvme_admin_identify:
		return nvmet_passthru_parse_identify(req);
	case nvme_admin_get_log_page:
		return nvmet_passthru_forward(req, false);
	default:
		if (READ_ONCE(req->sq->ctrl->subsys->passthru_forward_all_admin) &&
		    nvmet_passthru_admin_forwardable(opcode))
			return nvmet_passthru_forward(req, false);
		/* Not forwarded by the in-tree target either (docs/passthru.md). */
		return nvmet_passthru_refuse(req);
	}
}

const struct nvmet_admin_set nvmet_passthru_admin_set = {
	.parse		= nvmet_passthru_parse_admin,
};

u16 nvmet_parse_passthru_io_cmd(struct nvmet_req *req)
{
	u16 status = nvmet_check_ctrl_status(req);

	if (status)
		return status;
	switch (req->cmd->common.opcode) {
	case nvme_cmd_resv_register:
	case nvme_cmd_resv_report:
	case nvme_cmd_resv_acquire:
	case nvme_cmd_resv_release:
		/* Every fabrics host would be the device's one host. */
		return nvmet_passthru_refuse(req);
	default:
		return nvmet_passthru_forward(req, false);
	}
}

/* --- enable and disable -------------------------------------------------- */

static bool nvmet_subsys_has_enabled_ns(struct nvmet_subsys *subsys)
{
	struct nvmet_ns *ns;
	unsigned long idx;

	lockdep_assert_held(&subsys->lock);
	xa_for_each(&subsys->namespaces, idx, ns)
		if (ns->enabled)
			return true;
	return false;
}

int nvmet_passthru_enable(struct nvmet_subsys *subsys)
{
	struct nvmet_passthru *pt;
	struct nvme_ctrl *ctrl;
	struct file *file;
	void *old;
	int ret;

	pt = kzalloc_obj(*pt);
	if (!pt)
		return -ENOMEM;
	init_completion(&pt->idle);
	ret = percpu_ref_init(&pt->ref, nvmet_passthru_idle, 0, GFP_KERNEL);
	if (ret) {
		kfree(pt);
		return ret;
	}

	mutex_lock(&subsys->lock);
	ret = -EINVAL;
	if (!subsys->passthru_ctrl_path || rcu_access_pointer(subsys->passthru))
		goto out_unlock;
	if (nvmet_subsys_has_enabled_ns(subsys)) {
		pr_info("subsystem %s: passthru and namespaces cannot be enabled together\n",
			subsys->subsysnqn);
		goto out_unlock;
	}
	file = filp_open(subsys->passthru_ctrl_path, O_RDWR, 0);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		if (ret == -EWOULDBLOCK)
			pr_err("subsystem %s: passthru device %s is not live yet (starting or resetting): enable it again once its state (/sys/class/nvme/*/state) is live\n",
			       subsys->subsysnqn, subsys->passthru_ctrl_path);
		else
			pr_err("subsystem %s: passthru device %s: cannot open it (%d)\n",
			       subsys->subsysnqn, subsys->passthru_ctrl_path, ret);
		goto out_unlock;
	}
	ctrl = nvme_ctrl_from_file(file);
	if (!ctrl) {
		pr_err("subsystem %s: %s is not an NVMe controller's character device (/dev/nvmeN)\n",
		       subsys->subsysnqn, subsys->passthru_ctrl_path);
		goto out_close;
	}
	old = xa_cmpxchg(&nvmet_passthru_ctrls, ctrl->instance, NULL, subsys, GFP_KERNEL);
	if (xa_is_err(old)) {
		ret = xa_err(old);
		goto out_close;
	}
	if (old) {
		pr_err("subsystem %s: %s is exported by subsystem %s already\n",
		       subsys->subsysnqn, subsys->passthru_ctrl_path,
		       ((struct nvmet_subsys *)old)->subsysnqn);
		goto out_close;
	}

	/* Held until disable; the open file holds the driver module meanwhile. */
	nvme_get_ctrl(ctrl);
	__module_get(ctrl->ops->module);
	pt->ctrl = ctrl;

	subsys->passthru_saved_ver = subsys->ver;
	subsys->ver = ctrl->vs;
	if (subsys->ver < NVMET_PASSTHRU_MIN_VS) {
		pr_warn("subsystem %s: %s reports NVMe %u.%u.%u; reporting 1.2.1\n",
			subsys->subsysnqn, subsys->passthru_ctrl_path, (u32)NVME_MAJOR(subsys->ver),
			(u32)NVME_MINOR(subsys->ver), (u32)NVME_TERTIARY(subsys->ver));
		subsys->ver = NVMET_PASSTHRU_MIN_VS;
	}
	subsys->passthru_mdts = nvmet_passthru_dev_mdts(ctrl);
	subsys->passthru_iocs = nvme_multi_css(ctrl);
	rcu_assign_pointer(subsys->passthru, pt);
	pr_info("subsystem %s: passthru of %s (%s, instance %d)\n", subsys->subsysnqn,
		subsys->passthru_ctrl_path, dev_name(ctrl->device), ctrl->instance);
	pt = NULL;
	ret = 0;
out_close:
	filp_close(file, NULL);
out_unlock:
	mutex_unlock(&subsys->lock);
	if (pt) {
		percpu_ref_exit(&pt->ref);
		kfree(pt);
	} else {
		/* Controllers connected before are not passthru controllers. */
		nvmet_subsys_del_ctrls(subsys);
	}
	return ret;
}

void nvmet_passthru_disable(struct nvmet_subsys *subsys)
{
	struct nvmet_passthru *pt;

	mutex_lock(&subsys->lock);
	pt = rcu_dereference_protected(subsys->passthru, lockdep_is_held(&subsys->lock));
	if (!pt) {
		mutex_unlock(&subsys->lock);
		return;
	}
	RCU_INIT_POINTER(subsys->passthru, NULL);
	subsys->ver = subsys->passthru_saved_ver;
	subsys->passthru_mdts = 0;
	subsys->passthru_iocs = false;
	mutex_unlock(&subsys->lock);

	/* The hosts' controllers go; then the commands still at the device. */
	nvmet_subsys_del_ctrls(subsys);
	percpu_ref_kill(&pt->ref);
	wait_for_completion(&pt->idle);
	synchronize_rcu();

	xa_erase(&nvmet_passthru_ctrls, pt->ctrl->instance);
	pr_info("subsystem %s: passthru of %s ended\n", subsys->subsysnqn,
		dev_name(pt->ctrl->device));
	module_put(pt->ctrl->ops->module);
	nvme_put_ctrl(pt->ctrl);
	percpu_ref_exit(&pt->ref);
	kfree(pt);
}

#else /* !NVMET_OOT_HOST_INTERNALS */

/*
 * Built without the NVMe host's internals: nothing can be exported, and
 * enable says why (the reason names the package to install).
 */
int nvmet_passthru_enable(struct nvmet_subsys *subsys)
{
	pr_err("subsystem %s: passthru is not available: this nvmet was built without the NVMe host's internal headers: %s; then rebuild nvmet (dkms build)\n",
	       subsys->subsysnqn, NVMET_OOT_HOST_INTERNALS_MISSING);
	return -EOPNOTSUPP;
}

void nvmet_passthru_disable(struct nvmet_subsys *subsys)
{
}

static u16 nvmet_passthru_parse_admin(struct nvmet_req *req)
{
	return NVMET_PARSE_COMMON;
}

const struct nvmet_admin_set nvmet_passthru_admin_set = {
	.parse		= nvmet_passthru_parse_admin,
};

u16 nvmet_parse_passthru_io_cmd(struct nvmet_req *req)
{
	req->error_loc = NVMET_LOC_OPCODE;
	return NVME_SC_INVALID_OPCODE | NVME_STATUS_DNR;
}

#endif /* NVMET_OOT_HOST_INTERNALS */
