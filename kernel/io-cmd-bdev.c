// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-oot: NVM command set I/O on namespaces backed by a block device.
 *
 * The block-device implementation of struct nvmet_backend_ops: Read, Write,
 * Flush and Write Zeroes map onto bios that complete asynchronously; the
 * synchronous read and deallocate hooks serve Compare, Verify and Dataset
 * Management, which io-cmd.c runs from work items. io-cmd.c has parsed each
 * command and checked its LBA range before anything here runs.
 *
 * A zoned block device is a namespace of the Zoned Namespace command set
 * (CSI 2) through a second table, nvmet_bdev_zns_ops: the same I/O, plus
 * Zone Append, Zone Management Send and Receive and the zoned Identify
 * Namespace fields. Devices that command set cannot describe are refused at
 * enable, each with a log line that says why (docs/zns.md).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/bio.h>
#include <linux/mm.h>
#include "nvmet.h"

/* NSFEAT bits 5:4 (OPTPERF) = 11b; not named in Linux 6.12's nvme.h. */
#define NVMET_BDEV_NSFEAT_OPTPERF	(0x3 << 4)

/* n as an Identify field in 0's based form, saturated to 16 bits. */
static __le16 nvmet_bdev_0based(u32 n)
{
	return cpu_to_le16((u16)(clamp_t(u32, n, 1, 1U << 16) - 1));
}

static void nvmet_bdev_identify_ns(struct nvmet_ns *ns, struct nvme_id_ns *id)
{
	struct block_device *bdev = ns->bdev;
	u32 lbs = bdev_logical_block_size(bdev);
	__le16 atomic = nvmet_bdev_0based(bdev_physical_block_size(bdev) / lbs);

	/*
	 * A physical block is written atomically: report it per namespace in
	 * NAWUN, NAWUPF and NACWU, which NSFEAT bit 1 makes valid.
	 */
	id->nsfeat |= 1 << 1;
	id->nawun = atomic;
	id->nawupf = atomic;
	id->nacwu = atomic;

	/*
	 * OPTPERF (NSFEAT bits 5:4) = 11b: NPWG, NPWA, NPDG, NPDA and NOWS
	 * carry the queue's preferred sizes, in logical blocks, 0's based.
	 */
	id->nsfeat |= NVMET_BDEV_NSFEAT_OPTPERF;
	id->npwg = nvmet_bdev_0based(bdev_io_min(bdev) / lbs);
	id->npwa = id->npwg;
	id->npdg = nvmet_bdev_0based(bdev_discard_granularity(bdev) / lbs);
	id->npda = id->npdg;
	id->nows = nvmet_bdev_0based((u32)bdev_io_opt(bdev) / lbs);

	/*
	 * DLFEAT: when the device can zero by unmapping, a Write Zeroes with
	 * DEAC set may deallocate (bit 3, WZDS) and deallocated blocks read
	 * back as zeroes (bits 2:0 = 001b).
	 */
	if (bdev_write_zeroes_unmap_sectors(bdev))
		id->dlfeat = (1 << 3) | 0x1;
}

static int nvmet_bdev_ns_enable(struct nvmet_ns *ns)
{
	struct file *bdev_file;
	int ret;

	/* buffered_io asks for the page cache: let the file backend do it. */
	if (ns->buffered_io)
		return -ENOTBLK;

	/*
	 * Not exclusive, as with the in-tree target: a device may be exported
	 * while something else also has it open (admins rely on this).
	 */
	bdev_file = bdev_file_open_by_path(ns->device_path,
					   BLK_OPEN_READ | BLK_OPEN_WRITE, NULL, NULL);
	if (IS_ERR(bdev_file)) {
		ret = PTR_ERR(bdev_file);
		/* -ENOTBLK: a regular file, which io-cmd.c hands to the file backend */
		if (ret != -ENOTBLK)
			pr_err("cannot open block device %s: %d\n",
			       ns->device_path, ret);
		return ret;
	}

	/* nvmet_bdev_zns_ops, tried first, takes or refuses every zoned device. */
	if (bdev_is_zoned(file_bdev(bdev_file))) {
		pr_err("namespace %u of %s: %s is a zoned block device: not exported as an NVM namespace\n",
		       ns->nsid, ns->subsys->subsysnqn, ns->device_path);
		fput(bdev_file);
		return -EOPNOTSUPP;
	}

	ns->bdev_file = bdev_file;
	ns->bdev = file_bdev(bdev_file);
	ns->size = bdev_nr_bytes(ns->bdev);
	ns->blksize_shift = blksize_bits(bdev_logical_block_size(ns->bdev));
	return 0;
}

static void nvmet_bdev_ns_disable(struct nvmet_ns *ns)
{
	if (!ns->bdev_file)
		return;
	fput(ns->bdev_file);
	ns->bdev_file = NULL;
	ns->bdev = NULL;
}

static void nvmet_bdev_ns_revalidate(struct nvmet_ns *ns)
{
	ns->size = bdev_nr_bytes(ns->bdev);
}

