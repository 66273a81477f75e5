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

namespace {

const char *const host_a = "2b0c3a9e-7d1f-4c55-9a61-0c6ad3e8a001";
const char *const host_b = "9f8e7d6c-0000-4000-8000-000000000002";

void put_ns(nl_msg *m, bool enabled)
{
	nla_put_string(m, NVMET_A_SUBSYS_NQN, "nqn.2026-11.org.example:disk");
	nla_put_u32(m, NVMET_A_NSID, 1);
	nla_put_u8(m, NVMET_A_NS_ENABLED, enabled ? 1 : 0);
	nla_put_u64(m, NVMET_A_NS_SIZE, enabled ? 1 << 20 : 0);
	nla_put_string(m, NVMET_A_DEVICE_PATH, "/dev/loop0");
}

void put_registrant(nl_msg *m, const char *host_id, std::uint64_t key)
{
	nlattr *nest = nla_nest_start(m, NVMET_A_RESV_REGISTRANT);
	nla_put_string(m, NVMET_A_HOST_ID, host_id);
	nla_put_u64(m, NVMET_A_RESV_KEY, key);
	nla_put_u32(m, NVMET_A_MAX + 5, 1); // from a newer module
	nla_nest_end(m, nest);
}

// The reservation attributes as nvmet_genl_put_resv() puts them: the holder
// only for types 1-4, one nest per registration.
void put_resv(nl_msg *m, std::uint32_t gen, std::uint8_t type, const char *holder)
{
	nla_put_u8(m, NVMET_A_RESV_ENABLED, 1);
	nla_put_u32(m, NVMET_A_RESV_GEN, gen);
	nla_put_u8(m, NVMET_A_RESV_TYPE, type);
	nla_put_u8(m, NVMET_A_RESV_PTPL, 1);
	if (holder)
		nla_put_string(m, NVMET_A_RESV_HOLDER, holder);
	put_registrant(m, host_a, 0xabcd);
	put_registrant(m, host_b, 0xfedcba9876543210);
}

} // namespace

TEST_CASE("version 3: a namespace with reservations, its holder and registrants")
{
	auto m = message(NVMET_CMD_GET_NS);
	put_ns(m.get(), true);
	put_resv(m.get(), 7, 4, host_a);
	put_stats(m.get());
	auto n = nl::parse_ns(nlmsg_hdr(m.get()));
	REQUIRE(n);
	CHECK(n->nsid == 1);
	REQUIRE(n->stats);
	REQUIRE(n->resv);
	CHECK(n->resv->enabled);
	REQUIRE(n->resv->state);
	const auto &s = *n->resv->state;
	CHECK(s.generation == 7);
	CHECK(s.type == 4);
	CHECK(s.ptpl);
	CHECK(s.holder == host_a);
	REQUIRE(s.registrants.size() == 2);
	CHECK(s.registrants[0].host_id == host_a);
	CHECK(s.registrants[0].key == 0xabcd);
	CHECK(s.registrants[1].host_id == host_b);
	CHECK(s.registrants[1].key == 0xfedcba9876543210);

	const auto text = nl::status_text({}, {*n});
	CHECK(text.find("  nqn.2026-11.org.example:disk nsid 1  /dev/loop0  enabled  1048576 B\n"
	                "    reads 10 ") != std::string::npos);
	CHECK(text.ends_with(
	        "    reservation: Exclusive Access - Registrants Only  holder: "
	        "2b0c3a9e-7d1f-4c55-9a61-0c6ad3e8a001  generation: 7  ptpl: yes  registrants: 2\n"
	        "      registrant: 2b0c3a9e-7d1f-4c55-9a61-0c6ad3e8a001  key: 0x000000000000abcd\n"
	        "      registrant: 9f8e7d6c-0000-4000-8000-000000000002  key: 0xfedcba9876543210\n"));

	const auto j = nl::status_json({}, {*n})["namespaces"][0]["reservation"];
	CHECK(j["enabled"] == true);
	CHECK(j["generation"] == 7);
	CHECK(j["type"] == "Exclusive Access - Registrants Only");
	CHECK(j["rtype"] == 4);
	CHECK(j["holder"] == host_a);
	CHECK(j["ptpl"] == true);
	REQUIRE(j["registrants"].size() == 2);
	CHECK(j["registrants"][1]["hostid"] == host_b);
	CHECK(j["registrants"][1]["key"] == "0xfedcba9876543210");

	// Types 5-6: every registrant holds the reservation, no holder is sent.
	auto all = message(NVMET_CMD_GET_NS);
	put_ns(all.get(), true);
	put_resv(all.get(), 8, 6, nullptr);
	n = nl::parse_ns(nlmsg_hdr(all.get()));
	REQUIRE(n);
	REQUIRE(n->resv);
	REQUIRE(n->resv->state);
	CHECK(n->resv->state->holder.empty());
	CHECK(nl::status_text({}, {*n}).find("    reservation: Exclusive Access - All Registrants  holder: "
	                                     "all registrants  generation: 8  ") != std::string::npos);
	CHECK(nl::status_json({}, {*n})["namespaces"][0]["reservation"]["holder"] == "all registrants");

	const char *names[] = {"none",
	                       "Write Exclusive",
	                       "Exclusive Access",
	                       "Write Exclusive - Registrants Only",
	                       "Exclusive Access - Registrants Only",
	                       "Write Exclusive - All Registrants",
	                       "Exclusive Access - All Registrants"};
	for (std::uint8_t t = 0; t <= 6; t++) {
		CHECK(nl::resv_type_name(t) == names[t]);
		CHECK(nl::all_registrants(t) == (t >= 5));
	}
	CHECK(nl::resv_type_name(9) == "type 9"); // from a newer module

	// A registrant's key that is not a u64 is an error, not a misread.
	auto bad = message(NVMET_CMD_GET_NS);
	put_ns(bad.get(), true);
	nlattr *nest = nla_nest_start(bad.get(), NVMET_A_RESV_REGISTRANT);
	nla_put_string(bad.get(), NVMET_A_HOST_ID, host_a);
	nla_put_u8(bad.get(), NVMET_A_RESV_KEY, 1);
	nla_nest_end(bad.get(), nest);
	CHECK_FALSE(nl::parse_ns(nlmsg_hdr(bad.get())));
}

