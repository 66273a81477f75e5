// SPDX-License-Identifier: GPL-2.0
// nvmetd: restores the target's configuration at start, logs the target's
// events one line each, optionally saves the configuration when it changes
// and serves the counters in Prometheus text format. Runs in the foreground
// (systemd: Type=simple); SIGTERM or SIGINT stop it.
#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "config.hpp"
#include "configfs/tree.hpp"
#include "netlink/format.hpp"
#include "netlink/genl.hpp"
#include "nvmetcli_compat.hpp"

namespace nl = nvmet::netlink;
namespace cfs = nvmet::configfs;
using nvmet::daemon::Config;

namespace {

// A file descriptor closed when it goes out of scope.
class Fd {
public:
	explicit Fd(int fd = -1) : fd_(fd) {}
	Fd(Fd &&o) noexcept : fd_(o.release()) {}
	Fd &operator=(Fd &&o) noexcept
	{
		reset(o.release());
		return *this;
	}
	Fd(const Fd &) = delete;
	Fd &operator=(const Fd &) = delete;
	~Fd() { reset(); }
	[[nodiscard]] int get() const { return fd_; }
	int release()
	{
		const int fd = fd_;
		fd_ = -1;
		return fd;
	}
	void reset(int fd = -1)
	{
		if (fd_ >= 0)
			::close(fd_);
		fd_ = fd;
	}

private:
	int fd_;
};

// One line per message; to stderr (journald adds time and unit) or appended
// to a file with a timestamp.
class Log {
public:
	explicit Log(FILE *out, bool own) : out_(out), own_(own) {}
	Log(const Log &) = delete;
	Log &operator=(const Log &) = delete;
	~Log()
	{
		if (own_)
			std::fclose(out_);
	}
	void line(const std::string &text) const
	{
		if (own_) {
			char ts[32];
			const std::time_t now = std::time(nullptr);
			std::tm tm{};
			::localtime_r(&now, &tm);
			std::strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S%z", &tm);
			fmt::print(out_, "{} nvmetd: {}\n", ts, text);
		} else {
			fmt::print(out_, "{}\n", text);
		}
		std::fflush(out_);
	}

private:
	FILE *out_;
	bool own_;
};

std::unique_ptr<Log> open_log(const std::string &where, std::string &error)
{
	if (where == "stderr")
		return std::make_unique<Log>(stderr, false);
	FILE *f = std::fopen(where.c_str(), "a");
	if (!f) {
		error = fmt::format("cannot open log file {}: {} (fix 'log' in the configuration)", where,
		                    std::strerror(errno));
		return nullptr;
	}
	return std::make_unique<Log>(f, true);
}

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

class Daemon {
public:
	Daemon(Config cfg, const Log &log) : cfg_(std::move(cfg)), log_(log), tree_(cfg_.configfs) {}
	int run();

private:
	bool restore();
	void save(const char *why);
	bool listen_metrics();
	void serve_metrics();
	void on_event(const nl::Event &ev);

	Config cfg_;
	const Log &log_;
	cfs::Tree tree_;
	std::unique_ptr<nl::Genl> genl_;
	Fd metrics_;
};

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
	auto config = nvmet::compat::read_file(cfg_.restore);
	if (!config) {
		log_.line(fmt::format("restore failed: {}", config.error().message()));
		return false;
	}
	const auto problems = nvmet::compat::validate(*config);
	for (const auto &p : problems)
		log_.line(fmt::format("restore failed: {}: {}: {}", cfg_.restore, p.where, p.what));
	if (!problems.empty())
		return false;
	auto out = nvmet::compat::restore(tree_, *config);
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
	return true;
}

void Daemon::save(const char *why)
{
	auto config = nvmet::compat::save(tree_);
	if (!config) {
		log_.line(fmt::format("save failed: {}", config.error().message()));
		return;
	}
	if (auto st = nvmet::compat::write_file(*config, cfg_.restore); !st) {
		log_.line(fmt::format("save failed: {}", st.error().message()));
		return;
	}
	log_.line(fmt::format("saved the configuration to {} ({})", cfg_.restore, why));
}

