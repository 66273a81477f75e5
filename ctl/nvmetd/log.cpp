// SPDX-License-Identifier: GPL-2.0
#include "log.hpp"

#include <cerrno>
#include <ctime>

#include <fmt/format.h>

namespace nvmet::daemon {

void Log::Closer::operator()(FILE *f) const
{
	std::fclose(f);
}

Log::Log(FILE *out, bool own) : out_(out), owned_(own ? out : nullptr) {}

Result<Log> Log::open(const std::string &where)
{
	if (where == "stderr")
		return Log(stderr, false);
	FILE *f = std::fopen(where.c_str(), "a");
	if (!f) {
		const int err = errno;
		Error e{"open log file", where, err};
		e.hint = "fix 'log' in the configuration";
		return e;
	}
	return Log(f, true);
}

void Log::line(const std::string &text) const
{
	if (owned_) {
		char ts[32];
		const std::time_t now = std::time(nullptr);
		std::tm tm{};
		::localtime_r(&now, &tm);
		std::strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S%z", &tm);
		fmt::print(out_, "{} nvmetd: {}\n", ts, text);
	} else {
		fmt::print(out_, "{}\n", text);
	}
	std::fflush(out_);
}

} // namespace nvmet::daemon