TEST_CASE("version 3: namespaces without reservations show nothing more")
{
	// No reservation, registrations only: type none, no holder.
	auto reg = message(NVMET_CMD_GET_NS);
	put_ns(reg.get(), true);
	nla_put_u8(reg.get(), NVMET_A_RESV_ENABLED, 1);
	nla_put_u32(reg.get(), NVMET_A_RESV_GEN, 1);
	nla_put_u8(reg.get(), NVMET_A_RESV_TYPE, 0);
	nla_put_u8(reg.get(), NVMET_A_RESV_PTPL, 0);
	put_registrant(reg.get(), host_b, 1);
	auto n = nl::parse_ns(nlmsg_hdr(reg.get()));
	REQUIRE(n);
	CHECK(nl::status_text({}, {*n}).ends_with(
	        "    reservation: none  holder: none  generation: 1  ptpl: no  registrants: 1\n"
	        "      registrant: 9f8e7d6c-0000-4000-8000-000000000002  key: 0x0000000000000001\n"));
	CHECK_FALSE(nl::status_json({}, {*n})["namespaces"][0]["reservation"].contains("holder"));

	// resv_enable=0: the module sends RESV_ENABLED alone.
	auto off = message(NVMET_CMD_GET_NS);
	put_ns(off.get(), true);
	nla_put_u8(off.get(), NVMET_A_RESV_ENABLED, 0);
	n = nl::parse_ns(nlmsg_hdr(off.get()));
	REQUIRE(n);
	REQUIRE(n->resv);
	CHECK_FALSE(n->resv->enabled);
	CHECK_FALSE(n->resv->state);
	const std::string plain = "namespaces: 1\n"
	                          "  nqn.2026-11.org.example:disk nsid 1  /dev/loop0  enabled  1048576 B\n";
	CHECK(nl::status_text({}, {*n}) == "controllers: 0\n" + plain);
	CHECK_FALSE(nl::status_json({}, {*n})["namespaces"][0].contains("reservation"));

	// A version 2 module reports none: the same output.
	auto v2 = message(NVMET_CMD_GET_NS);
	put_ns(v2.get(), true);
	n = nl::parse_ns(nlmsg_hdr(v2.get()));
	REQUIRE(n);
	CHECK_FALSE(n->resv);
	CHECK(nl::status_text({}, {*n}) == "controllers: 0\n" + plain);
	CHECK_FALSE(nl::status_json({}, {*n})["namespaces"][0].contains("reservation"));

	// resv_enable=1 on a disabled namespace: no state to show yet.
	auto disabled = message(NVMET_CMD_GET_NS);
	put_ns(disabled.get(), false);
	nla_put_u8(disabled.get(), NVMET_A_RESV_ENABLED, 1);
	n = nl::parse_ns(nlmsg_hdr(disabled.get()));
	REQUIRE(n);
	REQUIRE(n->resv);
	CHECK(n->resv->enabled);
	CHECK_FALSE(n->resv->state);
	CHECK(nl::status_text({}, {*n}).ends_with("disabled  0 B\n    reservations: enabled\n"));
	CHECK(nl::status_json({}, {*n})["namespaces"][0]["reservation"] == nlohmann::json{{"enabled", true}});
}

TEST_CASE("version 3: ns-resv events name the namespace, type, holder and registrants")
{
	auto m = message(NVMET_EVT_NS_RESV);
	put_ns(m.get(), true);
	put_resv(m.get(), 3, 1, host_a);
	auto ev = nl::parse_event(nlmsg_hdr(m.get()));
	REQUIRE(ev);
	CHECK(ev->kind == nl::EventKind::ns_resv);
	CHECK(nl::event_name(ev->kind) == std::string("ns-resv"));
	CHECK_FALSE(nl::changes_config(ev->kind)); // reservations are not configuration
	REQUIRE(ev->ns.resv);
	REQUIRE(ev->ns.resv->state);
	CHECK(ev->ns.resv->state->registrants.size() == 2);
	CHECK(nl::event_line(*ev) == "ns-resv subsys=nqn.2026-11.org.example:disk nsid=1 gen=3 "
	                             "type=\"Write Exclusive\" holder=2b0c3a9e-7d1f-4c55-9a61-0c6ad3e8a001 "
	                             "registrants=2 ptpl=yes");

	auto all = message(NVMET_EVT_NS_RESV);
	put_ns(all.get(), true);
	put_resv(all.get(), 4, 5, nullptr);
	ev = nl::parse_event(nlmsg_hdr(all.get()));
	REQUIRE(ev);
	CHECK(nl::event_line(*ev).ends_with(" type=\"Write Exclusive - All Registrants\" "
	                                    "holder=\"all registrants\" registrants=2 ptpl=yes"));

	// The other namespace events carry the attributes too, and log as before.
	auto add = message(NVMET_EVT_NS_ADD);
	put_ns(add.get(), true);
	put_resv(add.get(), 0, 0, nullptr);
	ev = nl::parse_event(nlmsg_hdr(add.get()));
	REQUIRE(ev);
	REQUIRE(ev->ns.resv);
	CHECK(nl::event_line(*ev) ==
	      "ns-add subsys=nqn.2026-11.org.example:disk nsid=1 device=/dev/loop0 size=1048576");
}
