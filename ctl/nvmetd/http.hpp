// SPDX-License-Identifier: GPL-2.0
// nvmetd's metrics listener: a minimal HTTP/1.0 server answering
// GET /metrics with the counters in Prometheus text format.
#pragma once

#include <string>
#include <string_view>

#include "common/error.hpp"
#include "fd.hpp"
#include "netlink/genl.hpp"

namespace nvmet::daemon {

// The whole response to REQUEST (its head, as read): 200 with the counters of
// SOURCE, 404 for anything but /metrics, 503 without SOURCE (no netlink
// family), 500 when the counters cannot be read.
[[nodiscard]] std::string metrics_response(std::string_view request, netlink::Source *source);

class MetricsServer {
public:
	// Listens on ADDRESS (IPv4 or IPv6) and PORT.
	[[nodiscard]] static Result<MetricsServer> listen(const std::string &address, int port);

	[[nodiscard]] int fd() const { return fd_.get(); }
	// Accepts one connection and answers its one request; a slow client gets 1 s.
	void serve(netlink::Source *source) const;

private:
	explicit MetricsServer(Fd fd) : fd_(std::move(fd)) {}
	Fd fd_;
};

} // namespace nvmet::daemon
