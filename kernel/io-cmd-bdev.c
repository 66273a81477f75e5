// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-oot: NVM command set I/O on namespaces backed by a block device.
 *
 * The block-device implementation of struct nvmet_backend_ops: Read, Write,
 * Flush and Write Zeroes map onto bios that complete asynchronously; the
 * synchronous read and deallocate hooks serve Compare, Verify and Dataset
 * Management, which io-cmd.c runs from work items. io-cmd.c has parsed each
 * command and checked its LBA range before anything here runs.
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

	/* Zoned devices need the ZNS command set, which we do not offer. */
	if (bdev_is_zoned(file_bdev(bdev_file))) {
		pr_err("%s is a zoned block device, not supported\n",
		       ns->device_path);
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

/* Completion of a command's bio, or of the root of its chain of bios. */
static void nvmet_bdev_end_io(struct bio *bio)
{
	struct nvmet_req *req = bio->bi_private;
	blk_status_t sts = bio->bi_status;

	if (bio == &req->b.inline_bio)
		bio_uninit(bio);	/* drops the cgroup association */
	else
		bio_put(bio);
	nvmet_req_complete(req, blk_to_nvme_status(req, sts));
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

static void nvmet_bdev_execute_rw(struct nvmet_req *req)
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
	bio->bi_end_io = nvmet_bdev_end_io;

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
