// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-oot: the NVM command set, once for every backend.
 *
 * Namespace enable, disable and revalidate; the I/O queue parser (path and
 * namespace access, then each command's fields and LBA range, checked before
 * any data moves); Flush of all namespaces; Dataset Management, Compare and
 * Verify; the checks of the Zoned Namespace command set's commands. The
 * backing store is reached only through the backend table
 * (struct nvmet_backend_ops) that ns->ops points at while the namespace is
 * enabled: io-cmd-bdev.c and io-cmd-file.c are its implementations, and a
 * further backend is one more table.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "nvmet.h"

/* Pages Compare and Verify read per step (at least one logical block). */
#define NVMET_CHECK_CHUNK_PAGES	16

/* --- namespaces ---------------------------------------------------------- */

static void nvmet_ns_ref_release(struct percpu_ref *ref)
{
	struct nvmet_ns *ns = container_of(ref, struct nvmet_ns, ref);

	complete(&ns->disable_done);
}

struct nvmet_ns *nvmet_ns_alloc(struct nvmet_subsys *subsys, u32 nsid)
{
	struct nvmet_ns *ns;

	ns = kzalloc_obj(*ns);
	if (!ns)
		return NULL;
	ns->stats = alloc_percpu(struct nvmet_io_stats);
	if (!ns->stats) {
		kfree(ns);
		return NULL;
	}
	ns->subsys = subsys;
	ns->nsid = nsid;
	ns->anagrpid = NVMET_DEFAULT_ANA_GRPID;
	uuid_gen(&ns->uuid);
	init_completion(&ns->disable_done);
	mutex_init(&ns->enable_lock);

	mutex_lock(&subsys->lock);
	if (subsys->nr_namespaces >= NVMET_MAX_NAMESPACES ||
	    xa_insert(&subsys->namespaces, nsid, ns, GFP_KERNEL)) {
		mutex_unlock(&subsys->lock);
		free_percpu(ns->stats);
		kfree(ns);
		return NULL;
	}
	subsys->nr_namespaces++;
	mutex_unlock(&subsys->lock);

	down_write(&nvmet_ana_sem);
	nvmet_ana_group_enabled[ns->anagrpid]++;
	up_write(&nvmet_ana_sem);
	return ns;
}

void nvmet_ns_free(struct nvmet_ns *ns)
{
	struct nvmet_subsys *subsys = ns->subsys;

	nvmet_ns_disable(ns);

	mutex_lock(&subsys->lock);
	xa_erase(&subsys->namespaces, ns->nsid);
	subsys->nr_namespaces--;
	mutex_unlock(&subsys->lock);

	down_write(&nvmet_ana_sem);
	nvmet_ana_group_enabled[ns->anagrpid]--;
	up_write(&nvmet_ana_sem);

	/* Lookups read the xarray under RCU: let them finish before freeing. */
	synchronize_rcu();
	free_percpu(ns->stats);
	kfree(ns->device_path);
	kfree(ns->pr_ptpl_path);
	kfree(ns);
}

/*
 * The backends, in the order enable tries them: a zoned block device (taken
 * or refused, never handed on), a block device unless the namespace asks for
 * buffered I/O, else a file. Each says -ENOTBLK for a backing store that is
 * not its kind.
 */
static const struct nvmet_backend_ops *const nvmet_backends[] = {
	&nvmet_bdev_zns_ops,
	&nvmet_bdev_ops,
	&nvmet_file_ops,
};

static int nvmet_ns_open_backend(struct nvmet_ns *ns)
{
	int ret = -ENOTBLK;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(nvmet_backends) && ret == -ENOTBLK; i++) {
		ret = nvmet_backends[i]->enable(ns);
		if (!ret)
			ns->ops = nvmet_backends[i];
	}
	return ret;
}

static void nvmet_ns_close_backend(struct nvmet_ns *ns)
{
	if (!ns->ops)
		return;
	ns->ops->disable(ns);
	ns->ops = NULL;
	ns->csi = NVME_CSI_NVM;
}

/*
 * A zoned namespace's Zone Append limit against the subsystem's, under
 * subsys->lock: Identify reports one ZASL to every controller, the first
 * zoned namespace's, which hosts may already use; a namespace that appends
 * less is refused, as by the in-tree target.
 */
