// SPDX-License-Identifier: GPL-2.0
// save / clear / validate / restore against FakeTree (configfs's rules in a
// temporary directory).
#include <algorithm>
#include <fstream>
#include <sstream>

#include "catch.hpp"
#include "configfs/fake.hpp"
#include "compat/nvmetcli_compat.hpp"
#include "tmpdir.hpp"

using namespace nvmet;
using nlohmann::json;

namespace {

const std::string host_a = "nqn.2014-08.org.nvmexpress:uuid:0f01fb42-9f7f-4856-b0b3-51e60b8de349";
const std::string sub1 = "nqn.2026-11.org.nvmet-oot:sub1";
const std::string sub2 = "nqn.2026-11.org.nvmet-oot:sub2";

// A configuration in nvmetcli's format, written the way people write them:
// only the keys they care about, some numbers as JSON integers.
json sample()
{
	return json::parse(R"({
  "discovery": { "nqn": "nqn.2026-11.org.nvmet-oot:discovery" },
  "hosts": [ { "nqn": ")" + host_a +
	                   R"(" } ],
  "subsystems": [
    { "nqn": ")" + sub1 + R"(",
      "allowed_hosts": [ ")" +
	                   host_a + R"(" ],
      "attr": { "allow_any_host": "0", "serial": "0123456789abcdef", "model": "Appliance",
                "cntlid_min": "100", "cntlid_max": "200", "qid_max": 16 },
      "namespaces": [
        { "nsid": 1, "enable": 1, "ana_grpid": 2,
          "device": { "path": "/dev/loop0", "uuid": "d592cdf3-5d1c-44e0-8412-3fcf7d99df27" } },
        { "nsid": 7, "enable": 0, "device": { "path": "/srv/img" }, "buffered_io": "1" } ] },
    { "nqn": ")" + sub2 + R"(", "attr": { "allow_any_host": "1" }, "namespaces": [] }
  ],
  "ports": [
    { "portid": 1,
      "addr": { "treq": "not specified", "trtype": "tcp", "adrfam": "ipv4",
                "traddr": "10.0.0.1", "trsvcid": "4420" },
      "param": { "inline_data_size": "16384" },
      "ana_groups": [ { "grpid": 1, "ana": { "state": "optimized" } },
                      { "grpid": 2, "ana": { "state": "non-optimized" } } ],
      "referrals": [ { "name": "r1", "enable": 1,
                       "addr": { "trtype": "tcp", "adrfam": "ipv4", "traddr": "10.0.0.2",
                                 "trsvcid": "4420", "portid": "2" } } ],
      "subsystems": [ ")" + sub1 +
	                   R"(", ")" + sub2 + R"(" ] }
  ],
  "unknown_top_level_key": { "ignored": true }
})");
}

json saved(const configfs::Tree &tree)
{
	auto s = compat::save(tree);
	REQUIRE(s.ok());
	return *s;
}

const json *find(const json &arr, const char *key, const json &value)
{
	for (const auto &e : arr)
		if (e.contains(key) && e[key] == value)
			return &e;
	return nullptr;
}

std::vector<std::string> sorted(const json &arr)
{
	std::vector<std::string> v = arr.get<std::vector<std::string>>();
	std::sort(v.begin(), v.end());
	return v;
}

} // namespace

