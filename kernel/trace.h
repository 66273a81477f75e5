/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmet-oot: tracepoints of the target core, trace system "nvmet"
 * (tracefs events/nvmet/). The event names, fields and output say what the
 * in-tree target's events say, so that guides which enable them work:
 *
 *   nvmet_req_init      a command was received and parsed (once per command,
 *                       also when the parse failed; its completion follows)
 *   nvmet_req_complete  its completion queue entry is filled and handed to
 *                       the transport
 *   nvmet_async_event   an Asynchronous Event Request completes with an event
 *
 * "nvmetN" names controller N; commands received before a Connect made the
 * controller (Connects) print "nvmet_". "disk=" is the namespace's
 * device_path.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM nvmet

#if !defined(NVMET_OOT_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define NVMET_OOT_TRACE_H

#include <linux/nvme.h>
#include <linux/tracepoint.h>
#include <linux/trace_seq.h>

#include "nvmet.h"

/* Length of the disk field (as the block layer's DISK_NAME_LEN). */
#define NVMET_TRACE_DISK_LEN	32
/* Command dwords 10 to 15, as received. */
#define NVMET_TRACE_CDW_LEN	24

const char *nvmet_trace_ctrl(struct trace_seq *p, u16 cntlid);
const char *nvmet_trace_disk(struct trace_seq *p, const char *disk);
const char *nvmet_trace_cmd(struct trace_seq *p, u16 qid, u8 opcode, u8 fctype,
			    const u8 *cdw);
const char *nvmet_trace_aen(struct trace_seq *p, u8 type, u8 info);
void nvmet_trace_fill(struct nvmet_req *req, u16 *cntlid, char *disk);

TRACE_EVENT(nvmet_req_init,
	    TP_PROTO(struct nvmet_req *req, struct nvme_command *cmd),
	    TP_ARGS(req, cmd),
	    TP_STRUCT__entry(__field(u16, ctrl_id)
			     __array(char, disk, NVMET_TRACE_DISK_LEN)
			     __field(int, qid)
			     __field(u16, cid)
			     __field(u8, opcode)
			     __field(u8, fctype)
			     __field(u8, flags)
			     __field(u32, nsid)
			     __field(u64, metadata)
			     __array(u8, cdw10, NVMET_TRACE_CDW_LEN)),
	    TP_fast_assign(nvmet_trace_fill(req, &__entry->ctrl_id, __entry->disk);
			   __entry->qid = req->sq->qid;
			   /* opaque, as the host sent it */
			   __entry->cid = cmd->common.command_id;
			   __entry->opcode = cmd->common.opcode;
			   __entry->fctype = cmd->fabrics.fctype;
			   __entry->flags = cmd->common.flags;
			   __entry->nsid = le32_to_cpu(cmd->common.nsid);
			   __entry->metadata = le64_to_cpu(cmd->common.metadata);
			   memcpy(__entry->cdw10,
				  (const u8 *)cmd + offsetof(struct nvme_common_command, cdw10),
				  NVMET_TRACE_CDW_LEN);),
	    TP_printk("nvmet%s: %sqid=%d, cmdid=%u, nsid=%u, flags=%#x, meta=%#llx, cmd=(%s, %s)",
		      nvmet_trace_ctrl(p, __entry->ctrl_id),
		      nvmet_trace_disk(p, __entry->disk),
		      __entry->qid, __entry->cid, __entry->nsid, __entry->flags,
		      __entry->metadata,
		      show_opcode_name(__entry->qid, __entry->opcode, __entry->fctype),
		      nvmet_trace_cmd(p, __entry->qid, __entry->opcode, __entry->fctype,
				      __entry->cdw10))
);

TRACE_EVENT(nvmet_req_complete,
	    TP_PROTO(struct nvmet_req *req),
	    TP_ARGS(req),
	    TP_STRUCT__entry(__field(u16, ctrl_id)
			     __array(char, disk, NVMET_TRACE_DISK_LEN)
			     __field(int, qid)
			     __field(int, cid)
			     __field(u64, result)
			     __field(u16, status)),
	    TP_fast_assign(nvmet_trace_fill(req, &__entry->ctrl_id, __entry->disk);
			   __entry->qid = req->sq->qid;
			   __entry->cid = req->cqe->command_id;
			   __entry->result = le64_to_cpu(req->cqe->result.u64);
			   /* Status Field without the Phase Tag: SC, SCT, CRD, More, DNR */
			   __entry->status = le16_to_cpu(req->cqe->status) >> 1;),
	    TP_printk("nvmet%s: %sqid=%d, cmdid=%u, res=%#llx, status=%#x",
		      nvmet_trace_ctrl(p, __entry->ctrl_id),
		      nvmet_trace_disk(p, __entry->disk),
		      __entry->qid, __entry->cid, __entry->result, __entry->status)
);

TRACE_EVENT(nvmet_async_event,
	    TP_PROTO(struct nvmet_ctrl *ctrl, u32 result),
	    TP_ARGS(ctrl, result),
	    TP_STRUCT__entry(__field(int, ctrl_id)
			     __field(u32, result)
			     __field(u8, type)
			     __field(u8, log_page)),
	    /* Completion dword 0 of the AER: type 2:0, info 15:8, log page 23:16 */
	    TP_fast_assign(__entry->ctrl_id = ctrl->cntlid;
			   __entry->result = (result >> 8) & 0xff;
			   __entry->type = result & 0x7;
			   __entry->log_page = (result >> 16) & 0xff;),
	    TP_printk("nvmet%d: NVME_AEN=%#08x [%s] type=%u log_page=%#x",
		      __entry->ctrl_id, __entry->result,
		      nvmet_trace_aen(p, __entry->type, __entry->result),
		      __entry->type, __entry->log_page)
);

#endif /* NVMET_OOT_TRACE_H */

/* Out of tree: trace.c is built with -I$(src), so "." is this directory. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace

#include <trace/define_trace.h>
