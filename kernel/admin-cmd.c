// SPDX-License-Identifier: GPL-2.0
/*
 * Admin commands of an NVM subsystem's controller (NVMe Base 2.x) that a
 * discovery controller does not have: Identify, Get Log Page and Abort (which
 * aborts nothing yet: every command is reported not aborted, as the
 * specification allows), offered to the admin queue's parser (ctrl-cmd.c) as
 * nvmet_nvm_admin_set. Fabrics commands are parsed in fabrics-cmd.c and the
 * discovery controller's in discovery.c; Features, AER, Keep Alive and the
 * log page helpers that both kinds of controller use are in ctrl-cmd.c.
 *
 * Every field of the SQE comes from the host and is checked before use.
 * Log pages are built whole in a kernel buffer and then copied out from the
 * requested offset, so no host value ever indexes kernel memory.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/part_stat.h>
#include <linux/slab.h>
#include <linux/unaligned.h>
#include <linux/utsname.h>

#include "nvmet.h"

/* ONCS bit 7, Verify (NVM Command Set); not named in 6.12 headers. */
#define NVMET_ONCS_VERIFY	BIT(7)

/*
 * Spec values that the oldest supported kernel's linux/nvme.h does not name
 * yet (6.12); spelled here so every supported kernel builds the same code.
 */
#define NVMET_LID_SUPPORTED_LOGS	0x00	/* Supported Log Pages */
#define NVMET_LID_FEATURES		0x12	/* FID Supported and Effects */
#define NVMET_LID_LSUPP			BIT(0)	/* log page supported */
#define NVMET_FIS_FSUPP			BIT(0)	/* feature supported */
#define NVMET_FIS_NSCPE			BIT(20)	/* namespace scope */
#define NVMET_FIS_CSCPE			BIT(21)	/* controller scope */
#define NVMET_CNS_ACTIVE_NS_CSI		0x07	/* active NSIDs of one command set */
#define NVMET_NSFEAT_ROTATIONAL		BIT(4)	/* CNS 08h NSFEAT */
#define NVMET_NSFEAT_NO_VWC		BIT(5)
#define NVMET_LID_RMI			0x16	/* Rotational Media Information */
#define NVMET_CNS_ENDGRP_LIST		0x19	/* Endurance Group List */
#define NVMET_ID_CTRL_ENDGIDMAX		340	/* Identify Controller bytes 341:340 */

/*
 * Endurance Group Information log page (09h): 512 bytes; the 128-bit
 * counters used here, by byte offset.
 */
#define NVMET_ENDGRP_LOG_SIZE		512
#define NVMET_ENDGRP_LOG_DUR		48	/* Data Units Read */
#define NVMET_ENDGRP_LOG_DUW		64	/* Data Units Written */
#define NVMET_ENDGRP_LOG_HRC		96	/* Host Read Commands */
#define NVMET_ENDGRP_LOG_HWC		112	/* Host Write Commands */

/* Rotational Media Information log page (16h): 512 bytes. */
#define NVMET_RMI_LOG_SIZE		512
#define NVMET_RMI_LOG_ENDGID		0	/* Endurance Group Identifier */
#define NVMET_RMI_LOG_NUMA		2	/* Number of Actuators */

/*
 * Each namespace is an endurance group of its own, numbered by its NSID; an
 * NSID too large for the 16-bit identifier is in none.
 */
#define NVMET_ENDGID_MAX		U16_MAX

#define NVMET_SUPPORTED_LOG_SIZE	1024	/* 256 dwords: LIDs 00h..FFh */
#define NVMET_FEATURES_LOG_SIZE		1024	/* 256 dwords: FIDs 00h..FFh */
#define NVMET_CHANGED_NS_LOG_SIZE	(NVME_MAX_CHANGED_NAMESPACES * sizeof(__le32))
#define NVMET_NSLIST_ENTRIES		(NVME_IDENTIFY_DATA_SIZE / sizeof(__le32))

/* Error locations: byte offsets of SQE fields (and nvmet.h's NVMET_LOC_*). */
#define NVMET_LOC_NSID		offsetof(struct nvme_identify, nsid)
#define NVMET_LOC_CNS		offsetof(struct nvme_identify, cns)
#define NVMET_LOC_CSI		offsetof(struct nvme_identify, csi)
#define NVMET_LOC_LID		offsetof(struct nvme_get_log_page_command, lid)
#define NVMET_LOC_LPO		offsetof(struct nvme_get_log_page_command, lpo)
#define NVMET_LOC_LSI		(NVMET_LOC_CDW11 + 2)	/* Get Log Page CDW11[31:16] */

/* --- Get Log Page -------------------------------------------------------- */

/* LPO must be dword aligned and inside a log page of log_len bytes. */
static u16 nvmet_check_log_offset(struct nvmet_req *req, size_t log_len)
{
	u64 lpo = nvmet_get_log_page_offset(req->cmd);

	if ((lpo & 3) || lpo > log_len)
		return nvmet_field_error(req, NVMET_LOC_LPO);
	return NVME_SC_SUCCESS;
}

/*
 * Send the part of a log page the host asked for: from LPO, at most the
 * command's length, zero filled past the end of the page. A NULL log is an
 * all-zero page.
 */
static u16 nvmet_copy_log(struct nvmet_req *req, const void *log, size_t log_len)
{
	size_t want = req->data_len;
	size_t lpo, n;
	u16 status;

	status = nvmet_check_log_offset(req, log_len);
	if (status)
		return status;
	lpo = nvmet_get_log_page_offset(req->cmd);
	n = min(want, log_len - lpo);

	if (log && n) {
		status = nvmet_copy_to_sgl(req, 0, log + lpo, n);
		if (status)
			return status;
	} else {
		n = 0;
	}
	if (n < want)
		status = nvmet_zero_sgl(req, n, want - n);
	return status;
}

