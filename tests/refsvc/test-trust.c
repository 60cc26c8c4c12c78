/* test-trust.c — refsvc-trust.c and refsvc-presence.c against the service
 * test PKI (certs/test/service): device certificates (every kind, expired,
 * revoked, rogue, bad profile, garbage), CMS signatures (RSA and EC
 * signers, tampering, unknown / revoked / expired signers, CAdES
 * attributes missing or wrong, garbage), signer certificates on their own,
 * card-presence proofs from the simulated card, and concurrent use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/ess.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <glib/gstdio.h>

#include "cardsim.h"
#include "refsvc.h"
#include "test-trust-pki.h"
#include "testsign.h"

static refsvc_trust *trust;
static const char payload[] = "{\"khaiSinh\":{\"nksHoTen\":\"Nguyễn Văn An\"}}";
#define PAYLOAD ((const guint8 *) payload)
#define PAYLOAD_LEN (sizeof payload - 1)

/* ------------------------------------------------------------- fixtures */

static const char *
check_device_named (const char *name, refsvc_device *dev)
{
  g_autoptr (GPtrArray) c = chain_of (name, NULL);
  return refsvc_trust_check_device (trust, c, dev);
}

static int
setup (void **state)
{
  (void) state;
  g_autofree char *dir = testsign_pki_dir ();
  GError *err = NULL;
  trust = refsvc_trust_load (dir, &err);
  if (!trust)
    fprintf (stderr, "refsvc_trust_load: %s\n", err ? err->message : "?");
  g_clear_error (&err);
  return trust ? 0 : -1;
}

static int
teardown (void **state)
{
  (void) state;
  refsvc_trust_free (trust);
  return 0;
}

/* -------------------------------------------------------------- devices */

static void
test_device_kinds (void **state)
{
  (void) state;
  static const struct {
    const char *name, *id, *unit;
    refsvc_device_kind kind;
  } cases[] = {
    { "counter", "counter-00004-01", "00004", REFSVC_DEVICE_COUNTER },
    { "counter-b", "counter-00008-01", "00008", REFSVC_DEVICE_COUNTER },
    { "kiosk", "kiosk-00004-01", "00004", REFSVC_DEVICE_KIOSK },
    { "hospital", "hospital-01001-01", "01001", REFSVC_DEVICE_HOSPITAL },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      refsvc_device dev;
      assert_null (check_device_named (cases[i].name, &dev));
      assert_string_equal (dev.id, cases[i].id);
      assert_string_equal (dev.unit, cases[i].unit);
      assert_int_equal (dev.kind, cases[i].kind);
      X509 *x = load_cert (cases[i].name);
      guint8 fp[32];
      unsigned int n = 0;
      assert_int_equal (X509_digest (x, EVP_sha256 (), fp, &n), 1);
      assert_memory_equal (dev.fingerprint, fp, 32);
      X509_free (x);
    }
  /* the CA sent along, as TLS peers often do */
  g_autoptr (GPtrArray) c = chain_of ("kiosk", "device-ca", NULL);
  refsvc_device dev;
  assert_null (refsvc_trust_check_device (trust, c, &dev));
  assert_int_equal (dev.kind, REFSVC_DEVICE_KIOSK);
}

static void
test_device_refused (void **state)
{
  (void) state;
  refsvc_device dev;
  assert_string_equal (check_device_named ("device-expired", &dev), "tls.client_cert_expired");
  assert_string_equal (dev.id, "");   /* nothing filled on refusal */
  assert_string_equal (check_device_named ("device-revoked", &dev), "tls.client_cert_revoked");
  assert_string_equal (check_device_named ("device-rogue", &dev), "tls.client_cert_untrusted");
  g_autoptr (GPtrArray) rogue = chain_of ("device-rogue", "rogue-device-ca", NULL);
  assert_string_equal (refsvc_trust_check_device (trust, rogue, &dev), "tls.client_cert_untrusted");
  /* a signer's certificate (other CA) is no device */
  assert_string_equal (check_device_named ("clerk-ec", &dev), "tls.client_cert_untrusted");
  /* the server certificate: other CA, and serverAuth only */
  assert_string_equal (check_device_named ("server", &dev), "tls.client_cert_untrusted");
}

