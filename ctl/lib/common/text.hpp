// SPDX-License-Identifier: GPL-2.0
// Text helpers all of ctl shares.
#pragma once

#include <string>
#include <string_view>

namespace nvmet {

// TEXT without the white space (std::isspace) at either end: what a configfs
// attribute or a key file holds, without its newline.
[[nodiscard]] std::string trim(std::string_view text);

} // namespace nvmet