static u16 nvmet_log_supported(struct nvmet_req *req)
{
	static const u8 lids[] = {
		NVMET_LID_SUPPORTED_LOGS, NVME_LOG_ERROR, NVME_LOG_SMART,
		NVME_LOG_FW_SLOT, NVME_LOG_CHANGED_NS, NVME_LOG_CMD_EFFECTS,
		NVME_LOG_ENDURANCE_GROUP, NVME_LOG_ANA, NVMET_LID_FEATURES,
		NVMET_LID_RMI, NVME_LOG_RESERVATION,
	};
	__le32 *log;
	u16 status;
	unsigned int i;

	log = kzalloc(NVMET_SUPPORTED_LOG_SIZE, GFP_KERNEL);
	if (!log)
		return NVME_SC_INTERNAL;
	for (i = 0; i < ARRAY_SIZE(lids); i++)
		log[lids[i]] = cpu_to_le32(NVMET_LID_LSUPP);
	status = nvmet_copy_log(req, log, NVMET_SUPPORTED_LOG_SIZE);
	kfree(log);
	return status;
}

/* Error Information: the controller's ring of error slots, newest first. */
static u16 nvmet_log_error(struct nvmet_req *req)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;
	struct nvme_error_slot *log;
	unsigned long flags;
	unsigned int newest, i;
	u16 status;

	log = kcalloc(NVMET_ERROR_LOG_SLOTS, sizeof(*log), GFP_KERNEL);
	if (!log)
		return NVME_SC_INTERNAL;

	spin_lock_irqsave(&ctrl->error_lock, flags);
	newest = ctrl->err_counter % NVMET_ERROR_LOG_SLOTS;
	for (i = 0; i < NVMET_ERROR_LOG_SLOTS; i++) {
		unsigned int n = (newest + NVMET_ERROR_LOG_SLOTS - i) % NVMET_ERROR_LOG_SLOTS;
		const struct nvmet_error_slot *s = &ctrl->slots[n];
		struct nvme_error_slot *e = &log[i];

		if (!s->error_count)
			continue;	/* unused slot: all zero */
		e->error_count = cpu_to_le64(s->error_count);
		e->sqid = cpu_to_le16(s->sqid);
		/* The command identifier is opaque: kept as the host sent it. */
		e->cmdid = (__force __le16)s->cmdid;
		e->status_field = cpu_to_le16(s->status << 1);	/* phase tag 0 */
		e->param_error_location = cpu_to_le16(s->param_error_location);
		e->lba = cpu_to_le64(s->lba);
		e->nsid = cpu_to_le32(s->nsid);
	}
	spin_unlock_irqrestore(&ctrl->error_lock, flags);

	status = nvmet_copy_log(req, log, NVMET_ERROR_LOG_SLOTS * sizeof(*log));
	kfree(log);
	return status;
}

struct nvmet_io_totals {
	u64 reads, writes;		/* commands */
	u64 units_read, units_written;	/* thousands of 512-byte units, rounded up */
};

/* Block device counters; a file backend has none and counts as zero. */
static void nvmet_add_io_totals(struct nvmet_io_totals *t, struct nvmet_ns *ns)
{
	struct block_device *bdev = ns->bdev;

	if (!bdev)
		return;
	t->reads += part_stat_read(bdev, ios[READ]);
	t->writes += part_stat_read(bdev, ios[WRITE]);
	t->units_read += DIV_ROUND_UP(part_stat_read(bdev, sectors[READ]), 1000);
	t->units_written += DIV_ROUND_UP(part_stat_read(bdev, sectors[WRITE]), 1000);
}

/* SMART / Health: NSID 0h or FFFFFFFFh is the whole controller. */
static u16 nvmet_log_smart(struct nvmet_req *req)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;
	struct nvmet_subsys *subsys = ctrl->subsys;
	u32 nsid = le32_to_cpu(req->cmd->get_log_page.nsid);
	struct nvmet_io_totals t = { };
	struct nvme_smart_log *log;
	unsigned long idx, flags;
	struct nvmet_ns *ns;
	u16 status;

	status = nvmet_check_log_offset(req, sizeof(*log));
	if (status)
		return status;

	if (nsid == 0 || nsid == NVME_NSID_ALL) {
		mutex_lock(&subsys->lock);
		xa_for_each(&subsys->namespaces, idx, ns)
			if (ns->enabled)
				nvmet_add_io_totals(&t, ns);
		mutex_unlock(&subsys->lock);
	} else {
		status = nvmet_req_find_ns(req);
		if (status)
			return status;
		nvmet_add_io_totals(&t, req->ns);
	}

	log = kzalloc_obj(*log);
	if (!log)
		return NVME_SC_INTERNAL;
	put_unaligned_le64(t.reads, log->host_reads);
	put_unaligned_le64(t.writes, log->host_writes);
	put_unaligned_le64(t.units_read, log->data_units_read);
	put_unaligned_le64(t.units_written, log->data_units_written);
	spin_lock_irqsave(&ctrl->error_lock, flags);
	put_unaligned_le64(ctrl->err_counter, log->num_err_log_entries);
	spin_unlock_irqrestore(&ctrl->error_lock, flags);

	status = nvmet_copy_log(req, log, sizeof(*log));
	kfree(log);
	return status;
}

