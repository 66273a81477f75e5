// SPDX-License-Identifier: GPL-2.0
#include "configfs/ids.hpp"

#include <algorithm>
#include <bit>
#include <fstream>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <fmt/format.h>

namespace nvmet::configfs {

namespace fs = std::filesystem;

namespace {

// nvmet-oot's name spaces for version 5 UUIDs (random, fixed forever: a
// change would change every derived identifier).
constexpr Uuid ns_uuid = {0x55, 0x2e, 0x39, 0x81, 0xac, 0xc8, 0x42, 0x4a,
                          0xab, 0x11, 0x2d, 0x68, 0x02, 0x61, 0x44, 0x1d};
constexpr Uuid ns_nguid = {0xe2, 0x41, 0xde, 0xca, 0x9e, 0xe9, 0x49, 0x1f,
                           0xb2, 0xea, 0x46, 0x64, 0x39, 0x57, 0xf4, 0x91};

// The first line of FILE without surrounding blanks; "" when unreadable.
std::string first_line(const fs::path &file)
{
	std::ifstream in(file);
	std::string line;
	if (!in || !std::getline(in, line))
		return {};
	const auto b = line.find_first_not_of(" \t\r");
	const auto e = line.find_last_not_of(" \t\r");
	return b == std::string::npos ? std::string() : line.substr(b, e - b + 1);
}

} // namespace

std::array<std::uint8_t, 20> sha1(std::string_view data)
{
	std::array<std::uint32_t, 5> h = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
	// The message, a 1 bit, zeros to 56 mod 64 bytes, its length in bits.
	std::string m(data);
	const std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
	m.push_back(static_cast<char>(0x80));
	while (m.size() % 64 != 56)
		m.push_back('\0');
	for (int i = 7; i >= 0; i--)
		m.push_back(static_cast<char>((bits >> (i * 8)) & 0xff));

	for (std::size_t off = 0; off < m.size(); off += 64) {
		std::array<std::uint32_t, 80> w{};
		for (std::size_t t = 0; t < 16; t++)
			for (std::size_t b = 0; b < 4; b++)
				w[t] = (w[t] << 8) | static_cast<std::uint8_t>(m[off + t * 4 + b]);
		for (std::size_t t = 16; t < 80; t++)
			w[t] = std::rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
		std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
		for (std::size_t t = 0; t < 80; t++) {
			std::uint32_t f = 0, k = 0;
			if (t < 20) {
				f = (b & c) | (~b & d);
				k = 0x5A827999;
			} else if (t < 40) {
				f = b ^ c ^ d;
				k = 0x6ED9EBA1;
			} else if (t < 60) {
				f = (b & c) | (b & d) | (c & d);
				k = 0x8F1BBCDC;
			} else {
				f = b ^ c ^ d;
				k = 0xCA62C1D6;
			}
			const std::uint32_t tmp = std::rotl(a, 5) + f + e + k + w[t];
			e = d;
			d = c;
			c = std::rotl(b, 30);
			b = a;
			a = tmp;
		}
		h[0] += a;
		h[1] += b;
		h[2] += c;
		h[3] += d;
		h[4] += e;
	}
	std::array<std::uint8_t, 20> out{};
	for (std::size_t i = 0; i < 20; i++)
		out[i] = static_cast<std::uint8_t>(h[i / 4] >> (24 - 8 * (i % 4)));
	return out;
}

Uuid uuid_v5(const Uuid &name_space, std::string_view name)
{
	std::string in(name_space.begin(), name_space.end());
	in.append(name);
	const auto d = sha1(in);
	Uuid u{};
	std::copy_n(d.begin(), u.size(), u.begin());
	u[6] = static_cast<std::uint8_t>((u[6] & 0x0f) | 0x50); // version 5
	u[8] = static_cast<std::uint8_t>((u[8] & 0x3f) | 0x80); // RFC 9562 variant
	return u;
}

std::string format_uuid(const Uuid &id)
{
	std::string s;
	for (std::size_t i = 0; i < id.size(); i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			s += '-';
		s += fmt::format("{:02x}", id[i]);
	}
	return s;
}

std::string block_identity(const fs::path &sysfs_dir)
{
	// A partition: its disk's identity and its number.
	if (const auto part = first_line(sysfs_dir / "partition"); !part.empty()) {
		std::error_code ec;
		const auto disk = fs::canonical(sysfs_dir, ec).parent_path();
		const auto id = ec ? std::string() : block_identity(disk);
		return id.empty() ? std::string() : id + "-part" + part;
	}
	for (const char *f : {"wwid", "device/wwid"})
		if (auto w = first_line(sysfs_dir / f); !w.empty())
			return "wwid:" + w;
	if (auto u = first_line(sysfs_dir / "dm" / "uuid"); !u.empty())
		return "dm:" + u;
	return {};
}

std::string device_identity(const std::string &device, const fs::path &sysfs)
{
	struct stat st {};
	if (::stat(device.c_str(), &st) == 0 && S_ISBLK(st.st_mode)) {
		const auto dir =
		        sysfs / "dev" / "block" / fmt::format("{}:{}", major(st.st_rdev), minor(st.st_rdev));
		if (auto id = block_identity(dir); !id.empty())
			return id;
	}
	return "path:" + device;
}

bool block_ready(const fs::path &sysfs_dir)
{
	const auto size = first_line(sysfs_dir / "size");
	return size.empty() || size != "0";
}

bool device_ready(const std::string &device, const fs::path &sysfs)
{
	struct stat st {};
	if (::stat(device.c_str(), &st) != 0)
		return false;
	if (!S_ISBLK(st.st_mode))
		return true;
	return block_ready(sysfs / "dev" / "block" /
	                   fmt::format("{}:{}", major(st.st_rdev), minor(st.st_rdev)));
}

NamespaceIds stable_ids(std::string_view subnqn, std::uint32_t nsid, std::string_view identity)
{
	const auto name = fmt::format("{}\n{}\n{}", subnqn, nsid, identity);
	return {format_uuid(uuid_v5(ns_uuid, name)), format_uuid(uuid_v5(ns_nguid, name))};
}

} // namespace nvmet::configfs
