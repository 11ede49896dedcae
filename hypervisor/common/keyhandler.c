// SPDX-License-Identifier: GPL-2.0-only
/*
 * Debug keys on the hypervisor's serial console, in the manner of Xen:
 * pressing Ctrl-A three times switches console input between dom0 and Keel;
 * in Keel mode a key runs a handler (h lists them).
 */
#include <keel/keyhandler.h>
#include <keel/arch.h>
#include <keel/console.h>
#include <keel/domain.h>
#include <keel/sched.h>
#include <keel/lib.h>
#include <keel/page_alloc.h>
#include <keel/page.h>

#define CTRL_A 0x01

static void key_help(void);

static void key_domains(void)
{
	for (domid_t id = 0; id < MAX_DOMAINS; id++) {
		struct domain *d = domain_lookup(id);

		if (!d)
			continue;
		printk("d%u: %llu pages, %u vCPUs%s%s\n", d->domid, d->tot_pages, d->max_vcpus,
		       d->is_privileged ? ", privileged" : "",
		       d->is_shutting_down ? ", shutting down" : "");
		for (unsigned int i = 0; i < d->max_vcpus; i++) {
			struct vcpu *v = d->vcpus[i];
			static const char *const states[] = { "offline", "runnable", "blocked", "dead" };
			u64 t;
			bool running;

			if (!v)
				continue;
			vcpu_runstate(v, &t, &running);
			printk("d%uv%u: %s%s on CPU %u, paused %u, %llu ms CPU, vruntime %llu ms, timer %s\n",
			       d->domid, i, states[v->state], running ? " (running)" : "", v->pcpu,
			       v->sched_pause, t / 1000000, v->vruntime / 1000000,
			       v->timer_deadline ? "set" : "off");
			arch_vcpu_dump(v);
		}
	}
}

static void key_memory(void)
{
	printk("memory: %llu of %llu pages free in the hypervisor pool\n",
	       page_alloc_free_count(), page_alloc_total_count());
}

static void key_reboot(void)
{
	printk("debug key: rebooting the machine\n");
	arch_machine_reboot();
}

static void key_crash(void)
{
	printk("debug key: crashing the hypervisor on purpose (tests the fault report)\n");
	__asm__ volatile("ud2");
}

static const struct keyhandler {
	char key;
	void (*fn)(void);
	const char *desc;
} keyhandlers[] = {
	{ 'h', key_help, "list the debug keys" },
	{ 'd', key_domains, "dump domains and their vCPU state" },
	{ 'm', key_memory, "show the hypervisor's free memory" },
	{ 'R', key_reboot, "reboot the machine" },
	{ 'C', key_crash, "crash the hypervisor (a deliberate fault)" },
};

static void key_help(void)
{
	printk("debug keys (Ctrl-A three times returns input to dom0):\n");
	for (unsigned int i = 0; i < ARRAY_SIZE(keyhandlers); i++)
		printk("  %c  %s\n", keyhandlers[i].key, keyhandlers[i].desc);
}

static bool keel_mode;
static unsigned int ctrl_a_count;

bool keyhandler_input(char c)
{
	if (c == CTRL_A) {
		if (++ctrl_a_count == 3) {
			ctrl_a_count = 0;
			keel_mode = !keel_mode;
			printk("*** console input now goes to %s (Ctrl-A x3 to switch)\n",
			       keel_mode ? "Keel: press h for the debug keys" : "dom0");
		}
		return true;
	}
	ctrl_a_count = 0;
	if (!keel_mode)
		return false;
	for (unsigned int i = 0; i < ARRAY_SIZE(keyhandlers); i++) {
		if (keyhandlers[i].key == c) {
			keyhandlers[i].fn();
			return true;
		}
	}
	printk("no debug key '%c' (h lists them)\n", c);
	return true;
}