/*
 * Changed Namespace List: reading it empties it. An overflowed list is
 * reported as the single entry FFFFFFFFh.
 */
static u16 nvmet_log_changed_ns(struct nvmet_req *req)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;
	__le32 *log;
	u32 i, nr;
	u16 status;

	BUILD_BUG_ON(NVMET_MAX_CHANGED_NS > NVME_MAX_CHANGED_NAMESPACES);

	status = nvmet_check_log_offset(req, NVMET_CHANGED_NS_LOG_SIZE);
	if (status)
		return status;
	log = kzalloc(NVMET_CHANGED_NS_LOG_SIZE, GFP_KERNEL);
	if (!log)
		return NVME_SC_INTERNAL;

	mutex_lock(&ctrl->lock);
	nr = ctrl->nr_changed_ns;
	if (nr > NVMET_MAX_CHANGED_NS || !ctrl->changed_ns_list) {
		if (nr)
			log[0] = cpu_to_le32(NVME_NSID_ALL);
	} else {
		for (i = 0; i < nr; i++)
			log[i] = cpu_to_le32(ctrl->changed_ns_list[i]);
	}
	ctrl->nr_changed_ns = 0;
	nvmet_clear_aen_bit(req, NVME_AEN_BIT_NS_ATTR);
	mutex_unlock(&ctrl->lock);

	status = nvmet_copy_log(req, log, NVMET_CHANGED_NS_LOG_SIZE);
	kfree(log);
	return status;
}

/*
 * Commands Supported and Effects of the NVM command set, and of the Zoned
 * Namespace command set: the NVM commands and the zone commands.
 */
static u16 nvmet_log_cmd_effects(struct nvmet_req *req)
{
	static const u8 admin[] = {
		nvme_admin_get_log_page, nvme_admin_identify, nvme_admin_abort_cmd,
		nvme_admin_set_features, nvme_admin_get_features,
		nvme_admin_async_event, nvme_admin_keep_alive,
	};
	static const u8 io[] = { nvme_cmd_read, nvme_cmd_flush, nvme_cmd_dsm,
				 nvme_cmd_compare, nvme_cmd_verify, nvme_cmd_resv_register,
				 nvme_cmd_resv_report, nvme_cmd_resv_acquire,
				 nvme_cmd_resv_release };
	static const u8 io_lbcc[] = { nvme_cmd_write, nvme_cmd_write_zeroes };
	struct nvme_effects_log *log;
	u16 status;
	unsigned int i;

	if (req->cmd->get_log_page.csi != NVME_CSI_NVM &&
	    req->cmd->get_log_page.csi != NVME_CSI_ZNS)
		return NVME_SC_INVALID_LOG_PAGE | NVME_STATUS_DNR;

	log = kzalloc_obj(*log);
	if (!log)
		return NVME_SC_INTERNAL;
	for (i = 0; i < ARRAY_SIZE(admin); i++)
		log->acs[admin[i]] = cpu_to_le32(NVME_CMD_EFFECTS_CSUPP);
	for (i = 0; i < ARRAY_SIZE(io); i++)
		log->iocs[io[i]] = cpu_to_le32(NVME_CMD_EFFECTS_CSUPP);
	/* These change logical block content. */
	for (i = 0; i < ARRAY_SIZE(io_lbcc); i++)
		log->iocs[io_lbcc[i]] = cpu_to_le32(NVME_CMD_EFFECTS_CSUPP |
						    NVME_CMD_EFFECTS_LBCC);
	if (req->cmd->get_log_page.csi == NVME_CSI_ZNS) {
		log->iocs[nvme_cmd_zone_append] = cpu_to_le32(NVME_CMD_EFFECTS_CSUPP |
							      NVME_CMD_EFFECTS_LBCC);
		log->iocs[nvme_cmd_zone_mgmt_send] = log->iocs[nvme_cmd_zone_append];
		log->iocs[nvme_cmd_zone_mgmt_recv] = cpu_to_le32(NVME_CMD_EFFECTS_CSUPP);
	}
	status = nvmet_copy_log(req, log, sizeof(*log));
	kfree(log);
	return status;
}

/*
 * Asymmetric Namespace Access: one descriptor per enabled ANA group with its
 * state on the port the command came in through. With RGO (LSP bit 0) the
 * descriptors carry no NSIDs.
 */
