// SPDX-License-Identifier: GPL-2.0
// The one integer parser of ctl: the whole text or an error, never an
// exception, range checked.
#pragma once

#include <concepts>
#include <limits>
#include <string_view>

#include "common/error.hpp"

namespace nvmet {

enum class Base {
	decimal, // digits only, an optional '-': directory names, configfs values
	prefixed, // as C's strtol base 0 and the kernel's kstrto*(s, 0): an optional sign,
	          // then 0x/0X for hexadecimal, a leading 0 for octal, else decimal
};

// TEXT as an integer in [MIN, MAX]: nothing before or after it (no spaces).
// The error (op "parse", no path: the caller names the object) has errno
// EINVAL for an empty text, garbage or trailing characters, ERANGE for a
// number outside [MIN, MAX], and a hint saying what is expected.
[[nodiscard]] Result<long long> parse_int(std::string_view text, long long min, long long max,
                                          Base base = Base::decimal);

// TEXT as a T, in T's range.
template <std::integral T> [[nodiscard]] Result<T> parse_int(std::string_view text, Base base = Base::decimal)
{
	static_assert(sizeof(T) < sizeof(long long) || std::is_signed_v<T>, "T must fit in a long long");
	auto v = parse_int(text, static_cast<long long>(std::numeric_limits<T>::min()),
	                   static_cast<long long>(std::numeric_limits<T>::max()), base);
	if (!v)
		return v.error();
	return static_cast<T>(*v);
}

} // namespace nvmet
