// SPDX-License-Identifier: GPL-2.0
// nvmetd's configuration file (/etc/nvmetd.conf, libconfig syntax).
#pragma once

#include <string>

#include "common/error.hpp"

namespace nvmet::daemon {

inline constexpr const char *default_config = "/etc/nvmetd.conf";

struct Config {
	// nvmetcli JSON restored at start ("" = none); also where a save goes.
	std::string restore = "/etc/nvmet/config.json";
	std::string configfs = "/sys/kernel/config/nvmet";
	std::string log = "stderr"; // "stderr" (journald) or a file, appended to
	bool save_on_change = false; // save after each configuration event
	bool clear_on_stop = false; // nvmetcli's nvmet.service clears; we keep serving by default
	bool metrics = false; // Prometheus text on http://metrics_address:metrics_port/metrics
	std::string metrics_address = "127.0.0.1";
	int metrics_port = 9775;
};

// PATH parsed; a missing file gives the defaults when MAY_BE_MISSING. Errors
// name the file and line; unknown settings are errors (a typo must not
// silently leave a default in place).
Result<Config> load_config(const std::string &path, bool may_be_missing);

} // namespace nvmet::daemon
