// SPDX-License-Identifier: GPL-2.0
/* Stand-in for the in-tree nvme-loop module: see standin.h. */
#define STANDIN_WHAT "the NVMe loop transport (trtype loop)"
#include "standin.h"

MODULE_ALIAS("nvmet-transport-254");
