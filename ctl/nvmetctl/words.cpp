// SPDX-License-Identifier: GPL-2.0
#include "words.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace nvmet::ctl {

namespace {

// Optimal string alignment distance: insertions, deletions, substitutions
// and swaps of neighbours, one each.
std::size_t distance(const std::string &a, const std::string &b)
{
	std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
	for (std::size_t i = 0; i <= a.size(); i++)
		d[i][0] = i;
	for (std::size_t j = 0; j <= b.size(); j++)
		d[0][j] = j;
	for (std::size_t i = 1; i <= a.size(); i++)
		for (std::size_t j = 1; j <= b.size(); j++) {
			const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
				d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
		}
	return d[a.size()][b.size()];
}

Error unknown(std::string text)
{
	return Error{"find", {}, 0, std::move(text)};
}

} // namespace

std::vector<std::string> similar(const std::string &word, const std::vector<Command> &commands)
{
	std::vector<std::pair<std::size_t, std::string>> near;
	for (const auto &c : commands) {
		std::size_t best = std::string::npos;
		for (const auto &n : c.aliases) {
			best = std::min(best, distance(word, n));
			if (word.size() > n.size() && word.compare(0, n.size(), n) == 0)
				best = std::min<std::size_t>(best, 1);
		}
		best = std::min(best, distance(word, c.name));
		// "delete" for "del", "lists" for "list": the command is in the word.
		if (word.size() > c.name.size() && word.compare(0, c.name.size(), c.name) == 0)
			best = std::min<std::size_t>(best, 1);
		const std::size_t allowed =
		        std::max<std::size_t>(1, std::min(word.size(), c.name.size()) / 3);
		if (best <= allowed)
			near.emplace_back(best, c.name);
	}
	std::stable_sort(near.begin(), near.end(),
	                 [](const auto &a, const auto &b) { return a.first < b.first; });
	std::vector<std::string> out;
	for (auto &n : near)
		out.push_back(std::move(n.second));
	return out;
}

Result<std::string> resolve(const std::string &word, const std::vector<Command> &commands)
{
	for (const auto &c : commands)
		if (c.name == word || std::find(c.aliases.begin(), c.aliases.end(), word) != c.aliases.end())
			return c.name;
	std::vector<std::string> prefixed;
	for (const auto &c : commands) {
		bool hit = c.name.compare(0, word.size(), word) == 0;
		for (const auto &a : c.aliases)
			hit = hit || a.compare(0, word.size(), word) == 0;
		if (hit && !word.empty())
			prefixed.push_back(c.name);
	}
	if (prefixed.size() == 1)
		return prefixed.front();
	if (prefixed.size() > 1)
		return unknown(fmt::format("ambiguous command '{}' (it could be {})", word,
		                           fmt::join(prefixed, ", ")));
	auto near = similar(word, commands);
	if (!near.empty())
		return unknown(fmt::format("unknown command '{}' (did you mean '{}'?)", word,
		                           fmt::join(near, "' or '")));
	std::vector<std::string> all;
	for (const auto &c : commands)
		all.push_back(c.name);
	return unknown(fmt::format("unknown command '{}' (commands: {})", word, fmt::join(all, ", ")));
}

} // namespace nvmet::ctl
