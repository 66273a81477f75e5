// SPDX-License-Identifier: GPL-2.0
/*
 * nvme-loop built without the NVMe host's internal headers (Kbuild found no
 * source of the kernel to take them from; kernel/loop.c is the real module):
 * a stand-in that says what to install. See standin.h.
 */
#ifdef NVMET_OOT_HOST_INTERNALS_MISSING
#define STANDIN_WHAT "the NVMe loop transport (trtype loop), which needs the NVMe host's internal headers"
#define STANDIN_MISSING NVMET_OOT_HOST_INTERNALS_MISSING
#else
#define STANDIN_WHAT "the NVMe loop transport (trtype loop)"
#endif
#include "standin.h"

MODULE_ALIAS("nvmet-transport-254");