static u16 nvmet_log_ana(struct nvmet_req *req)
{
	struct nvmet_subsys *subsys = req->sq->ctrl->subsys;
	bool rgo = req->cmd->get_log_page.lsp & NVME_ANA_LOG_RGO;
	struct nvme_ana_rsp_hdr *hdr;
	struct nvmet_ns *ns;
	size_t len, pos;
	unsigned long idx;
	u32 grpid, nr_ns = 0;
	u16 ngrps = 0;
	void *log;
	u16 status;

	mutex_lock(&subsys->lock);
	down_read(&nvmet_ana_sem);

	/* Size the page: every enabled namespace is in exactly one group. */
	if (!rgo)
		xa_for_each(&subsys->namespaces, idx, ns)
			if (ns->enabled)
				nr_ns++;
	for (grpid = 1; grpid <= NVMET_MAX_ANAGRPS; grpid++)
		if (nvmet_ana_group_enabled[grpid])
			ngrps++;
	len = sizeof(*hdr) + ngrps * sizeof(struct nvme_ana_group_desc) +
	      nr_ns * sizeof(__le32);

	log = kzalloc(len, GFP_KERNEL);
	if (!log) {
		status = NVME_SC_INTERNAL;
		goto unlock;
	}

	hdr = log;
	hdr->chgcnt = cpu_to_le64(nvmet_ana_chgcnt);
	hdr->ngrps = cpu_to_le16(ngrps);
	pos = sizeof(*hdr);
	for (grpid = 1; grpid <= NVMET_MAX_ANAGRPS; grpid++) {
		struct nvme_ana_group_desc *desc = log + pos;
		u32 n = 0;

		if (!nvmet_ana_group_enabled[grpid])
			continue;
		pos += sizeof(*desc);
		xa_for_each(&subsys->namespaces, idx, ns) {
			if (rgo || !ns->enabled || ns->anagrpid != grpid)
				continue;
			if (pos + sizeof(__le32) > len)
				break;
			desc->nsids[n++] = cpu_to_le32(ns->nsid);
			pos += sizeof(__le32);
		}
		desc->grpid = cpu_to_le32(grpid);
		desc->nnsids = cpu_to_le32(n);
		desc->chgcnt = cpu_to_le64(nvmet_ana_chgcnt);
		desc->state = nvmet_port_ana_state(req->port, grpid);
	}
	status = nvmet_copy_log(req, log, len);
	if (!status)
		nvmet_clear_aen_bit(req, NVME_AEN_BIT_ANA_CHANGE);
	kfree(log);
unlock:
	up_read(&nvmet_ana_sem);
	mutex_unlock(&subsys->lock);
	return status;
}

/* The endurance group of a namespace, 0 for none. */
static u16 nvmet_ns_endgid(const struct nvmet_ns *ns)
{
	return ns->nsid <= NVMET_ENDGID_MAX ? ns->nsid : 0;
}

/* The enabled namespace whose endurance group LSI names, with a reference. */
static struct nvmet_ns *nvmet_log_find_endgrp(struct nvmet_req *req)
{
	u16 lsi = le32_to_cpu(req->cmd->common.cdw11) >> 16;

	if (!lsi)
		return NULL;
	return nvmet_find_namespace(req->sq->ctrl->subsys, lsi);
}

static bool nvmet_bdev_rotational(struct block_device *bdev)
{
	return bdev_get_queue(bdev)->limits.features & BLK_FEAT_ROTATIONAL;
}

/*
 * Endurance Group Information: the block device's I/O counters; a file
 * backend has none and reads as all zeroes.
 */
static u16 nvmet_log_endgrp(struct nvmet_req *req)
{
	struct nvmet_io_totals t = { };
	struct nvmet_ns *ns;
	u16 status;
	u8 *log;

	status = nvmet_check_log_offset(req, NVMET_ENDGRP_LOG_SIZE);
	if (status)
		return status;
	ns = nvmet_log_find_endgrp(req);
	if (!ns)
		return nvmet_field_error(req, NVMET_LOC_LSI);
	nvmet_add_io_totals(&t, ns);
	nvmet_put_namespace(ns);

	log = kzalloc(NVMET_ENDGRP_LOG_SIZE, GFP_KERNEL);
	if (!log)
		return NVME_SC_INTERNAL;
	/* 128-bit counters; the upper halves stay zero. */
	put_unaligned_le64(t.units_read, log + NVMET_ENDGRP_LOG_DUR);
	put_unaligned_le64(t.units_written, log + NVMET_ENDGRP_LOG_DUW);
	put_unaligned_le64(t.reads, log + NVMET_ENDGRP_LOG_HRC);
	put_unaligned_le64(t.writes, log + NVMET_ENDGRP_LOG_HWC);
	status = nvmet_copy_log(req, log, NVMET_ENDGRP_LOG_SIZE);
	kfree(log);
	return status;
}

/*
 * Rotational Media Information: only for a namespace on a rotational block
 * device; any other endurance group has no rotational media.
 */
static u16 nvmet_log_rmi(struct nvmet_req *req)
{
	u16 status, numa = 1;
	struct gendisk *disk;
	struct nvmet_ns *ns;
	u8 *log;

	status = nvmet_check_log_offset(req, NVMET_RMI_LOG_SIZE);
	if (status)
		return status;
	ns = nvmet_log_find_endgrp(req);
	if (!ns)
		return nvmet_field_error(req, NVMET_LOC_LSI);
	if (!ns->bdev || !nvmet_bdev_rotational(ns->bdev)) {
		nvmet_put_namespace(ns);
		return nvmet_field_error(req, NVMET_LOC_LSI);
	}
	/* One actuator unless the disk has independent access ranges. */
	disk = ns->bdev->bd_disk;
	if (disk && disk->ia_ranges)
		numa = disk->ia_ranges->nr_ia_ranges;

	log = kzalloc(NVMET_RMI_LOG_SIZE, GFP_KERNEL);
	if (!log) {
		nvmet_put_namespace(ns);
		return NVME_SC_INTERNAL;
	}
	put_unaligned_le16(nvmet_ns_endgid(ns), log + NVMET_RMI_LOG_ENDGID);
	put_unaligned_le16(numa, log + NVMET_RMI_LOG_NUMA);
	nvmet_put_namespace(ns);
	status = nvmet_copy_log(req, log, NVMET_RMI_LOG_SIZE);
	kfree(log);
	return status;
}

/*
 * Reservation Notification (80h): the controller's oldest notification, which
 * reading takes off the log, and the event re-armed.
 */