TEST_CASE("restore builds the configuration; save reads it back in nvmetcli's shape", "[compat]")
{
	TmpDir t;
	configfs::FakeTree tree(t.path());
	auto r = compat::restore(tree, sample());
	INFO((r.ok() ? std::string() : r.error().message()));
	REQUIRE(r.ok());
	CHECK(r->warnings.empty());

	const json s = saved(tree);
	CHECK(s["discovery"]["nqn"] == "nqn.2026-11.org.nvmet-oot:discovery");
	REQUIRE(s["hosts"].size() == 1);
	CHECK(s["hosts"][0]["nqn"] == host_a);
	// No key: what nvmetcli saves for a host of a target with DH-HMAC-CHAP.
	CHECK(s["hosts"][0]["dhchap"] ==
	      json{{"ctrl_key", ""}, {"dhgroup", "null"}, {"hash", "hmac(sha256)"}, {"key", ""}});

	const json *s1 = find(s["subsystems"], "nqn", sub1);
	REQUIRE(s1);
	CHECK((*s1)["attr"]["serial"] == "0123456789abcdef");
	CHECK((*s1)["attr"]["model"] == "Appliance");
	CHECK((*s1)["attr"]["cntlid_min"] == "100");
	CHECK((*s1)["attr"]["cntlid_max"] == "200");
	CHECK((*s1)["attr"]["qid_max"] == "16");
	CHECK((*s1)["allowed_hosts"] == json::array({host_a}));
	const json *ns1 = find((*s1)["namespaces"], "nsid", 1);
	REQUIRE(ns1);
	CHECK((*ns1)["enable"] == 1);
	CHECK((*ns1)["ana_grpid"] == 2);
	CHECK((*ns1)["ana"]["grpid"] == "2");
	CHECK((*ns1)["device"]["path"] == "/dev/loop0");
	CHECK((*ns1)["device"]["uuid"] == "d592cdf3-5d1c-44e0-8412-3fcf7d99df27");
	CHECK((*ns1)["resv"]["enable"] == "0");
	CHECK_FALSE(ns1->contains("buffered_io")); // nvmetcli does not save it
	const json *ns7 = find((*s1)["namespaces"], "nsid", 7);
	REQUIRE(ns7);
	CHECK((*ns7)["enable"] == 0);
	std::ifstream bio(t.path() / "subsystems" / sub1 / "namespaces/7/buffered_io");
	std::string b;
	bio >> b;
	CHECK(b == "1"); // restored although nvmetcli would not
	REQUIRE((*s1)["passthru"].size() == 1);
	CHECK((*s1)["passthru"][0]["clear_ids"] == 1);

	REQUIRE(s["ports"].size() == 1);
	const json &p = s["ports"][0];
	CHECK(p["portid"] == 1);
	CHECK(p["addr"]["trtype"] == "tcp");
	CHECK(p["addr"]["traddr"] == "10.0.0.1");
	CHECK(p["param"]["inline_data_size"] == "16384");
	CHECK(sorted(p["subsystems"]) == std::vector<std::string>{sub1, sub2});
	const json *g2 = find(p["ana_groups"], "grpid", 2);
	REQUIRE(g2);
	CHECK((*g2)["ana"]["state"] == "non-optimized");
	REQUIRE(p["referrals"].size() == 1);
	CHECK(p["referrals"][0]["name"] == "r1");
	CHECK(p["referrals"][0]["enable"] == 1);
	CHECK(p["referrals"][0]["addr"]["portid"] == "2");
	CHECK_FALSE(s.contains("unknown_top_level_key"));
}

TEST_CASE("save, clear, restore of the saved file gives the same save", "[compat]")
{
	TmpDir t;
	configfs::FakeTree tree(t.path());
	REQUIRE(compat::restore(tree, sample()).ok());
	const json first = saved(tree);
	REQUIRE(compat::clear(tree).ok());
	const json empty = saved(tree);
	CHECK(empty["subsystems"].empty());
	CHECK(empty["ports"].empty());
	CHECK(empty["hosts"].empty());
	auto r = compat::restore(tree, first);
	INFO((r.ok() ? std::string() : r.error().message()));
	REQUIRE(r.ok());
	CHECK(saved(tree) == first);
}

TEST_CASE("restore over an existing configuration replaces it", "[compat]")
{
	TmpDir t;
	configfs::FakeTree tree(t.path());
	REQUIRE(compat::restore(tree, sample()).ok());
	json small = json::parse(R"({"subsystems": [{"nqn": "nqn.2026-11.org.nvmet-oot:only",
		"attr": {"allow_any_host": "1"}}]})");
	REQUIRE(compat::restore(tree, small).ok());
	const json s = saved(tree);
	REQUIRE(s["subsystems"].size() == 1);
	CHECK(s["subsystems"][0]["nqn"] == "nqn.2026-11.org.nvmet-oot:only");
	CHECK(s["ports"].empty());
	CHECK(s["hosts"].empty());
}

