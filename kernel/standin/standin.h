/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Body of a stand-in module: included once by each standin/<name>.c after it
 * defines STANDIN_WHAT (what the in-tree module of that name provides).
 *
 * Why stand-ins exist: Debian's newest kernels are built without MODVERSIONS, so
 * an in-tree module that imports nvmet symbols (nvme-loop, nvmet-rdma, ...) would
 * bind to our nvmet, whose structures differ, and corrupt memory. Installing a
 * module of the same name into updates/ shadows the in-tree one; this one refuses
 * to load and says why, until a real replacement ships. A real module built
 * without what it needs (nvme-loop without the NVMe host's internal headers)
 * is a stand-in too: its file defines STANDIN_MISSING, the reason, which
 * names what to install.
 */
#ifndef NVMET_STANDIN_H
#define NVMET_STANDIN_H

#include <linux/module.h>
#include <linux/printk.h>

static int __init standin_init(void)
{
#ifdef STANDIN_MISSING
	/* A real module of this tree, built without what it needs. */
	pr_err("%s: nvmet-oot %s was built without %s (%s): this stand-in refuses to load so that the in-tree module of this name cannot bind to the nvmet-oot core. Install what it names and rebuild (dkms build and install nvmet/%s), or run 'dkms remove nvmet/%s --all' to get the in-tree stack back\n",
	       KBUILD_MODNAME, NVMET_OOT_VERSION, STANDIN_WHAT, STANDIN_MISSING,
	       NVMET_OOT_VERSION, NVMET_OOT_VERSION);
#else
	pr_err("%s: %s is not provided by nvmet-oot %s yet; this stand-in refuses to load so that the in-tree module of this name cannot bind to the nvmet-oot core. Use trtype tcp, or run 'dkms remove nvmet/%s --all' to get the in-tree stack back\n",
	       KBUILD_MODNAME, STANDIN_WHAT, NVMET_OOT_VERSION, NVMET_OOT_VERSION);
#endif
	return -EOPNOTSUPP;
}
module_init(standin_init);

MODULE_DESCRIPTION("nvmet-oot stand-in that refuses to load (" STANDIN_WHAT ")");
MODULE_LICENSE("GPL");
MODULE_VERSION(NVMET_OOT_VERSION);

#endif /* NVMET_STANDIN_H */
