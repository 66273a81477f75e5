// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-oot core, the bottom floor: transports, ports, subsystems,
 * controllers, queues, namespace lookup, asynchronous events, request
 * completion and data buffers (see nvmet.h and docs/architecture.md). It
 * calls no file of the target above it: commands reach it from req.c and
 * the command sets, events leave it through nvmet_event_ops.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/random.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/idr.h>
#include <linux/inet.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/nvme-auth.h>
#include <crypto/kpp.h>
#include <net/ipv6.h>

#include "nvmet.h"
#include "trace.h"

DECLARE_RWSEM(nvmet_config_sem);
DECLARE_RWSEM(nvmet_ana_sem);
u32 nvmet_ana_group_enabled[NVMET_MAX_ANAGRPS + 1];
u64 nvmet_ana_chgcnt;
struct workqueue_struct *nvmet_wq;
EXPORT_SYMBOL_GPL(nvmet_wq);
struct workqueue_struct *nvmet_io_wq;
struct workqueue_struct *nvmet_pr_wq;
struct workqueue_struct *nvmet_buffered_io_wq;

/* Registered transports by NVMF_TRTYPE_*; under nvmet_config_sem. */
static const struct nvmet_fabrics_ops *nvmet_transports[NVMF_TRTYPE_MAX];

/* Controller IDs, unique across the target, in each subsystem's range. */
static DEFINE_IDA(nvmet_cntlid_ida);

/* The discovery subsystem, made by nvmet_core_init(). */
struct nvmet_subsys *nvmet_disc_subsys;

/* Every subsystem, for the netlink dumps; see nvmet.h for the lock order. */
LIST_HEAD(nvmet_subsystems);
DEFINE_MUTEX(nvmet_subsystems_lock);	/* protects nvmet_subsystems */

/* --- transports and ports ---------------------------------------------- */

int nvmet_register_transport(const struct nvmet_fabrics_ops *ops)
{
	int ret = 0;

	if (ops->type >= NVMF_TRTYPE_MAX)
		return -EINVAL;
	down_write(&nvmet_config_sem);
	if (nvmet_transports[ops->type])
		ret = -EBUSY;
	else
		nvmet_transports[ops->type] = ops;
	up_write(&nvmet_config_sem);
	return ret;
}
EXPORT_SYMBOL_GPL(nvmet_register_transport);

void nvmet_unregister_transport(const struct nvmet_fabrics_ops *ops)
{
	down_write(&nvmet_config_sem);
	if (nvmet_transports[ops->type] == ops)
		nvmet_transports[ops->type] = NULL;
	up_write(&nvmet_config_sem);
}
EXPORT_SYMBOL_GPL(nvmet_unregister_transport);

int nvmet_enable_port(struct nvmet_port *port)
{
	const struct nvmet_fabrics_ops *ops;
	u8 trtype = port->disc_addr.trtype;
	int ret;

	lockdep_assert_held(&nvmet_config_sem);
	if (trtype >= NVMF_TRTYPE_MAX)
		return -EINVAL;

	ops = nvmet_transports[trtype];
	if (!ops) {
		/* The transport module registers itself on load. */
		up_write(&nvmet_config_sem);
		request_module("nvmet-transport-%d", trtype);
		down_write(&nvmet_config_sem);
		ops = nvmet_transports[trtype];
		if (!ops) {
			pr_err("port %d: no transport for trtype %d: load its module (e.g. nvmet-tcp)\n",
			       le16_to_cpu(port->disc_addr.portid), trtype);
			return -EINVAL;
		}
	}
	/*
	 * T10-PI travels as metadata, which the transport must carry: refused
	 * here, so linking a subsystem to such a port fails, as with in-tree.
	 */
	if (port->pi_enable && !(ops->flags & NVMF_METADATA_SUPPORTED)) {
		pr_err("port %d: param_pi_enable is set but trtype %d carries no metadata (T10-PI); write 0 to param_pi_enable or use a transport with metadata support\n",
		       le16_to_cpu(port->disc_addr.portid), trtype);
		return -EINVAL;
	}
	if (!try_module_get(ops->owner))
		return -EINVAL;

	ret = ops->add_port(port);
	if (ret) {
		module_put(ops->owner);
		return ret;
	}
	/* Defaults and bounds for what the transport left unset. */
	if (port->max_queue_size < 0)
		port->max_queue_size = NVMET_MAX_QUEUE_SIZE;
	else
		port->max_queue_size = clamp(port->max_queue_size, NVMET_MIN_QUEUE_SIZE,
					     NVMET_MAX_QUEUE_SIZE);
	if (port->mdts < 0 || port->mdts > NVMET_MAX_MDTS)
		port->mdts = 0;	/* no limit reported */
	port->tr_ops = ops;
	port->enabled = true;
	nvmet_event_port(NVMET_EVT_PORT_ENABLE, port);
	return 0;
}

static void nvmet_port_free(struct kref *ref)
{
	struct nvmet_port *port = container_of(ref, struct nvmet_port, ref);

	key_put(port->keyring);
	kfree(port->ana_state);
	kfree(port);
}

struct nvmet_port *nvmet_port_alloc(void)
{
	struct nvmet_port *port;

	port = kzalloc_obj(*port);
	if (!port)
		return NULL;
	port->ana_state = kcalloc(NVMET_MAX_ANAGRPS + 1, sizeof(*port->ana_state), GFP_KERNEL);
	if (!port->ana_state) {
		kfree(port);
		return NULL;
	}
	kref_init(&port->ref);
	return port;
}

void nvmet_port_get(struct nvmet_port *port)
{
	kref_get(&port->ref);
}
EXPORT_SYMBOL_GPL(nvmet_port_get);

void nvmet_port_put(struct nvmet_port *port)
{
	kref_put(&port->ref, nvmet_port_free);
}
EXPORT_SYMBOL_GPL(nvmet_port_put);

/* A discovery log field: space padded, not NUL terminated; DST has SIZE + 1 bytes. */
static void nvmet_port_field(char *dst, const char *src, size_t size)
{
	size_t len = strnlen(src, size);

	while (len && src[len - 1] == ' ')
		len--;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

int nvmet_port_sockaddr(const struct nvmet_port *port, struct sockaddr_storage *addr)
{
	char traddr[NVMF_TRADDR_SIZE + 1];
	char trsvcid[NVMF_TRSVCID_SIZE + 1];
	u16 af;

	switch (port->disc_addr.adrfam) {
	case NVMF_ADDR_FAMILY_IP4:
		af = AF_INET;
		break;
	case NVMF_ADDR_FAMILY_IP6:
		af = AF_INET6;
		break;
	default:
		return -EINVAL;
	}
	nvmet_port_field(traddr, port->disc_addr.traddr, NVMF_TRADDR_SIZE);
	nvmet_port_field(trsvcid, port->disc_addr.trsvcid, NVMF_TRSVCID_SIZE);
	return inet_pton_with_scope(&init_net, af, traddr, trsvcid, addr);
}
EXPORT_SYMBOL_GPL(nvmet_port_sockaddr);

bool nvmet_sockaddr_is_any(const struct sockaddr_storage *addr)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)addr;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)addr;

	switch (addr->ss_family) {
	case AF_INET:
		return sin->sin_addr.s_addr == htonl(INADDR_ANY);
	case AF_INET6:
		return ipv6_addr_any(&sin6->sin6_addr);
	default:
		return false;
	}
}
EXPORT_SYMBOL_GPL(nvmet_sockaddr_is_any);

