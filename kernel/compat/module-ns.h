/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Symbol namespaces: included after <linux/module.h> by the files that
 * import one (passthru.c), not by every object as compat.h is.
 *
 * Linux 6.13 made symbol namespaces string literals: MODULE_IMPORT_NS("NS").
 * Before, the macro stringified an identifier; give it the string form.
 */
#ifndef NVMET_COMPAT_MODULE_NS_H
#define NVMET_COMPAT_MODULE_NS_H

#include <linux/module.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
#undef MODULE_IMPORT_NS
#define MODULE_IMPORT_NS(ns)	MODULE_INFO(import_ns, ns)
#endif

#endif /* NVMET_COMPAT_MODULE_NS_H */
