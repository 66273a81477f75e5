// SPDX-License-Identifier: GPL-2.0
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "catch.hpp"
#include "common/integer.hpp"
#include "common/text.hpp"

using nvmet::Base;
using nvmet::parse_int;

TEST_CASE("integers: decimal, in range", "[integer]")
{
	CHECK(*parse_int("0", 0, 10) == 0);
	CHECK(*parse_int("10", 0, 10) == 10);
	CHECK(*parse_int("-5", -5, 5) == -5);
	CHECK(*parse_int<std::uint32_t>("4294967295") == 4294967295U);
	CHECK(*parse_int<std::uint16_t>("65535") == 65535);
	CHECK(*parse_int<long long>("-9223372036854775808") == std::numeric_limits<long long>::min());
	CHECK(*parse_int<long long>("9223372036854775807") == std::numeric_limits<long long>::max());
	CHECK(*parse_int("007", 0, 10) == 7); // decimal: a leading 0 is not octal
}

TEST_CASE("integers: bounds are checked (ERANGE)", "[integer]")
{
	for (const char *s : {"11", "-1"}) {
		auto v = parse_int(s, 0, 10);
		REQUIRE_FALSE(v.ok());
		CHECK(v.error().err == ERANGE);
		CHECK(v.error().message() == fmt::format("cannot parse '{}' as an integer: {} (expected a "
		                                         "decimal integer from 0 to 10)",
		                                         s, std::strerror(ERANGE)));
	}
	CHECK(parse_int<std::uint16_t>("65536").error().err == ERANGE);
	CHECK(parse_int<std::uint32_t>("4294967296").error().err == ERANGE);
	CHECK(parse_int<std::uint32_t>("-1").error().err == ERANGE);
	CHECK(parse_int<long long>("9223372036854775808").error().err == ERANGE);
	CHECK(parse_int<long long>("-9223372036854775809").error().err == ERANGE);
	CHECK(parse_int<long long>("99999999999999999999999").error().err == ERANGE);
}

TEST_CASE("integers: empty text, garbage and trailing characters (EINVAL)", "[integer]")
{
	for (const char *s :
	     {"", "-", "+", "abc", "12abc", "12 ", " 12", "1.5", "--1", "+1", "0x10", "1\n", "\n"}) {
		auto v = parse_int<int>(s);
		INFO("text '" << s << "'");
		REQUIRE_FALSE(v.ok());
		CHECK(v.error().err == EINVAL);
		CHECK(v.error().op == "parse");
		CHECK(v.error().path.empty());
	}
}

TEST_CASE("integers: prefixed as strtol base 0 (hex, octal, sign)", "[integer]")
{
	CHECK(*parse_int("0x10", 0, 100, Base::prefixed) == 16);
	CHECK(*parse_int("0XfF", 0, 1000, Base::prefixed) == 255);
	CHECK(*parse_int("010", 0, 100, Base::prefixed) == 8);
	CHECK(*parse_int("0", 0, 100, Base::prefixed) == 0);
	CHECK(*parse_int("+7", 0, 100, Base::prefixed) == 7);
	CHECK(*parse_int("-0x10", -100, 100, Base::prefixed) == -16);
	CHECK(*parse_int("42", 0, 100, Base::prefixed) == 42);
	for (const char *s : {"", "0x", "08", "0x1g", "0x-1", "+-1", "0x 1", "12 "})
		CHECK(parse_int(s, 0, 100, Base::prefixed).error().err == EINVAL);
	CHECK(parse_int("0x65", 0, 100, Base::prefixed).error().err == ERANGE);
	CHECK(parse_int("0xffef", 1, 0xffef, Base::prefixed).ok());
	CHECK(parse_int("0xfff0", 1, 0xffef, Base::prefixed).error().err == ERANGE);
	CHECK(parse_int("abc", 0, 100, Base::prefixed).error().message() ==
	      fmt::format("cannot parse 'abc' as an integer: {} (expected a decimal, 0x hexadecimal or 0 "
	                  "octal integer from 0 to 100)",
	                  std::strerror(EINVAL)));
}

TEST_CASE("integers: the caller names the object", "[integer]")
{
	auto v = parse_int<std::uint32_t>("x1");
	REQUIRE_FALSE(v.ok());
	nvmet::Error e = v.error();
	e.path = "/sys/kernel/config/nvmet/subsystems/s/namespaces";
	e.detail = "the directory name 'x1' as a number in";
	e.err = 0;
	e.hint.clear();
	CHECK(e.message() == "cannot parse the directory name 'x1' as a number in "
	                     "/sys/kernel/config/nvmet/subsystems/s/namespaces");
}

TEST_CASE("trim: white space off both ends, nothing else", "[common]")
{
	CHECK(nvmet::trim("").empty());
	CHECK(nvmet::trim(" \t\n").empty());
	CHECK(nvmet::trim("tls1.3\n") == "tls1.3");
	CHECK(nvmet::trim("  not required \n") == "not required");
	CHECK(nvmet::trim("a b") == "a b");
}