static u16 nvmet_log_resv(struct nvmet_req *req)
{
	struct nvme_pr_log e;
	u16 status;

	/* A read that fails its offset check takes no entry off the log. */
	status = nvmet_check_log_offset(req, sizeof(e));
	if (status)
		return status;
	nvmet_pr_log_pop(req->sq->ctrl, &e);
	status = nvmet_copy_log(req, &e, sizeof(e));
	if (!status)
		nvmet_clear_aen_bit(req, NVMET_AEN_BIT_RESV_LOG);
	return status;
}

/* FID Supported and Effects. */
static u16 nvmet_log_features(struct nvmet_req *req)
{
	static const u8 ctrl_fids[] = {
		NVME_FEAT_NUM_QUEUES, NVME_FEAT_ASYNC_EVENT, NVME_FEAT_KATO,
		NVME_FEAT_HOST_ID,
	};
	__le32 *log;
	u16 status;
	unsigned int i;

	log = kzalloc(NVMET_FEATURES_LOG_SIZE, GFP_KERNEL);
	if (!log)
		return NVME_SC_INTERNAL;
	for (i = 0; i < ARRAY_SIZE(ctrl_fids); i++)
		log[ctrl_fids[i]] = cpu_to_le32(NVMET_FIS_FSUPP | NVMET_FIS_CSCPE);
	log[NVME_FEAT_WRITE_PROTECT] = cpu_to_le32(NVMET_FIS_FSUPP | NVMET_FIS_NSCPE);
	log[NVME_FEAT_RESV_MASK] = cpu_to_le32(NVMET_FIS_FSUPP | NVMET_FIS_NSCPE);
	log[NVME_FEAT_RESV_PERSIST] = cpu_to_le32(NVMET_FIS_FSUPP | NVMET_FIS_NSCPE);
	status = nvmet_copy_log(req, log, NVMET_FEATURES_LOG_SIZE);
	kfree(log);
	return status;
}

static void nvmet_execute_get_log_page(struct nvmet_req *req)
{
	u16 status;

	if (!nvmet_check_transfer_len(req, req->data_len))
		return;

	switch (req->cmd->get_log_page.lid) {
	case NVMET_LID_SUPPORTED_LOGS:
		status = nvmet_log_supported(req);
		break;
	case NVME_LOG_ERROR:
		status = nvmet_log_error(req);
		break;
	case NVME_LOG_SMART:
		status = nvmet_log_smart(req);
		break;
	case NVME_LOG_FW_SLOT:
		/* One read-only slot that is always active: an all-zero page. */
		status = nvmet_copy_log(req, NULL, sizeof(struct nvme_fw_slot_info_log));
		break;
	case NVME_LOG_CHANGED_NS:
		status = nvmet_log_changed_ns(req);
		break;
	case NVME_LOG_CMD_EFFECTS:
		status = nvmet_log_cmd_effects(req);
		break;
	case NVME_LOG_ENDURANCE_GROUP:
		status = nvmet_log_endgrp(req);
		break;
	case NVME_LOG_ANA:
		status = nvmet_log_ana(req);
		break;
	case NVMET_LID_FEATURES:
		status = nvmet_log_features(req);
		break;
	case NVMET_LID_RMI:
		status = nvmet_log_rmi(req);
		break;
	case NVME_LOG_RESERVATION:
		status = nvmet_log_resv(req);
		break;
	default:
		status = nvmet_field_error(req, NVMET_LOC_LID);
		break;
	}
	nvmet_req_complete(req, status);
}

/* --- Identify ------------------------------------------------------------ */

/* Copy a string into a space-padded Identify field, truncating if needed. */
static void nvmet_id_string(char *field, size_t size, const char *s)
{
	memcpy_and_pad(field, size, s, strnlen(s, size), ' ');
}