TEST_CASE("validate names every problem by its JSON path", "[compat]")
{
	json bad = sample();
	bad["subsystems"][0]["namespaces"][0]["nsid"] = 0;
	bad["subsystems"][0]["allowed_hosts"].push_back("nqn.2014-08.org.example:nobody");
	bad["ports"][0]["addr"]["trtype"] = "tcpx";
	bad["ports"][0]["subsystems"].push_back("nqn.2026-11.org.nvmet-oot:missing");
	bad["ports"][0]["ana_groups"][1]["grpid"] = 200;
	bad["ports"].push_back(json{{"portid", 1}});
	bad["hosts"].push_back(json{{"dhchap", json::object()}});
	bad["subsystems"][1]["namespaces"] = "not an array";

	const auto problems = compat::validate(bad);
	std::vector<std::string> where;
	for (const auto &p : problems)
		where.push_back(p.where);
	auto has = [&](const std::string &w) {
		return std::find(where.begin(), where.end(), w) != where.end();
	};
	CHECK(has("subsystems[0].namespaces[0].nsid"));
	CHECK(has("subsystems[0].allowed_hosts[1]"));
	CHECK(has("ports[0].addr.trtype"));
	CHECK(has("ports[0].subsystems[2]"));
	CHECK(has("ports[0].ana_groups[1].grpid"));
	CHECK(has("ports[1].portid"));
	CHECK(has("hosts[1]"));
	CHECK(has("subsystems[1].namespaces"));
	CHECK(problems.size() == 8);
	CHECK(compat::validate(sample()).empty());
	CHECK_FALSE(compat::validate(json::array()).empty());
}

TEST_CASE("a file with problems changes nothing", "[compat]")
{
	TmpDir t;
	configfs::FakeTree tree(t.path());
	REQUIRE(compat::restore(tree, sample()).ok());
	const json before = saved(tree);
	json bad = sample();
	bad["ports"][0]["addr"]["adrfam"] = "ipv5";
	auto r = compat::restore(tree, bad);
	REQUIRE_FALSE(r.ok());
	CHECK(r.error().message().find("ports[0].addr.adrfam") != std::string::npos);
	CHECK(saved(tree) == before);
}

TEST_CASE("a value the kernel refuses rolls back to the previous configuration", "[compat]")
{
	TmpDir t;
	configfs::FakeTree tree(t.path());
	REQUIRE(compat::restore(tree, sample()).ok());
	const json before = saved(tree);
	json bad = sample();
	bad["subsystems"][1]["attr"]["cntlid_min"] = "0"; // the kernel wants 1 or more
	auto r = compat::restore(tree, bad);
	REQUIRE_FALSE(r.ok());
	const auto msg = r.error().message();
	INFO(msg);
	CHECK(msg.find("subsystems[1].attr.cntlid_min") != std::string::npos);
	CHECK(msg.find("previous configuration is back") != std::string::npos);
	CHECK(r.error().err == EINVAL);
	CHECK(saved(tree) == before);
}

TEST_CASE("attributes this kernel lacks are skipped with a warning", "[compat]")
{
	TmpDir t;
	configfs::FakeTree tree(t.path());
	json cfg = json::parse(R"({"subsystems": [{"nqn": "nqn.2026-11.org.nvmet-oot:w",
		"attr": {"allow_any_host": "1", "from_the_future": "3"}}]})");
	auto r = compat::restore(tree, cfg);
	REQUIRE(r.ok());
	REQUIRE(r->warnings.size() == 1);
	CHECK(r->warnings[0].find("subsystems[0].attr.from_the_future") != std::string::npos);

	compat::RestoreOptions strict;
	strict.skip_missing_attributes = false;
	auto s = compat::restore(tree, cfg, strict);
	REQUIRE_FALSE(s.ok());
	CHECK(s.error().err == ENOENT);
}

TEST_CASE("any valid cntlid range restores", "[compat]")
{
	TmpDir t;
	configfs::FakeTree tree(t.path());
	json cfg = json::parse(R"({"subsystems": [{"nqn": "nqn.2026-11.org.nvmet-oot:c",
		"attr": {"cntlid_max": "65100", "cntlid_min": "65000"}}]})");
	REQUIRE(compat::restore(tree, cfg).ok());
	CHECK(saved(tree)["subsystems"][0]["attr"]["cntlid_min"] == "65000");
	cfg["subsystems"][0]["attr"]["cntlid_min"] = "1";
	cfg["subsystems"][0]["attr"]["cntlid_max"] = "10";
	REQUIRE(compat::restore(tree, cfg).ok());
	CHECK(saved(tree)["subsystems"][0]["attr"]["cntlid_max"] == "10");
	cfg["subsystems"][0]["attr"]["cntlid_min"] = "11";
	CHECK_FALSE(compat::restore(tree, cfg).ok()); // min above max
}

