// SPDX-License-Identifier: GPL-2.0
#include "check.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "compat/nvmetcli_compat.hpp"

namespace nvmet::daemon {

std::vector<std::string> check_config(const Config &cfg)
{
	std::vector<std::string> problems;
	// No saved configuration is no problem: start keeps what is there.
	std::error_code ec;
	if (cfg.restore.empty() || !std::filesystem::exists(cfg.restore, ec))
		return problems;
	auto config = compat::read_file(cfg.restore);
	if (!config) {
		problems.push_back(config.error().message());
		return problems;
	}
	for (const auto &p : compat::validate(*config))
		problems.push_back(fmt::format("{}: {}: {}", cfg.restore, p.where, p.what));
	return problems;
}

} // namespace nvmet::daemon
