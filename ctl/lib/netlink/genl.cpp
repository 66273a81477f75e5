// SPDX-License-Identifier: GPL-2.0
#include "netlink/genl.hpp"

#include <cerrno>
#include <cstring>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "uapi/nvmet-genl.h"

namespace nvmet::netlink {
namespace {

// "cannot OP nvmet_oot (libnl's reason; HINT)"
Error nl_error(const char *op, int nlerr, const std::string &hint = {})
{
	Error e{op, NVMET_GENL_NAME};
	e.hint = nl_geterror(nlerr);
	if (!hint.empty())
		e.hint += "; " + hint;
	return e;
}

const char *perm_hint = "reading the target's controllers needs CAP_NET_ADMIN: run as root";

// Copies every message of a reply so they outlive libnl's receive buffer.
struct Collect {
	std::vector<std::vector<char>> *store;
	int error = 0;
};

int collect_cb(nl_msg *msg, void *arg)
{
	auto *c = static_cast<Collect *>(arg);
	const nlmsghdr *nlh = nlmsg_hdr(msg);
	const auto *p = reinterpret_cast<const char *>(nlh);
	c->store->emplace_back(p, p + nlh->nlmsg_len);
	return NL_OK;
}

int error_cb(sockaddr_nl * /*nla*/, nlmsgerr *err, void *arg)
{
	static_cast<Collect *>(arg)->error = err->error;
	return NL_STOP;
}

} // namespace

Result<std::unique_ptr<Genl>> Genl::open()
{
	std::unique_ptr<Genl> g(new Genl());
	g->sock_ = nl_socket_alloc();
	if (!g->sock_)
		return Error{"allocate", NVMET_GENL_NAME, ENOMEM};
	int err = genl_connect(g->sock_);
	if (err < 0)
		return nl_error("connect", err);
	// Replies end requests (NLMSG_DONE for dumps, NLMSG_ERROR on failure): an
	// extra ACK would be left queued and read as the next request's reply.
	nl_socket_disable_auto_ack(g->sock_);
	g->family_ = genl_ctrl_resolve(g->sock_, NVMET_GENL_NAME);
	if (g->family_ < 0)
		return nl_error("find the generic netlink family", g->family_,
		                "load nvmet-oot's nvmet module (the in-tree nvmet has no "
		                "events or counters; 'modinfo nvmet' shows which one is installed)");
	// The module's family version: what it reports beyond ours is ignored.
	nl_cache *cache = nullptr;
	if (genl_ctrl_alloc_cache(g->sock_, &cache) == 0) {
		if (genl_family *f = genl_ctrl_search_by_name(cache, NVMET_GENL_NAME)) {
			g->version_ = static_cast<int>(genl_family_get_version(f));
			genl_family_put(f);
		}
		nl_cache_free(cache);
	}
	return g;
}

Genl::~Genl()
{
	if (events_)
		nl_socket_free(events_);
	if (sock_)
		nl_socket_free(sock_);
}

Result<std::vector<nlmsghdr *>> Genl::request(int cmd, bool dump, std::vector<std::vector<char>> &store)
{
	nl_msg *msg = nlmsg_alloc();
	if (!msg)
		return Error{"allocate", NVMET_GENL_NAME, ENOMEM};
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family_, 0, dump ? NLM_F_DUMP : 0, cmd,
	                 NVMET_GENL_VERSION)) {
		nlmsg_free(msg);
		return Error{"build request", NVMET_GENL_NAME, ENOMEM};
	}
	Collect c{&store};
	nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, collect_cb, &c);
	nl_cb_err(cb, NL_CB_CUSTOM, error_cb, &c);
	int err = nl_send_auto(sock_, msg);
	nlmsg_free(msg);
	if (err >= 0)
		err = nl_recvmsgs(sock_, cb);
	nl_cb_put(cb);
	if (c.error)
		return Error{"request", NVMET_GENL_NAME, -c.error}; // the kernel's errno
	if (err < 0)
		return nl_error("request", err, err == -NLE_PERM ? perm_hint : "");
	std::vector<nlmsghdr *> out;
	for (auto &m : store)
		out.push_back(reinterpret_cast<nlmsghdr *>(m.data()));
	return out;
}

