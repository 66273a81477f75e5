// SPDX-License-Identifier: GPL-2.0
// nvmetd's configuration file: defaults, every setting, and the errors a
// person sees for a typo, a wrong type or a bad value.
#include <fstream>
#include <unistd.h>
#include <utility>

#include "catch.hpp"
#include "check.hpp"
#include "config.hpp"
#include "tmpdir.hpp"

using nvmet::daemon::load_config;

TEST_CASE("nvmetd configuration: defaults and settings")
{
	TmpDir t;
	auto d = load_config((t.path() / "absent.conf").string(), true);
	REQUIRE(d);
	CHECK(d->restore == "/etc/nvmet/config.json");
	CHECK_FALSE(d->metrics);
	CHECK_FALSE(d->save_on_change);
	CHECK_FALSE(load_config((t.path() / "absent.conf").string(), false));

	t.file("a.conf", "restore = \"/srv/nvmet.json\";\nlog = \"/var/log/nvmetd.log\";\n"
	                 "save_on_change = true;\nmetrics = true;\nmetrics_address = \"::1\";\n"
	                 "metrics_port = 9100;\nclear_on_stop = true;\n");
	auto c = load_config((t.path() / "a.conf").string(), false);
	REQUIRE(c);
	CHECK(c->restore == "/srv/nvmet.json");
	CHECK(c->log == "/var/log/nvmetd.log");
	CHECK(c->save_on_change);
	CHECK(c->clear_on_stop);
	CHECK(c->metrics);
	CHECK(c->metrics_address == "::1");
	CHECK(c->metrics_port == 9100);
}

TEST_CASE("nvmetd configuration: errors say where and what")
{
	TmpDir t;
	auto msg = [&](const char *text) {
		t.file("b.conf", text);
		auto c = load_config((t.path() / "b.conf").string(), false);
		REQUIRE_FALSE(c);
		return c.error().message();
	};
	CHECK(msg("metrics = true;\nmetric_port = 1;\n").find("line 2: unknown setting 'metric_port'") !=
	      std::string::npos);
	CHECK(msg("metrics = \"yes\";\n").find("'metrics' must be true or false") != std::string::npos);
	CHECK(msg("metrics_port = 70000;\n").find("from 1 to 65535") != std::string::npos);
	CHECK(msg("restore = /etc/x;\n").find("line 1") != std::string::npos);
}

TEST_CASE("nvmetd configuration: save and late device timers")
{
	TmpDir t;
	auto d = load_config((t.path() / "absent.conf").string(), true);
	REQUIRE(d);
	CHECK(d->save_interval == 10);
	CHECK(d->late_device_timeout == 300);
	CHECK(d->late_device_interval == 2);
	t.file("c.conf", "save_interval = 0;\nlate_device_timeout = 0;\nlate_device_interval = 5;\n");
	auto c = load_config((t.path() / "c.conf").string(), false);
	REQUIRE(c);
	CHECK(c->save_interval == 0);
	CHECK(c->late_device_timeout == 0);
	CHECK(c->late_device_interval == 5);
	auto msg = [&](const char *text) {
		t.file("b.conf", text);
		auto r = load_config((t.path() / "b.conf").string(), false);
		REQUIRE_FALSE(r);
		return r.error().message();
	};
	CHECK(msg("late_device_timeout = -1;\n")
	              .find("'late_device_timeout' must be a number of seconds from 0 "
	                    "to 86400") != std::string::npos);
	CHECK(msg("late_device_interval = 0;\n")
	              .find("'late_device_interval' must be a number of seconds from 1") !=
	      std::string::npos);
	CHECK(msg("save_interval = \"10\";\n").find("'save_interval' must be a number of seconds") !=
	      std::string::npos);
}

