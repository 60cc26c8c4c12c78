/* motcua-doc-trust.c — the signing CAs and CRLs of hospital documents and
 * the check of a signer's certificate chain (docs/protocol-hospital.md
 * §6.1: chains to a trusted signing CA, valid now, not revoked in that
 * CA's CRL), all by OpenSSL.  The store is read-only after
 * motcua_doc_trust_new(), so verifications may run in parallel. */
#define G_LOG_DOMAIN "motcua-doc"

#include <glib/gi18n.h>

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "motcua-doc-private.h"
#include "motcua-error.h"

struct _MotcuaDocTrust {
  X509_STORE *store;
};

static gboolean
load_file (X509_LOOKUP *lookup, const char *path, GError **error)
{
  /* PEM certificates and CRLs in any mix; a DER CRL as a fallback. */
  if (X509_load_cert_crl_file (lookup, path, X509_FILETYPE_PEM) > 0
      || (g_str_has_suffix (path, ".crl") && X509_load_crl_file (lookup, path, X509_FILETYPE_ASN1) > 0))
    return TRUE;
  motcua_error_set (error, MOTCUA_ERROR_CONFIG,
                    _("không đọc được chứng thư/CRL %s (unreadable certificate or CRL)"), path);
  return FALSE;
}

static gint
by_name (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

static gboolean
load_dir (X509_LOOKUP *lookup, const char *dir, GError **error)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    {
      motcua_error_set (error, MOTCUA_ERROR_CONFIG, _("không mở được thư mục %s (cannot open)"), dir);
      return FALSE;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".pem") || g_str_has_suffix (name, ".crl"))
      g_ptr_array_add (names, g_build_filename (dir, name, NULL));
  g_ptr_array_sort (names, by_name);
  for (guint i = 0; i < names->len; i++)
    if (!load_file (lookup, g_ptr_array_index (names, i), error))
      return FALSE;
  return TRUE;
}

static guint
count_certificates (X509_STORE *store)
{
  STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects (store);
  guint n = 0;

  for (int i = 0; i < sk_X509_OBJECT_num (objs); i++)
    n += X509_OBJECT_get_type (sk_X509_OBJECT_value (objs, i)) == X509_LU_X509;
  return n;
}

MotcuaDocTrust *
motcua_doc_trust_new (const char * const *paths, GError **error)
{
  g_return_val_if_fail (paths != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  X509_STORE *store = X509_STORE_new ();
  X509_LOOKUP *lookup = store ? X509_STORE_add_lookup (store, X509_LOOKUP_file ()) : NULL;
  if (lookup == NULL)
    {
      X509_STORE_free (store);
      motcua_error_set (error, MOTCUA_ERROR_FAILED, NULL);
      return NULL;
    }
  for (gsize i = 0; paths[i] != NULL; i++)
    {
      gboolean ok = g_file_test (paths[i], G_FILE_TEST_IS_DIR)
                    ? load_dir (lookup, paths[i], error) : load_file (lookup, paths[i], error);
      if (!ok)
        {
          X509_STORE_free (store);
          return NULL;
        }
    }
  if (count_certificates (store) == 0)
    {
      X509_STORE_free (store);
      motcua_error_set (error, MOTCUA_ERROR_CONFIG,
                        _("không có chứng thư CA ký giấy tờ bệnh viện (no document signing CA)"));
      return NULL;
    }
  /* Fail closed: a signer whose CA has no CRL here is not accepted. */
  X509_STORE_set_flags (store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_X509_STRICT);
  MotcuaDocTrust *t = g_new0 (MotcuaDocTrust, 1);
  t->store = store;
  return t;
}

void
motcua_doc_trust_free (MotcuaDocTrust *t)
{
  if (t == NULL)
    return;
  X509_STORE_free (t->store);
  g_free (t);
}

gboolean
motcua_doc_trust_check (MotcuaDocTrust *trust, STACK_OF(X509) *certs, GError **error)
{
  X509_STORE_CTX *ctx = X509_STORE_CTX_new ();
  X509 *leaf = sk_X509_value (certs, 0);
  STACK_OF(X509) *rest = sk_X509_dup (certs);
  int err = X509_V_ERR_UNSPECIFIED;
  gboolean ok = FALSE;

  if (rest)
    (void) sk_X509_shift (rest);
  if (ctx && rest && X509_STORE_CTX_init (ctx, trust->store, leaf, rest) == 1)
    {
      ok = X509_verify_cert (ctx) == 1;
      err = X509_STORE_CTX_get_error (ctx);
    }
  X509_STORE_CTX_free (ctx);
  sk_X509_free (rest);
  if (ok)
    return TRUE;
  switch (err)
    {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      motcua_error_set (error, MOTCUA_ERROR_DOCUMENT_SIGNATURE,
                        _("chứng thư số của nơi ký đã hết hạn hoặc chưa có hiệu lực "
                          "(signer certificate expired or not yet valid)"));
      break;
    case X509_V_ERR_CERT_REVOKED:
      motcua_error_set (error, MOTCUA_ERROR_DOCUMENT_SIGNATURE,
                        _("chứng thư số của nơi ký đã bị thu hồi (signer certificate revoked)"));
      break;
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
      motcua_error_set (error, MOTCUA_ERROR_DOCUMENT_SIGNATURE,
                        _("không có danh sách thu hồi (CRL) còn hiệu lực của CA "
                          "(no valid CRL for the signer's CA)"));
      break;
    default:
      motcua_error_set (error, MOTCUA_ERROR_DOCUMENT_SIGNATURE,
                        _("nơi ký không thuộc CA tin cậy (unknown signer): %s"),
                        X509_verify_cert_error_string (err));
    }
  return FALSE;
}

char *
motcua_doc_subject_line (X509 *cert)
{
  BIO *bio = BIO_new (BIO_s_mem ());
  char *out = NULL, *data;
  long n;

  if (bio && X509_NAME_print_ex (bio, X509_get_subject_name (cert), 0,
                                 XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0
      && (n = BIO_get_mem_data (bio, &data)) >= 0)
    out = g_strndup (data, (gsize) n);
  BIO_free (bio);
  return out;
}
