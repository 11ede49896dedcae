// SPDX-License-Identifier: GPL-2.0-only
/* Guest memory copies, page by page through the p2m (see guest_access.h). */
#include <keel/guest_access.h>
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/page.h>

/* Host address of a guest-physical byte the hypervisor may copy to or from. */
static void *gpa_to_host(struct domain *d, gpaddr_t gpa, bool write)
{
	enum p2m_type t;
	paddr_t hpa = arch_p2m_lookup(d, gpa >> PAGE_SHIFT, &t);

	if (hpa == PADDR_INVALID)
		return NULL;
	if (t != P2M_RAM && t != P2M_SHARED_INFO && t != P2M_GRANT &&
	    !(t == P2M_GRANT_RO && !write))
		return NULL;
	return phys_to_virt(hpa + (gpa & (PAGE_SIZE - 1)));
}

static int phys_copy(struct domain *d, gpaddr_t gpa, void *buf, const void *src,
		     size_t len)
{
	while (len) {
		size_t chunk = MIN(len, PAGE_SIZE - (gpa & (PAGE_SIZE - 1)));
		void *host = gpa_to_host(d, gpa, buf == NULL);

		if (!host)
			return -EFAULT;
		if (buf) {
			memcpy(buf, host, chunk);
			buf = (u8 *)buf + chunk;
		} else if (src) {
			memcpy(host, src, chunk);
			src = (const u8 *)src + chunk;
		} else {
			memset(host, 0, chunk);
		}
		gpa += chunk;
		len -= chunk;
	}
	return 0;
}

int copy_from_guest_phys(struct domain *d, void *dst, gpaddr_t src, size_t len)
{
	return phys_copy(d, src, dst, NULL, len);
}

int copy_to_guest_phys(struct domain *d, gpaddr_t dst, const void *src, size_t len)
{
	static const u8 nothing;

	/* src == NULL must not turn into "write zeros" by accident. */
	return phys_copy(d, dst, NULL, src ? src : &nothing, src ? len : 0);
}

int fill_guest_phys(struct domain *d, gpaddr_t dst, const void *src, size_t len)
{
	return phys_copy(d, dst, NULL, src, len);
}

void guest_walk_cache_begin(struct vcpu *v)
{
	v->walk_cache.enabled = true;
	v->walk_cache.valid = false;
}

void guest_walk_cache_end(struct vcpu *v)
{
	v->walk_cache.enabled = false;
	v->walk_cache.valid = false;
}

static int gva_to_gpa(struct vcpu *v, gvaddr_t gva, bool write, gpaddr_t *gpa)
{
	struct walk_cache *c = &v->walk_cache;
	gvaddr_t page = gva & ~(gvaddr_t)(PAGE_SIZE - 1);
	bool writable;
	int rc;

	if (c->valid && c->gva_page == page && (c->writable || !write)) {
		*gpa = c->gpa_page | (gva & (PAGE_SIZE - 1));
		return 0;
	}
	rc = arch_gva_to_gpa(v, gva, write, gpa, &writable);
	if (!rc && c->enabled) {
		c->gva_page = page;
		c->gpa_page = *gpa & ~(gpaddr_t)(PAGE_SIZE - 1);
		c->writable = writable;
		c->valid = true;
	}
	return rc;
}

static int virt_copy(struct vcpu *v, gvaddr_t gva, void *buf, const void *src, size_t len)
{
	while (len) {
		size_t chunk = MIN(len, PAGE_SIZE - (gva & (PAGE_SIZE - 1)));
		gpaddr_t gpa;
		int rc = gva_to_gpa(v, gva, buf == NULL, &gpa);

		if (rc)
			return rc;
		rc = phys_copy(v->domain, gpa, buf, src, chunk);
		if (rc)
			return rc;
		if (buf)
			buf = (u8 *)buf + chunk;
		else
			src = (const u8 *)src + chunk;
		gva += chunk;
		len -= chunk;
	}
	return 0;
}

int copy_from_guest(struct vcpu *v, void *dst, gvaddr_t src, size_t len)
{
	return virt_copy(v, src, dst, NULL, len);
}

int copy_to_guest(struct vcpu *v, gvaddr_t dst, const void *src, size_t len)
{
	return virt_copy(v, dst, NULL, src, len);
}
