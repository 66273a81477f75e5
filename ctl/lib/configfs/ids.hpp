// SPDX-License-Identifier: GPL-2.0
// Stable namespace identifiers: a namespace's UUID and NGUID derived from
// what names it (subsystem NQN, namespace ID) and its device's own identity,
// so that two targets exporting the same device (an HA pair) and one target
// after a restore without identifiers give hosts the same ones.
//
// The UUID is an RFC 9562 name-based UUID, version 5 (SHA-1), in a namespace
// of nvmet-oot's own; the NGUID is the same construction in a second
// namespace (16 bytes, shown as a UUID as configfs does). The name is
// "<subsystem NQN>\n<NSID>\n<identity>", the identity being:
//   wwid:<WWID>   a block device that has one (SCSI, NVMe, virtio with a
//                 serial: sysfs wwid or device/wwid), a partition's being
//                 its disk's with "-part<N>" appended;
//   dm:<UUID>     a device-mapper device (LVM, multipath: dm/uuid);
//   path:<PATH>   anything else (files, loop devices), the path as given.
// No EUI-64: nvmet's configfs has no attribute for one.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace nvmet::configfs {

using Uuid = std::array<std::uint8_t, 16>;

// SHA-1 (FIPS 180-4) of DATA.
[[nodiscard]] std::array<std::uint8_t, 20> sha1(std::string_view data);

// RFC 9562 version 5: SHA-1 of NAMESPACE then NAME, version and variant set.
[[nodiscard]] Uuid uuid_v5(const Uuid &name_space, std::string_view name);

// "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", lower case.
[[nodiscard]] std::string format_uuid(const Uuid &id);

// The identity of a block device from its sysfs directory
// (/sys/dev/block/MAJ:MIN); "" when it has none (a loop device).
[[nodiscard]] std::string block_identity(const std::filesystem::path &sysfs_dir);

// The identity of DEVICE (a block device or a file) as described above;
// SYSFS is where sysfs is mounted.
[[nodiscard]] std::string device_identity(const std::string &device,
                                          const std::filesystem::path &sysfs = "/sys");

// Whether a block device's sysfs directory (/sys/dev/block/MAJ:MIN) shows
// a usable size: false for 0 sectors (a loop device without its file, an
// MD array not yet assembled), true when it has sectors or says nothing.
[[nodiscard]] bool block_ready(const std::filesystem::path &sysfs_dir);

// Whether DEVICE can be exported now: a regular file, or a block device
// that is block_ready(); false when it does not exist. Anything else is
// left to the kernel to judge (true).
[[nodiscard]] bool device_ready(const std::string &device, const std::filesystem::path &sysfs = "/sys");

struct NamespaceIds {
	std::string uuid, nguid;
};

// The identifiers of namespace NSID of SUBNQN on a device of IDENTITY.
[[nodiscard]] NamespaceIds stable_ids(std::string_view subnqn, std::uint32_t nsid, std::string_view identity);

} // namespace nvmet::configfs
