// SPDX-License-Identifier: GPL-2.0
// nvmetd at boot with devices that appear late (restore's
// defer_missing_devices, LateDevices), save_on_change by comparing saves
// (Saver), and write_file's atomic replacement.
#include <algorithm>
#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "catch.hpp"
#include "compat/nvmetcli_compat.hpp"
#include "configfs/fake.hpp"
#include "configfs/ids.hpp"
#include "late.hpp"
#include "log.hpp"
#include "saver.hpp"
#include "tmpdir.hpp"

using namespace nvmet;
using nlohmann::json;
using nvmet::daemon::LateDevices;
using std::chrono::seconds;

namespace {

const std::string host = "nqn.2014-08.org.nvmexpress:uuid:0f01fb42-9f7f-4856-b0b3-51e60b8de349";
const std::string sub = "nqn.2026-12.org.nvmet-oot:late";

// One subsystem with namespace 1 on LATE (missing) and 2 on PRESENT, a host
// allowed and a port linked.
json config(const std::string &late, const std::string &present)
{
	return json{
	        {"hosts", json::array({{{"nqn", host}}})},
	        {"subsystems",
	         json::array(
	                 {{{"nqn", sub},
	                   {"allowed_hosts", json::array({host})},
	                   {"namespaces",
	                    json::array(
	                            {{{"nsid", 1},
	                              {"enable", 1},
	                              {"device",
	                               {{"path", late}, {"nguid", "00000000-0000-0000-0000-000000000001"}}}},
	                             {{"nsid", 2}, {"enable", 1}, {"device", {{"path", present}}}}})}}})},
	        {"ports", json::array({{{"portid", 1},
	                                {"addr",
	                                 {{"trtype", "tcp"},
	                                  {"adrfam", "ipv4"},
	                                  {"traddr", "127.0.0.1"},
	                                  {"trsvcid", "4420"}}},
	                                {"subsystems", json::array({sub})}}})}};
}

std::string slurp(const std::filesystem::path &p)
{
	std::ifstream in(p);
	std::stringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

std::string attr(const TmpDir &t, const std::string &rel)
{
	auto s = slurp(t.path() / "cfs" / rel);
	if (!s.empty() && s.back() == '\n')
		s.pop_back();
	return s;
}

std::filesystem::path configfs_dir(const TmpDir &t)
{
	t.dir("cfs");
	return t.path() / "cfs";
}

struct Setup {
	TmpDir t;
	std::string late = (t.path() / "late.img").string();
	std::string present = (t.path() / "present.img").string();
	configfs::FakeTree tree{configfs_dir(t), configfs::FakeFeatures{.devices_must_exist = true}};
	Setup() { t.file("present.img", "x"); }
};

} // namespace

TEST_CASE("restore: a missing device fails and rolls back unless deferred", "[nvmetd][late]")
{
	Setup s;
	auto r = compat::restore(s.tree, config(s.late, s.present));
	REQUIRE_FALSE(r);
	CHECK(r.error().message().find("namespaces[0].enable") != std::string::npos);
	CHECK_FALSE(s.tree.exists("subsystems/" + sub));

	compat::RestoreOptions opts;
	opts.defer_missing_devices = true;
	auto d = compat::restore(s.tree, config(s.late, s.present), opts);
	INFO((d ? std::string() : d.error().message()));
	REQUIRE(d);
	REQUIRE(d->deferred.size() == 1);
	CHECK(d->deferred[0].subsys == sub);
	CHECK(d->deferred[0].nsid == 1);
	CHECK(d->deferred[0].device == s.late);
	CHECK(d->deferred[0].where == "subsystems[0].namespaces[0]");
	// The rest is all there; the late namespace has its attributes, disabled.
	const std::string ns = "subsystems/" + sub + "/namespaces/";
	CHECK(attr(s.t, ns + "1/enable") == "0");
	CHECK(attr(s.t, ns + "1/device_path") == s.late);
	CHECK(attr(s.t, ns + "1/device_nguid") == "00000000-0000-0000-0000-000000000001");
	CHECK(attr(s.t, ns + "2/enable") == "1");
	CHECK(s.tree.exists("ports/1/subsystems/" + sub));
	CHECK(s.tree.exists("subsystems/" + sub + "/allowed_hosts/" + host));
}

TEST_CASE("nvmetd enables a late namespace when its device appears, or gives up", "[nvmetd][late]")
{
	Setup s;
	compat::RestoreOptions opts;
	opts.defer_missing_devices = true;
	auto d = compat::restore(s.tree, config(s.late, s.present), opts);
	REQUIRE(d);
	REQUIRE(d->deferred.size() == 1);
	const auto logfile = s.t.path() / "nvmetd.log";
	auto log = daemon::Log::open(logfile.string());
	REQUIRE(log);
	const std::string enable = "subsystems/" + sub + "/namespaces/1/enable";
	const auto t0 = LateDevices::Clock::now();

	SECTION("the device appears")
	{
		LateDevices late(s.tree, *log, seconds(30), seconds(2));
		late.add(d->deferred[0], t0);
		CHECK(slurp(logfile).find("device " + s.late + " of namespace 1 of " + sub +
		                          " does not exist yet: the namespace stays disabled, waiting up to "
		                          "30 s") != std::string::npos);
		REQUIRE_FALSE(late.empty());
		CHECK(late.next_check() == t0 + seconds(2));
		// While waiting, a save keeps the namespace enabled for the next boot.
		auto saved = compat::save(s.tree);
		REQUIRE(saved);
		auto config = std::move(saved).value();
		late.mark_enabled(config);
		CHECK(config["subsystems"][0]["namespaces"][0]["enable"] == 1);

		late.check(t0 + seconds(2));
		CHECK_FALSE(late.empty());
		CHECK(attr(s.t, enable) == "0");
		s.t.file("late.img", "y");
		late.check(t0 + seconds(4));
		CHECK(late.empty());
		CHECK(attr(s.t, enable) == "1");
		CHECK(slurp(logfile).find("device " + s.late + " appeared after 4 s: namespace 1 of " + sub +
		                          " enabled") != std::string::npos);
	}
	SECTION("it does not appear in time")
	{
		LateDevices late(s.tree, *log, seconds(10), seconds(2));
		late.add(d->deferred[0], t0);
		late.check(t0 + seconds(8));
		CHECK_FALSE(late.empty());
		late.check(t0 + seconds(10));
		CHECK(late.empty());
		CHECK(attr(s.t, enable) == "0");
		CHECK(slurp(logfile).find("gave up waiting for device " + s.late +
		                          " after 10 s: namespace 1 of " + sub + " stays disabled") !=
		      std::string::npos);
	}
	SECTION("late_device_timeout 0: not waited for")
	{
		LateDevices late(s.tree, *log, seconds(0), seconds(2));
		late.add(d->deferred[0], t0);
		CHECK(late.empty());
		CHECK(slurp(logfile).find("stays disabled (late_device_timeout = 0") != std::string::npos);
	}
	SECTION("the namespace is removed meanwhile")
	{
		LateDevices late(s.tree, *log, seconds(30), seconds(2));
		late.add(d->deferred[0], t0);
		REQUIRE(s.tree.rmdir("subsystems/" + sub + "/namespaces/1"));
		late.check(t0 + seconds(2));
		CHECK(late.empty());
		CHECK(slurp(logfile).find("namespace 1 of " + sub + " was removed") != std::string::npos);
	}
}

TEST_CASE("save_on_change saves any change made through configfs, once", "[nvmetd][save]")
{
	TmpDir t;
	t.dir("cfs");
	configfs::FakeTree tree(t.path() / "cfs");
	auto log = daemon::Log::open((t.path() / "nvmetd.log").string());
	REQUIRE(log);
	LateDevices late(tree, *log, seconds(0), seconds(1));
	const auto file = t.path() / "etc" / "config.json";
	daemon::Saver saver(tree, *log, file.string());
	saver.baseline(late);
	CHECK_FALSE(saver.save("changed", false, late));
	CHECK_FALSE(std::filesystem::exists(file));
	// A host added by someone else (no namespace or port event).
	REQUIRE(tree.mkdir("hosts/" + host));
	CHECK(saver.save("changed", false, late));
	CHECK(slurp(file).find(host) != std::string::npos);
	CHECK(slurp(t.path() / "nvmetd.log")
	              .find("saved the configuration to " + file.string() + " (changed)") !=
	      std::string::npos);
	CHECK_FALSE(saver.save("changed", false, late));
	// A namespace or port event saves even when the text is the same.
	std::filesystem::remove(file);
	CHECK(saver.save("ns-resize", true, late));
	CHECK(std::filesystem::exists(file));

	// A save that keeps failing (the file's place is a directory) is
	// logged once, not every save_interval.
	std::filesystem::remove(file);
	t.file("etc/config.json/x", "");
	REQUIRE(tree.mkdir("hosts/" + host + "2"));
	CHECK_FALSE(saver.save("changed", false, late));
	CHECK_FALSE(saver.save("changed", false, late));
	const auto text = slurp(t.path() / "nvmetd.log");
	std::size_t n = 0;
	for (auto at = text.find("save failed"); at != std::string::npos;
	     at = text.find("save failed", at + 1))
		n++;
	CHECK(n == 1);
}

TEST_CASE("write_file replaces the file atomically and leaves no temporary file", "[compat][file]")
{
	TmpDir t;
	const auto file = t.path() / "config.json";
	auto names = [&] {
		std::vector<std::string> n;
		for (const auto &e : std::filesystem::directory_iterator(t.path()))
			n.push_back(e.path().filename().string());
		std::sort(n.begin(), n.end());
		return n;
	};
	const json a = {{"hosts", json::array({{{"nqn", host}}})}};
	REQUIRE(compat::write_file(a, file.string()));
	CHECK(slurp(file) == compat::to_text(a));
	CHECK((std::filesystem::status(file).permissions() & std::filesystem::perms::all) ==
	      (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
	CHECK(names() == std::vector<std::string>{"config.json"});

	SECTION("a failed save leaves the old file and no temporary file")
	{
		// The target is a non-empty directory: the rename fails.
		t.file("dir.json/keep", "x");
		auto st = compat::write_file(a, (t.path() / "dir.json").string());
		REQUIRE_FALSE(st);
		CHECK(st.error().message().find("cannot rename the new configuration for " +
		                                (t.path() / "dir.json").string() + ": ") == 0);
		CHECK(st.error().message().find("the file, if any, is unchanged") != std::string::npos);
		CHECK(names() == std::vector<std::string>{"config.json", "dir.json"});
	}
	SECTION("concurrent savers: the file is always one whole configuration")
	{
		std::vector<json> configs;
		for (int i = 0; i < 4; i++) {
			json c = {{"subsystems", json::array()}};
			for (int j = 0; j < 200 * (i + 1); j++)
				c["subsystems"].push_back(
				        {{"nqn", fmt::format("nqn.2026-12.org.test:{}-{}", i, j)}});
			configs.push_back(c);
		}
		std::atomic<bool> stop{false};
		std::atomic<int> failures{0}, partial{0};
		std::vector<std::thread> writers;
		for (int i = 0; i < 4; i++)
			writers.emplace_back([&, i] {
				for (int k = 0; k < 40; k++)
					if (!compat::write_file(configs[static_cast<std::size_t>(i)],
					                        file.string()))
						failures++;
			});
		std::thread reader([&] {
			while (!stop) {
				const auto text = slurp(file);
				if (!json::accept(text))
					partial++;
			}
		});
		for (auto &w : writers)
			w.join();
		stop = true;
		reader.join();
		CHECK(failures == 0);
		CHECK(partial == 0);
		CHECK(names() == std::vector<std::string>{"config.json"});
	}
}

TEST_CASE("restore with stable_ids fills in only the identifiers the file lacks", "[nvmetd][late][ids]")
{
	Setup s;
	json c = config(s.late, s.present);
	// Namespace 1 (late) has an NGUID, no UUID; namespace 2 (present) neither.
	compat::RestoreOptions opts;
	opts.defer_missing_devices = true;
	opts.stable_ids = true;
	auto d = compat::restore(s.tree, c, opts);
	REQUIRE(d);
	const std::string ns = "subsystems/" + sub + "/namespaces/";
	const auto present = configfs::stable_ids(sub, 2, "path:" + s.present);
	CHECK(attr(s.t, ns + "2/device_uuid") == present.uuid);
	CHECK(attr(s.t, ns + "2/device_nguid") == present.nguid);
	// The late one: the file's NGUID as it is; its UUID when it is enabled.
	REQUIRE(d->deferred.size() == 1);
	CHECK(d->deferred[0].fill_uuid);
	CHECK_FALSE(d->deferred[0].fill_nguid);
	const auto kernels = attr(s.t, ns + "1/device_uuid");
	CHECK(attr(s.t, ns + "1/device_nguid") == "00000000-0000-0000-0000-000000000001");
	auto log = daemon::Log::open((s.t.path() / "nvmetd.log").string());
	REQUIRE(log);
	LateDevices late(s.tree, *log, seconds(30), seconds(1));
	const auto t0 = LateDevices::Clock::now();
	late.add(d->deferred[0], t0);
	s.t.file("late.img", "y");
	late.check(t0 + seconds(1));
	CHECK(late.empty());
	CHECK(attr(s.t, ns + "1/enable") == "1");
	CHECK(attr(s.t, ns + "1/device_uuid") == configfs::stable_ids(sub, 1, "path:" + s.late).uuid);
	CHECK(attr(s.t, ns + "1/device_uuid") != kernels);
	CHECK(attr(s.t, ns + "1/device_nguid") == "00000000-0000-0000-0000-000000000001");

	// Without stable_ids (nvmetctl restore, nvmetcli's behaviour): the kernel's.
	json one = config(s.present, s.present);
	one["subsystems"][0]["namespaces"].erase(1);
	REQUIRE(compat::restore(s.tree, one));
	CHECK(attr(s.t, ns + "1/device_uuid") != configfs::stable_ids(sub, 1, "path:" + s.present).uuid);
}