void nvmet_disable_port(struct nvmet_port *port)
{
	const struct nvmet_fabrics_ops *ops = port->tr_ops;

	lockdep_assert_held(&nvmet_config_sem);
	if (!port->enabled || !ops)
		return;
	port->enabled = false;
	port->tr_ops = NULL;
	ops->remove_port(port);
	module_put(ops->owner);
	nvmet_event_port(NVMET_EVT_PORT_DISABLE, port);
}

void nvmet_port_del_ctrls(struct nvmet_port *port, struct nvmet_subsys *subsys)
{
	struct nvmet_ctrl *ctrl;

	mutex_lock(&subsys->lock);
	list_for_each_entry(ctrl, &subsys->ctrls, subsys_entry) {
		if (ctrl->port == port)
			nvmet_ctrl_delete(ctrl);
	}
	mutex_unlock(&subsys->lock);
}

/* --- asynchronous events ------------------------------------------------- */

static void nvmet_async_event_work(struct work_struct *work)
{
	struct nvmet_ctrl *ctrl = container_of(work, struct nvmet_ctrl, async_event_work);
	struct nvmet_async_event *aen;
	struct nvmet_req *req;

	for (;;) {
		mutex_lock(&ctrl->lock);
		aen = list_first_entry_or_null(&ctrl->async_events,
					       struct nvmet_async_event, entry);
		if (!aen || !ctrl->nr_async_event_cmds) {
			mutex_unlock(&ctrl->lock);
			return;
		}
		req = ctrl->async_event_cmds[--ctrl->nr_async_event_cmds];
		nvmet_set_result(req, aen->event_type | aen->event_info << 8 |
				 aen->log_page << 16);
		trace_nvmet_async_event(ctrl, le32_to_cpu(req->cqe->result.u32));
		list_del(&aen->entry);
		kfree(aen);
		mutex_unlock(&ctrl->lock);
		nvmet_req_complete(req, 0);
	}
}

void nvmet_add_async_event(struct nvmet_ctrl *ctrl, u8 event_type, u8 event_info, u8 log_page)
{
	struct nvmet_async_event *aen;

	aen = kmalloc_obj(*aen);
	if (!aen)
		return;
	aen->event_type = event_type;
	aen->event_info = event_info;
	aen->log_page = log_page;

	mutex_lock(&ctrl->lock);
	list_add_tail(&aen->entry, &ctrl->async_events);
	mutex_unlock(&ctrl->lock);
	queue_work(nvmet_wq, &ctrl->async_event_work);
}

/* The admin queue goes away: answer parked AERs and drop pending events. */
static void nvmet_async_events_failall(struct nvmet_ctrl *ctrl)
{
	struct nvmet_async_event *aen, *tmp;
	struct nvmet_req *req;

	mutex_lock(&ctrl->lock);
	while (ctrl->nr_async_event_cmds) {
		req = ctrl->async_event_cmds[--ctrl->nr_async_event_cmds];
		mutex_unlock(&ctrl->lock);
		nvmet_req_complete(req, NVME_SC_INTERNAL | NVME_STATUS_DNR);
		mutex_lock(&ctrl->lock);
	}
	list_for_each_entry_safe(aen, tmp, &ctrl->async_events, entry) {
		list_del(&aen->entry);
		kfree(aen);
	}
	mutex_unlock(&ctrl->lock);
}

/* An event the host disabled, or one already pending until its log is read. */
static bool nvmet_aen_bit_disabled(struct nvmet_ctrl *ctrl, u32 bn)
{
	if (!(READ_ONCE(ctrl->aen_enabled) & (1U << bn)))
		return true;
	return test_and_set_bit(bn, &ctrl->aen_masked);
}

void nvmet_port_send_ana_event(struct nvmet_port *port)
{
	struct nvmet_subsys_link *link;
	struct nvmet_ctrl *ctrl;

	down_read(&nvmet_config_sem);
	list_for_each_entry(link, &port->subsystems, entry) {
		mutex_lock(&link->subsys->lock);
		list_for_each_entry(ctrl, &link->subsys->ctrls, subsys_entry) {
			if (ctrl->port != port ||
			    nvmet_aen_bit_disabled(ctrl, NVME_AEN_BIT_ANA_CHANGE))
				continue;
			nvmet_add_async_event(ctrl, NVME_AER_NOTICE, NVME_AER_NOTICE_ANA,
					      NVME_LOG_ANA);
		}
		mutex_unlock(&link->subsys->lock);
	}
	up_read(&nvmet_config_sem);
}

/* --- subsystems ---------------------------------------------------------- */

struct nvmet_subsys *nvmet_subsys_alloc(const char *subsysnqn, enum nvme_subsys_type type)
{
	struct nvmet_subsys *subsys;
	u64 serial;

	subsys = kzalloc_obj(*subsys);
	if (!subsys)
		return ERR_PTR(-ENOMEM);
	subsys->subsysnqn = kstrndup(subsysnqn, NVMF_NQN_SIZE, GFP_KERNEL);
	if (!subsys->subsysnqn) {
		kfree(subsys);
		return ERR_PTR(-ENOMEM);
	}
	subsys->type = type;
	subsys->ver = NVMET_DEFAULT_VS;
	get_random_bytes(&serial, sizeof(serial));
	snprintf(subsys->serial, sizeof(subsys->serial), "%llx", serial);
	subsys->cntlid_min = NVMET_CNTLID_MIN;
	subsys->cntlid_max = NVMET_CNTLID_MAX;
	/* A discovery controller has the admin queue only. */
	subsys->max_qid = type == NVME_NQN_NVME ? NVMET_NR_QUEUES : 0;
	kref_init(&subsys->ref);
	mutex_init(&subsys->lock);
	xa_init(&subsys->namespaces);
	INIT_LIST_HEAD(&subsys->ctrls);
	INIT_LIST_HEAD(&subsys->hosts);
	mutex_lock(&nvmet_subsystems_lock);
	list_add_tail(&subsys->global_entry, &nvmet_subsystems);
	mutex_unlock(&nvmet_subsystems_lock);
	return subsys;
}

static void nvmet_subsys_free(struct kref *ref)
{
	struct nvmet_subsys *subsys = container_of(ref, struct nvmet_subsys, ref);

	mutex_lock(&nvmet_subsystems_lock);
	list_del(&subsys->global_entry);
	mutex_unlock(&nvmet_subsystems_lock);
	xa_destroy(&subsys->namespaces);
	kfree(subsys->subsysnqn);
	kfree(subsys->model_number);
	kfree(subsys->firmware_rev);
	kfree(subsys->passthru_ctrl_path);
	kfree(subsys);
}

void nvmet_subsys_put(struct nvmet_subsys *subsys)
{
	kref_put(&subsys->ref, nvmet_subsys_free);
}

