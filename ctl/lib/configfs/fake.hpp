// SPDX-License-Identifier: GPL-2.0
// FakeTree: an nvmet configfs tree in a plain directory that follows
// configfs's and nvmet's rules, so everything above Tree runs in unit tests
// without a kernel. Checked against the tree captured from the lab guest
// (ctl/tests/fixtures/configfs-layout.txt, tests/scenarios/configfs-layout.sh).
//
// Rules kept: mkdir only where nvmet makes objects, and it creates the
// object's attribute files (with their modes and default values) and default
// groups; rmdir removes them, and is refused for default groups and for
// objects with user-made children or links; links only from a port's
// subsystems/ to a subsystem and from allowed_hosts/ to a host; writes go
// only to existing, writable attributes and are refused with the kernel's
// errno: EACCES for a port's address while it is enabled, EBUSY for a
// namespace's device while it is enabled, EINVAL for values nvmet rejects.
#pragma once

#include "configfs/tree.hpp"

namespace nvmet::configfs {

class FakeTree : public Tree {
public:
	// Lays out an nvmet root (hosts/, ports/, subsystems/, discovery_nqn)
	// in ROOT, an existing directory, keeping what a FakeTree made there
	// before.
	explicit FakeTree(std::filesystem::path root);

	[[nodiscard]] Status write(const std::filesystem::path &rel, std::string_view value) const override;
	[[nodiscard]] Status mkdir(const std::filesystem::path &rel) const override;
	[[nodiscard]] Status rmdir(const std::filesystem::path &rel) const override;
	[[nodiscard]] Status link(const std::filesystem::path &target,
	                          const std::filesystem::path &link) const override;
	[[nodiscard]] Status unlink(const std::filesystem::path &rel) const override;
};

} // namespace nvmet::configfs