static u16 nvmet_identify_ctrl(struct nvmet_req *req)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;
	struct nvmet_subsys *subsys = ctrl->subsys;
	struct nvme_id_ctrl *id;
	u16 status;

	id = kzalloc_obj(*id);
	if (!id)
		return NVME_SC_INTERNAL;

	/* Once a host has seen them, these attributes may no longer change. */
	mutex_lock(&subsys->lock);
	subsys->subsys_discovered = true;
	id->vid = cpu_to_le16(subsys->vendor_id);
	id->ssvid = cpu_to_le16(subsys->subsys_vendor_id);
	nvmet_id_string(id->sn, sizeof(id->sn), subsys->serial);
	nvmet_id_string(id->mn, sizeof(id->mn),
			subsys->model_number ?: NVMET_DEFAULT_CTRL_MODEL);
	nvmet_id_string(id->fr, sizeof(id->fr),
			subsys->firmware_rev ?: utsname()->release);
	put_unaligned_le24(subsys->ieee_oui, id->ieee);
	id->ver = cpu_to_le32(subsys->ver);
	mutex_unlock(&subsys->lock);

	id->rab = 6;
	id->cmic = NVME_CTRL_CMIC_MULTI_PORT | NVME_CTRL_CMIC_MULTI_CTRL |
		   NVME_CTRL_CMIC_ANA;
	id->mdts = nvmet_ctrl_mdts(ctrl);
	id->cntlid = cpu_to_le16(ctrl->cntlid);
	id->oaes = cpu_to_le32(NVMET_AEN_OPTIONAL);
	id->ctratt = cpu_to_le32(NVME_CTRL_ATTR_HID_128_BIT | NVME_CTRL_ATTR_TBKAS);
	id->cntrltype = NVME_CTRL_IO;

	/* Abort never aborts anything; allow the minimum the spec asks for. */
	id->acl = 3;
	id->aerl = NVMET_ASYNC_EVENTS - 1;
	/* One firmware slot, read-only. */
	id->frmw = (1 << 0) | (1 << 1);
	/* Per-namespace SMART, Commands Supported and Effects, extended data. */
	id->lpa = (1 << 0) | (1 << 1) | (1 << 2);
	id->elpe = NVMET_ERROR_LOG_SLOTS - 1;
	id->npss = 0;
	id->kas = cpu_to_le16(NVMET_KAS);

	id->sqes = (6 << 4) | 6;	/* 64-byte SQEs only */
	id->cqes = (4 << 4) | 4;	/* 16-byte CQEs only */
	id->maxcmd = cpu_to_le16(NVME_CAP_MQES(ctrl->cap) + 1);
	/* NN: the highest NSID configfs accepts; MNAN: how many may exist. */
	id->nn = cpu_to_le32(NVME_NSID_ALL - 1);
	id->mnan = cpu_to_le32(NVMET_MAX_NAMESPACES);
	/* Compare and Verify are beyond the in-tree target (docs/configfs.md). */
	id->oncs = cpu_to_le16(NVME_CTRL_ONCS_COMPARE | NVME_CTRL_ONCS_DSM |
			       NVME_CTRL_ONCS_WRITE_ZEROES | NVMET_ONCS_VERIFY |
			       NVME_CTRL_ONCS_RESERVATIONS);
	id->fuses = 0;
	id->vwc = NVME_CTRL_VWC_PRESENT;
	id->awun = 0;
	id->awupf = 0;
	id->nwpc = 1 << 0;	/* Write Protect and No Write Protect */

	strscpy(id->subnqn, subsys->subsysnqn, sizeof(id->subnqn));
	nvmet_id_ctrl_fabrics(req, id);
	id->ctrattr = 0;	/* dynamic controller model */

	/* Optimized, non-optimized, inaccessible, persistent loss, change. */
	id->anacap = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4);
	id->anatt = 10;
	id->anagrpmax = cpu_to_le32(NVMET_MAX_ANAGRPS);
	id->nanagrpid = cpu_to_le32(NVMET_MAX_ANAGRPS);
	/* Endurance groups: one per namespace, as many as namespaces. */
	BUILD_BUG_ON(offsetof(struct nvme_id_ctrl, anatt) != NVMET_ID_CTRL_ENDGIDMAX + 2);
	put_unaligned_le16(NVMET_MAX_NAMESPACES, (u8 *)id + NVMET_ID_CTRL_ENDGIDMAX);

	/* A single power state, with the figures hosts have come to expect. */
	id->psd[0].max_power = cpu_to_le16(0x9c4);
	id->psd[0].entry_lat = cpu_to_le32(0x10);
	id->psd[0].exit_lat = cpu_to_le32(0x4);

	status = nvmet_copy_to_sgl(req, 0, id, sizeof(*id));
	kfree(id);
	return status;
}

/* CNS 00h. An NSID that is valid but not active reads as all zeroes. */
static u16 nvmet_identify_ns(struct nvmet_req *req)
{
	u32 nsid = le32_to_cpu(req->cmd->identify.nsid);
	enum nvme_ana_state state;
	struct nvme_id_ns *id;
	struct nvmet_ns *ns;
	u16 status;

	if (nsid == 0 || nsid == NVME_NSID_ALL) {
		req->error_loc = NVMET_LOC_NSID;
		return NVME_SC_INVALID_NS | NVME_STATUS_DNR;
	}

	if (nvmet_req_find_ns(req)) {
		req->error_loc = NVMET_NO_ERROR_LOC;
		return nvmet_zero_sgl(req, 0, NVME_IDENTIFY_DATA_SIZE);
	}
	ns = req->ns;

	/* Pick up a backend that changed size since it was enabled. */
	nvmet_ns_revalidate(ns);

	id = kzalloc_obj(*id);
	if (!id)
		return NVME_SC_INTERNAL;

	/* Thin provisioning is not known: capacity and size are the same. */
	id->nsze = cpu_to_le64(ns->size >> ns->blksize_shift);
	id->ncap = id->nsze;
	down_read(&nvmet_ana_sem);
	state = nvmet_port_ana_state(req->port, ns->anagrpid);
	up_read(&nvmet_ana_sem);
	if (state != NVME_ANA_INACCESSIBLE && state != NVME_ANA_PERSISTENT_LOSS)
		id->nuse = id->nsze;

	if (ns->ops->identify_ns)
		ns->ops->identify_ns(ns, id);

	/* One LBA format: the backend's logical block size, no metadata. */
	id->nlbaf = 0;
	id->flbas = 0;
	id->lbaf[0].ds = ns->blksize_shift;

	/* Shared with other controllers and with other users of the backend. */
	id->nmic = NVME_NS_NMIC_SHARED;
	id->rescap = nvmet_pr_rescap(ns);
	id->anagrpid = cpu_to_le32(ns->anagrpid);
	id->endgid = cpu_to_le16(nvmet_ns_endgid(ns));
	memcpy(id->nguid, ns->nguid, sizeof(id->nguid));
	if (ns->readonly)
		id->nsattr |= NVME_NS_ATTR_RO;

	status = nvmet_copy_to_sgl(req, 0, id, sizeof(*id));
	kfree(id);
	return status;
}

/*
 * CNS 02h/07h: up to 1024 active NSIDs above the command's NSID, ascending;
 * for CNS 07h only those of the command's I/O command set (CSI).
 */
