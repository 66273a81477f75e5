// SPDX-License-Identifier: GPL-2.0
#include "common/text.hpp"

#include <cctype>

namespace nvmet {

std::string trim(std::string_view text)
{
	auto space = [](unsigned char c) { return std::isspace(c) != 0; };
	while (!text.empty() && space(static_cast<unsigned char>(text.back())))
		text.remove_suffix(1);
	while (!text.empty() && space(static_cast<unsigned char>(text.front())))
		text.remove_prefix(1);
	return std::string(text);
}

} // namespace nvmet
