// SPDX-License-Identifier: GPL-2.0
// Errors as values, one type for all of ctl (configfs, netlink, nvmetd,
// nvmetcli-compat): an operation that can fail returns Result<T>, whose error
// names the operation, the object (a path) and the errno text.
//
// Not std::expected: that is C++23, and the unit build's toolchain (gcc-12,
// libstdc++ 12 on bookworm) lacks <expected>. Result keeps the same shape
// (ok(), value(), error(), operator*, operator->) so it can be swapped later.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <variant>

namespace nvmet {

struct Error {
	Error() = default;
	Error(std::string op_, std::filesystem::path path_, int err_ = 0, std::string detail_ = {},
	      std::string context_ = {})
	    : op(std::move(op_)), path(std::move(path_)), err(err_), detail(std::move(detail_)),
	      context(std::move(context_))
	{}

	std::string op; // what was attempted: "read", "write", "mkdir", ...
	std::filesystem::path path; // the object it was attempted on (a path)
	int err = 0; // errno, 0 when the failure is not a system error
	std::string detail; // extra context, e.g. the value written
	std::string context; // what the operation was for, e.g. a JSON path
	std::string hint; // what to do about it, when known

	// One line a person can act on: "cannot write 'x' to <path>: <errno text>".
	[[nodiscard]] std::string message() const;
};

template <class T> class [[nodiscard]] Result {
public:
	Result(T value) : v_(std::move(value)) {} // NOLINT(google-explicit-constructor)
	Result(Error error) : v_(std::move(error)) {} // NOLINT(google-explicit-constructor)

	[[nodiscard]] bool ok() const { return v_.index() == 0; }
	explicit operator bool() const { return ok(); }
	const T &value() const & { return std::get<0>(v_); }
	T &&value() && { return std::get<0>(std::move(v_)); }
	const T &operator*() const & { return value(); }
	const T *operator->() const { return &value(); }
	[[nodiscard]] const Error &error() const { return std::get<1>(v_); }

private:
	std::variant<T, Error> v_;
};

using Status = Result<std::monostate>;
inline Status ok()
{
	return std::monostate{};
}

} // namespace nvmet
