// SPDX-License-Identifier: GPL-2.0
/*
 * The nvmet_oot generic netlink family (uapi/nvmet-genl.h): multicast events
 * for controllers, namespaces and ports, and dumps of controllers and
 * namespaces with their command counters, for nvmetd and nvmetctl status.
 *
 * Events are sent from process context after the change they report, with
 * no nvmet lock held except where a caller says so (ports: nvmet_config_sem).
 * Dumps walk nvmet_subsystems under nvmet_subsystems_lock, then each
 * subsystem under its lock; they resume by position, so a dump that races
 * with a change may skip or repeat one object, never touch a freed one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/percpu.h>
#include <net/genetlink.h>

#include "nvmet.h"

static struct genl_family nvmet_genl_family;

/* NUL-terminated copy of a fixed-size, possibly unterminated field. */
static int nvmet_genl_put_field(struct sk_buff *skb, int attr, const char *field, size_t size)
{
	size_t len = strnlen(field, size);
	struct nlattr *nla;

	nla = nla_reserve(skb, attr, len + 1);
	if (!nla)
		return -EMSGSIZE;
	memcpy(nla_data(nla), field, len);
	((char *)nla_data(nla))[len] = '\0';
	return 0;
}

static int nvmet_genl_put_stats(struct sk_buff *skb, struct nvmet_io_stats __percpu *stats)
{
	static const struct {
		u16 cmds, bytes, lat_ns;
	} attrs[NVMET_IO_NR_CLASSES] = {
		[NVMET_IO_READ]  = { NVMET_STAT_READ_CMDS, NVMET_STAT_READ_BYTES,
				     NVMET_STAT_READ_LAT_NS },
		[NVMET_IO_WRITE] = { NVMET_STAT_WRITE_CMDS, NVMET_STAT_WRITE_BYTES,
				     NVMET_STAT_WRITE_LAT_NS },
		[NVMET_IO_OTHER] = { NVMET_STAT_OTHER_CMDS, 0, NVMET_STAT_OTHER_LAT_NS },
	};
	struct nvmet_io_stats sum = { };
	struct nlattr *nest;
	int cpu, i;

	for_each_possible_cpu(cpu) {
		const struct nvmet_io_stats *s = per_cpu_ptr(stats, cpu);

		for (i = 0; i < NVMET_IO_NR_CLASSES; i++) {
			sum.cmds[i] += READ_ONCE(s->cmds[i]);
			sum.bytes[i] += READ_ONCE(s->bytes[i]);
			sum.lat_ns[i] += READ_ONCE(s->lat_ns[i]);
		}
		sum.errors += READ_ONCE(s->errors);
	}

	nest = nla_nest_start(skb, NVMET_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < NVMET_IO_NR_CLASSES; i++) {
		if (nla_put_u64_64bit(skb, attrs[i].cmds, sum.cmds[i], NVMET_STAT_PAD) ||
		    (attrs[i].bytes &&
		     nla_put_u64_64bit(skb, attrs[i].bytes, sum.bytes[i], NVMET_STAT_PAD)) ||
		    nla_put_u64_64bit(skb, attrs[i].lat_ns, sum.lat_ns[i], NVMET_STAT_PAD))
			goto cancel;
	}
	if (nla_put_u64_64bit(skb, NVMET_STAT_ERRORS, sum.errors, NVMET_STAT_PAD))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int nvmet_genl_put_port(struct sk_buff *skb, struct nvmet_port *port)
{
	if (nla_put_u16(skb, NVMET_A_PORT_ID, le16_to_cpu(port->disc_addr.portid)) ||
	    nla_put_u8(skb, NVMET_A_TRTYPE, port->disc_addr.trtype) ||
	    nvmet_genl_put_field(skb, NVMET_A_TRADDR, port->disc_addr.traddr,
				 sizeof(port->disc_addr.traddr)) ||
	    nvmet_genl_put_field(skb, NVMET_A_TRSVCID, port->disc_addr.trsvcid,
				 sizeof(port->disc_addr.trsvcid)))
		return -EMSGSIZE;
	return 0;
}

/* ctrl->lock must not be held; takes it for the queue count. */
static int nvmet_genl_put_ctrl(struct sk_buff *skb, struct nvmet_ctrl *ctrl, bool stats)
{
	char traddr[sizeof(ctrl->host_traddr)];
	char hostid[UUID_STRING_LEN + 1];
	u16 nr_io_queues = 0;
	u8 auth = NVMET_AUTH_NONE;
	bool tls = false;
	u16 qid;

	mutex_lock(&ctrl->lock);
	for (qid = 1; qid <= ctrl->max_qid; qid++)
		if (ctrl->sqs[qid])
			nr_io_queues++;
	if (ctrl->sqs[0]) {
		auth = READ_ONCE(ctrl->sqs[0]->auth_state);
		tls = nvmet_sq_tls(ctrl->sqs[0]);
	}
	strscpy(traddr, ctrl->host_traddr, sizeof(traddr));
	mutex_unlock(&ctrl->lock);

	snprintf(hostid, sizeof(hostid), "%pUb", &ctrl->hostid);
	if (nla_put_string(skb, NVMET_A_SUBSYS_NQN, ctrl->subsysnqn) ||
	    nla_put_string(skb, NVMET_A_HOST_NQN, ctrl->hostnqn) ||
	    nla_put_string(skb, NVMET_A_HOST_ID, hostid) ||
	    nla_put_string(skb, NVMET_A_HOST_TRADDR, traddr) ||
	    nla_put_u16(skb, NVMET_A_CNTLID, ctrl->cntlid) ||
	    nla_put_u32(skb, NVMET_A_KATO, ctrl->kato) ||
	    nla_put_u16(skb, NVMET_A_NR_IO_QUEUES, nr_io_queues) ||
	    nla_put_u8(skb, NVMET_A_AUTH, auth) ||
	    nla_put_u8(skb, NVMET_A_TLS, tls) ||
	    (nvmet_is_disc_subsys(ctrl->subsys) && nla_put_flag(skb, NVMET_A_DISCOVERY)) ||
	    nvmet_genl_put_port(skb, ctrl->port))
		return -EMSGSIZE;
	if (stats)
		return nvmet_genl_put_stats(skb, ctrl->stats);
	return 0;
}

/* Room the reservation attributes of a namespace may take. */
#define NVMET_GENL_RESV_SIZE	(128 + NVMET_PR_MAX_REGISTRANTS * 64)

/* An enabled namespace with reservations: its state, under RCU. */
static int nvmet_genl_put_resv(struct sk_buff *skb, struct nvmet_ns *ns)
{
	const struct nvmet_pr_state *s;
	struct nlattr *nest;
	char hostid[UUID_STRING_LEN + 1];
	int i, ret = -EMSGSIZE;

	rcu_read_lock();
	s = rcu_dereference(ns->pr.state);
	if (nla_put_u32(skb, NVMET_A_RESV_GEN, s->gen) ||
	    nla_put_u8(skb, NVMET_A_RESV_TYPE, s->rtype) ||
	    nla_put_u8(skb, NVMET_A_RESV_PTPL, s->ptpl))
		goto out;
	if (s->rtype && s->rtype < NVME_PR_WRITE_EXCLUSIVE_ALL_REGS) {
		snprintf(hostid, sizeof(hostid), "%pUb", &s->holder);
		if (nla_put_string(skb, NVMET_A_RESV_HOLDER, hostid))
			goto out;
	}
	for (i = 0; i < s->nr; i++) {
		nest = nla_nest_start(skb, NVMET_A_RESV_REGISTRANT);
		if (!nest)
			goto out;
		snprintf(hostid, sizeof(hostid), "%pUb", &s->regs[i].hostid);
		if (nla_put_string(skb, NVMET_A_HOST_ID, hostid) ||
		    nla_put_u64_64bit(skb, NVMET_A_RESV_KEY, s->regs[i].rkey, NVMET_A_PAD))
			goto out;
		nla_nest_end(skb, nest);
	}
	ret = 0;
out:
	rcu_read_unlock();
	return ret;
}

/*
 * subsys->lock held: device_path and size are stable, and an enabled
 * namespace's reservation state exists (nvmet_pr_enable() runs before it is
 * enabled, nvmet_pr_disable() after it is not).
 */
static int nvmet_genl_put_ns(struct sk_buff *skb, struct nvmet_ns *ns, bool stats)
{
	if (nla_put_string(skb, NVMET_A_SUBSYS_NQN, ns->subsys->subsysnqn) ||
	    nla_put_u32(skb, NVMET_A_NSID, ns->nsid) ||
	    nla_put_u8(skb, NVMET_A_NS_ENABLED, ns->enabled) ||
	    nla_put_u64_64bit(skb, NVMET_A_NS_SIZE, ns->enabled ? ns->size : 0, NVMET_A_PAD) ||
	    (ns->device_path && nla_put_string(skb, NVMET_A_DEVICE_PATH, ns->device_path)) ||
	    nla_put_u8(skb, NVMET_A_RESV_ENABLED, ns->pr_enable))
		return -EMSGSIZE;
	if (ns->enabled && ns->pr_enable && nvmet_genl_put_resv(skb, ns))
		return -EMSGSIZE;
	if (stats)
		return nvmet_genl_put_stats(skb, ns->stats);
	return 0;
}

/* --- events --------------------------------------------------------------- */

/* SIZE: room for the attributes, beyond a default message. */
static struct sk_buff *nvmet_genl_event_new(u8 event, size_t size, void **hdr)
{
	struct sk_buff *skb;

	if (!genl_has_listeners(&nvmet_genl_family, &init_net, 0))
		return NULL;
	skb = genlmsg_new(NLMSG_DEFAULT_SIZE + size, GFP_KERNEL);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &nvmet_genl_family, 0, event);
	if (!*hdr) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static void nvmet_genl_event_send(struct sk_buff *skb, void *hdr, u8 event, int ret)
{
	if (ret) {
		/* The sizes are computed above: a lost event is a bug, logged. */
		pr_warn_ratelimited("netlink event %u did not fit, dropped\n", event);
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&nvmet_genl_family, skb, 0, 0, GFP_KERNEL);
}

/* A controller event; an AUTH_FAILURE one also names the queue and reason. */
static void nvmet_genl_ctrl_msg(u8 event, struct nvmet_ctrl *ctrl, u16 qid, u8 reason)
{
	struct sk_buff *skb;
	void *hdr;
	int ret;

	might_sleep();
	skb = nvmet_genl_event_new(event, 0, &hdr);
	if (!skb)
		return;
	/* The last counters go with the controller's end. */
	ret = nvmet_genl_put_ctrl(skb, ctrl, event == NVMET_EVT_CTRL_DESTROY);
	if (!ret && event == NVMET_EVT_AUTH_FAILURE &&
	    (nla_put_u16(skb, NVMET_A_QID, qid) || nla_put_u8(skb, NVMET_A_AUTH_REASON, reason)))
		ret = -EMSGSIZE;
	nvmet_genl_event_send(skb, hdr, event, ret);
}

static void nvmet_genl_ctrl_event(u8 event, struct nvmet_ctrl *ctrl)
{
	nvmet_genl_ctrl_msg(event, ctrl, 0, 0);
}

static void nvmet_genl_auth_failure(struct nvmet_ctrl *ctrl, u16 qid, u8 reason)
{
	nvmet_genl_ctrl_msg(NVMET_EVT_AUTH_FAILURE, ctrl, qid, reason);
}

static void nvmet_genl_ns_event(u8 event, struct nvmet_ns *ns)
{
	struct sk_buff *skb;
	void *hdr;
	int ret;

	might_sleep();
	/* device_path may be up to a page long: sized while it cannot change. */
	mutex_lock(&ns->subsys->lock);
	skb = nvmet_genl_event_new(event, (ns->device_path ? strlen(ns->device_path) : 0) +
				   (ns->pr_enable ? NVMET_GENL_RESV_SIZE : 0), &hdr);
	ret = skb ? nvmet_genl_put_ns(skb, ns, false) : 0;
	mutex_unlock(&ns->subsys->lock);
	if (skb)
		nvmet_genl_event_send(skb, hdr, event, ret);
}

static void nvmet_genl_port_event(u8 event, struct nvmet_port *port)
{
	struct sk_buff *skb;
	void *hdr;

	might_sleep();
	skb = nvmet_genl_event_new(event, 0, &hdr);
	if (skb)
		nvmet_genl_event_send(skb, hdr, event, nvmet_genl_put_port(skb, port));
}

/* --- requests -------------------------------------------------------------- */

static int nvmet_genl_get_info(struct sk_buff *req, struct genl_info *info)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put_reply(skb, info, &nvmet_genl_family, 0, NVMET_CMD_GET_INFO);
	if (!hdr || nla_put_string(skb, NVMET_A_MODULE_VERSION, NVMET_OOT_VERSION)) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
}

