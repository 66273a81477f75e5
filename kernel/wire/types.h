/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only header the wire/ files include. wire/ holds pure functions that
 * validate and build what crosses the fabric (NVMe/TCP PDUs, SQE fields,
 * Connect data): no allocation, no locks, no kernel objects. They read byte
 * buffers with explicit little-endian loads, so they build unchanged in the
 * kernel and in user space (unit tests, libFuzzer).
 *
 * In the kernel the NVMe constants come from <linux/nvme.h>,
 * <linux/nvme-tcp.h> and <linux/nvme-rdma.h>; in user space from
 * user-defs.h, which spells the same names with the values of the NVMe
 * specifications.
 */
#ifndef NVMET_WIRE_TYPES_H
#define NVMET_WIRE_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/nvme.h>
#include <linux/nvme-tcp.h>
#include <linux/nvme-rdma.h>
#else
#include "user-defs.h"
#endif

static inline u16 wire_le16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static inline u32 wire_le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static inline u64 wire_le64(const u8 *p)
{
	return (u64)wire_le32(p) | (u64)wire_le32(p + 4) << 32;
}

static inline void wire_put_le16(u8 *p, u16 v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static inline void wire_put_le32(u8 *p, u32 v)
{
	wire_put_le16(p, v & 0xffff);
	wire_put_le16(p + 2, v >> 16);
}

/* Big-endian fields: Fibre Channel (FC-NVMe) sends every multi-byte field so. */
static inline u16 wire_be16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static inline u32 wire_be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | (u32)p[3];
}

static inline u64 wire_be64(const u8 *p)
{
	return (u64)wire_be32(p) << 32 | wire_be32(p + 4);
}

static inline void wire_put_be16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void wire_put_be32(u8 *p, u32 v)
{
	wire_put_be16(p, v >> 16);
	wire_put_be16(p + 2, v & 0xffff);
}

static inline void wire_put_be64(u8 *p, u64 v)
{
	wire_put_be32(p, (u32)(v >> 32));
	wire_put_be32(p + 4, (u32)v);
}

#endif /* NVMET_WIRE_TYPES_H */