Result<std::vector<Ctrl>> Genl::controllers()
{
	std::vector<std::vector<char>> store;
	auto msgs = request(NVMET_CMD_GET_CTRL, true, store);
	if (!msgs) {
		auto e = msgs.error();
		if (e.err == EPERM)
			e.hint = perm_hint;
		return e;
	}
	std::vector<Ctrl> out;
	for (auto *m : *msgs) {
		auto c = parse_ctrl(m);
		if (!c)
			return c.error();
		out.push_back(*c);
	}
	return out;
}

Result<std::vector<Ns>> Genl::namespaces()
{
	std::vector<std::vector<char>> store;
	auto msgs = request(NVMET_CMD_GET_NS, true, store);
	if (!msgs) {
		auto e = msgs.error();
		if (e.err == EPERM)
			e.hint = perm_hint;
		return e;
	}
	std::vector<Ns> out;
	for (auto *m : *msgs) {
		auto n = parse_ns(m);
		if (!n)
			return n.error();
		out.push_back(*n);
	}
	return out;
}

Result<std::string> Genl::module_version()
{
	std::vector<std::vector<char>> store;
	auto msgs = request(NVMET_CMD_GET_INFO, false, store);
	if (!msgs)
		return msgs.error();
	if (msgs->empty())
		return Error{"request", NVMET_GENL_NAME, 0, "no reply to GET_INFO"};
	return parse_module_version(msgs->front());
}

// Events get a socket of their own: multicast messages must not mix with
// the replies to requests on sock_.
Status Genl::subscribe()
{
	const int grp = genl_ctrl_resolve_grp(sock_, NVMET_GENL_NAME, NVMET_GENL_MCGRP_EVENTS);
	if (grp < 0)
		return nl_error("resolve group " NVMET_GENL_MCGRP_EVENTS " of", grp);
	events_ = nl_socket_alloc();
	if (!events_)
		return Error{"allocate a socket for", NVMET_GENL_NAME, ENOMEM};
	int err = genl_connect(events_);
	if (err < 0)
		return nl_error("connect the event socket of", err);
	nl_socket_disable_seq_check(events_);
	err = nl_socket_add_membership(events_, grp);
	if (err < 0)
		return nl_error("join group " NVMET_GENL_MCGRP_EVENTS " of", err,
		                err == -NLE_PERM ? perm_hint : "");
	err = nl_socket_set_nonblocking(events_);
	if (err < 0)
		return nl_error("set non-blocking the event socket of", err);
	return nvmet::ok();
}

int Genl::fd() const
{
	return events_ ? nl_socket_get_fd(events_) : -1;
}

namespace {
struct Dispatch {
	const std::function<void(const Event &)> *on_event;
	Error error;
	bool failed = false;
};

int no_seq_check(nl_msg * /*msg*/, void * /*arg*/)
{
	return NL_OK;
}

int event_cb(nl_msg *msg, void *arg)
{
	auto *d = static_cast<Dispatch *>(arg);
	auto ev = parse_event(nlmsg_hdr(msg));
	if (!ev) {
		d->error = ev.error();
		d->failed = true;
		return NL_SKIP;
	}
	(*d->on_event)(*ev);
	return NL_OK;
}
} // namespace

Status Genl::receive(const std::function<void(const Event &)> &on_event)
{
	Dispatch d{&on_event, {}};
	nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, event_cb, &d);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, nullptr); // events have none
	int err = nl_recvmsgs(events_, cb);
	nl_cb_put(cb);
	if (err < 0 && err != -NLE_AGAIN) {
		// An overrun (ENOBUFS) loses events: say so, the caller goes on.
		return nl_error("receive events", err,
		                err == -NLE_NOMEM ? "events were lost (socket buffer overrun)" : "");
	}
	if (d.failed)
		return d.error;
	return nvmet::ok();
}

} // namespace nvmet::netlink
