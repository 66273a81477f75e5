// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-oot: NVM command set I/O on namespaces backed by a file (a regular
 * file, or a block device when the namespace asks for buffered I/O).
 *
 * Reads and writes go through the file's read_iter/write_iter with a kiocb
 * over bio_vecs that describe req->sg. Direct I/O is submitted from the
 * transport's context and completes through ki_complete; buffered I/O, which
 * may block on the page cache, and the other commands run from work items.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bvec.h>
#include <linux/falloc.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uio.h>
#include "nvmet.h"

static void nvmet_file_ns_revalidate(struct nvmet_ns *ns)
{
	/* f_mapping->host: for a block device, the device's own inode. */
	ns->size = i_size_read(ns->file->f_mapping->host);
}

static int nvmet_file_ns_enable(struct nvmet_ns *ns)
{
	int flags = O_RDWR | O_LARGEFILE;
	struct inode *inode;
	struct file *file;

	if (!ns->buffered_io)
		flags |= O_DIRECT;

	file = filp_open(ns->device_path, flags, 0);
	if (IS_ERR(file)) {
		pr_err("cannot open file %s: %ld\n", ns->device_path,
		       PTR_ERR(file));
		return PTR_ERR(file);
	}

	/* Data moves through read_iter/write_iter: insist on having both. */
	inode = file->f_mapping->host;
	if (!(S_ISREG(inode->i_mode) || S_ISBLK(inode->i_mode)) ||
	    !file->f_op->read_iter || !file->f_op->write_iter) {
		pr_err("%s is neither a regular file nor a block device\n",
		       ns->device_path);
		fput(file);
		return -EINVAL;
	}

	ns->file = file;
	nvmet_file_ns_revalidate(ns);
	/*
	 * The logical block is the file's block size, bounded to what NVMe
	 * and hosts expect: at least 512 bytes (LBADS >= 9) and, like the
	 * in-tree target, at most 4096 however large i_blkbits is.
	 */
	ns->blksize_shift = clamp_t(u8, file_inode(file)->i_blkbits,
				    SECTOR_SHIFT, 12);
	return 0;
}

static void nvmet_file_ns_disable(struct nvmet_ns *ns)
{
	if (!ns->file)
		return;
	/* Let buffered work items finish their last touch of the file. */
	if (ns->buffered_io)
		flush_workqueue(nvmet_buffered_io_wq);
	fput(ns->file);
	ns->file = NULL;
}

/* Status of a read_iter/write_iter call that had to move want bytes. */
static u16 nvmet_file_io_status(struct nvmet_req *req, ssize_t ret, size_t want)
{
	if (likely(ret >= 0 && (size_t)ret == want))
		return NVME_SC_SUCCESS;
	/* A short transfer is an I/O error: never report partial success. */
	return errno_to_nvme_status(req, ret < 0 ? ret : -EIO);
}

static loff_t nvmet_file_pos(struct nvmet_req *req, __le64 slba)
{
	return le64_to_cpu(slba) << req->ns->blksize_shift;
}

static bool nvmet_file_freeze_protect(struct file *file)
{
	return S_ISREG(file_inode(file)->i_mode);
}

/*
 * Runs one read or write of len bytes at pos over bvec[0..nr). With
 * ki_complete set the call may return -EIOCBQUEUED and complete later.
 */
