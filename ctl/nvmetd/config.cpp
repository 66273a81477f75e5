// SPDX-License-Identifier: GPL-2.0
#include "config.hpp"

#include <cerrno>
#include <filesystem>
#include <algorithm>
#include <vector>

#include <fmt/format.h>
#include <libconfig.h++>

namespace nvmet::daemon {
namespace {

// "cannot use PATH (WHY)"
Error bad(const std::string &path, std::string why)
{
	Error err{"use", path};
	err.hint = std::move(why);
	return err;
}

} // namespace

Result<Config> load_config(const std::string &path, bool may_be_missing)
{
	Config c;
	if (!std::filesystem::exists(path)) {
		if (may_be_missing)
			return c;
		return Error{"read", path, ENOENT};
	}
	libconfig::Config cfg;
	try {
		cfg.readFile(path.c_str());
	} catch (const libconfig::ParseException &e) {
		Error err{"parse", path};
		err.hint = fmt::format("line {}: {}", e.getLine(), e.getError());
		return err;
	} catch (const libconfig::FileIOException &) {
		return Error{"read", path, errno ? errno : EIO};
	}
	static const std::vector<std::string> known = {"restore",
	                                               "configfs",
	                                               "log",
	                                               "save_on_change",
	                                               "save_interval",
	                                               "late_device_timeout",
	                                               "late_device_interval",
	                                               "clear_on_stop",
	                                               "metrics",
	                                               "metrics_address",
	                                               "metrics_port"};
	const libconfig::Setting &root = cfg.getRoot();
	for (int i = 0; i < root.getLength(); i++) {
		const std::string name = root[i].getName();
		if (std::find(known.begin(), known.end(), name) == known.end()) {
			std::string list;
			for (const auto &k : known)
				list += (list.empty() ? "" : ", ") + k;
			return bad(path, fmt::format("line {}: unknown setting '{}' (known: {})",
			                             root[i].getSourceLine(), name, list));
		}
	}
	try {
		root.lookupValue("restore", c.restore);
		root.lookupValue("configfs", c.configfs);
		root.lookupValue("log", c.log);
		root.lookupValue("save_on_change", c.save_on_change);
		root.lookupValue("save_interval", c.save_interval);
		root.lookupValue("late_device_timeout", c.late_device_timeout);
		root.lookupValue("late_device_interval", c.late_device_interval);
		root.lookupValue("clear_on_stop", c.clear_on_stop);
		root.lookupValue("metrics", c.metrics);
		root.lookupValue("metrics_address", c.metrics_address);
		root.lookupValue("metrics_port", c.metrics_port);
	} catch (const libconfig::SettingException &e) {
		return bad(path, fmt::format("setting '{}': {}", e.getPath(), e.what()));
	}
	// lookupValue leaves a value of the wrong type unread: check each.
	auto wrong_type = [&](const char *name, libconfig::Setting::Type want) {
		return root.exists(name) && root[name].getType() != want;
	};
	for (const char *s : {"restore", "configfs", "log", "metrics_address"})
		if (wrong_type(s, libconfig::Setting::TypeString))
			return bad(path, fmt::format("'{}' must be a string in double quotes", s));
	for (const char *s : {"save_on_change", "clear_on_stop", "metrics"})
		if (wrong_type(s, libconfig::Setting::TypeBoolean))
			return bad(path, fmt::format("'{}' must be true or false", s));
	if (wrong_type("metrics_port", libconfig::Setting::TypeInt) || c.metrics_port < 1 ||
	    c.metrics_port > 65535)
		return bad(path, "'metrics_port' must be a number from 1 to 65535");
	// Seconds: NAME must be an integer from LO to HI.
	struct Range {
		const char *name;
		int value, lo, hi;
	};
	for (const auto &r : {Range{"save_interval", c.save_interval, 0, 86400},
	                      Range{"late_device_timeout", c.late_device_timeout, 0, 86400},
	                      Range{"late_device_interval", c.late_device_interval, 1, 3600}})
		if (wrong_type(r.name, libconfig::Setting::TypeInt) || r.value < r.lo || r.value > r.hi)
			return bad(path, fmt::format("'{}' must be a number of seconds from {} to {}", r.name,
			                             r.lo, r.hi));
	return c;
}

} // namespace nvmet::daemon