static u16 nvmet_identify_nslist(struct nvmet_req *req, bool by_csi)
{
	struct nvmet_subsys *subsys = req->sq->ctrl->subsys;
	u32 min_nsid = le32_to_cpu(req->cmd->identify.nsid);
	struct nvmet_ns *ns;
	unsigned long idx;
	unsigned int n = 0;
	__le32 *list;
	u16 status;

	if (min_nsid >= NVME_NSID_ALL - 1) {
		req->error_loc = NVMET_LOC_NSID;
		return NVME_SC_INVALID_NS | NVME_STATUS_DNR;
	}

	list = kzalloc(NVME_IDENTIFY_DATA_SIZE, GFP_KERNEL);
	if (!list)
		return NVME_SC_INTERNAL;

	mutex_lock(&subsys->lock);
	xa_for_each_start(&subsys->namespaces, idx, ns, (unsigned long)min_nsid + 1) {
		if (!ns->enabled || (by_csi && ns->csi != req->cmd->identify.csi))
			continue;
		list[n++] = cpu_to_le32(ns->nsid);
		if (n == NVMET_NSLIST_ENTRIES)
			break;
	}
	mutex_unlock(&subsys->lock);

	status = nvmet_copy_to_sgl(req, 0, list, NVME_IDENTIFY_DATA_SIZE);
	kfree(list);
	return status;
}

/* Append one Namespace Identification Descriptor at *pos. */
static void nvmet_add_ns_desc(u8 *buf, size_t *pos, u8 nidt, u8 nidl, const void *nid)
{
	struct nvme_ns_id_desc *desc = (struct nvme_ns_id_desc *)(buf + *pos);

	desc->nidt = nidt;
	desc->nidl = nidl;
	memcpy(buf + *pos + sizeof(*desc), nid, nidl);
	*pos += sizeof(*desc) + nidl;
}

/* CNS 03h: UUID and NGUID when set (no EUI-64), then the command set. */
static u16 nvmet_identify_ns_descs(struct nvmet_req *req)
{
	struct nvmet_ns *ns;
	size_t pos = 0;
	u16 status;
	u8 *buf;

	status = nvmet_req_find_ns(req);
	if (status)
		return status;
	ns = req->ns;

	buf = kzalloc(NVME_IDENTIFY_DATA_SIZE, GFP_KERNEL);
	if (!buf)
		return NVME_SC_INTERNAL;
	if (!uuid_is_null(&ns->uuid))
		nvmet_add_ns_desc(buf, &pos, NVME_NIDT_UUID, NVME_NIDT_UUID_LEN,
				  &ns->uuid);
	if (memchr_inv(ns->nguid, 0, sizeof(ns->nguid)))
		nvmet_add_ns_desc(buf, &pos, NVME_NIDT_NGUID, NVME_NIDT_NGUID_LEN,
				  ns->nguid);
	nvmet_add_ns_desc(buf, &pos, NVME_NIDT_CSI, NVME_NIDT_CSI_LEN, &ns->csi);

	status = nvmet_copy_to_sgl(req, 0, buf, NVME_IDENTIFY_DATA_SIZE);
	kfree(buf);
	return status;
}

/* CNS 05h, NVM: nothing beyond CNS 00h to report, so all zeroes. */
static u16 nvmet_identify_ns_nvm(struct nvmet_req *req)
{
	u16 status;

	status = nvmet_req_find_ns(req);
	if (status)
		return status;
	return nvmet_zero_sgl(req, 0, NVME_IDENTIFY_DATA_SIZE);
}

/*
 * CNS 05h, Zoned Namespace command set: the zone geometry of a zoned
 * namespace. An NSID that is valid but not active reads as all zeroes; a
 * namespace of another command set is an invalid field.
 */
static u16 nvmet_identify_ns_zns(struct nvmet_req *req)
{
	struct nvme_id_ns_zns *id;
	u16 status;

	if (le32_to_cpu(req->cmd->identify.nsid) == NVME_NSID_ALL) {
		req->error_loc = NVMET_LOC_NSID;
		return NVME_SC_INVALID_NS | NVME_STATUS_DNR;
	}
	if (nvmet_req_find_ns(req)) {
		req->error_loc = NVMET_NO_ERROR_LOC;
		return nvmet_zero_sgl(req, 0, NVME_IDENTIFY_DATA_SIZE);
	}
	if (req->ns->csi != NVME_CSI_ZNS || !req->ns->ops->identify_ns_zns)
		return nvmet_field_error(req, NVMET_LOC_NSID);
	nvmet_ns_revalidate(req->ns);

	id = kzalloc_obj(*id);
	if (!id)
		return NVME_SC_INTERNAL;
	req->ns->ops->identify_ns_zns(req->ns, id);
	status = nvmet_copy_to_sgl(req, 0, id, sizeof(*id));
	kfree(id);
	return status;
}

/*
 * CNS 06h, Zoned Namespace command set: ZASL, the subsystem's (its first
 * zoned namespace's), never above MDTS; 0 (MDTS alone) before any.
 */
static u16 nvmet_identify_ctrl_zns(struct nvmet_req *req)
{
	struct nvmet_subsys *subsys = req->sq->ctrl->subsys;
	struct nvme_id_ctrl_zns *id;
	u16 status;
	u8 zasl;

	mutex_lock(&subsys->lock);
	zasl = subsys->zasl;
	mutex_unlock(&subsys->lock);

	id = kzalloc_obj(*id);
	if (!id)
		return NVME_SC_INTERNAL;
	id->zasl = min_not_zero(nvmet_ctrl_mdts(req->sq->ctrl), zasl);
	status = nvmet_copy_to_sgl(req, 0, id, sizeof(*id));
	kfree(id);
	return status;
}