void nvmet_subsys_del_ctrls(struct nvmet_subsys *subsys)
{
	struct nvmet_ctrl *ctrl;

	mutex_lock(&subsys->lock);
	list_for_each_entry(ctrl, &subsys->ctrls, subsys_entry)
		nvmet_ctrl_delete(ctrl);
	mutex_unlock(&subsys->lock);
}

/* The subsystem a Connect names, if PORT exports it; takes a reference. */
struct nvmet_subsys *nvmet_find_get_subsys(struct nvmet_port *port, const char *subsysnqn)
{
	struct nvmet_subsys_link *link;
	struct nvmet_subsys *found = NULL;

	if (!port)
		return NULL;
	down_read(&nvmet_config_sem);
	/* The discovery subsystem answers to its own NQN and the well-known one. */
	if (!strncmp(nvmet_disc_subsys->subsysnqn, subsysnqn, NVMF_NQN_SIZE) ||
	    !strncmp(NVME_DISC_SUBSYS_NAME, subsysnqn, NVMF_NQN_SIZE)) {
		if (kref_get_unless_zero(&nvmet_disc_subsys->ref))
			found = nvmet_disc_subsys;
		goto out;
	}
	list_for_each_entry(link, &port->subsystems, entry) {
		if (strncmp(link->subsys->subsysnqn, subsysnqn, NVMF_NQN_SIZE))
			continue;
		if (kref_get_unless_zero(&link->subsys->ref))
			found = link->subsys;
		break;
	}
out:
	up_read(&nvmet_config_sem);
	return found;
}

/* Caller holds nvmet_config_sem. */
bool nvmet_host_allowed(struct nvmet_subsys *subsys, const char *hostnqn)
{
	struct nvmet_host_link *link;

	lockdep_assert_held(&nvmet_config_sem);
	if (subsys->allow_any_host || nvmet_is_disc_subsys(subsys))
		return true;
	list_for_each_entry(link, &subsys->hosts, entry) {
		if (!strcmp(nvmet_host_name(link->host), hostnqn))
			return true;
	}
	return false;
}

/* --- namespaces ---------------------------------------------------------- */

/* Records NSID in every controller's changed list and raises the AEN; subsys->lock held. */
void nvmet_ns_changed(struct nvmet_subsys *subsys, u32 nsid)
{
	struct nvmet_ctrl *ctrl;

	lockdep_assert_held(&subsys->lock);
	list_for_each_entry(ctrl, &subsys->ctrls, subsys_entry) {
		mutex_lock(&ctrl->lock);
		if (ctrl->nr_changed_ns <= NVMET_MAX_CHANGED_NS) {
			u32 i;

			for (i = 0; i < ctrl->nr_changed_ns; i++)
				if (ctrl->changed_ns_list[i] == nsid)
					break;
			/*
			 * The log lists up to 1024 NSIDs; one more and it holds
			 * only FFFFFFFFh until it is read (overflow: the count
			 * goes past the list's size and stays there).
			 */
			if (i == ctrl->nr_changed_ns) {
				if (i < NVMET_MAX_CHANGED_NS)
					ctrl->changed_ns_list[i] = nsid;
				ctrl->nr_changed_ns++;
			}
		}
		mutex_unlock(&ctrl->lock);
		if (nvmet_aen_bit_disabled(ctrl, NVME_AEN_BIT_NS_ATTR))
			continue;
		nvmet_add_async_event(ctrl, NVME_AER_NOTICE, NVME_AER_NOTICE_NS_CHANGED,
				      NVME_LOG_CHANGED_NS);
	}
}

struct nvmet_ns *nvmet_find_namespace(struct nvmet_subsys *subsys, u32 nsid)
{
	struct nvmet_ns *ns;

	rcu_read_lock();
	ns = xa_load(&subsys->namespaces, nsid);
	/* Pairs with the release in nvmet_ns_enable(): ns->ref is set up. */
	if (ns && (!smp_load_acquire(&ns->enabled) || !percpu_ref_tryget_live(&ns->ref)))
		ns = NULL;
	rcu_read_unlock();
	return ns;
}

void nvmet_put_namespace(struct nvmet_ns *ns)
{
	percpu_ref_put(&ns->ref);
}

u16 nvmet_req_find_ns(struct nvmet_req *req)
{
	u32 nsid = le32_to_cpu(req->cmd->common.nsid);
	struct nvmet_subsys *subsys = req->sq->ctrl->subsys;

	req->ns = nvmet_find_namespace(subsys, nsid);
	if (req->ns)
		return 0;
	req->error_loc = offsetof(struct nvme_common_command, nsid);
	/*
	 * A namespace that is configured but disabled is unavailable through
	 * this controller, not unknown: Internal Path Error (no DNR) lets a
	 * multipath host retry on another path, as with the in-tree target.
	 */
	if (xa_load(&subsys->namespaces, nsid))
		return NVME_SC_INTERNAL_PATH_ERROR;
	return NVME_SC_INVALID_NS | NVME_STATUS_DNR;
}

/*
 * A host can hold a command of a namespace by never sending the command's
 * data (namespace disable, Preempt and Abort wait for it); closing the
 * queues of such commands ends the wait.
 */
void nvmet_ns_close_stalled(struct nvmet_ns *ns)
{
	struct nvmet_subsys *subsys = ns->subsys;
	struct nvmet_ctrl *ctrl;

	mutex_lock(&subsys->lock);
	list_for_each_entry(ctrl, &subsys->ctrls, subsys_entry)
		if (ctrl->ops->ns_stalled)
			ctrl->ops->ns_stalled(ctrl, ns);
	mutex_unlock(&subsys->lock);
}

/* --- controllers --------------------------------------------------------- */

static void nvmet_keep_alive_work(struct work_struct *work)
{
	struct nvmet_ctrl *ctrl = container_of(to_delayed_work(work), struct nvmet_ctrl, ka_work);

	/* With traffic-based keep alive, any command in the period counts. */
	if (READ_ONCE(ctrl->reset_tbkas)) {
		WRITE_ONCE(ctrl->reset_tbkas, false);
		queue_delayed_work(nvmet_wq, &ctrl->ka_work, ctrl->kato * HZ);
		return;
	}
	pr_err("ctrl %d keep-alive timer (%d seconds) expired: host %s\n",
	       ctrl->cntlid, ctrl->kato, ctrl->hostnqn);
	nvmet_event_ctrl(NVMET_EVT_KATO_EXPIRED, ctrl);
	nvmet_ctrl_fatal_error(ctrl);
}

/* DH-HMAC-CHAP: an admin queue that has not authenticated by now never will. */
static void nvmet_auth_deadline_work(struct work_struct *work)
{
	struct nvmet_ctrl *ctrl = container_of(to_delayed_work(work), struct nvmet_ctrl,
					       auth_deadline_work);
	bool pending;

	bool failed;

	mutex_lock(&ctrl->lock);
	pending = ctrl->sqs[0] && READ_ONCE(ctrl->sqs[0]->auth_state) == NVMET_AUTH_PENDING;
	failed = ctrl->auth_failed;
	mutex_unlock(&ctrl->lock);
	if (!pending && !failed)
		return;
	if (!failed) {
		pr_warn_ratelimited("ctrl %d of %s: host %s did not authenticate in time\n",
				    ctrl->cntlid, ctrl->subsysnqn, ctrl->hostnqn);
		nvmet_event_auth_failure(ctrl, 0, NVME_AUTH_DHCHAP_FAILURE_FAILED);
	}
	nvmet_ctrl_fatal_error(ctrl);
}

