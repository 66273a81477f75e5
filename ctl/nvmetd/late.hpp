// SPDX-License-Identifier: GPL-2.0
// Namespaces restored disabled because their device did not exist yet
// (LVM, MD, multipath devices appear late at boot): each is enabled once its
// device appears, checked every interval, until a timeout. Driven by the
// daemon's poll loop (next_check(), check()): nothing here sleeps.
#pragma once

#include <chrono>
#include <vector>

#include <nlohmann/json.hpp>

#include "compat/nvmetcli_compat.hpp"
#include "configfs/tree.hpp"
#include "log.hpp"

namespace nvmet::daemon {

class LateDevices {
public:
	using Clock = std::chrono::steady_clock;

	// TIMEOUT 0: a missing device is logged and not waited for.
	LateDevices(const configfs::Tree &tree, const Log &log, std::chrono::seconds timeout,
	            std::chrono::seconds interval)
	    : tree_(tree), log_(log), timeout_(timeout), interval_(interval)
	{}

	// Starts waiting for NS's device (one log line); the first check is
	// one interval after NOW.
	void add(const compat::DeferredNamespace &ns, Clock::time_point now);

	// Enables the namespaces whose device is there (one line each) and
	// gives up on those past the timeout (one line each).
	void check(Clock::time_point now);

	[[nodiscard]] bool empty() const { return waiting_.empty(); }
	// When check() is due; only when !empty().
	[[nodiscard]] Clock::time_point next_check() const { return next_; }

	// CONFIG (a save) with the namespaces still waited for marked enabled,
	// as they were in the file restored: a save while waiting must not
	// turn them off for the next boot.
	void mark_enabled(nlohmann::json &config) const;

private:
	struct Waiting {
		compat::DeferredNamespace ns;
		Clock::time_point since, deadline;
	};
	// Whether W is done with (enabled, given up on, or changed by someone else).
	bool check_one(const Waiting &w, Clock::time_point now) const;

	const configfs::Tree &tree_;
	const Log &log_;
	std::chrono::seconds timeout_, interval_;
	std::vector<Waiting> waiting_;
	Clock::time_point next_{};
};

} // namespace nvmet::daemon
