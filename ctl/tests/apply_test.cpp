// SPDX-License-Identifier: GPL-2.0
// apply against FakeTree: the plan for each kind of change, its order,
// idempotence, objects left alone, rollback after a refusal, the lock.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

#include "catch.hpp"
#include "compat/apply.hpp"
#include "compat/nvmetcli_compat.hpp"
#include "configfs/fake.hpp"
#include "tmpdir.hpp"

using namespace nvmet;
using nlohmann::json;

namespace {

const std::string host_a = "nqn.2014-08.org.nvmexpress:uuid:0f01fb42-9f7f-4856-b0b3-51e60b8de349";
const std::string host_b = "nqn.2014-08.org.nvmexpress:uuid:5b0c7c2e-1d0e-4f57-9a57-1c1c2a3b4d5e";
const std::string sub1 = "nqn.2026-11.org.nvmet-oot:sub1";
const std::string sub2 = "nqn.2026-11.org.nvmet-oot:sub2";
const std::string sub3 = "nqn.2026-11.org.nvmet-oot:sub3";

json sample()
{
	return json::parse(R"({
  "discovery": { "nqn": "nqn.2026-11.org.nvmet-oot:discovery" },
  "hosts": [ { "nqn": ")" + host_a +
	                   R"(" } ],
  "subsystems": [
    { "nqn": ")" + sub1 + R"(", "allowed_hosts": [ ")" +
	                   host_a + R"(" ],
      "attr": { "allow_any_host": "0", "serial": "0123456789abcdef", "model": "Appliance" },
      "namespaces": [
        { "nsid": 1, "enable": 1, "ana_grpid": 2,
          "device": { "path": "/dev/loop0", "uuid": "d592cdf3-5d1c-44e0-8412-3fcf7d99df27" } },
        { "nsid": 7, "enable": 0, "device": { "path": "/srv/img" }, "buffered_io": "1" } ] },
    { "nqn": ")" + sub2 + R"(", "attr": { "allow_any_host": "1" }, "namespaces": [] }
  ],
  "ports": [
    { "portid": 1,
      "addr": { "trtype": "tcp", "adrfam": "ipv4", "traddr": "10.0.0.1", "trsvcid": "4420" },
      "param": { "inline_data_size": "16384" },
      "ana_groups": [ { "grpid": 1, "ana": { "state": "optimized" } },
                      { "grpid": 2, "ana": { "state": "non-optimized" } } ],
      "referrals": [ { "name": "r1", "enable": 1,
                       "addr": { "trtype": "tcp", "adrfam": "ipv4", "traddr": "10.0.0.2",
                                 "trsvcid": "4420", "portid": "2" } } ],
      "subsystems": [ ")" + sub1 +
	                   R"(", ")" + sub2 + R"(" ] },
    { "portid": 2,
      "addr": { "trtype": "tcp", "adrfam": "ipv4", "traddr": "10.0.0.1", "trsvcid": "4421" },
      "subsystems": [ ")" + sub2 +
	                   R"(" ] }
  ]
})");
}

json saved(const configfs::Tree &tree)
{
	auto s = compat::save(tree);
	REQUIRE(s.ok());
	return *s;
}

// The steps apply would take, as a person reads them.
std::vector<std::string> planned(const configfs::Tree &tree, const json &config)
{
	auto p = compat::plan(tree, config);
	INFO((p.ok() ? std::string() : p.error().message()));
	REQUIRE(p.ok());
	std::vector<std::string> out;
	for (const auto &s : p->steps)
		out.push_back(s.what);
	return out;
}

// Applies CONFIG; it must succeed, and a second apply must find nothing to do.
std::vector<std::string> applied(const configfs::Tree &tree, const json &config)
{
	auto r = compat::apply(tree, config);
	INFO((r.ok() ? std::string() : r.error().message()));
	REQUIRE(r.ok());
	CHECK(planned(tree, config).empty());
	return r->steps;
}

std::size_t index_of(const std::vector<std::string> &steps, const std::string &what)
{
	auto it = std::find(steps.begin(), steps.end(), what);
	INFO("looking for: " << what);
	for (const auto &s : steps)
		UNSCOPED_INFO("step: " << s);
	REQUIRE(it != steps.end());
	return static_cast<std::size_t>(it - steps.begin());
}

