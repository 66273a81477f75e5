/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The nvme-auth library (drivers/nvme/common/auth.c) as auth.c uses it.
 * Linux 6.12 takes the secret of nvme_auth_extract_key() as unsigned char *,
 * newer kernels as const char *: nvmet_auth_extract_key() takes the newest
 * form and converts for either. auth.c uses nothing else whose prototype
 * changed inside the supported window (it hashes and runs DH through the
 * crypto API itself; see docs/compat.md).
 */
#ifndef NVMET_COMPAT_NVME_AUTH_H
#define NVMET_COMPAT_NVME_AUTH_H

#include <linux/nvme-auth.h>

static inline struct nvme_dhchap_key *nvmet_auth_extract_key(const char *secret, u8 key_hash)
{
	return nvme_auth_extract_key((void *)secret, key_hash);
}

#endif /* NVMET_COMPAT_NVME_AUTH_H */
