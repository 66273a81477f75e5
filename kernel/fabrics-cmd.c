// SPDX-License-Identifier: GPL-2.0
/*
 * NVMe over Fabrics commands: Connect (admin and I/O queues), Property Get
 * and Property Set. Field validation of Connect is in wire/cmd.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>

#include "nvmet.h"
#include "wire/auth.h"
#include "wire/cmd.h"

/* Properties (NVMe over Fabrics: the controller registers, by offset). */
static void nvmet_execute_prop_get(struct nvmet_req *req)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;
	u32 offset = le32_to_cpu(req->cmd->prop_get.offset);
	bool eight = req->cmd->prop_get.attrib & 1;
	u16 status = 0;
	u64 val = 0;

	if (!nvmet_check_transfer_len(req, 0))
		return;

	switch (offset) {
	case NVME_REG_CAP:
		if (eight)
			val = ctrl->cap;
		else
			status = NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		break;
	case NVME_REG_VS:
		val = ctrl->subsys->ver;
		break;
	case NVME_REG_CC:
		val = READ_ONCE(ctrl->cc);
		break;
	case NVME_REG_CSTS:
		val = READ_ONCE(ctrl->csts);
		break;
	case NVME_REG_CRTO:
		/* CRIMT/CRWMT in 500 ms units: the CAP.TO value, 15. */
		val = 15 << 16 | 15;
		break;
	default:
		status = NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		break;
	}
	if (!eight && offset == NVME_REG_CAP)
		status = NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	if (eight && offset != NVME_REG_CAP)
		status = NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	if (status)
		req->error_loc = offsetof(struct nvmf_property_get_command, offset);
	else
		req->cqe->result.u64 = cpu_to_le64(val);
	nvmet_req_complete(req, status);
}

static void nvmet_execute_prop_set(struct nvmet_req *req)
{
	u32 offset = le32_to_cpu(req->cmd->prop_set.offset);
	u16 status = 0;

	if (!nvmet_check_transfer_len(req, 0))
		return;

	/* CC is the only writable property, and it is 4 bytes wide. */
	if (req->cmd->prop_set.attrib & 1) {
		req->error_loc = offsetof(struct nvmf_property_set_command, attrib);
		status = NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	} else if (offset != NVME_REG_CC) {
		req->error_loc = offsetof(struct nvmf_property_set_command, offset);
		status = NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	} else {
		nvmet_update_cc(req->sq->ctrl, le64_to_cpu(req->cmd->prop_set.value));
	}
	nvmet_req_complete(req, status);
}

/* Disconnect: the transport drains the I/O queue it came on (disconnect_sq). */
static void nvmet_execute_disconnect(struct nvmet_req *req)
{
	if (!nvmet_check_transfer_len(req, 0))
		return;
	pr_debug("ctrl %d: host disconnects I/O queue %d\n", req->sq->ctrl->cntlid, req->sq->qid);
	req->ops->disconnect_sq(req);
}

/*
 * The transport completes a Disconnect with this once every earlier command
 * of its queue has completed: the QID is free for a new Connect from the
 * moment the host can see the completion.
 */
void nvmet_complete_disconnect(struct nvmet_req *req)
{
	struct nvmet_sq *sq = req->sq;
	struct nvmet_ctrl *ctrl = sq->ctrl;

	mutex_lock(&ctrl->lock);
	if (ctrl->sqs[sq->qid] == sq) {
		ctrl->sqs[sq->qid] = NULL;
		ctrl->cqs[sq->qid] = NULL;
	}
	mutex_unlock(&ctrl->lock);
	nvmet_req_complete(req, 0);
}
EXPORT_SYMBOL_GPL(nvmet_complete_disconnect);

/* Validates a Disconnect; 0 if it may execute. */
static u16 nvmet_parse_disconnect(struct nvmet_req *req)
{
	u16 status, at;

	if (!req->ops->disconnect_sq) {
		req->error_loc = offsetof(struct nvmf_common_command, fctype);
		return NVME_SC_INVALID_OPCODE | NVME_STATUS_DNR;
	}
	status = nvmet_wire_parse_disconnect((const u8 *)req->cmd, !req->sq->qid, &at);
	if (status) {
		req->error_loc = at;
		return status;
	}
	req->execute = nvmet_execute_disconnect;
	return 0;
}

