// SPDX-License-Identifier: GPL-2.0
/*
 * The discovery subsystem (NVMe over Fabrics, Discovery Service): its
 * controllers answer Identify, the Discovery log page (70h), Keep Alive,
 * Asynchronous Event Request and two features. The log lists, for the port
 * a host came in through, this discovery subsystem, the NVM subsystems the
 * host may connect to, and the port's referrals.
 *
 * Every change that can alter a discovery log bumps a generation counter
 * (GENCTR) and raises a Discovery Log Page Change event on the discovery
 * controllers that see the change.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/utsname.h>

#include "nvmet.h"

#define NVMET_SGLS_BYTE_ALIGNED	BIT(0)
#define NVMET_SGLS_KEYED	BIT(2)
#define NVMET_SGLS_OFFSET	BIT(20)	/* SGL Address Specifies Offset */
#define NVMET_TRTYPE_PCIE	0		/* not reachable from a fabric */

/* GENCTR: written under nvmet_config_sem for write, read under it for read. */
static u64 nvmet_disc_genctr;

/*
 * Raise the event on one discovery controller, if the host enabled it and
 * has read the log since the last one (a masked event waits for that).
 */
static void nvmet_disc_notify(struct nvmet_ctrl *ctrl)
{
	if (!(READ_ONCE(ctrl->aen_enabled) & NVME_AEN_CFG_DISC_CHANGE))
		return;
	if (test_and_set_bit(NVME_AEN_BIT_DISC_CHANGE, &ctrl->aen_masked))
		return;
	nvmet_add_async_event(ctrl, NVME_AER_NOTICE, NVME_AER_NOTICE_DISC_CHANGED,
			      NVME_LOG_DISC);
}

static bool nvmet_port_links_subsys(struct nvmet_port *port, struct nvmet_subsys *subsys)
{
	struct nvmet_subsys_link *link;

	list_for_each_entry(link, &port->subsystems, entry)
		if (link->subsys == subsys)
			return true;
	return false;
}

/*
 * The discovery log of port changed; subsys, if given, is the subsystem whose
 * link changed, so only hosts it allows can see the difference.
 * Caller holds nvmet_config_sem for write.
 */
void nvmet_port_disc_changed(struct nvmet_port *port, struct nvmet_subsys *subsys)
{
	struct nvmet_ctrl *ctrl;

	lockdep_assert_held(&nvmet_config_sem);
	nvmet_disc_genctr++;
	if (port->enabled && port->tr_ops && port->tr_ops->discovery_chg)
		port->tr_ops->discovery_chg(port);
	if (!nvmet_disc_subsys)
		return;

	mutex_lock(&nvmet_disc_subsys->lock);
	list_for_each_entry(ctrl, &nvmet_disc_subsys->ctrls, subsys_entry) {
		if (ctrl->port != port)
			continue;
		if (subsys && !nvmet_host_allowed(subsys, ctrl->hostnqn))
			continue;
		nvmet_disc_notify(ctrl);
	}
	mutex_unlock(&nvmet_disc_subsys->lock);
}

/*
 * Which hosts subsys allows changed (host: that one host, NULL: any); every
 * port that links subsys shows the change to those hosts.
 * Caller holds nvmet_config_sem for write.
 */
void nvmet_subsys_disc_changed(struct nvmet_subsys *subsys, struct nvmet_host *host)
{
	struct nvmet_ctrl *ctrl;

	lockdep_assert_held(&nvmet_config_sem);
	nvmet_disc_genctr++;
	if (!nvmet_disc_subsys)
		return;

	mutex_lock(&nvmet_disc_subsys->lock);
	list_for_each_entry(ctrl, &nvmet_disc_subsys->ctrls, subsys_entry) {
		if (host && strcmp(nvmet_host_name(host), ctrl->hostnqn))
			continue;
		if (!ctrl->port || !nvmet_port_links_subsys(ctrl->port, subsys))
			continue;
		nvmet_disc_notify(ctrl);
	}
	mutex_unlock(&nvmet_disc_subsys->lock);
}

void nvmet_referral_enable(struct nvmet_port *parent, struct nvmet_port *port)
{
	down_write(&nvmet_config_sem);
	if (!port->enabled) {
		list_add_tail(&port->entry, &parent->referrals);
		port->enabled = true;
		nvmet_port_disc_changed(parent, NULL);
	}
	up_write(&nvmet_config_sem);
}

