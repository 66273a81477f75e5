// SPDX-License-Identifier: GPL-2.0
#include "common/integer.hpp"

#include <cerrno>
#include <charconv>

#include <fmt/format.h>

namespace nvmet {

namespace {

Error bad(std::string_view text, int err, std::string hint)
{
	Error e{"parse", {}, err, fmt::format("'{}' as an integer", text)};
	e.hint = std::move(hint);
	return e;
}

} // namespace

Result<long long> parse_int(std::string_view text, long long min, long long max, Base base)
{
	const auto expected = [&] {
		return fmt::format("expected a {}integer from {} to {}",
		                   base == Base::prefixed ? "decimal, 0x hexadecimal or 0 octal "
		                                          : "decimal ",
		                   min, max);
	};
	std::string_view s = text;
	bool negative = false;
	if (!s.empty() && (s.front() == '-' || (base == Base::prefixed && s.front() == '+'))) {
		negative = s.front() == '-';
		s.remove_prefix(1);
	}
	int radix = 10;
	if (base == Base::prefixed && s.size() > 1 && s[0] == '0') {
		if (s[1] == 'x' || s[1] == 'X') {
			radix = 16;
			s.remove_prefix(2);
		} else {
			radix = 8;
			s.remove_prefix(1);
		}
	}
	if (s.empty())
		return bad(text, EINVAL, expected());
	unsigned long long magnitude = 0;
	const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), magnitude, radix);
	if (ec == std::errc::result_out_of_range)
		return bad(text, ERANGE, expected());
	if (ec != std::errc() || end != s.data() + s.size())
		return bad(text, EINVAL, expected());
	// The magnitude of LLONG_MIN is LLONG_MAX + 1.
	const auto limit =
	        static_cast<unsigned long long>(std::numeric_limits<long long>::max()) + (negative ? 1U : 0U);
	if (magnitude > limit)
		return bad(text, ERANGE, expected());
	long long v = 0;
	if (negative)
		v = magnitude == limit ? std::numeric_limits<long long>::min()
		                       : -static_cast<long long>(magnitude);
	else
		v = static_cast<long long>(magnitude);
	if (v < min || v > max)
		return bad(text, ERANGE, expected());
	return v;
}

} // namespace nvmet
