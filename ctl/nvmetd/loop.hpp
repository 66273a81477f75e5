// SPDX-License-Identifier: GPL-2.0
// nvmetd's run: restore the configuration, then one poll loop over a
// signalfd (SIGTERM, SIGINT), the event socket and the metrics listener;
// events are logged and, with save_on_change, saved.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "config.hpp"
#include "configfs/tree.hpp"
#include "http.hpp"
#include "log.hpp"
#include "netlink/genl.hpp"

namespace nvmet::daemon {

class Daemon {
public:
	// VERSION is nvmetd's own, for the "started" line.
	Daemon(Config cfg, const Log &log, std::string version)
	    : cfg_(std::move(cfg)), log_(log), version_(std::move(version)), tree_(cfg_.configfs)
	{}

	// Until a signal stops it: 0, or 1 when it cannot start or poll fails.
	int run();

private:
	bool restore();
	void save(const char *why);
	void on_event(const netlink::Event &ev);
	int loop(int sig);

	Config cfg_;
	const Log &log_;
	std::string version_;
	configfs::Tree tree_;
	std::unique_ptr<netlink::Genl> genl_;
	std::optional<MetricsServer> metrics_;
};

} // namespace nvmet::daemon