void nvmet_referral_disable(struct nvmet_port *parent, struct nvmet_port *port)
{
	down_write(&nvmet_config_sem);
	if (port->enabled) {
		list_del_init(&port->entry);
		port->enabled = false;
		nvmet_port_disc_changed(parent, NULL);
	}
	up_write(&nvmet_config_sem);
}

/* --- Get Log Page 70h ---------------------------------------------------- */

static void nvmet_disc_fill_entry(struct nvmf_disc_rsp_page_entry *e,
				  const struct nvmet_port *port, const char *nqn,
				  const char *traddr, u8 subtype)
{
	e->trtype = port->disc_addr.trtype;
	e->adrfam = port->disc_addr.adrfam;
	e->subtype = subtype;
	e->treq = port->disc_addr.treq;
	e->portid = port->disc_addr.portid;
	e->cntlid = cpu_to_le16(NVME_CNTLID_DYNAMIC);
	e->asqsz = cpu_to_le16(NVMET_AQ_DEPTH);
	memcpy(e->trsvcid, port->disc_addr.trsvcid, NVMF_TRSVCID_SIZE);
	memcpy(e->traddr, traddr, NVMF_TRADDR_SIZE);
	memcpy(e->tsas.common, port->disc_addr.tsas.common, NVMF_TSAS_SIZE);
	strscpy(e->subnqn, nqn, NVMF_NQN_SIZE);
}

static bool nvmet_referral_listed(const struct nvmet_port *r)
{
	return r->enabled && r->disc_addr.trtype != NVMET_TRTYPE_PCIE;
}

/* Records of req->port's log for this host. Caller holds nvmet_config_sem. */
static size_t nvmet_disc_nr_records(struct nvmet_req *req)
{
	const char *hostnqn = req->sq->ctrl->hostnqn;
	struct nvmet_subsys_link *link;
	struct nvmet_port *r;
	size_t n = 1;		/* this discovery subsystem */

	list_for_each_entry(link, &req->port->subsystems, entry)
		if (nvmet_host_allowed(link->subsys, hostnqn))
			n++;
	list_for_each_entry(r, &req->port->referrals, entry)
		if (nvmet_referral_listed(r))
			n++;
	return n;
}

/*
 * Build the whole log under nvmet_config_sem, so GENCTR, NUMREC and the
 * records agree, then send the part the host asked for.
 */
static void nvmet_execute_disc_get_log_page(struct nvmet_req *req)
{
	const char *hostnqn = req->sq->ctrl->hostnqn;
	u64 lpo = nvmet_get_log_page_offset(req->cmd);
	size_t want = req->data_len;
	struct nvmf_disc_rsp_page_hdr *hdr;
	struct nvmet_port *port = req->port;
	struct nvmet_subsys_link *link;
	char traddr[NVMF_TRADDR_SIZE];
	size_t nr, len, n;
	struct nvmet_port *r;
	u16 status;
	u64 i = 0;

	if (!nvmet_check_transfer_len(req, want))
		return;

	if (req->cmd->get_log_page.lid != NVME_LOG_DISC) {
		req->error_loc = offsetof(struct nvme_get_log_page_command, lid);
		status = NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		goto out;
	}

	down_read(&nvmet_config_sem);
	nr = nvmet_disc_nr_records(req);
	len = struct_size(hdr, entries, nr);
	if (lpo & 3 || lpo > len) {
		up_read(&nvmet_config_sem);
		req->error_loc = offsetof(struct nvme_get_log_page_command, lpo);
		status = NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		goto out;
	}
	hdr = kvzalloc(len, GFP_KERNEL);
	if (!hdr) {
		up_read(&nvmet_config_sem);
		status = NVME_SC_INTERNAL;
		goto out;
	}

	/* A port on a wildcard address is reached by the address in use. */
	memcpy(traddr, port->disc_addr.traddr, NVMF_TRADDR_SIZE);
	if (req->ops->disc_traddr)
		req->ops->disc_traddr(req, port, traddr);

	nvmet_disc_fill_entry(&hdr->entries[i++], port, nvmet_disc_subsys->subsysnqn,
			      traddr, NVME_NQN_CURR);
	list_for_each_entry(link, &port->subsystems, entry) {
		if (i >= nr)
			break;
		if (!nvmet_host_allowed(link->subsys, hostnqn))
			continue;
		nvmet_disc_fill_entry(&hdr->entries[i++], port, link->subsys->subsysnqn,
				      traddr, NVME_NQN_NVME);
	}
	list_for_each_entry(r, &port->referrals, entry) {
		if (i >= nr)
			break;
		if (!nvmet_referral_listed(r))
			continue;
		nvmet_disc_fill_entry(&hdr->entries[i++], r, NVME_DISC_SUBSYS_NAME,
				      r->disc_addr.traddr, NVME_NQN_DISC);
	}
	hdr->genctr = cpu_to_le64(nvmet_disc_genctr);
	hdr->numrec = cpu_to_le64(i);
	hdr->recfmt = cpu_to_le16(0);
	nvmet_clear_aen_bit(req, NVME_AEN_BIT_DISC_CHANGE);
	up_read(&nvmet_config_sem);

	n = min_t(size_t, want, len - lpo);
	status = nvmet_copy_to_sgl(req, 0, (u8 *)hdr + lpo, n);
	if (!status && n < want)
		status = nvmet_zero_sgl(req, n, want - n);
	kvfree(hdr);
out:
	nvmet_req_complete(req, status);
}

