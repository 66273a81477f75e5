// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-oot: the tracepoints of trace.h and the helpers their output uses.
 * Command fields are decoded from the NVMe Base, NVM Command Set and
 * NVMe over Fabrics specifications (dwords 10-15 of the SQE).
 */
#include <linux/unaligned.h>

#include "nvmet.h"
#include "wire/cmd.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* Filled at trace time: controller ID and the namespace's device_path. */
void nvmet_trace_fill(struct nvmet_req *req, u16 *cntlid, char *disk)
{
	/* No controller before a Connect made one for this queue. */
	*cntlid = req->sq && req->sq->ctrl ? req->sq->ctrl->cntlid : 0;
	memset(disk, 0, NVMET_TRACE_DISK_LEN);
	if (req->ns && req->ns->device_path)
		strscpy(disk, req->ns->device_path, NVMET_TRACE_DISK_LEN);
}

const char *nvmet_trace_ctrl(struct trace_seq *p, u16 cntlid)
{
	const char *ret = trace_seq_buffer_ptr(p);

	if (cntlid)
		trace_seq_printf(p, "%u", cntlid);
	else
		trace_seq_putc(p, '_');
	trace_seq_putc(p, 0);
	return ret;
}

const char *nvmet_trace_disk(struct trace_seq *p, const char *disk)
{
	const char *ret = trace_seq_buffer_ptr(p);

	if (disk[0])
		trace_seq_printf(p, "disk=%.*s, ", NVMET_TRACE_DISK_LEN, disk);
	trace_seq_putc(p, 0);
	return ret;
}

static void nvmet_trace_fabrics(struct trace_seq *p, u8 fctype, const u8 *cdw)
{
	switch (fctype) {
	case nvme_fabrics_type_connect:
		/* RECFMT, QID, SQSIZE, CATTR at byte 40 of the SQE, KATO at 48. */
		trace_seq_printf(p, "recfmt=%u, qid=%u, sqsize=%u, cattr=%u, kato=%u",
				 get_unaligned_le16(cdw), get_unaligned_le16(cdw + 2),
				 get_unaligned_le16(cdw + 4), cdw[6],
				 get_unaligned_le32(cdw + 8));
		break;
	case nvme_fabrics_type_property_set:
		trace_seq_printf(p, "attrib=%u, ofst=%#x, value=%#llx", cdw[0],
				 get_unaligned_le32(cdw + 4), get_unaligned_le64(cdw + 8));
		break;
	case nvme_fabrics_type_property_get:
		trace_seq_printf(p, "attrib=%u, ofst=%#x", cdw[0], get_unaligned_le32(cdw + 4));
		break;
	case NVMET_WIRE_FCTYPE_DISCONNECT:
		trace_seq_printf(p, "disconnect recfmt=%u", get_unaligned_le16(cdw));
		break;
	default:
		trace_seq_printf(p, "spcfc=%*ph", NVMET_TRACE_CDW_LEN, cdw);
		break;
	}
}

static void nvmet_trace_admin(struct trace_seq *p, u8 opcode, const u8 *cdw)
{
	u32 cdw10 = get_unaligned_le32(cdw);
	u32 cdw11 = get_unaligned_le32(cdw + 4);

	switch (opcode) {
	case nvme_admin_identify:
		trace_seq_printf(p, "cns=%u, ctrlid=%u", cdw10 & 0xff, cdw10 >> 16);
		break;
	case nvme_admin_get_log_page:
		/* NUMDL 31:16 of CDW10, NUMDU 15:0 of CDW11; LPO in CDW12-13. */
		trace_seq_printf(p, "lid=%#x, lsp=%#x, rae=%u, numd=%u, lpo=%llu",
				 cdw10 & 0xff, (cdw10 >> 8) & 0x7f, (cdw10 >> 15) & 1,
				 (cdw10 >> 16) | (cdw11 & 0xffff) << 16,
				 get_unaligned_le64(cdw + 8));
		break;
	case nvme_admin_set_features:
	case nvme_admin_get_features:
		trace_seq_printf(p, "fid=%#x, sv/sel=%#x, cdw11=%#x", cdw10 & 0xff,
				 cdw10 >> 8, cdw11);
		break;
	default:
		trace_seq_printf(p, "cdw10=%*ph", NVMET_TRACE_CDW_LEN, cdw);
		break;
	}
}

static void nvmet_trace_nvm(struct trace_seq *p, u8 opcode, const u8 *cdw)
{
	switch (opcode) {
	case nvme_cmd_read:
	case nvme_cmd_write:
	case nvme_cmd_write_zeroes:
	case nvme_cmd_compare:
	case nvme_cmd_verify:
		/* SLBA in CDW10-11; NLB (0's based) and control in CDW12. */
		trace_seq_printf(p, "slba=%llu, len=%u, ctrl=%#x, dsmgmt=%u, reftag=%u",
				 get_unaligned_le64(cdw), get_unaligned_le16(cdw + 8),
				 get_unaligned_le16(cdw + 10), get_unaligned_le32(cdw + 12),
				 get_unaligned_le32(cdw + 16));
		break;
	case nvme_cmd_dsm:
		trace_seq_printf(p, "nr=%u, attributes=%#x",
				 (get_unaligned_le32(cdw) & 0xff) + 1, get_unaligned_le32(cdw + 4));
		break;
	default:
		trace_seq_printf(p, "cdw10=%*ph", NVMET_TRACE_CDW_LEN, cdw);
		break;
	}
}

const char *nvmet_trace_cmd(struct trace_seq *p, u16 qid, u8 opcode, u8 fctype,
			    const u8 *cdw)
{
	const char *ret = trace_seq_buffer_ptr(p);

	if (opcode == nvme_fabrics_command)
		nvmet_trace_fabrics(p, fctype, cdw);
	else if (qid)
		nvmet_trace_nvm(p, opcode, cdw);
	else
		nvmet_trace_admin(p, opcode, cdw);
	trace_seq_putc(p, 0);
	return ret;
}

/* The event by type (CQE dword 0 bits 2:0) and information (15:8). */
const char *nvmet_trace_aen(struct trace_seq *p, u8 type, u8 info)
{
	const char *ret = trace_seq_buffer_ptr(p);
	const char *name = NULL;

	switch (type) {
	case NVME_AER_ERROR:
		name = "NVME_AER_ERROR";
		break;
	case NVME_AER_SMART:
		name = "NVME_AER_SMART";
		break;
	case NVME_AER_NOTICE:
		switch (info) {
		case NVME_AER_NOTICE_NS_CHANGED:
			name = "NVME_AER_NOTICE_NS_CHANGED";
			break;
		case NVME_AER_NOTICE_FW_ACT_STARTING:
			name = "NVME_AER_NOTICE_FW_ACT_STARTING";
			break;
		case NVME_AER_NOTICE_ANA:
			name = "NVME_AER_NOTICE_ANA";
			break;
		case NVME_AER_NOTICE_DISC_CHANGED:
			name = "NVME_AER_NOTICE_DISC_CHANGED";
			break;
		default:
			name = "NVME_AER_NOTICE";
			break;
		}
		break;
	case NVME_AER_CSS:
		name = "NVME_AER_CSS";
		break;
	case NVME_AER_VS:
		name = "NVME_AER_VS";
		break;
	}
	if (name)
		trace_seq_puts(p, name);
	else
		trace_seq_printf(p, "type %u", type);
	trace_seq_putc(p, 0);
	return ret;
}