TEST_CASE("to_text writes what nvmetcli's json.dumps(sort_keys, indent=2) writes", "[compat]")
{
	json j = json::parse(R"({"b": [], "a": {"y": "2", "x": "é\n"}, "c": 2, "d": {}, "e": [1, "s"]})");
	const std::string want = "{\n"
	                         "  \"a\": {\n"
	                         "    \"x\": \"\\u00e9\\n\",\n"
	                         "    \"y\": \"2\"\n"
	                         "  },\n"
	                         "  \"b\": [],\n"
	                         "  \"c\": 2,\n"
	                         "  \"d\": {},\n"
	                         "  \"e\": [\n"
	                         "    1,\n"
	                         "    \"s\"\n"
	                         "  ]\n"
	                         "}\n";
	CHECK(compat::to_text(j) == want);
}

TEST_CASE("passthru is saved without enable, as nvmetcli does", "[compat]")
{
	TmpDir t;
	configfs::FakeTree tree(t.path());
	REQUIRE(compat::restore(tree, sample()).ok());
	const json s = saved(tree);
	const json *s1 = find(s["subsystems"], "nqn", sub1);
	REQUIRE(s1);
	REQUIRE((*s1)["passthru"].size() == 1);
	CHECK_FALSE((*s1)["passthru"][0].contains("enable"));
	CHECK((*s1)["passthru"][0]["admin_timeout"] == 0);
	// forward_all_admin (ours) only when set: nvmetcli's file otherwise.
	CHECK_FALSE((*s1)["passthru"][0].contains("forward_all_admin"));
}

TEST_CASE("passthru forward_all_admin restores and saves back when set", "[compat]")
{
	TmpDir t;
	configfs::FakeTree tree(t.path());
	json c = sample();
	c["subsystems"][0]["passthru"][0]["forward_all_admin"] = 1;
	REQUIRE(compat::restore(tree, c).ok());
	CHECK(*tree.read("subsystems/" + sub1 + "/passthru/forward_all_admin") == "1");
	const json s = saved(tree);
	const json *s1 = find(s["subsystems"], "nqn", sub1);
	REQUIRE(s1);
	CHECK((*s1)["passthru"][0]["forward_all_admin"] == 1);
	c["subsystems"][0]["passthru"][0]["forward_all_admin"] = "yes";
	CHECK_FALSE(compat::restore(tree, c).ok());
}