static void
test_device_garbage (void **state)
{
  (void) state;
  refsvc_device dev;
  assert_string_equal (refsvc_trust_check_device (trust, NULL, &dev), "tls.client_cert_required");
  g_autoptr (GPtrArray) empty = g_ptr_array_new ();
  assert_string_equal (refsvc_trust_check_device (trust, empty, &dev), "tls.client_cert_required");

  X509 *x = load_cert ("counter");
  g_autoptr (GBytes) good = der_of (x);
  X509_free (x);
  gsize n;
  const guint8 *d = g_bytes_get_data (good, &n);
  guint8 *buf = g_malloc (n + 1);
  static const guint8 junk[] = { 0x30, 0x82, 0xff, 0xff, 0x01, 0x02 };
  GBytes *variants[] = {
    g_bytes_new (junk, sizeof junk),
    g_bytes_new (d, n / 2),                   /* truncated */
    NULL,                                     /* trailing byte */
    g_bytes_new (d + 1, n - 1),               /* header cut off */
    NULL,                                     /* signature damaged */
  };
  memcpy (buf, d, n);
  buf[n] = 0;
  variants[2] = g_bytes_new (buf, n + 1);
  buf[n - 5] ^= 0x10;
  variants[4] = g_bytes_new (buf, n);
  for (size_t i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      g_autoptr (GPtrArray) c = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      g_ptr_array_add (c, variants[i]);
      assert_string_equal (refsvc_trust_check_device (trust, c, &dev), "tls.client_cert_untrusted");
    }
  /* a good leaf followed by garbage */
  g_autoptr (GPtrArray) c = chain_of ("counter", NULL);
  g_ptr_array_add (c, g_bytes_new (junk, sizeof junk));
  assert_string_equal (refsvc_trust_check_device (trust, c, &dev), "tls.client_cert_untrusted");
  g_free (buf);
}

static const char *
check_issued (GBytes *leaf)
{
  g_autoptr (GPtrArray) c = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_ptr_array_add (c, leaf);
  refsvc_device dev;
  return refsvc_trust_check_device (trust, c, &dev);
}

static void
test_device_profile (void **state)
{
  (void) state;
  /* the generator itself: a proper subject passes */
  assert_null (check_issued (issue_device_cert ("C", "VN", "O", "00004", "OU", "kiosk",
                                                "CN", "kiosk-00004-09", NULL)));
  const char *profile = "tls.client_cert_profile";
  assert_string_equal (check_issued (issue_device_cert ("C", "VN", "O", "00004", "OU", "printer",
                                                        "CN", "p-1", NULL)), profile);
  assert_string_equal (check_issued (issue_device_cert ("C", "VN", "O", "00004",
                                                        "CN", "counter-00004-02", NULL)), profile);
  assert_string_equal (check_issued (issue_device_cert ("C", "VN", "OU", "counter",
                                                        "CN", "counter-00004-02", NULL)), profile);
  assert_string_equal (check_issued (issue_device_cert ("C", "VN", "O", "00004", "OU", "counter",
                                                        NULL)), profile);
  assert_string_equal (check_issued (issue_device_cert ("O", "00004", "OU", "counter",
                                                        "CN", "quầy 1", NULL)), profile);
  assert_string_equal (check_issued (issue_device_cert ("O", "00004", "OU", "counter",
                                                        "OU", "kiosk", "CN", "x-1", NULL)), profile);
  assert_string_equal (check_issued (issue_device_cert ("O", "000040000400004000", "OU", "counter",
                                                        "CN", "x-1", NULL)), profile);
}

/* ------------------------------------------------------------------ CMS */

static const char *
verify (GBytes *cms, const guint8 *content, gsize len, refsvc_signer *s)
{
  gsize n = 0;
  const guint8 *d = cms ? g_bytes_get_data (cms, &n) : NULL;
  return refsvc_trust_verify_cms (trust, content, len, d, n, s);
}