void nvmet_ctrl_auth_deadline(struct nvmet_ctrl *ctrl, unsigned int secs)
{
	mod_delayed_work(nvmet_wq, &ctrl->auth_deadline_work, secs * HZ);
}

static void nvmet_auth_keys_release(struct kref *ref)
{
	struct nvmet_auth_keys *keys = container_of(ref, struct nvmet_auth_keys, ref);

	nvme_auth_free_key(keys->host_key);
	nvme_auth_free_key(keys->ctrl_key);
	kfree(keys);
}

void nvmet_auth_keys_put(struct nvmet_auth_keys *keys)
{
	if (keys)
		kref_put(&keys->ref, nvmet_auth_keys_release);
}

void nvmet_auth_txn_free(struct nvmet_auth_txn *txn)
{
	if (!txn)
		return;
	if (txn->dh)
		crypto_free_kpp(txn->dh);
	nvmet_auth_keys_put(txn->keys);
	kfree_sensitive(txn);
}

void nvmet_start_keep_alive_timer(struct nvmet_ctrl *ctrl)
{
	if (!ctrl->kato)
		return;
	mod_delayed_work(nvmet_wq, &ctrl->ka_work, ctrl->kato * HZ);
}

void nvmet_stop_keep_alive_timer(struct nvmet_ctrl *ctrl)
{
	cancel_delayed_work_sync(&ctrl->ka_work);
}

/*
 * Tears down every queue of CTRL. A Connect that has not yet bound its queue
 * cannot join it afterwards (nvmet_install_queue() checks under ctrl->lock),
 * so no queue outlives the deletion.
 */
void nvmet_ctrl_delete(struct nvmet_ctrl *ctrl)
{
	mutex_lock(&ctrl->lock);
	ctrl->deleting = true;
	mutex_unlock(&ctrl->lock);
	ctrl->ops->delete_ctrl(ctrl);
}

static void nvmet_fatal_error_work(struct work_struct *work)
{
	struct nvmet_ctrl *ctrl = container_of(work, struct nvmet_ctrl, fatal_err_work);

	nvmet_event_ctrl(NVMET_EVT_FATAL_ERROR, ctrl);
	nvmet_ctrl_delete(ctrl);
}

void nvmet_ctrl_fatal_error(struct nvmet_ctrl *ctrl)
{
	mutex_lock(&ctrl->lock);
	if (!(ctrl->csts & NVME_CSTS_CFS)) {
		ctrl->csts |= NVME_CSTS_CFS;
		queue_work(nvmet_wq, &ctrl->fatal_err_work);
	}
	mutex_unlock(&ctrl->lock);
}
EXPORT_SYMBOL_GPL(nvmet_ctrl_fatal_error);

static void nvmet_init_cap(struct nvmet_ctrl *ctrl)
{
	u16 mqes = ctrl->port->max_queue_size > 0 ?
		   ctrl->port->max_queue_size : NVMET_MAX_QUEUE_SIZE;

	if (ctrl->ops->get_max_queue_size)
		mqes = min(mqes, ctrl->ops->get_max_queue_size(ctrl));
	/* CSS: the NVM command set and I/O command sets; TO: 7.5 s; MQES 0's based. */
	ctrl->cap = BIT_ULL(37) | BIT_ULL(43) | (15ULL << 24) | (u64)(mqes - 1);
	/* Passthru: I/O command sets only if the exported controller has them. */
	if (nvmet_is_passthru_subsys(ctrl->subsys) && !READ_ONCE(ctrl->subsys->passthru_iocs))
		ctrl->cap &= ~BIT_ULL(43);
}

/* MDTS as reported: the port's param_mdts, lowered to the transport's limit. */
u8 nvmet_ctrl_mdts(const struct nvmet_ctrl *ctrl)
{
	u8 port_mdts = ctrl->port->mdts > 0 ? ctrl->port->mdts : 0;

	if (!ctrl->ops->get_mdts)
		return port_mdts;
	return min_not_zero(ctrl->ops->get_mdts(ctrl), port_mdts);
}

u32 nvmet_ctrl_mdts_bytes(const struct nvmet_ctrl *ctrl)
{
	u8 mdts = nvmet_ctrl_mdts(ctrl);

	if (!mdts || mdts > 20)
		return U32_MAX;
	return 1U << (12 + mdts);	/* MDTS counts 4 KiB pages (CAP.MPSMIN 0) */
}
EXPORT_SYMBOL_GPL(nvmet_ctrl_mdts_bytes);

static u32 nvmet_connect_data_loc(size_t offset)
{
	return (1U << 16) | offset;	/* IATTR 1: in the Connect data */
}

