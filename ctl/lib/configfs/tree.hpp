// SPDX-License-Identifier: GPL-2.0
// Access to an nvmet configfs tree (normally /sys/kernel/config/nvmet) through
// paths relative to its root. Any directory laid out the same way works as the
// root; FakeTree (fake.hpp) adds configfs's rules to a plain directory, which
// is how the unit tests run without a kernel.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace nvmet::configfs {

inline constexpr std::string_view default_root = "/sys/kernel/config/nvmet";

// Order of the names list() returns.
enum class Order {
	sorted, // by name
	directory, // as the directory gives them (what nvmetcli's os.listdir sees)
};

class Tree {
public:
	explicit Tree(std::filesystem::path root) : root_(std::move(root)) {}
	virtual ~Tree() = default;
	Tree(const Tree &) = delete;
	Tree &operator=(const Tree &) = delete;

	[[nodiscard]] const std::filesystem::path &root() const { return root_; }
	[[nodiscard]] std::filesystem::path abs(const std::filesystem::path &rel) const
	{
		return root_ / rel;
	}

	// An attribute's value, without the trailing newline configfs adds.
	[[nodiscard]] virtual Result<std::string> read(const std::filesystem::path &rel) const;
	// Writes VALUE in one write(2), as configfs requires; the kernel's errno is kept.
	[[nodiscard]] virtual Status write(const std::filesystem::path &rel, std::string_view value) const;
	// Names in a directory; "." and ".." excluded.
	[[nodiscard]] Result<std::vector<std::string>> list(const std::filesystem::path &rel,
	                                                    Order order = Order::sorted) const;
	[[nodiscard]] virtual Status mkdir(const std::filesystem::path &rel) const;
	[[nodiscard]] virtual Status rmdir(const std::filesystem::path &rel) const;
	// A configfs link: LINK (relative) points at TARGET (relative), e.g. a port's
	// subsystems/<nqn> at subsystems/<nqn>.
	[[nodiscard]] virtual Status link(const std::filesystem::path &target,
	                                  const std::filesystem::path &link) const;
	[[nodiscard]] virtual Status unlink(const std::filesystem::path &rel) const;
	[[nodiscard]] bool exists(const std::filesystem::path &rel) const;
	// FN(name) for each entry of REL, sorted, stopping at the first failure.
	template <class F> [[nodiscard]] Status each(const std::filesystem::path &rel, F fn) const
	{
		auto names = list(rel);
		if (!names)
			return names.error();
		for (const auto &n : *names)
			if (auto st = fn(n); !st)
				return st;
		return ok();
	}
	[[nodiscard]] bool is_dir(const std::filesystem::path &rel) const;
	// A regular file its owner may write: an attribute nvmetcli saves.
	[[nodiscard]] bool is_writable_file(const std::filesystem::path &rel) const;

private:
	std::filesystem::path root_;
};

// TREE.write(REL, SECRET) whose error does not contain the secret (a
// DH-HMAC-CHAP key must not end up in messages or logs).
[[nodiscard]] Status write_secret(const Tree &tree, const std::filesystem::path &rel,
                                  std::string_view secret);

} // namespace nvmet::configfs
