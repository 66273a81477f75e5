// SPDX-License-Identifier: GPL-2.0
#include "configfs/check.hpp"

#include "common/integer.hpp"
#include "configfs/values.hpp"

#include <arpa/inet.h>
#include <cctype>
#include <string_view>

#include <fmt/format.h>

namespace nvmet::configfs {

namespace {

constexpr std::size_t nqn_max = 223;
constexpr std::string_view uuid_prefix = "nqn.2014-08.org.nvmexpress:uuid:";
constexpr std::string_view discovery_nqn = "nqn.2014-08.org.nvmexpress.discovery";
constexpr const char *nqn_form = "an NQN is nqn.YYYY-MM.reverse-domain:name, e.g. "
                                 "nqn.2026-01.com.example:disk1, or "
                                 "nqn.2014-08.org.nvmexpress:uuid:<UUID>, at most 223 bytes";

Error refused(const std::string &object, const std::string &what, const std::string &hint)
{
	Error e{"use", {}, 0, what};
	e.context = object;
	e.hint = hint;
	return e;
}

bool is_hex(std::string_view s)
{
	for (char c : s)
		if (std::isxdigit(static_cast<unsigned char>(c)) == 0)
			return false;
	return !s.empty();
}

// 8-4-4-4-12 hexadecimal digits.
bool is_uuid(std::string_view s)
{
	if (s.size() != 36)
		return false;
	for (std::size_t i : {8U, 13U, 18U, 23U})
		if (s[i] != '-')
			return false;
	return is_hex(s.substr(0, 8)) && is_hex(s.substr(9, 4)) && is_hex(s.substr(14, 4)) &&
	       is_hex(s.substr(19, 4)) && is_hex(s.substr(24));
}

// Why NQN is not "nqn.YYYY-MM.domain:name"; empty when it is.
std::string nqn_problem(std::string_view nqn)
{
	if (nqn.size() > nqn_max)
		return fmt::format("it is {} bytes", nqn.size());
	if (nqn.find('/') != std::string_view::npos)
		return "it contains '/'";
	for (char c : nqn)
		if (std::isspace(static_cast<unsigned char>(c)) != 0 ||
		    std::iscntrl(static_cast<unsigned char>(c)) != 0)
			return "it contains white space or control characters";
	auto digits = [&](std::size_t at, std::size_t n) {
		for (std::size_t i = at; i < at + n; i++)
			if (i >= nqn.size() || std::isdigit(static_cast<unsigned char>(nqn[i])) == 0)
				return false;
		return true;
	};
	if (nqn.substr(0, 4) != "nqn." || !digits(4, 4) || nqn.size() < 12 || nqn[8] != '-' ||
	    !digits(9, 2) || nqn[11] != '.')
		return "it does not start with nqn.YYYY-MM.";
	const int month = (nqn[9] - '0') * 10 + (nqn[10] - '0');
	if (month < 1 || month > 12)
		return "its month is not 01 to 12";
	const auto colon = nqn.find(':', 12);
	const auto domain =
	        nqn.substr(12, colon == std::string_view::npos ? std::string_view::npos : colon - 12);
	if (domain.empty() || domain.front() == '.' || domain.back() == '.')
		return "it has no reverse domain name after the date";
	for (char c : domain)
		if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '.' && c != '-')
			return fmt::format("its domain '{}' has a '{}'", domain, c);
	if (colon == std::string_view::npos || colon + 1 == nqn.size())
		return "it has no ':name' after the domain";
	if (nqn.substr(0, uuid_prefix.size()) == uuid_prefix && !is_uuid(nqn.substr(uuid_prefix.size())))
		return "what follows ':uuid:' is not a UUID (8-4-4-4-12 hexadecimal digits)";
	return {};
}

bool ip_transport(const std::string &trtype)
{
	return trtype == "tcp" || trtype == "rdma";
}

std::string listed(const std::set<std::string> &names)
{
	std::string s;
	for (const auto &n : names)
		s += (s.empty() ? "" : ", ") + n;
	return s;
}

// nn-0x<16 hex>:pn-0x<16 hex>
bool is_fc_address(std::string_view a)
{
	return a.size() == 43 && a.substr(0, 5) == "nn-0x" && is_hex(a.substr(5, 16)) &&
	       a.substr(21, 6) == ":pn-0x" && is_hex(a.substr(27, 16));
}

} // namespace