u16 nvmet_alloc_ctrl(const char *subsysnqn, const char *hostnqn, const uuid_t *hostid,
		     u32 kato, struct nvmet_req *req, struct nvmet_ctrl **ctrlp)
{
	struct nvmet_subsys *subsys;
	struct nvmet_ctrl *ctrl;
	bool allowed;
	int cntlid;
	u16 status;

	subsys = nvmet_find_get_subsys(req->port, subsysnqn);
	if (!subsys) {
		pr_warn("connect to unknown subsystem %s from host %s\n", subsysnqn, hostnqn);
		nvmet_set_result(req, nvmet_connect_data_loc(offsetof(struct nvmf_connect_data,
								      subsysnqn)));
		return NVME_SC_CONNECT_INVALID_PARAM | NVME_STATUS_DNR;
	}

	down_read(&nvmet_config_sem);
	allowed = nvmet_host_allowed(subsys, hostnqn);
	up_read(&nvmet_config_sem);
	if (!allowed) {
		pr_info("connect by host %s to subsystem %s refused: host not allowed\n",
			hostnqn, subsysnqn);
		nvmet_set_result(req, nvmet_connect_data_loc(offsetof(struct nvmf_connect_data,
								      hostnqn)));
		status = NVME_SC_CONNECT_INVALID_HOST | NVME_STATUS_DNR;
		goto out_put_subsys;
	}

	status = NVME_SC_INTERNAL;
	ctrl = kzalloc_obj(*ctrl);
	if (!ctrl)
		goto out_put_subsys;
	mutex_init(&ctrl->lock);
	spin_lock_init(&ctrl->error_lock);
	xa_init(&ctrl->pr_masks);
	kref_init(&ctrl->ref);
	INIT_LIST_HEAD(&ctrl->async_events);
	INIT_WORK(&ctrl->async_event_work, nvmet_async_event_work);
	INIT_WORK(&ctrl->fatal_err_work, nvmet_fatal_error_work);
	INIT_DELAYED_WORK(&ctrl->ka_work, nvmet_keep_alive_work);
	INIT_DELAYED_WORK(&ctrl->auth_deadline_work, nvmet_auth_deadline_work);
	ctrl->subsys = subsys;
	ctrl->port = req->port;
	nvmet_port_get(ctrl->port);
	ctrl->ops = req->ops;
	strscpy(ctrl->subsysnqn, subsysnqn, sizeof(ctrl->subsysnqn));
	strscpy(ctrl->hostnqn, hostnqn, sizeof(ctrl->hostnqn));
	uuid_copy(&ctrl->hostid, hostid);
	nvmet_init_cap(ctrl);
	/*
	 * A loop host has the exported device too: passthru hides its
	 * identifiers from it (the in-tree target sets clear_ids the same way).
	 */
	if (ctrl->port->disc_addr.trtype == NVMF_TRTYPE_LOOP)
		WRITE_ONCE(subsys->passthru_clear_ids, true);

	ctrl->changed_ns_list = kmalloc_objs(u32, NVMET_MAX_CHANGED_NS);
	ctrl->stats = alloc_percpu(struct nvmet_io_stats);
	/* max_qid may change later (attr_qid_max): the arrays keep this size. */
	ctrl->max_qid = subsys->max_qid;
	ctrl->sqs = kzalloc_objs(*ctrl->sqs, ctrl->max_qid + 1);
	ctrl->cqs = kzalloc_objs(*ctrl->cqs, ctrl->max_qid + 1);
	if (!ctrl->changed_ns_list || !ctrl->stats || !ctrl->sqs || !ctrl->cqs)
		goto out_free;

	cntlid = ida_alloc_range(&nvmet_cntlid_ida, subsys->cntlid_min, subsys->cntlid_max,
				 GFP_KERNEL);
	if (cntlid < 0) {
		pr_err("subsystem %s: no controller ID left in %u-%u\n", subsysnqn,
		       subsys->cntlid_min, subsys->cntlid_max);
		status = NVME_SC_CONNECT_CTRL_BUSY | NVME_STATUS_DNR;
		goto out_free;
	}
	ctrl->cntlid = cntlid;

	/* KATO arrives in ms; the timer counts whole seconds, rounded up. */
	ctrl->kato = nvmet_kato_secs(kato);
	if (nvmet_is_disc_subsys(subsys) && !ctrl->kato)
		ctrl->kato = NVMET_DISC_KATO_MS / 1000;
	ctrl->aen_enabled = nvmet_is_disc_subsys(subsys) ? NVME_AEN_CFG_DISC_CHANGE :
			    NVME_AEN_CFG_NS_ATTR | NVME_AEN_CFG_ANA_CHANGE;

	mutex_lock(&subsys->lock);
	list_add_tail(&ctrl->subsys_entry, &subsys->ctrls);
	mutex_unlock(&subsys->lock);

	nvmet_start_keep_alive_timer(ctrl);
	*ctrlp = ctrl;
	return 0;

out_free:
	kfree(ctrl->cqs);
	kfree(ctrl->sqs);
	free_percpu(ctrl->stats);
	kfree(ctrl->changed_ns_list);
	xa_destroy(&ctrl->pr_masks);
	nvmet_port_put(ctrl->port);
	kfree(ctrl);
out_put_subsys:
	nvmet_subsys_put(subsys);
	return status;
}

static void nvmet_ctrl_free(struct kref *ref)
{
	struct nvmet_ctrl *ctrl = container_of(ref, struct nvmet_ctrl, ref);
	struct nvmet_subsys *subsys = ctrl->subsys;

	mutex_lock(&subsys->lock);
	list_del(&ctrl->subsys_entry);
	mutex_unlock(&subsys->lock);

	nvmet_stop_keep_alive_timer(ctrl);
	cancel_delayed_work_sync(&ctrl->auth_deadline_work);
	nvmet_auth_keys_put(ctrl->auth_keys);
	flush_work(&ctrl->async_event_work);
	cancel_work_sync(&ctrl->fatal_err_work);
	nvmet_async_events_failall(ctrl);

	pr_info("ctrl %d of subsystem %s (host %s) freed\n", ctrl->cntlid,
		ctrl->subsysnqn, ctrl->hostnqn);
	if (ctrl->announced)
		nvmet_event_ctrl(NVMET_EVT_CTRL_DESTROY, ctrl);
	ida_free(&nvmet_cntlid_ida, ctrl->cntlid);
	kfree(ctrl->cqs);
	kfree(ctrl->sqs);
	free_percpu(ctrl->stats);
	kfree(ctrl->changed_ns_list);
	xa_destroy(&ctrl->pr_masks);
	nvmet_port_put(ctrl->port);
	kfree(ctrl);
	nvmet_subsys_put(subsys);
}

void nvmet_ctrl_put(struct nvmet_ctrl *ctrl)
{
	kref_put(&ctrl->ref, nvmet_ctrl_free);
}

struct nvmet_ctrl *nvmet_ctrl_find_get(const char *subsysnqn, const char *hostnqn,
				       u16 cntlid, struct nvmet_req *req)
{
	struct nvmet_ctrl *ctrl, *found = NULL;
	struct nvmet_subsys *subsys;

	subsys = nvmet_find_get_subsys(req->port, subsysnqn);
	if (!subsys) {
		nvmet_set_result(req, nvmet_connect_data_loc(offsetof(struct nvmf_connect_data,
								      subsysnqn)));
		return NULL;
	}
	mutex_lock(&subsys->lock);
	list_for_each_entry(ctrl, &subsys->ctrls, subsys_entry) {
		if (ctrl->cntlid != cntlid)
			continue;
		if (strncmp(hostnqn, ctrl->hostnqn, NVMF_NQN_SIZE)) {
			pr_warn("host %s tried an I/O queue of ctrl %d, which belongs to %s\n",
				hostnqn, cntlid, ctrl->hostnqn);
			break;
		}
		if (kref_get_unless_zero(&ctrl->ref))
			found = ctrl;
		break;
	}
	mutex_unlock(&subsys->lock);
	nvmet_subsys_put(subsys);
	if (!found)
		nvmet_set_result(req, nvmet_connect_data_loc(offsetof(struct nvmf_connect_data,
								      cntlid)));
	return found;
}

u16 nvmet_check_ctrl_status(struct nvmet_req *req)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;

	if (unlikely(!(READ_ONCE(ctrl->cc) & NVME_CC_ENABLE) ||
		     !(READ_ONCE(ctrl->csts) & NVME_CSTS_RDY))) {
		pr_err("ctrl %d: command %#x on queue %d before the controller is ready\n",
		       ctrl->cntlid, req->cmd->common.opcode, req->sq->qid);
		return NVME_SC_CMD_SEQ_ERROR | NVME_STATUS_DNR;
	}
	return 0;
}

