// SPDX-License-Identifier: GPL-2.0
// nvmetcli's JSON configuration format: save, clear and restore.
//
// The format is nvmetcli's (see docs/nvmetcli-compat.md): each configfs object
// becomes an object whose attribute groups ("attr", "addr", "param", "device",
// "ana", "resv", "dhchap", "discovery") hold the writable files named
// <group>_<name> as strings, plus "enable", "nsid", "portid", "grpid",
// "ana_grpid", "clear_ids", "admin_timeout" and "io_timeout" as integers.
// save() writes exactly what `nvmetcli save` writes; restore() reads anything
// nvmetcli reads, checks all of it before changing anything, and puts the
// previous configuration back if the kernel refuses part of it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "configfs/tree.hpp"

namespace nvmet::compat {

using nlohmann::json;

inline constexpr const char *default_file = "/etc/nvmet/config.json";

struct SaveOptions {
	// The hosts' DH-HMAC-CHAP keys (dhchap.key, dhchap.ctrl_key), which
	// only root may read on nvmet-oot; without, they are left out.
	bool secrets = true;
};

// The configuration under TREE as nvmetcli's dump() makes it.
[[nodiscard]] Result<json> save(const configfs::Tree &tree, const SaveOptions &opts = {});

// CONFIG as `nvmetcli save` writes it: keys sorted, two-space indent, ASCII
// only, a final newline.
[[nodiscard]] std::string to_text(const json &config);

// Removes every port, subsystem and host (links first, namespaces disabled).
[[nodiscard]] Status clear(const configfs::Tree &tree);
// One port (DIR: ports/ID) and what is under it: its links, referrals and
// ANA groups; one subsystem (subsystems/NQN): its allowed hosts, its
// namespaces (disabled first) and passthru. What clear and apply remove.
[[nodiscard]] Status remove_port(const configfs::Tree &tree, const std::filesystem::path &dir);
[[nodiscard]] Status remove_subsystem(const configfs::Tree &tree, const std::filesystem::path &dir);

// A problem in a configuration file: where (a JSON path such as
// "subsystems[0].namespaces[1].nsid") and what.
struct Problem {
	std::string where;
	std::string what;
};

// Everything wrong with CONFIG that can be known without the kernel; empty
// when it may be restored.
[[nodiscard]] std::vector<Problem> validate(const json &config);
// An error of OP on the tree listing validate()'s problems ("... nothing
// changed: <problems>\nPREP <root>"), or ok when there are none.
[[nodiscard]] Status validated(const configfs::Tree &tree, const json &config, const std::string &op,
                               std::string_view prep);

struct RestoreOptions {
	// Keep going past attributes this kernel does not have (nvmetcli's
	// behaviour); they are reported in the warnings. Values the kernel
	// refuses always fail the restore.
	bool skip_missing_attributes = true;
	// A namespace whose device (device.path: block device or file) does
	// not exist yet is created with all its attributes but left disabled,
	// and listed in RestoreOutcome::deferred instead of failing the
	// restore (nvmetd at boot: LVM, MD and multipath devices appear late).
	// Without, the kernel's refusal rolls everything back.
	bool defer_missing_devices = false;
	// A namespace whose file has no device.uuid or device.nguid gets the
	// stable ones (configfs/ids.hpp: from the subsystem NQN, the NSID and
	// the device's identity) instead of the kernel's random UUID and no
	// NGUID; what the file has is always written as it is. For a deferred
	// namespace they are left to whoever enables it (fill_uuid, fill_nguid),
	// when the device's identity can be known.
	bool stable_ids = false;
};

// A namespace restored disabled because its device was missing.
struct DeferredNamespace {
	std::string subsys; // subsystem NQN
	std::uint32_t nsid = 0;
	std::string device; // device.path
	std::string where; // JSON path, e.g. "subsystems[0].namespaces[1]"
	bool fill_uuid = false, fill_nguid = false; // stable_ids wanted, not written yet
};

struct RestoreOutcome {
	std::vector<std::string> warnings; // attributes skipped, and why
	std::vector<DeferredNamespace> deferred; // defer_missing_devices only
};

// Replaces the configuration under TREE with CONFIG. On failure nothing of
// CONFIG is left: the previous configuration is restored, and the error says
// which JSON path the kernel refused and whether the previous configuration
// came back.
[[nodiscard]] Result<RestoreOutcome> restore(const configfs::Tree &tree, const json &config,
                                             const RestoreOptions &opts = {});

// FILE ("-": standard input) parsed as JSON; not validated.
[[nodiscard]] Result<json> read_file(const std::string &file);

// CONFIG written to FILE ("-": standard output) as to_text() makes it; a file
// is replaced atomically and made readable by its owner only.
[[nodiscard]] Status write_file(const json &config, const std::string &file);

} // namespace nvmet::compat