static void
expect_signer (const refsvc_signer *s, const char *name, const char *key_type)
{
  X509 *x = load_cert (name);
  BIGNUM *bn = ASN1_INTEGER_to_BN (X509_get0_serialNumber (x), NULL);
  char *hex = BN_bn2hex (bn);
  assert_string_equal (s->serial, hex);
  assert_string_equal (s->key_type, key_type);
  assert_string_equal (s->issuer, "CN=TEST ONLY Signing CA,O=motcua TEST ONLY,C=VN");
  assert_true (g_utf8_validate (s->subject, -1, NULL));
  assert_non_null (strstr (s->subject, "C=VN"));
  OPENSSL_free (hex);
  BN_free (bn);
  X509_free (x);
}

static void
test_cms_valid (void **state)
{
  (void) state;
  static const struct { const char *name, *key_type; } cases[] = {
    { "clerk-rsa", "RSA-2048" }, { "clerk-ec", "EC-P-256" }, { "hospital-rsa", "RSA-2048" },
    { "hospital-ec", "EC-P-256" }, { "kiosk-sign", "EC-P-256" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *full = g_strdup_printf ("%s-TEST-ONLY", cases[i].name);
      gint64 before = (gint64) time (NULL);
      g_autoptr (GBytes) cms = testsign_cms (full, PAYLOAD, PAYLOAD_LEN);
      gint64 after = (gint64) time (NULL);
      assert_non_null (cms);
      refsvc_signer s;
      assert_null (verify (cms, PAYLOAD, PAYLOAD_LEN, &s));
      expect_signer (&s, cases[i].name, cases[i].key_type);
      assert_true (s.signing_time >= before && s.signing_time <= after);
    }
  refsvc_signer s;
  g_autoptr (GBytes) cms = testsign_cms ("clerk-rsa-TEST-ONLY", PAYLOAD, PAYLOAD_LEN);
  assert_null (verify (cms, PAYLOAD, PAYLOAD_LEN, &s));
  assert_string_equal (s.subject, "CN=Nguyễn Thị Hoa (cán bộ TEST ONLY),OU=Một cửa,"
                                  "O=UBND xã 00004 (TEST ONLY),ST=Hà Nội,C=VN");
  /* an empty payload can be signed too */
  g_autoptr (GBytes) empty = testsign_cms ("clerk-ec-TEST-ONLY", NULL, 0);
  assert_null (verify (empty, NULL, 0, &s));
  assert_string_equal (verify (empty, PAYLOAD, 1, &s), "signature.invalid");
}

static void
test_cms_tampered (void **state)
{
  (void) state;
  refsvc_signer s;
  g_autoptr (GBytes) rsa = testsign_cms ("clerk-rsa-TEST-ONLY", PAYLOAD, PAYLOAD_LEN);
  g_autoptr (GBytes) ec = testsign_cms ("clerk-ec-TEST-ONLY", PAYLOAD, PAYLOAD_LEN);
  guint8 *other = g_memdup2 (payload, PAYLOAD_LEN);
  other[5] ^= 0x01;
  assert_string_equal (verify (rsa, other, PAYLOAD_LEN, &s), "signature.invalid");
  assert_string_equal (s.subject, "");
  assert_string_equal (verify (ec, other, PAYLOAD_LEN, &s), "signature.invalid");
  assert_string_equal (verify (ec, PAYLOAD, PAYLOAD_LEN - 1, &s), "signature.invalid");
  g_free (other);

  /* the last byte of an RSA CMS is the signature's last byte */
  gsize n;
  guint8 *d = g_bytes_unref_to_data (g_bytes_ref (rsa), &n);
  d[n - 1] ^= 0x01;
  assert_string_equal (refsvc_trust_verify_cms (trust, PAYLOAD, PAYLOAD_LEN, d, n, &s),
                       "signature.invalid");
  g_free (d);
}

static void
test_cms_signers_refused (void **state)
{
  (void) state;
  static const struct { const char *name, *code; } cases[] = {
    { "signer-rogue-TEST-ONLY", "signature.unknown_signer" },
    { "signer-revoked-TEST-ONLY", "signature.revoked" },
    { "signer-expired-TEST-ONLY", "signature.expired" },
    { "counter-TEST-ONLY", "signature.unknown_signer" },   /* a device key */
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GBytes) cms = testsign_cms (cases[i].name, PAYLOAD, PAYLOAD_LEN);
      assert_non_null (cms);
      refsvc_signer s;
      assert_string_equal (verify (cms, PAYLOAD, PAYLOAD_LEN, &s), cases[i].code);
    }
}

