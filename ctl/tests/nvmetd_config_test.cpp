// SPDX-License-Identifier: GPL-2.0
// nvmetd's configuration file: defaults, every setting, and the errors a
// person sees for a typo, a wrong type or a bad value.
#include "catch.hpp"
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
