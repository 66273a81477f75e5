// SPDX-License-Identifier: GPL-2.0
#include "configfs/tree.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace nvmet::configfs {

namespace {

// Closes a file descriptor when it goes out of scope.
class Fd {
public:
	explicit Fd(int fd) : fd_(fd) {}
	Fd(const Fd &) = delete;
	Fd &operator=(const Fd &) = delete;
	~Fd()
	{
		if (fd_ >= 0)
			::close(fd_);
	}
	[[nodiscard]] int get() const { return fd_; }

private:
	int fd_;
};

Error sys_error(std::string op, const std::filesystem::path &p, std::string detail = {})
{
	return Error{std::move(op), p, errno, std::move(detail)};
}

} // namespace

Result<std::string> Tree::read(const std::filesystem::path &rel) const
{
	const auto p = abs(rel);
	Fd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
	if (fd.get() < 0)
		return sys_error("read", p);
	std::string out;
	char buf[4096];
	for (;;) {
		ssize_t n = ::read(fd.get(), buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return sys_error("read", p);
		}
		if (n == 0)
			break;
		out.append(buf, static_cast<size_t>(n));
	}
	if (!out.empty() && out.back() == '\n')
		out.pop_back();
	return out;
}

Status Tree::write(const std::filesystem::path &rel, std::string_view value) const
{
	const auto p = abs(rel);
	const auto what = fmt::format("'{}' to", value);
	Fd fd(::open(p.c_str(), O_WRONLY | O_CLOEXEC | O_TRUNC));
	if (fd.get() < 0)
		return sys_error("write", p, what);
	ssize_t n;
	do {
		n = ::write(fd.get(), value.data(), value.size());
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return sys_error("write", p, what);
	if (static_cast<size_t>(n) != value.size())
		return Error{"write", p, 0, what + " (short write)"};
	return ok();
}

Result<std::vector<std::string>> Tree::list(const std::filesystem::path &rel, Order order) const
{
	const auto p = abs(rel);
	std::error_code ec;
	std::vector<std::string> names;
	std::filesystem::directory_iterator it(p, ec);
	if (ec)
		return Error{"list", p, ec.value(), {}};
	for (const auto &e : it)
		names.push_back(e.path().filename().string());
	if (order == Order::sorted)
		std::sort(names.begin(), names.end());
	return names;
}

Status Tree::mkdir(const std::filesystem::path &rel) const
{
	const auto p = abs(rel);
	if (::mkdir(p.c_str(), 0755) < 0)
		return sys_error("create", p);
	return ok();
}

Status Tree::rmdir(const std::filesystem::path &rel) const
{
	const auto p = abs(rel);
	if (::rmdir(p.c_str()) < 0)
		return sys_error("remove", p);
	return ok();
}

Status Tree::link(const std::filesystem::path &target, const std::filesystem::path &link) const
{
	const auto l = abs(link);
	if (::symlink(abs(target).c_str(), l.c_str()) < 0)
		return sys_error("link", l, fmt::format("to {} at", abs(target).string()));
	return ok();
}

Status Tree::unlink(const std::filesystem::path &rel) const
{
	const auto p = abs(rel);
	if (::unlink(p.c_str()) < 0)
		return sys_error("unlink", p);
	return ok();
}

bool Tree::exists(const std::filesystem::path &rel) const
{
	struct stat st {};
	return ::lstat(abs(rel).c_str(), &st) == 0;
}

bool Tree::is_dir(const std::filesystem::path &rel) const
{
	struct stat st {};
	return ::lstat(abs(rel).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool Tree::is_writable_file(const std::filesystem::path &rel) const
{
	struct stat st {};
	return ::lstat(abs(rel).c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & S_IWUSR);
}

Status write_secret(const Tree &tree, const std::filesystem::path &rel, std::string_view secret)
{
	auto st = tree.write(rel, secret);
	if (st)
		return st;
	Error e = st.error();
	e.detail = "a secret to";
	return e;
}

} // namespace nvmet::configfs