static int nvmet_ns_check_zasl(struct nvmet_ns *ns)
{
	struct nvmet_subsys *subsys = ns->subsys;

	lockdep_assert_held(&subsys->lock);
	if (ns->csi != NVME_CSI_ZNS)
		return 0;
	if (subsys->zasl && ns->zasl < subsys->zasl) {
		pr_err("namespace %u of %s: zoned block device %s appends at most %u KiB at once, less than the %u KiB of the subsystem's first zoned namespace; export it from another subsystem\n",
		       ns->nsid, subsys->subsysnqn, ns->device_path,
		       nvmet_zasl_bytes(ns->zasl) / SZ_1K, nvmet_zasl_bytes(subsys->zasl) / SZ_1K);
		return -EINVAL;
	}
	if (!subsys->zasl)
		subsys->zasl = ns->zasl;
	return 0;
}

int nvmet_ns_enable(struct nvmet_ns *ns)
{
	struct nvmet_subsys *subsys = ns->subsys;
	int ret;

	lockdep_assert_held(&ns->enable_lock);
	if (ns->enabled)
		return 0;
	if (!ns->device_path)
		return -EINVAL;
	/*
	 * The backing store is opened holding only this namespace's
	 * enable_lock (under which device_path and buffered_io change too): a
	 * path on a hung NFS mount blocks this one write, never another host's
	 * Connect or Identify, nor the rest of the configuration.
	 * buffered_io means the file backend even for a block device.
	 */
	ret = nvmet_ns_open_backend(ns);
	if (ret)
		return ret;
	/* Reservations (and their state file) before any host can see the namespace. */
	if (ns->pr_enable) {
		ret = nvmet_pr_enable(ns);
		if (ret)
			goto close_backend;
	}
	ret = percpu_ref_init(&ns->ref, nvmet_ns_ref_release, 0, GFP_KERNEL);
	if (ret)
		goto pr_disable;
	mutex_lock(&subsys->lock);
	if (nvmet_is_passthru_subsys(subsys)) {
		/* Its namespaces are the NVMe controller's (in-tree: ignored, not refused). */
		pr_info("subsystem %s: nsid %u: passthru is enabled; namespaces cannot be\n",
			subsys->subsysnqn, ns->nsid);
		ret = -EBUSY;
	} else {
		ret = nvmet_ns_check_zasl(ns);
	}
	if (ret) {
		mutex_unlock(&subsys->lock);
		goto ref_exit;
	}
	reinit_completion(&ns->disable_done);
	if (ns->nsid > subsys->max_nsid)
		subsys->max_nsid = ns->nsid;
	/* Publish ns->ref before lookups may see the namespace enabled. */
	smp_store_release(&ns->enabled, true);
	nvmet_ns_changed(subsys, ns->nsid);
	mutex_unlock(&subsys->lock);
	nvmet_event_ns(NVMET_EVT_NS_ADD, ns);
	return 0;

ref_exit:
	percpu_ref_exit(&ns->ref);
pr_disable:
	if (ns->pr_enable)
		nvmet_pr_disable(ns);
close_backend:
	nvmet_ns_close_backend(ns);
	return ret;
}

void nvmet_ns_disable(struct nvmet_ns *ns)
{
	struct nvmet_subsys *subsys = ns->subsys;
	unsigned long idx;
	struct nvmet_ns *cur;

	mutex_lock(&subsys->lock);
	if (!ns->enabled) {
		mutex_unlock(&subsys->lock);
		return;
	}
	WRITE_ONCE(ns->enabled, false);
	mutex_unlock(&subsys->lock);

	/*
	 * After a grace period no lookup can be between its enabled check and
	 * taking a reference; then wait for the requests that hold one.
	 */
	synchronize_rcu();
	percpu_ref_kill(&ns->ref);
	if (!wait_for_completion_timeout(&ns->disable_done,
					 NVMET_NS_DISABLE_GRACE_SECS * HZ)) {
		nvmet_ns_close_stalled(ns);
		wait_for_completion(&ns->disable_done);
	}
	percpu_ref_exit(&ns->ref);
	if (ns->pr_enable)
		nvmet_pr_disable(ns);

	mutex_lock(&subsys->lock);
	subsys->max_nsid = 0;
	xa_for_each(&subsys->namespaces, idx, cur) {
		if (cur->enabled && cur->nsid > subsys->max_nsid)
			subsys->max_nsid = cur->nsid;
	}
	nvmet_ns_changed(subsys, ns->nsid);
	nvmet_ns_close_backend(ns);
	mutex_unlock(&subsys->lock);
	nvmet_event_ns(NVMET_EVT_NS_REMOVE, ns);
}

