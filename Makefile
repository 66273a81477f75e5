# Convenience targets. The kernel modules are built by Kbuild (./Kbuild), the
# control plane by CMake (./CMakeLists.txt); tests/run is the test command.
KDIR ?= /lib/modules/$(shell uname -r)/build
BUILD ?= build

.PHONY: all modules modules_install clean ctl test demo

all: modules ctl

# Our modules for one kernel (default: the running one): make KDIR=/path/to/headers
modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

modules_install:
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates modules_install

ctl:
	cmake -S . -B $(BUILD)/ctl
	cmake --build $(BUILD)/ctl -j

test:
	tests/run

demo:
	tests/demo

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean || true
	rm -rf $(BUILD)/ctl
