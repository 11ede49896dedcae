# SPDX-License-Identifier: GPL-2.0-only
# Keel: one entry point.
#   make            build the hypervisor, the test guests and the GRUB ISO
#   make run        build everything and boot the ISO in QEMU (serial console)
#   make test       install what is missing, then run every test
#   make bench      run the benchmarks in bench/
#   make iso        build build/keel.iso (and the test ISO) only
#   make dom0       build dom0's kernel and initramfs (build/dom0/)

ROOT := $(abspath .)
BUILD := $(ROOT)/build
QEMU := qemu-system-x86_64
# Components with their own `make test`; skipped while a folder has no Makefile.
# tests/dom0 comes before toolstack: it fetches the Debian kernel package the
# toolstack's image test checks its decompressor against.
COMPONENTS := xenstore-like tests/dom0 toolstack pv-drivers

all: hypervisor guests iso

deps:
	@tests/install-deps.sh

hypervisor:
	@$(MAKE) --no-print-directory -C hypervisor

guests:
	@$(MAKE) --no-print-directory -C tests/guests

dom0:
	@$(MAKE) --no-print-directory -C tests/dom0 image

iso: hypervisor guests dom0
	@tests/integration/make-iso.sh

run: deps all
	@tests/integration/run.sh

unit:
	@$(MAKE) --no-print-directory -C tests/unit test

components:
	@set -e; for c in $(COMPONENTS); do \
		if [ -f $$c/Makefile ]; then \
			echo "== $$c"; $(MAKE) --no-print-directory -C $$c test; \
		fi; \
	done

integration: hypervisor guests iso
	@tests/integration/run-all.sh
	@python3 tests/integration/dom0-tests.py

test: deps
	@$(MAKE) --no-print-directory hypervisor guests
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory components
	@$(MAKE) --no-print-directory integration
	@echo "make test: all tests passed"

bench: deps
	@if [ -x bench/run.sh ]; then bench/run.sh; else echo "no benchmarks yet"; fi

clean:
	rm -rf $(BUILD)

.PHONY: all deps hypervisor guests dom0 iso run unit components integration test bench clean
