// SPDX-License-Identifier: GPL-2.0
/* Stand-in for the in-tree nvmet-pci-epf module: see standin.h. */
#define STANDIN_WHAT "the PCIe endpoint target transport (trtype pci)"
#include "standin.h"