TEST_CASE("nvmetd --check-config: the saved configuration it would restore")
{
	TmpDir t;
	nvmet::daemon::Config c;
	c.restore = (t.path() / "config.json").string();
	CHECK(nvmet::daemon::check_config(c).empty()); // none saved yet: start keeps what is there
	t.file("config.json", "{\"hosts\": [");
	auto p = nvmet::daemon::check_config(c);
	REQUIRE(p.size() == 1);
	CHECK(p[0].find("cannot parse " + c.restore) != std::string::npos);
	t.file("config.json", R"({"ports": [{"portid": 70000, "addr": {"trtype": "carrier-pigeon"}}]})");
	p = nvmet::daemon::check_config(c);
	REQUIRE(p.size() == 2);
	CHECK(p[0] == c.restore + ": ports[0].portid: 70000 is not a port ID (0 to 65535)");
	CHECK(p[1].find(c.restore + ": ports[0].addr.trtype: 'carrier-pigeon' is not one of") == 0);
	t.file("config.json", R"({"hosts": [{"nqn": "nqn.2026-12.org.test:h"}]})");
	CHECK(nvmet::daemon::check_config(c).empty());
	std::filesystem::permissions(t.path() / "config.json", std::filesystem::perms::none);
	if (::geteuid() != 0) // root reads it anyway
		CHECK(nvmet::daemon::check_config(c).size() == 1);
}

TEST_CASE("nvmetd --check-config: metrics address and log file")
{
	TmpDir t;
	nvmet::daemon::Config c;
	c.restore = "";
	c.metrics = true;
	c.metrics_address = "localhost";
	c.log = (t.path() / "no-such-dir" / "nvmetd.log").string();
	auto p = nvmet::daemon::check_config(c);
	REQUIRE(p.size() == 2);
	CHECK(p[0] == "metrics_address 'localhost' is not an IPv4 or IPv6 address");
	CHECK(p[1].find("log '" + c.log + "' cannot be written: No such file or directory") == 0);
	c.metrics_address = "::1";
	c.log = (t.path() / "nvmetd.log").string();
	CHECK(nvmet::daemon::check_config(c).empty());
	CHECK_FALSE(std::filesystem::exists(c.log)); // checking creates nothing
}

// The example file in nvmetd(8) (ctl/man/nvmetd.h2m, [CONFIGURATION]) as a
// reader sees it (roff escapes undone), parsed: it must be the defaults.
TEST_CASE("nvmetd(8): the configuration example parses and is the defaults")
{
	std::ifstream in(std::string(NVMET_FIXTURES) + "/../../man/nvmetd.h2m");
	REQUIRE(in);
	std::string line, example;
	bool section = false, block = false, done = false;
	while (!done && std::getline(in, line)) {
		if (!line.empty() && line[0] == '[') {
			section = line == "[CONFIGURATION]";
			continue;
		}
		if (!section)
			continue;
		if (line == ".nf")
			block = true;
		else if (line == ".fi")
			done = block;
		else if (block)
			example += line + "\n";
	}
	REQUIRE_FALSE(example.empty());
	for (const auto &[from, to] :
	     {std::pair<std::string, std::string>{"\\-", "-"}, {"\\(dq", "\""}, {"\\&", ""}, {"\\e", "\\"}}) {
		for (std::size_t at = example.find(from); at != std::string::npos;
		     at = example.find(from, at + to.size()))
			example.replace(at, from.size(), to);
	}
	TmpDir t;
	t.file("man.conf", example);
	auto c = load_config((t.path() / "man.conf").string(), false);
	INFO(example);
	INFO((c ? std::string() : c.error().message()));
	REQUIRE(c);
	const nvmet::daemon::Config d;
	CHECK(c->restore == d.restore);
	CHECK(c->log == d.log);
	CHECK(c->save_on_change == d.save_on_change);
	CHECK(c->save_interval == d.save_interval);
	CHECK(c->late_device_timeout == d.late_device_timeout);
	CHECK(c->late_device_interval == d.late_device_interval);
	CHECK(c->clear_on_stop == d.clear_on_stop);
	CHECK(c->metrics == d.metrics);
	CHECK(c->metrics_address == d.metrics_address);
	CHECK(c->metrics_port == d.metrics_port);
	// Every setting is in the example (the file is complete).
	for (const char *name :
	     {"restore", "log", "save_on_change", "save_interval", "late_device_timeout",
	      "late_device_interval", "clear_on_stop", "metrics", "metrics_address", "metrics_port"})
		CHECK(example.find(std::string(name) + " = ") != std::string::npos);
}