// The operations on the fake under PREFIX.
std::vector<std::string> ops_under(const configfs::FakeTree &tree, const std::string &prefix)
{
	std::vector<std::string> out;
	for (const auto &op : tree.operations())
		if (op.find(" " + prefix) != std::string::npos)
			out.push_back(op);
	return out;
}

struct Fixture {
	TmpDir dir;
	configfs::FakeTree tree{dir.path()};
	Fixture()
	{
		auto r = compat::restore(tree, sample());
		INFO((r.ok() ? std::string() : r.error().message()));
		REQUIRE(r.ok());
		tree.forget_operations();
	}
};

} // namespace

TEST_CASE("apply on an empty target builds what restore builds", "[apply]")
{
	TmpDir a, b;
	configfs::FakeTree ta(a.path()), tb(b.path());
	json c = sample();
	c["ports"][0]["ana_groups"][0]["ana"]["state"] = "non-optimized"; // group 1 of a new port
	REQUIRE(compat::restore(ta, c).ok());
	auto r = compat::apply(tb, c);
	INFO((r.ok() ? std::string() : r.error().message()));
	REQUIRE(r.ok());
	CHECK(r->warnings.empty());
	CHECK(planned(tb, c).empty());
	CHECK(saved(tb) == saved(ta));
	CHECK(*tb.read("ports/1/ana_groups/1/ana_state") == "non-optimized");

	// A saved file (passthru settings of every subsystem included) the same.
	TmpDir d;
	configfs::FakeTree td(d.path());
	r = compat::apply(td, saved(ta));
	REQUIRE(r.ok());
	CHECK(r->warnings.empty());
	CHECK(saved(td) == saved(ta));
}

TEST_CASE("apply of the live configuration changes nothing", "[apply]")
{
	Fixture f;
	for (const json &config : {sample(), saved(f.tree)}) {
		auto r = compat::apply(f.tree, config);
		REQUIRE(r.ok());
		CHECK(r->steps.empty());
	}
	CHECK(f.tree.operations().empty());
}

TEST_CASE("apply: passthru forward_all_admin set, and back to 0 when the file drops it", "[apply]")
{
	Fixture f;
	const std::string file = "subsystems/" + sub1 + "/passthru/forward_all_admin";
	json c = sample();
	REQUIRE(c["subsystems"][0]["nqn"] == sub1);
	c["subsystems"][0]["passthru"][0]["forward_all_admin"] = 1;
	auto r = compat::apply(f.tree, c);
	REQUIRE(r.ok());
	CHECK(*f.tree.read(file) == "1");
	CHECK(planned(f.tree, c).empty());
	// A saved file has a passthru element for every subsystem.
	c["subsystems"][0]["passthru"][0].erase("forward_all_admin");
	c["subsystems"][0]["passthru"][0]["clear_ids"] = 1;
	r = compat::apply(f.tree, c);
	REQUIRE(r.ok());
	CHECK(*f.tree.read(file) == "0");
	CHECK(planned(f.tree, c).empty());
}

TEST_CASE("apply --dry-run plans and changes nothing", "[apply]")
{
	Fixture f;
	json c = sample();
	c["subsystems"][0]["attr"]["model"] = "Other";
	const json before = saved(f.tree);
	auto r = compat::apply(f.tree, c, {.dry_run = true});
	REQUIRE(r.ok());
	CHECK(r->steps ==
	      std::vector<std::string>{"subsystem " + sub1 + ": attr_model 'Appliance' -> 'Other'"});
	CHECK(f.tree.operations().empty());
	CHECK(saved(f.tree) == before);
}

