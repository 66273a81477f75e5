// SPDX-License-Identifier: GPL-2.0
// Configuration files: read and parse one, replace one atomically.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sys/stat.h>

#include <fmt/format.h>

#include "compat/nvmetcli_compat.hpp"

namespace nvmet::compat {

Result<json> read_file(const std::string &file)
{
	std::string text;
	if (file == "-") {
		text.assign(std::istreambuf_iterator<char>(std::cin), {});
	} else {
		std::ifstream in(file);
		if (!in) {
			Error e{"read", file, errno};
			e.hint = "give the file saved by 'nvmetctl save' or 'nvmetcli save'";
			return e;
		}
		text.assign(std::istreambuf_iterator<char>(in), {});
	}
	try {
		return json::parse(text);
	} catch (const json::parse_error &e) {
		Error err{"parse", file};
		err.hint = fmt::format("not JSON: {}; nothing changed", e.what());
		return err;
	}
}

Status write_file(const json &config, const std::string &file)
{
	const auto text = to_text(config);
	if (file == "-") {
		std::cout << text << std::flush;
		return nvmet::ok();
	}
	const std::filesystem::path path(file);
	std::error_code ec;
	if (path.has_parent_path())
		std::filesystem::create_directories(path.parent_path(), ec);
	// Readable by root only, as nvmetcli does: it may hold host keys.
	const auto tmp = path.string() + ".temp";
	{
		std::ofstream out(tmp, std::ios::trunc);
		::chmod(tmp.c_str(), S_IRUSR | S_IWUSR);
		out << text;
		out.flush();
		if (!out) {
			Error e{"write", tmp, errno};
			e.hint = "check that the directory exists and is writable";
			return e;
		}
	}
	std::filesystem::rename(tmp, path, ec);
	if (ec)
		return Error{"rename", tmp, ec.value(), fmt::format("to {}", file)};
	return nvmet::ok();
}

} // namespace nvmet::compat
