// SPDX-License-Identifier: GPL-2.0
/* Stand-in for the in-tree nvmet-rdma module: see standin.h. */
#define STANDIN_WHAT "the NVMe/RDMA target transport (trtype rdma)"
#include "standin.h"

MODULE_ALIAS("nvmet-transport-1");