static GBytes *
cms_of (const char *name, unsigned int signer_flags, X509 *ess_cert, const EVP_MD *md,
        gboolean detached)
{
  return make_cms (name, signer_flags, ess_cert, md, detached, payload, PAYLOAD_LEN);
}

static void
test_cms_cades (void **state)
{
  (void) state;
  refsvc_signer s;
  X509 *self = load_cert ("clerk-ec");
  X509 *other = load_cert ("clerk-rsa");
  /* the signingCertificateV2 built by hand here is accepted when right */
  g_autoptr (GBytes) good = cms_of ("clerk-ec", 0, self, EVP_sha256 (), TRUE);
  assert_null (verify (good, PAYLOAD, PAYLOAD_LEN, &s));
  /* no signingCertificateV2 */
  g_autoptr (GBytes) plain = cms_of ("clerk-ec", 0, NULL, EVP_sha256 (), TRUE);
  assert_string_equal (verify (plain, PAYLOAD, PAYLOAD_LEN, &s), "signature.not_cades");
  /* no signed attributes at all (PKCS#7 style) */
  g_autoptr (GBytes) noattr = cms_of ("clerk-rsa", CMS_NOATTR, NULL, EVP_sha256 (), TRUE);
  assert_string_equal (verify (noattr, PAYLOAD, PAYLOAD_LEN, &s), "signature.not_cades");
  /* signingCertificateV2 naming another certificate */
  g_autoptr (GBytes) wrong = cms_of ("clerk-ec", 0, other, EVP_sha256 (), TRUE);
  assert_string_equal (verify (wrong, PAYLOAD, PAYLOAD_LEN, &s), "signature.invalid");
  /* SHA-1: OpenSSL's CMS_CADES then adds the v1 signingCertificate only */
  g_autoptr (GBytes) sha1 = cms_of ("clerk-rsa", CMS_CADES, NULL, EVP_sha1 (), TRUE);
  assert_string_equal (verify (sha1, PAYLOAD, PAYLOAD_LEN, &s), "signature.not_cades");
  /* ... and with a v2 attribute, SHA-1 is still not accepted */
  X509 *rsa = load_cert ("clerk-rsa");
  g_autoptr (GBytes) sha1v2 = cms_of ("clerk-rsa", 0, rsa, EVP_sha1 (), TRUE);
  assert_string_equal (verify (sha1v2, PAYLOAD, PAYLOAD_LEN, &s), "signature.invalid");
  g_autoptr (GBytes) sha512 = cms_of ("clerk-rsa", 0, rsa, EVP_sha512 (), TRUE);
  assert_null (verify (sha512, PAYLOAD, PAYLOAD_LEN, &s));
  X509_free (rsa);
  /* the payload inside the CMS instead of detached */
  g_autoptr (GBytes) attached = cms_of ("clerk-ec", CMS_CADES, NULL, EVP_sha256 (), FALSE);
  assert_string_equal (verify (attached, PAYLOAD, PAYLOAD_LEN, &s), "signature.malformed");
  X509_free (self);
  X509_free (other);
}

