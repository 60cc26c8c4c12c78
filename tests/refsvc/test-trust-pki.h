/* test-trust-pki.h — fixtures for test-trust.c (cmocka: they fail the
 * running test when a file cannot be read or OpenSSL refuses). */
#ifndef TEST_TRUST_PKI_H
#define TEST_TRUST_PKI_H

#include <glib.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/* <pki dir>/NAME-TEST-ONLY.EXT, newly allocated. */
char     *pki_path (const char *name, const char *ext);
X509     *load_cert (const char *name);   /* NAME without -TEST-ONLY */
EVP_PKEY *load_key (const char *name);
GBytes   *der_of (X509 *x);
/* GBytes DER of PKI certificates by name, leaf first; NULL-terminated. */
GPtrArray *chain_of (const char *first, ...) G_GNUC_NULL_TERMINATED;
/* A certificate issued now by the real device CA (clientAuth) with the
 * subject given as field, value pairs; NULL-terminated. */
GBytes   *issue_device_cert (const char *first, ...) G_GNUC_NULL_TERMINATED;
/* A CMS over data signed with NAME: signer_flags for CMS_add1_signer
 * (CMS_CADES, CMS_NOATTR ...), an optional signingCertificateV2 naming
 * ess_cert, digest md, detached or attached. */
GBytes   *make_cms (const char *name, unsigned int signer_flags, X509 *ess_cert,
                    const EVP_MD *md, gboolean detached, const void *data, gsize len);
/* Copies file src into dir. */
void      copy_into (const char *dir, const char *src);

#endif
