// SPDX-License-Identifier: GPL-2.0
#include "auth/dhchap.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace nvmet::auth {

namespace {

constexpr std::string_view prefix = "DHHC-1:";

Error bad_secret(std::string_view what, const std::string &why)
{
	Error e{"parse", {}, 0, std::string(what)};
	e.hint = why + "; 'nvme gen-dhchap-key --nqn HOSTNQN' prints a key in this form";
	return e;
}

int base64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

std::string lower(std::string_view s)
{
	std::string out(s);
	std::transform(out.begin(), out.end(), out.begin(),
	               [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
	return out;
}

} // namespace

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text)
{
	if (text.empty() || text.size() % 4 != 0)
		return std::nullopt;
	std::vector<std::uint8_t> out;
	out.reserve(text.size() / 4 * 3);
	for (std::size_t i = 0; i < text.size(); i += 4) {
		const bool last = i + 4 == text.size();
		int v[4];
		int pad = 0;
		for (int j = 0; j < 4; j++) {
			const char c = text[i + j];
			if (c == '=' && last && j >= 2) {
				v[j] = 0;
				pad++;
				continue;
			}
			if (pad > 0) // data after padding
				return std::nullopt;
			v[j] = base64_value(c);
			if (v[j] < 0)
				return std::nullopt;
		}
		const std::uint32_t n =
		        (static_cast<std::uint32_t>(v[0]) << 18) | (static_cast<std::uint32_t>(v[1]) << 12) |
		        (static_cast<std::uint32_t>(v[2]) << 6) | static_cast<std::uint32_t>(v[3]);
		// The bits padding leaves over must be zero (RFC 4648, 3.5: canonical).
		if ((pad == 1 && (n & 0xff)) || (pad == 2 && (n & 0xffff)))
			return std::nullopt;
		out.push_back(static_cast<std::uint8_t>(n >> 16));
		if (pad < 2)
			out.push_back(static_cast<std::uint8_t>(n >> 8));
		if (pad < 1)
			out.push_back(static_cast<std::uint8_t>(n));
	}
	return out;
}

std::uint32_t crc32(std::span<const std::uint8_t> data)
{
	std::uint32_t crc = 0xffffffffU;
	for (const std::uint8_t b : data) {
		crc ^= b;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320U & (0U - (crc & 1U)));
	}
	return ~crc;
}

Result<SecretInfo> parse_secret(std::string_view text, std::string_view what)
{
	if (text.empty())
		return bad_secret(what, "it is empty");
	if (text.substr(0, prefix.size()) != prefix)
		return bad_secret(what, "it does not start with 'DHHC-1:'");
	const auto rest = text.substr(prefix.size());
	if (rest.size() < 3 || rest[0] != '0' || rest[1] < '0' || rest[1] > '3' || rest[2] != ':')
		return bad_secret(what, "'DHHC-1:' must be followed by 00, 01, 02 or 03 and ':'");
	if (text.back() != ':')
		return bad_secret(what, "it does not end with ':' - copy the whole key, its last ':' too");
	const auto b64 = rest.substr(3, rest.size() - 4);
	if (b64.find(':') != std::string_view::npos)
		return bad_secret(what, "it has a ':' inside its base64 part");
	const auto raw = base64_decode(b64);
	if (!raw)
		return bad_secret(what, "its part between the ':'s is not base64 with '=' padding");
	if (raw->size() != 36 && raw->size() != 52 && raw->size() != 68)
		return bad_secret(what, fmt::format("its base64 part holds {} bytes, not 36, 52 or 68 "
		                                    "(a 32, 48 or 64 byte key and its CRC-32)",
		                                    raw->size()));
	const std::size_t n = raw->size() - 4;
	const std::uint32_t stored = static_cast<std::uint32_t>((*raw)[n]) |
	                             (static_cast<std::uint32_t>((*raw)[n + 1]) << 8) |
	                             (static_cast<std::uint32_t>((*raw)[n + 2]) << 16) |
	                             (static_cast<std::uint32_t>((*raw)[n + 3]) << 24);
	if (stored != crc32(std::span<const std::uint8_t>(raw->data(), n)))
		return bad_secret(what,
		                  "its CRC-32 does not match its key (a character was changed or lost)");
	return SecretInfo{static_cast<unsigned>(rest[1] - '0'), n};
}

std::optional<std::string> hash_name(std::string_view name)
{
	const std::string n = lower(name);
	for (const auto h : hashes)
		if (n == h || "hmac(" + n + ")" == h)
			return std::string(h);
	return std::nullopt;
}

std::optional<std::string> dhgroup_name(std::string_view name)
{
	const std::string n = lower(name);
	if (n == "none")
		return std::string(dhgroups[0]);
	for (const auto g : dhgroups)
		if (n == g)
			return std::string(g);
	return std::nullopt;
}

} // namespace nvmet::auth