/* CC.EN 0 -> 1: check what the host chose, then report ready (or fatal). */
static void nvmet_start_ctrl(struct nvmet_ctrl *ctrl)
{
	u32 cc = ctrl->cc;
	u8 css = nvmet_cc_css(cc);
	u8 sqes = nvmet_cc_iosqes(cc), cqes = nvmet_cc_iocqes(cc);
	/* A controller without I/O queues (discovery) may get 0 for both. */
	bool qes_ok = (sqes == NVME_NVM_IOSQES && cqes == NVME_NVM_IOCQES) ||
		      (!sqes && !cqes && nvmet_is_disc_subsys(ctrl->subsys));

	lockdep_assert_held(&ctrl->lock);
	if (!qes_ok || nvmet_cc_mps(cc) != 0 || nvmet_cc_ams(cc) != 0 ||
	    (css != NVME_CC_CSS_NVM >> NVME_CC_CSS_SHIFT &&
	     css != NVME_CC_CSS_CSI >> NVME_CC_CSS_SHIFT)) {
		ctrl->csts = NVME_CSTS_CFS;
		return;
	}
	ctrl->csts = NVME_CSTS_RDY;
	/* The host may be slow to send its first Keep Alive after enabling. */
	if (ctrl->kato)
		mod_delayed_work(nvmet_wq, &ctrl->ka_work, ctrl->kato * HZ);
}

void nvmet_update_cc(struct nvmet_ctrl *ctrl, u32 new)
{
	u32 old;

	mutex_lock(&ctrl->lock);
	old = ctrl->cc;
	WRITE_ONCE(ctrl->cc, new);
	if (nvmet_cc_en(new) && !nvmet_cc_en(old))
		nvmet_start_ctrl(ctrl);
	if (!nvmet_cc_en(new) && nvmet_cc_en(old)) {
		ctrl->csts &= ~NVME_CSTS_RDY;
		WRITE_ONCE(ctrl->cc, 0);
	}
	if (nvmet_cc_shn(new) && !nvmet_cc_shn(old)) {
		/* Shutdown: nothing is cached, so it completes at once. */
		ctrl->csts &= ~NVME_CSTS_RDY;
		ctrl->csts |= NVME_CSTS_SHST_CMPLT;
	}
	if (!nvmet_cc_shn(new) && nvmet_cc_shn(old))
		ctrl->csts &= ~NVME_CSTS_SHST_CMPLT;
	mutex_unlock(&ctrl->lock);
}

/* --- queues -------------------------------------------------------------- */

void nvmet_cq_setup(struct nvmet_ctrl *ctrl, struct nvmet_cq *cq, u16 qid, u16 size)
{
	cq->qid = qid;
	cq->size = size;
	ctrl->cqs[qid] = cq;
}

void nvmet_sq_setup(struct nvmet_ctrl *ctrl, struct nvmet_sq *sq, u16 qid, u16 size)
{
	sq->sqhd = 0;
	sq->qid = qid;
	sq->size = size;
	ctrl->sqs[qid] = sq;
}

static void nvmet_sq_ref_release(struct percpu_ref *ref)
{
	struct nvmet_sq *sq = container_of(ref, struct nvmet_sq, ref);

	complete(&sq->free_done);
}

static void nvmet_sq_ref_confirm(struct percpu_ref *ref)
{
	struct nvmet_sq *sq = container_of(ref, struct nvmet_sq, ref);

	complete(&sq->confirm_done);
}

int nvmet_sq_init(struct nvmet_sq *sq)
{
	int ret;

	ret = percpu_ref_init(&sq->ref, nvmet_sq_ref_release, 0, GFP_KERNEL);
	if (ret)
		return ret;
	init_completion(&sq->free_done);
	init_completion(&sq->confirm_done);
	mutex_init(&sq->auth_lock);
	sq->auth = NULL;
	sq->auth_state = NVMET_AUTH_NONE;
	sq->auth_tokens = 0;
	sq->sqhd = 0;
	sq->sqhd_disabled = false;
	sq->ctrl = NULL;
	return 0;
}
EXPORT_SYMBOL_GPL(nvmet_sq_init);

/*
 * The transport is done with the queue: no new request will be initialised
 * on it. Waits for every request in flight to complete, then drops the
 * queue's controller reference.
 */
void nvmet_sq_destroy(struct nvmet_sq *sq)
{
	struct nvmet_ctrl *ctrl = sq->ctrl;

	/* Parked AERs hold references on the admin queue: answer them first. */
	if (ctrl && sq->qid == 0)
		nvmet_async_events_failall(ctrl);
	percpu_ref_kill_and_confirm(&sq->ref, nvmet_sq_ref_confirm);
	wait_for_completion(&sq->confirm_done);
	wait_for_completion(&sq->free_done);
	percpu_ref_exit(&sq->ref);
	/* No authentication command runs any more: they hold references. */
	nvmet_auth_txn_free(sq->auth);
	sq->auth = NULL;

	if (ctrl) {
		/* Teardown may take a while: do not let keep alive expire meanwhile. */
		WRITE_ONCE(ctrl->reset_tbkas, true);
		mutex_lock(&ctrl->lock);
		if (ctrl->sqs[sq->qid] == sq) {
			/* Its CQ is the transport's too, and goes with it. */
			ctrl->sqs[sq->qid] = NULL;
			ctrl->cqs[sq->qid] = NULL;
		}
		mutex_unlock(&ctrl->lock);
		sq->ctrl = NULL;
		nvmet_ctrl_put(ctrl);
	}
}
EXPORT_SYMBOL_GPL(nvmet_sq_destroy);

/* --- requests ------------------------------------------------------------ */

static void nvmet_update_sq_head(struct nvmet_req *req)
{
	struct nvmet_sq *sq = req->sq;
	u32 old, new;

	if (!sq->size)
		return;
	old = READ_ONCE(sq->sqhd);
	do {
		new = (old + 1) % sq->size;
	} while (!try_cmpxchg(&sq->sqhd, &old, new));
}

static void nvmet_set_error(struct nvmet_req *req, u16 status)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;
	struct nvmet_error_slot *slot;
	unsigned long flags;

	if (!ctrl || (status & NVME_SCT_SC_MASK) == NVME_SC_SUCCESS)
		return;
	spin_lock_irqsave(&ctrl->error_lock, flags);
	ctrl->err_counter++;
	slot = &ctrl->slots[ctrl->err_counter % NVMET_ERROR_LOG_SLOTS];
	slot->error_count = ctrl->err_counter;
	slot->sqid = req->sq->qid;
	slot->cmdid = req->cmd->common.command_id;	/* opaque: as the host sent it */
	slot->status = status;
	slot->param_error_location = req->error_loc;
	slot->lba = req->error_slba;
	slot->nsid = req->ns ? req->ns->nsid : 0;
	spin_unlock_irqrestore(&ctrl->error_lock, flags);
	/* More information is in the error log. */
	status |= NVME_STATUS_MORE;
	req->cqe->status = cpu_to_le16(status << 1);
}

static void nvmet_stats_add(struct nvmet_io_stats __percpu *stats, enum nvmet_io_class cls,
			    u64 bytes, u64 lat_ns, bool error)
{
	this_cpu_inc(stats->cmds[cls]);
	this_cpu_add(stats->bytes[cls], bytes);
	this_cpu_add(stats->lat_ns[cls], lat_ns);
	if (error)
		this_cpu_inc(stats->errors);
}

