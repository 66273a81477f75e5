// SPDX-License-Identifier: GPL-2.0
// nvmetctl's command words: a word names a command by its name, one of its
// aliases ("rm" for "del") or a prefix of only one of them ("sub" for
// "subsystem"); anything else is an error that suggests what was meant.
// Kept apart from CLI11 (main.cpp) so it works the same with every CLI11
// version (bookworm's 2.1 has no prefix matching) and is tested alone.
#pragma once

#include <string>
#include <vector>

#include "common/error.hpp"

namespace nvmet::ctl {

struct Command {
	std::string name;
	std::vector<std::string> aliases;
};

// The name of the command WORD means among COMMANDS. The error's detail is
// the whole line to print: "unknown command 'lsit' (did you mean 'list'?)",
// "ambiguous command 's' (save, show, status, subsystem)".
[[nodiscard]] Result<std::string> resolve(const std::string &word, const std::vector<Command> &commands);

// Names of COMMANDS close to WORD (a typo, a longer or shorter spelling),
// closest first.
[[nodiscard]] std::vector<std::string> similar(const std::string &word, const std::vector<Command> &commands);

} // namespace nvmet::ctl
