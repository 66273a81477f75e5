// SPDX-License-Identifier: GPL-2.0
// Access to an nvmet configfs tree (normally /sys/kernel/config/nvmet) through
// paths relative to its root. Any directory laid out the same way works as the
// root, which is how the unit tests run without a kernel.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "configfs/result.hpp"

namespace nvmet::configfs {

inline constexpr std::string_view default_root = "/sys/kernel/config/nvmet";

class Tree {
public:
	explicit Tree(std::filesystem::path root) : root_(std::move(root)) {}

	[[nodiscard]] const std::filesystem::path &root() const { return root_; }
	[[nodiscard]] std::filesystem::path abs(const std::filesystem::path &rel) const { return root_ / rel; }

	// An attribute's value, without the trailing newline configfs adds.
	[[nodiscard]] Result<std::string> read(const std::filesystem::path &rel) const;
	// Writes VALUE in one write(2), as configfs requires; the kernel's errno is kept.
	[[nodiscard]] Status write(const std::filesystem::path &rel, std::string_view value) const;
	// Names in a directory, sorted; "." and ".." excluded.
	[[nodiscard]] Result<std::vector<std::string>> list(const std::filesystem::path &rel) const;
	[[nodiscard]] Status mkdir(const std::filesystem::path &rel) const;
	[[nodiscard]] Status rmdir(const std::filesystem::path &rel) const;
	// A configfs link: LINK (relative) points at TARGET (relative), e.g. a port's
	// subsystems/<nqn> at subsystems/<nqn>.
	[[nodiscard]] Status link(const std::filesystem::path &target, const std::filesystem::path &link) const;
	[[nodiscard]] Status unlink(const std::filesystem::path &rel) const;
	[[nodiscard]] bool exists(const std::filesystem::path &rel) const;

private:
	std::filesystem::path root_;
};

} // namespace nvmet::configfs
