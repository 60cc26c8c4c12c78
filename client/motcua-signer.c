/* motcua-signer.c — the clerk's / hospital's signing key and CMS signatures
 *
 * On a token (libp11): the certificate is found without logging in
 * (certificates are public objects), the private key with the same CKA_ID
 * after motcua_signer_login().  libp11's EVP_PKEY does the private-key
 * operation on the token (CKM_RSA_PKCS / CKM_ECDSA) under OpenSSL's
 * ordinary EVP and CMS code.
 *
 * CMS: CMS_sign(CMS_PARTIAL) + CMS_add1_signer(CMS_CADES) + CMS_final.
 * CMS_add1_signer adds contentType and messageDigest, CMS_final adds
 * signingTime, and CMS_CADES makes OpenSSL 3 add the ESS
 * signingCertificateV2 attribute (RFC 5035, SHA-256 of the certificate),
 * built internally with OSSL_ESS_signing_cert_v2_new_init: OpenSSL 3.0 has
 * no public CMS_add1_signing_cert_v2. */
#define G_LOG_DOMAIN "motcua-signer"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "motcua-error.h"
#include "motcua-signer-private.h"

struct _MotcuaSigner {
  gboolean     is_file;
  MotcuaP11    p11;
  guchar      *cert_id;        /* CKA_ID of the certificate on the token */
  gsize        cert_id_len;
  char        *cert_label;
  gboolean     logged_in;
  X509        *cert;
  EVP_PKEY    *key;            /* NULL on a token until logged in */
  GBytes      *cert_der;
  char        *subject;
};

void
motcua_signer_free (MotcuaSigner *self)
{
  if (self == NULL)
    return;
  EVP_PKEY_free (self->key);   /* before the module is unloaded */
  motcua_p11_clear (&self->p11);
  X509_free (self->cert);
  g_clear_pointer (&self->cert_der, g_bytes_unref);
  g_free (self->cert_id);
  g_free (self->cert_label);
  g_free (self->subject);
  g_free (self);
}

/* Takes @cert: fills cert, cert_der and subject. */
static gboolean
set_certificate (MotcuaSigner *self, X509 *cert, GError **error)
{
  unsigned char *der = NULL;
  int n;

  self->cert = cert;
  if (cert == NULL || (n = i2d_X509 (cert, &der)) <= 0)
    {
      ERR_clear_error ();
      motcua_error_set (error, MOTCUA_ERROR_CERTIFICATE, _("không đọc được chứng thư (unreadable certificate)"));
      return FALSE;
    }
  self->cert_der = g_bytes_new (der, (gsize) n);
  OPENSSL_free (der);
  self->subject = motcua_signer_subject_line (cert);
  return TRUE;
}

