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
// namespace's device while it is enabled (not for its ANA group, which may
// change live), EINVAL for values nvmet rejects.
// A write of nothing succeeds and changes nothing (configfs never passes
// it to nvmet).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "configfs/tree.hpp"

namespace nvmet::configfs {

// What the fake target has beyond the base tree; by default what our
// module has (the in-tree one built with CONFIG_NVME_TARGET_AUTH and
// CONFIG_NVME_TARGET_TCP_TLS has the same).
struct FakeFeatures {
	// hosts/<nqn>/dhchap_key, dhchap_ctrl_key (mode 0600, as ours; in-tree
	// 0644), dhchap_hash, dhchap_dhgroup.
	bool dhchap = true;
	// addr_tsas "tls1.3" on TCP ports (else EINVAL, as a target without TLS).
	bool tls = true;
	// A namespace's enable checks that its device_path exists, as the
	// kernel does (ENOENT); off by default so that tests may name devices
	// the test machine lacks.
	bool devices_must_exist = false;
};

class FakeTree : public Tree {
public:
	// Lays out an nvmet root (hosts/, ports/, subsystems/, discovery_nqn)
	// in ROOT, an existing directory, keeping what a FakeTree made there
	// before.
	explicit FakeTree(std::filesystem::path root, FakeFeatures features = {});

	[[nodiscard]] Status write(const std::filesystem::path &rel, std::string_view value) const override;
	[[nodiscard]] Status mkdir(const std::filesystem::path &rel) const override;
	[[nodiscard]] Status rmdir(const std::filesystem::path &rel) const override;
	[[nodiscard]] Status link(const std::filesystem::path &target,
	                          const std::filesystem::path &link) const override;
	[[nodiscard]] Status unlink(const std::filesystem::path &rel) const override;

	// For tests: the changes asked of this tree, in order, each as
	// "<op> <rel>" (op: write, mkdir, rmdir, link, unlink; for a link the
	// link's path), refused ones included.
	[[nodiscard]] const std::vector<std::string> &operations() const { return ops_; }
	void forget_operations() { ops_.clear(); }
	// For tests: the next change to REL (as operations() names it) fails
	// with ERR, as if the kernel refused it.
	void refuse(const std::filesystem::path &rel, int err);

private:
	FakeFeatures features_;
	// What a test looks at and injects; the tree's rules do not depend on it.
	mutable std::vector<std::string> ops_;
	mutable std::map<std::string, int> refusals_;

	// Logs OP on REL; an injected refusal when one is pending for REL.
	[[nodiscard]] Status record(const char *op, const std::filesystem::path &rel) const;

	[[nodiscard]] Status write_host(const std::filesystem::path &rel, const std::string &name,
	                                const std::string &value) const;
	[[nodiscard]] Status write_port_security(const std::filesystem::path &rel, const std::string &name,
	                                         const std::string &value) const;
};

} // namespace nvmet::configfs