u16 nvmet_parse_fabrics_cmd(struct nvmet_req *req)
{
	switch (req->cmd->fabrics.fctype) {
	case nvme_fabrics_type_property_set:
		req->execute = nvmet_execute_prop_set;
		break;
	case nvme_fabrics_type_property_get:
		req->execute = nvmet_execute_prop_get;
		break;
	case NVMET_WIRE_FCTYPE_DISCONNECT:
		return nvmet_parse_disconnect(req);
	case nvme_fabrics_type_auth_send:
	case nvme_fabrics_type_auth_receive:
		return nvmet_parse_auth_cmd(req);
	default:
		pr_debug("fabrics command %#x on the admin queue not supported\n",
			 req->cmd->fabrics.fctype);
		req->error_loc = offsetof(struct nvmf_common_command, fctype);
		return NVME_SC_INVALID_OPCODE | NVME_STATUS_DNR;
	}
	return 0;
}

u16 nvmet_parse_fabrics_io_cmd(struct nvmet_req *req)
{
	if (req->cmd->fabrics.fctype == NVMET_WIRE_FCTYPE_DISCONNECT)
		return nvmet_parse_disconnect(req);
	if (req->cmd->fabrics.fctype == nvme_fabrics_type_auth_send ||
	    req->cmd->fabrics.fctype == nvme_fabrics_type_auth_receive)
		return nvmet_parse_auth_cmd(req);
	pr_debug("fabrics command %#x on I/O queue %d not supported\n",
		 req->cmd->fabrics.fctype, req->sq->qid);
	req->error_loc = offsetof(struct nvmf_common_command, fctype);
	return NVME_SC_INVALID_OPCODE | NVME_STATUS_DNR;
}

/* Result of a Connect with an invalid parameter: where it is (IATTR/IPO). */
static void nvmet_connect_bad_param(struct nvmet_req *req, const struct nvmet_wire_loc *loc)
{
	nvmet_set_result(req, (loc->in_data ? 1U << 16 : 0) | loc->offset);
}

/*
 * Reads and checks the Connect data. Returns an NVMe status; on success *C
 * holds the parameters.
 */
static u16 nvmet_connect_read(struct nvmet_req *req, u16 max_sqsize, struct nvmet_wire_connect *c)
{
	struct nvmet_wire_loc loc;
	u8 *data;
	u16 status;

	data = kmalloc(NVMET_WIRE_CONNECT_DATA_LEN, GFP_KERNEL);
	if (!data)
		return NVME_SC_INTERNAL;
	status = nvmet_copy_from_sgl(req, 0, data, NVMET_WIRE_CONNECT_DATA_LEN);
	if (!status) {
		status = nvmet_wire_parse_connect((const u8 *)req->cmd, data,
						  NVMET_WIRE_CONNECT_DATA_LEN, max_sqsize, c, &loc);
		if ((status & NVME_SCT_SC_MASK) == NVME_SC_CONNECT_INVALID_PARAM)
			nvmet_connect_bad_param(req, &loc);
		else if ((status & NVME_SCT_SC_MASK) == NVME_SC_CONNECT_FORMAT)
			req->error_loc = loc.offset;
	}
	kfree(data);
	return status;
}

/*
 * A Connect over TLS must come from the host its PSK identity names (when
 * the identity has the NVMe/TCP form), and an I/O queue of a controller
 * whose admin queue runs over TLS must run over TLS too (CTRL: the I/O
 * queue's controller, or NULL). The in-tree target checks neither: any
 * holder of a PSK could claim another host's NQN, and on a port where TLS
 * is not required a plain queue could join a TLS controller.
 */
static u16 nvmet_connect_tls_check(struct nvmet_req *req, const char *hostnqn,
				   struct nvmet_ctrl *ctrl)
{
	struct key *key = req->sq->tls_key;
	const char *host;
	bool admin_tls;
	u32 len;

	if (key && nvmet_wire_psk_identity_host(key->description, strlen(key->description),
						&host, &len) &&
	    (len != strlen(hostnqn) || memcmp(host, hostnqn, len))) {
		pr_warn_ratelimited("connect from host %s refused: its TLS PSK %08x is for host %.*s\n",
				    hostnqn, key_serial(key), len, host);
		nvmet_set_result(req, (1U << 16) | offsetof(struct nvmf_connect_data, hostnqn));
		return NVME_SC_CONNECT_INVALID_HOST | NVME_STATUS_DNR;
	}
	if (!ctrl || key)
		return 0;
	mutex_lock(&ctrl->lock);
	admin_tls = ctrl->sqs[0] && nvmet_sq_tls(ctrl->sqs[0]);
	mutex_unlock(&ctrl->lock);
	if (!admin_tls)
		return 0;
	pr_warn_ratelimited("ctrl %d of %s: I/O queue without TLS refused: the admin queue runs over TLS\n",
			    ctrl->cntlid, ctrl->subsysnqn);
	nvmet_set_result(req, (1U << 16) | offsetof(struct nvmf_connect_data, hostnqn));
	return NVME_SC_CONNECT_INVALID_HOST | NVME_STATUS_DNR;
}

