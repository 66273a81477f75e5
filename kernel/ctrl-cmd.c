// SPDX-License-Identifier: GPL-2.0
/*
 * Admin commands that every controller has, an NVM subsystem's and a
 * discovery subsystem's alike (NVMe Base 2.x): Set/Get Features,
 * Asynchronous Event Request and Keep Alive, the Get Log Page fields, and
 * the admin queue's parser, which reaches the commands that differ by
 * controller kind (admin-cmd.c, discovery.c) through struct nvmet_admin_set,
 * never by name; and Identify Controller's fabrics fields.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/unaligned.h>

#include "nvmet.h"

/* --- Get Log Page fields ------------------------------------------------- */

/*
 * NUMDU:NUMDL is a 0's based dword count; the largest value does not fit in
 * a u32 byte count, so it is clamped to a length no transfer will match.
 */
u32 nvmet_get_log_page_len(struct nvme_command *cmd)
{
	u64 dwords = ((u64)le16_to_cpu(cmd->get_log_page.numdu) << 16 |
		      le16_to_cpu(cmd->get_log_page.numdl)) + 1;

	return min_t(u64, dwords * sizeof(u32), U32_MAX);
}

u64 nvmet_get_log_page_offset(struct nvme_command *cmd)
{
	return le64_to_cpu(cmd->get_log_page.lpo);
}

/*
 * Reading a log page re-arms the event that points at it, unless the host
 * asked to Retain the Asynchronous Event.
 */
/*
 * The fabrics fields of Identify Controller as every NVM controller of this
 * target reports them: SGL support, capsule sizes (an SQE plus in-capsule
 * data, none with metadata; a CQE), in-capsule data offset, SGL descriptors
 * per command and OFCS (by offset: not every kernel's nvme.h names it;
 * bit 0, Disconnect, where the transport has it).
 */
void nvmet_id_ctrl_fabrics(struct nvmet_req *req, struct nvme_id_ctrl *id)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;
	int inline_size = req->port->inline_data_size;
	u32 ioccsz = sizeof(struct nvme_command);

	id->sgls = cpu_to_le32(NVMET_SGLS_BYTE_ALIGNED);
	if (ctrl->ops->flags & NVMF_KEYED_SGLS)
		id->sgls |= cpu_to_le32(NVMET_SGLS_KEYED);
	if (inline_size > 0)
		id->sgls |= cpu_to_le32(NVMET_SGLS_OFFSET);
	if (inline_size > 0 && !ctrl->pi_support)
		ioccsz += inline_size;
	id->ioccsz = cpu_to_le32(ioccsz / 16);
	id->iorcsz = cpu_to_le32(sizeof(struct nvme_completion) / 16);
	id->icdoff = 0;
	id->msdbd = ctrl->ops->msdbd;
	put_unaligned_le16(ctrl->ops->disconnect_sq ? 1 : 0, (u8 *)id + NVMET_ID_CTRL_OFCS);
}

void nvmet_clear_aen_bit(struct nvmet_req *req, u32 bn)
{
	if (le32_to_cpu(req->cmd->common.cdw10) & NVMET_LOG_RAE)
		return;
	clear_bit(bn, &req->sq->ctrl->aen_masked);
}

/* --- Set / Get Features -------------------------------------------------- */

static u8 nvmet_feat_fid(struct nvmet_req *req)
{
	return le32_to_cpu(req->cmd->common.cdw10) & 0xff;
}

/* Bytes of data a Get Features FID returns. */
static size_t nvmet_get_feat_data_len(struct nvmet_req *req)
{
	/* A discovery controller has no Host Identifier feature. */
	if (nvmet_is_disc_subsys(req->sq->ctrl->subsys))
		return 0;
	return nvmet_feat_fid(req) == NVME_FEAT_HOST_ID ? sizeof(uuid_t) : 0;
}

/* NCQA/NSQA (0's based): every controller of the subsystem gets max_qid. */
static u32 nvmet_feat_num_queues(struct nvmet_ctrl *ctrl)
{
	u32 n = max_t(u32, ctrl->max_qid, 1) - 1;

	return n | n << 16;
}

/*
 * Which asynchronous events the host may enable: a discovery controller has
 * only the discovery log change.
 */
static u32 nvmet_aen_settable(struct nvmet_ctrl *ctrl)
{
	if (nvmet_is_disc_subsys(ctrl->subsys))
		return NVME_AEN_CFG_DISC_CHANGE;
	return NVMET_AEN_SETTABLE;
}

/* Flush the backend so that nothing written before write protect is lost. */
static u16 nvmet_flush_ns_sync(struct nvmet_req *req, struct nvmet_ns *ns)
{
	int ret = nvmet_ns_sync(ns);

	if (ret) {
		pr_err("write protect: flush of nsid %u failed (%d)\n", ns->nsid, ret);
		return errno_to_nvme_status(req, ret);
	}
	return NVME_SC_SUCCESS;
}

