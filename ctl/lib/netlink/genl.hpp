// SPDX-License-Identifier: GPL-2.0
// The nvmet_oot family over a real generic netlink socket (libnl-genl-3).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "netlink/parse.hpp"
#include "netlink/types.hpp"

struct nl_sock;

namespace nvmet::netlink {

// Where the counters come from: the kernel (Genl) or memory (tests).
class Source {
public:
	virtual ~Source() = default;
	[[nodiscard]] virtual Result<std::vector<Ctrl>> controllers() = 0;
	[[nodiscard]] virtual Result<std::vector<Ns>> namespaces() = 0;
};

// The in-memory twin of Genl, for tests of what is built on a Source.
class FakeSource : public Source {
public:
	std::vector<Ctrl> ctrls;
	std::vector<Ns> nss;
	Result<std::vector<Ctrl>> controllers() override { return ctrls; }
	Result<std::vector<Ns>> namespaces() override { return nss; }
};

class Genl : public Source {
public:
	// Connects and resolves the family; fails with a hint when our nvmet
	// module is not loaded (the in-tree one has no such family).
	static Result<std::unique_ptr<Genl>> open();
	~Genl() override;
	Genl(const Genl &) = delete;
	Genl &operator=(const Genl &) = delete;

	Result<std::vector<Ctrl>> controllers() override;
	Result<std::vector<Ns>> namespaces() override;
	Result<std::string> module_version();
	[[nodiscard]] int family_version() const { return version_; }

	// Events: join the multicast group, then call receive() whenever fd()
	// is readable; it calls on_event for each event read (non-blocking).
	Status subscribe();
	[[nodiscard]] int fd() const;
	Status receive(const std::function<void(const Event &)> &on_event);

private:
	Genl() = default;
	Result<std::vector<nlmsghdr *>> request(int cmd, bool dump, std::vector<std::vector<char>> &store);

	nl_sock *sock_ = nullptr; // requests and their replies
	nl_sock *events_ = nullptr; // multicast events, after subscribe()
	int family_ = 0;
	int version_ = 0;
};

} // namespace nvmet::netlink