void nvmet_ns_revalidate(struct nvmet_ns *ns)
{
	struct nvmet_subsys *subsys = ns->subsys;
	bool resized = false;
	loff_t old;

	mutex_lock(&subsys->lock);
	if (!ns->enabled)
		goto out;
	old = ns->size;
	ns->ops->revalidate(ns);
	resized = ns->size != old;
	if (resized)
		nvmet_ns_changed(subsys, ns->nsid);
out:
	mutex_unlock(&subsys->lock);
	if (resized)
		nvmet_event_ns(NVMET_EVT_NS_RESIZE, ns);
}

/* --- NVM commands -------------------------------------------------------- */

/*
 * Checks that nlb blocks from slba lie inside the namespace; on failure sets
 * the error log fields (error_loc: the command field to blame).
 */
static u16 nvmet_check_lba_range(struct nvmet_req *req, u64 slba, u64 nlb, u16 error_loc)
{
	u64 nr_blocks = req->ns->size >> req->ns->blksize_shift;

	if (likely(slba < nr_blocks && nlb <= nr_blocks - slba))
		return NVME_SC_SUCCESS;
	req->error_slba = slba;
	req->error_loc = error_loc;
	return NVME_SC_LBA_RANGE | NVME_STATUS_DNR;
}

/* Makes what the namespace completed durable; 0 or a negative errno. */
int nvmet_ns_sync(struct nvmet_ns *ns)
{
	return ns->ops->sync(ns);
}

/*
 * Dataset Management, from a work item: every range is read from the host's
 * data and checked before the first one is deallocated.
 */
static void nvmet_dsm_work(struct work_struct *work)
{
	struct nvmet_req *req = container_of(work, struct nvmet_req, f.work);
	unsigned int nr = le32_to_cpu(req->cmd->dsm.nr) + 1;
	struct nvme_dsm_range *ranges;
	unsigned int i;
	u16 status;

	ranges = kmalloc_array(nr, sizeof(*ranges), GFP_KERNEL);
	if (!ranges) {
		nvmet_req_complete(req, NVME_SC_INTERNAL);
		return;
	}
	status = nvmet_copy_from_sgl(req, 0, ranges, nr * sizeof(*ranges));
	for (i = 0; !status && i < nr; i++) {
		u32 nlb = le32_to_cpu(ranges[i].nlb);

		/* The ranges live in the data: blame the data pointer. */
		if (nlb)
			status = nvmet_check_lba_range(req, le64_to_cpu(ranges[i].slba), nlb,
						       offsetof(struct nvme_dsm_cmd, dptr));
	}
	for (i = 0; !status && i < nr; i++) {
		u32 nlb = le32_to_cpu(ranges[i].nlb);

		if (!nlb)
			continue;
		status = req->ns->ops->deallocate(req, le64_to_cpu(ranges[i].slba), nlb);
		if (status)
			req->error_slba = le64_to_cpu(ranges[i].slba);
	}
	kfree(ranges);
	nvmet_req_complete(req, status);
}

static void nvmet_execute_dsm(struct nvmet_req *req)
{
	/* Hosts may send a larger buffer than the ranges need. */
	if (!nvmet_check_data_len_lte(req, req->data_len))
		return;

	/* Only Deallocate acts; the access hints IDR and IDW are advisory. */
	if (!(le32_to_cpu(req->cmd->dsm.attributes) & NVME_DSMGMT_AD)) {
		nvmet_req_complete(req, NVME_SC_SUCCESS);
		return;
	}
	INIT_WORK(&req->f.work, nvmet_dsm_work);
	queue_work(nvmet_io_wq, &req->f.work);
}

/* Pages Compare and Verify read into, plus one for the host's data. */
struct nvmet_check_chunk {
	struct page	**pages;
	struct bio_vec	*bvec;
	unsigned int	nr_pages;	/* device data pages; one more follows */
	u32		bytes;		/* nr_pages * PAGE_SIZE */
};

static void nvmet_check_chunk_free(struct nvmet_check_chunk *chunk)
{
	unsigned int i;

	if (chunk->pages)
		for (i = 0; i <= chunk->nr_pages; i++)
			if (chunk->pages[i])
				__free_page(chunk->pages[i]);
	kfree(chunk->pages);
	kfree(chunk->bvec);
}

