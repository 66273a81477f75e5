// SPDX-License-Identifier: GPL-2.0
// The nvmet_oot messages: parsed from messages built in memory the way the
// kernel builds them (kernel/netlink.c), and shown as nvmetd and nvmetctl
// show them.
#include <memory>

#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "catch.hpp"
#include "netlink/format.hpp"
#include "netlink/genl.hpp"
#include "netlink/parse.hpp"
#include "uapi/nvmet-genl.h"

namespace nl = nvmet::netlink;

namespace {

struct MsgDeleter {
	void operator()(nl_msg *m) const { nlmsg_free(m); }
};
using Msg = std::unique_ptr<nl_msg, MsgDeleter>;

Msg message(int cmd)
{
	Msg m(nlmsg_alloc());
	REQUIRE(m);
	REQUIRE(genlmsg_put(m.get(), 0, 0, 0x20, 0, 0, cmd, NVMET_GENL_VERSION));
	return m;
}

void put_ctrl(nl_msg *m)
{
	nla_put_string(m, NVMET_A_SUBSYS_NQN, "nqn.2026-11.org.example:disk");
	nla_put_string(m, NVMET_A_HOST_NQN, "nqn.2014-08.org.nvmexpress:uuid:1");
	nla_put_string(m, NVMET_A_HOST_ID, "2b0c3a9e-7d1f-4c55-9a61-0c6ad3e8a001");
	nla_put_string(m, NVMET_A_HOST_TRADDR, "10.0.2.15:51234");
	nla_put_u16(m, NVMET_A_CNTLID, 7);
	nla_put_u32(m, NVMET_A_KATO, 5);
	nla_put_u16(m, NVMET_A_NR_IO_QUEUES, 2);
	nla_put_u16(m, NVMET_A_PORT_ID, 1);
	nla_put_u8(m, NVMET_A_TRTYPE, 3);
	nla_put_string(m, NVMET_A_TRADDR, "10.0.2.15");
	nla_put_string(m, NVMET_A_TRSVCID, "4420");
}

void put_stats(nl_msg *m)
{
	nlattr *nest = nla_nest_start(m, NVMET_A_STATS);
	nla_put_u64(m, NVMET_STAT_READ_CMDS, 10);
	nla_put_u64(m, NVMET_STAT_READ_BYTES, 40960);
	nla_put_u64(m, NVMET_STAT_READ_LAT_NS, 2000000);
	nla_put_u64(m, NVMET_STAT_WRITE_CMDS, 3);
	nla_put_u64(m, NVMET_STAT_WRITE_BYTES, 12288);
	nla_put_u64(m, NVMET_STAT_ERRORS, 1);
	nla_put_u64(m, NVMET_STAT_MAX + 7, 99); // from a newer module
	nla_nest_end(m, nest);
}

} // namespace

TEST_CASE("a controller message is parsed, newer attributes ignored")
{
	auto m = message(NVMET_CMD_GET_CTRL);
	put_ctrl(m.get());
	put_stats(m.get());
	nla_put_u32(m.get(), NVMET_A_MAX + 3, 1234); // from a newer module
	auto c = nl::parse_ctrl(nlmsg_hdr(m.get()));
	REQUIRE(c);
	CHECK(c->subsys_nqn == "nqn.2026-11.org.example:disk");
	CHECK(c->host_nqn == "nqn.2014-08.org.nvmexpress:uuid:1");
	CHECK(c->host_traddr == "10.0.2.15:51234");
	CHECK(c->cntlid == 7);
	CHECK(c->kato == 5);
	CHECK(c->nr_io_queues == 2);
	CHECK(c->port.port_id == 1);
	CHECK(nl::trtype_name(c->port.trtype) == "tcp");
	CHECK_FALSE(c->discovery);
	REQUIRE(c->stats);
	CHECK(c->stats->read_cmds == 10);
	CHECK(c->stats->read_bytes == 40960);
	CHECK(c->stats->write_bytes == 12288);
	CHECK(c->stats->other_cmds == 0); // not reported: default
	CHECK(c->stats->errors == 1);
}

TEST_CASE("a mistyped attribute is an error, not a misread")
{
	auto m = message(NVMET_CMD_GET_CTRL);
	nla_put_u8(m.get(), NVMET_A_CNTLID, 1); // u16 expected
	auto c = nl::parse_ctrl(nlmsg_hdr(m.get()));
	REQUIRE_FALSE(c);
	CHECK(c.error().message().find("nvmet_oot") != std::string::npos);
}