/* Binds the queue the Connect came on to CTRL as queue QID. */
static u16 nvmet_install_queue(struct nvmet_ctrl *ctrl, struct nvmet_req *req,
			       const struct nvmet_wire_connect *c)
{
	struct nvmet_sq *sq = req->sq;
	u16 mqes = (ctrl->cap & 0xffff);
	u16 status;

	/* MQES bounds the I/O queues; the admin queue has its own cap (ASQSZ). */
	if (c->qid && c->sqsize > mqes) {
		pr_warn("ctrl %d: queue %d size %u exceeds MQES %u\n", ctrl->cntlid, c->qid,
			c->sqsize + 1, mqes + 1);
		nvmet_set_result(req, offsetof(struct nvmf_connect_command, sqsize));
		return NVME_SC_CONNECT_INVALID_PARAM | NVME_STATUS_DNR;
	}
	mutex_lock(&ctrl->lock);
	if (ctrl->deleting) {
		mutex_unlock(&ctrl->lock);
		pr_warn("ctrl %d: queue %d refused, the controller is being deleted\n",
			ctrl->cntlid, c->qid);
		nvmet_set_result(req, (1U << 16) | offsetof(struct nvmf_connect_data, cntlid));
		return NVME_SC_CONNECT_INVALID_PARAM | NVME_STATUS_DNR;
	}
	if (ctrl->sqs[c->qid]) {
		mutex_unlock(&ctrl->lock);
		pr_warn("ctrl %d: queue %d already exists\n", ctrl->cntlid, c->qid);
		req->error_loc = offsetof(struct nvmf_connect_command, qid);
		return NVME_SC_CMD_SEQ_ERROR | NVME_STATUS_DNR;
	}
	if (req->cq)
		nvmet_cq_setup(ctrl, req->cq, c->qid, c->sqsize + 1);
	nvmet_sq_setup(ctrl, sq, c->qid, c->sqsize + 1);
	/* Under the lock: a deletion after it finds this queue bound. */
	sq->ctrl = ctrl;
	mutex_unlock(&ctrl->lock);

	if (c->cattr & NVME_CONNECT_DISABLE_SQFLOW) {
		/* No SQ head tracking: the host ignores it, report FFFFh. */
		sq->sqhd_disabled = true;
		sq->sqhd = 0xffff;
	}
	if (ctrl->ops->install_queue) {
		status = ctrl->ops->install_queue(sq);
		if (status) {
			sq->ctrl = NULL;
			mutex_lock(&ctrl->lock);
			ctrl->sqs[c->qid] = NULL;
			ctrl->cqs[c->qid] = NULL;
			mutex_unlock(&ctrl->lock);
			return status;
		}
	}
	return 0;
}

