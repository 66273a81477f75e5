// SPDX-License-Identifier: GPL-2.0
/* Stand-in for the in-tree nvmet-fc module: see standin.h. */
#define STANDIN_WHAT "the NVMe/FC target transport (trtype fc)"
#include "standin.h"
