// SPDX-License-Identifier: GPL-2.0
/*
 * Harness self-test only: loading this module leaks allocations on
 * purpose, so that the debug kernel's kmemleak has something to report
 * (tests/harness/plants-leak.sh). Never shipped.
 */
#include <linux/module.h>
#include <linux/slab.h>

#define PLANT_LEAK_OBJECTS 32

/*
 * The address goes to the log XORed with this, which is not a pointer to
 * anything kmemleak tracks (the plain address in the log buffer would be a
 * reference): "echo dump=<address> > /sys/kernel/debug/kmemleak" then
 * shows what kmemleak knows of the object.
 */
#define PLANT_LEAK_MASK 0x5a5a5a5a5a5a5a5aUL

/*
 * The objects, masked: no reference for kmemleak, but unloading the module
 * frees them, so a leak planted on purpose does not outlive its check.
 */
static unsigned long plant_leak_masked[PLANT_LEAK_OBJECTS];

/* One allocation whose only reference is dropped on return. */
static noinline bool plant_leak_one(int i)
{
	void *p = kmalloc(256, GFP_KERNEL);

	if (!p)
		return false;
	memset(p, 0x5a, 256);
	plant_leak_masked[i] = (unsigned long)p ^ PLANT_LEAK_MASK;
	pr_info("plant_leak: object %d: %lx\n", i, plant_leak_masked[i]);
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
		n += plant_leak_one(i);
	pr_info("planted %d leaked objects of 256 bytes\n", n);
	return n ? 0 : -ENOMEM;
}

static void __exit plant_leak_exit(void)
{
	int i;

	for (i = 0; i < PLANT_LEAK_OBJECTS; i++)
		if (plant_leak_masked[i])
			kfree((void *)(plant_leak_masked[i] ^ PLANT_LEAK_MASK));
}

module_init(plant_leak_init);
module_exit(plant_leak_exit);
MODULE_DESCRIPTION("nvmet-oot harness self-test: one planted memory leak");
MODULE_LICENSE("GPL");