TEST_CASE("apply: hosts added, changed, removed", "[apply]")
{
	Fixture f;
	json c = sample();
	c["hosts"].push_back({{"nqn", host_b}, {"dhchap", {{"dhgroup", "ffdhe2048"}}}});
	c["subsystems"][0]["allowed_hosts"].push_back(host_b);
	auto steps = applied(f.tree, c);
	CHECK(steps ==
	      std::vector<std::string>{"add host " + host_b, "subsystem " + sub1 + ": allow host " + host_b});
	CHECK(*f.tree.read("hosts/" + host_b + "/dhchap_dhgroup") == "ffdhe2048");

	c["hosts"][1]["dhchap"]["dhgroup"] = "ffdhe3072";
	c["hosts"][1]["dhchap"]["key"] = "DHHC-1:00:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n:";
	steps = applied(f.tree, c);
	CHECK(steps ==
	      std::vector<std::string>{"host " + host_b + ": dhchap_dhgroup 'ffdhe2048' -> 'ffdhe3072'",
	                               "host " + host_b + ": dhchap_key set (secret)"});

	// Removed: unlinked from the subsystem first.
	c = sample();
	steps = applied(f.tree, c);
	CHECK(index_of(steps, "subsystem " + sub1 + ": disallow host " + host_b) <
	      index_of(steps, "remove host " + host_b));
	CHECK_FALSE(f.tree.exists("hosts/" + host_b));
}

TEST_CASE("apply: subsystem attributes and allowed hosts", "[apply]")
{
	Fixture f;
	json c = sample();
	c["subsystems"][0]["attr"]["model"] = "Other";
	c["subsystems"][1]["attr"]["cntlid_max"] = "10";
	auto steps = applied(f.tree, c);
	CHECK(steps == std::vector<std::string>{"subsystem " + sub1 + ": attr_model 'Appliance' -> 'Other'",
	                                        "subsystem " + sub2 + ": attr_cntlid_max '65519' -> '10'"});
	CHECK(*f.tree.read("subsystems/" + sub1 + "/attr_model") == "Other");
	// A controller ID range above the current one: its end is written first.
	c["subsystems"][1]["attr"]["cntlid_min"] = "100";
	c["subsystems"][1]["attr"]["cntlid_max"] = "200";
	steps = applied(f.tree, c);
	CHECK(steps == std::vector<std::string>{"subsystem " + sub2 + ": attr_cntlid_max '10' -> '200'",
	                                        "subsystem " + sub2 + ": attr_cntlid_min '1' -> '100'"});

	// allow_any_host off, then a host allowed; and back: the host goes first.
	c["subsystems"][1]["attr"]["allow_any_host"] = "0";
	c["subsystems"][1]["allowed_hosts"] = json::array({host_a});
	steps = applied(f.tree, c);
	CHECK(steps == std::vector<std::string>{"subsystem " + sub2 + ": attr_allow_any_host '1' -> '0'",
	                                        "subsystem " + sub2 + ": allow host " + host_a});
	c["subsystems"][1]["attr"]["allow_any_host"] = "1";
	c["subsystems"][1]["allowed_hosts"] = json::array();
	steps = applied(f.tree, c);
	CHECK(steps == std::vector<std::string>{"subsystem " + sub2 + ": disallow host " + host_a,
	                                        "subsystem " + sub2 + ": attr_allow_any_host '0' -> '1'"});
}

TEST_CASE("apply: namespaces added, removed, changed, enabled", "[apply]")
{
	Fixture f;
	const std::string ns1 = "namespace " + sub1 + " nsid 1";
	json c = sample();
	c["subsystems"][0]["namespaces"][0]["device"]["path"] = "/dev/loop1";
	auto steps = applied(f.tree, c);
	CHECK(steps ==
	      std::vector<std::string>{
	              ns1 + ": disable, to change device_path (the kernel allows it only on a disabled "
	                    "namespace; hosts lose the namespace until it is enabled again)",
	              ns1 + ": device_path '/dev/loop0' -> '/dev/loop1'", ns1 + ": enable again"});
	CHECK(*f.tree.read("subsystems/" + sub1 + "/namespaces/1/enable") == "1");

	// The ANA group changes live: no disable.
	f.tree.forget_operations();
	c["subsystems"][0]["namespaces"][0]["ana_grpid"] = 1;
	steps = applied(f.tree, c);
	CHECK(steps == std::vector<std::string>{ns1 + ": ana_grpid '2' -> '1'"});
	CHECK(ops_under(f.tree, "subsystems/" + sub1 + "/namespaces/1/enable").empty());

	// Disabled, then removed; another added, enabled.
	c["subsystems"][0]["namespaces"][0]["enable"] = 0;
	CHECK(applied(f.tree, c) == std::vector<std::string>{ns1 + ": disable"});
	c["subsystems"][0]["namespaces"].erase(0);
	c["subsystems"][1]["namespaces"].push_back(
	        {{"nsid", 3}, {"enable", 1}, {"device", {{"path", "/dev/sdz"}}}});
	steps = applied(f.tree, c);
	CHECK(steps == std::vector<std::string>{"remove namespace " + sub1 + " nsid 1",
	                                        "add namespace " + sub2 + " nsid 3 (/dev/sdz, enabled)"});
	CHECK_FALSE(f.tree.exists("subsystems/" + sub1 + "/namespaces/1"));
	CHECK(*f.tree.read("subsystems/" + sub2 + "/namespaces/3/enable") == "1");
	// Enabling a disabled one.
	c["subsystems"][0]["namespaces"][0]["enable"] = 1;
	CHECK(applied(f.tree, c) == std::vector<std::string>{"namespace " + sub1 + " nsid 7: enable"});
}

