// SPDX-License-Identifier: GPL-2.0
// apply: bring the live configuration to a file's (nvmetcli's JSON format)
// without tearing it down. The file is compared with configfs and only what
// differs is changed, in an order the kernel accepts and that keeps
// connected hosts running: new hosts, subsystems, namespaces and ports
// before the links that export them; links removed before what they point
// at; a port, subsystem or namespace that does not change is not touched at
// all (no write, no disable, no unlink). A change configfs allows only on a
// disabled namespace or an unlinked port is done by disabling or unlinking
// just that object for the time of the write, and the plan says so.
//
// What the file says is the whole configuration: hosts, subsystems,
// namespaces, allowed hosts, ports, links, ANA groups and referrals missing
// from it are removed. Attributes it leaves out keep their live values.
//
// Callers are serialized by an flock(2) on lock_path(). When a step fails,
// the steps done are undone (a plan from the live state back to the one
// before, run in the same safe order) and the error names the step, the
// object and what the kernel said.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "configfs/tree.hpp"

namespace nvmet::compat {

// One change to configfs, described for a person.
struct Step {
	std::string what; // one line: "namespace <nqn> nsid 1: device_path '/a' -> '/b'"
	// True when hosts notice it beyond what the file asks for: a namespace
	// disabled, or a port unlinked, for the time of a change.
	bool disturbs = false;
	std::function<Status(std::vector<std::string> &warnings)> run;
};

struct Plan {
	std::vector<Step> steps; // in the order they run; empty: nothing to change
	std::vector<std::string> warnings; // attributes this kernel lacks, skipped
};

// The steps that turn the configuration under TREE into CONFIG; CONFIG is
// validated first (the error lists its problems). Nothing is changed.
[[nodiscard]] Result<Plan> plan(const configfs::Tree &tree, const nlohmann::json &config);

// Where apply's lock lives: /run/nvmetctl.lock for a configfs root (no file
// can be made there), else ROOT/.nvmetctl.lock (a directory twin of configfs,
// as the tests and --fake-configfs use: one lock per twin).
[[nodiscard]] std::filesystem::path lock_path(const configfs::Tree &tree);

// An flock(2) held on a lock file while it lives.
class Lock {
public:
	// Exclusive, or SHARED (a dry run: several may read, none while one
	// applies). Without WAIT a lock held elsewhere fails at once (EWOULDBLOCK).
	[[nodiscard]] static Result<Lock> take(const std::filesystem::path &file, bool shared, bool wait);
	Lock(Lock &&other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
	Lock &operator=(Lock &&) = delete;
	Lock(const Lock &) = delete;
	Lock &operator=(const Lock &) = delete;
	~Lock();

private:
	explicit Lock(int fd) : fd_(fd) {}
	int fd_;
};

struct ApplyOptions {
	bool dry_run = false; // plan only
	bool wait = false; // wait for the lock instead of failing
};

struct ApplyOutcome {
	std::vector<std::string> steps; // what was done (or, dry run, would be)
	std::vector<std::string> disturbing; // those of STEPS hosts notice
	std::vector<std::string> warnings;
};

// Takes the lock, plans and, unless a dry run, runs the plan; on a failed
// step undoes what was done. The error then says which step failed, on
// which object, the kernel's errno, and whether the previous configuration
// is back.
[[nodiscard]] Result<ApplyOutcome> apply(const configfs::Tree &tree, const nlohmann::json &config,
                                         const ApplyOptions &opts = {});

} // namespace nvmet::compat