/* --- Identify ------------------------------------------------------------ */

static void nvmet_execute_disc_identify(struct nvmet_req *req)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;
	struct nvmet_subsys *subsys = ctrl->subsys;
	const char *mn;
	struct nvme_id_ctrl *id;
	u16 status;

	if (!nvmet_check_transfer_len(req, NVME_IDENTIFY_DATA_SIZE))
		return;

	if (req->cmd->identify.cns != NVME_ID_CNS_CTRL) {
		req->error_loc = offsetof(struct nvme_identify, cns);
		status = NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		goto out;
	}

	id = kzalloc_obj(*id);
	if (!id) {
		status = NVME_SC_INTERNAL;
		goto out;
	}

	mutex_lock(&subsys->lock);
	memcpy_and_pad(id->sn, sizeof(id->sn), subsys->serial,
		       strnlen(subsys->serial, sizeof(id->sn)), ' ');
	mn = subsys->model_number ?: NVMET_DEFAULT_CTRL_MODEL;
	memcpy_and_pad(id->mn, sizeof(id->mn), mn, strnlen(mn, sizeof(id->mn)), ' ');
	id->ver = cpu_to_le32(subsys->ver);
	mutex_unlock(&subsys->lock);
	memcpy_and_pad(id->fr, sizeof(id->fr), utsname()->release,
		       strnlen(utsname()->release, sizeof(id->fr)), ' ');

	id->cntrltype = NVME_CTRL_DISC;
	id->mdts = 0;		/* no transfer size limit */
	id->cntlid = cpu_to_le16(ctrl->cntlid);
	id->lpa = 1 << 2;	/* extended data for Get Log Page: LPO, NUMDU */
	id->maxcmd = cpu_to_le16(NVME_CAP_MQES(ctrl->cap) + 1);
	id->oaes = cpu_to_le32(NVME_AEN_CFG_DISC_CHANGE);

	id->sgls = cpu_to_le32(NVMET_SGLS_BYTE_ALIGNED);
	if (ctrl->ops->flags & NVMF_KEYED_SGLS)
		id->sgls |= cpu_to_le32(NVMET_SGLS_KEYED);
	if (req->port->inline_data_size > 0)
		id->sgls |= cpu_to_le32(NVMET_SGLS_OFFSET);

	/* discovery_nqn may be replaced (and the old string freed) meanwhile. */
	down_read(&nvmet_config_sem);
	strscpy(id->subnqn, subsys->subsysnqn, sizeof(id->subnqn));
	up_read(&nvmet_config_sem);

	status = nvmet_copy_to_sgl(req, 0, id, sizeof(*id));
	kfree(id);
out:
	nvmet_req_complete(req, status);
}

/* The discovery controller's admin commands of its own (ctrl-cmd.c parses). */
const struct nvmet_admin_set nvmet_disc_admin_set = {
	.get_log_page	= nvmet_execute_disc_get_log_page,
	.identify	= nvmet_execute_disc_identify,
};