static int nvmet_check_chunk_alloc(struct nvmet_check_chunk *chunk, u8 shift)
{
	unsigned int i;

	chunk->nr_pages = max_t(unsigned int, NVMET_CHECK_CHUNK_PAGES, (1U << shift) >> PAGE_SHIFT);
	chunk->nr_pages = min_t(unsigned int, chunk->nr_pages, BIO_MAX_VECS);
	chunk->bytes = chunk->nr_pages << PAGE_SHIFT;
	chunk->pages = kcalloc(chunk->nr_pages + 1, sizeof(*chunk->pages), GFP_KERNEL);
	chunk->bvec = kcalloc(chunk->nr_pages, sizeof(*chunk->bvec), GFP_KERNEL);
	if (!chunk->pages || !chunk->bvec)
		goto fail;
	for (i = 0; i <= chunk->nr_pages; i++) {
		chunk->pages[i] = alloc_page(GFP_KERNEL);
		if (!chunk->pages[i])
			goto fail;
	}
	return 0;
fail:
	nvmet_check_chunk_free(chunk);
	return -ENOMEM;
}

/* Reads len bytes at byte pos of the namespace into the chunk's pages. */
static u16 nvmet_check_chunk_read(struct nvmet_req *req, struct nvmet_check_chunk *chunk,
				  loff_t pos, u32 len)
{
	unsigned int nr = 0;
	u32 left;

	for (left = len; left; nr++) {
		u32 seg = min_t(u32, left, PAGE_SIZE);

		bvec_set_page(&chunk->bvec[nr], chunk->pages[nr], seg, 0);
		left -= seg;
	}
	return req->ns->ops->read(req, pos, chunk->bvec, nr, len);
}

/*
 * Compares len bytes read into the chunk with the host's data at offset off
 * of the command's data.
 */
static u16 nvmet_check_chunk_compare(struct nvmet_req *req, struct nvmet_check_chunk *chunk,
				     u64 off, u32 len)
{
	void *host = page_address(chunk->pages[chunk->nr_pages]);
	unsigned int i;
	u32 done;
	u16 status;

	for (i = 0, done = 0; done < len; i++) {
		u32 seg = min_t(u32, len - done, PAGE_SIZE);

		status = nvmet_copy_from_sgl(req, off + done, host, seg);
		if (status)
			return status;
		if (memcmp(page_address(chunk->pages[i]), host, seg)) {
			req->error_slba = le64_to_cpu(req->cmd->rw.slba) +
					  ((off + done) >> req->ns->blksize_shift);
			req->error_loc = NVMET_NO_ERROR_LOC;
			return NVME_SC_COMPARE_FAILED | NVME_STATUS_DNR;
		}
		done += seg;
	}
	return NVME_SC_SUCCESS;
}

/*
 * Compare and Verify: read the range in chunks; Compare also matches each
 * chunk against the host's data, Verify only needs the reads to succeed.
 */
static void nvmet_check_work(struct work_struct *work)
{
	struct nvmet_req *req = container_of(work, struct nvmet_req, f.work);
	bool compare = req->cmd->rw.opcode == nvme_cmd_compare;
	u64 total = ((u64)le16_to_cpu(req->cmd->rw.length) + 1) << req->ns->blksize_shift;
	loff_t pos = (loff_t)le64_to_cpu(req->cmd->rw.slba) << req->ns->blksize_shift;
	struct nvmet_check_chunk chunk = {};
	u16 status = NVME_SC_SUCCESS;
	u64 off;

	if (nvmet_check_chunk_alloc(&chunk, req->ns->blksize_shift)) {
		nvmet_req_complete(req, NVME_SC_INTERNAL);
		return;
	}

	for (off = 0; off < total && !status; ) {
		u32 len = min_t(u64, total - off, chunk.bytes);

		status = nvmet_check_chunk_read(req, &chunk, pos + off, len);
		if (!status && compare)
			status = nvmet_check_chunk_compare(req, &chunk, off, len);
		off += len;
	}

	nvmet_check_chunk_free(&chunk);
	nvmet_req_complete(req, status);
}

/* Synchronous reads of up to 256 MiB: off the transport, on an I/O workqueue. */
static void nvmet_execute_check(struct nvmet_req *req)
{
	if (!nvmet_check_transfer_len(req, req->data_len))
		return;
	INIT_WORK(&req->f.work, nvmet_check_work);
	queue_work(req->ns->buffered_io ? nvmet_buffered_io_wq : nvmet_io_wq, &req->f.work);
}

