/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differences inside the window that nvme-loop (loop.c) meets where it
 * uses the block layer and the NVMe host's internal API (the host's own
 * nvme.h and fabrics.h, extracted from the running kernel's source). Included
 * by loop.c after those headers; each shim names the version that decides it.
 */
#ifndef NVMET_COMPAT_NVME_HOST_H
#define NVMET_COMPAT_NVME_HOST_H

#include <linux/blk-mq.h>
#include <linux/version.h>

/*
 * Linux 6.15 dropped the request_queue argument of blk_rq_map_sg() (the
 * request knows its queue); before it the call takes both.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 15, 0)
static inline int nvmet_compat_blk_rq_map_sg(struct request *rq, struct scatterlist *sgl)
{
	return blk_rq_map_sg(rq->q, rq, sgl);
}

#define blk_rq_map_sg nvmet_compat_blk_rq_map_sg
#endif

/*
 * blk_mq_ops.init_request()'s NUMA node is an unsigned int in 6.12 and an
 * int (it may be NUMA_NO_NODE) in 7.2; the change is dated 6.16 here (any
 * version between the two decides the same for the supported window). The
 * callback declares it with this type.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 16, 0)
#define NVMET_COMPAT_NUMA_NODE_T	unsigned int
#else
#define NVMET_COMPAT_NUMA_NODE_T	int
#endif

/*
 * After 6.12 (dated 6.19 here; 7.2 has it) the virtual boundary of a host
 * controller's queues became the transport's choice
 * (nvme_ctrl_ops.get_virt_boundary, called for every controller); before
 * it the core set the NVMe page boundary for all. A transport that keeps the
 * page boundary names nvme_get_virt_boundary() in its table through this
 * macro, which is empty where the member does not exist.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 19, 0)
#define NVMET_COMPAT_CTRL_OPS_VIRT_BOUNDARY	.get_virt_boundary = nvme_get_virt_boundary,
#else
#define NVMET_COMPAT_CTRL_OPS_VIRT_BOUNDARY
#endif

#endif /* NVMET_COMPAT_NVME_HOST_H */
