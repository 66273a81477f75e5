// SPDX-License-Identifier: GPL-2.0
// DH-HMAC-CHAP secrets and parameters as the target's configfs takes them
// (hosts/<nqn>/dhchap_key, dhchap_ctrl_key, dhchap_hash, dhchap_dhgroup):
// checked here, before anything is written, so a mistyped key is refused
// when it is set, not when a host fails to connect.
//
// A secret is "DHHC-1:HH:<base64>:" (NVMe Base 2.1, 8.3.5.5.8; what
// 'nvme gen-dhchap-key' prints): HH is 00 (used as is), 01, 02 or 03 (the
// hash that transforms it: SHA-256, -384, -512); the base64 text, '='
// padded, holds a 32, 48 or 64 byte key followed by the CRC-32 of the key,
// little endian.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace nvmet::auth {

// What a well-formed secret says about itself.
struct SecretInfo {
	unsigned transform = 0; // HH: 0 none, 1 SHA-256, 2 SHA-384, 3 SHA-512
	std::size_t key_bytes = 0; // 32, 48 or 64
};

// TEXT checked as a DH-HMAC-CHAP secret. WHAT names it in the error ("the
// DH-HMAC-CHAP key"); the error (op "parse", errno EINVAL) says what is
// wrong and never contains the secret.
[[nodiscard]] Result<SecretInfo> parse_secret(std::string_view text, std::string_view what);

// The names configfs takes, defaults first.
inline constexpr std::array<std::string_view, 3> hashes = {"hmac(sha256)", "hmac(sha384)", "hmac(sha512)"};
inline constexpr std::array<std::string_view, 6> dhgroups = {"null",      "ffdhe2048", "ffdhe3072",
                                                             "ffdhe4096", "ffdhe6144", "ffdhe8192"};

// NAME as configfs spells it: "sha384" and "hmac(sha384)" give
// "hmac(sha384)"; nothing for an unknown name.
[[nodiscard]] std::optional<std::string> hash_name(std::string_view name);
// NAME as configfs spells it ("null", "ffdhe2048", ...); "none" means "null".
[[nodiscard]] std::optional<std::string> dhgroup_name(std::string_view name);

// Standard base64 (RFC 4648, section 4) with its '=' padding; nothing when
// TEXT is not that.
[[nodiscard]] std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);
// CRC-32 (IEEE 802.3, the zlib one) of DATA.
[[nodiscard]] std::uint32_t crc32(std::span<const std::uint8_t> data);

} // namespace nvmet::auth