/*
 * Parse step shared by the commands that name an LBA range in SLBA and NLB
 * (Read, Write, Compare, Verify, Write Zeroes: same fields, same offsets).
 * with_data: the command moves NLB blocks of data.
 */
static u16 nvmet_parse_lba_cmd(struct nvmet_req *req, bool with_data)
{
	u64 slba = le64_to_cpu(req->cmd->rw.slba);
	u64 nlb = (u64)le16_to_cpu(req->cmd->rw.length) + 1;
	u16 status;

	status = nvmet_check_lba_range(req, slba, nlb, offsetof(struct nvme_rw_command, slba));
	if (status)
		return status;

	req->data_len = 0;
	if (with_data) {
		/* 65536 blocks of a large logical block would not fit a u32. */
		if ((nlb << req->ns->blksize_shift) > U32_MAX) {
			req->error_loc = offsetof(struct nvme_rw_command, length);
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		}
		req->data_len = nvmet_rw_data_len(req);
	}
	return NVME_SC_SUCCESS;
}

static u16 nvmet_parse_dsm(struct nvmet_req *req)
{
	u32 nr = le32_to_cpu(req->cmd->dsm.nr);

	/* NR is 0's based and 8 bits wide: at most 256 ranges. */
	if (nr >= NVME_DSM_MAX_RANGES) {
		req->error_loc = offsetof(struct nvme_dsm_cmd, nr);
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	}
	req->data_len = (nr + 1) * sizeof(struct nvme_dsm_range);
	return NVME_SC_SUCCESS;
}

/* --- the Zoned Namespace command set ------------------------------------- */

/* Whether SLBA is the first LBA of a zone (zone_lbas is a power of 2). */
static bool nvmet_zone_start(const struct nvmet_ns *ns, u64 slba)
{
	return !(slba & (ns->zone_lbas - 1));
}

/* Zone Append: the range inside the namespace, within ZASL, at a zone's start. */
static u16 nvmet_parse_zone_append(struct nvmet_req *req)
{
	u16 status;

	status = nvmet_parse_lba_cmd(req, true);
	if (status)
		return status;
	if (req->data_len > nvmet_zasl_bytes(req->ns->zasl)) {
		req->error_loc = offsetof(struct nvme_rw_command, length);
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	}
	if (!nvmet_zone_start(req->ns, le64_to_cpu(req->cmd->rw.slba))) {
		req->error_loc = offsetof(struct nvme_rw_command, slba);
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	}
	return NVME_SC_SUCCESS;
}

/*
 * Zone Management Send: open, close, finish or reset one zone (SLBA its
 * first LBA) or, with Select All, every zone the action applies to. Offline
 * is a transition only a read-only zone may make, and the block layer makes
 * none; zone descriptor extensions do not exist here (ZDES 0).
 */
static u16 nvmet_parse_zone_mgmt_send(struct nvmet_req *req)
{
	struct nvme_zone_mgmt_send_cmd *zms = &req->cmd->zms;
	u64 slba = le64_to_cpu(zms->slba);
	u16 status;

	req->data_len = 0;
	switch (zms->zsa) {
	case NVME_ZONE_OPEN:
	case NVME_ZONE_CLOSE:
	case NVME_ZONE_FINISH:
	case NVME_ZONE_RESET:
		break;
	case NVME_ZONE_OFFLINE:
		req->error_loc = offsetof(struct nvme_zone_mgmt_send_cmd, zsa);
		return NVME_SC_ZONE_INVALID_TRANSITION | NVME_STATUS_DNR;
	default:
		req->error_loc = offsetof(struct nvme_zone_mgmt_send_cmd, zsa);
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	}
	if (zms->select_all & 1)
		return NVME_SC_SUCCESS;		/* SLBA is ignored */
	status = nvmet_check_lba_range(req, slba, 1,
				       offsetof(struct nvme_zone_mgmt_send_cmd, slba));
	if (status)
		return status;
	if (!nvmet_zone_start(req->ns, slba)) {
		req->error_loc = offsetof(struct nvme_zone_mgmt_send_cmd, slba);
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	}
	return NVME_SC_SUCCESS;
}

