// SPDX-License-Identifier: GPL-2.0
// nvmetd's log: one line per message; to stderr (journald adds time and unit)
// or appended to a file with a timestamp.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "common/error.hpp"

namespace nvmet::daemon {

class Log {
public:
	// WHERE is "stderr" or a file name (the configuration's 'log').
	[[nodiscard]] static Result<Log> open(const std::string &where);

	void line(const std::string &text) const;

private:
	struct Closer {
		void operator()(FILE *f) const;
	};
	// Owned (closed, lines timestamped) when it is a file; stderr is not.
	Log(FILE *out, bool own);

	FILE *out_;
	std::unique_ptr<FILE, Closer> owned_;
};

} // namespace nvmet::daemon
