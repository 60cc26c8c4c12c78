/* test-xmldoc.h — shared by the xmldoc test program (test-xmldoc.c,
 * test-xmldoc-sig.c, test-xmldoc-util.c). */
#ifndef TEST_XMLDOC_H
#define TEST_XMLDOC_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/pem.h>
#include <xmlsec/crypto.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmltree.h>

#include "refsvc-xmldoc-int.h"
#include "testsign.h"

#define GCS_CODE "00451.GCS.01001.26"
#define GBT_CODE "07731.GBT.01001.26"

/* Loaded from the service test PKI by xmldoc_setup. */
extern refsvc_trust *trust;

int xmldoc_setup (void **state);
int xmldoc_teardown (void **state);

/* A signed package from testsign-xml.c (code GCS_CODE / GBT_CODE,
 * facility 01001); fails the test when signing fails. */
GBytes *make_doc (int loai_hs, const char *signer, const char *const *overrides);
refsvc_xmldoc *parse_bytes (refsvc_doc_kind kind, GBytes *b, refsvc_error **err);
/* Parses s (len -1: strlen), asserts a refusal with code; returns it. */
refsvc_error *expect_error_str (refsvc_doc_kind kind, const char *s, gssize len,
                                const char *code);
void expect_error (refsvc_doc_kind kind, GBytes *b, const char *code);
gboolean has_field (const refsvc_error *e, const char *path, const char *code);
/* b with the first occurrence of from replaced by to (asserted present). */
GBytes *replace_once (GBytes *b, const char *from, const char *to);
/* b without CHUKYDONVI's Signature (whole_block: without CHUKYDONVI). */
GBytes *strip_signature (GBytes *b, gboolean whole_block);

/* test-xmldoc-sig.c */
void test_tampered (void **state);
void test_unsigned (void **state);
void test_untrusted_signers (void **state);
void test_signature_variants (void **state);
void test_wrapping_and_tricks (void **state);
void test_concurrent (void **state);

#endif