static void
test_cms_garbage (void **state)
{
  (void) state;
  refsvc_signer s;
  static const guint8 junk[] = { 0x30, 0x03, 0x06, 0x01, 0x00 };
  assert_string_equal (refsvc_trust_verify_cms (trust, PAYLOAD, PAYLOAD_LEN, junk, sizeof junk, &s),
                       "signature.malformed");
  assert_string_equal (refsvc_trust_verify_cms (trust, PAYLOAD, PAYLOAD_LEN, NULL, 0, &s),
                       "signature.malformed");
  assert_string_equal (refsvc_trust_verify_cms (trust, NULL, 5, junk, sizeof junk, &s),
                       "signature.malformed");
  /* a certificate is no CMS */
  X509 *x = load_cert ("clerk-ec");
  g_autoptr (GBytes) cert = der_of (x);
  X509_free (x);
  assert_string_equal (verify (cert, PAYLOAD, PAYLOAD_LEN, &s), "signature.malformed");

  /* truncations and single-byte changes of a good CMS: never accepted,
   * never a crash */
  g_autoptr (GBytes) cms = testsign_cms ("clerk-ec-TEST-ONLY", PAYLOAD, PAYLOAD_LEN);
  gsize n;
  const guint8 *d = g_bytes_get_data (cms, &n);
  guint8 *buf = g_malloc (n + 1);
  for (gsize cut = 0; cut < n; cut += 7)
    assert_non_null (refsvc_trust_verify_cms (trust, PAYLOAD, PAYLOAD_LEN, d, cut, &s));
  memcpy (buf, d, n);
  buf[n] = 0;
  assert_string_equal (refsvc_trust_verify_cms (trust, PAYLOAD, PAYLOAD_LEN, buf, n + 1, &s),
                       "signature.malformed");
  /* Every byte changed.  Only the SignedData and SignerInfo version
   * numbers (one-byte INTEGERs outside the signature, ignored by OpenSSL)
   * may change unnoticed; algorithm identifiers and eContentType may not. */
  for (gsize at = 0; at < n; at++)
    {
      memcpy (buf, d, n);
      buf[at] ^= 0x5a;
      if (!refsvc_trust_verify_cms (trust, PAYLOAD, PAYLOAD_LEN, buf, n, &s))
        assert_true (at >= 2 && d[at - 2] == 0x02 && d[at - 1] == 0x01 && d[at] == 0x01);
    }
  guint8 rnd[512];
  for (int i = 0; i < 64; i++)
    {
      assert_int_equal (RAND_bytes (rnd, sizeof rnd), 1);
      rnd[0] = 0x30;
      rnd[1] = 0x82;
      assert_non_null (refsvc_trust_verify_cms (trust, PAYLOAD, PAYLOAD_LEN, rnd, sizeof rnd, &s));
    }
  g_free (buf);
}

static void
test_signer_der (void **state)
{
  (void) state;
  static const struct { const char *name, *code; } cases[] = {
    { "hospital-rsa", NULL }, { "hospital-ec", NULL },
    { "signer-revoked", "signature.revoked" }, { "signer-expired", "signature.expired" },
    { "signer-rogue", "signature.unknown_signer" }, { "counter", "signature.unknown_signer" },
    { "signing-ca", "signature.unknown_signer" },  /* the anchor itself: no signing key usage */
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      X509 *x = load_cert (cases[i].name);
      g_autoptr (GBytes) b = der_of (x);
      X509_free (x);
      gsize n;
      const guint8 *d = g_bytes_get_data (b, &n);
      refsvc_signer s;
      const char *code = refsvc_trust_check_signer_der (trust, d, n, &s);
      if (cases[i].code)
        assert_string_equal (code, cases[i].code);
      else
        {
          assert_null (code);
          expect_signer (&s, cases[i].name, strstr (cases[i].name, "rsa") ? "RSA-2048" : "EC-P-256");
          assert_int_equal (s.signing_time, 0);
        }
    }
  refsvc_signer s;
  static const guint8 junk[] = { 0x30, 0x00 };
  assert_string_equal (refsvc_trust_check_signer_der (trust, junk, sizeof junk, &s),
                       "signature.unknown_signer");
  assert_string_equal (refsvc_trust_check_signer_der (trust, NULL, 0, &s),
                       "signature.unknown_signer");
}

/* ------------------------------------------------------------- presence */

