// SPDX-License-Identifier: GPL-2.0
#include "check.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <unistd.h>

#include <fmt/format.h>

#include "compat/nvmetcli_compat.hpp"

namespace nvmet::daemon {

std::vector<std::string> check_config(const Config &cfg)
{
	std::vector<std::string> problems;
	// The metrics listener's address (the port is checked with the file).
	in6_addr a{};
	if (cfg.metrics && ::inet_pton(AF_INET, cfg.metrics_address.c_str(), &a) != 1 &&
	    ::inet_pton(AF_INET6, cfg.metrics_address.c_str(), &a) != 1)
		problems.push_back(fmt::format("metrics_address '{}' is not an IPv4 or IPv6 address",
		                               cfg.metrics_address));
	// The log: a file nvmetd can append to, or create in its directory.
	if (cfg.log != "stderr") {
		const std::filesystem::path log(cfg.log);
		const auto dir = log.has_parent_path() ? log.parent_path() : std::filesystem::path(".");
		std::error_code ec;
		const bool exists = std::filesystem::exists(log, ec);
		if (exists ? ::access(log.c_str(), W_OK) != 0 : ::access(dir.c_str(), W_OK | X_OK) != 0)
			problems.push_back(fmt::format("log '{}' cannot be written: {} (fix 'log', or use "
			                               "\"stderr\")",
			                               cfg.log, std::strerror(errno)));
	}
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