static u16 nvmet_set_feat_write_protect(struct nvmet_req *req)
{
	u32 wps = le32_to_cpu(req->cmd->common.cdw11) & NVMET_WPS_MASK;
	struct nvmet_subsys *subsys = req->sq->ctrl->subsys;
	struct nvmet_ns *ns;
	u16 status;

	status = nvmet_req_find_ns(req);
	if (status)
		return status;
	ns = req->ns;

	/* Only the states that end on their own: no power-cycle or permanent. */
	if (wps != NVME_NS_NO_WRITE_PROTECT && wps != NVME_NS_WRITE_PROTECT)
		return nvmet_field_error(req, NVMET_LOC_CDW11);

	mutex_lock(&subsys->lock);
	if (wps == NVME_NS_WRITE_PROTECT) {
		WRITE_ONCE(ns->readonly, true);
		status = nvmet_flush_ns_sync(req, ns);
		if (status)
			WRITE_ONCE(ns->readonly, false);
	} else {
		WRITE_ONCE(ns->readonly, false);
	}
	if (!status)
		nvmet_ns_changed(subsys, ns->nsid);
	mutex_unlock(&subsys->lock);
	return status;
}

static u16 nvmet_get_feat_write_protect(struct nvmet_req *req)
{
	struct nvmet_subsys *subsys = req->sq->ctrl->subsys;
	u16 status;
	u32 wps;

	status = nvmet_req_find_ns(req);
	if (status)
		return status;
	mutex_lock(&subsys->lock);
	wps = req->ns->readonly ? NVME_NS_WRITE_PROTECT : NVME_NS_NO_WRITE_PROTECT;
	mutex_unlock(&subsys->lock);
	nvmet_set_result(req, wps);
	return NVME_SC_SUCCESS;
}

static u16 nvmet_set_feat_kato(struct nvmet_req *req)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;
	u32 ms = le32_to_cpu(req->cmd->common.cdw11);

	nvmet_stop_keep_alive_timer(ctrl);
	ctrl->kato = nvmet_kato_secs(ms);
	nvmet_start_keep_alive_timer(ctrl);
	nvmet_set_result(req, ctrl->kato);
	return NVME_SC_SUCCESS;
}

static u16 nvmet_set_feat_async_event(struct nvmet_req *req)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;
	u32 aec = le32_to_cpu(req->cmd->common.cdw11);

	if (aec & ~nvmet_aen_settable(ctrl))
		return nvmet_field_error(req, NVMET_LOC_CDW11);
	WRITE_ONCE(ctrl->aen_enabled, aec);
	nvmet_set_result(req, aec);
	return NVME_SC_SUCCESS;
}

static void nvmet_execute_set_features(struct nvmet_req *req)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;
	u32 cdw11 = le32_to_cpu(req->cmd->common.cdw11);
	bool disc = nvmet_is_disc_subsys(ctrl->subsys);
	u8 fid = nvmet_feat_fid(req);
	u16 status;

	if (!nvmet_check_data_len_lte(req, req->data_len))
		return;

	/* A discovery controller has only these two features. */
	if (disc && fid != NVME_FEAT_KATO && fid != NVME_FEAT_ASYNC_EVENT)
		fid = 0;

	switch (fid) {
	case NVME_FEAT_NUM_QUEUES:
		/* NCQR/NSQR are 0's based: FFFFh would be 65536 queues. */
		if ((cdw11 & 0xffff) == 0xffff || (cdw11 >> 16) == 0xffff) {
			status = nvmet_field_error(req, NVMET_LOC_CDW11);
			break;
		}
		nvmet_set_result(req, nvmet_feat_num_queues(ctrl));
		status = NVME_SC_SUCCESS;
		break;
	case NVME_FEAT_ASYNC_EVENT:
		status = nvmet_set_feat_async_event(req);
		break;
	case NVME_FEAT_KATO:
		status = nvmet_set_feat_kato(req);
		break;
	case NVME_FEAT_HOST_ID:
		/* On a fabric the host identifier comes with Connect only. */
		status = NVME_SC_CMD_SEQ_ERROR | NVME_STATUS_DNR;
		break;
	case NVME_FEAT_WRITE_PROTECT:
		status = nvmet_set_feat_write_protect(req);
		break;
	case NVME_FEAT_RESV_MASK:
	case NVME_FEAT_RESV_PERSIST:
		status = nvmet_pr_set_feat(req, fid);
		break;
	default:
		status = nvmet_field_error(req, NVMET_LOC_CDW10);
		break;
	}
	nvmet_req_complete(req, status);
}