/* CNS 08h: I/O command set independent namespace data. */
static u16 nvmet_identify_ns_indep(struct nvmet_req *req)
{
	struct nvme_id_ns_cs_indep *id;
	struct nvmet_ns *ns;
	u16 status;

	status = nvmet_req_find_ns(req);
	if (status)
		return status;
	ns = req->ns;

	id = kzalloc_obj(*id);
	if (!id)
		return NVME_SC_INTERNAL;
	id->nstat = NVME_NSTAT_NRDY;
	id->anagrpid = cpu_to_le32(ns->anagrpid);
	id->endgid = cpu_to_le16(nvmet_ns_endgid(ns));
	id->nmic = NVME_NS_NMIC_SHARED;
	id->rescap = nvmet_pr_rescap(ns);
	if (ns->readonly)
		id->nsattr |= NVME_NS_ATTR_RO;
	if (ns->bdev) {
		if (nvmet_bdev_rotational(ns->bdev))
			id->nsfeat |= NVMET_NSFEAT_ROTATIONAL;
		/* A file needs Flush for its metadata, so it always has a cache. */
		if (!bdev_write_cache(ns->bdev))
			id->nsfeat |= NVMET_NSFEAT_NO_VWC;
	}
	status = nvmet_copy_to_sgl(req, 0, id, sizeof(*id));
	kfree(id);
	return status;
}

/*
 * CNS 19h: the number of entries, then up to 2047 endurance group
 * identifiers at or above CNSSID (CDW11[15:0]), ascending.
 */
static u16 nvmet_identify_endgrp_list(struct nvmet_req *req)
{
	struct nvmet_subsys *subsys = req->sq->ctrl->subsys;
	u16 min_endgid = le32_to_cpu(req->cmd->common.cdw11) & 0xffff;
	const unsigned int nr_max = NVME_IDENTIFY_DATA_SIZE / sizeof(__le16) - 1;
	struct nvmet_ns *ns;
	unsigned long idx;
	unsigned int n = 0;
	__le16 *list;
	u16 status;

	list = kzalloc(NVME_IDENTIFY_DATA_SIZE, GFP_KERNEL);
	if (!list)
		return NVME_SC_INTERNAL;

	mutex_lock(&subsys->lock);
	xa_for_each_range(&subsys->namespaces, idx, ns, max_t(unsigned long, min_endgid, 1),
			  NVMET_ENDGID_MAX) {
		if (!ns->enabled)
			continue;
		list[++n] = cpu_to_le16(nvmet_ns_endgid(ns));
		if (n == nr_max)
			break;
	}
	mutex_unlock(&subsys->lock);
	list[0] = cpu_to_le16(n);

	status = nvmet_copy_to_sgl(req, 0, list, NVME_IDENTIFY_DATA_SIZE);
	kfree(list);
	return status;
}

static void nvmet_execute_identify(struct nvmet_req *req)
{
	struct nvme_identify *cmd = &req->cmd->identify;
	u16 status;

	if (!nvmet_check_transfer_len(req, NVME_IDENTIFY_DATA_SIZE))
		return;

	switch (cmd->cns) {
	case NVME_ID_CNS_NS:
		status = nvmet_identify_ns(req);
		break;
	case NVME_ID_CNS_CTRL:
		status = nvmet_identify_ctrl(req);
		break;
	case NVME_ID_CNS_NS_ACTIVE_LIST:
		status = nvmet_identify_nslist(req, false);
		break;
	case NVME_ID_CNS_NS_DESC_LIST:
		status = nvmet_identify_ns_descs(req);
		break;
	case NVME_ID_CNS_CS_NS:
		if (cmd->csi == NVME_CSI_NVM)
			status = nvmet_identify_ns_nvm(req);
		else if (cmd->csi == NVME_CSI_ZNS)
			status = nvmet_identify_ns_zns(req);
		else
			status = nvmet_field_error(req, NVMET_LOC_CSI);
		break;
	case NVME_ID_CNS_CS_CTRL:
		if (cmd->csi == NVME_CSI_NVM)
			status = nvmet_zero_sgl(req, 0, NVME_IDENTIFY_DATA_SIZE);
		else if (cmd->csi == NVME_CSI_ZNS)
			status = nvmet_identify_ctrl_zns(req);
		else
			status = nvmet_field_error(req, NVMET_LOC_CSI);
		break;
	case NVMET_CNS_ACTIVE_NS_CSI:
		status = nvmet_identify_nslist(req, true);
		break;
	case NVME_ID_CNS_NS_CS_INDEP:
		status = nvmet_identify_ns_indep(req);
		break;
	case NVMET_CNS_ENDGRP_LIST:
		status = nvmet_identify_endgrp_list(req);
		break;
	default:
		status = nvmet_field_error(req, NVMET_LOC_CNS);
		break;
	}
	nvmet_req_complete(req, status);
}

/*
 * Abort is mandatory but may do nothing: report every command as not
 * aborted (result bit 0), which is always true.
 */
static void nvmet_execute_abort(struct nvmet_req *req)
{
	if (!nvmet_check_transfer_len(req, 0))
		return;
	nvmet_set_result(req, 1);
	nvmet_req_complete(req, NVME_SC_SUCCESS);
}

/* The NVM subsystem's admin commands of their own (ctrl-cmd.c parses). */
const struct nvmet_admin_set nvmet_nvm_admin_set = {
	.get_log_page	= nvmet_execute_get_log_page,
	.identify	= nvmet_execute_identify,
	.abort		= nvmet_execute_abort,
};
