// SPDX-License-Identifier: GPL-2.0
#include "http.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <sys/socket.h>

#include <fmt/format.h>

#include "netlink/format.hpp"

namespace nvmet::daemon {

std::string metrics_response(std::string_view request, netlink::Source *source)
{
	std::string status = "200 OK", body;
	if (request.rfind("GET /metrics ", 0) != 0 && request.rfind("GET /metrics?", 0) != 0) {
		status = "404 Not Found";
		body = "only /metrics is served\n";
	} else if (!source) {
		status = "503 Service Unavailable";
		body = "the nvmet_oot netlink family is not available (is nvmet-oot's nvmet loaded?)\n";
	} else {
		auto ctrls = source->controllers();
		auto nss = source->namespaces();
		if (!ctrls || !nss) {
			status = "500 Internal Server Error";
			body = (ctrls ? nss.error() : ctrls.error()).message() + "\n";
		} else {
			body = netlink::prometheus_text(*ctrls, *nss);
		}
	}
	return fmt::format("HTTP/1.0 {}\r\nContent-Type: text/plain; version=0.0.4\r\n"
	                   "Content-Length: {}\r\nConnection: close\r\n\r\n{}",
	                   status, body.size(), body);
}

Result<MetricsServer> MetricsServer::listen(const std::string &address, int port)
{
	sockaddr_in6 a6{};
	sockaddr_in a4{};
	const sockaddr *sa = nullptr;
	socklen_t len = 0;
	if (::inet_pton(AF_INET, address.c_str(), &a4.sin_addr) == 1) {
		a4.sin_family = AF_INET;
		a4.sin_port = htons(static_cast<std::uint16_t>(port));
		sa = reinterpret_cast<const sockaddr *>(&a4);
		len = sizeof(a4);
	} else if (::inet_pton(AF_INET6, address.c_str(), &a6.sin6_addr) == 1) {
		a6.sin6_family = AF_INET6;
		a6.sin6_port = htons(static_cast<std::uint16_t>(port));
		sa = reinterpret_cast<const sockaddr *>(&a6);
		len = sizeof(a6);
	} else {
		Error e{"use", {}, 0, fmt::format("'{}' as an IPv4 or IPv6 address", address)};
		e.context = "metrics";
		e.hint = "fix metrics_address";
		return e;
	}
	Fd fd(::socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
	const int one = 1;
	if (fd.get() < 0 || ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    ::bind(fd.get(), sa, len) < 0 || ::listen(fd.get(), 8) < 0) {
		const int err = errno;
		Error e{"listen on", {}, err, fmt::format("{} port {}", address, port)};
		e.context = "metrics";
		e.hint = "pick another metrics_port";
		return e;
	}
	return MetricsServer(std::move(fd));
}

void MetricsServer::serve(netlink::Source *source) const
{
	Fd c(::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
	if (c.get() < 0)
		return;
	const timeval tv{1, 0};
	::setsockopt(c.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	::setsockopt(c.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	std::string req;
	char buf[1024];
	while (req.find("\r\n\r\n") == std::string::npos && req.size() < 8192) {
		const ssize_t n = ::read(c.get(), buf, sizeof(buf));
		if (n <= 0)
			break;
		req.append(buf, static_cast<size_t>(n));
	}
	const std::string resp = metrics_response(req, source);
	size_t off = 0;
	while (off < resp.size()) {
		const ssize_t n = ::write(c.get(), resp.data() + off, resp.size() - off);
		if (n <= 0)
			break;
		off += static_cast<size_t>(n);
	}
}

} // namespace nvmet::daemon
