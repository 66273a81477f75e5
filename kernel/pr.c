// SPDX-License-Identifier: GPL-2.0
/*
 * Reservations (NVMe Base 2.x, "Reservations"): Reservation Register,
 * Acquire, Release and Report on a namespace with resv_enable, the access
 * check every I/O command of such a namespace passes, the Reservation
 * Notification log page (80h) and its event, Features 82h (notification mask)
 * and 83h (persistence), and Persist Through Power Loss: the state kept in a
 * file of the administrator's choosing (resv_ptpl_file, docs/reservations.md).
 *
 * The state of a namespace is a struct nvmet_pr_state that is never changed
 * once published: a change builds a new one under pr->lock, makes it durable
 * when PTPL asks for it, then publishes it (RCU). The I/O path reads it
 * without a lock. Registrations belong to host identifiers, so all the
 * controllers of one host share them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/crc32c.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/unaligned.h>

#include "nvmet.h"

/* CDW10 of Register, Acquire and Release. */
#define NVMET_PR_ACTION(cdw10)		((cdw10) & 0x7)
#define NVMET_PR_IEKEY			BIT(3)
#define NVMET_PR_RTYPE(cdw10)		(((cdw10) >> 8) & 0xff)
#define NVMET_PR_CPTPL(cdw10)		((cdw10) >> 30)
#define NVMET_PR_CPTPL_CLEAR		2
#define NVMET_PR_CPTPL_SET		3
/* Reservation Report: CDW11 bit 0, the extended data structure. */
#define NVMET_PR_REPORT_EDS		BIT(0)
/*
 * Reservation Notification log page types (NVMe Base 2.x; Linux's names for
 * them differ between kernels, one misspelled).
 */
#define NVMET_PR_LOG_REG_PREEMPTED	1
#define NVMET_PR_LOG_RESV_RELEASED	2
#define NVMET_PR_LOG_RESV_PREEMPTED	3
/* Notification Mask (Feature 82h) bits: the log page types they mask. */
#define NVMET_PR_MASK_ALL		(BIT(NVMET_PR_LOG_REG_PREEMPTED) | \
					 BIT(NVMET_PR_LOG_RESV_RELEASED) | \
					 BIT(NVMET_PR_LOG_RESV_PREEMPTED))
/* Feature 83h: CDW11 bit 0, Persist Through Power Loss. */
#define NVMET_PR_FEAT_PTPL		BIT(0)

static bool nvmet_pr_all_regs(u8 rtype)
{
	return rtype == NVME_PR_WRITE_EXCLUSIVE_ALL_REGS ||
	       rtype == NVME_PR_EXCLUSIVE_ACCESS_ALL_REGS;
}

static bool nvmet_pr_regs_only(u8 rtype)
{
	return rtype == NVME_PR_WRITE_EXCLUSIVE_REG_ONLY ||
	       rtype == NVME_PR_EXCLUSIVE_ACCESS_REG_ONLY;
}

static struct nvmet_pr_state *nvmet_pr_state_alloc(u16 nr)
{
	struct nvmet_pr_state *s;

	s = kzalloc(struct_size(s, regs, nr), GFP_KERNEL);
	if (s)
		s->nr = nr;
	return s;
}

/* A copy of OLD and EXTRA more registrations after its own (zeroed: the caller fills them). */
static struct nvmet_pr_state *nvmet_pr_state_dup(const struct nvmet_pr_state *old, u16 extra)
{
	struct nvmet_pr_state *s = nvmet_pr_state_alloc(old->nr + extra);

	if (!s)
		return NULL;
	s->gen = old->gen;
	s->rtype = old->rtype;
	s->ptpl = old->ptpl;
	uuid_copy(&s->holder, &old->holder);
	memcpy(s->regs, old->regs, old->nr * sizeof(old->regs[0]));
	return s;
}

static int nvmet_pr_find(const struct nvmet_pr_state *s, const uuid_t *hostid)
{
	int i;

	for (i = 0; i < s->nr; i++)
		if (uuid_equal(&s->regs[i].hostid, hostid))
			return i;
	return -1;
}

static void nvmet_pr_remove(struct nvmet_pr_state *s, int i)
{
	memmove(&s->regs[i], &s->regs[i + 1], (s->nr - i - 1) * sizeof(s->regs[0]));
	s->nr--;
}

/* Whether HOSTID holds the reservation of S (every registrant, for all-registrants types). */
static bool nvmet_pr_is_holder(const struct nvmet_pr_state *s, const uuid_t *hostid)
{
	if (!s->rtype)
		return false;
	if (nvmet_pr_all_regs(s->rtype))
		return nvmet_pr_find(s, hostid) >= 0;
	return uuid_equal(&s->holder, hostid);
}

/*
 * A reservation whose holder is gone is released: a holder of types 1-4 that
 * is no longer registered, or the last registrant of an all-registrants one.
 */
static void nvmet_pr_drop_orphan(struct nvmet_pr_state *s)
{
	if (!s->rtype)
		return;
	if (nvmet_pr_all_regs(s->rtype) ? !s->nr : nvmet_pr_find(s, &s->holder) < 0) {
		s->rtype = 0;
		uuid_copy(&s->holder, &uuid_null);
	}
}

/* --- persistence (resv_ptpl_file) ---------------------------------------- */

/*
 * The file holds two slots of NVMET_PR_SLOT_SIZE bytes, written in turn: a
 * change goes to the older slot and is synced before the command completes,
 * so a crash mid-write leaves the other, complete one. The valid slot with the
 * higher sequence number is the state. All fields little endian; the layout
 * is ours (docs/reservations.md), versioned by NVMET_PR_FILE_VERSION.
 */
#define NVMET_PR_SLOT_SIZE	8192
#define NVMET_PR_FILE_MAGIC	"NVMETPR\n"
#define NVMET_PR_FILE_VERSION	1
#define NVMET_PR_HDR_SIZE	512

struct nvmet_pr_file_hdr {
	u8		magic[8];
	__le32		version;
	__le32		crc;		/* crc32c of the slot, this field zero */
	__le64		seq;
	__le32		nsid;
	__le32		gen;
	u8		rtype;
	u8		ptpl;
	__le16		nr;
	u8		holder[16];
	u8		rsvd52[12];
	char		subsysnqn[NVMF_NQN_SIZE + 1];	/* NUL terminated */
	u8		rsvd[NVMET_PR_HDR_SIZE - 64 - NVMF_NQN_SIZE - 1];
};

struct nvmet_pr_file_reg {
	u8		hostid[16];
	__le64		rkey;
	u8		rsvd[8];
};

