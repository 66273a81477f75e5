// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-oot: NVM command set I/O on namespaces backed by a block device.
 *
 * Read, Write, Flush, Write Zeroes and Dataset Management map onto bios that
 * complete asynchronously; Compare and Verify read the range back in bounded
 * chunks from a work item. Every LBA range a host names is checked against
 * the namespace size in the parse step, before any data moves.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/bio.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "nvmet.h"

/* NSFEAT bits 5:4 (OPTPERF) = 11b; not named in Linux 6.12's nvme.h. */
#define NVMET_BDEV_NSFEAT_OPTPERF	(0x3 << 4)

/* Pages read per step by Compare and Verify (at least one logical block). */
#define NVMET_BDEV_CHUNK_PAGES	16

/* n as an Identify field in 0's based form, saturated to 16 bits. */
static __le16 nvmet_bdev_0based(u32 n)
{
	return cpu_to_le16((u16)(clamp_t(u32, n, 1, 1U << 16) - 1));
}

void nvmet_bdev_set_limits(struct block_device *bdev, struct nvme_id_ns *id)
{
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

int nvmet_bdev_ns_enable(struct nvmet_ns *ns)
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
		/* -ENOTBLK: a regular file, which the core hands to io-cmd-file.c */
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

void nvmet_bdev_ns_disable(struct nvmet_ns *ns)
{
	if (!ns->bdev_file)
		return;
	fput(ns->bdev_file);
	ns->bdev_file = NULL;
	ns->bdev = NULL;
}

void nvmet_bdev_ns_revalidate(struct nvmet_ns *ns)
{
	ns->size = bdev_nr_bytes(ns->bdev);
}

/*
 * Checks that nlb blocks from slba lie inside the namespace; on failure sets
 * the error log fields (error_loc: the command field to blame).
 */
static u16 nvmet_bdev_check_range(struct nvmet_req *req, u64 slba, u64 nlb,
				  u16 error_loc)
{
	u64 nr_blocks = req->ns->size >> req->ns->blksize_shift;

	if (likely(slba < nr_blocks && nlb <= nr_blocks - slba))
		return NVME_SC_SUCCESS;
	req->error_slba = slba;
	req->error_loc = error_loc;
	return NVME_SC_LBA_RANGE | NVME_STATUS_DNR;
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

/*
 * Reads the Dataset Management ranges from the host's data and checks each
 * against the namespace; returns them in *rangesp (kfree them) or a status.
 */
static u16 nvmet_bdev_get_dsm_ranges(struct nvmet_req *req,
				     struct nvme_dsm_range **rangesp)
{
	unsigned int nr = le32_to_cpu(req->cmd->dsm.nr) + 1;
	struct nvme_dsm_range *ranges;
	unsigned int i;
	u16 status;

	ranges = kmalloc_array(nr, sizeof(*ranges), GFP_KERNEL);
	if (!ranges)
		return NVME_SC_INTERNAL;

	status = nvmet_copy_from_sgl(req, 0, ranges, nr * sizeof(*ranges));
	for (i = 0; !status && i < nr; i++) {
		u64 slba = le64_to_cpu(ranges[i].slba);
		u32 nlb = le32_to_cpu(ranges[i].nlb);

		/* The ranges live in the data: blame the data pointer. */
		if (nlb)
			status = nvmet_bdev_check_range(req, slba, nlb,
							offsetof(struct nvme_dsm_cmd, dptr));
	}
	if (status) {
		kfree(ranges);
		return status;
	}
	*rangesp = ranges;
	return NVME_SC_SUCCESS;
}

static void nvmet_bdev_execute_dsm(struct nvmet_req *req)
{
	unsigned int nr = le32_to_cpu(req->cmd->dsm.nr) + 1;
	u8 shift = req->ns->blksize_shift - SECTOR_SHIFT;
	struct nvme_dsm_range *ranges;
	struct bio *bio = NULL;
	unsigned int i;
	u16 status;

	/* Hosts may send a larger buffer than the ranges need. */
	if (!nvmet_check_data_len_lte(req, req->data_len))
		return;

	/* Only Deallocate acts; the access hints IDR and IDW are advisory. */
	if (!(le32_to_cpu(req->cmd->dsm.attributes) & NVME_DSMGMT_AD)) {
		nvmet_req_complete(req, NVME_SC_SUCCESS);
		return;
	}

	/* Every range is checked before the first discard is issued. */
	status = nvmet_bdev_get_dsm_ranges(req, &ranges);
	if (status) {
		nvmet_req_complete(req, status);
		return;
	}

	/*
	 * A device without discard support yields no bio at all: deallocation
	 * is a hint, so that still succeeds.
	 */
	for (i = 0; i < nr; i++) {
		u32 nlb = le32_to_cpu(ranges[i].nlb);

		if (!nlb)
			continue;
		__blkdev_issue_discard(req->ns->bdev,
				       nvmet_lba_to_sect(req->ns, ranges[i].slba),
				       (sector_t)nlb << shift, GFP_KERNEL, &bio);
	}
	kfree(ranges);

	if (!bio) {
		nvmet_req_complete(req, NVME_SC_SUCCESS);
		return;
	}
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

/* Pages Compare and Verify read into, plus one for the host's data. */
struct nvmet_bdev_chunk {
	struct page	**pages;
	unsigned int	nr_pages;	/* device data pages; one more follows */
	u32		bytes;		/* nr_pages * PAGE_SIZE */
};

static void nvmet_bdev_chunk_free(struct nvmet_bdev_chunk *chunk)
{
	unsigned int i;

	for (i = 0; i <= chunk->nr_pages; i++)
		if (chunk->pages[i])
			__free_page(chunk->pages[i]);
	kfree(chunk->pages);
}

static int nvmet_bdev_chunk_alloc(struct nvmet_bdev_chunk *chunk, u8 shift)
{
	unsigned int i;

	chunk->nr_pages = max_t(unsigned int, NVMET_BDEV_CHUNK_PAGES,
				(1U << shift) >> PAGE_SHIFT);
	chunk->nr_pages = min_t(unsigned int, chunk->nr_pages, BIO_MAX_VECS);
	chunk->bytes = chunk->nr_pages << PAGE_SHIFT;
	chunk->pages = kcalloc(chunk->nr_pages + 1, sizeof(*chunk->pages),
			       GFP_KERNEL);
	if (!chunk->pages)
		return -ENOMEM;
	for (i = 0; i <= chunk->nr_pages; i++) {
		chunk->pages[i] = alloc_page(GFP_KERNEL);
		if (!chunk->pages[i]) {
			nvmet_bdev_chunk_free(chunk);
			return -ENOMEM;
		}
	}
	return 0;
}

/* Reads len bytes at sector into the chunk's pages; returns an NVMe status. */
static u16 nvmet_bdev_chunk_read(struct nvmet_req *req,
				 struct nvmet_bdev_chunk *chunk,
				 sector_t sector, u32 len)
{
	blk_opf_t opf = REQ_OP_READ;
	struct bio *bio;
	blk_status_t sts;
	unsigned int i;

	if (le16_to_cpu(req->cmd->rw.control) & NVME_RW_LR)
		opf |= REQ_FAILFAST_DEV;

	bio = bio_alloc(req->ns->bdev, chunk->nr_pages, opf, GFP_KERNEL);
	bio->bi_iter.bi_sector = sector;
	for (i = 0; len; i++) {
		u32 seg = min_t(u32, len, PAGE_SIZE);

		__bio_add_page(bio, chunk->pages[i], seg, 0);
		len -= seg;
	}
	submit_bio_wait(bio);
	sts = bio->bi_status;
	bio_put(bio);
	return blk_to_nvme_status(req, sts);
}

/*
 * Compares len bytes read into the chunk with the host's data at offset off
 * of the command's data.
 */
static u16 nvmet_bdev_chunk_compare(struct nvmet_req *req,
				    struct nvmet_bdev_chunk *chunk,
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
static void nvmet_bdev_check_work(struct work_struct *work)
{
	struct nvmet_req *req = container_of(work, struct nvmet_req, f.work);
	bool compare = req->cmd->rw.opcode == nvme_cmd_compare;
	u64 total = ((u64)le16_to_cpu(req->cmd->rw.length) + 1) <<
		    req->ns->blksize_shift;
	sector_t sector = nvmet_lba_to_sect(req->ns, req->cmd->rw.slba);
	struct nvmet_bdev_chunk chunk;
	u16 status = NVME_SC_SUCCESS;
	u64 off;

	if (nvmet_bdev_chunk_alloc(&chunk, req->ns->blksize_shift)) {
		nvmet_req_complete(req, NVME_SC_INTERNAL);
		return;
	}

	for (off = 0; off < total && !status; ) {
		u32 len = min_t(u64, total - off, chunk.bytes);

		status = nvmet_bdev_chunk_read(req, &chunk,
					       sector + (off >> SECTOR_SHIFT),
					       len);
		if (!status && compare)
			status = nvmet_bdev_chunk_compare(req, &chunk, off, len);
		off += len;
	}

	nvmet_bdev_chunk_free(&chunk);
	nvmet_req_complete(req, status);
}

/*
 * Compare and Verify use no inline bio, so they borrow the work item of the
 * file view of the request union.
 */
static void nvmet_bdev_execute_check(struct nvmet_req *req)
{
	if (!nvmet_check_transfer_len(req, req->data_len))
		return;
	INIT_WORK(&req->f.work, nvmet_bdev_check_work);
	queue_work(nvmet_io_wq, &req->f.work);
}

/*
 * Parse step shared by the commands that name an LBA range in SLBA and NLB
 * (Read, Write, Compare, Verify, Write Zeroes: same fields, same offsets).
 * with_data: the command moves NLB blocks of data.
 */
static u16 nvmet_bdev_parse_lba_cmd(struct nvmet_req *req, bool with_data)
{
	u64 slba = le64_to_cpu(req->cmd->rw.slba);
	u64 nlb = (u64)le16_to_cpu(req->cmd->rw.length) + 1;
	u16 status;

	status = nvmet_bdev_check_range(req, slba, nlb,
					offsetof(struct nvme_rw_command, slba));
	if (status)
		return status;

	req->data_len = 0;
	if (with_data) {
		/* 65536 blocks of a large logical block would not fit a u32. */
		if ((nlb << req->ns->blksize_shift) > U32_MAX) {
			req->error_loc = offsetof(struct nvme_rw_command,
						  length);
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		}
		req->data_len = nvmet_rw_data_len(req);
	}
	return NVME_SC_SUCCESS;
}

static u16 nvmet_bdev_parse_dsm(struct nvmet_req *req)
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

u16 nvmet_bdev_parse_io_cmd(struct nvmet_req *req)
{
	switch (req->cmd->common.opcode) {
	case nvme_cmd_read:
	case nvme_cmd_write:
		req->execute = nvmet_bdev_execute_rw;
		return nvmet_bdev_parse_lba_cmd(req, true);
	case nvme_cmd_compare:
		req->execute = nvmet_bdev_execute_check;
		return nvmet_bdev_parse_lba_cmd(req, true);
	case nvme_cmd_verify:
		req->execute = nvmet_bdev_execute_check;
		return nvmet_bdev_parse_lba_cmd(req, false);
	case nvme_cmd_write_zeroes:
		req->execute = nvmet_bdev_execute_write_zeroes;
		return nvmet_bdev_parse_lba_cmd(req, false);
	case nvme_cmd_flush:
		req->execute = nvmet_bdev_execute_flush;
		req->data_len = 0;
		return NVME_SC_SUCCESS;
	case nvme_cmd_dsm:
		req->execute = nvmet_bdev_execute_dsm;
		return nvmet_bdev_parse_dsm(req);
	default:
		req->error_loc = offsetof(struct nvme_common_command, opcode);
		return NVME_SC_INVALID_OPCODE | NVME_STATUS_DNR;
	}
}
