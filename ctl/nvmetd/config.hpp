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
	// Save when the configuration changes: checked on every event and
	// every save_interval seconds (0: on events only), by comparing the
	// configuration as it would be saved with the last one saved.
	bool save_on_change = false;
	int save_interval = 10;
	// A restored namespace whose device does not exist yet is left
	// disabled and enabled when the device appears, checked every
	// late_device_interval seconds for at most late_device_timeout
	// seconds (0: not waited for).
	int late_device_timeout = 300;
	int late_device_interval = 2;
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
