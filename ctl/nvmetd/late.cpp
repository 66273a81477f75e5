// SPDX-License-Identifier: GPL-2.0
#include "late.hpp"

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include <fmt/format.h>

#include "configfs/ids.hpp"

namespace nvmet::daemon {

namespace fs = std::filesystem;

namespace {

fs::path ns_dir(const compat::DeferredNamespace &ns)
{
	return fs::path("subsystems") / ns.subsys / "namespaces" / std::to_string(ns.nsid);
}

std::string name(const compat::DeferredNamespace &ns)
{
	return fmt::format("namespace {} of {}", ns.nsid, ns.subsys);
}

long long seconds(LateDevices::Clock::duration d)
{
	return std::chrono::duration_cast<std::chrono::seconds>(d).count();
}

} // namespace

void LateDevices::add(const compat::DeferredNamespace &ns, Clock::time_point now)
{
	if (timeout_.count() == 0) {
		log_.line(fmt::format("device {} of {} does not exist: the namespace stays disabled "
		                      "(late_device_timeout = 0; enable it with 'nvmetctl namespace "
		                      "enable {} {}' once the device exists)",
		                      ns.device, name(ns), ns.subsys, ns.nsid));
		return;
	}
	log_.line(fmt::format("device {} of {} does not exist yet: the namespace stays disabled, "
	                      "waiting up to {} s for the device",
	                      ns.device, name(ns), timeout_.count()));
	if (waiting_.empty())
		next_ = now + interval_;
	waiting_.push_back({ns, now, now + timeout_});
}

bool LateDevices::check_one(const Waiting &w, Clock::time_point now) const
{
	const auto dir = ns_dir(w.ns);
	if (!tree_.is_dir(dir)) {
		log_.line(fmt::format("{} was removed: no longer waiting for device {}", name(w.ns),
		                      w.ns.device));
		return true;
	}
	if (auto path = tree_.read(dir / "device_path"); path && *path != w.ns.device) {
		log_.line(fmt::format("{} now has device {}: no longer waiting for device {}", name(w.ns),
		                      *path, w.ns.device));
		return true;
	}
	if (auto en = tree_.read(dir / "enable"); en && *en == "1")
		return true; // enabled by someone else: its ns-add event is logged
	// A block device node can come before its size (a loop device before
	// its file, an MD array before it is assembled): wait for both.
	if (configfs::device_ready(w.ns.device)) {
		// The stable identifiers the restore left for now: the device's
		// identity (its WWID) is known only now.
		const auto ids =
		        configfs::stable_ids(w.ns.subsys, w.ns.nsid, configfs::device_identity(w.ns.device));
		Status st = nvmet::ok();
		if (w.ns.fill_uuid)
			st = tree_.write(dir / "device_uuid", ids.uuid);
		if (st && w.ns.fill_nguid)
			st = tree_.write(dir / "device_nguid", ids.nguid);
		if (st)
			st = tree_.write(dir / "enable", "1");
		if (st) {
			log_.line(fmt::format("device {} appeared after {} s: {} enabled", w.ns.device,
			                      seconds(now - w.since), name(w.ns)));
			return true;
		}
		if (st.error().err != ENOENT) {
			log_.line(fmt::format("device {} appeared but {} cannot be enabled: {}; it stays "
			                      "disabled",
			                      w.ns.device, name(w.ns), st.error().message()));
			return true;
		}
	}
	if (now >= w.deadline) {
		log_.line(fmt::format("gave up waiting for device {} after {} s: {} stays disabled "
		                      "(enable it with 'nvmetctl namespace enable {} {}' once the device "
		                      "exists)",
		                      w.ns.device, seconds(now - w.since), name(w.ns), w.ns.subsys,
		                      w.ns.nsid));
		return true;
	}
	return false;
}

void LateDevices::check(Clock::time_point now)
{
	std::erase_if(waiting_, [&](const Waiting &w) { return check_one(w, now); });
	next_ = now + interval_;
}

void LateDevices::mark_enabled(nlohmann::json &config) const
{
	if (!config.contains("subsystems"))
		return;
	for (const auto &w : waiting_)
		for (auto &s : config["subsystems"]) {
			if (s.value("nqn", "") != w.ns.subsys || !s.contains("namespaces"))
				continue;
			for (auto &n : s["namespaces"])
				if (n.contains("nsid") && n["nsid"] == w.ns.nsid)
					n["enable"] = 1;
		}
}

} // namespace nvmet::daemon
