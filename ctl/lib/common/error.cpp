// SPDX-License-Identifier: GPL-2.0
#include "common/error.hpp"

#include <cstring>

#include <fmt/format.h>

namespace nvmet {

std::string Error::message() const
{
	std::string s = detail.empty() ? fmt::format("cannot {} {}", op, path.string())
	                               : fmt::format("cannot {} {} {}", op, detail, path.string());
	if (err != 0)
		s += fmt::format(": {}", std::strerror(err));
	if (!context.empty())
		s = fmt::format("{}: {}", context, s);
	if (!hint.empty())
		s += fmt::format(" ({})", hint);
	return s;
}

} // namespace nvmet