/* Releases a command's bio (the inline one or an allocated one); its status. */
static blk_status_t nvmet_bdev_bio_done(struct nvmet_req *req, struct bio *bio)
{
	blk_status_t sts = bio->bi_status;

	if (bio == &req->b.inline_bio)
		bio_uninit(bio);	/* drops the cgroup association */
	else
		bio_put(bio);
	return sts;
}

/* Completion of a command's bio, or of the root of its chain of bios. */
static void nvmet_bdev_end_io(struct bio *bio)
{
	struct nvmet_req *req = bio->bi_private;

	nvmet_req_complete(req, blk_to_nvme_status(req, nvmet_bdev_bio_done(req, bio)));
}

static blk_opf_t nvmet_bdev_rw_opf(struct nvmet_req *req)
{
	u16 control = le16_to_cpu(req->cmd->rw.control);
	blk_opf_t opf;

	if (req->cmd->rw.opcode == nvme_cmd_write) {
		/* Flagged like an O_DIRECT write; FUA only ever on a write. */
		opf = REQ_OP_WRITE | REQ_SYNC | REQ_IDLE;
		if (control & NVME_RW_FUA)
			opf |= REQ_FUA;
	} else {
		opf = REQ_OP_READ;
	}
	/* Limited Retry: fail fast rather than let the device retry long. */
	if (control & NVME_RW_LR)
		opf |= REQ_FAILFAST_DEV;
	return opf;
}

/* Read or Write as a chain of bios; END_IO completes the command. */
static void __nvmet_bdev_execute_rw(struct nvmet_req *req, bio_end_io_t *end_io)
{
	struct block_device *bdev = req->ns->bdev;
	unsigned int segs_left = req->sg_cnt;
	size_t left = req->data_len;
	struct scatterlist *sg;
	struct blk_plug plug;
	struct bio *bio;
	blk_opf_t opf;
	sector_t sector;
	unsigned int i;

	if (!nvmet_check_transfer_len(req, req->data_len))
		return;
	if (unlikely(!req->sg_cnt)) {
		nvmet_req_complete(req, NVME_SC_INTERNAL | NVME_STATUS_DNR);
		return;
	}

	opf = nvmet_bdev_rw_opf(req);
	sector = nvmet_lba_to_sect(req->ns, req->cmd->rw.slba);

	/*
	 * The first bio is the root of the chain and the only one with our
	 * end_io: each further bio is a child of the one before it, so the
	 * root completes once all of them have, carrying the first error.
	 */
	if (req->sg_cnt <= ARRAY_SIZE(req->b.inline_bvec)) {
		bio = &req->b.inline_bio;
		bio_init(bio, bdev, req->b.inline_bvec,
			 ARRAY_SIZE(req->b.inline_bvec), opf);
	} else {
		bio = bio_alloc(bdev, bio_max_segs(segs_left), opf, GFP_KERNEL);
	}
	bio->bi_iter.bi_sector = sector;
	bio->bi_private = req;
	bio->bi_end_io = end_io;

	blk_start_plug(&plug);
	for_each_sg(req->sg, sg, req->sg_cnt, i) {
		unsigned int len = min_t(size_t, sg->length, left);

		if (!len)
			break;
		if (bio_add_page(bio, sg_page(sg), len, sg->offset) != len) {
			struct bio *full = bio;

			bio = bio_alloc(bdev, bio_max_segs(segs_left), opf,
					GFP_KERNEL);
			bio->bi_iter.bi_sector = sector;
			bio_chain(bio, full);
			submit_bio(full);
			/* A new bio has room for at least one segment. */
			__bio_add_page(bio, sg_page(sg), len, sg->offset);
		}
		sector += len >> SECTOR_SHIFT;
		left -= len;
		segs_left--;
	}
	/* A scatterlist shorter than the command's data: fail, never short. */
	if (unlikely(left))
		bio_io_error(bio);
	else
		submit_bio(bio);
	blk_finish_plug(&plug);
}

static void nvmet_bdev_execute_rw(struct nvmet_req *req)
{
	__nvmet_bdev_execute_rw(req, nvmet_bdev_end_io);
}

static void nvmet_bdev_execute_flush(struct nvmet_req *req)
{
	struct bio *bio = &req->b.inline_bio;

	if (!nvmet_check_transfer_len(req, 0))
		return;

	/* Without a volatile write cache every completed write is durable. */
	if (!bdev_write_cache(req->ns->bdev)) {
		nvmet_req_complete(req, NVME_SC_SUCCESS);
		return;
	}

	bio_init(bio, req->ns->bdev, req->b.inline_bvec,
		 ARRAY_SIZE(req->b.inline_bvec), REQ_OP_WRITE | REQ_PREFLUSH);
	bio->bi_private = req;
	bio->bi_end_io = nvmet_bdev_end_io;
	submit_bio(bio);
}