/* Counts REQ for its controller and, on an I/O queue, its namespace. */
static void nvmet_account(struct nvmet_req *req, struct nvmet_ns *ns, u16 status)
{
	struct nvmet_ctrl *ctrl = req->sq->ctrl;
	enum nvmet_io_class cls = NVMET_IO_OTHER;
	u8 opcode = req->cmd->common.opcode;
	u64 lat_ns = ktime_get_ns() - req->start_ns;
	u64 bytes = 0;

	if (req->sq->qid && !nvme_is_fabrics(req->cmd)) {
		if (opcode == nvme_cmd_read)
			cls = NVMET_IO_READ;
		else if (opcode == nvme_cmd_write || opcode == nvme_cmd_zone_append)
			cls = NVMET_IO_WRITE;
	} else if (!req->sq->qid && opcode == nvme_admin_async_event) {
		lat_ns = 0;	/* parked until an event: not a latency */
	}
	if (cls != NVMET_IO_OTHER && !status)
		bytes = req->transfer_len;
	if (ctrl)
		nvmet_stats_add(ctrl->stats, cls, bytes, lat_ns, status);
	if (ns && req->sq->qid)
		nvmet_stats_add(ns->stats, cls, bytes, lat_ns, status);
}

/* Fills the CQE and hands the request back to the transport; no sq reference. */
void __nvmet_req_complete(struct nvmet_req *req, u16 status)
{
	struct nvmet_ns *ns = req->ns;
	struct nvmet_sq *sq = req->sq;
	int pr_srcu = req->pr_srcu;

	nvmet_account(req, ns, status);
	if (!sq->sqhd_disabled)
		nvmet_update_sq_head(req);
	req->cqe->sq_head = cpu_to_le16(READ_ONCE(sq->sqhd) & 0xffff);
	req->cqe->sq_id = cpu_to_le16(sq->qid);
	req->cqe->command_id = req->cmd->common.command_id;
	req->cqe->status = cpu_to_le16(status << 1);
	if (unlikely(status))
		nvmet_set_error(req, status);
	trace_nvmet_req_complete(req);
	req->ns = NULL;
	req->pr_srcu = -1;
	/* After this call the request may already be reused by the transport. */
	req->ops->queue_response(req);
	/* Once the completion is out: Preempt and Abort waits for it. */
	if (pr_srcu >= 0)
		nvmet_pr_srcu_exit(&ns->pr, pr_srcu);
	if (ns)
		nvmet_put_namespace(ns);
}

void nvmet_req_complete(struct nvmet_req *req, u16 status)
{
	struct nvmet_sq *sq = req->sq;

	__nvmet_req_complete(req, status);
	percpu_ref_put(&sq->ref);
}
EXPORT_SYMBOL_GPL(nvmet_req_complete);

void nvmet_req_uninit(struct nvmet_req *req)
{
	if (req->pr_srcu >= 0) {
		nvmet_pr_srcu_exit(&req->ns->pr, req->pr_srcu);
		req->pr_srcu = -1;
	}
	if (req->ns) {
		nvmet_put_namespace(req->ns);
		req->ns = NULL;
	}
	percpu_ref_put(&req->sq->ref);
}
EXPORT_SYMBOL_GPL(nvmet_req_uninit);

/*
 * ANA state of group grpid on port. The I/O path reads it without
 * nvmet_ana_sem (configfs writes it with WRITE_ONCE under the semaphore): a
 * command that races a state change sees the old or the new state.
 */
enum nvme_ana_state nvmet_port_ana_state(struct nvmet_port *port, u32 grpid)
{
	if (!port->ana_state || !grpid || grpid > NVMET_MAX_ANAGRPS)
		return NVME_ANA_OPTIMIZED;
	grpid = array_index_nospec(grpid, NVMET_MAX_ANAGRPS + 1);
	return READ_ONCE(port->ana_state[grpid]);
}

/*
 * The SGL must describe exactly the data the command moves: we do not set
 * SGLS bit 18, so a longer SGL is refused too rather than partly ignored (a
 * Write or Compare of fewer bytes than the host meant would succeed silently).
 * The log line says which lengths disagreed; nvme-cli's "-c N -z BYTES" sends
 * BYTES whatever the LBA size, and that is the usual cause.
 */
bool nvmet_check_transfer_len(struct nvmet_req *req, size_t len)
{
	if (unlikely(len != req->transfer_len)) {
		struct nvmet_ctrl *ctrl = req->sq ? req->sq->ctrl : NULL;

		pr_info_ratelimited("ctrl %u qid %u: opcode %#x nsid %u: data SGL of %zu bytes for a command that transfers %zu: refused with Data SGL Length Invalid\n",
				    ctrl ? ctrl->cntlid : 0, req->sq ? req->sq->qid : 0,
				    req->cmd->common.opcode, le32_to_cpu(req->cmd->common.nsid),
				    req->transfer_len, len);
		req->error_loc = offsetof(struct nvme_common_command, dptr);
		nvmet_req_complete(req, NVME_SC_SGL_INVALID_DATA | NVME_STATUS_DNR);
		return false;
	}
	return true;
}
EXPORT_SYMBOL_GPL(nvmet_check_transfer_len);

bool nvmet_check_data_len_lte(struct nvmet_req *req, size_t data_len)
{
	if (unlikely(data_len > req->transfer_len)) {
		req->error_loc = offsetof(struct nvme_common_command, dptr);
		nvmet_req_complete(req, NVME_SC_SGL_INVALID_DATA | NVME_STATUS_DNR);
		return false;
	}
	return true;
}

/* A buffer of nvmet_req_buf_len() bytes, not what the host's SGL says. */
int nvmet_req_alloc_sgls(struct nvmet_req *req)
{
	req->sg = sgl_alloc(nvmet_req_buf_len(req), GFP_KERNEL, &req->sg_cnt);
	if (unlikely(!req->sg))
		return -ENOMEM;
	return 0;
}
EXPORT_SYMBOL_GPL(nvmet_req_alloc_sgls);

void nvmet_req_free_sgls(struct nvmet_req *req)
{
	sgl_free(req->sg);
	req->sg = NULL;
	req->sg_cnt = 0;
}
EXPORT_SYMBOL_GPL(nvmet_req_free_sgls);

/*
 * A read command's SGL must not describe more than the command returns:
 * transports refuse it before they allocate a buffer (what its execute
 * would say). A write's surplus is left to the command.
 */
u16 nvmet_check_read_sgl_len(struct nvmet_req *req)
{
	if (nvme_is_write(req->cmd) || req->transfer_len <= req->data_len)
		return 0;
	req->error_loc = offsetof(struct nvme_common_command, dptr);
	return NVME_SC_SGL_INVALID_DATA | NVME_STATUS_DNR;
}
EXPORT_SYMBOL_GPL(nvmet_check_read_sgl_len);

u16 nvmet_copy_to_sgl(struct nvmet_req *req, off_t off, const void *buf, size_t len)
{
	if (sg_pcopy_from_buffer(req->sg, req->sg_cnt, buf, len, off) != len) {
		req->error_loc = offsetof(struct nvme_common_command, dptr);
		return NVME_SC_SGL_INVALID_DATA | NVME_STATUS_DNR;
	}
	return 0;
}

