// SPDX-License-Identifier: GPL-2.0
#include "loop.hpp"

#include <cerrno>
#include <csignal>
#include <algorithm>
#include <chrono>
#include <cstring>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>

#include "fd.hpp"
#include "netlink/format.hpp"
#include "compat/nvmetcli_compat.hpp"

namespace nvmet::daemon {

namespace nl = netlink;

namespace {

// modprobe nvmet, when the configfs tree is not there yet.
bool load_nvmet(const Log &log)
{
	const pid_t pid = ::fork();
	if (pid == 0) {
		::execlp("modprobe", "modprobe", "nvmet", static_cast<char *>(nullptr));
		::_exit(127);
	}
	int status = 0;
	if (pid < 0 || ::waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		log.line("cannot load the nvmet module ('modprobe nvmet' failed): install nvmet-dkms or the "
		         "kernel's nvmet module");
		return false;
	}
	return true;
}

} // namespace

bool Daemon::restore()
{
	if (cfg_.restore.empty())
		return true;
	if (!std::filesystem::exists(cfg_.restore)) {
		log_.line(fmt::format(
		        "no {}: keeping the current configuration (save one with 'nvmetctl save')",
		        cfg_.restore));
		return true;
	}
	auto config = compat::read_file(cfg_.restore);
	if (!config) {
		log_.line(fmt::format("restore failed: {}", config.error().message()));
		return false;
	}
	const auto problems = compat::validate(*config);
	for (const auto &p : problems)
		log_.line(fmt::format("restore failed: {}: {}: {}", cfg_.restore, p.where, p.what));
	if (!problems.empty())
		return false;
	// A namespace whose device is not there yet (LVM, MD, multipath at
	// boot) must not keep the rest from being restored: it is left
	// disabled and enabled when the device appears.
	compat::RestoreOptions opts;
	opts.defer_missing_devices = true;
	// A file without a namespace's UUID or NGUID (hand-written) gets the
	// stable ones, the same on every node exporting the device.
	opts.stable_ids = true;
	auto out = compat::restore(tree_, *config, opts);
	if (!out) {
		log_.line(fmt::format("restore failed: {}", out.error().message()));
		return false;
	}
	for (const auto &w : out->warnings)
		log_.line(fmt::format("restore warning: {}", w));
	log_.line(fmt::format("restored {}: {} hosts, {} subsystems, {} ports", cfg_.restore,
	                      (*config).value("hosts", nlohmann::json::array()).size(),
	                      (*config).value("subsystems", nlohmann::json::array()).size(),
	                      (*config).value("ports", nlohmann::json::array()).size()));
	const auto now = LateDevices::Clock::now();
	for (const auto &d : out->deferred)
		late_.add(d, now);
	return true;
}

void Daemon::on_event(const nl::Event &ev)
{
	log_.line(nl::event_line(ev));
	// A namespace or port event saves even when the saved text is the
	// same (a resize); any other event saves what changed without one.
	if (saving())
		saver_.save(nl::event_name(ev.kind), nl::changes_config(ev.kind), late_);
}

int Daemon::timeout() const
{
	std::optional<LateDevices::Clock::time_point> next;
	if (!late_.empty())
		next = late_.next_check();
	if (saving() && cfg_.save_interval > 0 && (!next || next_save_check_ < *next))
		next = next_save_check_;
	if (!next)
		return -1;
	const auto ms =
	        std::chrono::duration_cast<std::chrono::milliseconds>(*next - LateDevices::Clock::now());
	return static_cast<int>(std::clamp<long long>(ms.count(), 0, 3600LL * 1000));
}

void Daemon::on_timer()
{
	const auto now = LateDevices::Clock::now();
	if (!late_.empty() && late_.next_check() <= now)
		late_.check(now);
	if (saving() && cfg_.save_interval > 0 && next_save_check_ <= now) {
		saver_.save("changed", false, late_);
		next_save_check_ = now + std::chrono::seconds(cfg_.save_interval);
	}
}

int Daemon::run()
{
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	::sigprocmask(SIG_BLOCK, &mask, nullptr);
	const Fd sig(::signalfd(-1, &mask, SFD_CLOEXEC));
	if (sig.get() < 0) {
		log_.line(fmt::format("cannot create a signalfd: {}", std::strerror(errno)));
		return 1;
	}

	if (!std::filesystem::exists(cfg_.configfs) &&
	    (!load_nvmet(log_) || !std::filesystem::exists(cfg_.configfs))) {
		log_.line(fmt::format("{} does not exist: mount configfs (mount -t configfs none "
		                      "/sys/kernel/config) or fix 'configfs' in the configuration",
		                      cfg_.configfs));
		return 1;
	}
	if (!restore())
		return 1;

	auto genl = nl::Genl::open();
	if (!genl) {
		log_.line(fmt::format("events and counters unavailable: {}", genl.error().message()));
	} else {
		genl_ = std::move(genl).value();
		if (auto st = genl_->subscribe(); !st) {
			log_.line(fmt::format("events unavailable: {}", st.error().message()));
			genl_.reset();
		}
	}
	if (cfg_.metrics) {
		auto m = MetricsServer::listen(cfg_.metrics_address, cfg_.metrics_port);
		if (!m) {
			log_.line(m.error().message());
			return 1;
		}
		metrics_.emplace(std::move(m).value());
		log_.line(fmt::format("metrics on http://{}:{}/metrics", cfg_.metrics_address,
		                      cfg_.metrics_port));
	}
	std::string mod = "?";
	if (genl_)
		if (auto v = genl_->module_version())
			mod = *v;
	log_.line(fmt::format("nvmetd {} started (nvmet module {}, events {})", version_, mod,
	                      genl_ ? "on" : "off"));
	if (saving()) {
		saver_.baseline(late_);
		next_save_check_ = LateDevices::Clock::now() + std::chrono::seconds(cfg_.save_interval);
	}
	return loop(sig.get());
}

int Daemon::loop(int sig)
{
	for (;;) {
		std::vector<pollfd> fds = {{sig, POLLIN, 0}};
		if (genl_)
			fds.push_back({genl_->fd(), POLLIN, 0});
		if (metrics_)
			fds.push_back({metrics_->fd(), POLLIN, 0});
		const int rc = ::poll(fds.data(), fds.size(), timeout());
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			log_.line(fmt::format("poll failed: {}", std::strerror(errno)));
			return 1;
		}
		on_timer();
		for (const auto &p : fds) {
			if (!(p.revents & (POLLIN | POLLERR | POLLHUP)))
				continue;
			if (p.fd == sig) {
				signalfd_siginfo si{};
				if (::read(sig, &si, sizeof(si)) != sizeof(si))
					continue;
				log_.line(fmt::format("stopping on {}",
				                      ::strsignal(static_cast<int>(si.ssi_signo))));
				if (cfg_.clear_on_stop) {
					if (auto st = compat::clear(tree_); !st)
						log_.line(fmt::format("clear failed: {}",
						                      st.error().message()));
					else
						log_.line("configuration cleared (clear_on_stop)");
				}
				return 0;
			}
			if (genl_ && p.fd == genl_->fd()) {
				if (auto st = genl_->receive([this](const nl::Event &ev) { on_event(ev); });
				    !st)
					log_.line(fmt::format("events: {}", st.error().message()));
			} else if (metrics_ && p.fd == metrics_->fd()) {
				metrics_->serve(genl_.get());
			}
		}
	}
}

} // namespace nvmet::daemon