/* Write Zeroes flags: unmapping is allowed only when the host set DEAC. */
static unsigned int nvmet_bdev_zeroout_flags(struct nvmet_req *req)
{
	if (le16_to_cpu(req->cmd->write_zeroes.control) & NVME_WZ_DEAC)
		return 0;
	return BLKDEV_ZERO_NOUNMAP;
}

static sector_t nvmet_bdev_write_zeroes_sects(struct nvmet_req *req)
{
	return ((sector_t)le16_to_cpu(req->cmd->write_zeroes.length) + 1) <<
	       (req->ns->blksize_shift - SECTOR_SHIFT);
}

/*
 * Write Zeroes on a device whose own zeroing turned out unsupported (a loop
 * device over a file system that cannot zero a range, say tmpfs): the range
 * is written with the zero page instead, asynchronously, so the host gets the
 * zeroes it asked for rather than Invalid Opcode. FUA rides on every write.
 */
static void nvmet_bdev_write_zero_pages(struct nvmet_req *req)
{
	struct block_device *bdev = req->ns->bdev;
	sector_t sector = nvmet_lba_to_sect(req->ns, req->cmd->write_zeroes.slba);
	sector_t left = nvmet_bdev_write_zeroes_sects(req);
	blk_opf_t opf = REQ_OP_WRITE | REQ_SYNC;
	struct bio *bio, *next;

	if (le16_to_cpu(req->cmd->write_zeroes.control) & NVME_RW_FUA)
		opf |= REQ_FUA;

	/* The first bio is the root: the others are its chained children. */
	bio = bio_alloc(bdev, bio_max_segs(DIV_ROUND_UP(left, PAGE_SECTORS)), opf, GFP_KERNEL);
	bio->bi_iter.bi_sector = sector;
	bio->bi_private = req;
	bio->bi_end_io = nvmet_bdev_end_io;
	while (left) {
		unsigned int len = min_t(sector_t, left, PAGE_SECTORS) << SECTOR_SHIFT;

		if (bio_add_page(bio, ZERO_PAGE(0), len, 0) != len) {
			next = bio_alloc(bdev, bio_max_segs(DIV_ROUND_UP(left, PAGE_SECTORS)),
					 opf, GFP_KERNEL);
			next->bi_iter.bi_sector = sector;
			bio_chain(next, bio);
			submit_bio(bio);
			bio = next;
			continue;
		}
		sector += len >> SECTOR_SHIFT;
		left -= len >> SECTOR_SHIFT;
	}
	submit_bio(bio);
}

static void nvmet_bdev_write_zero_pages_work(struct work_struct *work)
{
	nvmet_bdev_write_zero_pages(container_of(work, struct nvmet_req, f.work));
}

/* Completion of a Write Zeroes: an unsupported zeroing falls back once. */
static void nvmet_bdev_write_zeroes_end_io(struct bio *bio)
{
	struct nvmet_req *req = bio->bi_private;

	if (bio->bi_status == BLK_STS_NOTSUPP) {
		bio_put(bio);
		INIT_WORK(&req->f.work, nvmet_bdev_write_zero_pages_work);
		queue_work(nvmet_io_wq, &req->f.work);
		return;
	}
	nvmet_bdev_end_io(bio);
}

/*
 * Write Zeroes with FUA: the zeroing bios cannot carry REQ_FUA, so zero and
 * then flush the cache, synchronously, from a work item. The block-device
 * view of the request union has no work item; this path uses no inline bio,
 * so it borrows the file view's.
 */
static void nvmet_bdev_write_zeroes_fua_work(struct work_struct *work)
{
	struct nvmet_req *req = container_of(work, struct nvmet_req, f.work);
	struct nvme_write_zeroes_cmd *wz = &req->cmd->write_zeroes;
	int ret;

	ret = blkdev_issue_zeroout(req->ns->bdev,
				   nvmet_lba_to_sect(req->ns, wz->slba),
				   nvmet_bdev_write_zeroes_sects(req), GFP_KERNEL,
				   nvmet_bdev_zeroout_flags(req));
	if (ret == -EOPNOTSUPP) {
		nvmet_bdev_write_zero_pages(req);
		return;
	}
	if (!ret)
		ret = blkdev_issue_flush(req->ns->bdev);
	nvmet_req_complete(req, errno_to_nvme_status(req, ret));
}

