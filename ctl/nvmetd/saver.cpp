// SPDX-License-Identifier: GPL-2.0
#include "saver.hpp"

#include <fmt/format.h>

#include "compat/nvmetcli_compat.hpp"

namespace nvmet::daemon {

Result<nlohmann::json> Saver::current(const LateDevices &late) const
{
	auto saved = compat::save(tree_);
	if (!saved)
		return saved.error();
	auto config = std::move(saved).value();
	late.mark_enabled(config);
	return config;
}

void Saver::failed(const Error &err)
{
	// The timer retries every few seconds: the same failure is logged once.
	const auto msg = err.message();
	if (msg != last_error_)
		log_.line(fmt::format("save failed: {}", msg));
	last_error_ = msg;
}

void Saver::baseline(const LateDevices &late)
{
	if (auto config = current(late))
		last_ = compat::to_text(*config);
}

bool Saver::save(const char *why, bool force, const LateDevices &late)
{
	auto config = current(late);
	if (!config) {
		failed(config.error());
		return false;
	}
	auto text = compat::to_text(*config);
	if (!force && text == last_)
		return false;
	if (auto st = compat::write_file(*config, file_); !st) {
		failed(st.error());
		return false;
	}
	last_ = std::move(text);
	last_error_.clear();
	log_.line(fmt::format("saved the configuration to {} ({})", file_, why));
	return true;
}

} // namespace nvmet::daemon