static_assert(sizeof(struct nvmet_pr_file_hdr) == NVMET_PR_HDR_SIZE);
static_assert(sizeof(struct nvmet_pr_file_reg) == 32);
static_assert(NVMET_PR_HDR_SIZE + NVMET_PR_MAX_REGISTRANTS * 32 <= NVMET_PR_SLOT_SIZE);

static u32 nvmet_pr_slot_crc(const void *slot)
{
	const struct nvmet_pr_file_hdr *h = slot;
	static const u8 zero[4];
	u32 crc;

	crc = crc32c(~0U, slot, offsetof(struct nvmet_pr_file_hdr, crc));
	crc = crc32c(crc, zero, sizeof(zero));
	crc = crc32c(crc, &h->seq, NVMET_PR_SLOT_SIZE - offsetof(struct nvmet_pr_file_hdr, seq));
	return ~crc;
}

static void nvmet_pr_slot_fill(struct nvmet_ns *ns, void *slot, const struct nvmet_pr_state *s,
			       u64 seq)
{
	struct nvmet_pr_file_hdr *h = slot;
	struct nvmet_pr_file_reg *r = slot + NVMET_PR_HDR_SIZE;
	int i;

	memset(slot, 0, NVMET_PR_SLOT_SIZE);
	memcpy(h->magic, NVMET_PR_FILE_MAGIC, sizeof(h->magic));
	h->version = cpu_to_le32(NVMET_PR_FILE_VERSION);
	h->seq = cpu_to_le64(seq);
	h->nsid = cpu_to_le32(ns->nsid);
	h->gen = cpu_to_le32(s->gen);
	h->rtype = s->rtype;
	h->ptpl = s->ptpl;
	h->nr = cpu_to_le16(s->nr);
	export_uuid(h->holder, &s->holder);
	strscpy(h->subsysnqn, ns->subsys->subsysnqn, sizeof(h->subsysnqn));
	for (i = 0; i < s->nr; i++) {
		export_uuid(r[i].hostid, &s->regs[i].hostid);
		r[i].rkey = cpu_to_le64(s->regs[i].rkey);
	}
	h->crc = cpu_to_le32(nvmet_pr_slot_crc(slot));
}

/* Two of the reasons a slot is not valid, told apart by the loader. */
static const char nvmet_pr_slot_empty[] = "empty";
static const char nvmet_pr_slot_bad_crc[] = "checksum mismatch";

/* Why SLOT is not a valid state of NS (NULL: it is). */
static const char *nvmet_pr_slot_invalid(struct nvmet_ns *ns, const void *slot)
{
	const struct nvmet_pr_file_hdr *h = slot;
	u16 nr = le16_to_cpu(h->nr);

	if (!memchr_inv(slot, 0, NVMET_PR_SLOT_SIZE))
		return nvmet_pr_slot_empty;
	if (memcmp(h->magic, NVMET_PR_FILE_MAGIC, sizeof(h->magic)))
		return "not a reservation state (bad magic)";
	if (le32_to_cpu(h->crc) != nvmet_pr_slot_crc(slot))
		return nvmet_pr_slot_bad_crc;
	if (le32_to_cpu(h->version) != NVMET_PR_FILE_VERSION)
		return "unknown version";
	if (nr > NVMET_PR_MAX_REGISTRANTS || h->rtype > NVME_PR_EXCLUSIVE_ACCESS_ALL_REGS ||
	    h->ptpl > 1)
		return "field out of range";
	if (le32_to_cpu(h->nsid) != ns->nsid ||
	    strncmp(h->subsysnqn, ns->subsys->subsysnqn, sizeof(h->subsysnqn)))
		return "written for another namespace (subsystem NQN or NSID differ)";
	return NULL;
}

static struct nvmet_pr_state *nvmet_pr_slot_state(const void *slot)
{
	const struct nvmet_pr_file_hdr *h = slot;
	const struct nvmet_pr_file_reg *r = slot + NVMET_PR_HDR_SIZE;
	struct nvmet_pr_state *s;
	int i;

	s = nvmet_pr_state_alloc(le16_to_cpu(h->nr));
	if (!s)
		return NULL;
	s->gen = le32_to_cpu(h->gen);
	s->rtype = h->rtype;
	s->ptpl = h->ptpl;
	import_uuid(&s->holder, h->holder);
	for (i = 0; i < s->nr; i++) {
		import_uuid(&s->regs[i].hostid, r[i].hostid);
		s->regs[i].rkey = le64_to_cpu(r[i].rkey);
	}
	nvmet_pr_drop_orphan(s);
	return s;
}

/* Writes S as slot SEQ (the older of the two) and syncs it; 0 or an errno. */
static int nvmet_pr_write_slot(struct nvmet_ns *ns, const struct nvmet_pr_state *s, u64 seq)
{
	loff_t pos = (seq & 1) * NVMET_PR_SLOT_SIZE;
	void *slot;
	ssize_t n;

	slot = kvmalloc(NVMET_PR_SLOT_SIZE, GFP_KERNEL);
	if (!slot)
		return -ENOMEM;
	nvmet_pr_slot_fill(ns, slot, s, seq);
	n = kernel_write(ns->pr.file, slot, NVMET_PR_SLOT_SIZE, &pos);
	kvfree(slot);
	if (n != NVMET_PR_SLOT_SIZE)
		return n < 0 ? n : -EIO;
	return vfs_fsync(ns->pr.file, 0);
}

/*
 * Makes NEW durable in place of OLD; 0 or an errno. A failed write may
 * still reach the file later (the page cache holds it): the slot is written
 * again with OLD, and if that fails too, no change is accepted any more
 * until the namespace is disabled, so a change hosts were told failed never
 * comes back after a restart.
 */
static int nvmet_pr_persist(struct nvmet_ns *ns, const struct nvmet_pr_state *old,
			    const struct nvmet_pr_state *new)
{
	struct nvmet_pr *pr = &ns->pr;
	int ret;

	if (pr->broken)
		return -EIO;
	ret = nvmet_pr_write_slot(ns, new, pr->seq + 1);
	if (!ret) {
		pr->seq++;
		return 0;
	}
	pr_err_ratelimited("namespace %u of %s: writing reservation state to %s failed (%d); the command that changed it fails and the state is unchanged\n",
			   ns->nsid, ns->subsys->subsysnqn, ns->pr_ptpl_path, ret);
	if (nvmet_pr_write_slot(ns, old, pr->seq + 1)) {
		pr_err("namespace %u of %s: %s may now hold a change that failed; reservations refuse changes until the namespace is disabled: check the file system, then disable and enable the namespace\n",
		       ns->nsid, ns->subsys->subsysnqn, ns->pr_ptpl_path);
		pr->broken = true;
	} else {
		pr->seq++;
	}
	return ret;
}

