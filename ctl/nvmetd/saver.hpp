// SPDX-License-Identifier: GPL-2.0
// save_on_change: the configuration saved when it differs from what was
// last saved. The comparison is of the saved text (nvmetcli's JSON), so any
// change made through configfs counts, whoever made it (nvmetctl,
// nvmetcli, a shell); the daemon checks on each event and on a timer.
#pragma once

#include <string>

#include "configfs/tree.hpp"
#include "late.hpp"
#include "log.hpp"

namespace nvmet::daemon {

class Saver {
public:
	// FILE: where saves go (the configuration's 'restore').
	Saver(const configfs::Tree &tree, const Log &log, std::string file)
	    : tree_(tree), log_(log), file_(std::move(file))
	{}

	// The configuration as it is now taken as the one saved (no write):
	// after the restore at start.
	void baseline(const LateDevices &late);

	// Saves when the configuration differs from the last one saved, or
	// always with FORCE; WHY goes into the log line. Whether it saved.
	bool save(const char *why, bool force, const LateDevices &late);

private:
	[[nodiscard]] Result<nlohmann::json> current(const LateDevices &late) const;
	void failed(const Error &err);

	const configfs::Tree &tree_;
	const Log &log_;
	std::string file_;
	std::string last_; // the text last saved ("" before the first)
	std::string last_error_; // the failure last logged, until a save succeeds
};

} // namespace nvmet::daemon