static ssize_t nvmet_file_submit(struct nvmet_req *req, bool write, loff_t pos,
				 struct bio_vec *bvec, unsigned int nr,
				 size_t len, void (*done)(struct kiocb *, long))
{
	struct kiocb *iocb = &req->f.iocb;
	struct file *file = req->ns->file;
	struct iov_iter iter;
	ssize_t ret;

	init_sync_kiocb(iocb, file);
	iocb->ki_pos = pos;
	iocb->ki_complete = done;
	if (!write) {
		iov_iter_bvec(&iter, ITER_DEST, bvec, nr, len);
		return file->f_op->read_iter(iocb, &iter);
	}

	iocb->ki_flags |= IOCB_WRITE;
	/* FUA: the write is durable when it completes. */
	if (le16_to_cpu(req->cmd->rw.control) & NVME_RW_FUA)
		iocb->ki_flags |= IOCB_DSYNC;
	iov_iter_bvec(&iter, ITER_SOURCE, bvec, nr, len);

	/*
	 * Writes to a regular file hold off file system freezing, as any VFS
	 * writer does; an asynchronous one until nvmet_file_rw_done().
	 */
	if (done) {
		if (nvmet_file_freeze_protect(file))
			kiocb_start_write(iocb);
		return file->f_op->write_iter(iocb, &iter);
	}
	file_start_write(file);
	ret = file->f_op->write_iter(iocb, &iter);
	file_end_write(file);
	return ret;
}

/* Where the next bio_vecs of a request's data come from. */
struct nvmet_file_sg_pos {
	struct scatterlist	*sg;
	unsigned int		nr_sg;	/* entries left */
	size_t			left;	/* bytes of the command left */
};

static void nvmet_file_sg_start(struct nvmet_req *req,
				struct nvmet_file_sg_pos *pos)
{
	pos->sg = req->sg;
	pos->nr_sg = req->sg_cnt;
	pos->left = req->data_len;
}

/* Describes up to max further segments in bvec; returns how many. */
static unsigned int nvmet_file_map_sg(struct nvmet_file_sg_pos *pos,
				      struct bio_vec *bvec, unsigned int max,
				      size_t *bytes)
{
	unsigned int n = 0;

	*bytes = 0;
	while (n < max && pos->nr_sg && pos->left) {
		u32 len = min_t(size_t, pos->sg->length, pos->left);

		bvec_set_page(&bvec[n++], sg_page(pos->sg), len,
			      pos->sg->offset);
		*bytes += len;
		pos->left -= len;
		pos->nr_sg--;
		pos->sg = pos->nr_sg ? sg_next(pos->sg) : NULL;
	}
	return n;
}

static void nvmet_file_free_bvec(struct nvmet_req *req)
{
	if (req->f.bvec != req->f.inline_bvec)
		kfree(req->f.bvec);
	req->f.bvec = NULL;
}

/*
 * The whole read or write, synchronously, in pieces of at most as many
 * segments as req->f.bvec holds (all of them unless it is the inline array).
 */
static u16 nvmet_file_rw_sync(struct nvmet_req *req)
{
	bool write = req->cmd->rw.opcode == nvme_cmd_write;
	loff_t pos = nvmet_file_pos(req, req->cmd->rw.slba);
	unsigned int max = req->sg_cnt;
	struct nvmet_file_sg_pos sgp;
	unsigned int nr;
	size_t len;
	ssize_t ret;

	if (req->f.bvec == req->f.inline_bvec)
		max = ARRAY_SIZE(req->f.inline_bvec);

	nvmet_file_sg_start(req, &sgp);
	while (sgp.left) {
		nr = nvmet_file_map_sg(&sgp, req->f.bvec, max, &len);
		if (!nr)	/* scatterlist shorter than the data */
			return NVME_SC_INTERNAL | NVME_STATUS_DNR;
		ret = nvmet_file_submit(req, write, pos, req->f.bvec, nr, len,
					NULL);
		if (ret < 0 || (size_t)ret != len)
			return nvmet_file_io_status(req, ret, len);
		pos += len;
	}
	return NVME_SC_SUCCESS;
}

/* Buffered I/O, or direct I/O short of memory for a bvec array. */
static void nvmet_file_rw_work(struct work_struct *work)
{
	struct nvmet_req *req = container_of(work, struct nvmet_req, f.work);
	u16 status = nvmet_file_rw_sync(req);

	nvmet_file_free_bvec(req);
	nvmet_req_complete(req, status);
}