static void nvmet_execute_get_features(struct nvmet_req *req)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;
	u32 cdw11 = le32_to_cpu(req->cmd->common.cdw11);
	bool disc = nvmet_is_disc_subsys(ctrl->subsys);
	u8 fid = nvmet_feat_fid(req);
	u16 status = NVME_SC_SUCCESS;

	if (!nvmet_check_transfer_len(req, req->data_len))
		return;

	if (disc && fid != NVME_FEAT_KATO && fid != NVME_FEAT_ASYNC_EVENT)
		fid = 0;

	switch (fid) {
	case NVME_FEAT_NUM_QUEUES:
		nvmet_set_result(req, nvmet_feat_num_queues(ctrl));
		break;
	case NVME_FEAT_ASYNC_EVENT:
		nvmet_set_result(req, READ_ONCE(ctrl->aen_enabled));
		break;
	case NVME_FEAT_KATO:
		nvmet_set_result(req, ctrl->kato * 1000);
		break;
	case NVME_FEAT_VOLATILE_WC:
		nvmet_set_result(req, 1);
		break;
	case NVME_FEAT_HOST_ID:
		/* Only the 128-bit extended host identifier is kept. */
		if (!(cdw11 & NVMET_HOSTID_EXHID)) {
			status = nvmet_field_error(req, NVMET_LOC_CDW11);
			break;
		}
		status = nvmet_copy_to_sgl(req, 0, &ctrl->hostid, sizeof(ctrl->hostid));
		break;
	case NVME_FEAT_WRITE_PROTECT:
		status = nvmet_get_feat_write_protect(req);
		break;
	case NVME_FEAT_RESV_MASK:
	case NVME_FEAT_RESV_PERSIST:
		status = nvmet_pr_get_feat(req, fid);
		break;
	default:
		status = nvmet_field_error(req, NVMET_LOC_CDW10);
		break;
	}
	nvmet_req_complete(req, status);
}

/* --- Asynchronous Event Request, Keep Alive, Abort ----------------------- */

/*
 * Park the command until an event is there to report; the controller's
 * event work pairs parked commands with pending events.
 */
static void nvmet_execute_async_event(struct nvmet_req *req)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;

	if (!nvmet_check_transfer_len(req, 0))
		return;

	mutex_lock(&ctrl->lock);
	if (ctrl->nr_async_event_cmds >= NVMET_ASYNC_EVENTS) {
		mutex_unlock(&ctrl->lock);
		nvmet_req_complete(req, NVME_SC_ASYNC_LIMIT | NVME_STATUS_DNR);
		return;
	}
	ctrl->async_event_cmds[ctrl->nr_async_event_cmds++] = req;
	/*
	 * Queued under the lock: once it is dropped the work may complete the
	 * request, after which the controller may go away.
	 */
	queue_work(nvmet_wq, &ctrl->async_event_work);
	mutex_unlock(&ctrl->lock);
}

static void nvmet_execute_keep_alive(struct nvmet_req *req)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;
	u16 status = NVME_SC_SUCCESS;

	if (!nvmet_check_transfer_len(req, 0))
		return;

	if (ctrl->kato)
		mod_delayed_work(nvmet_wq, &ctrl->ka_work, ctrl->kato * HZ);
	else
		status = NVME_SC_KA_TIMEOUT_INVALID;
	nvmet_req_complete(req, status);
}

/*
 * The admin queue's parser, for both kinds of controller: Get Log Page,
 * Identify and Abort go to the controller kind's handlers (SET), the
 * commands above are the same for both.
 */
u16 nvmet_parse_admin_cmd(struct nvmet_req *req, const struct nvmet_admin_set *set)
{
	struct nvme_command *cmd = req->cmd;
	u16 status;

	status = nvmet_check_ctrl_status(req);
	if (status)
		return status;

	req->data_len = 0;
	if (set->parse) {
		status = set->parse(req);
		if (status != NVMET_PARSE_COMMON)
			return status;
	}
	switch (cmd->common.opcode) {
	case nvme_admin_get_log_page:
		if (!set->get_log_page)
			break;
		req->data_len = nvmet_get_log_page_len(cmd);
		req->execute = set->get_log_page;
		return NVME_SC_SUCCESS;
	case nvme_admin_identify:
		if (!set->identify)
			break;
		req->data_len = NVME_IDENTIFY_DATA_SIZE;
		req->execute = set->identify;
		return NVME_SC_SUCCESS;
	case nvme_admin_abort_cmd:
		if (!set->abort)
			break;
		req->execute = set->abort;
		return NVME_SC_SUCCESS;
	case nvme_admin_set_features:
		req->execute = nvmet_execute_set_features;
		return NVME_SC_SUCCESS;
	case nvme_admin_get_features:
		req->data_len = nvmet_get_feat_data_len(req);
		req->execute = nvmet_execute_get_features;
		return NVME_SC_SUCCESS;
	case nvme_admin_async_event:
		req->execute = nvmet_execute_async_event;
		return NVME_SC_SUCCESS;
	case nvme_admin_keep_alive:
		req->execute = nvmet_execute_keep_alive;
		return NVME_SC_SUCCESS;
	default:
		break;
	}
	req->error_loc = NVMET_LOC_OPCODE;
	return NVME_SC_INVALID_OPCODE | NVME_STATUS_DNR;
}