TEST_CASE("events are parsed by kind and logged one line each")
{
	auto m = message(NVMET_EVT_CTRL_CREATE);
	put_ctrl(m.get());
	auto ev = nl::parse_event(nlmsg_hdr(m.get()));
	REQUIRE(ev);
	CHECK(ev->kind == nl::EventKind::ctrl_create);
	CHECK(nl::event_line(*ev) ==
	      "ctrl-create cntlid=7 subsys=nqn.2026-11.org.example:disk "
	      "host=nqn.2014-08.org.nvmexpress:uuid:1 "
	      "hostid=2b0c3a9e-7d1f-4c55-9a61-0c6ad3e8a001 addr=10.0.2.15:51234 port=1 trtype=tcp");

	auto n = message(NVMET_EVT_NS_RESIZE);
	nla_put_string(n.get(), NVMET_A_SUBSYS_NQN, "nqn.x");
	nla_put_u32(n.get(), NVMET_A_NSID, 3);
	nla_put_u64(n.get(), NVMET_A_NS_SIZE, 1 << 20);
	nla_put_string(n.get(), NVMET_A_DEVICE_PATH, "/srv/a disk.img");
	ev = nl::parse_event(nlmsg_hdr(n.get()));
	REQUIRE(ev);
	CHECK(nl::changes_config(ev->kind));
	CHECK(nl::event_line(*ev) == "ns-resize subsys=nqn.x nsid=3 device=\"/srv/a disk.img\" size=1048576");

	auto p = message(NVMET_EVT_PORT_DISABLE);
	nla_put_u16(p.get(), NVMET_A_PORT_ID, 2);
	nla_put_u8(p.get(), NVMET_A_TRTYPE, 1);
	nla_put_string(p.get(), NVMET_A_TRADDR, "::");
	nla_put_string(p.get(), NVMET_A_TRSVCID, "4420");
	ev = nl::parse_event(nlmsg_hdr(p.get()));
	REQUIRE(ev);
	CHECK(nl::event_line(*ev) == "port-disable port=2 trtype=rdma traddr=:: trsvcid=4420");

	auto u = message(NVMET_CMD_MAX + 4);
	ev = nl::parse_event(nlmsg_hdr(u.get()));
	REQUIRE(ev);
	CHECK(ev->kind == nl::EventKind::unknown);
	CHECK_FALSE(nl::changes_config(ev->kind));
	CHECK(nl::event_line(*ev).find("newer module") != std::string::npos);
}

TEST_CASE("version 2: a controller's authentication and TLS, when reported")
{
	auto m = message(NVMET_CMD_GET_CTRL);
	put_ctrl(m.get());
	nla_put_u8(m.get(), NVMET_A_AUTH, NVMET_AUTH_BIDIRECTIONAL);
	nla_put_u8(m.get(), NVMET_A_TLS, 1);
	auto c = nl::parse_ctrl(nlmsg_hdr(m.get()));
	REQUIRE(c);
	REQUIRE(c->auth);
	CHECK(nl::auth_name(*c->auth) == "bidirectional");
	REQUIRE(c->tls);
	CHECK(*c->tls);
	const auto text = nl::status_text({*c}, {});
	CHECK(text.find("kato 5s  auth: bidirectional  tls: yes\n") != std::string::npos);
	const auto j = nl::status_json({*c}, {});
	CHECK(j["controllers"][0]["auth"] == "bidirectional");
	CHECK(j["controllers"][0]["tls"] == true);

	// A version 1 module reports neither: nothing is shown for them.
	auto old = message(NVMET_CMD_GET_CTRL);
	put_ctrl(old.get());
	auto v1 = nl::parse_ctrl(nlmsg_hdr(old.get()));
	REQUIRE(v1);
	CHECK_FALSE(v1->auth);
	CHECK_FALSE(v1->tls);
	CHECK(nl::status_text({*v1}, {}).find("auth") == std::string::npos);
	CHECK(nl::status_text({*v1}, {}).find("tls") == std::string::npos);
	CHECK_FALSE(nl::status_json({*v1}, {})["controllers"][0].contains("auth"));
	CHECK_FALSE(nl::status_json({*v1}, {})["controllers"][0].contains("tls"));

	CHECK(nl::auth_name(NVMET_AUTH_NONE) == "none");
	CHECK(nl::auth_name(NVMET_AUTH_PENDING) == "pending");
	CHECK(nl::auth_name(NVMET_AUTH_HOST) == "host");
	CHECK(nl::auth_name(9) == "9"); // from a newer module

	auto bad = message(NVMET_CMD_GET_CTRL);
	nla_put_flag(bad.get(), NVMET_A_QID); // u16 expected: too short
	CHECK_FALSE(nl::parse_ctrl(nlmsg_hdr(bad.get())));
}

