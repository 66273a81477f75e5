// SPDX-License-Identifier: GPL-2.0
// Where nvmetctl reads a DH-HMAC-CHAP secret from: a file (--key-file), its
// standard input (--key -) or the command line itself (--key DHHC-1:...,
// which other users see in ps: a warning says so).
#pragma once

#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace nvmet::auth {

struct KeySource {
	enum class From { nowhere, argument, standard_input, file };
	From from = From::nowhere;
	std::string text; // the key itself (argument) or the file's name (file)
	std::string option; // how it was given, for messages: "--key", "--ctrl-key-file"
};

// The source that OPTION (a key, or "-" for standard input) and FILE_OPTION
// (a file name) name; both given is an error, neither is From::nowhere.
[[nodiscard]] Result<KeySource> key_source(std::string_view option, const std::optional<std::string> &key,
                                           std::string_view file_option,
                                           const std::optional<std::string> &file);

struct KeyText {
	std::string secret; // without the whitespace around it
	std::vector<std::string> warnings; // for the person running the command
};

// The secret SRC names; IN is standard input (its first line is the key).
[[nodiscard]] Result<KeyText> read_key(const KeySource &src, std::istream &in);

} // namespace nvmet::auth
