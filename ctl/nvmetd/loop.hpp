// SPDX-License-Identifier: GPL-2.0
// nvmetd's run: restore the configuration, then one poll loop over a
// signalfd (SIGTERM, SIGINT), the event socket and the metrics listener;
// events are logged and, with save_on_change, saved; timers for namespaces
// whose device appears late and for changes made without an event.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "config.hpp"
#include "configfs/tree.hpp"
#include "http.hpp"
#include "late.hpp"
#include "log.hpp"
#include "saver.hpp"
#include "netlink/genl.hpp"

namespace nvmet::daemon {

class Daemon {
public:
	// VERSION is nvmetd's own, for the "started" line.
	Daemon(Config cfg, const Log &log, std::string version)
	    : cfg_(std::move(cfg)), log_(log), version_(std::move(version)), tree_(cfg_.configfs),
	      late_(tree_, log_, std::chrono::seconds(cfg_.late_device_timeout),
	            std::chrono::seconds(cfg_.late_device_interval)),
	      saver_(tree_, log_, cfg_.restore)
	{}

	// Until a signal stops it: 0, or 1 when it cannot start or poll fails.
	int run();

private:
	bool restore();
	[[nodiscard]] bool saving() const { return cfg_.save_on_change && !cfg_.restore.empty(); }
	void on_event(const netlink::Event &ev);
	// Milliseconds until the next timer (late devices, save check); -1: none.
	[[nodiscard]] int timeout() const;
	void on_timer();
	int loop(int sig);

	Config cfg_;
	const Log &log_;
	std::string version_;
	configfs::Tree tree_;
	LateDevices late_;
	Saver saver_;
	LateDevices::Clock::time_point next_save_check_{};
	std::unique_ptr<netlink::Genl> genl_;
	std::optional<MetricsServer> metrics_;
};

} // namespace nvmet::daemon