TEST_CASE("apply: ports added, removed, changed; links; ANA groups; referrals", "[apply]")
{
	Fixture f;
	json c = sample();
	// An address change of a linked port: its links go down for the write.
	c["ports"][0]["addr"]["traddr"] = "10.0.0.9";
	auto steps = applied(f.tree, c);
	REQUIRE(steps.size() == 5);
	CHECK(steps[0].rfind("port 1: unlink " + sub1 + ", to change addr_traddr", 0) == 0);
	CHECK(steps[1].rfind("port 1: unlink " + sub2 + ", to change addr_traddr", 0) == 0);
	CHECK(steps[2] == "port 1: addr_traddr '10.0.0.1' -> '10.0.0.9'");
	CHECK(steps[3] == "port 1: link " + sub1 + " again");
	CHECK(steps[4] == "port 1: link " + sub2 + " again");
	CHECK(*f.tree.read("ports/1/addr_traddr") == "10.0.0.9");
	CHECK(f.tree.exists("ports/1/subsystems/" + sub1));

	// Unlink and link.
	c["ports"][1]["subsystems"] = json::array({sub1});
	steps = applied(f.tree, c);
	CHECK(steps == std::vector<std::string>{"port 2: unlink " + sub2 + " (no longer exported there)",
	                                        "port 2: link " + sub1 + " (export it)"});

	// ANA groups and referrals.
	c["ports"][0]["ana_groups"][1]["ana"]["state"] = "inaccessible";
	c["ports"][0]["ana_groups"].push_back({{"grpid", 5}, {"ana", {{"state", "optimized"}}}});
	c["ports"][0]["referrals"][0]["addr"]["traddr"] = "10.0.0.3";
	c["ports"][0]["referrals"].push_back(
	        {{"name", "r2"},
	         {"enable", 1},
	         {"addr",
	          {{"trtype", "tcp"}, {"adrfam", "ipv4"}, {"traddr", "10.0.0.4"}, {"trsvcid", "8009"}}}});
	steps = applied(f.tree, c);
	CHECK(steps ==
	      std::vector<std::string>{"port 1 ANA group 2: ana_state 'non-optimized' -> 'inaccessible'",
	                               "port 1: add ANA group 5 (optimized)",
	                               "port 1 referral r1: disable, to change its address",
	                               "port 1 referral r1: addr_traddr '10.0.0.2' -> '10.0.0.3'",
	                               "port 1 referral r1: enable again", "port 1: add referral r2"});
	c["ports"][0]["ana_groups"].erase(1);
	c["ports"][0]["referrals"].erase(0);
	steps = applied(f.tree, c);
	CHECK(steps == std::vector<std::string>{"port 1: remove ANA group 2", "port 1: remove referral r1"});

	// A port added with a link; one removed: its links first.
	json p3 = {{"portid", 3},
	           {"addr",
	            {{"trtype", "tcp"}, {"adrfam", "ipv4"}, {"traddr", "10.0.0.1"}, {"trsvcid", "4422"}}},
	           {"subsystems", {sub2}}};
	c["ports"].push_back(p3);
	c["ports"].erase(1);
	steps = applied(f.tree, c);
	CHECK(steps == std::vector<std::string>{"port 2: unlink " + sub1 + " (no longer exported there)",
	                                        "remove port 2 (its referrals and ANA groups with it)",
	                                        "add port 3 (tcp ipv4 10.0.0.1:4422)",
	                                        "port 3: link " + sub2 + " (export it)"});
	CHECK_FALSE(f.tree.exists("ports/2"));
}

