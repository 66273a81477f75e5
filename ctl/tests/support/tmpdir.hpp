// SPDX-License-Identifier: GPL-2.0
// A temporary directory removed with everything in it when the object dies.
#pragma once
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

class TmpDir {
public:
	TmpDir()
	{
		std::string tmpl = (std::filesystem::temp_directory_path() / "nvmet-test.XXXXXX").string();
		if (!::mkdtemp(tmpl.data()))
			throw std::runtime_error("mkdtemp failed");
		path_ = tmpl;
	}
	TmpDir(const TmpDir &) = delete;
	TmpDir &operator=(const TmpDir &) = delete;
	~TmpDir()
	{
		std::error_code ec;
		std::filesystem::remove_all(path_, ec);
	}
	[[nodiscard]] const std::filesystem::path &path() const { return path_; }

	// Creates REL (and its parents) as a file holding TEXT.
	void file(const std::filesystem::path &rel, const std::string &text) const
	{
		std::filesystem::create_directories((path_ / rel).parent_path());
		std::ofstream(path_ / rel) << text;
	}
	void dir(const std::filesystem::path &rel) const { std::filesystem::create_directories(path_ / rel); }

private:
	std::filesystem::path path_;
};