/*
 * Zone Management Receive: Report Zones from the zone holding SLBA, into a
 * buffer of NUMD + 1 dwords that holds at least the report's header; the
 * state filter (ZRASF) and Partial Report. Extended Report Zones needs zone
 * descriptor extensions, which do not exist here (ZDES 0).
 */
static u16 nvmet_parse_zone_mgmt_recv(struct nvmet_req *req)
{
	struct nvme_zone_mgmt_recv_cmd *zmr = &req->cmd->zmr;
	u64 len = ((u64)le32_to_cpu(zmr->numd) + 1) << 2;
	u16 status;

	status = nvmet_check_lba_range(req, le64_to_cpu(zmr->slba), 1,
				       offsetof(struct nvme_zone_mgmt_recv_cmd, slba));
	if (status)
		return status;
	if (len < sizeof(struct nvme_zone_report)) {
		req->error_loc = offsetof(struct nvme_zone_mgmt_recv_cmd, numd);
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	}
	if (zmr->zra != NVME_ZRA_ZONE_REPORT) {
		req->error_loc = offsetof(struct nvme_zone_mgmt_recv_cmd, zra);
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	}
	if (zmr->pr & ~NVME_REPORT_ZONE_PARTIAL) {
		req->error_loc = offsetof(struct nvme_zone_mgmt_recv_cmd, pr);
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	}
	if (zmr->zrasf > NVME_ZRASF_ZONE_STATE_OFFLINE) {
		req->error_loc = offsetof(struct nvme_zone_mgmt_recv_cmd, zrasf);
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	}
	/* At most 16 GiB; req.c holds it to MDTS before any buffer is made. */
	req->data_len = len;
	return NVME_SC_SUCCESS;
}

/* The NVM command set on an enabled namespace (req->ns holds a reference). */
static u16 nvmet_parse_nvm_cmd(struct nvmet_req *req)
{
	const struct nvmet_backend_ops *ops = req->ns->ops;

	switch (req->cmd->common.opcode) {
	case nvme_cmd_read:
	case nvme_cmd_write:
		req->execute = ops->execute_rw;
		return nvmet_parse_lba_cmd(req, true);
	case nvme_cmd_compare:
		req->execute = nvmet_execute_check;
		return nvmet_parse_lba_cmd(req, true);
	case nvme_cmd_verify:
		req->execute = nvmet_execute_check;
		return nvmet_parse_lba_cmd(req, false);
	case nvme_cmd_write_zeroes:
		req->execute = ops->execute_write_zeroes;
		return nvmet_parse_lba_cmd(req, false);
	case nvme_cmd_flush:
		req->execute = ops->execute_flush;
		req->data_len = 0;
		return NVME_SC_SUCCESS;
	case nvme_cmd_dsm:
		req->execute = nvmet_execute_dsm;
		return nvmet_parse_dsm(req);
	case nvme_cmd_resv_register:
	case nvme_cmd_resv_acquire:
	case nvme_cmd_resv_release:
	case nvme_cmd_resv_report:
		if (!req->ns->pr_enable)
			break;
		return nvmet_parse_pr_cmd(req);
	/* A backend without these has no zoned namespace: Invalid Opcode. */
	case nvme_cmd_zone_append:
		if (!ops->execute_zone_append)
			break;
		req->execute = ops->execute_zone_append;
		return nvmet_parse_zone_append(req);
	case nvme_cmd_zone_mgmt_send:
		if (!ops->execute_zone_mgmt_send)
			break;
		req->execute = ops->execute_zone_mgmt_send;
		return nvmet_parse_zone_mgmt_send(req);
	case nvme_cmd_zone_mgmt_recv:
		if (!ops->execute_zone_mgmt_recv)
			break;
		req->execute = ops->execute_zone_mgmt_recv;
		return nvmet_parse_zone_mgmt_recv(req);
	default:
		break;
	}
	req->error_loc = offsetof(struct nvme_common_command, opcode);
	return NVME_SC_INVALID_OPCODE | NVME_STATUS_DNR;
}

/* --- the I/O queue parser ------------------------------------------------ */