/*
 * Dump position: cb->args[0] counts whole subsystems done, cb->args[1] the
 * objects of the current one already sent.
 */

/* One controller or namespace as a message of the dump, unless an earlier part sent it. */
static int nvmet_genl_dump_obj(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd,
			       long *obj_idx, void *obj)
{
	void *hdr;
	int ret;

	if ((*obj_idx)++ < cb->args[1])
		return 0;
	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &nvmet_genl_family, NLM_F_MULTI, cmd);
	if (!hdr)
		return -EMSGSIZE;
	ret = cmd == NVMET_CMD_GET_CTRL ? nvmet_genl_put_ctrl(skb, obj, true) :
					  nvmet_genl_put_ns(skb, obj, true);
	if (ret) {
		genlmsg_cancel(skb, hdr);
		return ret;
	}
	genlmsg_end(skb, hdr);
	cb->args[1] = *obj_idx;
	return 0;
}

static int nvmet_genl_dump(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd)
{
	long sub_idx = 0, obj_idx;
	struct nvmet_subsys *subsys;
	int ret = 0;

	mutex_lock(&nvmet_subsystems_lock);
	list_for_each_entry(subsys, &nvmet_subsystems, global_entry) {
		struct nvmet_ctrl *ctrl;
		unsigned long nsid;
		struct nvmet_ns *ns;

		if (sub_idx++ < cb->args[0])
			continue;
		obj_idx = 0;
		mutex_lock(&subsys->lock);
		if (cmd == NVMET_CMD_GET_CTRL) {
			list_for_each_entry(ctrl, &subsys->ctrls, subsys_entry) {
				ret = nvmet_genl_dump_obj(skb, cb, cmd, &obj_idx, ctrl);
				if (ret)
					break;
			}
		} else {
			xa_for_each(&subsys->namespaces, nsid, ns) {
				ret = nvmet_genl_dump_obj(skb, cb, cmd, &obj_idx, ns);
				if (ret)
					break;
			}
		}
		mutex_unlock(&subsys->lock);
		if (ret)
			break;
		cb->args[0] = sub_idx;
		cb->args[1] = 0;
	}
	mutex_unlock(&nvmet_subsystems_lock);
	/*
	 * A full skb ends this part; the dump continues where it stopped. An
	 * object too large for an empty skb is an error, not the dump's end.
	 */
	if (ret && (ret != -EMSGSIZE || !skb->len))
		return ret;
	return skb->len;
}

