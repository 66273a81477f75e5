// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-oot: the capsule entry point. A transport hands every command it
 * receives to nvmet_req_init(), which checks the SQE's flags, picks the
 * command set by queue and controller (Connect on a queue without one,
 * Fabrics commands, the discovery, NVM or passthru admin set, the NVM or
 * passthru I/O set), lets
 * that parser choose the handler, and checks the result against MDTS. It
 * sits above the command sets and calls down into them; nothing below calls
 * it. See nvmet.h for the request life cycle.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "nvmet.h"
#include "trace.h"
#include "wire/cmd.h"

/*
 * A command that moves more data than Identify's MDTS allows: Invalid Field
 * in Command. Discovery controllers report no MDTS and are not limited.
 */
static u16 nvmet_check_mdts(struct nvmet_req *req)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;

	if (!ctrl || nvmet_is_disc_subsys(ctrl->subsys) ||
	    req->data_len <= nvmet_ctrl_mdts_bytes(ctrl))
		return 0;
	/* NLB of an I/O command, NUMDL of a log page: CDW12 and CDW10. */
	req->error_loc = req->sq->qid ? offsetof(struct nvme_rw_command, length) :
					offsetof(struct nvme_common_command, cdw10);
	return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
}

/* The admin commands of the subsystem's kind of controller. */
static const struct nvmet_admin_set *nvmet_admin_set_of(struct nvmet_subsys *subsys)
{
	if (nvmet_is_disc_subsys(subsys))
		return &nvmet_disc_admin_set;
	if (nvmet_is_passthru_subsys(subsys))
		return &nvmet_passthru_admin_set;
	return &nvmet_nvm_admin_set;
}

bool nvmet_req_init(struct nvmet_req *req, struct nvmet_sq *sq,
		    const struct nvmet_fabrics_ops *ops)
{
	struct nvmet_ctrl *ctrl = sq->ctrl;
	u16 status;

	req->sq = sq;
	req->ops = ops;
	req->sg = NULL;
	req->sg_cnt = 0;
	req->transfer_len = 0;
	req->data_len = 0;
	req->ns = NULL;
	req->pr_srcu = -1;
	req->execute = NULL;
	req->start_ns = ktime_get_ns();
	req->error_loc = NVMET_NO_ERROR_LOC;
	req->error_slba = 0;
	req->cqe->status = 0;
	req->cqe->sq_head = 0;
	req->cqe->result.u64 = 0;

	status = nvmet_wire_sqe_check_flags((const u8 *)req->cmd);
	if (status)
		req->error_loc = offsetof(struct nvme_common_command, flags);
	else if (!ctrl)
		status = nvmet_parse_connect_cmd(req);
	else if (nvme_is_fabrics(req->cmd))
		status = sq->qid ? nvmet_parse_fabrics_io_cmd(req) : nvmet_parse_fabrics_cmd(req);
	else if (unlikely(nvmet_sq_auth_pending(sq)))
		/* A controller not yet enabled says so first, as in-tree. */
		status = nvmet_check_ctrl_status(req) ?: NVME_SC_AUTH_REQUIRED | NVME_STATUS_DNR;
	else if (sq->qid == 0)
		status = nvmet_parse_admin_cmd(req, nvmet_admin_set_of(ctrl->subsys));
	else if (nvmet_is_passthru_subsys(ctrl->subsys))
		status = nvmet_parse_passthru_io_cmd(req);
	else
		status = nvmet_parse_io_cmd(req);
	/* Every command once, parsed or not (then its completion follows). */
	trace_nvmet_req_init(req, req->cmd);
	if (status)
		goto fail;
	if (WARN_ON_ONCE(!req->execute)) {
		status = NVME_SC_INTERNAL | NVME_STATUS_DNR;
		goto fail;
	}
	status = nvmet_check_mdts(req);
	if (status)
		goto fail;

	if (unlikely(!percpu_ref_tryget_live(&sq->ref))) {
		status = NVME_SC_INTERNAL | NVME_STATUS_DNR;
		goto fail;
	}
	if (ctrl)
		WRITE_ONCE(ctrl->reset_tbkas, true);
	return true;

fail:
	__nvmet_req_complete(req, status);
	return false;
}
EXPORT_SYMBOL_GPL(nvmet_req_init);