static void nvmet_bdev_execute_write_zeroes(struct nvmet_req *req)
{
	struct nvme_write_zeroes_cmd *wz = &req->cmd->write_zeroes;
	struct bio *bio = NULL;
	int ret;

	if (!nvmet_check_transfer_len(req, 0))
		return;

	if ((le16_to_cpu(wz->control) & NVME_RW_FUA) &&
	    bdev_write_cache(req->ns->bdev)) {
		INIT_WORK(&req->f.work, nvmet_bdev_write_zeroes_fua_work);
		queue_work(nvmet_io_wq, &req->f.work);
		return;
	}

	ret = __blkdev_issue_zeroout(req->ns->bdev,
				     nvmet_lba_to_sect(req->ns, wz->slba),
				     nvmet_bdev_write_zeroes_sects(req), GFP_KERNEL, &bio,
				     nvmet_bdev_zeroout_flags(req));
	if (!bio) {
		if (ret == -EOPNOTSUPP)
			nvmet_bdev_write_zero_pages(req);
		else
			nvmet_req_complete(req, errno_to_nvme_status(req, ret));
		return;
	}
	bio->bi_private = req;
	bio->bi_end_io = nvmet_bdev_write_zeroes_end_io;
	if (ret)
		bio_io_error(bio);
	else
		submit_bio(bio);
}

/* Reads len bytes at byte pos into bv[0..nr) (nr <= BIO_MAX_VECS), synchronously. */
static u16 nvmet_bdev_read(struct nvmet_req *req, loff_t pos, struct bio_vec *bv,
			   unsigned int nr, u32 len)
{
	blk_opf_t opf = REQ_OP_READ;
	struct bio *bio;
	blk_status_t sts;
	unsigned int i;

	if (le16_to_cpu(req->cmd->rw.control) & NVME_RW_LR)
		opf |= REQ_FAILFAST_DEV;

	bio = bio_alloc(req->ns->bdev, nr, opf, GFP_KERNEL);
	bio->bi_iter.bi_sector = pos >> SECTOR_SHIFT;
	for (i = 0; i < nr; i++)
		__bio_add_page(bio, bv[i].bv_page, bv[i].bv_len, bv[i].bv_offset);
	submit_bio_wait(bio);
	sts = bio->bi_status;
	bio_put(bio);
	return blk_to_nvme_status(req, sts);
}

/*
 * Deallocates a checked range, synchronously. A device without discard
 * support yields no bio at all: deallocation is a hint, so that succeeds.
 */
static u16 nvmet_bdev_deallocate(struct nvmet_req *req, u64 slba, u32 nlb)
{
	struct bio *bio = NULL;
	blk_status_t sts;

	__blkdev_issue_discard(req->ns->bdev, slba << (req->ns->blksize_shift - SECTOR_SHIFT),
			       (sector_t)nlb << (req->ns->blksize_shift - SECTOR_SHIFT),
			       GFP_KERNEL, &bio);
	if (!bio)
		return NVME_SC_SUCCESS;
	submit_bio_wait(bio);
	sts = bio->bi_status;
	bio_put(bio);
	return blk_to_nvme_status(req, sts);
}

static int nvmet_bdev_sync(struct nvmet_ns *ns)
{
	return blkdev_issue_flush(ns->bdev);
}

const struct nvmet_backend_ops nvmet_bdev_ops = {
	.name			= "bdev",
	.enable			= nvmet_bdev_ns_enable,
	.disable		= nvmet_bdev_ns_disable,
	.revalidate		= nvmet_bdev_ns_revalidate,
	.sync			= nvmet_bdev_sync,
	.execute_rw		= nvmet_bdev_execute_rw,
	.execute_flush		= nvmet_bdev_execute_flush,
	.execute_write_zeroes	= nvmet_bdev_execute_write_zeroes,
	.read			= nvmet_bdev_read,
	.deallocate		= nvmet_bdev_deallocate,
	.identify_ns		= nvmet_bdev_identify_ns,
};

/* --- zoned block devices: the Zoned Namespace command set (CSI 2) -------- */

/* Zone states (ZNS: Zone Descriptor, ZS bits 7:4). */
#define NVMET_ZS_EMPTY		0x1
#define NVMET_ZS_IMP_OPEN	0x2
#define NVMET_ZS_EXP_OPEN	0x3
#define NVMET_ZS_CLOSED		0x4
#define NVMET_ZS_READ_ONLY	0xd
#define NVMET_ZS_FULL		0xe
#define NVMET_ZS_OFFLINE	0xf
/* Zone Attributes: Reset Zone Recommended. */
#define NVMET_ZA_RZR		BIT(2)

/* The NVMe zone state of a block layer zone condition; -EIO for any other. */
static int nvmet_zns_zone_state(u8 cond)
{
	switch (cond) {
	case BLK_ZONE_COND_EMPTY:
		return NVMET_ZS_EMPTY;
	case BLK_ZONE_COND_IMP_OPEN:
		return NVMET_ZS_IMP_OPEN;
	case BLK_ZONE_COND_EXP_OPEN:
		return NVMET_ZS_EXP_OPEN;
	case BLK_ZONE_COND_CLOSED:
		return NVMET_ZS_CLOSED;
	case BLK_ZONE_COND_READONLY:
		return NVMET_ZS_READ_ONLY;
	case BLK_ZONE_COND_FULL:
		return NVMET_ZS_FULL;
	case BLK_ZONE_COND_OFFLINE:
		return NVMET_ZS_OFFLINE;
	default:
		return -EIO;
	}
}