u16 nvmet_copy_from_sgl(struct nvmet_req *req, off_t off, void *buf, size_t len)
{
	if (sg_pcopy_to_buffer(req->sg, req->sg_cnt, buf, len, off) != len) {
		req->error_loc = offsetof(struct nvme_common_command, dptr);
		return NVME_SC_SGL_INVALID_DATA | NVME_STATUS_DNR;
	}
	return 0;
}

u16 nvmet_zero_sgl(struct nvmet_req *req, off_t off, size_t len)
{
	if (sg_zero_buffer(req->sg, req->sg_cnt, len, off) != len) {
		req->error_loc = offsetof(struct nvme_common_command, dptr);
		return NVME_SC_SGL_INVALID_DATA | NVME_STATUS_DNR;
	}
	return 0;
}

u16 errno_to_nvme_status(struct nvmet_req *req, int errno)
{
	switch (errno) {
	case 0:
		return NVME_SC_SUCCESS;
	case -ENOSPC:
		req->error_loc = offsetof(struct nvme_rw_command, length);
		return NVME_SC_CAP_EXCEEDED | NVME_STATUS_DNR;
	case -EREMOTEIO:
		req->error_loc = offsetof(struct nvme_rw_command, slba);
		return NVME_SC_LBA_RANGE | NVME_STATUS_DNR;
	case -EOPNOTSUPP:
		req->error_loc = offsetof(struct nvme_common_command, opcode);
		return NVME_SC_INVALID_OPCODE | NVME_STATUS_DNR;
	case -ENODATA:
		req->error_loc = offsetof(struct nvme_rw_command, nsid);
		return NVME_SC_ACCESS_DENIED;
	default:
		req->error_loc = offsetof(struct nvme_common_command, opcode);
		return NVME_SC_INTERNAL | NVME_STATUS_DNR;
	}
}

u16 blk_to_nvme_status(struct nvmet_req *req, blk_status_t blk_sts)
{
	u16 status;

	switch (blk_sts) {
	case BLK_STS_OK:
		return NVME_SC_SUCCESS;
	case BLK_STS_NOSPC:
		req->error_loc = offsetof(struct nvme_rw_command, length);
		return NVME_SC_CAP_EXCEEDED | NVME_STATUS_DNR;
	case BLK_STS_TARGET:
		req->error_loc = offsetof(struct nvme_rw_command, slba);
		return NVME_SC_LBA_RANGE | NVME_STATUS_DNR;
	case BLK_STS_NOTSUPP:
		req->error_loc = offsetof(struct nvme_common_command, opcode);
		return NVME_SC_INVALID_OPCODE | NVME_STATUS_DNR;
	case BLK_STS_MEDIUM:
		req->error_loc = offsetof(struct nvme_rw_command, nsid);
		return NVME_SC_ACCESS_DENIED;
	default:
		break;
	}
	switch (req->cmd->common.opcode) {
	case nvme_cmd_read:
	case nvme_cmd_write:
		status = req->cmd->common.opcode == nvme_cmd_read ?
			 NVME_SC_READ_ERROR : NVME_SC_WRITE_FAULT;
		req->error_loc = offsetof(struct nvme_rw_command, slba);
		break;
	default:
		status = NVME_SC_INTERNAL | NVME_STATUS_DNR;
		req->error_loc = offsetof(struct nvme_common_command, opcode);
		break;
	}
	return status;
}

/* --- events ------------------------------------------------------------- */

/*
 * Where events go (netlink.c registers it at module init, before configfs
 * exists, and removes it after configfs is gone): the core reports through
 * this table so that it never calls up into the netlink family.
 */
static const struct nvmet_event_ops *nvmet_event_sink;

void nvmet_set_event_ops(const struct nvmet_event_ops *ops)
{
	WRITE_ONCE(nvmet_event_sink, ops);
}

void nvmet_event_ctrl(u8 event, struct nvmet_ctrl *ctrl)
{
	const struct nvmet_event_ops *ops = READ_ONCE(nvmet_event_sink);

	if (ops)
		ops->ctrl(event, ctrl);
}

void nvmet_event_auth_failure(struct nvmet_ctrl *ctrl, u16 qid, u8 reason)
{
	const struct nvmet_event_ops *ops = READ_ONCE(nvmet_event_sink);

	if (ops && ops->auth_failure)
		ops->auth_failure(ctrl, qid, reason);
}

void nvmet_event_ns(u8 event, struct nvmet_ns *ns)
{
	const struct nvmet_event_ops *ops = READ_ONCE(nvmet_event_sink);

	if (ops)
		ops->ns(event, ns);
}

void nvmet_event_port(u8 event, struct nvmet_port *port)
{
	const struct nvmet_event_ops *ops = READ_ONCE(nvmet_event_sink);

	if (ops)
		ops->port(event, port);
}

/* --- core init ---------------------------------------------------------- */

/* The core's workqueues and the discovery subsystem; main.c calls it first. */
int nvmet_core_init(void)
{
	struct nvmet_subsys *disc;
	int ret = -ENOMEM;

	nvmet_ana_group_enabled[NVMET_DEFAULT_ANA_GRPID] = 1;

	nvmet_wq = alloc_workqueue("nvmet-wq", WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
	if (!nvmet_wq)
		return -ENOMEM;
	nvmet_io_wq = alloc_workqueue("nvmet-io-wq", WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
	if (!nvmet_io_wq)
		goto out_free_wq;
	nvmet_buffered_io_wq = alloc_workqueue("nvmet-buffered-io-wq",
					       WQ_MEM_RECLAIM | WQ_PERCPU, 0);
	if (!nvmet_buffered_io_wq)
		goto out_free_io_wq;
	nvmet_pr_wq = alloc_workqueue("nvmet-pr-wq", WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
	if (!nvmet_pr_wq)
		goto out_free_buffered_wq;
	disc = nvmet_subsys_alloc(NVME_DISC_SUBSYS_NAME, NVME_NQN_CURR);
	if (IS_ERR_OR_NULL(disc)) {
		ret = disc ? PTR_ERR(disc) : -ENOMEM;
		goto out_free_pr_wq;
	}
	nvmet_disc_subsys = disc;
	return 0;

out_free_pr_wq:
	destroy_workqueue(nvmet_pr_wq);
out_free_buffered_wq:
	destroy_workqueue(nvmet_buffered_io_wq);
out_free_io_wq:
	destroy_workqueue(nvmet_io_wq);
out_free_wq:
	destroy_workqueue(nvmet_wq);
	return ret;
}

void nvmet_core_exit(void)
{
	nvmet_subsys_put(nvmet_disc_subsys);
	nvmet_disc_subsys = NULL;
	ida_destroy(&nvmet_cntlid_ida);
	destroy_workqueue(nvmet_pr_wq);
	destroy_workqueue(nvmet_buffered_io_wq);
	destroy_workqueue(nvmet_io_wq);
	destroy_workqueue(nvmet_wq);
}