Status check_nqn(const std::string &nqn, const std::string &what)
{
	const std::string object = what + " " + nqn;
	if (what == "subsystem" && nqn == discovery_nqn)
		return refused(object, "the discovery NQN as a subsystem's",
		               "the target serves discovery itself: give the subsystem an NQN of its own");
	if (nqn.empty())
		return refused(what, "an empty NQN", nqn_form);
	if (auto why = nqn_problem(nqn); !why.empty())
		return refused(object, fmt::format("'{}' as a {} NQN", nqn, what),
		               fmt::format("{}; {}", why, nqn_form));
	return ok();
}

std::string guess_adrfam(const std::string &trtype, const std::string &traddr)
{
	if (trtype == "fc")
		return "fc";
	if (trtype == "loop")
		return "loop";
	if (trtype == "pci")
		return "pci";
	return traddr.find(':') != std::string::npos ? "ipv6" : "ipv4";
}

Status check_address(const Address &a, const std::string &object)
{
	if (!values::trtypes.count(a.trtype))
		return refused(object, fmt::format("the transport type '{}'", a.trtype),
		               "transport types: " + listed(values::trtypes));
	if (!values::adrfams.count(a.adrfam))
		return refused(object, fmt::format("the address family '{}'", a.adrfam),
		               "address families: " + listed(values::adrfams));
	const bool fits = a.trtype == "tcp"    ? a.adrfam == "ipv4" || a.adrfam == "ipv6"
	                  : a.trtype == "rdma" ? a.adrfam == "ipv4" || a.adrfam == "ipv6" || a.adrfam == "ib"
	                  : a.trtype == "fc"   ? a.adrfam == "fc"
	                                       : true;
	if (!fits)
		return refused(object, fmt::format("address family {} on transport {}", a.adrfam, a.trtype),
		               a.trtype == "fc"    ? "FC takes adrfam fc"
		               : a.trtype == "tcp" ? "TCP takes ipv4 or ipv6"
		                                   : "RDMA takes ipv4, ipv6 or ib");
	if (a.adrfam == "ipv4" || a.adrfam == "ipv6") {
		unsigned char buf[sizeof(in6_addr)];
		const bool v6 = a.adrfam == "ipv6";
		if (::inet_pton(v6 ? AF_INET6 : AF_INET, a.traddr.c_str(), buf) != 1) {
			const bool other = ::inet_pton(v6 ? AF_INET : AF_INET6, a.traddr.c_str(), buf) == 1;
			return refused(
			        object,
			        fmt::format("the address '{}' with address family {}", a.traddr, a.adrfam),
			        other ? fmt::format("it is an {} address: give --adrfam {} or leave "
			                            "--adrfam out",
			                            v6 ? "IPv4" : "IPv6", v6 ? "ipv4" : "ipv6")
			              : fmt::format("it is not an {} address; 0.0.0.0 or :: listens on "
			                            "every address",
			                            v6 ? "IPv6" : "IPv4"));
		}
	}
	if (a.trtype == "fc" && !is_fc_address(a.traddr))
		return refused(object, fmt::format("the FC address '{}'", a.traddr),
		               "an FC address is nn-0x<WWNN, 16 hex digits>:pn-0x<WWPN, 16 hex digits>");
	if (ip_transport(a.trtype)) {
		auto svc = parse_int(a.trsvcid, 1, 65535);
		if (!svc)
			return refused(object, fmt::format("the service ID (port number) '{}'", a.trsvcid),
			               "a TCP or RDMA service ID is a port number, 1 to 65535; NVMe/TCP uses "
			               "4420 for I/O and 8009 for discovery");
	}
	return ok();
}

} // namespace nvmet::configfs