/* The zone state a Zone Receive Action Specific Field selects; 0: all. */
static int nvmet_zns_zrasf_state(u8 zrasf)
{
	switch (zrasf) {
	case NVME_ZRASF_ZONE_STATE_EMPTY:
		return NVMET_ZS_EMPTY;
	case NVME_ZRASF_ZONE_STATE_IMP_OPEN:
		return NVMET_ZS_IMP_OPEN;
	case NVME_ZRASF_ZONE_STATE_EXP_OPEN:
		return NVMET_ZS_EXP_OPEN;
	case NVME_ZRASF_ZONE_STATE_CLOSED:
		return NVMET_ZS_CLOSED;
	case NVME_ZRASF_ZONE_STATE_FULL:
		return NVMET_ZS_FULL;
	case NVME_ZRASF_ZONE_STATE_READONLY:
		return NVMET_ZS_READ_ONLY;
	case NVME_ZRASF_ZONE_STATE_OFFLINE:
		return NVMET_ZS_OFFLINE;
	default:
		return 0;	/* io-cmd.c let through nothing else than "all" */
	}
}

/* The first zone of a type other than sequential write required, if any. */
static int nvmet_zns_zone_type_cb(struct blk_zone *zone, unsigned int idx, void *data)
{
	u8 *type = data;

	if (zone->type == BLK_ZONE_TYPE_SEQWRITE_REQ)
		return 0;
	*type = zone->type;
	return -EOPNOTSUPP;
}

/*
 * Whether the Zoned Namespace command set can describe BDEV, and the ZASL
 * it supports; 0 or a negative errno, with a log line saying what to do.
 */
static int nvmet_zns_check(struct nvmet_ns *ns, struct block_device *bdev, u8 *zasl)
{
	sector_t zone_sects = bdev_zone_sectors(bdev);
	u32 append;
	u8 type = BLK_ZONE_TYPE_SEQWRITE_REQ;
	int ret;

	if (ns->buffered_io) {
		pr_err("namespace %u of %s: %s is a zoned block device: buffered_io cannot keep each zone's writes in order; set buffered_io to 0\n",
		       ns->nsid, ns->subsys->subsysnqn, ns->device_path);
		return -EINVAL;
	}
	/* ZNS has no smaller last zone: every zone has the size Identify reports. */
	if (!zone_sects || bdev_nr_sectors(bdev) & (zone_sects - 1)) {
		pr_err("namespace %u of %s: zoned block device %s has a last zone smaller than the others, which a zoned namespace cannot have; use a device whose capacity is a multiple of its zone size\n",
		       ns->nsid, ns->subsys->subsysnqn, ns->device_path);
		return -EINVAL;
	}
	/*
	 * A Zone Append is one bio the block layer may not split: at most what
	 * the device appends at once, one page per segment and per bio vector
	 * (the transports' data buffers are pages). ZASL counts 4 KiB units as
	 * a power of 2, and 0 means MDTS: a device that cannot append 8 KiB
	 * cannot be described.
	 */
	append = min3((u64)bdev_max_zone_append_sectors(bdev) << SECTOR_SHIFT,
		      (u64)queue_max_segments(bdev_get_queue(bdev)) << PAGE_SHIFT,
		      (u64)BIO_MAX_VECS << PAGE_SHIFT);
	if (append < 2 * SZ_4K) {
		pr_err("namespace %u of %s: zoned block device %s appends at most %u bytes at once, less than the 8 KiB a Zone Append Size Limit can state; use another device\n",
		       ns->nsid, ns->subsys->subsysnqn, ns->device_path, append);
		return -EINVAL;
	}
	*zasl = ilog2(append / SZ_4K);
	/* ZNS has no conventional zones (nor sequential write preferred ones). */
	ret = blkdev_report_zones(bdev, 0, bdev_nr_zones(bdev), nvmet_zns_zone_type_cb, &type);
	if (type != BLK_ZONE_TYPE_SEQWRITE_REQ) {
		const char *kind = type == BLK_ZONE_TYPE_CONVENTIONAL ?
				   "conventional" : "sequential write preferred";

		pr_err("namespace %u of %s: zoned block device %s has %s zones, which a zoned namespace cannot have; use a device with sequential write required zones only (null_blk: zone_nr_conv=0)\n",
		       ns->nsid, ns->subsys->subsysnqn, ns->device_path, kind);
		return -EINVAL;
	}
	if (ret < 0) {
		pr_err("namespace %u of %s: cannot report the zones of %s: %d\n",
		       ns->nsid, ns->subsys->subsysnqn, ns->device_path, ret);
		return ret;
	}
	return 0;
}

/*
 * Takes a zoned block device (or refuses it: none goes to another backend)
 * and leaves any other block device and a regular file to them with
 * -ENOTBLK. A path that fails to open fails here, once: a store that hangs
 * on open (a hung NBD or NFS) is waited for only once.
 */
