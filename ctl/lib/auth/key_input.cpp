// SPDX-License-Identifier: GPL-2.0
#include "auth/key_input.hpp"

#include <cctype>
#include <cerrno>
#include <fstream>
#include <iterator>
#include <sys/stat.h>

#include <fmt/format.h>

#include "common/text.hpp"

namespace nvmet::auth {

Result<KeySource> key_source(std::string_view option, const std::optional<std::string> &key,
                             std::string_view file_option, const std::optional<std::string> &file)
{
	if (key && file) {
		Error e{"use", {}, 0, fmt::format("both {} and {}", option, file_option)};
		e.hint = "give the key one way only";
		return e;
	}
	if (file)
		return KeySource{KeySource::From::file, *file, std::string(file_option)};
	if (key && *key == "-")
		return KeySource{KeySource::From::standard_input, {}, std::string(option)};
	if (key)
		return KeySource{KeySource::From::argument, *key, std::string(option)};
	return KeySource{};
}

Result<KeyText> read_key(const KeySource &src, std::istream &in)
{
	KeyText out;
	switch (src.from) {
	case KeySource::From::nowhere:
		return Error{"read", {}, 0, fmt::format("a key: {} gives none", src.option)};
	case KeySource::From::argument:
		out.secret = trim(src.text);
		out.warnings.push_back(fmt::format(
		        "a key given with {} on the command line can be seen by other users (ps, "
		        "/proc/PID/cmdline) and stays in the shell's history: prefer {}-file FILE or {} -",
		        src.option, src.option, src.option));
		break;
	case KeySource::From::standard_input: {
		std::string line;
		if (!std::getline(in, line) && line.empty()) {
			Error e{"read",
			        {},
			        0,
			        fmt::format("the key for {} - from standard input", src.option)};
			e.hint = "it was empty: pipe the key in, or type it";
			return e;
		}
		out.secret = trim(line);
		break;
	}
	case KeySource::From::file: {
		std::ifstream f(src.text);
		if (!f) {
			Error e{"read", src.text, errno, fmt::format("the key for {}", src.option)};
			return e;
		}
		out.secret = trim(std::string(std::istreambuf_iterator<char>(f), {}));
		struct stat st {};
		if (::stat(src.text.c_str(), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)))
			out.warnings.push_back(
			        fmt::format("{} can be read by other users (mode {:04o}): 'chmod 600 {}'",
			                    src.text, st.st_mode & 07777U, src.text));
		break;
	}
	}
	if (out.secret.empty()) {
		Error e{"use", {}, 0, fmt::format("the key of {}", src.option)};
		e.hint = "it is empty; 'nvmetctl host clear-key' removes a key";
		return e;
	}
	return out;
}

} // namespace nvmet::auth
