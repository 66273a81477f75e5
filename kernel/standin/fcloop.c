// SPDX-License-Identifier: GPL-2.0
/* Stand-in for the in-tree nvme-fcloop module: see standin.h. */
#define STANDIN_WHAT "the Fibre Channel loopback LLD"
#include "standin.h"