static int nvmet_genl_dump_ctrls(struct sk_buff *skb, struct netlink_callback *cb)
{
	return nvmet_genl_dump(skb, cb, NVMET_CMD_GET_CTRL);
}

static int nvmet_genl_dump_ns(struct sk_buff *skb, struct netlink_callback *cb)
{
	return nvmet_genl_dump(skb, cb, NVMET_CMD_GET_NS);
}

static const struct genl_small_ops nvmet_genl_ops[] = {
	{
		.cmd	= NVMET_CMD_GET_INFO,
		.doit	= nvmet_genl_get_info,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= NVMET_CMD_GET_CTRL,
		.dumpit	= nvmet_genl_dump_ctrls,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= NVMET_CMD_GET_NS,
		.dumpit	= nvmet_genl_dump_ns,
		.flags	= GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group nvmet_genl_mcgrps[] = {
	{ .name = NVMET_GENL_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

/* Requests carry no attributes (maxattr 0, strict validation): none are parsed. */
static struct genl_family nvmet_genl_family __ro_after_init = {
	.name		= NVMET_GENL_NAME,
	.version	= NVMET_GENL_VERSION,
	.module		= THIS_MODULE,
	.small_ops	= nvmet_genl_ops,
	.n_small_ops	= ARRAY_SIZE(nvmet_genl_ops),
	/* Dumps take nvmet's own locks; genl_mutex need not be held for them. */
	.parallel_ops	= true,
	.mcgrps		= nvmet_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(nvmet_genl_mcgrps),
};

static const struct nvmet_event_ops nvmet_genl_events = {
	.ctrl	= nvmet_genl_ctrl_event,
	.auth_failure = nvmet_genl_auth_failure,
	.ns	= nvmet_genl_ns_event,
	.port	= nvmet_genl_port_event,
};

int nvmet_genl_init(void)
{
	int ret = genl_register_family(&nvmet_genl_family);

	if (!ret)
		nvmet_set_event_ops(&nvmet_genl_events);
	return ret;
}

void nvmet_genl_exit(void)
{
	nvmet_set_event_ops(NULL);
	genl_unregister_family(&nvmet_genl_family);
}
