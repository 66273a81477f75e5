// SPDX-License-Identifier: GPL-2.0
// What nvmetctl's commands do once the command line is parsed: each prints
// its result or its error (with a hint that fits it) and returns the exit
// code. No CLI11 here: main.cpp parses, this runs (and builds on its own).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/error.hpp"
#include "configfs/ops.hpp"
#include "configfs/tree.hpp"

namespace nvmet::ctl {

// Exit codes: 0 ok, 1 the operation failed, 2 bad command line.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1;
inline constexpr int exit_usage = 2;

// E as a person should see it under ROOT: a missing root says to load the
// target; a refusal for lack of privilege says to be root, unless IS_ROOT;
// a hint E has already is kept.
[[nodiscard]] std::string explain(const Error &e, const std::filesystem::path &root, bool is_root);
// Prints explain() for the real user; returns exit_failed.
int report(const configfs::Tree &tree, const Error &e);
int done(const configfs::Tree &tree, const Status &st);

// Read verbs; AS_JSON: view.hpp's scheme.
int subsystem_list(const configfs::Tree &tree, bool as_json);
int subsystem_show(const configfs::Tree &tree, const std::string &nqn, bool as_json);
int port_list(const configfs::Tree &tree, bool as_json);
int port_show(const configfs::Tree &tree, std::uint16_t portid, bool as_json);
int host_list(const configfs::Tree &tree, bool as_json, bool with_secrets);
int host_show(const configfs::Tree &tree, const std::string &nqn, bool as_json, bool with_secrets);
int show(const configfs::Tree &tree, bool as_json);
int status(bool as_json);

// Whole configuration, nvmetcli's JSON.
int save(const configfs::Tree &tree, const std::string &file);
int restore(const configfs::Tree &tree, const std::string &file, bool check_only);
// apply FILE: prints the plan (DRY_RUN) or the steps taken, or "nothing to change".
int apply(const configfs::Tree &tree, const std::string &file, bool dry_run, bool wait);
int clear(const configfs::Tree &tree);

// A key from --NAME KEY|- or --NAME-file FILE (option names as typed).
struct KeyArg {
	std::string key_flag, file_flag;
	std::optional<std::string> key, file;
	[[nodiscard]] bool from_stdin() const { return key && *key == "-"; }
};
int host_set_key(const configfs::Tree &tree, configfs::HostKeySpec spec, const KeyArg &key,
                 const KeyArg &ctrl);

// The device or file of a namespace, made absolute; an error when it is
// neither a block device nor a regular file.
[[nodiscard]] Result<std::string> namespace_device(const std::string &path, const std::string &object);
// namespace add: the device must exist (its path made absolute); with
// STABLE_IDS, a UUID/NGUID not given is derived (configfs/ids.hpp).
int namespace_add(const configfs::Tree &tree, configfs::NamespaceSpec spec, bool stable_ids);

// Why no host can reach subsystem NQN (no allowed host, not allow-any),
// empty when some can.
[[nodiscard]] std::string unreachable(const configfs::Tree &tree, const std::string &nqn);
// port link, with a warning when no host can reach the subsystem.
int port_link(const configfs::Tree &tree, std::uint16_t portid, const std::string &nqn);

} // namespace nvmet::ctl
