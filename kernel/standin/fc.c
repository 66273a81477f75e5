// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-fc until the real NVMe/FC target transport ships: an API stand-in.
 *
 * Unlike the other stand-ins (standin.h), this module loads. In-tree Fibre
 * Channel HBA drivers import the target LLD API of <linux/nvme-fc-driver.h>
 * from the module named nvmet-fc (lpfc does, also when it only runs as an
 * initiator); if that module refused to load, or lacked one of the symbols,
 * the HBA driver would fail with "Unknown symbol" and its disks would be gone.
 * So every function of that API is exported here with the header's own
 * prototype (on kernels with MODVERSIONS the importers check the symbol CRCs,
 * which genksyms derives from these prototypes and the types they reach), and
 * each one refuses to serve: no target port can be registered, so no LS or
 * FCP exchange can ever be handed to us. This module imports nothing from
 * nvmet, so loading an HBA driver never loads the nvmet-oot core.
 *
 * The headers included below are the ones the types of the prototypes are
 * defined in, as seen by the in-tree transport; changing them may change the
 * CRCs (tests/vm/build-modules compares them with the kernel's Module.symvers).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/blk-mq.h>
#include <linux/parser.h>
#include <linux/random.h>
#include <linux/dma-mapping.h>
#include <linux/types.h>
#include <linux/device.h>
#include <linux/kref.h>
#include <linux/percpu-refcount.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/uuid.h>
#include <linux/nvme.h>
#include <linux/configfs.h>
#include <linux/rcupdate.h>
#include <linux/blkdev.h>
#include <linux/radix-tree.h>
#include <linux/t10-pi.h>
#include <uapi/scsi/fc/fc_fs.h>
#include <linux/nvme-fc-driver.h>
#include <linux/nvme-fc.h>

/* What an admin reads in every refusal: what is missing, and what to do (set at load). */
static char advice[320];

/*
 * An LLD asks to become an NVMe/FC target port: refused, and said so once per
 * call (an LLD registers each of its ports once, at probe or link up).
 */
int nvmet_fc_register_targetport(struct nvmet_fc_port_info *pinfo,
				 struct nvmet_fc_target_template *template,
				 struct device *dev,
				 struct nvmet_fc_target_port **portptr)
{
	if (portptr)
		*portptr = NULL;
	pr_err("%s%scannot register NVMe/FC target port WWNN 0x%llx WWPN 0x%llx: %s\n",
	       dev ? dev_name(dev) : "", dev ? ": " : "",
	       pinfo ? pinfo->node_name : 0, pinfo ? pinfo->port_name : 0, advice);
	return -EOPNOTSUPP;
}
EXPORT_SYMBOL_GPL(nvmet_fc_register_targetport);

/*
 * The calls below name a target port, and this module never handed one out:
 * a caller that makes them has ignored the error above. They refuse (the LLD
 * then aborts the exchange, as its API says for a non-zero return) and log,
 * rate limited, instead of dereferencing the port.
 */
static void nvmet_fc_no_port(const char *what)
{
	pr_warn_ratelimited("%s for a target port that was never registered (registration is refused: %s)\n",
			    what, advice);
}

int nvmet_fc_unregister_targetport(struct nvmet_fc_target_port *tgtport)
{
	nvmet_fc_no_port("unregister");
	return -EINVAL;
}
EXPORT_SYMBOL_GPL(nvmet_fc_unregister_targetport);

int nvmet_fc_rcv_ls_req(struct nvmet_fc_target_port *tgtport, void *hosthandle,
			struct nvmefc_ls_rsp *lsrsp, void *lsreqbuf, u32 lsreqbuf_len)
{
	nvmet_fc_no_port("LS request received");
	return -ENODEV;
}
EXPORT_SYMBOL_GPL(nvmet_fc_rcv_ls_req);

void nvmet_fc_invalidate_host(struct nvmet_fc_target_port *tgtport, void *hosthandle)
{
	nvmet_fc_no_port("host invalidated");
}
EXPORT_SYMBOL_GPL(nvmet_fc_invalidate_host);

int nvmet_fc_rcv_fcp_req(struct nvmet_fc_target_port *tgtport,
			 struct nvmefc_tgt_fcp_req *fcpreq, void *cmdiubuf, u32 cmdiubuf_len)
{
	nvmet_fc_no_port("FCP command received");
	return -ENODEV;
}
EXPORT_SYMBOL_GPL(nvmet_fc_rcv_fcp_req);

void nvmet_fc_rcv_fcp_abort(struct nvmet_fc_target_port *tgtport,
			    struct nvmefc_tgt_fcp_req *fcpreq)
{
	nvmet_fc_no_port("FCP abort received");
}
EXPORT_SYMBOL_GPL(nvmet_fc_rcv_fcp_abort);

static int __init nvmet_fc_standin_init(void)
{
	snprintf(advice, sizeof(advice),
		 "nvmet-oot %s does not provide the NVMe/FC target transport yet; the FC port keeps working as an NVMe/FC and SCSI initiator. Export storage over trtype tcp, or run 'dkms remove nvmet/%s --all' for the in-tree target",
		 NVMET_OOT_VERSION, NVMET_OOT_VERSION);
	pr_info("NVMe/FC target LLD API loaded for FC HBA drivers; target ports are refused: %s\n",
		advice);
	return 0;
}
module_init(nvmet_fc_standin_init);

static void __exit nvmet_fc_standin_exit(void)
{
}
module_exit(nvmet_fc_standin_exit);

MODULE_DESCRIPTION("nvmet-oot stand-in for nvmet-fc: the NVMe/FC target LLD API, refusing every target port");
MODULE_LICENSE("GPL");
MODULE_VERSION(NVMET_OOT_VERSION);