TEST_CASE("apply: a new subsystem is made before it is linked; a removed one unlinked first", "[apply]")
{
	Fixture f;
	json c = sample();
	c["subsystems"].push_back(
	        {{"nqn", sub3},
	         {"attr", {{"allow_any_host", "1"}}},
	         {"namespaces", {{{"nsid", 1}, {"enable", 1}, {"device", {{"path", "/dev/sdy"}}}}}}});
	c["ports"][0]["subsystems"].push_back(sub3);
	c["subsystems"][1]["attr"]["model"] = "Other"; // something unrelated
	auto steps = applied(f.tree, c);
	CHECK(steps == std::vector<std::string>{"subsystem " + sub2 + ": attr_model 'Linux' -> 'Other'",
	                                        "add subsystem " + sub3,
	                                        "add namespace " + sub3 + " nsid 1 (/dev/sdy, enabled)",
	                                        "port 1: link " + sub3 + " (export it)"});

	c["subsystems"].erase(2);
	c["ports"][0]["subsystems"].erase(2);
	steps = applied(f.tree, c);
	CHECK(steps == std::vector<std::string>{"port 1: unlink " + sub3 + " (no longer exported there)",
	                                        "remove subsystem " + sub3 +
	                                                " (its namespaces and allowed hosts with it)"});
	CHECK_FALSE(f.tree.exists("subsystems/" + sub3));
}

TEST_CASE("apply leaves unchanged ports, subsystems and namespaces untouched", "[apply]")
{
	Fixture f;
	json c = sample();
	c["subsystems"].push_back(
	        {{"nqn", sub3},
	         {"attr", {{"allow_any_host", "1"}}},
	         {"namespaces", {{{"nsid", 1}, {"enable", 1}, {"device", {{"path", "/dev/sdy"}}}}}}});
	c["ports"][0]["subsystems"].push_back(sub3);
	c["subsystems"][1]["attr"]["model"] = "Other";
	applied(f.tree, c);
	// Nothing of sub1 (its namespaces, hosts) or port 2 was written, disabled or relinked;
	// port 1 only got the new link.
	CHECK(ops_under(f.tree, "subsystems/" + sub1).empty());
	CHECK(ops_under(f.tree, "ports/2").empty());
	CHECK(ops_under(f.tree, "ports/1") == std::vector<std::string>{"link ports/1/subsystems/" + sub3});
	CHECK(ops_under(f.tree, "subsystems/" + sub2) ==
	      std::vector<std::string>{"write subsystems/" + sub2 + "/attr_model"});
	CHECK(ops_under(f.tree, "hosts").empty());
}

TEST_CASE("apply rolls back when the kernel refuses a step", "[apply]")
{
	Fixture f;
	const json before = saved(f.tree);
	json c = sample();
	c["subsystems"][0]["namespaces"][0]["device"]["path"] = "/dev/loop1"; // disable, write, enable
	c["subsystems"][0]["namespaces"].erase(1); // nsid 7 removed
	c["subsystems"].push_back({{"nqn", sub3}, {"attr", {{"allow_any_host", "1"}}}});
	c["ports"][0]["subsystems"].push_back(sub3);

	SECTION("the link of the new subsystem")
	{
		f.tree.refuse("ports/1/subsystems/" + sub3, EADDRINUSE);
	}
	SECTION("the device path, with the namespace disabled")
	{
		f.tree.refuse("subsystems/" + sub1 + "/namespaces/1/device_path", EIO);
	}
	auto r = compat::apply(f.tree, c);
	REQUIRE_FALSE(r.ok());
	const auto msg = r.error().message();
	INFO(msg);
	CHECK(msg.find("step ") == 0);
	CHECK(msg.find("rolled back") != std::string::npos);
	CHECK(msg.find("previous configuration is back in place") != std::string::npos);
	CHECK((r.error().err == EADDRINUSE || r.error().err == EIO));
	CHECK((msg.find("ports/1/subsystems/" + sub3) != std::string::npos ||
	       msg.find("namespaces/1/device_path") != std::string::npos));
	CHECK(saved(f.tree) == before);
	// What save() leaves out came back too.
	CHECK(*f.tree.read("subsystems/" + sub1 + "/namespaces/7/buffered_io") == "1");
	CHECK(*f.tree.read("subsystems/" + sub1 + "/namespaces/1/enable") == "1");
}