static void
test_presence (void **state)
{
  (void) state;
  static const char *const profiles[] = { "cccd-2021", "cancuoc-2024" };
  GBytes *sig[2], *dg15[2], *sod[2];
  for (int i = 0; i < 2; i++)
    {
      assert_true (testsign_presence (profiles[i], PAYLOAD, PAYLOAD_LEN, &sig[i], &dg15[i], &sod[i]));
      assert_null (refsvc_presence_verify (trust, PAYLOAD, PAYLOAD_LEN, sig[i], dg15[i], sod[i]));
      /* another payload: the chip signed another challenge */
      assert_string_equal (refsvc_presence_verify (trust, PAYLOAD, PAYLOAD_LEN - 1, sig[i],
                                                   dg15[i], sod[i]), "presence.invalid");
    }
  /* DG15 of the other card */
  assert_string_equal (refsvc_presence_verify (trust, PAYLOAD, PAYLOAD_LEN, sig[1], dg15[1], sod[0]),
                       "presence.dg15_mismatch");
  assert_string_equal (refsvc_presence_verify (trust, PAYLOAD, PAYLOAD_LEN, sig[0], dg15[0], sod[1]),
                       "presence.dg15_mismatch");
  /* pieces missing or garbage */
  assert_string_equal (refsvc_presence_verify (trust, PAYLOAD, PAYLOAD_LEN, sig[0], dg15[0], NULL),
                       "presence.malformed");
  assert_string_equal (refsvc_presence_verify (trust, PAYLOAD, PAYLOAD_LEN, NULL, dg15[0], sod[0]),
                       "presence.malformed");
  g_autoptr (GBytes) junk = g_bytes_new_static ("\x77\x02\x30\x00", 4);
  assert_string_equal (refsvc_presence_verify (trust, PAYLOAD, PAYLOAD_LEN, sig[0], dg15[0], junk),
                       "presence.malformed");

  /* the same card with its SOD signed under a rogue CSCA */
  g_autofree char *service = testsign_pki_dir ();
  g_autofree char *pki = g_path_get_dirname (service);
  g_autofree char *certs = g_path_get_dirname (pki);
  g_autofree char *root = g_path_get_dirname (certs);
  g_autofree char *conf = g_build_filename (root, "tests", "cardsim", "profiles", "cccd-2021.conf", NULL);
  cardsim_faults f = { .rogue_csca = 1 };
  cardsim *card = NULL;
  char *err = NULL;
  assert_int_equal (cardsim_new (conf, pki, &f, &card, &err), 0);
  const uint8_t *rs = NULL;
  size_t rs_len = 0;
  assert_int_equal (cardsim_file (card, 0x1D, &rs, &rs_len), 0);
  g_autoptr (GBytes) rogue_sod = g_bytes_new (rs, rs_len);
  cardsim_free (card);
  assert_string_equal (refsvc_presence_verify (trust, PAYLOAD, PAYLOAD_LEN, sig[0], dg15[0], rogue_sod),
                       "presence.sod_untrusted");
  for (int i = 0; i < 2; i++)
    {
      g_bytes_unref (sig[i]);
      g_bytes_unref (dg15[i]);
      g_bytes_unref (sod[i]);
    }
}

/* ---------------------------------------------------------- concurrency */

typedef struct {
  GBytes *cms_ok, *cms_revoked;
  GPtrArray *dev_ok, *dev_expired;
  GBytes *sig, *dg15, *sod;
} shared_inputs;

/* Every thread runs the same checks; returns the number of wrong answers. */
static gpointer
worker (gpointer data)
{
  const shared_inputs *in = data;
  guint wrong = 0;
  for (int i = 0; i < 20; i++)
    {
      refsvc_signer s;
      refsvc_device dev;
      wrong += verify (in->cms_ok, PAYLOAD, PAYLOAD_LEN, &s) != NULL;
      wrong += g_strcmp0 (verify (in->cms_revoked, PAYLOAD, PAYLOAD_LEN, &s), "signature.revoked") != 0;
      wrong += refsvc_trust_check_device (trust, in->dev_ok, &dev) != NULL;
      wrong += g_strcmp0 (refsvc_trust_check_device (trust, in->dev_expired, &dev),
                          "tls.client_cert_expired") != 0;
      wrong += refsvc_presence_verify (trust, PAYLOAD, PAYLOAD_LEN, in->sig, in->dg15, in->sod) != NULL;
    }
  return GUINT_TO_POINTER (wrong);
}

