/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * nvmet-oot generic netlink family: events and statistics of the NVMe target.
 *
 * Shared by the kernel modules (kernel/netlink.c) and the control plane
 * (ctl/lib/netlink): one definition of every number.
 *
 * Compatibility rules (a newer module must work with an older nvmetctl/nvmetd
 * and the other way round):
 *   - values are only ever appended: no command, event, attribute or group
 *     is renumbered or reused;
 *   - readers ignore attributes they do not know, and treat a missing one as
 *     "not reported";
 *   - NVMET_GENL_VERSION (the family's version, in every message header) is
 *     raised when something is appended; a reader may use it to say which
 *     attributes to expect, never to refuse a newer family.
 *
 * Requests need CAP_NET_ADMIN (the counters name hosts and addresses).
 */
#ifndef _UAPI_NVMET_GENL_H
#define _UAPI_NVMET_GENL_H

#define NVMET_GENL_NAME		"nvmet_oot"
/* 2: AUTH, TLS, QID, AUTH_REASON; AUTH_FAILURE sent. 3: NS_RESV, RESV_*. */
#define NVMET_GENL_VERSION	3
#define NVMET_GENL_MCGRP_EVENTS	"events"

/* Commands (requests) and events (multicast to NVMET_GENL_MCGRP_EVENTS). */
enum nvmet_genl_cmd {
	NVMET_CMD_UNSPEC,
	NVMET_CMD_GET_INFO,		/* doit: NVMET_A_MODULE_VERSION */
	NVMET_CMD_GET_CTRL,		/* dump: one message per controller */
	NVMET_CMD_GET_NS,		/* dump: one message per namespace */

	NVMET_EVT_CTRL_CREATE,		/* admin queue connected */
	NVMET_EVT_CTRL_DESTROY,		/* controller freed */
	NVMET_EVT_KATO_EXPIRED,		/* keep-alive timeout: controller is torn down */
	NVMET_EVT_AUTH_FAILURE,		/* DH-HMAC-CHAP failed on a queue (version 2) */
	NVMET_EVT_NS_ADD,		/* namespace enabled: hosts see it */
	NVMET_EVT_NS_REMOVE,		/* namespace disabled */
	NVMET_EVT_NS_RESIZE,		/* size changed (revalidate_size) */
	NVMET_EVT_PORT_ENABLE,		/* port listening (first subsystem linked) */
	NVMET_EVT_PORT_DISABLE,		/* port no longer listening */
	NVMET_EVT_FATAL_ERROR,		/* controller fatal status (CSTS.CFS) */
	/* version 3 */
	NVMET_EVT_NS_RESV,		/* reservation or registrations changed */

	__NVMET_CMD_MAX,
};

#define NVMET_CMD_MAX (__NVMET_CMD_MAX - 1)

enum nvmet_genl_attr {
	NVMET_A_UNSPEC,
	NVMET_A_PAD,			/* alignment of u64 attributes */
	NVMET_A_MODULE_VERSION,		/* string: nvmet module version */
	NVMET_A_SUBSYS_NQN,		/* string */
	NVMET_A_HOST_NQN,		/* string */
	NVMET_A_HOST_ID,		/* string: host identifier, UUID text */
	NVMET_A_HOST_TRADDR,		/* string: host transport address */
	NVMET_A_CNTLID,			/* u16 */
	NVMET_A_PORT_ID,		/* u16: ports/<id> */
	NVMET_A_TRTYPE,			/* u8: NVMF_TRTYPE_* */
	NVMET_A_TRADDR,			/* string: the port's address */
	NVMET_A_TRSVCID,		/* string: the port's service id */
	NVMET_A_KATO,			/* u32: keep-alive timeout, seconds (0: none) */
	NVMET_A_NR_IO_QUEUES,		/* u16: connected I/O queues */
	NVMET_A_DISCOVERY,		/* flag: discovery controller */
	NVMET_A_NSID,			/* u32 */
	NVMET_A_NS_SIZE,		/* u64: bytes */
	NVMET_A_NS_ENABLED,		/* u8: 0 or 1 */
	NVMET_A_DEVICE_PATH,		/* string */
	NVMET_A_STATS,			/* nest of NVMET_STAT_* */
	/* version 2 */
	NVMET_A_AUTH,			/* u8: NVMET_AUTH_* of the admin queue */
	NVMET_A_TLS,			/* u8: 1 if the admin queue runs over TLS */
	NVMET_A_QID,			/* u16: queue of an AUTH_FAILURE */
	NVMET_A_AUTH_REASON,		/* u8: DH-HMAC-CHAP failure reason explanation */
	/* version 3: reservations of a namespace (GET_NS, NS_* events) */
	NVMET_A_RESV_ENABLED,		/* u8: resv_enable */
	NVMET_A_RESV_GEN,		/* u32: generation (PRGEN); enabled namespaces only */
	NVMET_A_RESV_TYPE,		/* u8: NVMe reservation type, 0: none */
	NVMET_A_RESV_PTPL,		/* u8: Persist Through Power Loss state */
	NVMET_A_RESV_HOLDER,		/* string: holder's host identifier (types 1-4) */
	NVMET_A_RESV_REGISTRANT,	/* nest, one per registration: HOST_ID, RESV_KEY */
	NVMET_A_RESV_KEY,		/* u64: a registrant's reservation key */

	__NVMET_A_MAX,
};

#define NVMET_A_MAX (__NVMET_A_MAX - 1)

/* NVMET_A_AUTH: how the host of a controller was authenticated. */
enum nvmet_genl_auth {
	NVMET_AUTH_NONE,		/* the host has no DH-HMAC-CHAP key */
	NVMET_AUTH_PENDING,		/* the host must still authenticate */
	NVMET_AUTH_HOST,		/* host authenticated (unidirectional) */
	NVMET_AUTH_BIDIRECTIONAL,	/* host and controller authenticated each other */
};

/*
 * Counters since the namespace was created (configfs mkdir) or the
 * controller connected, all u64. Latencies are sums, in nanoseconds, from
 * the command's arrival to its completion being handed to the transport;
 * divide by the matching command count for a mean. A command that completed
 * with an error counts in ERRORS and in its class's command count; its bytes
 * do not count. An I/O queue command's class is its opcode (Read, Write,
 * other). Asynchronous Event Requests add no latency: they wait for an event.
 */
enum nvmet_genl_stat {
	NVMET_STAT_UNSPEC,
	NVMET_STAT_PAD,
	NVMET_STAT_READ_CMDS,		/* Read */
	NVMET_STAT_READ_BYTES,
	NVMET_STAT_READ_LAT_NS,
	NVMET_STAT_WRITE_CMDS,		/* Write */
	NVMET_STAT_WRITE_BYTES,
	NVMET_STAT_WRITE_LAT_NS,
	NVMET_STAT_OTHER_CMDS,		/* everything else (per controller: admin too) */
	NVMET_STAT_OTHER_LAT_NS,
	NVMET_STAT_ERRORS,		/* completions with a non-zero status */

	__NVMET_STAT_MAX,
};

#define NVMET_STAT_MAX (__NVMET_STAT_MAX - 1)

#endif /* _UAPI_NVMET_GENL_H */