TEST_CASE("version 2: auth-failure events say which host, queue and why")
{
	auto m = message(NVMET_EVT_AUTH_FAILURE);
	nla_put_string(m.get(), NVMET_A_SUBSYS_NQN, "nqn.2026-11.org.example:disk");
	nla_put_string(m.get(), NVMET_A_HOST_NQN, "nqn.2014-08.org.nvmexpress:uuid:1");
	nla_put_u16(m.get(), NVMET_A_CNTLID, 7);
	nla_put_u16(m.get(), NVMET_A_QID, 2);
	nla_put_u16(m.get(), NVMET_A_PORT_ID, 1);
	nla_put_u8(m.get(), NVMET_A_AUTH_REASON, 0x05);
	auto ev = nl::parse_event(nlmsg_hdr(m.get()));
	REQUIRE(ev);
	CHECK(ev->kind == nl::EventKind::auth_failure);
	CHECK_FALSE(nl::changes_config(ev->kind));
	REQUIRE(ev->qid);
	CHECK(*ev->qid == 2);
	CHECK(nl::event_line(*ev) == "auth-failure cntlid=7 subsys=nqn.2026-11.org.example:disk "
	                             "host=nqn.2014-08.org.nvmexpress:uuid:1 port=1 qid=2 "
	                             "reason=dhgroup-unusable code=0x05");

	const char *names[] = {
	        "failed",           "not-usable",        "concat-mismatch",           "hash-unusable",
	        "dhgroup-unusable", "incorrect-payload", "incorrect-protocol-message"};
	for (std::uint8_t r = 1; r <= 7; r++)
		CHECK(nl::auth_reason_name(r) == names[r - 1]);
	CHECK(nl::auth_reason_name(0x42) == "unknown");

	// A controller event of version 2 carries authentication and TLS.
	auto c = message(NVMET_EVT_CTRL_CREATE);
	put_ctrl(c.get());
	nla_put_u8(c.get(), NVMET_A_AUTH, NVMET_AUTH_PENDING);
	nla_put_u8(c.get(), NVMET_A_TLS, 0);
	ev = nl::parse_event(nlmsg_hdr(c.get()));
	REQUIRE(ev);
	const auto line = nl::event_line(*ev);
	CHECK(line.find("ctrl-create cntlid=7 ") == 0);
	CHECK(line.ends_with(" trtype=tcp auth=pending tls=no"));
}

TEST_CASE("status and Prometheus output from a fake source")
{
	nl::FakeSource src;
	nl::Ctrl c;
	c.subsys_nqn = "nqn.a";
	c.host_nqn = "nqn.h\"quoted\"";
	c.cntlid = 1;
	c.stats = nl::Stats{.read_cmds = 4, .read_bytes = 16384, .read_lat_ns = 4000};
	src.ctrls.push_back(c);
	nl::Ns n;
	n.subsys_nqn = "nqn.a";
	n.nsid = 1;
	n.enabled = true;
	n.size = 1 << 30;
	n.stats = nl::Stats{.write_cmds = 2, .write_bytes = 8192, .errors = 1};
	src.nss.push_back(n);

	auto ctrls = src.controllers();
	auto nss = src.namespaces();
	REQUIRE(ctrls);
	REQUIRE(nss);
	auto j = nl::status_json(*ctrls, *nss);
	CHECK(j["controllers"][0]["stats"]["read"]["bytes"] == 16384);
	CHECK(j["namespaces"][0]["stats"]["write"]["commands"] == 2);
	CHECK(j["namespaces"][0]["stats"]["errors"] == 1);
	CHECK(nl::status_text(*ctrls, *nss).find("writes 2 (8192 B") != std::string::npos);

	const auto text = nl::prometheus_text(*ctrls, *nss);
	CHECK(text.find("nvmet_controllers 1\n") != std::string::npos);
	CHECK(text.find(
	              "nvmet_ctrl_commands_total{subsys=\"nqn.a\",cntlid=\"1\",host=\"nqn.h\\\"quoted\\\"\","
	              "class=\"read\"} 4\n") != std::string::npos);
	CHECK(text.find("nvmet_ns_bytes_total{subsys=\"nqn.a\",nsid=\"1\",class=\"write\"} 8192\n") !=
	      std::string::npos);
	CHECK(text.find("nvmet_ns_size_bytes{subsys=\"nqn.a\",nsid=\"1\"} 1073741824\n") !=
	      std::string::npos);
	// Each family's samples follow its own TYPE line, none elsewhere.
	const auto type = text.find("# TYPE nvmet_ns_errors_total counter\n");
	const auto sample = text.find("nvmet_ns_errors_total{");
	const auto next = text.find("# TYPE", type + 1);
	REQUIRE(type != std::string::npos);
	CHECK(sample > type);
	CHECK(sample < next);
}