namespace {

const std::string key_a = "DHHC-1:00:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n:";
const std::string key_b =
        "DHHC-1:02:FSIvPElWY3B9ipeksb7L2OXy/wwZJjNATVpndIGOm6i1ws/c6fYDEB0qN0RRXmt4Knz36A==:";

json keyed()
{
	json cfg = sample();
	cfg["hosts"][0]["dhchap"] = {
	        {"key", key_a}, {"ctrl_key", key_b}, {"hash", "hmac(sha384)"}, {"dhgroup", "ffdhe3072"}};
	return cfg;
}

std::string file_text(const std::filesystem::path &p)
{
	std::ifstream in(p);
	std::stringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

} // namespace

TEST_CASE("DH-HMAC-CHAP keys, hash and group restore and save back", "[compat][dhchap]")
{
	TmpDir t;
	configfs::FakeTree tree(t.path());
	auto r = compat::restore(tree, keyed());
	INFO((r.ok() ? std::string() : r.error().message()));
	REQUIRE(r.ok());
	CHECK(r->warnings.empty());
	const auto hdir = t.path() / "hosts" / host_a;
	CHECK(file_text(hdir / "dhchap_key") == key_a + "\n");
	CHECK(file_text(hdir / "dhchap_ctrl_key") == key_b + "\n");
	CHECK(file_text(hdir / "dhchap_hash") == "hmac(sha384)\n");
	CHECK(file_text(hdir / "dhchap_dhgroup") == "ffdhe3072\n");

	const json s = saved(tree);
	CHECK(s["hosts"][0]["dhchap"] == keyed()["hosts"][0]["dhchap"]);
	// Byte for byte what nvmetcli 0.9 saves for this host (its Host.dump():
	// the writable dhchap_* files, values stripped, keys sorted).
	json only = {{"hosts", json::array({s["hosts"][0]})}};
	CHECK(compat::to_text(only) == "{\n"
	                               "  \"hosts\": [\n"
	                               "    {\n"
	                               "      \"dhchap\": {\n"
	                               "        \"ctrl_key\": \"" +
	                                       key_b +
	                                       "\",\n"
	                                       "        \"dhgroup\": \"ffdhe3072\",\n"
	                                       "        \"hash\": \"hmac(sha384)\",\n"
	                                       "        \"key\": \"" +
	                                       key_a +
	                                       "\"\n"
	                                       "      },\n"
	                                       "      \"nqn\": \"" +
	                                       host_a +
	                                       "\"\n"
	                                       "    }\n"
	                                       "  ]\n"
	                                       "}\n");

	// Saved again after clear and restore: the same.
	REQUIRE(compat::clear(tree).ok());
	REQUIRE(compat::restore(tree, s).ok());
	CHECK(saved(tree) == s);

	// Without secrets (what 'nvmetctl subsystem show' needs): no keys read.
	auto nokeys = compat::save(tree, compat::SaveOptions{.secrets = false});
	REQUIRE(nokeys);
	CHECK((*nokeys)["hosts"][0]["dhchap"] == json{{"dhgroup", "ffdhe3072"}, {"hash", "hmac(sha384)"}});
}

TEST_CASE("a key for a target without DH-HMAC-CHAP fails the restore instead of letting the host in",
          "[compat][dhchap]")
{
	TmpDir t;
	configfs::FakeTree tree(t.path(), configfs::FakeFeatures{.dhchap = false});
	json cfg = sample();
	cfg["hosts"][0]["dhchap"] = {{"key", ""}, {"ctrl_key", ""}, {"hash", "hmac(sha256)"}};
	auto ok = compat::restore(tree, cfg); // no key: nothing to enforce
	INFO((ok.ok() ? std::string() : ok.error().message()));
	REQUIRE(ok.ok());
	REQUIRE(ok->warnings.size() == 1); // the hash: this kernel has no dhchap_hash
	CHECK(ok->warnings[0].find("hosts[0].dhchap.hash") != std::string::npos);
	const json before = saved(tree);

	auto r = compat::restore(tree, keyed());
	REQUIRE_FALSE(r.ok());
	const auto msg = r.error().message();
	INFO(msg);
	CHECK(r.error().err == EOPNOTSUPP);
	CHECK(msg.find("hosts[0].dhchap.key") != std::string::npos);
	CHECK(msg.find("unauthenticated") != std::string::npos);
	CHECK(msg.find("previous configuration is back") != std::string::npos);
	CHECK(msg.find(key_a) == std::string::npos);
	CHECK(saved(tree) == before);
}

TEST_CASE("validate refuses broken keys and unknown names without quoting a key", "[compat][dhchap]")
{
	json cfg = keyed();
	std::string broken = key_a;
	broken[20] = broken[20] == 'x' ? 'y' : 'x';
	cfg["hosts"][0]["dhchap"]["key"] = broken;
	cfg["hosts"][0]["dhchap"]["ctrl_key"] = 42;
	cfg["hosts"][0]["dhchap"]["hash"] = "hmac(md5)";
	cfg["hosts"][0]["dhchap"]["dhgroup"] = "ffdhe1024";
	const auto problems = compat::validate(cfg);
	REQUIRE(problems.size() == 4);
	std::string all;
	for (const auto &p : problems)
		all += p.where + ": " + p.what + "\n";
	INFO(all);
	CHECK(all.find("hosts[0].dhchap.key: is not a DH-HMAC-CHAP secret: its CRC-32") != std::string::npos);
	CHECK(all.find("hosts[0].dhchap.ctrl_key: must be a string") != std::string::npos);
	CHECK(all.find("hosts[0].dhchap.hash: 'hmac(md5)' is not one of") != std::string::npos);
	CHECK(all.find("hosts[0].dhchap.dhgroup: 'ffdhe1024'") != std::string::npos);
	CHECK(all.find(broken.substr(10, 16)) == std::string::npos);

	// A key the kernel would refuse at once is refused before anything changes.
	TmpDir t;
	configfs::FakeTree tree(t.path());
	auto r = compat::restore(tree, cfg);
	REQUIRE_FALSE(r.ok());
	CHECK(r.error().message().find(broken.substr(10, 16)) == std::string::npos);
	CHECK(saved(tree)["hosts"].empty());
}

namespace {

json tls_port(const char *treq)
{
	json cfg = sample();
	auto &a = cfg["ports"][0]["addr"];
	a["tsas"] = "tls1.3";
	a["treq"] = treq;
	return cfg;
}

} // namespace

TEST_CASE("TLS ports restore: trtype, then tsas, then treq", "[compat][tls]")
{
	for (const char *treq : {"required", "not required"}) {
		TmpDir t;
		configfs::FakeTree tree(t.path());
		auto r = compat::restore(tree, tls_port(treq));
		INFO(treq << ": " << (r.ok() ? std::string() : r.error().message()));
		REQUIRE(r.ok());
		const json s = saved(tree);
		CHECK(s["ports"][0]["addr"]["tsas"] == "tls1.3");
		CHECK(s["ports"][0]["addr"]["treq"] == treq);
		// The saved file, as nvmetcli writes it (treq before tsas, sorted),
		// restores the same.
		REQUIRE(compat::restore(tree, json::parse(compat::to_text(s))).ok());
		CHECK(saved(tree) == s);
	}
	TmpDir t;
	configfs::FakeTree tree(t.path());
	REQUIRE(compat::restore(tree, sample()).ok());
	CHECK(saved(tree)["ports"][0]["addr"]["tsas"] == "none");
}

TEST_CASE("TLS: what the kernel refuses is refused, and nothing changes", "[compat][tls]")
{
	json rdma = tls_port("required");
	rdma["ports"][0]["addr"]["trtype"] = "rdma";
	json unspecified = tls_port("not specified");
	json typo = tls_port("required");
	typo["ports"][0]["addr"]["tsas"] = "tls1.2";
	for (const auto &[cfg, where] : {std::pair{rdma, "ports[0].addr.tsas"},
	                                 {unspecified, "ports[0].addr.treq"},
	                                 {typo, "ports[0].addr.tsas"}}) {
		const auto problems = compat::validate(cfg);
		REQUIRE(problems.size() == 1);
		CHECK(problems[0].where == where);
	}

	// A kernel without TLS refuses tls1.3: the restore is undone.
	TmpDir t;
	configfs::FakeTree tree(t.path(), configfs::FakeFeatures{.tls = false});
	REQUIRE(compat::restore(tree, sample()).ok());
	const json before = saved(tree);
	auto r = compat::restore(tree, tls_port("required"));
	REQUIRE_FALSE(r.ok());
	CHECK(r.error().message().find("ports[0].addr.tsas") != std::string::npos);
	CHECK(saved(tree) == before);
}

namespace {

// The in-tree nvmet: a port never enabled shows param_mdts -1 and refuses
// to be written -1 (only 0..NVMET_MAX_MDTS).
class InTreeMdts : public configfs::FakeTree {
public:
	using FakeTree::FakeTree;
	Status write(const std::filesystem::path &rel, std::string_view value) const override
	{
		if (rel.filename() == "param_mdts" && value == "-1")
			return Error{"write", abs(rel), EINVAL, "'-1' to"};
		return FakeTree::write(rel, value);
	}
};

} // namespace

TEST_CASE("a port saved before it was enabled restores: values it holds are not written again", "[compat]")
{
	TmpDir t;
	InTreeMdts tree(t.path());
	json cfg = tls_port("required");
	cfg["ports"].push_back(json{{"portid", 2},
	                            {"addr",
	                             {{"trtype", "tcp"},
	                              {"adrfam", "ipv4"},
	                              {"traddr", "10.0.0.1"},
	                              {"trsvcid", "4421"},
	                              {"tsas", "tls1.3"},
	                              {"treq", "not required"}}},
	                            {"param", {{"mdts", "-1"}, {"inline_data_size", "-1"}}}});
	auto r = compat::restore(tree, cfg);
	INFO((r.ok() ? std::string() : r.error().message()));
	REQUIRE(r.ok());
	const json s = saved(tree);
	const json *p2 = find(s["ports"], "portid", 2);
	REQUIRE(p2);
	CHECK((*p2)["param"]["mdts"] == "-1");
	CHECK((*p2)["addr"]["treq"] == "not required");
	CHECK(tree.write("ports/2/param_mdts", "-1").error().err == EINVAL); // the twin does refuse it
}
