// SPDX-License-Identifier: GPL-2.0
#include "catch.hpp"
#include "http.hpp"
#include "netlink/format.hpp"

#include <fmt/format.h>

using nvmet::daemon::metrics_response;

TEST_CASE("nvmetd metrics: only GET /metrics is served", "[nvmetd]")
{
	nvmet::netlink::FakeSource src;
	for (const char *req : {"GET / HTTP/1.0\r\n\r\n", "POST /metrics HTTP/1.0\r\n\r\n",
	                        "GET /metricsx HTTP/1.0\r\n\r\n", ""}) {
		const auto resp = metrics_response(req, &src);
		CHECK(resp.rfind("HTTP/1.0 404 Not Found\r\n", 0) == 0);
		CHECK(resp.find("only /metrics is served\n") != std::string::npos);
	}
}

TEST_CASE("nvmetd metrics: 503 without the netlink family, 200 with it", "[nvmetd]")
{
	const auto none = metrics_response("GET /metrics HTTP/1.0\r\n\r\n", nullptr);
	CHECK(none.rfind("HTTP/1.0 503 Service Unavailable\r\n", 0) == 0);

	nvmet::netlink::FakeSource src;
	for (const char *req : {"GET /metrics HTTP/1.0\r\n\r\n", "GET /metrics?x=1 HTTP/1.1\r\n\r\n"}) {
		const auto resp = metrics_response(req, &src);
		CHECK(resp.rfind("HTTP/1.0 200 OK\r\n", 0) == 0);
		const auto body = resp.substr(resp.find("\r\n\r\n") + 4);
		CHECK(resp.find(fmt::format("Content-Length: {}\r\n", body.size())) != std::string::npos);
		CHECK(body == nvmet::netlink::prometheus_text({}, {}));
	}
}