static void
test_concurrent (void **state)
{
  (void) state;
  shared_inputs in = {
    .cms_ok = testsign_cms ("clerk-rsa-TEST-ONLY", PAYLOAD, PAYLOAD_LEN),
    .cms_revoked = testsign_cms ("signer-revoked-TEST-ONLY", PAYLOAD, PAYLOAD_LEN),
    .dev_ok = chain_of ("counter", NULL),
    .dev_expired = chain_of ("device-expired", NULL),
  };
  assert_true (testsign_presence ("cancuoc-2024", PAYLOAD, PAYLOAD_LEN, &in.sig, &in.dg15, &in.sod));
  GThread *th[8];
  for (int i = 0; i < 8; i++)
    th[i] = g_thread_new ("trust", worker, &in);
  for (int i = 0; i < 8; i++)
    assert_int_equal (GPOINTER_TO_UINT (g_thread_join (th[i])), 0);
  g_bytes_unref (in.cms_ok);
  g_bytes_unref (in.cms_revoked);
  g_ptr_array_unref (in.dev_ok);
  g_ptr_array_unref (in.dev_expired);
  g_bytes_unref (in.sig);
  g_bytes_unref (in.dg15);
  g_bytes_unref (in.sod);
}

static void
test_load_errors (void **state)
{
  (void) state;
  GError *err = NULL;
  assert_null (refsvc_trust_load ("/nonexistent/pki", &err));
  assert_non_null (err);
  g_clear_error (&err);

  /* a PKI dir with both CAs but no CSCA store next to it (../trust) */
  g_autofree char *tmp = g_dir_make_tmp ("refsvc-trust-XXXXXX", NULL);
  assert_non_null (tmp);
  g_autofree char *svc = g_build_filename (tmp, "service", NULL);
  g_autofree char *tr = g_build_filename (tmp, "trust", NULL);
  assert_int_equal (g_mkdir (svc, 0700), 0);
  const char *files[][2] = { { "device-ca", "pem" }, { "device-ca", "crl" },
                             { "signing-ca", "pem" }, { "signing-ca", "crl" } };
  for (size_t i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *p = pki_path (files[i][0], files[i][1]);
      copy_into (svc, p);
    }
  assert_null (refsvc_trust_load (svc, &err));
  assert_non_null (err);
  g_clear_error (&err);
  /* with the CSCA store it loads */
  g_autofree char *service = testsign_pki_dir ();
  g_autofree char *csca = g_build_filename (service, "..", "trust", "csca-TEST-ONLY.pem", NULL);
  assert_int_equal (g_mkdir (tr, 0700), 0);
  copy_into (tr, csca);
  refsvc_trust *t = refsvc_trust_load (svc, &err);
  assert_non_null (t);
  assert_non_null (refsvc_trust_csca (t));
  refsvc_trust_free (t);
  /* a missing CRL is an error, not a silently unchecked revocation */
  g_autofree char *crl = g_build_filename (svc, "signing-ca-TEST-ONLY.crl", NULL);
  assert_int_equal (g_remove (crl), 0);
  assert_null (refsvc_trust_load (svc, &err));
  assert_non_null (err);
  g_clear_error (&err);
  assert_null (refsvc_trust_csca (NULL));

  const char *dirs[] = { svc, tr };
  for (size_t i = 0; i < 2; i++)
    {
      GDir *dd = g_dir_open (dirs[i], 0, NULL);
      const char *e;
      while (dd && (e = g_dir_read_name (dd)) != NULL)
        {
          g_autofree char *p = g_build_filename (dirs[i], e, NULL);
          g_remove (p);
        }
      if (dd)
        g_dir_close (dd);
      g_rmdir (dirs[i]);
    }
  g_rmdir (tmp);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_device_kinds),
    cmocka_unit_test (test_device_refused),
    cmocka_unit_test (test_device_garbage),
    cmocka_unit_test (test_device_profile),
    cmocka_unit_test (test_cms_valid),
    cmocka_unit_test (test_cms_tampered),
    cmocka_unit_test (test_cms_signers_refused),
    cmocka_unit_test (test_cms_cades),
    cmocka_unit_test (test_cms_garbage),
    cmocka_unit_test (test_signer_der),
    cmocka_unit_test (test_presence),
    cmocka_unit_test (test_concurrent),
    cmocka_unit_test (test_load_errors),
  };
  return cmocka_run_group_tests (tests, setup, teardown);
}