char *
motcua_signer_subject_line (X509 *cert)
{
  BIO *b = BIO_new (BIO_s_mem ());
  char *p = NULL;
  char *out = NULL;

  /* RFC 2253, UTF-8 kept as is (not \XX-escaped). */
  if (b != NULL
      && X509_NAME_print_ex (b, X509_get_subject_name (cert), 0,
                             XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0)
    {
      long n = BIO_get_mem_data (b, &p);
      out = g_strndup (p, (gsize) n);
    }
  BIO_free (b);
  return out ? out : g_strdup ("");
}

/* The certificate with @label (NULL: the first) on @token, or NULL. */
static PKCS11_CERT *
find_cert (PKCS11_TOKEN *token, const char *label)
{
  PKCS11_CERT *certs = NULL;
  unsigned int n = 0;

  if (PKCS11_enumerate_certs (token, &certs, &n) != 0)
    {
      ERR_clear_error ();
      return NULL;
    }
  for (unsigned int i = 0; i < n; i++)
    if (certs[i].x509 != NULL && (label == NULL || g_strcmp0 (certs[i].label, label) == 0))
      return &certs[i];
  return NULL;
}

MotcuaSigner *
motcua_signer_open_pkcs11 (const char *module_path, const char *token_label,
                           const char *key_label, GError **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autoptr (MotcuaSigner) self = g_new0 (MotcuaSigner, 1);
  if (!motcua_p11_load (&self->p11, module_path, error))
    return NULL;

  gboolean any_token = FALSE;
  PKCS11_CERT *cert = NULL;
  for (unsigned int i = 0; i < self->p11.nslots && cert == NULL; i++)
    {
      PKCS11_TOKEN *t = self->p11.slots[i].token;
      if (t == NULL || !t->initialized)
        continue;
      if (token_label != NULL && g_strcmp0 (t->label, token_label) != 0)
        continue;
      any_token = TRUE;
      if ((cert = find_cert (t, key_label)) != NULL)
        self->p11.slot = &self->p11.slots[i];
    }
  if (!any_token)
    {
      if (token_label != NULL)
        motcua_error_set (error, MOTCUA_ERROR_TOKEN_ABSENT, _("không có thiết bị nhãn \"%s\" (no token labelled \"%s\")"),
                          token_label, token_label);
      else
        motcua_error_set (error, MOTCUA_ERROR_TOKEN_ABSENT, NULL);
      return NULL;
    }
  if (cert == NULL)
    {
      motcua_error_set (error, MOTCUA_ERROR_KEY_NOT_FOUND, _("không có chứng thư \"%s\" (no certificate \"%s\")"),
                        key_label ? key_label : "*", key_label ? key_label : "*");
      return NULL;
    }
  self->cert_id = g_memdup2 (cert->id, cert->id_len);
  self->cert_id_len = cert->id_len;
  self->cert_label = g_strdup (cert->label);
  if (!set_certificate (self, X509_dup (cert->x509), error))
    return NULL;
  return g_steal_pointer (&self);
}

MotcuaSigner *
motcua_signer_open_file (const char *cert_path, const char *key_path, GError **error)
{
  g_return_val_if_fail (cert_path != NULL && key_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autoptr (MotcuaSigner) self = g_new0 (MotcuaSigner, 1);
  self->is_file = TRUE;
  self->logged_in = TRUE;

  BIO *b = BIO_new_file (cert_path, "r");
  X509 *cert = b ? PEM_read_bio_X509 (b, NULL, NULL, NULL) : NULL;
  BIO_free (b);
  if (b == NULL)
    {
      ERR_clear_error ();
      motcua_error_set (error, MOTCUA_ERROR_IO, "%s", cert_path);
      return NULL;
    }
  if (!set_certificate (self, cert, error))
    return NULL;
  b = BIO_new_file (key_path, "r");
  if (b == NULL)
    {
      ERR_clear_error ();
      motcua_error_set (error, MOTCUA_ERROR_IO, "%s", key_path);
      return NULL;
    }
  self->key = PEM_read_bio_PrivateKey (b, NULL, NULL, NULL);
  BIO_free (b);
  if (self->key == NULL || X509_check_private_key (self->cert, self->key) != 1)
    {
      ERR_clear_error ();
      motcua_error_set (error, MOTCUA_ERROR_KEY_NOT_FOUND,
                        _("khoá không khớp chứng thư (key missing or not the certificate's)"));
      return NULL;
    }
  return g_steal_pointer (&self);
}

gboolean
motcua_signer_has_pin_pad (MotcuaSigner *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return !self->is_file && motcua_p11_has_pin_pad (&self->p11);
}

MotcuaPinState
motcua_signer_get_pin_state (MotcuaSigner *self)
{
  g_return_val_if_fail (self != NULL, MOTCUA_PIN_OK);
  if (self->is_file)
    return MOTCUA_PIN_OK;
  return motcua_p11_pin_state (&self->p11);
}

/* The private key with the certificate's CKA_ID (else its label). */
static PKCS11_KEY *
find_private_key (MotcuaSigner *self)
{
  PKCS11_KEY *keys = NULL, *by_label = NULL;
  unsigned int n = 0;

  if (PKCS11_enumerate_keys (self->p11.slot->token, &keys, &n) != 0)
    return NULL;
  for (unsigned int i = 0; i < n; i++)
    {
      if (!keys[i].isPrivate)
        continue;
      if (self->cert_id_len > 0 && keys[i].id_len == self->cert_id_len
          && memcmp (keys[i].id, self->cert_id, self->cert_id_len) == 0)
        return &keys[i];
      if (by_label == NULL && self->cert_label != NULL && g_strcmp0 (keys[i].label, self->cert_label) == 0)
        by_label = &keys[i];
    }
  return by_label;
}

gboolean
motcua_signer_login (MotcuaSigner *self, const char *pin, GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->is_file || (self->logged_in && self->key != NULL))
    return TRUE;
  if (!motcua_p11_login (&self->p11, pin, error))
    return FALSE;
  PKCS11_KEY *key = find_private_key (self);
  EVP_PKEY *pkey = key ? PKCS11_get_private_key (key) : NULL;
  ERR_clear_error ();
  if (pkey == NULL)
    {
      motcua_error_set (error, MOTCUA_ERROR_KEY_NOT_FOUND, _("không có khoá riêng của chứng thư (no private key for the certificate)"));
      return FALSE;
    }
  EVP_PKEY_free (self->key);
  self->key = pkey;
  self->logged_in = TRUE;
  return TRUE;
}

gboolean
motcua_signer_is_logged_in (MotcuaSigner *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->logged_in && self->key != NULL;
}

GBytes *
motcua_signer_get_certificate (MotcuaSigner *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_bytes_ref (self->cert_der);
}

const char *
motcua_signer_get_subject (MotcuaSigner *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->subject;
}

gboolean
motcua_signer_ready (MotcuaSigner *self, EVP_PKEY **key, X509 **cert, GError **error)
{
  if (!motcua_signer_is_logged_in (self))
    {
      motcua_error_set (error, MOTCUA_ERROR_SIGN_FAILED, _("chưa đăng nhập thiết bị ký (not logged in)"));
      return FALSE;
    }
  /* A certificate past its validity, or without a signing key usage, is
   * refused by the service: say so before signing. */
  if (X509_cmp_current_time (X509_get0_notAfter (self->cert)) < 0
      || X509_cmp_current_time (X509_get0_notBefore (self->cert)) > 0)
    {
      motcua_error_set (error, MOTCUA_ERROR_CERTIFICATE, _("ngoài thời hạn hiệu lực (outside its validity period)"));
      return FALSE;
    }
  uint32_t ku = X509_get_key_usage (self->cert);
  if (ku != UINT32_MAX && (ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) == 0)
    {
      motcua_error_set (error, MOTCUA_ERROR_CERTIFICATE, _("không dùng để ký (no signing key usage)"));
      return FALSE;
    }
  *key = self->key;
  *cert = self->cert;
  return TRUE;
}

GBytes *
motcua_signer_sign_cms (MotcuaSigner *self, GBytes *data, GError **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  EVP_PKEY *key;
  X509 *cert;
  if (!motcua_signer_ready (self, &key, &cert, error))
    return NULL;
  gsize len = 0;
  const guint8 *bytes = g_bytes_get_data (data, &len);
  if (len > G_MAXINT)
    {
      motcua_error_set (error, MOTCUA_ERROR_SIGN_FAILED, _("dữ liệu quá lớn (data too large)"));
      return NULL;
    }

  const unsigned int flags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;
  GBytes *out = NULL;
  unsigned char *der = NULL;
  BIO *in = BIO_new_mem_buf (len ? (const void *) bytes : "", (int) len);
  CMS_ContentInfo *cms = CMS_sign (NULL, NULL, NULL, NULL, flags);
  if (in != NULL && cms != NULL
      && CMS_add1_signer (cms, cert, key, EVP_sha256 (), flags | CMS_CADES) != NULL
      && CMS_final (cms, in, NULL, flags) == 1)
    {
      int n = i2d_CMS_ContentInfo (cms, &der);
      if (n > 0)
        out = g_bytes_new (der, (gsize) n);
    }
  OPENSSL_free (der);
  CMS_ContentInfo_free (cms);
  BIO_free (in);
  ERR_clear_error ();
  if (out == NULL)
    motcua_error_set (error, MOTCUA_ERROR_SIGN_FAILED, "CMS");
  return out;
}
