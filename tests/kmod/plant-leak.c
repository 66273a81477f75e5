// SPDX-License-Identifier: GPL-2.0
/*
 * Harness self-test only: loading this module leaks allocations on
 * purpose, so that the debug kernel's kmemleak has something to report
 * (tests/harness/plants-leak.sh). Never shipped.
 */
#include <linux/module.h>
#include <linux/slab.h>

#define PLANT_LEAK_OBJECTS 32

/* One allocation whose only reference is dropped on return. */
static noinline bool plant_leak_one(void)
{
	void *p = kmalloc(256, GFP_KERNEL);

	if (!p)
		return false;
	memset(p, 0x5a, 256);
	return true;
}

/*
 * Several: a pointer left in a stack slot or register (the loading task's
 * stack is cached, not cleared, when it exits) hides at most the last one.
 */
static int __init plant_leak_init(void)
{
	int i, n = 0;

	for (i = 0; i < PLANT_LEAK_OBJECTS; i++)
		n += plant_leak_one();
	pr_info("planted %d leaked objects of 256 bytes\n", n);
	return n ? 0 : -ENOMEM;
}

static void __exit plant_leak_exit(void)
{
}

module_init(plant_leak_init);
module_exit(plant_leak_exit);
MODULE_DESCRIPTION("nvmet-oot harness self-test: one planted memory leak");
MODULE_LICENSE("GPL");
