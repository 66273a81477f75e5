/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The compat layer: the only place that knows which kernel we build for.
 *
 * Kbuild force-includes this header into every object (-include), so the rest
 * of the tree is written against one kernel API, the newest supported one.
 * Where an older supported kernel differs, this header (or a file beside it)
 * supplies that API under its newest name; no other file tests
 * LINUX_VERSION_CODE or kernel configuration for API differences.
 *
 * Supported window: Linux 6.12 (Debian trixie) to the newest Debian kernel.
 */
#ifndef NVMET_COMPAT_H
#define NVMET_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
#error "nvmet-oot supports Linux 6.12 and newer; see docs/compat.md"
#endif

/*
 * API differences inside the window go here, each with the kernel version or
 * probe that decides it and the newest API spelled as the rest of the tree uses it.
 */

/*
 * Linux 6.17 added bdev_write_zeroes_unmap_sectors(): how much a Write Zeroes
 * that may unmap can cover. Before it the block layer cannot say whether
 * zeroing by unmapping is supported, so report that it is not (io-cmd-bdev.c
 * then leaves DLFEAT clear, as the in-tree target of those kernels does).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 17, 0)
struct block_device;

static inline unsigned int
bdev_write_zeroes_unmap_sectors(struct block_device *bdev)
{
	return 0;
}
#endif

/*
 * Linux 6.14 added the PCI transport type (NVMF_TRTYPE_PCI, value 0, for the
 * PCI endpoint target); configfs.c accepts addr_trtype "pci" as the newest
 * in-tree target does. The value is fixed by the NVMe specification.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 14, 0)
#define NVMF_TRTYPE_PCI		0
#endif

/*
 * Linux 6.15 named the values of AUTH_Negotiate's SC_C field (secure channel
 * concatenation) with its host support for it; the values are the ones the
 * Linux host sends.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 15, 0)
#define NVME_AUTH_SECP_NEWTLSPSK	0x02
#define NVME_AUTH_SECP_REPLACETLSPSK	0x03
#endif

/*
 * Linux 7.0 gave rq_end_io_fn a third argument, the completion batch
 * ("block: pass io_comp_batch to rq_end_io_fn callback"). Handlers are
 * written with it; NVMET_DEFINE_RQ_END_IO(fn) defines fn_rq_end_io with the
 * signature this kernel's rq_end_io_fn has (NULL for the batch before 7.0).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(7, 0, 0)
#define NVMET_DEFINE_RQ_END_IO(fn)						\
static enum rq_end_io_ret fn##_rq_end_io(struct request *rq, blk_status_t sts)	\
{										\
	return fn(rq, sts, NULL);						\
}
#else
#define NVMET_DEFINE_RQ_END_IO(fn)						\
static enum rq_end_io_ret fn##_rq_end_io(struct request *rq, blk_status_t sts,	\
					 const struct io_comp_batch *iob)	\
{										\
	return fn(rq, sts, iob);						\
}
#endif

#endif /* NVMET_COMPAT_H */
