// SPDX-License-Identifier: GPL-2.0
#include "common/error.hpp"

#include <cstring>

#include <fmt/format.h>

namespace nvmet {

std::string Error::message() const
{
	std::string s = "cannot " + op;
	if (!detail.empty())
		s += " " + detail;
	if (!path.empty())
		s += " " + path.string();
	if (err != 0)
		s += fmt::format(": {}", std::strerror(err));
	if (!context.empty())
		s = fmt::format("{}: {}", context, s);
	if (!hint.empty())
		s += fmt::format(" ({})", hint);
	return s;
}

} // namespace nvmet