static int nvmet_bdev_zns_enable(struct nvmet_ns *ns)
{
	struct block_device *bdev;
	struct file *bdev_file;
	u8 zasl = 0;
	int ret;

	if (!IS_ENABLED(CONFIG_BLK_DEV_ZONED))
		return -ENOTBLK;
	bdev_file = bdev_file_open_by_path(ns->device_path,
					   BLK_OPEN_READ | BLK_OPEN_WRITE, NULL, NULL);
	if (IS_ERR(bdev_file)) {
		ret = PTR_ERR(bdev_file);
		/* -ENOTBLK: a regular file, which the file backend takes */
		if (ret != -ENOTBLK)
			pr_err("cannot open block device %s: %d\n", ns->device_path, ret);
		return ret;
	}
	bdev = file_bdev(bdev_file);
	if (!bdev_is_zoned(bdev)) {
		fput(bdev_file);
		return -ENOTBLK;
	}
	ret = nvmet_zns_check(ns, bdev, &zasl);
	if (ret) {
		fput(bdev_file);
		return ret;
	}
	ns->bdev_file = bdev_file;
	ns->bdev = bdev;
	ns->size = bdev_nr_bytes(bdev);
	ns->blksize_shift = blksize_bits(bdev_logical_block_size(bdev));
	ns->csi = NVME_CSI_ZNS;
	ns->zasl = zasl;
	ns->zone_lbas = (u64)bdev_zone_sectors(bdev) >> (ns->blksize_shift - SECTOR_SHIFT);
	return 0;
}

/* MOR and MAR: 0's based, FFFFFFFFh for no limit (the block layer's 0). */
static __le32 nvmet_zns_zone_limit(unsigned int n)
{
	return cpu_to_le32(n ? n - 1 : U32_MAX);
}

static void nvmet_zns_identify_ns(struct nvmet_ns *ns, struct nvme_id_ns_zns *id)
{
	id->mor = nvmet_zns_zone_limit(bdev_max_open_zones(ns->bdev));
	id->mar = nvmet_zns_zone_limit(bdev_max_active_zones(ns->bdev));
	/* One LBA format (Identify Namespace's), no zone descriptor extension. */
	id->lbafe[0].zsze = cpu_to_le64(ns->zone_lbas);
}

/*
 * A write the device refuses (off the write pointer, into a full zone,
 * across a zone boundary) fails in the block layer with BLK_STS_IOERR:
 * Internal Error with DNR, as from the in-tree target, since sending the
 * write again cannot succeed. Reads complete as on any block device.
 */
static void nvmet_zns_rw_end_io(struct bio *bio)
{
	struct nvmet_req *req = bio->bi_private;
	blk_status_t sts = nvmet_bdev_bio_done(req, bio);

	if (sts == BLK_STS_IOERR && req->cmd->rw.opcode == nvme_cmd_write) {
		req->error_loc = offsetof(struct nvme_rw_command, slba);
		req->error_slba = le64_to_cpu(req->cmd->rw.slba);
		nvmet_req_complete(req, NVME_SC_INTERNAL | NVME_STATUS_DNR);
		return;
	}
	nvmet_req_complete(req, blk_to_nvme_status(req, sts));
}

static void nvmet_zns_execute_rw(struct nvmet_req *req)
{
	__nvmet_bdev_execute_rw(req, nvmet_zns_rw_end_io);
}

/* A Zone Append completes with the LBA its data went to (CQE DW0 and DW1). */
static void nvmet_zns_append_end_io(struct bio *bio)
{
	struct nvmet_req *req = bio->bi_private;
	sector_t sector = bio->bi_iter.bi_sector;
	blk_status_t sts = nvmet_bdev_bio_done(req, bio);

	if (sts == BLK_STS_OK)
		req->cqe->result.u64 = nvmet_sect_to_lba(req->ns, sector);
	nvmet_req_complete(req, blk_to_nvme_status(req, sts));
}

/*
 * Zone Append: one bio of REQ_OP_ZONE_APPEND at the zone's first sector;
 * io-cmd.c checked the zone alignment and the size against ZASL, which
 * nvmet_zns_check() sized for one bio of page segments.
 */
