// SPDX-License-Identifier: GPL-2.0
// nvmetd: restores the target's configuration at start, logs the target's
// events one line each, optionally saves the configuration when it changes
// and serves the counters in Prometheus text format. Runs in the foreground
// (systemd: Type=simple); SIGTERM or SIGINT stop it.
//
// Only the wiring: the command line, the configuration (config.hpp), the log
// (log.hpp) and the daemon's loop (loop.hpp, with http.hpp for metrics).
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "check.hpp"
#include "config.hpp"
#include "log.hpp"
#include "loop.hpp"

namespace {

int run(int argc, char **argv)
{
	CLI::App app{"nvmetd: restores the NVMe-oF target configuration, logs its events, serves its "
	             "counters"};
	app.set_version_flag("--version", std::string("nvmetd ") + NVMET_OOT_VERSION);
	std::string config_path = nvmet::daemon::default_config;
	bool check = false;
	auto *opt = app.add_option("-c,--config", config_path, "configuration file")->capture_default_str();
	app.add_flag("--check-config", check,
	             "only check the configuration file and the saved configuration it restores; "
	             "prints ok");
	CLI11_PARSE(app, argc, argv);

	auto cfg = nvmet::daemon::load_config(config_path, opt->count() == 0);
	if (!cfg) {
		fmt::print(stderr, "nvmetd: {}\n", cfg.error().message());
		return 1;
	}
	if (check) {
		const auto problems = nvmet::daemon::check_config(*cfg);
		for (const auto &p : problems)
			fmt::print(stderr, "nvmetd: {}\n", p);
		if (!problems.empty())
			return 1;
		fmt::print("ok\n");
		return 0;
	}
	auto log = nvmet::daemon::Log::open(cfg->log);
	if (!log) {
		fmt::print(stderr, "nvmetd: {}\n", log.error().message());
		return 1;
	}
	nvmet::daemon::Daemon d(*cfg, *log, NVMET_OOT_VERSION);
	return d.run();
}

} // namespace

int main(int argc, char **argv)
{
	try {
		return run(argc, argv);
	} catch (const std::exception &e) {
		std::fprintf(stderr, "nvmetd: unexpected error: %s\n", e.what());
		return 1;
	} catch (...) {
		return 1;
	}
}