/* Syncs the directory that holds PATH, so that a file just created stays. */
static void nvmet_pr_sync_dir(struct nvmet_ns *ns, const char *path)
{
	const char *slash = strrchr(path, '/');
	struct file *dir;
	char *name;
	int ret;

	name = kstrndup(path, slash == path ? 1 : slash - path, GFP_KERNEL);
	if (!name)
		return;
	dir = filp_open(name, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	ret = IS_ERR(dir) ? PTR_ERR(dir) : vfs_fsync(dir, 0);
	if (!IS_ERR(dir))
		fput(dir);
	if (ret)
		pr_warn("namespace %u of %s: syncing directory %s of the reservation state file failed (%d)\n",
			ns->nsid, ns->subsys->subsysnqn, name, ret);
	kfree(name);
}

/*
 * A new (or empty) state file gets both slots, no registrations, PTPL off,
 * synced with its directory: from then on a write only ever replaces a
 * complete slot, and the file's space is allocated now, not on a command.
 */
static int nvmet_pr_init_file(struct nvmet_ns *ns)
{
	struct nvmet_pr_state *s = nvmet_pr_state_alloc(0);
	int ret;

	if (!s)
		return -ENOMEM;
	ret = nvmet_pr_write_slot(ns, s, 1);
	if (!ret)
		ret = nvmet_pr_write_slot(ns, s, 2);
	kfree(s);
	if (ret) {
		pr_err("namespace %u of %s: writing the new reservation state file %s failed (%d)\n",
		       ns->nsid, ns->subsys->subsysnqn, ns->pr_ptpl_path, ret);
		return ret;
	}
	ns->pr.seq = 2;
	nvmet_pr_sync_dir(ns, ns->pr_ptpl_path);
	return 0;
}

/*
 * Opens resv_ptpl_file (created if absent) and reads the state it holds:
 * the one with PTPL on is restored, one with PTPL off starts empty.
 */
static int nvmet_pr_load(struct nvmet_ns *ns, struct nvmet_pr_state **sp)
{
	const char *why[2];
	struct nvmet_pr *pr = &ns->pr;
	struct file *file;
	loff_t pos = 0, size;
	void *buf;
	ssize_t n;
	int best = -1, i, ret = 0;
	u64 seq[2] = {};

	file = filp_open(ns->pr_ptpl_path, O_RDWR | O_CREAT | O_LARGEFILE | O_CLOEXEC, 0600);
	if (IS_ERR(file)) {
		pr_err("namespace %u of %s: cannot open reservation state file %s (%ld); check the path in resv_ptpl_file\n",
		       ns->nsid, ns->subsys->subsysnqn, ns->pr_ptpl_path, PTR_ERR(file));
		return PTR_ERR(file);
	}
	if (!S_ISREG(file_inode(file)->i_mode)) {
		pr_err("namespace %u of %s: reservation state file %s is not a regular file\n",
		       ns->nsid, ns->subsys->subsysnqn, ns->pr_ptpl_path);
		fput(file);
		return -EINVAL;
	}
	size = i_size_read(file_inode(file));
	if (!size) {
		pr->file = file;
		ret = nvmet_pr_init_file(ns);
		if (ret) {
			pr->file = NULL;
			fput(file);
		}
		return ret;
	}
	if (size != 2 * NVMET_PR_SLOT_SIZE) {
		pr_err("namespace %u of %s: reservation state file %s is corrupt (%lld bytes, not %u); the namespace stays disabled: restore the file, or move it away to start with no reservations\n",
		       ns->nsid, ns->subsys->subsysnqn, ns->pr_ptpl_path, size,
		       2 * NVMET_PR_SLOT_SIZE);
		fput(file);
		return -EUCLEAN;
	}
	buf = kvzalloc(2 * NVMET_PR_SLOT_SIZE, GFP_KERNEL);
	if (!buf) {
		fput(file);
		return -ENOMEM;
	}
	n = kernel_read(file, buf, 2 * NVMET_PR_SLOT_SIZE, &pos);
	if (n != 2 * NVMET_PR_SLOT_SIZE) {
		ret = n < 0 ? n : -EIO;
		pr_err("namespace %u of %s: reading reservation state file %s failed (%d)\n",
		       ns->nsid, ns->subsys->subsysnqn, ns->pr_ptpl_path, ret);
		goto out;
	}
	for (i = 0; i < 2; i++) {
		const struct nvmet_pr_file_hdr *h = buf + i * NVMET_PR_SLOT_SIZE;

		why[i] = nvmet_pr_slot_invalid(ns, h);
		seq[i] = le64_to_cpu(h->seq);
		if (why[i])
			continue;
		if (best < 0 || seq[i] > seq[best])
			best = i;
	}
	/*
	 * The other slot is valid, empty, or a torn write of the next state:
	 * a crash while a command changed it, so that command never completed
	 * and the valid slot is the state hosts were told. A torn slot has
	 * its header (one sector) old or new: a sequence number one below or
	 * one above the valid slot's. Anything else is damage, and guessing
	 * could bring back a reservation hosts saw go: refuse.
	 */
	if (best >= 0 && why[!best] && why[!best] != nvmet_pr_slot_empty &&
	    !(why[!best] == nvmet_pr_slot_bad_crc &&
	      (seq[!best] == seq[best] + 1 || seq[!best] + 1 == seq[best])))
		best = -1;
	if (best < 0) {
		pr_err("namespace %u of %s: reservation state file %s is corrupt (slot 0: %s; slot 1: %s); the namespace stays disabled: restore the file, or move it away to start with no reservations\n",
		       ns->nsid, ns->subsys->subsysnqn, ns->pr_ptpl_path, why[0] ?: "valid",
		       why[1] ?: "valid");
		ret = -EUCLEAN;
		goto out;
	}
	if (why[!best] && why[!best] != nvmet_pr_slot_empty)
		pr_warn("namespace %u of %s: reservation state file %s: an incomplete write of a newer state (a crash during a command that was never completed) is ignored\n",
			ns->nsid, ns->subsys->subsysnqn, ns->pr_ptpl_path);
	pr->seq = seq[best];
	if (((struct nvmet_pr_file_hdr *)(buf + best * NVMET_PR_SLOT_SIZE))->ptpl) {
		*sp = nvmet_pr_slot_state(buf + best * NVMET_PR_SLOT_SIZE);
		if (!*sp)
			ret = -ENOMEM;
		else
			pr_info("namespace %u of %s: restored %u registrations and reservation type %u from %s\n",
				ns->nsid, ns->subsys->subsysnqn, (*sp)->nr, (*sp)->rtype,
				ns->pr_ptpl_path);
	}
out:
	kvfree(buf);
	if (ret)
		fput(file);
	else
		pr->file = file;
	return ret;
}

/* --- enable, disable ----------------------------------------------------- */

int nvmet_pr_enable(struct nvmet_ns *ns)
{
	struct nvmet_pr *pr = &ns->pr;
	struct nvmet_pr_state *s = NULL;
	int ret;

	mutex_init(&pr->lock);
	pr->file = NULL;
	pr->seq = 0;
	pr->broken = false;
	pr->retired = NULL;
	if (ns->pr_ptpl_path) {
		ret = nvmet_pr_load(ns, &s);
		if (ret)
			return ret;
	}
	if (!s)
		s = nvmet_pr_state_alloc(0);
	if (!s) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = init_srcu_struct(&pr->srcu);
	if (ret) {
		kfree(s);
		goto fail;
	}
	RCU_INIT_POINTER(pr->state, s);
	return 0;
fail:
	if (pr->file)
		fput(pr->file);
	pr->file = NULL;
	return ret;
}

/* After the namespace's last command: the in-memory state goes (the file stays). */
void nvmet_pr_disable(struct nvmet_ns *ns)
{
	struct nvmet_pr *pr = &ns->pr;

	cleanup_srcu_struct(&pr->srcu);
	kfree(rcu_dereference_protected(pr->state, 1));
	RCU_INIT_POINTER(pr->state, NULL);
	if (pr->file)
		fput(pr->file);
	pr->file = NULL;
	mutex_destroy(&pr->lock);
}

u8 nvmet_pr_rescap(struct nvmet_ns *ns)
{
	u8 rescap;

	if (!ns->pr_enable)
		return 0;
	rescap = NVME_PR_SUPPORT_WRITE_EXCLUSIVE | NVME_PR_SUPPORT_EXCLUSIVE_ACCESS |
		 NVME_PR_SUPPORT_WRITE_EXCLUSIVE_REG_ONLY |
		 NVME_PR_SUPPORT_EXCLUSIVE_ACCESS_REG_ONLY |
		 NVME_PR_SUPPORT_WRITE_EXCLUSIVE_ALL_REGS |
		 NVME_PR_SUPPORT_EXCLUSIVE_ACCESS_ALL_REGS |
		 NVME_PR_SUPPORT_IEKEY_VER_1_3_DEF;
	if (ns->pr_ptpl_path)
		rescap |= NVME_PR_SUPPORT_PTPL;
	return rescap;
}

/* --- notifications ------------------------------------------------------- */

/* Notification mask (Feature 82h) of CTRL for NSID. */
static u8 nvmet_pr_ctrl_mask(struct nvmet_ctrl *ctrl, u32 nsid)
{
	void *v = xa_load(&ctrl->pr_masks, nsid);

	return v ? xa_to_value(v) : 0;
}

/*
 * Log page 80h entry TYPE for NSID to every controller of HOSTID that has
 * not masked it, and the event that says the log has something. The oldest
 * entry gives way when the log is full (the Log Page Count shows the gap).
 */
static void nvmet_pr_notify_host(struct nvmet_ns *ns, const uuid_t *hostid, u8 type)
{
	struct nvmet_subsys *subsys = ns->subsys;
	struct nvmet_ctrl *ctrl;
	struct nvme_pr_log *e;
	bool aen;

	mutex_lock(&subsys->lock);
	list_for_each_entry(ctrl, &subsys->ctrls, subsys_entry) {
		if (!uuid_equal(&ctrl->hostid, hostid) ||
		    (nvmet_pr_ctrl_mask(ctrl, ns->nsid) & BIT(type)))
			continue;
		mutex_lock(&ctrl->lock);
		if (ctrl->pr_log_nr == NVMET_PR_LOG_SLOTS) {
			ctrl->pr_log_first = (ctrl->pr_log_first + 1) % NVMET_PR_LOG_SLOTS;
			ctrl->pr_log_nr--;
		}
		e = &ctrl->pr_log[(ctrl->pr_log_first + ctrl->pr_log_nr) % NVMET_PR_LOG_SLOTS];
		ctrl->pr_log_nr++;
		/* The count is never 0 (which means an empty page) after wrapping. */
		if (!++ctrl->pr_log_count)
			ctrl->pr_log_count = 1;
		memset(e, 0, sizeof(*e));
		e->count = cpu_to_le64(ctrl->pr_log_count);
		e->type = type;
		e->nsid = cpu_to_le32(ns->nsid);
		mutex_unlock(&ctrl->lock);
		aen = !test_and_set_bit(NVMET_AEN_BIT_RESV_LOG, &ctrl->aen_masked);
		if (aen)
			nvmet_add_async_event(ctrl, NVME_AER_CSS, NVME_AEN_RESV_LOG_PAGE_AVALIABLE,
					      NVME_LOG_RESERVATION);
	}
	mutex_unlock(&subsys->lock);
}

/* TYPE to every registrant of S but ME. */
static void nvmet_pr_notify_regs(struct nvmet_ns *ns, const struct nvmet_pr_state *s,
				 const uuid_t *me, u8 type)
{
	int i;

	for (i = 0; i < s->nr; i++)
		if (!uuid_equal(&s->regs[i].hostid, me))
			nvmet_pr_notify_host(ns, &s->regs[i].hostid, type);
}

/* Registration Preempted to each registrant of OLD that NEW no longer has, but ME. */
static void nvmet_pr_notify_preempted(struct nvmet_ns *ns, const struct nvmet_pr_state *old,
				      const struct nvmet_pr_state *new, const uuid_t *me)
{
	int i;

	for (i = 0; i < old->nr; i++)
		if (!uuid_equal(&old->regs[i].hostid, me) &&
		    nvmet_pr_find(new, &old->regs[i].hostid) < 0)
			nvmet_pr_notify_host(ns, &old->regs[i].hostid,
					     NVMET_PR_LOG_REG_PREEMPTED);
}

/*
 * Log page 80h for CTRL: the oldest entry, taken off the log, with the number
 * of entries left; an all-zero entry when there is none.
 */
void nvmet_pr_log_pop(struct nvmet_ctrl *ctrl, struct nvme_pr_log *e)
{
	memset(e, 0, sizeof(*e));
	mutex_lock(&ctrl->lock);
	if (ctrl->pr_log_nr) {
		*e = ctrl->pr_log[ctrl->pr_log_first];
		ctrl->pr_log_first = (ctrl->pr_log_first + 1) % NVMET_PR_LOG_SLOTS;
		ctrl->pr_log_nr--;
		e->nr_pages = min_t(u32, ctrl->pr_log_nr, U8_MAX);
	}
	mutex_unlock(&ctrl->lock);
}

/* --- publishing a change ------------------------------------------------- */

/*
 * Makes NEW the namespace's state: first durable (when PTPL is or was on),
 * then visible. On failure NEW is freed and the state stays as it was. The
 * state replaced stays readable (the caller tells its hosts what changed)
 * until nvmet_pr_unlock().
 */
static u16 nvmet_pr_commit(struct nvmet_ns *ns, struct nvmet_pr_state *new)
{
	struct nvmet_pr *pr = &ns->pr;
	struct nvmet_pr_state *old = rcu_dereference_protected(pr->state,
							       lockdep_is_held(&pr->lock));

	if (pr->file && (old->ptpl || new->ptpl) && nvmet_pr_persist(ns, old, new)) {
		kfree(new);
		return NVME_SC_INTERNAL;
	}
	rcu_assign_pointer(pr->state, new);
	if (pr->retired)
		kfree_rcu(pr->retired, rcu);
	pr->retired = old;
	nvmet_event_ns(NVMET_EVT_NS_RESV, ns);
	return NVME_SC_SUCCESS;
}

static void nvmet_pr_unlock(struct nvmet_pr *pr)
{
	struct nvmet_pr_state *old = pr->retired;

	pr->retired = NULL;
	mutex_unlock(&pr->lock);
	if (old)
		kfree_rcu(old, rcu);
}

static struct nvmet_pr_state *nvmet_pr_locked_state(struct nvmet_ns *ns)
{
	return rcu_dereference_protected(ns->pr.state, lockdep_is_held(&ns->pr.lock));
}

/*
 * Preempt and Abort: the commands of the preempted hosts on this namespace
 * must not complete after the command that preempted them. A command holds
 * the namespace's SRCU read side from its access check to its completion, so
 * once a grace period has passed after the new state was published, every
 * command admitted under the old state is done. One that waits for data a
 * host does not send is ended by closing its queue after the grace time, as
 * when a namespace is disabled.
 */
static void nvmet_pr_wait_inflight(struct nvmet_ns *ns)
{
	unsigned long deadline = jiffies + NVMET_NS_DISABLE_GRACE_SECS * HZ;
	unsigned long cookie = start_poll_synchronize_srcu(&ns->pr.srcu);
	struct nvmet_subsys *subsys = ns->subsys;
	bool closed = false;

	while (!poll_state_synchronize_srcu(&ns->pr.srcu, cookie)) {
		if (!closed && time_after(jiffies, deadline)) {
			pr_warn("namespace %u of %s: preempt and abort: commands still wait for host data after %u s; closing their queues\n",
				ns->nsid, subsys->subsysnqn, NVMET_NS_DISABLE_GRACE_SECS);
			nvmet_ns_close_stalled(ns);
			closed = true;
		}
		usleep_range(1000, 2000);
	}
}

/* --- Reservation Register ------------------------------------------------ */

static u16 nvmet_pr_register(struct nvmet_req *req, u32 cdw10, u64 crkey, u64 nrkey)
{
	struct nvmet_ns *ns = req->ns;
	const uuid_t *me = &req->sq->ctrl->hostid;
	struct nvmet_pr_state *old = nvmet_pr_locked_state(ns), *new;
	bool iekey = cdw10 & NVMET_PR_IEKEY;
	u8 cptpl = NVMET_PR_CPTPL(cdw10);
	bool released = false;
	int i = nvmet_pr_find(old, me);

	/* CPTPL 01b is reserved; PTPL on needs a file to keep the state in. */
	if (cptpl == 1 || (cptpl == NVMET_PR_CPTPL_SET && !ns->pr.file))
		return nvmet_field_error(req, NVMET_LOC_CDW10);

	switch (NVMET_PR_ACTION(cdw10)) {
	case NVME_PR_REGISTER_ACT_REG:
		if (i >= 0) {
			/* Registering the same key again succeeds (and counts). */
			if (old->regs[i].rkey != nrkey)
				return NVME_SC_RESERVATION_CONFLICT | NVME_STATUS_DNR;
			new = nvmet_pr_state_dup(old, 0);
			if (!new)
				return NVME_SC_INTERNAL;
			break;
		}
		if (old->nr >= NVMET_PR_MAX_REGISTRANTS) {
			pr_warn_ratelimited("namespace %u of %s: a host registered beyond the %u registrations a namespace keeps\n",
					    ns->nsid, ns->subsys->subsysnqn,
					    NVMET_PR_MAX_REGISTRANTS);
			return NVME_SC_CAP_EXCEEDED | NVME_STATUS_DNR;
		}
		new = nvmet_pr_state_dup(old, 1);
		if (!new)
			return NVME_SC_INTERNAL;
		uuid_copy(&new->regs[old->nr].hostid, me);
		new->regs[old->nr].rkey = nrkey;
		break;
	case NVME_PR_REGISTER_ACT_UNREG:
		if (i < 0 || (!iekey && old->regs[i].rkey != crkey))
			return NVME_SC_RESERVATION_CONFLICT | NVME_STATUS_DNR;
		new = nvmet_pr_state_dup(old, 0);
		if (!new)
			return NVME_SC_INTERNAL;
		nvmet_pr_remove(new, i);
		nvmet_pr_drop_orphan(new);
		released = old->rtype && !new->rtype && nvmet_pr_regs_only(old->rtype);
		break;
	case NVME_PR_REGISTER_ACT_REPLACE:
		if (i >= 0 && !iekey && old->regs[i].rkey != crkey)
			return NVME_SC_RESERVATION_CONFLICT | NVME_STATUS_DNR;
		if (i < 0 && !iekey)
			return NVME_SC_RESERVATION_CONFLICT | NVME_STATUS_DNR;
		if (i < 0 && !nrkey)
			return nvmet_field_error(req, NVMET_LOC_CDW10);
		if (i < 0 && old->nr >= NVMET_PR_MAX_REGISTRANTS)
			return NVME_SC_CAP_EXCEEDED | NVME_STATUS_DNR;
		new = nvmet_pr_state_dup(old, i < 0);
		if (!new)
			return NVME_SC_INTERNAL;
		if (i < 0) {
			i = old->nr;
			uuid_copy(&new->regs[i].hostid, me);
		}
		new->regs[i].rkey = nrkey;
		break;
	default:
		return nvmet_field_error(req, NVMET_LOC_CDW10);
	}
	if (cptpl == NVMET_PR_CPTPL_SET)
		new->ptpl = true;
	else if (cptpl == NVMET_PR_CPTPL_CLEAR)
		new->ptpl = false;
	new->gen++;
	if (nvmet_pr_commit(ns, new))
		return NVME_SC_INTERNAL;
	if (released)
		nvmet_pr_notify_regs(ns, new, me, NVMET_PR_LOG_RESV_RELEASED);
	return NVME_SC_SUCCESS;
}

/* --- Reservation Acquire ------------------------------------------------- */

/* A copy of OLD without the registrants whose key is PRKEY (but ME if KEEP_ME). */
static struct nvmet_pr_state *
nvmet_pr_unregister_key(const struct nvmet_pr_state *old, u64 prkey, const uuid_t *me,
			bool keep_me, bool *found)
{
	struct nvmet_pr_state *new = nvmet_pr_state_dup(old, 0);
	int i;

	*found = false;
	if (!new)
		return NULL;
	for (i = new->nr - 1; i >= 0; i--) {
		if (new->regs[i].rkey != prkey)
			continue;
		if (keep_me && uuid_equal(&new->regs[i].hostid, me))
			continue;
		*found = true;
		nvmet_pr_remove(new, i);
	}
	return new;
}

/*
 * Preempt (NVMe Base 2.x, "Preempting a Reservation or Registration"): ME
 * (registered) takes the reservation of the hosts whose key is PRKEY, or
 * just removes their registrations. *RELEASED: the type changed while
 * registrants stay, which they hear as Reservation Released.
 */
static u16 nvmet_pr_preempt(struct nvmet_req *req, const struct nvmet_pr_state *old, u8 rtype,
			    u64 prkey, struct nvmet_pr_state **newp, bool *released)
{
	const uuid_t *me = &req->sq->ctrl->hostid;
	int holder = nvmet_pr_find(old, &old->holder);
	struct nvmet_pr_state *new;
	bool found, takes;
	int i;

	*released = false;
	/* Whether ME takes the reservation, or only removes registrations. */
	if (!old->rtype)
		takes = false;
	else if (nvmet_pr_all_regs(old->rtype))
		takes = !prkey;
	else
		takes = holder >= 0 && prkey == old->regs[holder].rkey;

	if (!takes) {
		/* A single holder is not preempted by key 0. */
		if (old->rtype && !prkey)
			return nvmet_field_error(req, NVMET_LOC_CDW10);
		/* The registrations with PRKEY go; a reservation stays if its holder does. */
		new = nvmet_pr_unregister_key(old, prkey, me, false, &found);
		if (!new)
			return NVME_SC_INTERNAL;
		if (!found) {
			kfree(new);
			return NVME_SC_RESERVATION_CONFLICT | NVME_STATUS_DNR;
		}
		nvmet_pr_drop_orphan(new);
	} else if (nvmet_pr_all_regs(old->rtype)) {
		/* PRKEY 0 preempts an all-registrants reservation: ME alone holds it. */
		new = nvmet_pr_state_alloc(1);
		if (!new)
			return NVME_SC_INTERNAL;
		new->gen = old->gen;
		new->ptpl = old->ptpl;
		i = nvmet_pr_find(old, me);
		new->regs[0] = old->regs[i];
		new->rtype = rtype;
		uuid_copy(&new->holder, me);
	} else {
		/*
		 * ME takes the reservation from the hosts with the holder's key
		 * (the holder itself preempting its own key: a new type).
		 */
		new = nvmet_pr_unregister_key(old, prkey, me, true, &found);
		if (!new)
			return NVME_SC_INTERNAL;
		new->rtype = rtype;
		uuid_copy(&new->holder, me);
		*released = old->rtype != rtype;
	}
	new->gen++;
	*newp = new;
	return NVME_SC_SUCCESS;
}

static u16 nvmet_pr_acquire(struct nvmet_req *req, u32 cdw10, u64 crkey, u64 prkey,
			    bool *wait)
{
	struct nvmet_ns *ns = req->ns;
	const uuid_t *me = &req->sq->ctrl->hostid;
	struct nvmet_pr_state *old = nvmet_pr_locked_state(ns), *new;
	u8 rtype = NVMET_PR_RTYPE(cdw10);
	u8 action = NVMET_PR_ACTION(cdw10);
	bool released;
	u16 status;
	int i;

	*wait = false;
	if ((cdw10 & NVMET_PR_IEKEY) || rtype < NVME_PR_WRITE_EXCLUSIVE ||
	    rtype > NVME_PR_EXCLUSIVE_ACCESS_ALL_REGS ||
	    action > NVME_PR_ACQUIRE_ACT_PREEMPT_AND_ABORT)
		return nvmet_field_error(req, NVMET_LOC_CDW10);
	i = nvmet_pr_find(old, me);
	if (i < 0 || old->regs[i].rkey != crkey)
		return NVME_SC_RESERVATION_CONFLICT | NVME_STATUS_DNR;

	if (action == NVME_PR_ACQUIRE_ACT_ACQUIRE) {
		if (old->rtype)
			return nvmet_pr_is_holder(old, me) && old->rtype == rtype ?
				NVME_SC_SUCCESS : NVME_SC_RESERVATION_CONFLICT | NVME_STATUS_DNR;
		new = nvmet_pr_state_dup(old, 0);
		if (!new)
			return NVME_SC_INTERNAL;
		new->rtype = rtype;
		uuid_copy(&new->holder, me);
		return nvmet_pr_commit(ns, new);
	}

	status = nvmet_pr_preempt(req, old, rtype, prkey, &new, &released);
	if (status)
		return status;
	if (nvmet_pr_commit(ns, new))
		return NVME_SC_INTERNAL;
	nvmet_pr_notify_preempted(ns, old, new, me);
	if (released)
		nvmet_pr_notify_regs(ns, new, me, NVMET_PR_LOG_RESV_RELEASED);
	*wait = action == NVME_PR_ACQUIRE_ACT_PREEMPT_AND_ABORT;
	return NVME_SC_SUCCESS;
}

/* --- Reservation Release ------------------------------------------------- */

static u16 nvmet_pr_release(struct nvmet_req *req, u32 cdw10, u64 crkey)
{
	struct nvmet_ns *ns = req->ns;
	const uuid_t *me = &req->sq->ctrl->hostid;
	struct nvmet_pr_state *old = nvmet_pr_locked_state(ns), *new;
	u8 rtype = NVMET_PR_RTYPE(cdw10);
	int i;

	if (cdw10 & NVMET_PR_IEKEY)
		return nvmet_field_error(req, NVMET_LOC_CDW10);
	i = nvmet_pr_find(old, me);
	if (i < 0 || old->regs[i].rkey != crkey)
		return NVME_SC_RESERVATION_CONFLICT | NVME_STATUS_DNR;

	switch (NVMET_PR_ACTION(cdw10)) {
	case NVME_PR_RELEASE_ACT_RELEASE:
		/* Releasing what one does not hold changes nothing. */
		if (!nvmet_pr_is_holder(old, me))
			return NVME_SC_SUCCESS;
		if (old->rtype != rtype)
			return nvmet_field_error(req, NVMET_LOC_CDW10);
		new = nvmet_pr_state_dup(old, 0);
		if (!new)
			return NVME_SC_INTERNAL;
		new->rtype = 0;
		uuid_copy(&new->holder, &uuid_null);
		if (nvmet_pr_commit(ns, new))
			return NVME_SC_INTERNAL;
		/* Registrants of types 3-6 lose access they had: they are told. */
		if (old->rtype != NVME_PR_WRITE_EXCLUSIVE && old->rtype != NVME_PR_EXCLUSIVE_ACCESS)
			nvmet_pr_notify_regs(ns, new, me, NVMET_PR_LOG_RESV_RELEASED);
		return NVME_SC_SUCCESS;
	case NVME_PR_RELEASE_ACT_CLEAR:
		new = nvmet_pr_state_alloc(0);
		if (!new)
			return NVME_SC_INTERNAL;
		new->gen = old->gen + 1;
		new->ptpl = old->ptpl;
		if (nvmet_pr_commit(ns, new))
			return NVME_SC_INTERNAL;
		nvmet_pr_notify_regs(ns, old, me, NVMET_PR_LOG_RESV_PREEMPTED);
		return NVME_SC_SUCCESS;
	default:
		return nvmet_field_error(req, NVMET_LOC_CDW10);
	}
}

/* --- Reservation Report -------------------------------------------------- */

static u16 nvmet_pr_report(struct nvmet_req *req)
{
	struct nvmet_ns *ns = req->ns;
	struct nvme_reservation_status_ext *data;
	struct nvme_registered_ctrl_ext *r;
	const struct nvmet_pr_state *s;
	size_t len;
	u16 status;
	int i;

	if (!(le32_to_cpu(req->cmd->common.cdw11) & NVMET_PR_REPORT_EDS)) {
		/* Our host identifiers are 128 bits: only the extended structure has room. */
		req->error_loc = NVMET_LOC_CDW11;
		return NVME_SC_HOST_ID_INCONSIST | NVME_STATUS_DNR;
	}
	if (req->data_len < sizeof(*data))
		return nvmet_field_error(req, NVMET_LOC_CDW10);

	len = struct_size(data, regctl_eds, NVMET_PR_MAX_REGISTRANTS);
	data = kzalloc(len, GFP_KERNEL);
	if (!data)
		return NVME_SC_INTERNAL;
	rcu_read_lock();
	s = rcu_dereference(ns->pr.state);
	data->gen = cpu_to_le32(s->gen);
	data->rtype = s->rtype;
	put_unaligned_le16(s->nr, data->regctl);
	data->ptpls = s->ptpl;
	for (i = 0; i < s->nr; i++) {
		r = &data->regctl_eds[i];
		/* Registrations are a host's, not one controller's. */
		r->cntlid = cpu_to_le16(NVME_CNTLID_DYNAMIC);
		r->rcsts = nvmet_pr_is_holder(s, &s->regs[i].hostid);
		r->rkey = cpu_to_le64(s->regs[i].rkey);
		export_uuid(r->hostid, &s->regs[i].hostid);
	}
	len = struct_size(data, regctl_eds, s->nr);
	rcu_read_unlock();

	len = min(len, req->data_len);
	status = nvmet_copy_to_sgl(req, 0, data, len);
	if (!status && len < req->data_len)
		status = nvmet_zero_sgl(req, len, req->data_len - len);
	kfree(data);
	return status;
}

/* --- the reservation commands -------------------------------------------- */

/* Reservation commands run from a work item: they sleep on pr->lock and the file. */
static void nvmet_pr_work(struct work_struct *work)
{
	struct nvmet_req *req = container_of(work, struct nvmet_req, a.work);
	u32 cdw10 = le32_to_cpu(req->cmd->common.cdw10);
	struct nvmet_ns *ns = req->ns;
	bool wait = false;
	u8 data[16];
	u16 status;

	if (req->cmd->common.opcode == nvme_cmd_resv_report) {
		nvmet_req_complete(req, nvmet_pr_report(req));
		return;
	}
	status = nvmet_copy_from_sgl(req, 0, data, req->data_len);
	if (status) {
		nvmet_req_complete(req, status);
		return;
	}

	mutex_lock(&ns->pr.lock);
	switch (req->cmd->common.opcode) {
	case nvme_cmd_resv_register:
		status = nvmet_pr_register(req, cdw10, get_unaligned_le64(data),
					   get_unaligned_le64(data + 8));
		break;
	case nvme_cmd_resv_acquire:
		status = nvmet_pr_acquire(req, cdw10, get_unaligned_le64(data),
					  get_unaligned_le64(data + 8), &wait);
		break;
	default:
		status = nvmet_pr_release(req, cdw10, get_unaligned_le64(data));
		break;
	}
	nvmet_pr_unlock(&ns->pr);
	/*
	 * Without the lock: the fenced hosts' new commands already see the new
	 * state, and other reservation commands need not wait for the fence.
	 */
	if (wait)
		nvmet_pr_wait_inflight(ns);
	nvmet_req_complete(req, status);
}

static void nvmet_pr_execute(struct nvmet_req *req)
{
	if (!nvmet_check_transfer_len(req, req->data_len))
		return;
	INIT_WORK(&req->a.work, nvmet_pr_work);
	queue_work(nvmet_pr_wq, &req->a.work);
}

/* A reservation command on a namespace with reservations (req->ns set). */
u16 nvmet_parse_pr_cmd(struct nvmet_req *req)
{
	u32 numd = le32_to_cpu(req->cmd->common.cdw10);

	switch (req->cmd->common.opcode) {
	case nvme_cmd_resv_register:
	case nvme_cmd_resv_acquire:
		req->data_len = 16;	/* CRKEY, NRKEY or PRKEY */
		break;
	case nvme_cmd_resv_release:
		req->data_len = 8;	/* CRKEY */
		break;
	case nvme_cmd_resv_report:
		/* NUMD is 0's based dwords; a larger buffer than the report is zero filled. */
		req->data_len = min_t(u64, ((u64)numd + 1) * 4, U32_MAX);
		break;
	default:
		req->error_loc = NVMET_LOC_OPCODE;
		return NVME_SC_INVALID_OPCODE | NVME_STATUS_DNR;
	}
	req->execute = nvmet_pr_execute;
	return NVME_SC_SUCCESS;
}

/* --- the access check ---------------------------------------------------- */

enum nvmet_pr_group { NVMET_PR_NONE, NVMET_PR_READ, NVMET_PR_WRITE };

/* The command groups of the NVM Command Set's reservation table. */
static enum nvmet_pr_group nvmet_pr_group(const struct nvme_command *cmd)
{
	switch (cmd->common.opcode) {
	case nvme_cmd_read:
	case nvme_cmd_compare:
	case nvme_cmd_verify:
	case nvme_cmd_zone_mgmt_recv:
		return NVMET_PR_READ;
	case nvme_cmd_flush:
	case nvme_cmd_write:
	case nvme_cmd_write_uncor:
	case nvme_cmd_write_zeroes:
	case nvme_cmd_dsm:
	case NVMET_NVM_CMD_COPY:
	case nvme_cmd_zone_mgmt_send:
	case nvme_cmd_zone_append:
		return NVMET_PR_WRITE;
	default:
		return NVMET_PR_NONE;
	}
}

/*
 * Whether the reservation of S lets HOSTID issue a command of GROUP (NVMe Base
 * 2.x, "Command Behavior in the Presence of a Reservation").
 */
static bool nvmet_pr_allowed(const struct nvmet_pr_state *s, const uuid_t *hostid,
			     enum nvmet_pr_group group)
{
	if (!s->rtype || nvmet_pr_is_holder(s, hostid))
		return true;
	switch (s->rtype) {
	case NVME_PR_WRITE_EXCLUSIVE:
		return group == NVMET_PR_READ;
	case NVME_PR_EXCLUSIVE_ACCESS:
		return false;
	case NVME_PR_WRITE_EXCLUSIVE_REG_ONLY:
		return group == NVMET_PR_READ || nvmet_pr_find(s, hostid) >= 0;
	case NVME_PR_EXCLUSIVE_ACCESS_REG_ONLY:
		return nvmet_pr_find(s, hostid) >= 0;
	default:
		/* All-registrants types: a registrant is a holder, seen above. */
		return s->rtype == NVME_PR_WRITE_EXCLUSIVE_ALL_REGS && group == NVMET_PR_READ;
	}
}

/*
 * The I/O path, for a namespace with reservations: a data command enters the
 * namespace's SRCU read side (left in nvmet_req_complete() or
 * nvmet_req_uninit()) and is checked against the reservation.
 */
u16 nvmet_pr_check_access(struct nvmet_req *req)
{
	enum nvmet_pr_group group = nvmet_pr_group(req->cmd);
	struct nvmet_pr *pr = &req->ns->pr;
	bool allowed;

	if (group == NVMET_PR_NONE)
		return NVME_SC_SUCCESS;
	req->pr_srcu = nvmet_pr_srcu_enter(pr);
	rcu_read_lock();
	allowed = nvmet_pr_allowed(rcu_dereference(pr->state), &req->sq->ctrl->hostid, group);
	rcu_read_unlock();
	if (allowed)
		return NVME_SC_SUCCESS;
	nvmet_pr_srcu_exit(pr, req->pr_srcu);
	req->pr_srcu = -1;
	req->error_loc = NVMET_LOC_OPCODE;
	return NVME_SC_RESERVATION_CONFLICT | NVME_STATUS_DNR;
}

/* --- Features 82h and 83h ------------------------------------------------ */

/* The namespace a reservation feature names: one with reservations (req->ns). */
static u16 nvmet_pr_feat_ns(struct nvmet_req *req)
{
	u16 status = nvmet_req_find_ns(req);

	if (status == (NVME_SC_INVALID_NS | NVME_STATUS_DNR) || (!status && !req->ns->pr_enable))
		return nvmet_field_error(req, offsetof(struct nvme_common_command, nsid));
	return status;
}

/*
 * Set Features 82h (Reservation Notification Mask) for one namespace or, with
 * NSID FFFFFFFFh, every namespace with reservations; 83h (Reservation
 * Persistence) for one. The mask is the controller's own.
 */
u16 nvmet_pr_set_feat(struct nvmet_req *req, u8 fid)
{
	u32 cdw11 = le32_to_cpu(req->cmd->common.cdw11);
	u32 nsid = le32_to_cpu(req->cmd->common.nsid);
	struct nvmet_ctrl *ctrl = req->sq->ctrl;
	struct nvmet_pr_state *old, *new;
	void *mask = xa_mk_value(cdw11 & NVMET_PR_MASK_ALL);
	u16 status = NVME_SC_SUCCESS;
	struct nvmet_ns *ns;
	unsigned long idx;

	if (fid == NVME_FEAT_RESV_MASK && nsid == NVME_NSID_ALL) {
		if (cdw11 & ~NVMET_PR_MASK_ALL)
			return nvmet_field_error(req, NVMET_LOC_CDW11);
		mutex_lock(&ctrl->subsys->lock);
		xa_for_each(&ctrl->subsys->namespaces, idx, ns)
			if (ns->enabled && ns->pr_enable &&
			    xa_err(xa_store(&ctrl->pr_masks, ns->nsid, mask, GFP_KERNEL)))
				status = NVME_SC_INTERNAL;
		mutex_unlock(&ctrl->subsys->lock);
		if (!status)
			nvmet_set_result(req, cdw11);
		return status;
	}
	status = nvmet_pr_feat_ns(req);
	if (status)
		return status;
	ns = req->ns;

	if (fid == NVME_FEAT_RESV_MASK) {
		if (cdw11 & ~NVMET_PR_MASK_ALL)
			return nvmet_field_error(req, NVMET_LOC_CDW11);
		if (xa_err(xa_store(&ctrl->pr_masks, ns->nsid, mask, GFP_KERNEL)))
			return NVME_SC_INTERNAL;
		nvmet_set_result(req, cdw11);
		return NVME_SC_SUCCESS;
	}

	/* 83h: PTPL on needs a state file to keep it in. */
	if ((cdw11 & ~NVMET_PR_FEAT_PTPL) || ((cdw11 & NVMET_PR_FEAT_PTPL) && !ns->pr.file))
		return nvmet_field_error(req, NVMET_LOC_CDW11);
	mutex_lock(&ns->pr.lock);
	old = nvmet_pr_locked_state(ns);
	status = NVME_SC_SUCCESS;
	if (old->ptpl != (cdw11 & NVMET_PR_FEAT_PTPL)) {
		new = nvmet_pr_state_dup(old, 0);
		if (!new) {
			status = NVME_SC_INTERNAL;
		} else {
			new->ptpl = cdw11 & NVMET_PR_FEAT_PTPL;
			status = nvmet_pr_commit(ns, new);
		}
	}
	nvmet_pr_unlock(&ns->pr);
	if (!status)
		nvmet_set_result(req, cdw11 & NVMET_PR_FEAT_PTPL);
	return status;
}

u16 nvmet_pr_get_feat(struct nvmet_req *req, u8 fid)
{
	struct nvmet_ns *ns;
	u16 status;

	status = nvmet_pr_feat_ns(req);
	if (status)
		return status;
	ns = req->ns;
	if (fid == NVME_FEAT_RESV_MASK) {
		nvmet_set_result(req, nvmet_pr_ctrl_mask(req->sq->ctrl, ns->nsid));
	} else {
		rcu_read_lock();
		nvmet_set_result(req, rcu_dereference(ns->pr.state)->ptpl);
		rcu_read_unlock();
	}
	return NVME_SC_SUCCESS;
}