static void nvmet_zns_execute_append(struct nvmet_req *req)
{
	blk_opf_t opf = REQ_OP_ZONE_APPEND | REQ_SYNC | REQ_IDLE;
	struct block_device *bdev = req->ns->bdev;
	size_t left = req->data_len;
	struct scatterlist *sg;
	struct bio *bio;
	unsigned int i;

	if (!nvmet_check_transfer_len(req, req->data_len))
		return;
	if (unlikely(!req->sg_cnt ||
		     req->sg_cnt > nvmet_zasl_bytes(req->ns->zasl) >> PAGE_SHIFT)) {
		nvmet_req_complete(req, NVME_SC_INTERNAL | NVME_STATUS_DNR);
		return;
	}
	if (le16_to_cpu(req->cmd->rw.control) & NVME_RW_FUA)
		opf |= REQ_FUA;

	if (req->sg_cnt <= ARRAY_SIZE(req->b.inline_bvec)) {
		bio = &req->b.inline_bio;
		bio_init(bio, bdev, req->b.inline_bvec, ARRAY_SIZE(req->b.inline_bvec), opf);
	} else {
		bio = bio_alloc(bdev, req->sg_cnt, opf, GFP_KERNEL);
	}
	bio->bi_iter.bi_sector = nvmet_lba_to_sect(req->ns, req->cmd->rw.slba);
	bio->bi_private = req;
	bio->bi_end_io = nvmet_zns_append_end_io;

	for_each_sg(req->sg, sg, req->sg_cnt, i) {
		unsigned int len = min_t(size_t, sg->length, left);

		if (!len)
			break;
		if (bio_add_page(bio, sg_page(sg), len, sg->offset) != len)
			break;
		left -= len;
	}
	/* Data that did not fit the one bio: fail, never append part of it. */
	if (unlikely(left))
		bio_io_error(bio);
	else
		submit_bio(bio);
}

/* Zone Management Receive, Report Zones: what the callback gathers. */
struct nvmet_zns_report {
	struct nvmet_req	*req;
	int			state;		/* the ZRASF filter: a zone state, 0: all */
	u64			nr_fit;		/* descriptors the host's buffer holds */
	u64			nr_copied;
	u64			nr_matched;	/* zones from SLBA's on that match the filter */
};

static int nvmet_zns_report_cb(struct blk_zone *zone, unsigned int idx, void *data)
{
	struct nvmet_zns_report *rep = data;
	struct nvmet_ns *ns = rep->req->ns;
	struct nvme_zone_descriptor desc = { };
	int state = nvmet_zns_zone_state(zone->cond);
	size_t off;

	if (state < 0 || zone->type != BLK_ZONE_TYPE_SEQWRITE_REQ)
		return -EIO;
	if (rep->state && state != rep->state)
		return 0;
	rep->nr_matched++;
	if (rep->nr_copied >= rep->nr_fit)
		return 0;

	desc.zt = NVME_ZONE_TYPE_SEQWRITE_REQ;
	desc.zs = state << 4;
	desc.za = zone->reset ? NVMET_ZA_RZR : 0;
	desc.zcap = nvmet_sect_to_lba(ns, zone->capacity ?: zone->len);
	desc.zslba = nvmet_sect_to_lba(ns, zone->start);
	desc.wp = nvmet_sect_to_lba(ns, zone->wp);
	off = sizeof(struct nvme_zone_report) + rep->nr_copied * sizeof(desc);
	if (nvmet_copy_to_sgl(rep->req, off, &desc, sizeof(desc)))
		return -EIO;
	rep->nr_copied++;
	return 0;
}

/*
 * From a work item: the zones from the one holding SLBA to the last, those
 * the filter selects, as many as the buffer holds; the header counts them
 * all, or only those sent with Partial Report. What the descriptors do not
 * fill is zeroes.
 */
static void nvmet_zns_report_work(struct work_struct *work)
{
	struct nvmet_req *req = container_of(work, struct nvmet_req, f.work);
	struct nvme_zone_mgmt_recv_cmd *zmr = &req->cmd->zmr;
	struct block_device *bdev = req->ns->bdev;
	sector_t sect = nvmet_lba_to_sect(req->ns, zmr->slba);
	struct nvmet_zns_report rep = {
		.req = req,
		.state = nvmet_zns_zrasf_state(zmr->zrasf),
		.nr_fit = (req->data_len - sizeof(struct nvme_zone_report)) /
			  sizeof(struct nvme_zone_descriptor),
	};
	__le64 nr;
	u16 status;
	int ret;

	status = nvmet_zero_sgl(req, 0, req->data_len);
	if (status)
		goto out;
	ret = blkdev_report_zones(bdev, sect, bdev_nr_zones(bdev) - bdev_zone_no(bdev, sect),
				  nvmet_zns_report_cb, &rep);
	if (ret < 0) {
		status = NVME_SC_INTERNAL;
		goto out;
	}
	nr = cpu_to_le64((zmr->pr & NVME_REPORT_ZONE_PARTIAL) ? rep.nr_copied : rep.nr_matched);
	status = nvmet_copy_to_sgl(req, 0, &nr, sizeof(nr));
out:
	nvmet_req_complete(req, status);
}

static void nvmet_zns_execute_mgmt_recv(struct nvmet_req *req)
{
	if (!nvmet_check_transfer_len(req, req->data_len))
		return;
	INIT_WORK(&req->f.work, nvmet_zns_report_work);
	queue_work(nvmet_io_wq, &req->f.work);
}

static enum req_op nvmet_zns_zsa_op(u8 zsa)
{
	switch (zsa) {
	case NVME_ZONE_OPEN:
		return REQ_OP_ZONE_OPEN;
	case NVME_ZONE_CLOSE:
		return REQ_OP_ZONE_CLOSE;
	case NVME_ZONE_FINISH:
		return REQ_OP_ZONE_FINISH;
	default:
		return REQ_OP_ZONE_RESET;	/* io-cmd.c let through no other */
	}
}

