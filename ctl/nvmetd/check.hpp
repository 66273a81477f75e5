// SPDX-License-Identifier: GPL-2.0
// nvmetd --check-config: what start would refuse, found without starting.
#pragma once

#include <string>
#include <vector>

#include "config.hpp"

namespace nvmet::daemon {

// The problems (one line each, saying what and where) start would stop at
// beyond the configuration file itself, which load_config() checks: a
// metrics_address that is no IP address, a log file that cannot be written,
// the saved configuration ('restore') that cannot be read, is not JSON, or
// holds values a restore refuses. Empty when there are none.
[[nodiscard]] std::vector<std::string> check_config(const Config &cfg);

} // namespace nvmet::daemon
