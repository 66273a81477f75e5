// SPDX-License-Identifier: GPL-2.0
// Configuration files: read and parse one, replace one atomically.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <fcntl.h>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

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

namespace {

// write(2) of all of TEXT to FD.
bool write_all(int fd, std::string_view text)
{
	while (!text.empty()) {
		const ssize_t n = ::write(fd, text.data(), text.size());
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		text.remove_prefix(static_cast<std::size_t>(n));
	}
	return true;
}

} // namespace

Status write_file(const json &config, const std::string &file)
{
	const auto text = to_text(config);
	if (file == "-") {
		std::cout << text << std::flush;
		return nvmet::ok();
	}
	// Atomic: a temporary file of its own (several savers at once never
	// share one) in the same directory, written and synced, renamed over
	// FILE, then the directory synced so the rename survives a crash.
	// FILE is either the old or the new configuration, never part of one.
	const std::filesystem::path path(file);
	const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
	std::error_code ec;
	std::filesystem::create_directories(dir, ec);
	std::string tmp = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
	const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
	if (fd < 0) {
		Error e{"create a temporary file in", dir, errno, {}, fmt::format("to save {}", file)};
		e.hint = "check that the directory exists and is writable";
		return e;
	}
	// Errors name FILE (the temporary file's name is random) and say that
	// the old one is still in place.
	auto fail = [&](const char *op, int err, bool open) {
		Error e{op, file, err, "the new configuration for"};
		e.hint = "the configuration was not saved; the file, if any, is unchanged";
		if (open)
			::close(fd);
		::unlink(tmp.c_str());
		return e;
	};
	// Readable by root only, as nvmetcli does: it may hold host keys.
	if (::fchmod(fd, S_IRUSR | S_IWUSR) != 0)
		return fail("chmod", errno, true);
	if (!write_all(fd, text))
		return fail("write", errno ? errno : EIO, true);
	if (::fsync(fd) != 0)
		return fail("fsync", errno, true);
	if (::close(fd) != 0)
		return fail("close", errno, false);
	if (::rename(tmp.c_str(), file.c_str()) != 0)
		return fail("rename", errno, false);
	if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
		const int rc = ::fsync(dfd);
		const int err = errno;
		::close(dfd);
		if (rc != 0)
			return Error{"fsync", dir, err, {}, fmt::format("after saving {}", file)};
	}
	return nvmet::ok();
}

} // namespace nvmet::compat