static void nvmet_execute_admin_connect(struct nvmet_req *req)
{
	struct nvmet_wire_connect *c;
	struct nvmet_ctrl *ctrl = NULL;
	uuid_t hostid;
	u16 status;
	u32 auth;

	if (!nvmet_check_transfer_len(req, NVMET_WIRE_CONNECT_DATA_LEN))
		return;
	c = kmalloc_obj(*c);
	if (!c) {
		status = NVME_SC_INTERNAL;
		goto complete;
	}
	/*
	 * The admin queue holds at most the ASQSZ of our discovery log entries
	 * (NVMET_AQ_DEPTH, what Linux hosts use): a larger one would only let
	 * a host that is allowed nowhere make us keep more command slots.
	 */
	status = nvmet_connect_read(req, NVMET_AQ_DEPTH - 1, c);
	if (status)
		goto out;

	import_uuid(&hostid, c->hostid);
	if (uuid_is_null(&hostid)) {
		pr_warn("connect from host %s without a host identifier\n", c->hostnqn);
		nvmet_set_result(req, (1U << 16) | offsetof(struct nvmf_connect_data, hostid));
		status = NVME_SC_CONNECT_INVALID_HOST | NVME_STATUS_DNR;
		goto out;
	}

	status = nvmet_connect_tls_check(req, c->hostnqn, NULL);
	if (status)
		goto out;
	status = nvmet_alloc_ctrl(c->subnqn, c->hostnqn, &hostid, c->kato, req, &ctrl);
	if (status)
		goto out;

	status = nvmet_auth_ctrl_connect(ctrl, req->sq);
	if (status) {
		nvmet_ctrl_put(ctrl);
		goto out;
	}
	status = nvmet_install_queue(ctrl, req, c);
	if (status) {
		/* Nothing but this queue knew the controller. */
		nvmet_ctrl_put(ctrl);
		goto out;
	}
	/* Dumps may already see the controller: they read these under its lock. */
	mutex_lock(&ctrl->lock);
	if (ctrl->ops->host_traddr &&
	    ctrl->ops->host_traddr(ctrl, ctrl->host_traddr, sizeof(ctrl->host_traddr)) < 0)
		ctrl->host_traddr[0] = '\0';
	ctrl->announced = true;
	mutex_unlock(&ctrl->lock);
	auth = nvmet_auth_queue_connected(req->sq);
	pr_info("created %s controller %d for subsystem %s for host %s%s%s\n",
		nvmet_is_disc_subsys(ctrl->subsys) ? "discovery" : "nvm",
		ctrl->cntlid, ctrl->subsysnqn, ctrl->hostnqn, auth ? " with DH-HMAC-CHAP" : "",
		nvmet_sq_tls(req->sq) ? " over TLS" : "");
	nvmet_event_ctrl(NVMET_EVT_CTRL_CREATE, ctrl);
	nvmet_set_result(req, ctrl->cntlid | auth);
out:
	kfree(c);
complete:
	nvmet_req_complete(req, status);
}

static void nvmet_execute_io_connect(struct nvmet_req *req)
{
	struct nvmet_wire_connect *c;
	struct nvmet_ctrl *ctrl;
	u16 status;

	if (!nvmet_check_transfer_len(req, NVMET_WIRE_CONNECT_DATA_LEN))
		return;
	c = kmalloc_obj(*c);
	if (!c) {
		status = NVME_SC_INTERNAL;
		goto complete;
	}
	status = nvmet_connect_read(req, NVMET_MAX_QUEUE_SIZE - 1, c);
	if (status)
		goto out;

	ctrl = nvmet_ctrl_find_get(c->subnqn, c->hostnqn, c->cntlid, req);
	if (!ctrl) {
		status = NVME_SC_CONNECT_INVALID_PARAM | NVME_STATUS_DNR;
		goto out;
	}
	/* A discovery controller has no I/O queues (max_qid 0). */
	if (unlikely(c->qid > ctrl->max_qid)) {
		pr_warn("ctrl %d of %s: I/O queue %d beyond its %d\n", ctrl->cntlid,
			ctrl->subsysnqn, c->qid, ctrl->max_qid);
		nvmet_set_result(req, offsetof(struct nvmf_connect_command, qid));
		status = NVME_SC_CONNECT_INVALID_PARAM | NVME_STATUS_DNR;
		goto out_put;
	}
	status = nvmet_connect_tls_check(req, c->hostnqn, ctrl);
	if (status)
		goto out_put;
	status = nvmet_install_queue(ctrl, req, c);
	if (status)
		goto out_put;
	nvmet_set_result(req, ctrl->cntlid | nvmet_auth_queue_connected(req->sq));
	/* The queue now holds the reference taken by the lookup. */
	goto out;
out_put:
	nvmet_ctrl_put(ctrl);
out:
	kfree(c);
complete:
	nvmet_req_complete(req, status);
}

/* The only command a queue accepts before Connect bound it to a controller. */
u16 nvmet_parse_connect_cmd(struct nvmet_req *req)
{
	struct nvme_command *cmd = req->cmd;

	if (!nvme_is_fabrics(cmd)) {
		pr_debug("opcode %#x on a queue without a controller\n", cmd->common.opcode);
		req->error_loc = offsetof(struct nvme_common_command, opcode);
		return NVME_SC_INVALID_OPCODE | NVME_STATUS_DNR;
	}
	if (cmd->fabrics.fctype != nvme_fabrics_type_connect) {
		pr_debug("fabrics command %#x before Connect\n", cmd->fabrics.fctype);
		req->error_loc = offsetof(struct nvmf_common_command, fctype);
		return NVME_SC_INVALID_OPCODE | NVME_STATUS_DNR;
	}
	req->data_len = NVMET_WIRE_CONNECT_DATA_LEN;
	if (cmd->connect.qid == 0)
		req->execute = nvmet_execute_admin_connect;
	else
		req->execute = nvmet_execute_io_connect;
	return 0;
}