/* ki_complete of asynchronous direct I/O; also called for a direct result. */
static void nvmet_file_rw_done(struct kiocb *iocb, long ret)
{
	struct nvmet_req *req = container_of(iocb, struct nvmet_req, f.iocb);

	if ((iocb->ki_flags & IOCB_WRITE) &&
	    nvmet_file_freeze_protect(iocb->ki_filp))
		kiocb_end_write(iocb);
	nvmet_file_free_bvec(req);
	nvmet_req_complete(req, nvmet_file_io_status(req, ret, req->data_len));
}

static void nvmet_file_execute_rw(struct nvmet_req *req)
{
	bool write = req->cmd->rw.opcode == nvme_cmd_write;
	struct nvmet_file_sg_pos sgp;
	unsigned int nr;
	size_t len;
	ssize_t ret;

	if (!nvmet_check_transfer_len(req, req->data_len))
		return;
	if (unlikely(!req->sg_cnt)) {
		nvmet_req_complete(req, NVME_SC_INTERNAL | NVME_STATUS_DNR);
		return;
	}

	if (req->sg_cnt <= ARRAY_SIZE(req->f.inline_bvec))
		req->f.bvec = req->f.inline_bvec;
	else
		req->f.bvec = kmalloc_array(req->sg_cnt, sizeof(*req->f.bvec),
					    GFP_KERNEL | __GFP_NOWARN);
	req->f.mpool_alloc = false;

	/*
	 * Buffered I/O can block on the page cache and writeback: never in
	 * the transport's context. Without memory for the bvec array, fall
	 * back to the inline one, piece by piece, from a work item as well.
	 */
	if (req->ns->buffered_io || !req->f.bvec) {
		if (!req->f.bvec)
			req->f.bvec = req->f.inline_bvec;
		INIT_WORK(&req->f.work, nvmet_file_rw_work);
		queue_work(req->ns->buffered_io ? nvmet_buffered_io_wq :
			   nvmet_io_wq, &req->f.work);
		return;
	}

	nvmet_file_sg_start(req, &sgp);
	nr = nvmet_file_map_sg(&sgp, req->f.bvec, req->sg_cnt, &len);
	if (unlikely(len != req->data_len)) {
		nvmet_file_free_bvec(req);
		nvmet_req_complete(req, NVME_SC_INTERNAL | NVME_STATUS_DNR);
		return;
	}

	ret = nvmet_file_submit(req, write,
				nvmet_file_pos(req, req->cmd->rw.slba),
				req->f.bvec, nr, len, nvmet_file_rw_done);
	/* Anything but -EIOCBQUEUED: done, and ki_complete will not run. */
	if (ret != -EIOCBQUEUED)
		nvmet_file_rw_done(&req->f.iocb, ret);
}

static void nvmet_file_flush_work(struct work_struct *work)
{
	struct nvmet_req *req = container_of(work, struct nvmet_req, f.work);

	/* Data and the metadata needed to read it back: fdatasync. */
	nvmet_req_complete(req,
			   errno_to_nvme_status(req, vfs_fsync(req->ns->file, 1)));
}

static void nvmet_file_execute_flush(struct nvmet_req *req)
{
	if (!nvmet_check_transfer_len(req, 0))
		return;
	INIT_WORK(&req->f.work, nvmet_file_flush_work);
	queue_work(nvmet_io_wq, &req->f.work);
}

/*
 * Zeroes len bytes at pos by writing the zero page, for files that cannot
 * zero a range with fallocate.
 */