TEST_CASE("apply rolls back a port's security change, its links made again", "[apply]")
{
	Fixture f;
	const json before = saved(f.tree);
	json c = sample();
	c["ports"][0]["addr"]["tsas"] = "tls1.3"; // treq follows: 'required'
	c["ports"][0]["addr"]["treq"] = "required";
	c["subsystems"].push_back({{"nqn", sub3}, {"attr", {{"allow_any_host", "1"}}}});
	c["ports"][0]["subsystems"].push_back(sub3);
	f.tree.refuse("ports/1/subsystems/" + sub3, ENOMEM); // the last step
	auto r = compat::apply(f.tree, c);
	REQUIRE_FALSE(r.ok());
	INFO(r.error().message());
	CHECK(r.error().message().find("previous configuration is back in place") != std::string::npos);
	CHECK(saved(f.tree) == before);
	CHECK(*f.tree.read("ports/1/addr_tsas") == "none");
	CHECK(*f.tree.read("ports/1/addr_treq") == "not specified");
	CHECK(f.tree.exists("ports/1/subsystems/" + sub1));
	CHECK(f.tree.exists("ports/1/subsystems/" + sub2));
	// Without the refusal it goes through.
	applied(f.tree, c);
	CHECK(*f.tree.read("ports/1/addr_tsas") == "tls1.3");
}

TEST_CASE("apply: a frozen serial says how to change it", "[apply]")
{
	Fixture f;
	const json before = saved(f.tree);
	json c = sample();
	c["subsystems"][0]["attr"]["serial"] = "1234";
	f.tree.refuse("subsystems/" + sub1 + "/attr_serial", EINVAL); // as nvmet once a host identified it
	auto r = compat::apply(f.tree, c);
	REQUIRE_FALSE(r.ok());
	const auto msg = r.error().message();
	INFO(msg);
	CHECK(msg.find("step 1 of 1 (subsystem " + sub1 + ": attr_serial '0123456789abcdef' -> '1234')") ==
	      0);
	CHECK(msg.find("Invalid argument") != std::string::npos);
	CHECK(msg.find("once a host has identified it") != std::string::npos);
	CHECK(msg.find("previous configuration is back in place") != std::string::npos);
	CHECK(saved(f.tree) == before);
}

TEST_CASE("apply refuses a file with problems, changing nothing", "[apply]")
{
	Fixture f;
	json c = sample();
	c["ports"][0]["subsystems"].push_back("nqn.2026-11.org.nvmet-oot:missing");
	auto r = compat::apply(f.tree, c);
	REQUIRE_FALSE(r.ok());
	CHECK(r.error().message().find("ports[0].subsystems[2]") != std::string::npos);
	CHECK(f.tree.operations().empty());
}

TEST_CASE("apply: a second caller fails fast, or waits with wait", "[apply]")
{
	Fixture f;
	const auto lock_file = compat::lock_path(f.tree);
	CHECK(lock_file == f.dir.path() / ".nvmetctl.lock");
	json c = sample();
	c["subsystems"][0]["attr"]["model"] = "Other";
	{
		auto held = compat::Lock::take(lock_file, false, false);
		REQUIRE(held.ok());
		auto r = compat::apply(f.tree, c);
		REQUIRE_FALSE(r.ok());
		CHECK(r.error().err == EWOULDBLOCK);
		CHECK(r.error().message().find("another 'nvmetctl apply'") != std::string::npos);
		CHECK_FALSE(compat::apply(f.tree, c, {.dry_run = true}).ok());
		CHECK(f.tree.operations().empty());
	}
	auto held = std::make_unique<Result<compat::Lock>>(compat::Lock::take(lock_file, false, false));
	REQUIRE(held->ok());
	std::thread release([&] {
		std::this_thread::sleep_for(std::chrono::milliseconds(200));
		held.reset();
	});
	const auto start = std::chrono::steady_clock::now();
	auto r = compat::apply(f.tree, c, {.wait = true});
	release.join();
	REQUIRE(r.ok());
	CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(150));
	CHECK(r->steps.size() == 1);
}