/*
 * A zone management error of the block layer: the device refused the
 * zone's state transition (-EIO, -EINVAL) or something else failed.
 */
static u16 nvmet_zns_mgmt_status(struct nvmet_req *req, int ret)
{
	switch (ret) {
	case 0:
		return NVME_SC_SUCCESS;
	case -EINVAL:
	case -EIO:
		req->error_loc = offsetof(struct nvme_zone_mgmt_send_cmd, zsa);
		return NVME_SC_ZONE_INVALID_TRANSITION | NVME_STATUS_DNR;
	default:
		return NVME_SC_INTERNAL;
	}
}

/* Select All: the zones each action applies to (ZNS, Zone Management Send). */
struct nvmet_zns_select {
	enum req_op	op;
	unsigned long	*zones;		/* bitmap, by zone number */
};

static int nvmet_zns_select_cb(struct blk_zone *zone, unsigned int idx, void *data)
{
	struct nvmet_zns_select *sel = data;
	bool open = zone->cond == BLK_ZONE_COND_IMP_OPEN ||
		    zone->cond == BLK_ZONE_COND_EXP_OPEN;
	bool closed = zone->cond == BLK_ZONE_COND_CLOSED;

	if ((sel->op == REQ_OP_ZONE_OPEN && closed) ||
	    (sel->op == REQ_OP_ZONE_CLOSE && open) ||
	    (sel->op == REQ_OP_ZONE_FINISH && (open || closed)))
		set_bit(idx, sel->zones);
	return 0;
}

/* Open, close or finish every zone in a state the action applies to. */
static int nvmet_zns_mgmt_all(struct block_device *bdev, enum req_op op)
{
	unsigned int nr_zones = bdev_nr_zones(bdev);
	sector_t zone_sects = bdev_zone_sectors(bdev);
	struct nvmet_zns_select sel = { .op = op };
	unsigned int i;
	int ret;

	sel.zones = bitmap_zalloc(nr_zones, GFP_KERNEL);
	if (!sel.zones)
		return -ENOMEM;
	ret = blkdev_report_zones(bdev, 0, nr_zones, nvmet_zns_select_cb, &sel);
	if (ret >= 0)
		ret = ret == nr_zones ? 0 : -EIO;
	for_each_set_bit(i, sel.zones, nr_zones) {
		if (ret)
			break;
		ret = blkdev_zone_mgmt(bdev, op, (sector_t)i * zone_sects, zone_sects);
		cond_resched();
	}
	bitmap_free(sel.zones);
	return ret;
}

static void nvmet_zns_mgmt_send_work(struct work_struct *work)
{
	struct nvmet_req *req = container_of(work, struct nvmet_req, f.work);
	struct nvme_zone_mgmt_send_cmd *zms = &req->cmd->zms;
	struct block_device *bdev = req->ns->bdev;
	enum req_op op = nvmet_zns_zsa_op(zms->zsa);
	int ret;

	if (!(zms->select_all & 1))
		ret = blkdev_zone_mgmt(bdev, op, nvmet_lba_to_sect(req->ns, zms->slba),
				       bdev_zone_sectors(bdev));
	else if (op == REQ_OP_ZONE_RESET)
		ret = blkdev_zone_mgmt(bdev, op, 0, bdev_nr_sectors(bdev));
	else
		ret = nvmet_zns_mgmt_all(bdev, op);
	nvmet_req_complete(req, nvmet_zns_mgmt_status(req, ret));
}

static void nvmet_zns_execute_mgmt_send(struct nvmet_req *req)
{
	if (!nvmet_check_transfer_len(req, 0))
		return;
	INIT_WORK(&req->f.work, nvmet_zns_mgmt_send_work);
	queue_work(nvmet_io_wq, &req->f.work);
}

const struct nvmet_backend_ops nvmet_bdev_zns_ops = {
	.name			= "bdev-zns",
	.enable			= nvmet_bdev_zns_enable,
	.disable		= nvmet_bdev_ns_disable,
	.revalidate		= nvmet_bdev_ns_revalidate,
	.sync			= nvmet_bdev_sync,
	.execute_rw		= nvmet_zns_execute_rw,
	.execute_flush		= nvmet_bdev_execute_flush,
	.execute_write_zeroes	= nvmet_bdev_execute_write_zeroes,
	.read			= nvmet_bdev_read,
	.deallocate		= nvmet_bdev_deallocate,
	.identify_ns		= nvmet_bdev_identify_ns,
	.execute_zone_append	= nvmet_zns_execute_append,
	.execute_zone_mgmt_send	= nvmet_zns_execute_mgmt_send,
	.execute_zone_mgmt_recv	= nvmet_zns_execute_mgmt_recv,
	.identify_ns_zns	= nvmet_zns_identify_ns,
};
