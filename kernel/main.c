// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-oot: the nvmet module. Only brings the units up and down, in order:
 * the core (workqueues, discovery subsystem), the netlink family (which
 * registers the core's event sink) and configfs last, so that nothing can
 * be configured before everything below it is ready.
 */
#include <linux/module.h>

#include "nvmet.h"

static int __init nvmet_init(void)
{
	int ret;

	ret = nvmet_core_init();
	if (ret)
		return ret;
	ret = nvmet_auth_init();
	if (ret)
		goto out_core;
	ret = nvmet_genl_init();
	if (ret)
		goto out_auth;
	ret = nvmet_init_configfs();
	if (ret)
		goto out_genl;
	return 0;

out_genl:
	nvmet_genl_exit();
out_auth:
	nvmet_auth_exit();
out_core:
	nvmet_core_exit();
	return ret;
}

static void __exit nvmet_exit(void)
{
	nvmet_exit_configfs();
	nvmet_genl_exit();
	nvmet_auth_exit();
	nvmet_core_exit();
}

module_init(nvmet_init);
module_exit(nvmet_exit);

MODULE_DESCRIPTION("NVMe target core framework (nvmet-oot)");
MODULE_LICENSE("GPL");
MODULE_VERSION(NVMET_OOT_VERSION);