static void nvmet_flush_all_work(struct work_struct *work)
{
	struct nvmet_req *req = container_of(work, struct nvmet_req, a.work);
	struct nvmet_subsys *subsys = req->sq->ctrl->subsys;
	unsigned long idx = 0;
	struct nvmet_ns *ns;
	u16 status = 0;
	int ret;

	/*
	 * No subsystem lock across the flushes: a slow device must not hold
	 * back other hosts' Connect and Identify. Each enabled namespace is
	 * pinned by a reference (as an I/O command would) while it is flushed.
	 */
	for (;;) {
		rcu_read_lock();
		ns = xa_find(&subsys->namespaces, &idx, ULONG_MAX, XA_PRESENT);
		/* Acquire pairs with nvmet_ns_enable()'s release, as in lookups. */
		if (ns && (!smp_load_acquire(&ns->enabled) || !percpu_ref_tryget_live(&ns->ref)))
			ns = ERR_PTR(-ENODEV);
		rcu_read_unlock();
		if (!ns)
			break;
		if (!IS_ERR(ns)) {
			ret = ns->ops->sync(ns);
			nvmet_put_namespace(ns);
			if (ret && !status)
				status = errno_to_nvme_status(req, ret);
		}
		if (idx == ULONG_MAX)
			break;
		idx++;
	}
	nvmet_req_complete(req, status);
}

/* Flush with NSID FFFFFFFFh: every namespace of the subsystem. */
static void nvmet_execute_flush_all(struct nvmet_req *req)
{
	if (!nvmet_check_transfer_len(req, 0))
		return;
	INIT_WORK(&req->a.work, nvmet_flush_all_work);
	queue_work(nvmet_wq, &req->a.work);
}

/* Commands that change what the namespace holds (Write Protect refuses them). */
static bool nvmet_io_cmd_modifies_media(const struct nvme_command *cmd)
{
	switch (cmd->common.opcode) {
	case nvme_cmd_write:
	case nvme_cmd_write_uncor:
	case nvme_cmd_write_zeroes:
	case NVMET_NVM_CMD_COPY:
	case nvme_cmd_zone_mgmt_send:
	case nvme_cmd_zone_append:
		return true;
	case nvme_cmd_dsm:
		/* Only Deallocate changes data; IDR and IDW are access hints. */
		return le32_to_cpu(cmd->dsm.attributes) & NVME_DSMGMT_AD;
	default:
		return false;
	}
}

/*
 * What the path and the namespace allow, before the backend parses: an I/O
 * command on a path whose ANA group is inaccessible, lost or changing fails
 * with that ANA status (no DNR: a multipath host retries on another path, and
 * in an HA pair nothing is written through the fenced node); a command that
 * modifies a write-protected namespace fails with Namespace Is Write
 * Protected (no DNR, as the in-tree target: the protection may be lifted).
 */
static u16 nvmet_io_check_access(struct nvmet_req *req)
{
	struct nvmet_ns *ns = req->ns;
	u16 status = NVME_SC_SUCCESS;

	switch (nvmet_port_ana_state(req->port, READ_ONCE(ns->anagrpid))) {
	case NVME_ANA_INACCESSIBLE:
		status = NVME_SC_ANA_INACCESSIBLE;
		break;
	case NVME_ANA_PERSISTENT_LOSS:
		status = NVME_SC_ANA_PERSISTENT_LOSS;
		break;
	case NVME_ANA_CHANGE:
		status = NVME_SC_ANA_TRANSITION;
		break;
	default:
		break;
	}
	if (unlikely(status)) {
		req->error_loc = offsetof(struct nvme_common_command, nsid);
		return status;
	}
	if (unlikely(READ_ONCE(ns->readonly)) && nvmet_io_cmd_modifies_media(req->cmd)) {
		req->error_loc = offsetof(struct nvme_common_command, opcode);
		return NVME_SC_NS_WRITE_PROTECTED;
	}
	/* pr_enable does not change while the namespace is enabled. */
	if (ns->pr_enable)
		return nvmet_pr_check_access(req);
	return NVME_SC_SUCCESS;
}

u16 nvmet_parse_io_cmd(struct nvmet_req *req)
{
	u16 status;

	status = nvmet_check_ctrl_status(req);
	if (status)
		return status;
	if (req->cmd->common.opcode == nvme_cmd_flush &&
	    le32_to_cpu(req->cmd->common.nsid) == NVME_NSID_ALL) {
		req->data_len = 0;
		req->execute = nvmet_execute_flush_all;
		return 0;
	}
	status = nvmet_req_find_ns(req);
	if (status)
		return status;
	status = nvmet_io_check_access(req);
	if (status)
		return status;
	return nvmet_parse_nvm_cmd(req);
}

