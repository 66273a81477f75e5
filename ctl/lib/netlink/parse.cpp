// SPDX-License-Identifier: GPL-2.0
#include "netlink/parse.hpp"

#include <array>

#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "uapi/nvmet-genl.h"

namespace nvmet::netlink {
namespace {

using Attrs = std::array<nlattr *, NVMET_A_MAX + 1>;

// Types are checked by libnl against this table: a short or mistyped
// attribute is an error, not a misread.
nla_policy attr_policy(int type)
{
	nla_policy p{};
	switch (type) {
	case NVMET_A_MODULE_VERSION:
	case NVMET_A_SUBSYS_NQN:
	case NVMET_A_HOST_NQN:
	case NVMET_A_HOST_ID:
	case NVMET_A_HOST_TRADDR:
	case NVMET_A_TRADDR:
	case NVMET_A_TRSVCID:
	case NVMET_A_DEVICE_PATH:
	case NVMET_A_RESV_HOLDER:
		p.type = NLA_STRING;
		break;
	case NVMET_A_CNTLID:
	case NVMET_A_PORT_ID:
	case NVMET_A_NR_IO_QUEUES:
		p.type = NLA_U16;
		break;
	case NVMET_A_TRTYPE:
	case NVMET_A_NS_ENABLED:
	case NVMET_A_AUTH:
	case NVMET_A_TLS:
	case NVMET_A_AUTH_REASON:
	case NVMET_A_RESV_ENABLED:
	case NVMET_A_RESV_TYPE:
	case NVMET_A_RESV_PTPL:
		p.type = NLA_U8;
		break;
	case NVMET_A_QID:
		p.type = NLA_U16;
		break;
	case NVMET_A_KATO:
	case NVMET_A_NSID:
	case NVMET_A_RESV_GEN:
		p.type = NLA_U32;
		break;
	case NVMET_A_NS_SIZE:
	case NVMET_A_RESV_KEY:
		p.type = NLA_U64;
		break;
	case NVMET_A_DISCOVERY:
		p.type = NLA_FLAG;
		break;
	case NVMET_A_STATS:
	case NVMET_A_RESV_REGISTRANT:
		p.type = NLA_NESTED;
		break;
	default:
		break;
	}
	return p;
}

struct Policies {
	std::array<nla_policy, NVMET_A_MAX + 1> attrs{};
	std::array<nla_policy, NVMET_STAT_MAX + 1> stats{};
	Policies()
	{
		for (int i = 0; i <= NVMET_A_MAX; i++)
			attrs[i] = attr_policy(i);
		for (int i = NVMET_STAT_READ_CMDS; i <= NVMET_STAT_MAX; i++)
			stats[i].type = NLA_U64;
	}
};

const Policies &policies()
{
	static const Policies p;
	return p;
}

Error parse_error(const char *what, int err)
{
	Error e{"parse a message of", NVMET_GENL_NAME};
	e.hint = std::string(what) + ": " + nl_geterror(err) +
	         "; the nvmet module and this program disagree on the message format: report it";
	return e;
}

Result<Attrs> parse_attrs(const nlmsghdr *nlh)
{
	Attrs tb{};
	// genlmsg_parse takes a non-const header but does not modify it.
	const int err = genlmsg_parse(const_cast<nlmsghdr *>(nlh), 0, tb.data(), NVMET_A_MAX,
	                              const_cast<nla_policy *>(policies().attrs.data()));
	if (err < 0)
		return parse_error("message attributes", err);
	return tb;
}

std::string str(nlattr *a)
{
	return a ? std::string(nla_get_string(a)) : std::string();
}

Result<Stats> parse_stats(nlattr *nest)
{
	std::array<nlattr *, NVMET_STAT_MAX + 1> tb{};
	const int err = nla_parse_nested(tb.data(), NVMET_STAT_MAX, nest,
	                                 const_cast<nla_policy *>(policies().stats.data()));
	if (err < 0)
		return parse_error("statistics", err);
	auto get = [&](int t) { return tb[t] ? nla_get_u64(tb[t]) : 0; };
	Stats s;
	s.read_cmds = get(NVMET_STAT_READ_CMDS);
	s.read_bytes = get(NVMET_STAT_READ_BYTES);
	s.read_lat_ns = get(NVMET_STAT_READ_LAT_NS);
	s.write_cmds = get(NVMET_STAT_WRITE_CMDS);
	s.write_bytes = get(NVMET_STAT_WRITE_BYTES);
	s.write_lat_ns = get(NVMET_STAT_WRITE_LAT_NS);
	s.other_cmds = get(NVMET_STAT_OTHER_CMDS);
	s.other_lat_ns = get(NVMET_STAT_OTHER_LAT_NS);
	s.errors = get(NVMET_STAT_ERRORS);
	return s;
}

Port port_from(const Attrs &tb)
{
	Port p;
	if (tb[NVMET_A_PORT_ID])
		p.port_id = nla_get_u16(tb[NVMET_A_PORT_ID]);
	if (tb[NVMET_A_TRTYPE])
		p.trtype = nla_get_u8(tb[NVMET_A_TRTYPE]);
	p.traddr = str(tb[NVMET_A_TRADDR]);
	p.trsvcid = str(tb[NVMET_A_TRSVCID]);
	return p;
}

Result<Ctrl> ctrl_from(const Attrs &tb)
{
	Ctrl c;
	c.subsys_nqn = str(tb[NVMET_A_SUBSYS_NQN]);
	c.host_nqn = str(tb[NVMET_A_HOST_NQN]);
	c.host_id = str(tb[NVMET_A_HOST_ID]);
	c.host_traddr = str(tb[NVMET_A_HOST_TRADDR]);
	if (tb[NVMET_A_CNTLID])
		c.cntlid = nla_get_u16(tb[NVMET_A_CNTLID]);
	if (tb[NVMET_A_KATO])
		c.kato = nla_get_u32(tb[NVMET_A_KATO]);
	if (tb[NVMET_A_NR_IO_QUEUES])
		c.nr_io_queues = nla_get_u16(tb[NVMET_A_NR_IO_QUEUES]);
	c.discovery = tb[NVMET_A_DISCOVERY] != nullptr;
	c.port = port_from(tb);
	if (tb[NVMET_A_AUTH])
		c.auth = nla_get_u8(tb[NVMET_A_AUTH]);
	if (tb[NVMET_A_TLS])
		c.tls = nla_get_u8(tb[NVMET_A_TLS]) != 0;
	if (tb[NVMET_A_STATS]) {
		auto s = parse_stats(tb[NVMET_A_STATS]);
		if (!s)
			return s.error();
		c.stats = *s;
	}
	return c;
}

Result<Registrant> parse_registrant(nlattr *nest)
{
	Attrs tb{};
	const int err = nla_parse_nested(tb.data(), NVMET_A_MAX, nest,
	                                 const_cast<nla_policy *>(policies().attrs.data()));
	if (err < 0)
		return parse_error("reservation registrant", err);
	Registrant r;
	r.host_id = str(tb[NVMET_A_HOST_ID]);
	if (tb[NVMET_A_RESV_KEY])
		r.key = nla_get_u64(tb[NVMET_A_RESV_KEY]);
	return r;
}

// The reservation attributes (version 3): NVMET_A_RESV_ENABLED, and the state
// of an enabled namespace with reservations, its registrants repeated
// NVMET_A_RESV_REGISTRANT nests (genlmsg_parse keeps only the last: they are
// read from the message itself). None when the module reports none.
Result<std::optional<Reservation>> resv_from(const Attrs &tb, const nlmsghdr *nlh)
{
	const bool has_state = tb[NVMET_A_RESV_GEN] || tb[NVMET_A_RESV_TYPE] || tb[NVMET_A_RESV_PTPL] ||
	                       tb[NVMET_A_RESV_HOLDER] || tb[NVMET_A_RESV_REGISTRANT];
	if (!tb[NVMET_A_RESV_ENABLED] && !has_state)
		return std::optional<Reservation>();
	Reservation r;
	r.enabled = tb[NVMET_A_RESV_ENABLED] ? nla_get_u8(tb[NVMET_A_RESV_ENABLED]) != 0 : true;
	if (!has_state)
		return std::optional<Reservation>(r);
	ResvState s;
	if (tb[NVMET_A_RESV_GEN])
		s.generation = nla_get_u32(tb[NVMET_A_RESV_GEN]);
	if (tb[NVMET_A_RESV_TYPE])
		s.type = nla_get_u8(tb[NVMET_A_RESV_TYPE]);
	if (tb[NVMET_A_RESV_PTPL])
		s.ptpl = nla_get_u8(tb[NVMET_A_RESV_PTPL]) != 0;
	s.holder = str(tb[NVMET_A_RESV_HOLDER]);
	const auto *gnlh = static_cast<const genlmsghdr *>(nlmsg_data(nlh));
	int rem = genlmsg_attrlen(gnlh, 0);
	for (nlattr *a = genlmsg_attrdata(gnlh, 0); nla_ok(a, rem) != 0; a = nla_next(a, &rem)) {
		if (nla_type(a) != NVMET_A_RESV_REGISTRANT)
			continue;
		auto reg = parse_registrant(a);
		if (!reg)
			return reg.error();
		s.registrants.push_back(*reg);
	}
	r.state = s;
	return std::optional<Reservation>(r);
}

Result<Ns> ns_from(const Attrs &tb, const nlmsghdr *nlh)
{
	Ns n;
	n.subsys_nqn = str(tb[NVMET_A_SUBSYS_NQN]);
	n.device_path = str(tb[NVMET_A_DEVICE_PATH]);
	if (tb[NVMET_A_NSID])
		n.nsid = nla_get_u32(tb[NVMET_A_NSID]);
	if (tb[NVMET_A_NS_SIZE])
		n.size = nla_get_u64(tb[NVMET_A_NS_SIZE]);
	if (tb[NVMET_A_NS_ENABLED])
		n.enabled = nla_get_u8(tb[NVMET_A_NS_ENABLED]) != 0;
	if (tb[NVMET_A_STATS]) {
		auto s = parse_stats(tb[NVMET_A_STATS]);
		if (!s)
			return s.error();
		n.stats = *s;
	}
	auto resv = resv_from(tb, nlh);
	if (!resv)
		return resv.error();
	n.resv = *resv;
	return n;
}

EventKind kind_of(unsigned cmd)
{
	switch (cmd) {
	case NVMET_EVT_CTRL_CREATE:
		return EventKind::ctrl_create;
	case NVMET_EVT_CTRL_DESTROY:
		return EventKind::ctrl_destroy;
	case NVMET_EVT_KATO_EXPIRED:
		return EventKind::kato_expired;
	case NVMET_EVT_AUTH_FAILURE:
		return EventKind::auth_failure;
	case NVMET_EVT_NS_ADD:
		return EventKind::ns_add;
	case NVMET_EVT_NS_REMOVE:
		return EventKind::ns_remove;
	case NVMET_EVT_NS_RESIZE:
		return EventKind::ns_resize;
	case NVMET_EVT_PORT_ENABLE:
		return EventKind::port_enable;
	case NVMET_EVT_PORT_DISABLE:
		return EventKind::port_disable;
	case NVMET_EVT_FATAL_ERROR:
		return EventKind::fatal_error;
	case NVMET_EVT_NS_RESV:
		return EventKind::ns_resv;
	default:
		return EventKind::unknown;
	}
}

} // namespace

Result<Ctrl> parse_ctrl(const nlmsghdr *nlh)
{
	auto tb = parse_attrs(nlh);
	if (!tb)
		return tb.error();
	return ctrl_from(*tb);
}

Result<Ns> parse_ns(const nlmsghdr *nlh)
{
	auto tb = parse_attrs(nlh);
	if (!tb)
		return tb.error();
	return ns_from(*tb, nlh);
}

Result<std::string> parse_module_version(const nlmsghdr *nlh)
{
	auto tb = parse_attrs(nlh);
	if (!tb)
		return tb.error();
	return str((*tb)[NVMET_A_MODULE_VERSION]);
}

Result<Event> parse_event(const nlmsghdr *nlh)
{
	auto tb = parse_attrs(nlh);
	if (!tb)
		return tb.error();
	Event ev;
	ev.cmd = static_cast<const genlmsghdr *>(nlmsg_data(nlh))->cmd;
	ev.kind = kind_of(ev.cmd);
	switch (ev.kind) {
	case EventKind::ns_add:
	case EventKind::ns_remove:
	case EventKind::ns_resize:
	case EventKind::ns_resv: {
		auto n = ns_from(*tb, nlh);
		if (!n)
			return n.error();
		ev.ns = *n;
		break;
	}
	case EventKind::port_enable:
	case EventKind::port_disable:
		ev.port = port_from(*tb);
		break;
	case EventKind::unknown:
		break;
	default: {
		auto c = ctrl_from(*tb);
		if (!c)
			return c.error();
		ev.ctrl = *c;
		break;
	}
	}
	if ((*tb)[NVMET_A_QID])
		ev.qid = nla_get_u16((*tb)[NVMET_A_QID]);
	if ((*tb)[NVMET_A_AUTH_REASON])
		ev.auth_reason = nla_get_u8((*tb)[NVMET_A_AUTH_REASON]);
	return ev;
}

bool changes_config(EventKind kind)
{
	switch (kind) {
	case EventKind::ns_add:
	case EventKind::ns_remove:
	case EventKind::ns_resize:
	case EventKind::port_enable:
	case EventKind::port_disable:
		return true;
	default:
		return false;
	}
}

const char *event_name(EventKind kind)
{
	switch (kind) {
	case EventKind::ctrl_create:
		return "ctrl-create";
	case EventKind::ctrl_destroy:
		return "ctrl-destroy";
	case EventKind::kato_expired:
		return "kato-expired";
	case EventKind::auth_failure:
		return "auth-failure";
	case EventKind::ns_add:
		return "ns-add";
	case EventKind::ns_remove:
		return "ns-remove";
	case EventKind::ns_resize:
		return "ns-resize";
	case EventKind::port_enable:
		return "port-enable";
	case EventKind::port_disable:
		return "port-disable";
	case EventKind::fatal_error:
		return "fatal-error";
	case EventKind::ns_resv:
		return "ns-resv";
	case EventKind::unknown:
		break;
	}
	return "unknown";
}

std::string trtype_name(std::uint8_t trtype)
{
	// NVMe over Fabrics TRTYPE values (Discovery Log Page Entry).
	switch (trtype) {
	case 0:
		return "pci";
	case 1:
		return "rdma";
	case 2:
		return "fc";
	case 3:
		return "tcp";
	case 254:
		return "loop";
	default:
		return std::to_string(trtype);
	}
}

std::string auth_name(std::uint8_t auth)
{
	switch (auth) {
	case NVMET_AUTH_NONE:
		return "none";
	case NVMET_AUTH_PENDING:
		return "pending";
	case NVMET_AUTH_HOST:
		return "host";
	case NVMET_AUTH_BIDIRECTIONAL:
		return "bidirectional";
	default:
		return std::to_string(auth);
	}
}

std::string auth_reason_name(std::uint8_t reason)
{
	switch (reason) {
	case 0x01:
		return "failed";
	case 0x02:
		return "not-usable";
	case 0x03:
		return "concat-mismatch";
	case 0x04:
		return "hash-unusable";
	case 0x05:
		return "dhgroup-unusable";
	case 0x06:
		return "incorrect-payload";
	case 0x07:
		return "incorrect-protocol-message";
	default:
		return "unknown";
	}
}

std::string resv_type_name(std::uint8_t type)
{
	// NVMe Base 2.1, Reservation Type (RTYPE).
	switch (type) {
	case 0:
		return "none";
	case 1:
		return "Write Exclusive";
	case 2:
		return "Exclusive Access";
	case 3:
		return "Write Exclusive - Registrants Only";
	case 4:
		return "Exclusive Access - Registrants Only";
	case 5:
		return "Write Exclusive - All Registrants";
	case 6:
		return "Exclusive Access - All Registrants";
	default:
		return "type " + std::to_string(type);
	}
}

bool all_registrants(std::uint8_t type)
{
	return type == 5 || type == 6;
}

} // namespace nvmet::netlink