bool Daemon::listen_metrics()
{
	sockaddr_in6 a6{};
	sockaddr_in a4{};
	const sockaddr *sa = nullptr;
	socklen_t len = 0;
	if (::inet_pton(AF_INET, cfg_.metrics_address.c_str(), &a4.sin_addr) == 1) {
		a4.sin_family = AF_INET;
		a4.sin_port = htons(static_cast<std::uint16_t>(cfg_.metrics_port));
		sa = reinterpret_cast<const sockaddr *>(&a4);
		len = sizeof(a4);
	} else if (::inet_pton(AF_INET6, cfg_.metrics_address.c_str(), &a6.sin6_addr) == 1) {
		a6.sin6_family = AF_INET6;
		a6.sin6_port = htons(static_cast<std::uint16_t>(cfg_.metrics_port));
		sa = reinterpret_cast<const sockaddr *>(&a6);
		len = sizeof(a6);
	} else {
		log_.line(fmt::format("metrics: '{}' is not an IPv4 or IPv6 address (fix metrics_address)",
		                      cfg_.metrics_address));
		return false;
	}
	Fd fd(::socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
	const int one = 1;
	if (fd.get() < 0 || ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    ::bind(fd.get(), sa, len) < 0 || ::listen(fd.get(), 8) < 0) {
		log_.line(fmt::format("metrics: cannot listen on {} port {}: {} (pick another metrics_port)",
		                      cfg_.metrics_address, cfg_.metrics_port, std::strerror(errno)));
		return false;
	}
	metrics_ = std::move(fd);
	log_.line(fmt::format("metrics on http://{}:{}/metrics", cfg_.metrics_address, cfg_.metrics_port));
	return true;
}

// One request per connection: GET /metrics or 404; a slow client gets 1 s.
void Daemon::serve_metrics()
{
	Fd c(::accept4(metrics_.get(), nullptr, nullptr, SOCK_CLOEXEC));
	if (c.get() < 0)
		return;
	const timeval tv{1, 0};
	::setsockopt(c.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	::setsockopt(c.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	std::string req;
	char buf[1024];
	while (req.find("\r\n\r\n") == std::string::npos && req.size() < 8192) {
		const ssize_t n = ::read(c.get(), buf, sizeof(buf));
		if (n <= 0)
			break;
		req.append(buf, static_cast<size_t>(n));
	}
	std::string status = "200 OK", body;
	if (req.rfind("GET /metrics ", 0) != 0 && req.rfind("GET /metrics?", 0) != 0) {
		status = "404 Not Found";
		body = "only /metrics is served\n";
	} else if (!genl_) {
		status = "503 Service Unavailable";
		body = "the nvmet_oot netlink family is not available (is nvmet-oot's nvmet loaded?)\n";
	} else {
		auto ctrls = genl_->controllers();
		auto nss = genl_->namespaces();
		if (!ctrls || !nss) {
			status = "500 Internal Server Error";
			body = (ctrls ? nss.error() : ctrls.error()).message() + "\n";
		} else {
			body = nl::prometheus_text(*ctrls, *nss);
		}
	}
	const std::string resp = fmt::format("HTTP/1.0 {}\r\nContent-Type: text/plain; version=0.0.4\r\n"
	                                     "Content-Length: {}\r\nConnection: close\r\n\r\n{}",
	                                     status, body.size(), body);
	size_t off = 0;
	while (off < resp.size()) {
		const ssize_t n = ::write(c.get(), resp.data() + off, resp.size() - off);
		if (n <= 0)
			break;
		off += static_cast<size_t>(n);
	}
}

void Daemon::on_event(const nl::Event &ev)
{
	log_.line(nl::event_line(ev));
	if (cfg_.save_on_change && !cfg_.restore.empty() && nl::changes_config(ev.kind))
		save(nl::event_name(ev.kind));
}

int Daemon::run()
{
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	::sigprocmask(SIG_BLOCK, &mask, nullptr);
	Fd sig(::signalfd(-1, &mask, SFD_CLOEXEC));
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
	if (cfg_.metrics && !listen_metrics())
		return 1;
	std::string mod = "?";
	if (genl_)
		if (auto v = genl_->module_version())
			mod = *v;
	log_.line(fmt::format("nvmetd {} started (nvmet module {}, events {})", NVMET_OOT_VERSION, mod,
	                      genl_ ? "on" : "off"));

	for (;;) {
		std::vector<pollfd> fds = {{sig.get(), POLLIN, 0}};
		if (genl_)
			fds.push_back({genl_->fd(), POLLIN, 0});
		if (metrics_.get() >= 0)
			fds.push_back({metrics_.get(), POLLIN, 0});
		if (::poll(fds.data(), fds.size(), -1) < 0) {
			if (errno == EINTR)
				continue;
			log_.line(fmt::format("poll failed: {}", std::strerror(errno)));
			return 1;
		}
		for (const auto &p : fds) {
			if (!(p.revents & (POLLIN | POLLERR | POLLHUP)))
				continue;
			if (p.fd == sig.get()) {
				signalfd_siginfo si{};
				if (::read(sig.get(), &si, sizeof(si)) != sizeof(si))
					continue;
				log_.line(fmt::format("stopping on {}",
				                      ::strsignal(static_cast<int>(si.ssi_signo))));
				if (cfg_.clear_on_stop) {
					if (auto st = nvmet::compat::clear(tree_); !st)
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
			} else if (p.fd == metrics_.get()) {
				serve_metrics();
			}
		}
	}
}

} // namespace

static int run(int argc, char **argv)
{
	CLI::App app{"nvmetd: restores the NVMe-oF target configuration, logs its events, serves its "
	             "counters"};
	app.set_version_flag("--version", std::string("nvmetd ") + NVMET_OOT_VERSION);
	std::string config_path = nvmet::daemon::default_config;
	bool check = false;
	auto *opt = app.add_option("-c,--config", config_path, "configuration file")->capture_default_str();
	app.add_flag("--check-config", check, "only check the configuration file");
	CLI11_PARSE(app, argc, argv);

	auto cfg = nvmet::daemon::load_config(config_path, opt->count() == 0);
	if (!cfg) {
		fmt::print(stderr, "nvmetd: {}\n", cfg.error().message());
		return 1;
	}
	if (check)
		return 0;
	std::string error;
	auto log = open_log(cfg->log, error);
	if (!log) {
		fmt::print(stderr, "nvmetd: {}\n", error);
		return 1;
	}
	Daemon d(*cfg, *log);
	return d.run();
}

int main(int argc, char **argv)
{
	try {
		return run(argc, argv);
	} catch (const std::exception &e) {
		std::fprintf(stderr, "nvmetd: unexpected error: %s\n", e.what());
		return 1;
	} catch (...) {
		return 1;
	}
}
