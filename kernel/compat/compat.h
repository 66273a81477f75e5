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

#endif /* NVMET_COMPAT_H */