static int nvmet_file_write_zero_pages(struct nvmet_req *req, loff_t pos,
				       loff_t len)
{
	struct bio_vec *bvec = req->f.inline_bvec;
	unsigned int max = ARRAY_SIZE(req->f.inline_bvec);
	unsigned int nr, i;
	ssize_t ret;
	size_t step;

	while (len) {
		step = min_t(loff_t, len, (loff_t)max * PAGE_SIZE);
		nr = DIV_ROUND_UP(step, PAGE_SIZE);
		for (i = 0; i < nr; i++)
			bvec_set_page(&bvec[i], ZERO_PAGE(0),
				      min_t(size_t, step - i * PAGE_SIZE,
					    PAGE_SIZE), 0);
		ret = nvmet_file_submit(req, true, pos, bvec, nr, step, NULL);
		if (ret < 0)
			return ret;
		if ((size_t)ret != step)
			return -EIO;
		pos += step;
		len -= step;
	}
	return 0;
}

static void nvmet_file_write_zeroes_work(struct work_struct *work)
{
	struct nvmet_req *req = container_of(work, struct nvmet_req, f.work);
	struct nvme_write_zeroes_cmd *wz = &req->cmd->write_zeroes;
	u16 control = le16_to_cpu(wz->control);
	loff_t pos = nvmet_file_pos(req, wz->slba);
	loff_t len = ((loff_t)le16_to_cpu(wz->length) + 1) <<
		     req->ns->blksize_shift;
	int ret = -EOPNOTSUPP;

	/* DEAC: the host allows deallocating, and a hole reads as zeroes. */
	if (control & NVME_WZ_DEAC)
		ret = vfs_fallocate(req->ns->file,
				    FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				    pos, len);
	if (ret == -EOPNOTSUPP)
		ret = vfs_fallocate(req->ns->file,
				    FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
				    pos, len);
	if (ret == -EOPNOTSUPP)
		ret = nvmet_file_write_zero_pages(req, pos, len);
	/* FUA: the zeroes are durable before we report success. */
	if (!ret && (control & NVME_RW_FUA))
		ret = vfs_fsync_range(req->ns->file, pos, pos + len - 1, 1);
	nvmet_req_complete(req, errno_to_nvme_status(req, ret));
}

static void nvmet_file_execute_write_zeroes(struct nvmet_req *req)
{
	if (!nvmet_check_transfer_len(req, 0))
		return;
	INIT_WORK(&req->f.work, nvmet_file_write_zeroes_work);
	queue_work(nvmet_io_wq, &req->f.work);
}

/* Reads len bytes at byte pos into bv[0..nr), synchronously. */
static u16 nvmet_file_read(struct nvmet_req *req, loff_t pos, struct bio_vec *bv,
			   unsigned int nr, u32 len)
{
	return nvmet_file_io_status(req, nvmet_file_submit(req, false, pos, bv, nr, len, NULL),
				    len);
}

/* Punches a hole over a checked range; a file that cannot punch is fine (a hint). */
static u16 nvmet_file_deallocate(struct nvmet_req *req, u64 slba, u32 nlb)
{
	int ret;

	ret = vfs_fallocate(req->ns->file, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			    (loff_t)slba << req->ns->blksize_shift,
			    (loff_t)nlb << req->ns->blksize_shift);
	if (ret && ret != -EOPNOTSUPP)
		return errno_to_nvme_status(req, ret);
	return NVME_SC_SUCCESS;
}

/* Data and the metadata needed to read it back: fdatasync. */
static int nvmet_file_sync(struct nvmet_ns *ns)
{
	return vfs_fsync(ns->file, 1);
}

const struct nvmet_backend_ops nvmet_file_ops = {
	.name			= "file",
	.enable			= nvmet_file_ns_enable,
	.disable		= nvmet_file_ns_disable,
	.revalidate		= nvmet_file_ns_revalidate,
	.sync			= nvmet_file_sync,
	.execute_rw		= nvmet_file_execute_rw,
	.execute_flush		= nvmet_file_execute_flush,
	.execute_write_zeroes	= nvmet_file_execute_write_zeroes,
	.read			= nvmet_file_read,
	.deallocate		= nvmet_file_deallocate,
};
